"""Upkeep of one lock's backup pool: fresh codes, rotation, handing codes out (pure Python)."""

from collections.abc import Callable

from .grants import GrantLock, LockGrants
from .lock_state import Layout, LockState
from .pool import PoolCode, PoolHealth, PoolStatus, pool_health


class PoolKeeper:
    """Keeps every pool slot of a layout supplied with a code nobody else holds."""

    def __init__(
        self,
        state: LockState,
        grants: LockGrants,
        layout: Layout,
        make_code: Callable[[int, set[str]], str],
        *,
        reuse_used: bool = True,
    ) -> None:
        """Work on the lock's stored state (mutated in place).

        ``reuse_used``: when no fresh code is left, a previous guest's code still on the
        lock (waiting for rotation) may be handed out again.
        """
        self.state = state
        self.grants = grants
        self.layout = layout
        self._make_code = make_code
        self.reuse_used = reuse_used

    def held_codes(self) -> set[str]:
        """Return every code the integration holds for this lock."""
        held = {c for c in self.state.on_lock.values() if c is not None}
        held.update(self.state.retired)
        for pool_code in self.state.pool:
            held.update(pool_code.codes())
        held.update(grant.code for grant, _ in self.grants)
        return held

    def new_code(self) -> str:
        """Return a code of the layout's length that the lock holds nowhere."""
        return self._make_code(self.layout.code_length, self.held_codes())

    def health(self) -> PoolHealth:
        """Return the pool's health."""
        return pool_health(self.state.pool)

    def codes_in(self, slot: int) -> list[PoolCode]:
        """Return the pool code of ``slot`` (a list: empty for a grant slot)."""
        return [p for p in self.state.pool if p.slot == slot]

    def fill(self) -> None:
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
                pool.append(PoolCode(slot=slot, code=self.new_code()))  # noqa: PERF401
        pool.sort(key=lambda p: p.slot)
        for pool_code in pool:
            if len(pool_code.target) != self.layout.code_length:
                self.replace_idle(pool_code)  # the code length option changed

    def rotate_idle(self) -> int:
        """Replace every pool code not in use by a grant; return how many."""
        return sum(1 for pool_code in self.state.pool if self.replace_idle(pool_code))

    def replace_idle(self, pool_code: PoolCode) -> bool:
        """Give a pool code not in use a new code; return False for one in use."""
        if pool_code.status is PoolStatus.ISSUED:
            return False
        if pool_code.status in (PoolStatus.PENDING, PoolStatus.FAILED):
            pool_code.code = self.new_code()  # never reached the lock
        else:
            pool_code.status = PoolStatus.ROTATING
            pool_code.next_code = self.new_code()
        return True

    def release_backup(self, grant_lock: GrantLock) -> None:
        """Return a grant's backup code to the pool."""
        if grant_lock.backup_slot is not None:
            for pool_code in self.codes_in(grant_lock.backup_slot):
                self._rotate_after_use(pool_code)
        grant_lock.backup_slot = None

    def _rotate_after_use(self, pool_code: PoolCode) -> None:
        """A used code is replaced before it counts as fresh again."""
        pool_code.status = PoolStatus.ROTATING
        pool_code.grant_id = None
        pool_code.attempt_failed = False
        pool_code.used = True
        pool_code.next_code = self.new_code()

    def release_orphans(self) -> None:
        """Rotate backup codes whose grant left this lock while it was not running."""
        live = {grant.grant_id for grant, _ in self.grants}
        for pool_code in self.state.pool:
            if pool_code.status is PoolStatus.ISSUED and pool_code.grant_id not in live:
                self._rotate_after_use(pool_code)

    def offerable(self) -> list[PoolCode]:
        """Ready pool codes, else those still on the lock awaiting rotation.

        Among those, codes no guest held come first; a previous guest's code only while
        ``reuse_used`` allows it.
        """
        ready = [p for p in self.state.pool if p.status is PoolStatus.PROGRAMMED]
        if ready:
            return ready
        waiting = [
            p
            for p in self.state.pool
            if p.status is PoolStatus.ROTATING
            and self.state.on_lock.get(p.slot) == p.code
            and (self.reuse_used or not p.used)
        ]
        return sorted(waiting, key=lambda p: p.used)

    def take_backup(self, grant_id: str) -> PoolCode | None:
        """Hand out a ready pool code, else one still on the lock awaiting rotation.

        Its ``used`` says whether a previous guest held that code.
        """
        if not (ready := self.offerable()):
            return None
        pool_code = ready[0]
        pool_code.status = PoolStatus.ISSUED
        pool_code.grant_id = grant_id
        pool_code.next_code = None
        pool_code.attempt_failed = False
        return pool_code

    def mark_offline(self) -> None:
        """An offline lock gets no calls: pending attempts count as failed at once."""
        for pool_code in self.state.pool:
            self._attempt_failed(pool_code)

    def attempt_failed(self, slot: int) -> None:
        """The attempt to program a pool slot is over and failed."""
        for pool_code in self.codes_in(slot):
            self._attempt_failed(pool_code)

    @staticmethod
    def _attempt_failed(pool_code: PoolCode) -> None:
        if pool_code.status is PoolStatus.PENDING:
            pool_code.status = PoolStatus.FAILED
        elif pool_code.status is PoolStatus.ROTATING:
            pool_code.attempt_failed = True

    def written(self, slot: int, code: str) -> None:
        """A pool slot holds ``code`` now; it is ready if that is still its code."""
        for pool_code in self.codes_in(slot):
            # The code may have been replaced while the write was under way.
            if pool_code.status is PoolStatus.ROTATING and code == pool_code.next_code:
                self.state.retire(pool_code.code)
                pool_code.code, pool_code.next_code = code, None
                pool_code.status = PoolStatus.PROGRAMMED
                pool_code.attempt_failed = False
                pool_code.used = False  # a fresh code: nobody knows it
            elif (
                pool_code.status in (PoolStatus.PENDING, PoolStatus.FAILED)
                and code == pool_code.code
            ):
                pool_code.status = PoolStatus.PROGRAMMED
                pool_code.attempt_failed = False

    def refused(self, slot: int) -> None:
        """The lock refused a pool slot's code for good: choose a different one."""
        for pool_code in self.codes_in(slot):
            if pool_code.status is PoolStatus.ROTATING:
                pool_code.next_code = self.new_code()
            elif pool_code.status in (PoolStatus.PENDING, PoolStatus.FAILED):
                pool_code.code = self.new_code()
