// What the panel uses of Home Assistant's frontend objects, and the integration's payloads
// (custom_components/backup_access_codes/panel_data.py). No payload carries a door code except
// the answer of `backup_access_codes/reveal_code`.

export type LocalizeFunc = (key: string, values?: Record<string, string | number>) => string;

export interface Connection {
  subscribeMessage<T>(
    callback: (message: T) => void,
    message: Record<string, unknown>,
  ): Promise<() => Promise<void>>;
  addEventListener(event: string, callback: () => void): void;
  removeEventListener(event: string, callback: () => void): void;
}

export interface HomeAssistant {
  connection: Connection;
  callWS<T>(message: Record<string, unknown>): Promise<T>;
  localize: LocalizeFunc;
  loadBackendTranslation(
    category: string,
    integrations?: string | string[],
    configFlow?: boolean,
  ): Promise<LocalizeFunc>;
  language: string;
  locale: { language: string };
  config: { time_zone: string };
  themes?: { darkMode?: boolean };
}

export interface PoolView {
  size: number;
  ready: number;
  in_use: number;
  failed: number;
  rotating: number;
  empty: boolean;
  partial: boolean;
  many_active: boolean;
}

export type GrantStatus = "scheduled" | "issued" | "programmed" | "backup_issued" | "issue_failed";

export interface GrantOnLock {
  entry_id: string;
  lock_entity_id: string;
  is_backup_code: boolean;
  slot: number | null;
  status: GrantStatus;
  first_used_at: string | null;
  told_at: string | null;
  has_code: boolean;
}

export interface PastOnLock {
  entry_id: string;
  lock_entity_id: string;
  is_backup_code: boolean;
  slot: number | null;
  told_at: string | null;
  first_used_at: string | null;
}

interface GrantHead {
  access_grant_id: string;
  name: string;
  starts_at: string;
  ends_at: string;
  from_calendar: boolean;
}

export interface LockGrant extends GrantHead {
  lock: GrantOnLock;
}

export interface LockPast extends GrantHead {
  lock: PastOnLock;
}

export interface LockPayload {
  entry_id: string;
  lock_entity_id: string;
  name: string;
  device_id: string | null;
  provider: string;
  online: boolean;
  offline_reason: string | null;
  pool: PoolView;
  supports_pool: boolean;
  code_length: number;
  slots: { first: number; last: number; pool: [number, number]; grants: [number, number] };
  unverified_slots: number[];
  last_write_at: string | null;
  calendar_entity_id: string | null;
  grants: LockGrant[];
  past: LockPast[];
}

export interface SubscriptionEvent {
  full: boolean;
  locks: LockPayload[];
  removed?: string[];
}

export interface Grant extends GrantHead {
  locks: GrantOnLock[];
}

export interface PastStay extends GrantHead {
  locks: PastOnLock[];
}

export interface RevealedCode {
  access_grant_id: string;
  lock_entity_id: string;
  code: string;
  is_backup_code: boolean;
  slot: number | null;
  told_at: string;
}

export interface WsError {
  code?: string;
  message?: string;
  translation_key?: string;
}
