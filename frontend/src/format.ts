// Times as the host reads them: in Home Assistant's time zone (the one the actions read naive
// times in), in the user's language.
import type { HomeAssistant } from "./types";

export const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(hass: HomeAssistant, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${hass.locale.language}|${hass.config.time_zone}|${JSON.stringify(options)}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(hass.locale.language, { timeZone: hass.config.time_zone, ...options });
    formatters.set(key, found);
  }
  return found;
}

/** "Tue 1 Dec, 15:00" */
export function formatDateTime(hass: HomeAssistant, iso: string): string {
  return formatter(hass, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}

/** ["Tue", "T", "1"]: the weekday, short and narrow, and the day of the month */
export function formatDay(hass: HomeAssistant, when: number): [string, string, string] {
  const date = new Date(when);
  return [
    formatter(hass, { weekday: "short" }).format(date),
    formatter(hass, { weekday: "narrow" }).format(date),
    formatter(hass, { day: "numeric" }).format(date),
  ];
}

function parts(hass: HomeAssistant, when: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of formatter(hass, {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(when))) {
    if (part.type !== "literal") out[part.type] = Number(part.value);
  }
  return out;
}

/** The start of today in Home Assistant's time zone, as a timestamp. */
export function startOfToday(hass: HomeAssistant, now: number): number {
  const p = parts(hass, now);
  return now - ((p.hour * 60 + p.minute) * 60 + p.second) * 1000 - (now % 1000);
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A value for <input type="datetime-local">, in Home Assistant's time zone. */
export function toLocalInput(hass: HomeAssistant, iso: string): string {
  const p = parts(hass, new Date(iso).getTime());
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** What the integration reads as a time in Home Assistant's time zone: no offset. */
export function fromLocalInput(value: string): string {
  return value.length === 16 ? `${value}:00` : value;
}
