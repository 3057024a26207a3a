"""Slot reconciliation of one lock: what each slot should hold, what is on it, what to write.

What each slot should hold ("desired") is kept apart from what the integration knows is on
the lock (``on_lock``). The glue asks for the next write, performs it through a provider and
reports the outcome here (pure Python).
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


@dataclass(frozen=True, slots=True)
class SlotWrite:
    """Put ``code`` into ``slot``, or clear it when ``code`` is None."""

    slot: int
    code: str | None = field(repr=False)


class NextStep(StrEnum):
    """What happens after a failed write."""

    RETRY = "retry"  # a quick retry of the same write, within its attempt
    BACKOFF = "backoff"  # the attempt failed: the same write after the backoff
    NEW_CODE = "new_code"  # the lock refused a pool code: a different code
    GUEST_BACKUP = "guest_backup"  # the lock refused a scheduled code: not tried again
    LEFT_ALONE = "left_alone"  # the lock refused to clear the slot: no longer ours
    DROPPED = "dropped"  # refused a code nobody holds any more: the slot is cleared


@dataclass(frozen=True, slots=True)
class WriteFailure:
    """The outcome of a failed write: what comes next, and when the slot is tried."""

    next_step: NextStep
    retry_at: datetime | None

    @property
    def attempt_over(self) -> bool:
        """Return True when the write's attempt is over (marked failed)."""
        return self.next_step is not NextStep.RETRY


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

    def is_programmed(self, grant: Grant, grant_lock: GrantLock) -> bool:
        """Return True if the grant's scheduled code is known to be on the lock."""
        return (
            grant_lock.slot is not None
            and self.state.on_lock.get(grant_lock.slot) == grant.code
        )

    def free_grant_slot(self, taken: set[int]) -> int | None:
        """Return a grant slot nobody holds and that holds nothing, if any."""
        for slot in self.layout.grant_slots:
            if slot not in taken and slot not in self.state.on_lock:
                return slot
        return None

    def desired(self, now: datetime) -> dict[int, str | None]:
        """Return what each slot the integration cares about should hold."""
        want: dict[int, str | None] = dict.fromkeys(self.state.on_lock)
        for pool_code in self.state.pool:
            want[pool_code.slot] = pool_code.target
        for grant, grant_lock in self.grants:
            if grant_lock.slot is not None and grant.in_window(self.timing, now):
                want[grant_lock.slot] = grant.code
        return want

    def pending_writes(self, now: datetime) -> list[SlotWrite]:
        """Return the writes still needed, clears first, then grant codes, then the pool."""
        pool_slots = self.layout.pool_slots
        writes = [
            SlotWrite(slot, code)
            for slot, code in self.desired(now).items()
            if (code is not None and self.state.on_lock.get(slot) != code)
            or (code is None and slot in self.state.on_lock)
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
                self._attempt_failed(slot)

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
        if write.code is None:
            self.state.on_lock.pop(write.slot, None)
            self.state.unverified.discard(write.slot)
            return
        self.state.on_lock[write.slot] = write.code
        self.pool.written(write.slot, write.code)

    def write_failed(
        self, write: SlotWrite, now: datetime, *, permanent: bool = False
    ) -> WriteFailure:
        """Record a failed write; say what comes next.

        A permanent failure (the lock refused this code: a duplicate, a bad length, no
        space) is never retried as it was: a pool slot gets a different code, a grant's
        scheduled code stops being programmed on this lock (its guest gets a backup).
        """
        # The slot may hold anything now: never offer its old code, clear it if unwanted.
        self.state.on_lock[write.slot] = None
        self.state.unverified.discard(write.slot)
        retry = self.state.retries.setdefault(write.slot, SlotRetry())
        if permanent:
            return self._reject(write, retry, now)
        if not retry.record_failure(now):
            return WriteFailure(NextStep.RETRY, retry.not_before)
        self._attempt_failed(write.slot)
        return WriteFailure(NextStep.BACKOFF, retry.not_before)

    def _attempt_failed(self, slot: int) -> None:
        self.pool.attempt_failed(slot)
        for _, grant_lock in self.grants:
            if grant_lock.slot == slot:
                grant_lock.program_failed = True

    def _reject(
        self, write: SlotWrite, retry: SlotRetry, now: datetime
    ) -> WriteFailure:
        self._attempt_failed(write.slot)
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
