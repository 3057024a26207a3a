// The panel's state: locks by config entry id, kept current by the live subscription, and the
// grants merged across locks. Pure functions, no DOM.
import type { Grant, LockPayload, PastStay, SubscriptionEvent } from "./types";

export const DOMAIN = "backup_access_codes";

export type Locks = Map<string, LockPayload>;

/** Apply one event of `backup_access_codes/subscribe` to the known locks. */
export function applyEvent(locks: Locks, event: SubscriptionEvent): Locks {
  const next: Locks = event.full ? new Map() : new Map(locks);
  for (const lock of event.locks) {
    next.set(lock.entry_id, lock);
  }
  for (const entryId of event.removed ?? []) {
    next.delete(entryId);
  }
  return next;
}

function byStart<T extends { starts_at: string; access_grant_id: string }>(a: T, b: T): number {
  return a.starts_at < b.starts_at ? -1 : a.starts_at > b.starts_at ? 1 : a.access_grant_id < b.access_grant_id ? -1 : 1;
}

/** Every current and upcoming grant, each with its locks, earliest check-in first. */
export function mergeGrants(locks: Locks): Grant[] {
  const merged = new Map<string, Grant>();
  for (const lock of locks.values()) {
    for (const { lock: part, ...head } of lock.grants) {
      const grant = merged.get(head.access_grant_id) ?? { ...head, locks: [] };
      grant.locks.push(part);
      merged.set(head.access_grant_id, grant);
    }
  }
  return [...merged.values()].sort(byStart);
}

/** Stays that ended, latest check-out first. */
export function mergePast(locks: Locks): PastStay[] {
  const merged = new Map<string, PastStay>();
  for (const lock of locks.values()) {
    for (const { lock: part, ...head } of lock.past) {
      const stay = merged.get(head.access_grant_id) ?? { ...head, locks: [] };
      stay.locks.push(part);
      merged.set(head.access_grant_id, stay);
    }
  }
  return [...merged.values()].sort((a, b) => (a.ends_at < b.ends_at ? 1 : a.ends_at > b.ends_at ? -1 : 0));
}

/** A guest is covered on a lock unless no code could be given there. */
export function uncovered(grants: Grant[]): Grant[] {
  return grants.filter((g) => g.locks.some((l) => l.status === "issue_failed"));
}

/** Locks that are offline or whose pool raises one of the three warnings. */
export function needAttention(locks: Locks): LockPayload[] {
  return [...locks.values()].filter(
    (l) => !l.online || l.pool.empty || l.pool.partial || l.pool.many_active,
  );
}
