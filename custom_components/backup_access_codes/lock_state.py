"""What is stored for one lock, and which of its slots the integration may use (pure Python)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Self

from .grants import Grant, PastStay
from .pool import PoolCode, PoolStatus
from .retry import SlotRetry

# Codes that left the lock are not chosen again for this many further retirements: a past
# guest's code must not come back to open the door for someone else.
RETIRED_KEPT = 20
# Stays that ended on a lock are kept this long (and at most this many) for the host to review.
PAST_KEPT = timedelta(days=14)
PAST_KEPT_COUNT = 50


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
    last_write_at: datetime | None = None  # when a write to the lock last worked
    past: list[PastStay] = field(default_factory=list)  # ended stays, oldest first
    # Slots whose code went on with a window the lock keeps itself: (starts_at, ends_at).
    windows: dict[int, tuple[datetime, datetime]] = field(default_factory=dict)
    # The lock keeps codes on time itself, as last found out (kept over a restart, so
    # codes put on early stay on while the lock is asked again).
    keeps_windows: bool = False

    def remember(self, stay: PastStay, now: datetime) -> None:
        """Keep an ended stay; forget those ended long ago."""
        self.past.append(stay)
        self.past = [p for p in self.past if p.ends_at > now - PAST_KEPT][
            -PAST_KEPT_COUNT:
        ]

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
            "last_write_at": (
                self.last_write_at.isoformat() if self.last_write_at else None
            ),
            "past": [stay.to_dict() for stay in self.past],
            "windows": {
                str(slot): [start.isoformat(), end.isoformat()]
                for slot, (start, end) in self.windows.items()
            },
            "keeps_windows": self.keeps_windows,
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
            last_write_at=(
                datetime.fromisoformat(data["last_write_at"])
                if data.get("last_write_at")
                else None
            ),
            past=[PastStay.from_dict(stay) for stay in data.get("past", [])],
            windows={
                int(slot): (
                    datetime.fromisoformat(start),
                    datetime.fromisoformat(end),
                )
                for slot, (start, end) in data.get("windows", {}).items()
            },
            keeps_windows=bool(data.get("keeps_windows", False)),
        )


def holds_slots(lock_id: str, state: LockState, grants: dict[str, Grant]) -> bool:
    """Return True while a grant holds a backup code or a grant slot on the lock."""
    return any(p.status is PoolStatus.ISSUED for p in state.pool) or any(
        grant.locks[lock_id].slot is not None
        for grant in grants.values()
        if lock_id in grant.locks
    )
