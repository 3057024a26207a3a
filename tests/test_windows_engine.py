"""Lock-kept windows in the domain: when a guest's code goes on early, and what follows.

Plain Python (the engine and its slot reconciler), as in ``test_domain_properties``:
the same stays on a lock that keeps codes on time itself and on one that does not.
"""

from datetime import datetime, timedelta

import pytest

from custom_components.backup_access_codes.engine import LockEngine
from custom_components.backup_access_codes.grants import (
    Grant,
    GrantBook,
    GrantLock,
    GrantStatus,
    Timing,
)
from custom_components.backup_access_codes.lock_state import Layout, LockState
from custom_components.backup_access_codes.outcomes import CodeIssued, Outcome
from custom_components.backup_access_codes.retry import ATTEMPT_LIMIT
from custom_components.backup_access_codes.slots import NextStep, SlotWrite

LOCK = "lock"
T0 = datetime(2026, 12, 1, 12, 0).astimezone()
TIMING = Timing(backup_lead=timedelta(hours=36), program_lead=timedelta(hours=1))
HOUR = timedelta(hours=1)


class Lock:
    """One lock's engine, with writes that work while the lock is online."""

    def __init__(self, keeps_windows: bool, grant_slots: int = 3) -> None:
        self.grants = GrantBook()
        self.engine = LockEngine(
            LOCK,
            LockState(),
            self.grants,
            Layout(
                pool_size=2, first_slot=10, slot_count=2 + grant_slots, code_length=6
            ),
            TIMING,
        )
        self.engine.keeps_windows = keeps_windows
        self.now = T0
        self.online = True
        self.told: list[CodeIssued] = []
        self.writes: list[SlotWrite] = []
        self.auto_write = True  # False: the test makes (and fails) the writes itself
        self.sync()

    def grant(self, grant_id: str, starts_in: timedelta, nights: int = 2) -> Grant:
        starts_at = self.now + starts_in
        grant = Grant(
            grant_id,
            grant_id,
            starts_at,
            starts_at + timedelta(days=nights),
            f"{482917 + len(self.grants)}",
            {LOCK: GrantLock()},
        )
        self.grants[grant_id] = grant
        self.sync()
        return grant

    def evaluate(self) -> list[Outcome]:
        outcomes = self.engine.evaluate(self.now, self.online)
        self.told.extend(o for o in outcomes if isinstance(o, CodeIssued))
        return outcomes

    def sync(self) -> None:
        """Evaluate, then make every write that is due (while online), as the writer."""
        self.evaluate()
        while (
            self.online
            and self.auto_write
            and (write := self.engine.next_write(self.now)) is not None
        ):
            self.engine.write_started(write, self.now)
            self.engine.write_succeeded(write, self.now)
            self.writes.append(write)
            self.evaluate()

    def at(self, when: datetime, online: bool | None = None) -> None:
        self.now = when
        if online is not None:
            if online and not self.online:
                self.engine.came_online()
            self.online = online
        self.sync()

    def on_lock(self, grant: Grant) -> tuple[str | None, object]:
        slot = grant.locks[LOCK].slot
        assert slot is not None
        state = self.engine.state
        return state.on_lock.get(slot), state.windows.get(slot)

    def backups(self, grant: Grant) -> list[CodeIssued]:
        return [o for o in self.told if o.grant_id == grant.grant_id and o.is_backup]


@pytest.mark.parametrize("keeps_windows", [True, False])
def test_offline_at_the_program_point(keeps_windows: bool) -> None:
    """With windows the code is on days ahead: offline at the program point costs nothing."""
    lock = Lock(keeps_windows)
    grant = lock.grant("stay", timedelta(days=3))
    issue_at, program_at = grant.issue_at(TIMING), grant.program_at(TIMING)
    lock.at(issue_at - HOUR)
    assert grant.locks[LOCK].slot is None  # nothing before the issue point, either way
    lock.at(issue_at)
    assert [o.is_backup for o in lock.told] == [False]  # told the scheduled code
    if keeps_windows:
        assert lock.on_lock(grant) == (grant.code, (program_at, grant.ends_at))
        assert lock.engine.status(grant, grant.locks[LOCK]) is GrantStatus.PROGRAMMED
    else:
        assert grant.locks[LOCK].slot is None
    lock.at(program_at - timedelta(minutes=5), online=False)
    lock.at(program_at)
    lock.at(grant.starts_at)
    assert len(lock.backups(grant)) == (0 if keeps_windows else 1)
    lock.at(grant.starts_at + HOUR, online=True)
    assert lock.on_lock(grant)[0] == grant.code
    # Check-out: the code goes, and its window with it.
    slot = grant.locks[LOCK].slot
    lock.at(grant.ends_at)
    assert slot not in lock.engine.state.on_lock
    assert slot not in lock.engine.state.windows


def test_a_last_minute_grant_goes_on_at_once_with_its_window() -> None:
    """A grant created inside its issue point gets its code (and window) at once."""
    lock = Lock(keeps_windows=True)
    grant = lock.grant("late", timedelta(hours=5))
    assert lock.on_lock(grant) == (grant.code, grant.code_window(TIMING))
    [write] = [w for w in lock.writes if w.code == grant.code]
    assert write.window == (grant.starts_at - HOUR, grant.ends_at)


def pending_with_failures(lock: Lock, grant: Grant) -> SlotWrite:
    """The grant's windowed write, next (the test makes it)."""
    write = lock.engine.next_write(lock.now)
    assert write is not None
    assert write.code == grant.code
    assert write.window == grant.code_window(TIMING)
    return write


def test_a_failed_window_falls_back_to_the_program_point() -> None:
    """Quick retries fail: the code waits for its program point; no backup before."""
    lock = Lock(keeps_windows=True)
    lock.auto_write = False
    grant = lock.grant("stay", timedelta(days=1))
    write: SlotWrite | None = pending_with_failures(lock, grant)
    started, steps = lock.now, []
    while write is not None and write.window is not None:
        lock.engine.write_started(write, lock.now)
        failure = lock.engine.write_failed(write, lock.now)
        steps.append((failure.next_step, lock.now - started))
        lock.now = max(lock.now, failure.retry_at or lock.now)
        lock.evaluate()
        write = lock.engine.next_write(lock.now)
    assert [step for step, _ in steps] == [
        NextStep.RETRY,
        NextStep.RETRY,
        NextStep.WINDOW_DROPPED,
    ]
    assert steps[-1][1] <= ATTEMPT_LIMIT  # within one attempt
    gl = grant.locks[LOCK]
    assert gl.window_failed
    assert not gl.program_failed  # not due yet: the guest keeps the scheduled code
    assert lock.backups(grant) == []
    assert gl.slot is None  # off the lock until the program point
    lock.auto_write = True
    lock.at(grant.program_at(TIMING))
    assert lock.on_lock(grant) == (grant.code, None)  # today's rule: on, no window
    assert lock.backups(grant) == []


def test_a_failed_window_after_the_program_point_is_a_failed_programming() -> None:
    """A windowed write failing once the code is due costs a backup, as any failure."""
    lock = Lock(keeps_windows=True)
    lock.auto_write = False
    grant = lock.grant("late", timedelta(minutes=30))
    write: SlotWrite | None = pending_with_failures(lock, grant)
    while write is not None and write.window is not None:
        lock.engine.write_started(write, lock.now)
        failure = lock.engine.write_failed(write, lock.now)
        lock.now = max(lock.now, failure.retry_at or lock.now)
        lock.evaluate()
        write = lock.engine.next_write(lock.now)
    gl = grant.locks[LOCK]
    assert gl.window_failed and gl.program_failed
    assert len(lock.backups(grant)) == 1
    assert write is not None and write.window is None  # and the plain code goes on


def test_a_refused_window_falls_back_at_once() -> None:
    """A lock that will not be trusted with the window (its clock): program point."""
    lock = Lock(keeps_windows=True)
    lock.auto_write = False
    grant = lock.grant("stay", timedelta(days=1))
    write = pending_with_failures(lock, grant)
    lock.engine.write_started(write, lock.now)
    failure = lock.engine.write_failed(write, lock.now, window_refused=True)
    assert failure.next_step is NextStep.WINDOW_DROPPED
    assert grant.locks[LOCK].window_failed
    assert lock.engine.state.retries.get(write.slot) is None  # nothing was tried
    lock.evaluate()
    assert grant.locks[LOCK].slot is None
    assert not grant.locks[LOCK].program_failed
    assert lock.backups(grant) == []


def test_the_window_follows_the_stay() -> None:
    """Moved, shortened, extended: the window on the lock is rewritten.

    Moved past its issue point, the code is taken off until then.
    """
    lock = Lock(keeps_windows=True)
    grant = lock.grant("stay", timedelta(hours=20))
    assert lock.on_lock(grant)[1] == grant.code_window(TIMING)
    for change in (
        lambda: setattr(grant, "starts_at", grant.starts_at - 2 * HOUR),
        lambda: setattr(grant, "ends_at", grant.ends_at - timedelta(days=1)),
        lambda: setattr(grant, "ends_at", grant.ends_at + timedelta(days=3)),
    ):
        change()
        lock.sync()
        assert lock.on_lock(grant) == (grant.code, grant.code_window(TIMING))
    slot = grant.locks[LOCK].slot
    grant.starts_at += timedelta(days=5)
    grant.ends_at += timedelta(days=5)
    lock.sync()
    assert grant.locks[LOCK].slot is None
    assert slot not in lock.engine.state.on_lock


def test_a_stale_window_is_not_a_working_code() -> None:
    """Moved earlier while the lock is offline: the old window keeps the guest out."""
    lock = Lock(keeps_windows=True)
    grant = lock.grant("stay", timedelta(hours=20))
    lock.at(lock.now, online=False)
    grant.starts_at -= timedelta(hours=18)  # check-in in two hours now
    lock.at(grant.program_at(TIMING))
    assert not lock.engine.is_programmed(grant, grant.locks[LOCK])
    assert len(lock.backups(grant)) == 1  # the guest must not wait for the old window


def test_codes_put_on_early_give_way_to_a_guest_due_now() -> None:
    """One guest slot: an early code steps aside for a stay whose program point came."""
    lock = Lock(keeps_windows=True, grant_slots=1)
    later = lock.grant("later", timedelta(hours=30))
    assert lock.on_lock(later)[0] == later.code
    now = lock.grant("now", timedelta(minutes=30), nights=1)
    assert now.locks[LOCK].slot is not None
    assert later.locks[LOCK].slot is None
    assert lock.on_lock(now)[0] == now.code
    assert lock.backups(now) == []
    assert lock.backups(later) == []  # it goes back on when the slot is free
    lock.at(now.ends_at)
    assert lock.on_lock(later) == (later.code, later.code_window(TIMING))


def test_a_lock_that_stops_keeping_windows() -> None:
    """Its clock went wrong: codes due now go on without a window, early ones come off."""
    lock = Lock(keeps_windows=True)
    due = lock.grant("due", timedelta(minutes=30))
    early = lock.grant("early", timedelta(hours=20))
    lock.engine.keeps_windows = False
    lock.sync()
    assert lock.on_lock(due) == (due.code, None)
    assert early.locks[LOCK].slot is None
    assert lock.backups(due) == [] and lock.backups(early) == []
    # Kept over a restart: the flag and the windows are stored with the lock.
    state = lock.engine.state
    assert LockState.from_dict(state.to_dict()) == state
