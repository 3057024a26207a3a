"""Constants of Backup Access Codes."""

from typing import Final

DOMAIN: Final = "backup_access_codes"

CONF_LOCK_ENTITY_ID: Final = "lock_entity_id"
CONF_PROVIDER: Final = "provider"
CONF_SET_CODE_SCRIPT: Final = "set_code_script"
CONF_CLEAR_CODE_SCRIPT: Final = "clear_code_script"
# Optional: a script that puts a code on with its own time window (starts_at, ends_at).
CONF_WINDOW_SCRIPT: Final = "set_code_with_window_script"

PROVIDER_SCRIPT: Final = "script"

CONF_POOL_SIZE: Final = "pool_size"
CONF_CODE_LENGTH: Final = "code_length"
CONF_FIRST_SLOT: Final = "first_slot"
CONF_SLOT_COUNT: Final = "slot_count"
CONF_BACKUP_LEAD_HOURS: Final = "backup_lead_hours"
CONF_PROGRAM_LEAD_MINUTES: Final = "program_lead_minutes"
CONF_SHOW_CODES: Final = "show_codes"
CONF_REUSE_ROTATING_CODES: Final = "reuse_rotating_codes"
CONF_CALENDAR: Final = "calendar_entity_id"
CONF_CALENDAR_DAYS: Final = "calendar_days"
CONF_CHECK_IN_TIME: Final = "check_in_time"
CONF_CHECK_OUT_TIME: Final = "check_out_time"

DEFAULT_OPTIONS: Final = {
    CONF_POOL_SIZE: 5,
    CONF_CODE_LENGTH: 6,
    CONF_FIRST_SLOT: 20,
    CONF_SLOT_COUNT: 10,
    CONF_BACKUP_LEAD_HOURS: 36,
    CONF_PROGRAM_LEAD_MINUTES: 60,
    CONF_SHOW_CODES: False,
    # With no fresh backup code left, give a previous guest's code still on the lock
    # rather than no code at all (announced: previously_used, logbook, repair).
    CONF_REUSE_ROTATING_CODES: True,
    CONF_CALENDAR_DAYS: 14,
    CONF_CHECK_IN_TIME: "15:00:00",
    CONF_CHECK_OUT_TIME: "11:00:00",
}
# Options that are whole numbers (number selectors answer floats).
INTEGER_OPTIONS: Final = (
    CONF_POOL_SIZE,
    CONF_CODE_LENGTH,
    CONF_FIRST_SLOT,
    CONF_SLOT_COUNT,
    CONF_BACKUP_LEAD_HOURS,
    CONF_PROGRAM_LEAD_MINUTES,
    CONF_CALENDAR_DAYS,
)
LAYOUT_OPTIONS: Final = (CONF_POOL_SIZE, CONF_FIRST_SLOT, CONF_SLOT_COUNT)

# Dispatcher signal sent with a lock's config entry id whenever that lock was evaluated
# (grants created, moved or deleted, codes issued, writes done, online changes): what the
# panel and other live views subscribe to.
SIGNAL_CHANGED: Final = f"{DOMAIN}_changed"

EVENT_ISSUED: Final = "backup_access_codes_issued"
EVENT_REISSUED: Final = "backup_access_codes_reissued"
EVENT_ISSUE_FAILED: Final = "backup_access_codes_issue_failed"
# The code-free companion of the three events above, for the logbook (safe to record).
EVENT_NOTICE: Final = "backup_access_codes_notice"

ATTR_ACCESS_GRANT_ID: Final = "access_grant_id"
ATTR_NAME: Final = "name"
ATTR_STARTS_AT: Final = "starts_at"
ATTR_ENDS_AT: Final = "ends_at"
ATTR_CODE: Final = "code"
ATTR_IDEMPOTENCY_KEY: Final = "idempotency_key"

# A provider call that has not answered by then counts as failed.
PROVIDER_TIMEOUT_SECONDS: Final = 60
# Saves are debounced; an issued code is on disk this long after it was issued.
SAVE_DELAY_SECONDS: Final = 1
