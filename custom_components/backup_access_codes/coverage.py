"""Does a guest hold a code that works? Episodes of guests left without one (pure Python).

A guest at or past the issue point holds a working code, or is in an ``issue_failed``
episode: announced once when it opens, closed when the guest is served, and announced again
if the guest is left without a code later.
"""

from datetime import datetime

from .grants import Grant, GrantLock, NoCodeCause, Timing
from .outcomes import REASON_NO_BACKUP, IssueFailed


def holds_working_code(grant_lock: GrantLock) -> bool:
    """Return True if the guest holds a code that works, or will when due.

    A backup code is on the lock; a scheduled code works unless programming it failed
    (offline in its window, no free guest slot, refused, or a failed attempt).
    """
    if grant_lock.backup_slot is not None:
        return True
    told = grant_lock.told
    return told is not None and not told.is_backup and not grant_lock.program_failed


def no_code_cause(
    grant: Grant, grant_lock: GrantLock, timing: Timing, now: datetime, online: bool
) -> NoCodeCause:
    """Return what keeps a guest without a working code (beyond no backup left)."""
    if grant_lock.rejected:
        return NoCodeCause.CODE_REFUSED
    if grant.in_window(timing, now) and grant_lock.slot is None:
        return NoCodeCause.SLOTS_FULL
    if not online:
        return NoCodeCause.LOCK_OFFLINE
    return NoCodeCause.NO_BACKUP


def track_episode(
    grant: Grant, grant_lock: GrantLock, timing: Timing, now: datetime, online: bool
) -> IssueFailed | None:
    """Open an issue_failed episode (returned once, to announce) or close it when served."""
    if holds_working_code(grant_lock):
        grant_lock.no_code = None
        return None
    cause = no_code_cause(grant, grant_lock, timing, now, online)
    starts = grant_lock.no_code is None
    grant_lock.no_code = cause  # the cause may change during an episode
    return IssueFailed(grant.grant_id, REASON_NO_BACKUP, cause) if starts else None
