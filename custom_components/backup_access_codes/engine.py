"""The rules of one lock: serving its grants and telling their guests (pure Python).

Everything a guest is told comes out of ``evaluate`` as outcomes, derived from the clock, so a
restart or a missed point in time is handled by evaluating again. The pool's upkeep
(``pool_keeper``), the slot writes (``slots``), which grant holds which guest slot
(``slot_plan``) and whether every guest holds a working code (``coverage``) are the engine's
helpers; the engine decides who is told which code.
"""

from collections.abc import Callable, Iterator
from datetime import datetime

from .codes import generate_code
from .coverage import track_episode
from .grants import (
    Grant,
    GrantBook,
    GrantLock,
    GrantStatus,
    LockGrants,
    PastStay,
    Timing,
    Told,
    grant_status,
)
from .lock_state import Layout, LockState
from .outcomes import CodeIssued, Outcome
from .pool import PoolHealth
from .pool_keeper import PoolKeeper
from .slot_plan import SlotPlanner
from .slots import SlotReconciler, SlotWrite, WriteFailure


class LockEngine:
    """Applies the contract's rules to one lock's state."""

    def __init__(
        self,
        lock_id: str,
        state: LockState,
        grants: GrantBook,
        layout: Layout,
        timing: Timing,
        make_code: Callable[[int, set[str]], str] = generate_code,
        *,
        reuse_used_codes: bool = True,
    ) -> None:
        """Wrap a lock's state and the shared grants (both mutated in place).

        ``reuse_used_codes``: with no fresh backup code left, a previous guest's code still
        on the lock may be given to the next guest (announced as ``previously_used``).
        """
        self.lock_id = lock_id
        self.state = state
        self.grants = grants
        self.layout = layout
        self.timing = timing
        self._mine = LockGrants(lock_id, grants)
        self.pool = PoolKeeper(
            state, self._mine, layout, make_code, reuse_used=reuse_used_codes
        )
        self.slots = SlotReconciler(state, self._mine, layout, timing, self.pool)
        self._planner = SlotPlanner(self.slots, timing)
        self.slots.restart_attempts()  # no write of this lock runs before this engine's
        self.pool.fill()

    # ----- views

    def my_grants(self) -> Iterator[tuple[Grant, GrantLock]]:
        """Yield this lock's grants, earliest start first."""
        return iter(self._mine)

    def held_codes(self) -> set[str]:
        """Return every code the integration holds for this lock."""
        return self.pool.held_codes()

    def health(self) -> PoolHealth:
        """Return the pool's health."""
        return self.pool.health()

    @property
    def keeps_windows(self) -> bool:
        """Return True while the lock keeps codes on time itself.

        Its guests' codes then go on from the issue point, with their window.
        """
        return self.state.keeps_windows

    @keeps_windows.setter
    def keeps_windows(self, keeps: bool) -> None:
        self.state.keeps_windows = keeps

    def is_programmed(self, grant: Grant, grant_lock: GrantLock) -> bool:
        """Return True if the grant's scheduled code is known to be on the lock."""
        return self.slots.is_programmed(grant, grant_lock)

    def status(self, grant: Grant, grant_lock: GrantLock) -> GrantStatus:
        """Return the grant's status on this lock."""
        return grant_status(grant_lock, self.is_programmed(grant, grant_lock))

    def can_give_backup(self, grant: Grant) -> bool:
        """Return True if the grant holds a backup on this lock or could get one now."""
        return grant.locks[self.lock_id].backup_slot is not None or bool(
            self.pool.offerable()
        )

    # ----- the host's requests

    def rotate_idle(self) -> int:
        """Replace every pool code not in use by a grant; return how many."""
        return self.pool.rotate_idle()

    def remove_grant(self, grant: Grant) -> None:
        """Take a grant off this lock: its backup is rotated, its slot cleared by sync."""
        grant_lock = grant.locks.pop(self.lock_id, None)
        if grant_lock is None:
            return
        self.state.retire(grant.code)
        if grant_lock.backup_slot is not None:
            self.pool.release_backup(grant_lock)
        if not grant.locks:
            self.grants.pop(grant.grant_id, None)

    def issue_backup(self, grant: Grant, now: datetime) -> list[Outcome]:
        """Give a grant a backup code now unless it holds one (a host's manual pull)."""
        grant_lock = grant.locks[self.lock_id]
        if grant_lock.backup_slot is not None:
            return []
        return self._give_backup(grant, grant_lock, now)

    # ----- serving grants

    def evaluate(self, now: datetime, online: bool) -> list[Outcome]:
        """Apply every rule due at ``now``; return what guests must be told."""
        outcomes: list[Outcome] = []
        self.pool.release_orphans()
        # An attempt whose time ran out failed, even while the lock is still silent.
        self.slots.expire_attempts(now)
        # Check-outs first: the codes and slots they free serve the grants below.
        for grant, grant_lock in list(self._mine):
            if now >= grant.ends_at:
                self.state.remember(PastStay.of(grant, grant_lock), now)
                self.remove_grant(grant)
        if not online:
            # After the check-outs: a code they left waiting for rotation cannot be
            # programmed either, and must count as failed in this very evaluation.
            self.pool.mark_offline()
        mine = list(self._mine)
        taken = {gl.slot for _, gl in mine if gl.slot is not None}
        # A free guest slot goes first to a guest without a backup code (earliest first):
        # one who holds a backup can do with it.
        for grant, grant_lock in sorted(
            mine, key=lambda g: g[1].backup_slot is not None
        ):
            self._planner.plan(grant, grant_lock, now, online, taken, mine)
        for grant, grant_lock in mine:
            if now < grant.issue_at(self.timing):
                grant_lock.no_code = (
                    None  # moved before its issue point: needs none yet
                )
                continue
            outcomes.extend(self._serve(grant, grant_lock, now, online))
            if failed := track_episode(grant, grant_lock, self.timing, now, online):
                outcomes.append(failed)
        return outcomes

    def _serve(
        self, grant: Grant, grant_lock: GrantLock, now: datetime, online: bool
    ) -> list[Outcome]:
        """Tell a grant at or past its issue point the code it can rely on."""
        if grant_lock.backup_slot is not None:
            return []
        scheduled_ok = online and not grant_lock.program_failed
        if grant_lock.told is None and scheduled_ok:
            slot = grant_lock.slot if self.is_programmed(grant, grant_lock) else None
            return [self._tell(grant, grant.code, False, slot, now)]
        if grant_lock.told is None or grant_lock.program_failed:
            return self._give_backup(grant, grant_lock, now)
        return []

    def _give_backup(
        self, grant: Grant, grant_lock: GrantLock, now: datetime
    ) -> list[Outcome]:
        pool_code = self.pool.take_backup(grant.grant_id)
        if pool_code is None:
            return []  # none left: evaluating says whether the guest is left without
        grant_lock.backup_slot = pool_code.slot
        return [
            self._tell(
                grant,
                pool_code.code,
                True,
                pool_code.slot,
                now,
                previously_used=pool_code.used,
            )
        ]

    def _tell(
        self,
        grant: Grant,
        code: str,
        is_backup: bool,
        slot: int | None,
        now: datetime,
        *,
        previously_used: bool = False,
    ) -> CodeIssued:
        grant_lock = grant.locks[self.lock_id]
        reissued = grant_lock.told is not None
        grant_lock.told = Told(
            code=code,
            is_backup=is_backup,
            slot=slot,
            issued_at=now,
            previously_used=previously_used,
        )
        return CodeIssued(
            grant_id=grant.grant_id,
            code=code,
            is_backup=is_backup,
            slot=slot,
            issued_at=now,
            reissued=reissued,
            previously_used=previously_used,
        )

    def code_used(self, slot: int, now: datetime) -> Grant | None:
        """Record a keypad unlock with the code in ``slot``; return its grant if new."""
        for grant, grant_lock in self._mine:
            holds = slot in (grant_lock.backup_slot, grant_lock.slot)
            if holds and grant_lock.first_used_at is None:
                grant_lock.first_used_at = now
                return grant
        return None

    # ----- slot writes (see slots.py)

    def desired(self, now: datetime) -> dict[int, str | None]:
        """Return what each slot the integration cares about should hold."""
        return self.slots.desired(now)

    def next_write(self, now: datetime) -> SlotWrite | None:
        """Return the first needed write whose retry time has come."""
        return self.slots.next_write(now)

    def write_started(self, write: SlotWrite, now: datetime) -> datetime:
        """Note a write under way (the slot is unknown until it ends).

        Return when its attempt must be over: the lock gets no longer than that to answer.
        """
        return self.slots.write_started(write, now)

    def write_succeeded(
        self, write: SlotWrite, now: datetime, *, verified: bool = True
    ) -> None:
        """Record a write the lock took at ``now`` (``verified`` when it was read back)."""
        self.slots.write_succeeded(write, now, verified=verified)

    def write_failed(
        self,
        write: SlotWrite,
        now: datetime,
        *,
        permanent: bool = False,
        window_refused: bool = False,
    ) -> WriteFailure:
        """Record a failed write; say what comes next."""
        return self.slots.write_failed(
            write, now, permanent=permanent, window_refused=window_refused
        )

    def came_online(self) -> None:
        """Forget retry waits: a lock that is back is tried at once."""
        self.slots.came_online()

    def next_wakeup(self, now: datetime, online: bool) -> datetime | None:
        """Return the next moment something is due on this lock, if any."""
        moments = [
            point
            for grant, _ in self._mine
            for point in grant.points(self.timing)
            if point > now
        ]
        # The end of an attempt under way, even while its write is still waiting.
        moments.extend(max(d, now) for d in self.slots.attempt_deadlines())
        if online:
            moments.extend(self.slots.retry_moments(now))
        return min(moments, default=None)
