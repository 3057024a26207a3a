// The "Access codes" sidebar panel of Backup Access Codes: every lock, every guest, every code.
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { DOMAIN, applyEvent, mergeGrants, mergePast, needAttention, uncovered, type Locks } from "./data";
import { dialogStyles, panelStyles } from "./styles";
import { ensureHaElements } from "./ha-elements";
import { DAY_MS, formatDateTime, formatDay, fromLocalInput, startOfToday, toLocalInput } from "./format";
import type {
  Grant,
  GrantOnLock,
  HomeAssistant,
  LocalizeFunc,
  LockPayload,
  PastStay,
  RevealedCode,
  SubscriptionEvent,
  WsError,
} from "./types";

const DAYS = 15; // today and the next 14 days
const REVEAL_SECONDS = 30;
const STATUS_ORDER = ["issue_failed", "backup_issued", "issued", "programmed", "scheduled"] as const;

interface FormState {
  mode: "create" | "edit";
  grantId?: string;
  fromCalendar?: boolean;
  name: string;
  locks: string[];
  startsAt: string;
  endsAt: string;
  code: string;
}

type Dialog =
  | { kind: "form"; form: FormState }
  | { kind: "confirm"; action: "delete" | "rotate" | "issue"; title: string; text: string; run: () => Promise<unknown> }
  | { kind: "reveal"; grant: Grant; lock: LockPayload; code: RevealedCode; left: number };

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain http:// on a local network has no clipboard API: the old way still works there.
  const area = document.createElement("textarea");
  area.value = text;
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  document.execCommand("copy");
  area.remove();
}

export class BackupAccessCodesPanel extends LitElement {
  static properties = {
    hass: { attribute: false },
    narrow: { type: Boolean, reflect: true },
    _locks: { state: true },
    _localize: { state: true },
    _expanded: { state: true },
    _dialog: { state: true },
    _busy: { state: true },
    _error: { state: true },
    _copied: { state: true },
    _now: { state: true },
    _connected: { state: true },
  };

  static styles = [panelStyles, dialogStyles];

  declare hass: HomeAssistant;
  declare narrow: boolean;
  declare _locks: Locks | undefined;
  declare _localize: LocalizeFunc | undefined;
  declare _expanded: Set<string>;
  declare _dialog: Dialog | undefined;
  declare _busy: boolean;
  declare _error: string | undefined;
  declare _copied: string | undefined;
  declare _now: number;
  declare _connected: boolean;

  private _unsubscribe?: Promise<() => Promise<void>>;
  private _clock?: number;
  private _revealTimer?: number;
  private _ready = false;
  private readonly _onDisconnect = () => {
    this._connected = false;
  };
  private readonly _onReady = () => {
    this._connected = true;
  };

  constructor() {
    super();
    this.narrow = false;
    this._expanded = new Set();
    this._busy = false;
    this._now = Date.now();
    this._connected = true;
  }

  connectedCallback(): void {
    super.connectedCallback();
    this._clock = window.setInterval(() => (this._now = Date.now()), 60_000);
    if (this.hass && !this._unsubscribe) this._subscribe();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearInterval(this._clock);
    this._hideCode();
    void this._unsubscribe?.then((unsub) => unsub()).catch(() => undefined);
    this._unsubscribe = undefined;
    this.hass?.connection.removeEventListener("disconnected", this._onDisconnect);
    this.hass?.connection.removeEventListener("ready", this._onReady);
  }

  protected willUpdate(changed: PropertyValues): void {
    if (changed.has("hass") && this.hass && !this._unsubscribe && this.isConnected) {
      this._subscribe();
    }
  }

  private _subscribe(): void {
    const hass = this.hass;
    void ensureHaElements();
    // One after the other: the function of the second load knows both categories.
    void hass
      .loadBackendTranslation("exceptions", DOMAIN)
      .then(() => hass.loadBackendTranslation("config_panel", DOMAIN))
      .then((localize) => (this._localize = localize));
    hass.connection.addEventListener("disconnected", this._onDisconnect);
    hass.connection.addEventListener("ready", this._onReady);
    // Live: the integration sends each lock again whenever it was evaluated. No polling.
    this._unsubscribe = hass.connection.subscribeMessage<SubscriptionEvent>(
      (event) => {
        this._locks = applyEvent(this._locks ?? new Map(), event);
        this._now = Date.now();
      },
      { type: `${DOMAIN}/subscribe` },
    );
    this._unsubscribe.catch((err: WsError) => (this._error = this._errorText(err)));
  }

  protected updated(): void {
    if (!this._ready && this._locks && this._localize) {
      this._ready = true;
      this.toggleAttribute("data-ready", true);
      performance.mark("backup-access-codes:ready");
    }
  }

  // ----- text

  private _t(key: string, values?: Record<string, string | number>): string {
    const full = `component.${DOMAIN}.config_panel.${key}`;
    return this._localize?.(full, values) || this.hass.localize(full, values) || key;
  }

  private _errorText(err: WsError | Error | unknown): string {
    const error = err as WsError & { translation_placeholders?: Record<string, string> };
    if (error?.translation_key && this._localize) {
      const text = this._localize(
        `component.${DOMAIN}.exceptions.${error.translation_key}.message`,
        error.translation_placeholders,
      );
      if (text) return text;
    }
    return error?.message ?? String(err);
  }

  private _lockName(entityId: string): string {
    for (const lock of this._locks?.values() ?? []) {
      if (lock.lock_entity_id === entityId) return lock.name;
    }
    return entityId;
  }

  // ----- rendering

  protected render(): TemplateResult {
    return html`
      <div class="toolbar">
        <ha-menu-button .hass=${this.hass} .narrow=${this.narrow}></ha-menu-button>
        <div class="main-title">${this._t("panel.title")}</div>
        ${this._locks?.size
          ? html`<ha-button data-testid="new-grant" @click=${this._openCreate}>
              <ha-icon slot="start" icon="mdi:plus"></ha-icon><span class="wide-only">${this._t("panel.new_grant")}</span>
            </ha-button>`
          : nothing}
      </div>
      <div class="content">
        ${this._error ? html`<ha-alert alert-type="error">${this._error}</ha-alert>` : nothing}
        ${this._connected ? nothing : html`<ha-alert alert-type="warning">${this._t("panel.disconnected")}</ha-alert>`}
        ${this._locks === undefined || !this._localize
          ? html`<div class="empty">${this._localize ? this._t("panel.loading") : ""}</div>`
          : this._renderContent(this._locks)}
      </div>
      ${this._renderDialog()}
    `;
  }

  private _renderContent(locks: Locks): TemplateResult {
    if (locks.size === 0) {
      return html`<div class="empty" data-testid="no-locks">${this._t("panel.no_locks")}</div>`;
    }
    const grants = mergeGrants(locks);
    const past = mergePast(locks);
    return html`
      ${this._renderCoverage(locks, grants)}
      <h2>${this._t("panel.locks")}</h2>
      <div class="locks">${[...locks.values()].map((lock) => this._renderLock(lock))}</div>
      <h2>${this._t("panel.grants")}</h2>
      ${this._renderTimeline(grants)} ${this._renderPast(past)}
    `;
  }

  private _renderCoverage(locks: Locks, grants: Grant[]): TemplateResult {
    const missing = uncovered(grants);
    const attention = needAttention(locks);
    return html`<div data-testid="coverage">
      ${missing.length
        ? html`<ha-alert alert-type="error">${this._t("panel.not_covered", { names: missing.map((g) => g.name).join(", ") })}</ha-alert>`
        : html`<ha-alert alert-type="success">${this._t("panel.all_covered")}</ha-alert>`}
      ${attention.length
        ? html`<ha-alert alert-type="warning">${this._t("panel.warnings", { names: attention.map((l) => l.name).join(", ") })}</ha-alert>`
        : nothing}
    </div>`;
  }

  private _renderLock(lock: LockPayload): TemplateResult {
    const pool = lock.pool;
    const reason = lock.offline_reason ? this._t(`offline_reason.${lock.offline_reason}`) : "";
    const warnings: [string, string, boolean][] = [
      ["empty", "error", pool.empty],
      ["partial", "warn", pool.partial],
      ["many_active", "warn", pool.many_active],
    ];
    const providerKey = `component.${DOMAIN}.config_panel.provider.${lock.provider}`;
    const provider = this._localize?.(providerKey) || lock.provider;
    const s = lock.slots;
    return html`<ha-card class="lock-card" data-testid="lock-card" data-entity-id=${lock.lock_entity_id}>
      <div class="lock-head">
        <ha-icon icon=${lock.online ? "mdi:lock" : "mdi:lock-off"}></ha-icon>
        <span class="name">${lock.name}</span>
        <span class="chip ${lock.online ? "online" : "offline"}" data-testid="lock-online">
          ${lock.online ? this._t("lock.online") : `${this._t("lock.offline")}: ${reason}`}
        </span>
      </div>
      <div class="lock-body">
        <div class="counts">
          ${(["ready", "in_use", "failed", "rotating"] as const).map(
            (key) => html`<div class="count" data-testid="count-${key}">
              <div class="number">${pool[key]}</div>
              <div class="label">${this._t(`lock.${key}`)}</div>
            </div>`,
          )}
        </div>
        ${warnings
          .filter(([, , on]) => on)
          .map(
            ([key, level]) => html`<div class="warning ${level}" data-testid="warning-${key}">
              <ha-icon icon=${level === "error" ? "mdi:alert-circle" : "mdi:alert"}></ha-icon>${this._t(`warning.${key}`)}
            </div>`,
          )}
        ${lock.supports_pool ? nothing : html`<div class="warning error"><ha-icon icon="mdi:alert-circle"></ha-icon>${this._t("lock.no_pool")}</div>`}
        <dl>
          <dt>${this._t("lock.provider")}</dt>
          <dd>${provider}</dd>
          <dt>${this._t("lock.slots")}</dt>
          <dd>
            ${this._t("lock.slot_range", {
              first: s.first,
              last: s.last,
              pool_first: s.pool[0],
              pool_last: s.pool[1],
              grants_first: s.grants[0],
              grants_last: s.grants[1],
            })}
          </dd>
          <dt>${this._t("lock.last_write")}</dt>
          <dd data-testid="last-write">${lock.last_write_at ? formatDateTime(this.hass, lock.last_write_at) : this._t("lock.never")}</dd>
          <dt>${this._t("lock.unverified")}</dt>
          <dd>${lock.unverified_slots.length ? lock.unverified_slots.join(", ") : this._t("lock.none")}</dd>
          ${lock.calendar_entity_id
            ? html`<dt><ha-icon icon="mdi:calendar-account"></ha-icon></dt>
                <dd>${this._t("lock.reservations", { calendar: this._entityName(lock.calendar_entity_id) })}</dd>`
            : nothing}
        </dl>
      </div>
      <div class="card-actions">
        <ha-button appearance="plain" data-testid="rotate-codes" @click=${() => this._confirmRotate(lock)}>
          ${this._t("lock.rotate")}
        </ha-button>
      </div>
    </ha-card>`;
  }

  private _entityName(entityId: string): string {
    const state = (this.hass as unknown as { states?: Record<string, { attributes: { friendly_name?: string } }> })
      .states?.[entityId];
    return state?.attributes.friendly_name ?? entityId;
  }

  private _renderTimeline(grants: Grant[]): TemplateResult {
    const start = startOfToday(this.hass, this._now);
    const end = start + DAYS * DAY_MS;
    const nowAt = ((this._now - start) / (end - start)) * 100;
    return html`<ha-card class="timeline" data-testid="timeline">
      <div class="days">
        <span class="spacer"></span>
        <div class="day-labels">
          ${Array.from(
            { length: DAYS },
            (_, i) => {
              // The weekday over the day; which words fit is the stylesheet's (container) query.
              const [weekday, letter, day] = formatDay(this.hass, start + i * DAY_MS + DAY_MS / 2);
              return html`<span class=${i === 0 ? "today" : ""} title=${i === 0 ? this._t("timeline.today") : nothing}>
                <span class="weekday">${weekday}</span><span class="letter">${letter}</span>${i === 0
                  ? html`<span class="today-word">${this._t("timeline.today")}</span>`
                  : nothing}<span>${day}</span>
              </span>`;
            },
          )}
        </div>
      </div>
      ${grants.length
        ? grants.map((grant) => this._renderGrant(grant, start, end, nowAt))
        : html`<div class="empty">${this._t("timeline.empty")}</div>`}
    </ha-card>`;
  }

  private _worstStatus(grant: Grant): string {
    for (const status of STATUS_ORDER) {
      if (grant.locks.some((l) => l.status === status)) return status;
    }
    return "scheduled";
  }

  private _renderGrant(grant: Grant, start: number, end: number, nowAt: number): TemplateResult {
    const from = new Date(grant.starts_at).getTime();
    const to = new Date(grant.ends_at).getTime();
    const span = end - start;
    const left = Math.max(0, ((from - start) / span) * 100);
    const right = Math.min(100, ((to - start) / span) * 100);
    const expanded = this._expanded.has(grant.access_grant_id);
    const bar =
      from >= end
        ? html`<span class="later">${this._t("timeline.later")} →</span>`
        : html`<div
            class="bar ${this._worstStatus(grant)} ${from < start ? "clip-start" : ""} ${to > end ? "clip-end" : ""}"
            style="inset-inline-start:${left}%;width:${Math.max(right - left, 0.5)}%"
          ></div>`;
    return html`<div class="grant" data-testid="grant-row" data-grant-id=${grant.access_grant_id}>
      <button
        class="grant-head"
        data-testid="grant-toggle"
        aria-expanded=${expanded ? "true" : "false"}
        @click=${() => this._toggle(grant.access_grant_id)}
      >
        <div class="who">
          <div class="name">
            <span data-testid="grant-name">${grant.name}</span>
            ${grant.from_calendar
              ? html`<ha-icon icon="mdi:calendar-account" title=${this._t("grant.from_calendar")} data-testid="from-calendar"></ha-icon>`
              : nothing}
          </div>
          <div class="when">
            ${this._t("grant.times", { starts: formatDateTime(this.hass, grant.starts_at), ends: formatDateTime(this.hass, grant.ends_at) })}
          </div>
          <div class="chips">
            ${grant.locks.map(
              (l) => html`<span class="chip s-${l.status}" data-testid="grant-status" data-entity-id=${l.lock_entity_id}
                >${this._lockName(l.lock_entity_id)}: ${this._t(`status.${l.status}`)}</span
              >`,
            )}
          </div>
        </div>
        <div class="bar-area">${bar}<div class="now-line" style="inset-inline-start:${nowAt}%"></div></div>
      </button>
      ${expanded ? this._renderDetails(grant) : nothing}
    </div>`;
  }

  private _renderDetails(grant: Grant): TemplateResult {
    const time = (iso: string | null, none: string) => (iso ? formatDateTime(this.hass, iso) : none);
    return html`<div class="details" data-testid="grant-details">
      ${grant.from_calendar ? html`<div class="note">${this._t("grant.from_calendar")}</div>` : nothing}
      <table>
        <thead>
          <tr>
            <th>${this._t("grant.lock")}</th>
            <th>${this._t("grant.status")}</th>
            <th>${this._t("grant.code_kind")}</th>
            <th>${this._t("grant.slot")}</th>
            <th>${this._t("grant.told_at")}</th>
            <th>${this._t("grant.first_used_at")}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${grant.locks.map(
            (l: GrantOnLock) => html`<tr data-testid="grant-lock" data-entity-id=${l.lock_entity_id}>
              <td>${this._lockName(l.lock_entity_id)}</td>
              <td data-label=${this._t("grant.status")}>${this._t(`status.${l.status}`)}</td>
              <td data-label=${this._t("grant.code_kind")} data-testid="code-kind">
                ${!l.has_code ? this._t("grant.not_told") : l.is_backup_code ? this._t("grant.backup") : this._t("grant.scheduled_code")}
              </td>
              <td data-label=${this._t("grant.slot")}>${l.slot ?? "–"}</td>
              <td data-label=${this._t("grant.told_at")}>${time(l.told_at, "–")}</td>
              <td data-label=${this._t("grant.first_used_at")}>${time(l.first_used_at, this._t("grant.not_used"))}</td>
              <td>
                ${l.has_code
                  ? html`<ha-button size="s" appearance="filled" data-testid="show-code" @click=${() => this._reveal(grant, l)}>
                      <ha-icon slot="start" icon="mdi:eye"></ha-icon>${this._t("grant.show_code")}
                    </ha-button>`
                  : nothing}
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
      <div class="grant-actions">
        <ha-button appearance="plain" data-testid="edit-grant" @click=${() => this._openEdit(grant)}>${this._t("grant.edit")}</ha-button>
        <ha-button appearance="plain" data-testid="issue-backup" @click=${() => this._confirmIssue(grant)}>${this._t("grant.issue_backup")}</ha-button>
        <ha-button appearance="plain" variant="danger" data-testid="delete-grant" @click=${() => this._confirmDelete(grant)}>${this._t("grant.delete")}</ha-button>
      </div>
    </div>`;
  }

  private _renderPast(past: PastStay[]): TemplateResult {
    return html`<ha-expansion-panel outlined data-testid="past-stays" .header=${this._t("timeline.past", { count: past.length })}>
      ${past.length
        ? past.map(
            (stay) => html`<div class="past-row" data-testid="past-row" data-grant-id=${stay.access_grant_id}>
              <div class="name">
                ${stay.name} ${stay.from_calendar ? html`<ha-icon icon="mdi:calendar-account" title=${this._t("grant.from_calendar")}></ha-icon>` : nothing}
              </div>
              <div class="when">
                ${this._t("grant.times", { starts: formatDateTime(this.hass, stay.starts_at), ends: formatDateTime(this.hass, stay.ends_at) })}
              </div>
              <div class="when">
                ${stay.locks
                  .map(
                    (l) =>
                      `${this._lockName(l.lock_entity_id)}: ${l.told_at ? (l.is_backup_code ? this._t("grant.backup") : this._t("grant.scheduled_code")) : this._t("grant.not_told")} · ${this._t("grant.first_used_at")}: ${l.first_used_at ? formatDateTime(this.hass, l.first_used_at) : this._t("grant.not_used")}`,
                  )
                  .join(" · ")}
              </div>
            </div>`,
          )
        : html`<div class="empty">${this._t("timeline.past_empty")}</div>`}
    </ha-expansion-panel>`;
  }

  private _toggle(grantId: string): void {
    const next = new Set(this._expanded);
    if (!next.delete(grantId)) next.add(grantId);
    this._expanded = next;
  }

  // ----- dialogs

  private _renderDialog(): TemplateResult | typeof nothing {
    const dialog = this._dialog;
    if (!dialog) return nothing;
    let title: string;
    let body: TemplateResult;
    let footer: TemplateResult;
    if (dialog.kind === "form") {
      const form = dialog.form;
      title = form.mode === "create" ? this._t("form.create_title") : this._t("form.edit_title", { name: form.name });
      body = this._renderForm(form);
      footer = html`<ha-button slot="secondaryAction" appearance="plain" @click=${this._closeDialog}>${this._t("form.cancel")}</ha-button>
        <ha-button slot="primaryAction" data-testid="form-submit" .loading=${this._busy} @click=${this._submitForm}>
          ${form.mode === "create" ? this._t("form.create") : this._t("form.save")}
        </ha-button>`;
    } else if (dialog.kind === "confirm") {
      title = dialog.title;
      body = html`<p>${dialog.text}</p>`;
      footer = html`<ha-button slot="secondaryAction" appearance="plain" @click=${this._closeDialog}>${this._t("confirm.cancel")}</ha-button>
        <ha-button
          slot="primaryAction"
          data-testid="confirm-button"
          variant=${dialog.action === "issue" ? "brand" : "danger"}
          .loading=${this._busy}
          @click=${this._runConfirmed}
          >${this._t("confirm.confirm")}</ha-button
        >`;
    } else {
      title = this._t("reveal.title", { name: dialog.grant.name, lock: dialog.lock.name });
      body = this._renderReveal(dialog);
      footer = html`<ha-button slot="primaryAction" appearance="plain" data-testid="reveal-close" @click=${this._closeDialog}>${this._t("reveal.close")}</ha-button>`;
    }
    return html`<ha-dialog
      open
      data-testid="dialog"
      .headerTitle=${title}
      width="medium"
      @closed=${(ev: Event) => ev.target === ev.currentTarget && this._closeDialog()}
    >
      ${this._dialogError()} ${body}
      <ha-dialog-footer slot="footer">${footer}</ha-dialog-footer>
    </ha-dialog>`;
  }

  private _dialogError(): TemplateResult | typeof nothing {
    return this._dialogErrorText
      ? html`<ha-alert alert-type="error" data-testid="dialog-error">${this._dialogErrorText}</ha-alert>`
      : nothing;
  }

  private _dialogErrorText?: string;

  private _setDialogError(text: string | undefined): void {
    this._dialogErrorText = text;
    this.requestUpdate();
  }

  private _renderForm(form: FormState): TemplateResult {
    const update = (patch: Partial<FormState>) => {
      if (this._dialog?.kind === "form") this._dialog = { kind: "form", form: { ...this._dialog.form, ...patch } };
    };
    const value = (ev: Event) => (ev.target as HTMLInputElement).value;
    return html`<div class="form">
      ${form.fromCalendar ? html`<ha-alert alert-type="warning">${this._t("form.calendar_note")}</ha-alert>` : nothing}
      <ha-input
        data-testid="form-name"
        .label=${this._t("form.name")}
        .value=${form.name}
        required
        @input=${(ev: Event) => update({ name: value(ev) })}
      ></ha-input>
      ${form.mode === "create"
        ? html`<div class="locks-choice">
            <div class="field-label">${this._t("form.locks")}</div>
            ${[...(this._locks?.values() ?? [])].map(
              (lock) => html`<label class="lock-choice">
                <span>${lock.name}</span>
                <ha-switch
                  data-testid="form-lock"
                  data-entity-id=${lock.lock_entity_id}
                  .checked=${form.locks.includes(lock.lock_entity_id)}
                  @change=${(ev: Event) => {
                    const on = (ev.target as HTMLInputElement).checked;
                    const others = form.locks.filter((id) => id !== lock.lock_entity_id);
                    update({ locks: on ? [...others, lock.lock_entity_id] : others });
                  }}
                ></ha-switch>
              </label>`,
            )}
          </div>`
        : nothing}
      <ha-input
        data-testid="form-starts"
        type="datetime-local"
        .label=${this._t("form.starts_at")}
        .value=${form.startsAt}
        required
        @input=${(ev: Event) => update({ startsAt: value(ev) })}
        @change=${(ev: Event) => update({ startsAt: value(ev) })}
      ></ha-input>
      <ha-input
        data-testid="form-ends"
        type="datetime-local"
        .label=${this._t("form.ends_at")}
        .value=${form.endsAt}
        required
        @input=${(ev: Event) => update({ endsAt: value(ev) })}
        @change=${(ev: Event) => update({ endsAt: value(ev) })}
      ></ha-input>
      ${form.mode === "create"
        ? html`<ha-input
            data-testid="form-code"
            type="password"
            inputmode="numeric"
            autocomplete="off"
            .label=${this._t("form.code")}
            .hint=${this._t("form.code_helper")}
            .value=${form.code}
            @input=${(ev: Event) => update({ code: value(ev) })}
          ></ha-input>`
        : html`<div class="note">${this._t("form.code_helper")}</div>`}
    </div>`;
  }

  private _renderReveal(dialog: Extract<Dialog, { kind: "reveal" }>): TemplateResult {
    const { code, grant, lock } = dialog;
    const message = this._guestMessage(dialog);
    return html`
      <div class="hint">
        ${code.is_backup_code ? this._t("reveal.backup", { slot: code.slot ?? "–" }) : this._t("reveal.scheduled")}
      </div>
      <div class="code" data-testid="revealed-code">${code.code}</div>
      <div class="row">
        <ha-button appearance="filled" data-testid="copy-code" @click=${() => this._copy(code.code, "code")}>
          <ha-icon slot="start" icon="mdi:content-copy"></ha-icon>${this._copied === "code" ? this._t("reveal.copied") : this._t("reveal.copy")}
        </ha-button>
      </div>
      <div class="field-label">${this._t("reveal.message_label")}</div>
      <div class="message" data-testid="guest-message" data-grant-id=${grant.access_grant_id} data-entity-id=${lock.lock_entity_id}>${message}</div>
      <div class="row">
        <ha-button appearance="outlined" data-testid="copy-message" @click=${() => this._copy(message, "message")}>
          <ha-icon slot="start" icon="mdi:message-text"></ha-icon>${this._copied === "message" ? this._t("reveal.copied") : this._t("reveal.copy_message")}
        </ha-button>
      </div>
      <div class="hint" data-testid="reveal-countdown">${this._t("reveal.hides_in", { seconds: dialog.left })}</div>
    `;
  }

  private _guestMessage(dialog: Extract<Dialog, { kind: "reveal" }>): string {
    return this._t("reveal.message", {
      lock: dialog.lock.name,
      code: dialog.code.code,
      starts: formatDateTime(this.hass, dialog.grant.starts_at),
      ends: formatDateTime(this.hass, dialog.grant.ends_at),
    });
  }

  private async _copy(text: string, what: string): Promise<void> {
    try {
      await copyText(text);
      this._copied = what;
    } catch (err) {
      this._setDialogError(String(err));
    }
  }

  private _open(dialog: Dialog): void {
    this._hideCode();
    this._dialogErrorText = undefined;
    this._busy = false;
    this._copied = undefined;
    this._dialog = dialog;
  }

  private _closeDialog = (): void => {
    this._hideCode();
    this._dialog = undefined;
    this._dialogErrorText = undefined;
  };

  private _hideCode(): void {
    window.clearInterval(this._revealTimer);
    this._revealTimer = undefined;
    if (this._dialog?.kind === "reveal") this._dialog = undefined; // the code leaves memory
  }

  private _defaultTimes(): [string, string] {
    const today = startOfToday(this.hass, Date.now());
    let checkIn = today + 15 * 3_600_000;
    if (checkIn <= Date.now()) checkIn += DAY_MS;
    const checkOut = checkIn + 2 * DAY_MS - 4 * 3_600_000; // two nights, out at 11:00
    return [toLocalInput(this.hass, new Date(checkIn).toISOString()), toLocalInput(this.hass, new Date(checkOut).toISOString())];
  }

  private _openCreate = (): void => {
    const [startsAt, endsAt] = this._defaultTimes();
    const locks = [...(this._locks?.values() ?? [])];
    this._open({
      kind: "form",
      form: {
        mode: "create",
        name: "",
        locks: locks.length === 1 ? [locks[0].lock_entity_id] : [],
        startsAt,
        endsAt,
        code: "",
      },
    });
  };

  private _openEdit(grant: Grant): void {
    this._open({
      kind: "form",
      form: {
        mode: "edit",
        grantId: grant.access_grant_id,
        fromCalendar: grant.from_calendar,
        name: grant.name,
        locks: grant.locks.map((l) => l.lock_entity_id),
        startsAt: toLocalInput(this.hass, grant.starts_at),
        endsAt: toLocalInput(this.hass, grant.ends_at),
        code: "",
      },
    });
  }

  private _submitForm = async (): Promise<void> => {
    if (this._dialog?.kind !== "form" || this._busy) return;
    const form = this._dialog.form;
    if (!form.name.trim() || !form.startsAt || !form.endsAt || !form.locks.length) {
      this._setDialogError(this._t("form.required"));
      return;
    }
    const times = { starts_at: fromLocalInput(form.startsAt), ends_at: fromLocalInput(form.endsAt) };
    const message =
      form.mode === "create"
        ? {
            type: `${DOMAIN}/create_grant`,
            lock_entity_id: form.locks,
            name: form.name.trim(),
            ...times,
            ...(form.code ? { code: form.code } : {}),
          }
        : { type: `${DOMAIN}/update_grant`, access_grant_id: form.grantId, name: form.name.trim(), ...times };
    await this._run(() => this.hass.callWS(message));
  };

  private async _run(action: () => Promise<unknown>): Promise<void> {
    this._busy = true;
    this._setDialogError(undefined);
    try {
      await action();
      this._closeDialog();
    } catch (err) {
      this._setDialogError(this._errorText(err)); // the dialog stays: nothing is lost
    } finally {
      this._busy = false;
    }
  }

  private _runConfirmed = async (): Promise<void> => {
    if (this._dialog?.kind === "confirm" && !this._busy) await this._run(this._dialog.run);
  };

  private _confirmDelete(grant: Grant): void {
    this._open({
      kind: "confirm",
      action: "delete",
      title: this._t("confirm.delete_title", { name: grant.name }),
      text: this._t("confirm.delete_text"),
      run: () => this.hass.callWS({ type: `${DOMAIN}/delete_grant`, access_grant_id: grant.access_grant_id }),
    });
  }

  private _confirmIssue(grant: Grant): void {
    this._open({
      kind: "confirm",
      action: "issue",
      title: this._t("confirm.issue_title", { name: grant.name }),
      text: this._t("confirm.issue_text"),
      run: () => this.hass.callWS({ type: `${DOMAIN}/issue_backup_code`, access_grant_id: grant.access_grant_id }),
    });
  }

  private _confirmRotate(lock: LockPayload): void {
    this._open({
      kind: "confirm",
      action: "rotate",
      title: this._t("confirm.rotate_title", { lock: lock.name }),
      text: this._t("confirm.rotate_text"),
      run: () => this.hass.callWS({ type: `${DOMAIN}/rotate_backup_codes`, lock_entity_id: lock.lock_entity_id }),
    });
  }

  private async _reveal(grant: Grant, part: GrantOnLock): Promise<void> {
    const lock = this._locks?.get(part.entry_id);
    if (!lock) return;
    try {
      const code = await this.hass.callWS<RevealedCode>({
        type: `${DOMAIN}/reveal_code`,
        access_grant_id: grant.access_grant_id,
        lock_entity_id: part.lock_entity_id,
      });
      this._open({ kind: "reveal", grant, lock, code, left: REVEAL_SECONDS });
      // Hidden again after a short time: the code is dropped, not only hidden.
      this._revealTimer = window.setInterval(() => {
        if (this._dialog?.kind !== "reveal") return;
        const left = this._dialog.left - 1;
        if (left <= 0) this._closeDialog();
        else this._dialog = { ...this._dialog, left };
      }, 1000);
    } catch (err) {
      this._error = this._errorText(err);
    }
  }
}

if (!customElements.get("backup-access-codes-panel")) {
  customElements.define("backup-access-codes-panel", BackupAccessCodesPanel);
}

declare global {
  interface HTMLElementTagNameMap {
    "backup-access-codes-panel": BackupAccessCodesPanel;
  }
}
