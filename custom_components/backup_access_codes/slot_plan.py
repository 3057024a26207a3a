"""Which guest slot each grant holds, and when (pure Python).

A grant holds a guest slot while its scheduled code belongs on the lock: its window from the
program point, or, on a lock that keeps the code's window itself, from the issue point.
"""

from datetime import datetime

from .grants import Grant, GrantLock, Timing
from .slots import SlotReconciler


class SlotPlanner:
    """Gives grants guest slots and takes them back, for one lock."""

    def __init__(self, slots: SlotReconciler, timing: Timing) -> None:
        """Plan on the lock's slot reconciler."""
        self.slots = slots
        self.timing = timing

    def plan(
        self,
        grant: Grant,
        grant_lock: GrantLock,
        now: datetime,
        online: bool,
        taken: set[int],
        mine: list[tuple[Grant, GrantLock]],
    ) -> None:
        """Hold a grant slot while the code belongs on the lock, release it outside.

        That is the window from the program point, or, on a lock that keeps the code's
        window itself, from the issue point: a code put on early must not keep a guest
        due now from a slot.
        """
        if not self.slots.holds_slot(grant, grant_lock, now):
            # Out of the window (or moved out of it): sync clears what was programmed.
            # A code the lock refused for good will not work in the window either.
            taken.discard(grant_lock.slot)
            grant_lock.slot = None
            grant_lock.program_failed = grant_lock.rejected
            return
        if grant_lock.rejected:
            grant_lock.program_failed = True  # the lock refused this code for good
            return
        due = grant.in_window(self.timing, now)
        if grant_lock.slot is None:
            grant_lock.slot = self.slots.free_grant_slot(taken)
            if grant_lock.slot is None and due:
                grant_lock.slot = self._slot_of_an_early_code(now, mine)
            if grant_lock.slot is not None:
                taken.add(grant_lock.slot)
        if grant_lock.slot is None:
            # Every grant slot is taken: a failure once the code is due, not before.
            grant_lock.program_failed = due
        elif self.slots.is_programmed(grant, grant_lock) or not due:
            # On the lock; or put on early, with its window: the program point decides.
            grant_lock.program_failed = False
        elif not online:
            grant_lock.program_failed = True

    def _slot_of_an_early_code(
        self, now: datetime, mine: list[tuple[Grant, GrantLock]]
    ) -> int | None:
        """Take the slot of a code put on before its program point (the latest stay's).

        Its code goes off the lock and waits for a slot, or for its program point.
        """
        early = [
            (grant, grant_lock)
            for grant, grant_lock in mine
            if grant_lock.slot is not None and not grant.in_window(self.timing, now)
        ]
        if not early:
            return None
        _, grant_lock = max(early, key=lambda g: (g[0].starts_at, g[0].grant_id))
        slot, grant_lock.slot = grant_lock.slot, None
        return slot
