"""The backup code pool of one lock and its health (pure Python)."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Self

# More than this share of the pool in use raises many_active_backup_codes.
MANY_ACTIVE_SHARE = 0.75


class PoolStatus(StrEnum):
    """Life cycle of one pool code."""

    PENDING = "pending"  # chosen, not yet on the lock
    PROGRAMMED = "programmed"  # on the lock, ready to be issued
    FAILED = "failed"  # the latest attempt to program it failed
    ISSUED = "issued"  # in use by a grant
    # The old code is still on the lock; ``next_code`` waits to replace it.
    ROTATING = "rotating"


@dataclass(slots=True)
class PoolCode:
    """One permanent backup code in its pool slot."""

    slot: int
    code: str = field(repr=False)  # a door code is a key: never in a repr or a log
    status: PoolStatus = PoolStatus.PENDING
    grant_id: str | None = None
    next_code: str | None = field(default=None, repr=False)
    attempt_failed: bool = False
    used: bool = False  # ``code`` was a guest's: it must not count as fresh again

    @property
    def target(self) -> str:
        """Return the code this slot should hold on the lock."""
        if self.status is PoolStatus.ROTATING and self.next_code is not None:
            return self.next_code
        return self.code

    @property
    def counts_as_failed(self) -> bool:
        """Return True while the slot's latest programming attempt failed."""
        return self.status is PoolStatus.FAILED or (
            self.status is PoolStatus.ROTATING and self.attempt_failed
        )

    def codes(self) -> list[str]:
        """Return every code this slot holds or will hold."""
        return [c for c in (self.code, self.next_code) if c is not None]

    def to_dict(self) -> dict[str, Any]:
        """Serialise for the store."""
        return {
            "slot": self.slot,
            "code": self.code,
            "status": self.status.value,
            "grant_id": self.grant_id,
            "next_code": self.next_code,
            "attempt_failed": self.attempt_failed,
            "used": self.used,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Read back from the store."""
        return cls(
            slot=int(data["slot"]),
            code=str(data["code"]),
            status=PoolStatus(data["status"]),
            grant_id=data.get("grant_id"),
            next_code=data.get("next_code"),
            attempt_failed=bool(data.get("attempt_failed", False)),
            used=bool(data.get("used", False)),
        )


@dataclass(frozen=True, slots=True)
class PoolHealth:
    """Counts and warning flags of a pool, as the entities show them."""

    size: int
    ready: int
    in_use: int
    failed: int

    @property
    def empty(self) -> bool:
        """Error: every pool code failed to program."""
        return self.size > 0 and self.failed == self.size

    @property
    def partial(self) -> bool:
        """Warning: some, but not all, pool codes failed to program."""
        return 0 < self.failed < self.size

    @property
    def many_active(self) -> bool:
        """Warning: more than 75% of the pool is in use by guests."""
        return self.in_use > MANY_ACTIVE_SHARE * self.size

    def as_dict(self) -> dict[str, int | bool]:
        """The counts and the three flags, as diagnostics and the panel show them."""
        return {
            "size": self.size,
            "ready": self.ready,
            "in_use": self.in_use,
            "failed": self.failed,
            "empty": self.empty,
            "partial": self.partial,
            "many_active": self.many_active,
        }


def pool_health(pool: list[PoolCode]) -> PoolHealth:
    """Summarise a pool."""
    return PoolHealth(
        size=len(pool),
        ready=sum(1 for p in pool if p.status is PoolStatus.PROGRAMMED),
        in_use=sum(1 for p in pool if p.status is PoolStatus.ISSUED),
        failed=sum(1 for p in pool if p.counts_as_failed),
    )
