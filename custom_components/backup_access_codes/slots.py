"""Slot reconciliation of one lock: what each slot should hold, what is on it, what to write.

What each slot should hold ("desired") is kept apart from what the integration knows is on
the lock (``on_lock``). The glue asks for the next write, performs it through a provider and
reports the outcome here (pure Python).

On a lock that keeps codes on time itself (``LockState.keeps_windows``) a guest's scheduled code is
wanted from the grant's issue point on, with its window (program point to check-out) for
the lock to keep; everywhere else, and for a grant whose windowed write failed, only from
the program point on, with no window. A code without a window is never wanted before its
program point.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from .grants import Grant, GrantLock, LockGrants, Timing
from .lock_state import Layout, LockState
from .pool_keeper import PoolKeeper
from .retry import SlotRetry, backoff

# Refusals of different codes in one slot before it waits for the backoff.
MAX_REJECTIONS = 3


type Window = tuple[datetime, datetime]  # when the lock lets a code in: start, end


@dataclass(frozen=True, slots=True)
class SlotWrite:
    """Put ``code`` into ``slot`` (with a ``window`` the lock keeps), or clear the slot."""

    slot: int
    code: str | None = field(repr=False)
    window: Window | None = None


class NextStep(StrEnum):
    """What happens after a failed write."""

    RETRY = "retry"  # a quick retry of the same write, within its attempt
    BACKOFF = "backoff"  # the attempt failed: the same write after the backoff
    NEW_CODE = "new_code"  # the lock refused a pool code: a different code
    GUEST_BACKUP = "guest_backup"  # the lock refused a scheduled code: not tried again
    LEFT_ALONE = "left_alone"  # the lock refused to clear the slot: no longer ours
    DROPPED = "dropped"  # refused a code nobody holds any more: the slot is cleared
    # A code with a lock-kept window failed, or the lock refused the window: the code
    # goes on at the program point instead, as on a lock without windows.
    WINDOW_DROPPED = "window_dropped"


@dataclass(frozen=True, slots=True)
class WriteFailure:
    """The outcome of a failed write: what comes next, and when the slot is tried."""

    next_step: NextStep
    retry_at: datetime | None


class SlotReconciler:
    """Turns the difference between desired and known slot contents into writes."""

    def __init__(
        self,
        state: LockState,
        grants: LockGrants,
        layout: Layout,
        timing: Timing,
        pool: PoolKeeper,
    ) -> None:
        """Work on the lock's stored state (mutated in place)."""
        self.state = state
        self.grants = grants
        self.layout = layout
        self.timing = timing
        self.pool = pool

    def uses_window(self, grant_lock: GrantLock) -> bool:
        """Return True if a grant's code goes onto this lock with its window."""
        return self.state.keeps_windows and not grant_lock.window_failed

    def holds_slot(self, grant: Grant, grant_lock: GrantLock, now: datetime) -> bool:
        """Return True while a grant's scheduled code belongs on the lock."""
        if self.uses_window(grant_lock):
            return grant.preloads(self.timing, now)
        return grant.in_window(self.timing, now)

    def window_of(self, grant: Grant, grant_lock: GrantLock) -> Window | None:
        """Return the window a grant's code goes onto the lock with, if any."""
        return grant.code_window(self.timing) if self.uses_window(grant_lock) else None

    def is_programmed(self, grant: Grant, grant_lock: GrantLock) -> bool:
        """Return True if the grant's scheduled code is known to be on the lock, working.

        Without a window, or with the grant's own: the right code under an old window
        (a move not written yet) does not let the guest in when due.
        """
        slot = grant_lock.slot
        return (
            slot is not None
            and self.state.on_lock.get(slot) == grant.code
            and self.state.windows.get(slot) in (None, grant.code_window(self.timing))
        )

    def free_grant_slot(self, taken: set[int]) -> int | None:
        """Return a grant slot nobody holds and that holds nothing, if any."""
        for slot in self.layout.grant_slots:
            if slot not in taken and slot not in self.state.on_lock:
                return slot
        return None

    def wanted(self, now: datetime) -> dict[int, SlotWrite]:
        """Return what each slot the integration cares about should hold, and its window."""
        want = {slot: SlotWrite(slot, None) for slot in self.state.on_lock}
        for pool_code in self.state.pool:
            want[pool_code.slot] = SlotWrite(pool_code.slot, pool_code.target)
        for grant, grant_lock in self.grants:
            if (slot := grant_lock.slot) is not None and self.holds_slot(
                grant, grant_lock, now
            ):
                want[slot] = SlotWrite(
                    slot, grant.code, self.window_of(grant, grant_lock)
                )
        return want

    def desired(self, now: datetime) -> dict[int, str | None]:
        """Return what each slot the integration cares about should hold."""
        return {slot: write.code for slot, write in self.wanted(now).items()}

    def pending_writes(self, now: datetime) -> list[SlotWrite]:
        """Return the writes still needed, clears first, then grant codes, then the pool."""
        pool_slots = self.layout.pool_slots
        on_lock, windows = self.state.on_lock, self.state.windows
        writes = [
            write
            for slot, write in self.wanted(now).items()
            if (
                write.code is not None
                and (
                    on_lock.get(slot) != write.code or windows.get(slot) != write.window
                )
            )
            or (write.code is None and slot in on_lock)
        ]
        writes.sort(key=lambda w: (w.code is not None, w.slot in pool_slots, w.slot))
        return writes

    def next_write(self, now: datetime) -> SlotWrite | None:
        """Return the first needed write whose retry time has come."""
        for write in self.pending_writes(now):
            retry = self.state.retries.get(write.slot)
            if retry is None or retry.not_before is None or retry.not_before <= now:
                return write
        return None

    def retry_moments(self, now: datetime) -> list[datetime]:
        """Return when the needed writes that wait for a retry may be tried."""
        moments = []
        for write in self.pending_writes(now):
            retry = self.state.retries.get(write.slot)
            if retry is not None and retry.not_before is not None:
                moments.append(max(retry.not_before, now))
        return moments

    def attempt_deadlines(self) -> list[datetime]:
        """Return when the attempts under way run out of time."""
        return [
            deadline
            for retry in self.state.retries.values()
            if (deadline := retry.deadline) is not None
        ]

    def expire_attempts(self, now: datetime) -> None:
        """End every attempt whose time ran out, as failed (its guests get backups)."""
        for slot, retry in self.state.retries.items():
            if retry.expired(now):
                retry.end_attempt(now)
                self._attempt_failed(slot, now)

    def came_online(self) -> None:
        """Forget retry waits: a lock that is back is tried at once."""
        for retry in self.state.retries.values():
            retry.forget_waits()

    def restart_attempts(self) -> None:
        """Attempts cut off by a stop (unload, restart) start over: none of it failed."""
        for retry in self.state.retries.values():
            retry.attempt_started, retry.tries = None, 0

    def write_started(self, write: SlotWrite, now: datetime) -> datetime:
        """Note a write under way; return when its attempt must be over.

        If it is cut off (unload, crash) the slot is unknown: until the lock answers, the
        slot may hold the old or the new code, so it is neither offered nor forgotten, and
        a slot nobody wants any more gets cleared.
        """
        self.state.on_lock[write.slot] = None
        self.state.windows.pop(write.slot, None)
        return self.state.retries.setdefault(write.slot, SlotRetry()).try_started(now)

    def write_succeeded(
        self, write: SlotWrite, now: datetime, *, verified: bool = True
    ) -> None:
        """Record a write the lock took at ``now`` (``verified`` when it was read back)."""
        self.state.last_write_at = now
        self.state.retries.pop(write.slot, None)
        if verified:
            self.state.unverified.discard(write.slot)
        else:
            self.state.unverified.add(write.slot)
        self.state.windows.pop(write.slot, None)
        if write.code is None:
            self.state.on_lock.pop(write.slot, None)
            self.state.unverified.discard(write.slot)
            return
        self.state.on_lock[write.slot] = write.code
        if write.window is not None:
            self.state.windows[write.slot] = write.window
        self.pool.written(write.slot, write.code)

    def write_failed(
        self,
        write: SlotWrite,
        now: datetime,
        *,
        permanent: bool = False,
        window_refused: bool = False,
    ) -> WriteFailure:
        """Record a failed write; say what comes next.

        A permanent failure (the lock refused this code: a duplicate, a bad length, no
        space) is never retried as it was: a pool slot gets a different code, a grant's
        scheduled code stops being programmed on this lock (its guest gets a backup).
        ``window_refused``: the lock cannot be trusted with the window (nothing of the
        write stayed on it): the grant's code follows the program point from now on.
        """
        # The slot may hold anything now: never offer its old code, clear it if unwanted.
        self.state.on_lock[write.slot] = None
        self.state.windows.pop(write.slot, None)
        self.state.unverified.discard(write.slot)
        if window_refused and write.window is not None:
            self.state.retries.pop(write.slot, None)  # nothing was tried on the lock
            self._drop_window(write.slot)
            return WriteFailure(NextStep.WINDOW_DROPPED, None)
        retry = self.state.retries.setdefault(write.slot, SlotRetry())
        if permanent:
            return self._reject(write, retry, now)
        if not retry.record_failure(now):
            return WriteFailure(NextStep.RETRY, retry.not_before)
        windowed = self._attempt_failed(write.slot, now)
        step = NextStep.WINDOW_DROPPED if windowed else NextStep.BACKOFF
        return WriteFailure(step, retry.not_before)

    def _drop_window(self, slot: int) -> None:
        for _, grant_lock in self.grants:
            if grant_lock.slot == slot:
                grant_lock.window_failed = True

    def _attempt_failed(self, slot: int, now: datetime) -> bool:
        """Mark the slot's attempt failed; return True if it was a code with a window.

        Such a code falls back to the program point; its guest needs a backup only once
        that point has come (the scheduled code should be working by then).
        """
        self.pool.attempt_failed(slot)
        windowed = False
        for grant, grant_lock in self.grants:
            if grant_lock.slot != slot:
                continue
            if self.uses_window(grant_lock):
                grant_lock.window_failed = windowed = True
                if not grant.in_window(self.timing, now):
                    continue
            grant_lock.program_failed = True
        return windowed

    def _reject(
        self, write: SlotWrite, retry: SlotRetry, now: datetime
    ) -> WriteFailure:
        self._attempt_failed(write.slot, now)
        retry.rejections += 1
        retry.attempt_started, retry.tries = None, 0  # what follows is a new attempt
        if write.code is None:
            # The lock will not clear this slot: stop asking, it is no longer ours.
            self.state.on_lock.pop(write.slot, None)
            self.state.retries.pop(write.slot, None)
            return WriteFailure(NextStep.LEFT_ALONE, None)
        # A different code at once; after a few refusals in a row, only on the backoff.
        retry.not_before = (
            now
            if retry.rejections < MAX_REJECTIONS
            else now + backoff(retry.rejections)
        )
        step = NextStep.NEW_CODE if self.pool.codes_in(write.slot) else NextStep.DROPPED
        self.pool.refused(write.slot)
        for grant, grant_lock in self.grants:
            if grant_lock.slot == write.slot and write.code == grant.code:
                grant_lock.rejected = True
                grant_lock.slot = None
                step = NextStep.GUEST_BACKUP
        return WriteFailure(step, retry.not_before)
