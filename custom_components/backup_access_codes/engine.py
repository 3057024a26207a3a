"""The rules of one lock: pool, grants, slots and what to write (pure Python).

The engine keeps what each slot should hold ("desired") apart from what the integration
knows is on the lock (``on_lock``). Home Assistant glue asks it for the next write, performs
it through a provider, and reports the result back; everything the guest is told comes out
of ``evaluate`` as outcomes, derived from the clock, so a restart or a missed point in time
is handled by evaluating again.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

from .codes import generate_code
from .grants import Grant, GrantBook, GrantLock, GrantStatus, Timing, Told, grant_status
from .pool import PoolCode, PoolHealth, PoolStatus, pool_health
from .retry import SlotRetry, backoff

REASON_NO_BACKUP = "no_backup_code_available"
# Codes that left the lock are not chosen again for this many further retirements: a past
# guest's code must not come back to open the door for someone else.
RETIRED_KEPT = 20
# Refusals of different codes in one slot before it waits for the backoff.
MAX_REJECTIONS = 3


@dataclass(frozen=True, slots=True)
class Layout:
    """Which slots of a lock the integration may use, and how long its codes are."""

    pool_size: int
    first_slot: int
    slot_count: int
    code_length: int

    @property
    def pool_slots(self) -> range:
        """Slots of the backup pool (the first ``pool_size`` of the range)."""
        return range(self.first_slot, self.first_slot + self.pool_size)

    @property
    def grant_slots(self) -> range:
        """Slots for the grants' scheduled codes (the rest of the range)."""
        return range(
            self.first_slot + self.pool_size, self.first_slot + self.slot_count
        )

    @property
    def supports_pool(self) -> bool:
        """Return True if the range holds the pool plus at least one grant slot."""
        return self.pool_size >= 1 and len(self.grant_slots) >= 1


@dataclass(frozen=True, slots=True)
class CodeIssued:
    """A guest was told a code (``issued``, or ``reissued`` when it replaces one)."""

    grant_id: str
    code: str = field(repr=False)
    is_backup: bool
    slot: int | None
    issued_at: datetime
    reissued: bool


@dataclass(frozen=True, slots=True)
class IssueFailed:
    """A grant needed a code and none was left."""

    grant_id: str
    reason: str


type Outcome = CodeIssued | IssueFailed


@dataclass(frozen=True, slots=True)
class SlotWrite:
    """Put ``code`` into ``slot``, or clear it when ``code`` is None."""

    slot: int
    code: str | None = field(repr=False)


@dataclass(slots=True)
class LockState:
    """What is stored for one lock."""

    pool: list[PoolCode] = field(default_factory=list)
    # Slots the integration has written: the code known to be there, or None when unknown
    # (a write failed half-way). A slot missing here holds nothing of ours.
    on_lock: dict[int, str | None] = field(default_factory=dict, repr=False)
    retries: dict[int, SlotRetry] = field(default_factory=dict)
    retired: list[str] = field(default_factory=list, repr=False)  # oldest first
    # Slots written but not read back (the stack cannot, or masks codes): sent, unverified.
    unverified: set[int] = field(default_factory=set)

    def retire(self, code: str) -> None:
        """Remember a code that left the lock, so it is not chosen again soon."""
        if code in self.retired:
            self.retired.remove(code)
        self.retired.append(code)
        del self.retired[:-RETIRED_KEPT]

    def to_dict(self) -> dict[str, Any]:
        """Serialise for the store."""
        return {
            "pool": [p.to_dict() for p in self.pool],
            "on_lock": {str(slot): code for slot, code in self.on_lock.items()},
            "retries": {str(slot): r.to_dict() for slot, r in self.retries.items()},
            "retired": list(self.retired),
            "unverified": sorted(self.unverified),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Read back from the store."""
        return cls(
            pool=[PoolCode.from_dict(p) for p in data.get("pool", [])],
            on_lock={int(s): c for s, c in data.get("on_lock", {}).items()},
            retries={
                int(s): SlotRetry.from_dict(r)
                for s, r in data.get("retries", {}).items()
            },
            retired=[str(code) for code in data.get("retired", [])],
            unverified={int(slot) for slot in data.get("unverified", [])},
        )


def holds_slots(lock_id: str, state: LockState, grants: dict[str, Grant]) -> bool:
    """Return True while a grant holds a backup code or a grant slot on the lock."""
    return any(p.status is PoolStatus.ISSUED for p in state.pool) or any(
        grant.locks[lock_id].slot is not None
        for grant in grants.values()
        if lock_id in grant.locks
    )


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
    ) -> None:
        """Wrap a lock's state and the shared grants (both mutated in place)."""
        self.lock_id = lock_id
        self.state = state
        self.grants = grants
        self.layout = layout
        self.timing = timing
        self._make_code = make_code
        self._ids: list[str] = []
        self._ids_generation = -1
        self.fill_pool()

    # ----- views

    def _my_ids(self) -> list[str]:
        """Return the ids of this lock's grants, rescanning only when grants came or went."""
        if self.grants.generation != self._ids_generation:
            self._ids = [
                g.grant_id for g in self.grants.values() if self.lock_id in g.locks
            ]
            self._ids_generation = self.grants.generation
        return self._ids

    def my_grants(self) -> Iterator[tuple[Grant, GrantLock]]:
        """Yield this lock's grants, earliest start first."""
        mine = [
            grant
            for grant_id in self._my_ids()
            if (grant := self.grants.get(grant_id)) is not None
            and self.lock_id in grant.locks  # taken off this lock since
        ]
        mine.sort(key=lambda g: (g.starts_at, g.grant_id))
        for grant in mine:
            yield grant, grant.locks[self.lock_id]

    def held_codes(self) -> set[str]:
        """Return every code the integration holds for this lock."""
        held = {c for c in self.state.on_lock.values() if c is not None}
        held.update(self.state.retired)
        for pool_code in self.state.pool:
            held.update(pool_code.codes())
        held.update(grant.code for grant, _ in self.my_grants())
        return held

    def health(self) -> PoolHealth:
        """Return the pool's health."""
        return pool_health(self.state.pool)

    def is_programmed(self, grant: Grant, grant_lock: GrantLock) -> bool:
        """Return True if the grant's scheduled code is known to be on the lock."""
        return (
            grant_lock.slot is not None
            and self.state.on_lock.get(grant_lock.slot) == grant.code
        )

    def status(self, grant: Grant, grant_lock: GrantLock) -> GrantStatus:
        """Return the grant's status on this lock."""
        return grant_status(grant_lock, self.is_programmed(grant, grant_lock))

    # ----- pool upkeep

    def fill_pool(self) -> None:
        """Give every pool slot of the layout a code; drop pool codes outside it.

        Codes of dropped slots stay in ``on_lock`` until the next sync clears them.
        """
        slots = self.layout.pool_slots
        pool = [p for p in self.state.pool if p.slot in slots]
        present = {p.slot for p in pool}
        self.state.pool = pool
        for slot in slots:
            if slot not in present:
                # One at a time: each new code must differ from the ones added before it.
                pool.append(PoolCode(slot=slot, code=self._new_code()))  # noqa: PERF401
        pool.sort(key=lambda p: p.slot)
        for pool_code in pool:
            if len(pool_code.target) != self.layout.code_length:
                self._replace_idle(pool_code)  # the code length option changed

    def _new_code(self) -> str:
        return self._make_code(self.layout.code_length, self.held_codes())

    def rotate_idle(self) -> int:
        """Replace every pool code not in use by a grant; return how many."""
        rotated = 0
        for pool_code in self.state.pool:
            if self._replace_idle(pool_code):
                rotated += 1
        return rotated

    def _replace_idle(self, pool_code: PoolCode) -> bool:
        """Give a pool code not in use a new code; return False for one in use."""
        if pool_code.status is PoolStatus.ISSUED:
            return False
        if pool_code.status in (PoolStatus.PENDING, PoolStatus.FAILED):
            pool_code.code = self._new_code()  # never reached the lock
        else:
            pool_code.status = PoolStatus.ROTATING
            pool_code.next_code = self._new_code()
        return True

    def _release_backup(self, grant_lock: GrantLock) -> None:
        """Return a grant's backup code to the pool."""
        for pool_code in self.state.pool:
            if pool_code.slot == grant_lock.backup_slot:
                self._rotate_after_use(pool_code)
        grant_lock.backup_slot = None

    def _rotate_after_use(self, pool_code: PoolCode) -> None:
        """A used code is replaced before it counts as fresh again."""
        pool_code.status = PoolStatus.ROTATING
        pool_code.grant_id = None
        pool_code.attempt_failed = False
        pool_code.next_code = self._new_code()

    def _release_orphans(self) -> None:
        """Rotate backup codes whose grant left this lock while it was not running."""
        live = {grant.grant_id for grant, _ in self.my_grants()}
        for pool_code in self.state.pool:
            if pool_code.status is PoolStatus.ISSUED and pool_code.grant_id not in live:
                self._rotate_after_use(pool_code)

    def _offerable(self) -> list[PoolCode]:
        """Ready pool codes, else those still on the lock awaiting rotation."""
        ready = [p for p in self.state.pool if p.status is PoolStatus.PROGRAMMED]
        return ready or [
            p
            for p in self.state.pool
            if p.status is PoolStatus.ROTATING
            and self.state.on_lock.get(p.slot) == p.code
        ]

    def can_give_backup(self, grant: Grant) -> bool:
        """Return True if the grant holds a backup on this lock or could get one now."""
        return grant.locks[self.lock_id].backup_slot is not None or bool(
            self._offerable()
        )

    def _take_backup(self, grant_id: str) -> PoolCode | None:
        """Hand out a ready pool code, else one still on the lock awaiting rotation."""
        if not (ready := self._offerable()):
            return None
        pool_code = ready[0]
        pool_code.status = PoolStatus.ISSUED
        pool_code.grant_id = grant_id
        pool_code.next_code = None
        pool_code.attempt_failed = False
        return pool_code

    # ----- grants

    def remove_grant(self, grant: Grant) -> None:
        """Take a grant off this lock: its backup is rotated, its slot cleared by sync."""
        grant_lock = grant.locks.pop(self.lock_id, None)
        if grant_lock is None:
            return
        self.state.retire(grant.code)
        if grant_lock.backup_slot is not None:
            self._release_backup(grant_lock)
        if not grant.locks:
            self.grants.pop(grant.grant_id, None)

    def issue_backup(self, grant: Grant, now: datetime) -> list[Outcome]:
        """Give a grant a backup code now unless it holds one (a host's manual pull)."""
        grant_lock = grant.locks[self.lock_id]
        if grant_lock.backup_slot is not None:
            return []
        return self._give_backup(grant, grant_lock, now)

    def _give_backup(
        self, grant: Grant, grant_lock: GrantLock, now: datetime
    ) -> list[Outcome]:
        pool_code = self._take_backup(grant.grant_id)
        if pool_code is None:
            if grant_lock.issue_failed:
                return []
            grant_lock.issue_failed = True
            return [IssueFailed(grant.grant_id, REASON_NO_BACKUP)]
        grant_lock.backup_slot = pool_code.slot
        return [self._tell(grant, pool_code.code, True, pool_code.slot, now)]

    def _tell(
        self,
        grant: Grant,
        code: str,
        is_backup: bool,
        slot: int | None,
        now: datetime,
    ) -> CodeIssued:
        grant_lock = grant.locks[self.lock_id]
        reissued = grant_lock.told is not None
        grant_lock.told = Told(code=code, is_backup=is_backup, slot=slot, issued_at=now)
        return CodeIssued(
            grant_id=grant.grant_id,
            code=code,
            is_backup=is_backup,
            slot=slot,
            issued_at=now,
            reissued=reissued,
        )

    def _free_grant_slot(self, taken: set[int]) -> int | None:
        for slot in self.layout.grant_slots:
            if slot not in taken and slot not in self.state.on_lock:
                return slot
        return None

    def evaluate(self, now: datetime, online: bool) -> list[Outcome]:
        """Apply every rule due at ``now``; return what guests must be told."""
        outcomes: list[Outcome] = []
        self._release_orphans()
        if not online:
            # An offline lock gets no calls: pending attempts count as failed at once.
            for pool_code in self.state.pool:
                if pool_code.status is PoolStatus.PENDING:
                    pool_code.status = PoolStatus.FAILED
                elif pool_code.status is PoolStatus.ROTATING:
                    pool_code.attempt_failed = True
        # Check-outs first: the codes and slots they free serve the grants below.
        for grant, _ in list(self.my_grants()):
            if now >= grant.ends_at:
                self.remove_grant(grant)
        mine = list(self.my_grants())
        taken = {gl.slot for _, gl in mine if gl.slot is not None}
        for grant, grant_lock in mine:
            self._plan_slot(grant, grant_lock, now, online, taken)
            if now < grant.issue_at(self.timing):
                continue
            outcomes.extend(self._serve(grant, grant_lock, now, online))
        return outcomes

    def _plan_slot(
        self,
        grant: Grant,
        grant_lock: GrantLock,
        now: datetime,
        online: bool,
        taken: set[int],
    ) -> None:
        """Hold a grant slot during the window, release it outside."""
        if not grant.in_window(self.timing, now):
            # Out of the window (or moved out of it): sync clears what was programmed.
            taken.discard(grant_lock.slot)
            grant_lock.slot = None
            grant_lock.program_failed = False
            return
        if grant_lock.rejected:
            grant_lock.program_failed = True  # the lock refused this code for good
            return
        if grant_lock.slot is None:
            grant_lock.slot = self._free_grant_slot(taken)
            if grant_lock.slot is not None:
                taken.add(grant_lock.slot)
        if grant_lock.slot is None:
            grant_lock.program_failed = True  # every grant slot is taken
        elif self.is_programmed(grant, grant_lock):
            grant_lock.program_failed = False
        elif not online:
            grant_lock.program_failed = True

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

    # ----- slot writes

    def desired(self, now: datetime) -> dict[int, str | None]:
        """Return what each slot the integration cares about should hold."""
        want: dict[int, str | None] = dict.fromkeys(self.state.on_lock)
        for pool_code in self.state.pool:
            want[pool_code.slot] = pool_code.target
        for grant, grant_lock in self.my_grants():
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

    def write_started(self, write: SlotWrite) -> None:
        """Note a write under way: if it is cut off (unload, crash) the slot is unknown.

        Until the lock answers, the slot may hold the old or the new code, so it is
        neither offered nor forgotten: a slot nobody wants any more gets cleared.
        """
        self.state.on_lock[write.slot] = None

    def write_succeeded(self, write: SlotWrite, *, verified: bool = True) -> None:
        """Record a write the lock took (``verified`` when it was read back)."""
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
        for pool_code in self.state.pool:
            if pool_code.slot != write.slot:
                continue
            # The code may have been replaced while the write was under way.
            if (
                pool_code.status is PoolStatus.ROTATING
                and write.code == pool_code.next_code
            ):
                self.state.retire(pool_code.code)
                pool_code.code, pool_code.next_code = write.code, None
                pool_code.status = PoolStatus.PROGRAMMED
                pool_code.attempt_failed = False
            elif (
                pool_code.status in (PoolStatus.PENDING, PoolStatus.FAILED)
                and write.code == pool_code.code
            ):
                pool_code.status = PoolStatus.PROGRAMMED
                pool_code.attempt_failed = False

    def write_failed(
        self, write: SlotWrite, now: datetime, *, permanent: bool = False
    ) -> bool:
        """Record a failed write; return True when its attempt is over (marked failed).

        A permanent failure (the lock refused this code: a duplicate, a bad length, no
        space) is never retried as it was: a pool slot gets a different code, a grant's
        scheduled code stops being programmed on this lock (its guest gets a backup).
        """
        # The slot may hold anything now: never offer its old code, clear it if unwanted.
        self.state.on_lock[write.slot] = None
        self.state.unverified.discard(write.slot)
        retry = self.state.retries.setdefault(write.slot, SlotRetry())
        if permanent:
            self._reject(write, retry, now)
            return True
        if not retry.record_failure(now):
            return False
        self._mark_failed(write.slot)
        return True

    def _mark_failed(self, slot: int) -> None:
        for pool_code in self.state.pool:
            if pool_code.slot == slot:
                if pool_code.status is PoolStatus.PENDING:
                    pool_code.status = PoolStatus.FAILED
                elif pool_code.status is PoolStatus.ROTATING:
                    pool_code.attempt_failed = True
        for _, grant_lock in self.my_grants():
            if grant_lock.slot == slot:
                grant_lock.program_failed = True

    def _reject(self, write: SlotWrite, retry: SlotRetry, now: datetime) -> None:
        self._mark_failed(write.slot)
        retry.rejections += 1
        if write.code is None:
            # The lock will not clear this slot: stop asking, it is no longer ours.
            self.state.on_lock.pop(write.slot, None)
            self.state.retries.pop(write.slot, None)
            return
        # A different code at once; after a few refusals in a row, only on the backoff.
        retry.not_before = (
            now
            if retry.rejections < MAX_REJECTIONS
            else now + backoff(retry.rejections)
        )
        for pool_code in self.state.pool:
            if pool_code.slot == write.slot:
                if pool_code.status is PoolStatus.ROTATING:
                    pool_code.next_code = self._new_code()
                elif pool_code.status in (PoolStatus.PENDING, PoolStatus.FAILED):
                    pool_code.code = self._new_code()
        for grant, grant_lock in self.my_grants():
            if grant_lock.slot == write.slot and write.code == grant.code:
                grant_lock.rejected = True
                grant_lock.slot = None

    def code_used(self, slot: int, now: datetime) -> Grant | None:
        """Record a keypad unlock with the code in ``slot``; return its grant if new."""
        for grant, grant_lock in self.my_grants():
            holds = slot in (grant_lock.backup_slot, grant_lock.slot)
            if holds and grant_lock.first_used_at is None:
                grant_lock.first_used_at = now
                return grant
        return None

    def came_online(self) -> None:
        """Forget retry waits: a lock that is back is tried at once."""
        for retry in self.state.retries.values():
            retry.not_before = None

    def next_wakeup(self, now: datetime, online: bool) -> datetime | None:
        """Return the next moment something is due on this lock, if any."""
        moments = [
            point
            for grant, _ in self.my_grants()
            for point in grant.points(self.timing)
            if point > now
        ]
        if online:
            for write in self.pending_writes(now):
                retry = self.state.retries.get(write.slot)
                if retry is not None and retry.not_before is not None:
                    moments.append(max(retry.not_before, now))
        return min(moments, default=None)
