"""Access grants and their timing rules (pure Python)."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Self


@dataclass(frozen=True, slots=True)
class Timing:
    """The lead times of one lock."""

    backup_lead: timedelta
    program_lead: timedelta


class GrantStatus(StrEnum):
    """What a grant looks like on one lock (``list_access_grants``' ``status``)."""

    SCHEDULED = "scheduled"  # before its issue point
    ISSUED = "issued"  # scheduled code told to the guest, not yet on the lock
    PROGRAMMED = "programmed"  # scheduled code told and on the lock
    BACKUP_ISSUED = "backup_issued"  # the guest holds a backup code
    ISSUE_FAILED = "issue_failed"  # the guest holds no code that works (an episode)


class NoCodeCause(StrEnum):
    """Why a guest holds no working code on a lock: what keeps the scheduled code off it.

    In every case no backup code was left to give instead.
    """

    CODE_REFUSED = "code_refused"  # the lock refused the scheduled code for good
    SLOTS_FULL = "slots_full"  # every guest slot is taken by overlapping stays
    LOCK_OFFLINE = "lock_offline"  # the lock cannot be programmed now
    NO_BACKUP = "no_backup_code"  # programming failed while online (errors, no answer)


@dataclass(slots=True)
class Told:
    """The code a guest was last told for one lock."""

    code: str = field(repr=False)
    is_backup: bool
    slot: int | None
    issued_at: datetime
    previously_used: bool = False  # a backup code an earlier guest held too

    def to_dict(self) -> dict[str, Any]:
        """Serialise for the store."""
        return {
            "code": self.code,
            "is_backup": self.is_backup,
            "slot": self.slot,
            "issued_at": self.issued_at.isoformat(),
            "previously_used": self.previously_used,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Read back from the store."""
        return cls(
            code=str(data["code"]),
            is_backup=bool(data["is_backup"]),
            slot=data.get("slot"),
            issued_at=datetime.fromisoformat(data["issued_at"]),
            previously_used=bool(data.get("previously_used", False)),
        )


@dataclass(slots=True)
class GrantLock:
    """The state of one grant on one lock."""

    slot: int | None = None  # grant slot assigned for the scheduled code
    program_failed: bool = False  # the latest attempt to program it failed
    backup_slot: int | None = None  # pool slot of the backup code it holds
    told: Told | None = None
    # While the guest holds no working code on this lock (an issue_failed episode, already
    # announced): why. None once served; a new episode is announced again.
    no_code: NoCodeCause | None = None
    rejected: bool = False  # the lock refused the scheduled code for good
    first_used_at: datetime | None = None  # first keypad unlock with this grant's code
    # Writing the scheduled code with its lock-kept window failed (or the lock refused the
    # window): on this lock the code follows the program point, as on a lock without.
    window_failed: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Serialise for the store."""
        return {
            "slot": self.slot,
            "program_failed": self.program_failed,
            "backup_slot": self.backup_slot,
            "told": self.told.to_dict() if self.told else None,
            "no_code": self.no_code.value if self.no_code else None,
            "rejected": self.rejected,
            "first_used_at": self.first_used_at.isoformat()
            if self.first_used_at
            else None,
            "window_failed": self.window_failed,
        }

    @property
    def issue_failed(self) -> bool:
        """Return True during an issue_failed episode (the guest has no working code)."""
        return self.no_code is not None

    @property
    def told_slot(self) -> int | None:
        """Return where the code the guest was last told sits.

        A backup code's pool slot, else the guest slot of the scheduled code (None
        while it holds none).
        """
        told = self.told
        return told.slot if told is not None and told.is_backup else self.slot

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Read back from the store."""
        told = data.get("told")
        return cls(
            slot=data.get("slot"),
            program_failed=bool(data.get("program_failed", False)),
            backup_slot=data.get("backup_slot"),
            told=Told.from_dict(told) if told else None,
            no_code=NoCodeCause(data["no_code"]) if data.get("no_code") else None,
            rejected=bool(data.get("rejected", False)),
            first_used_at=(
                datetime.fromisoformat(data["first_used_at"])
                if data.get("first_used_at")
                else None
            ),
            window_failed=bool(data.get("window_failed", False)),
        )


@dataclass(slots=True)
class Grant:
    """A guest's access to one or more locks between two points in time."""

    grant_id: str
    name: str
    starts_at: datetime
    ends_at: datetime
    code: str = field(repr=False)  # the scheduled code, the same on every lock
    locks: dict[str, GrantLock] = field(default_factory=dict)  # by lock id
    # Who made it, for idempotent retries and calendar sync ("idempotency:…", "calendar:…").
    key: str | None = None

    def issue_at(self, timing: Timing) -> datetime:
        """Return when the guest must be told a code."""
        return self.starts_at - timing.backup_lead

    def program_at(self, timing: Timing) -> datetime:
        """Return when the scheduled code goes onto the lock (never earlier)."""
        return self.starts_at - timing.program_lead

    def in_window(self, timing: Timing, now: datetime) -> bool:
        """Return True while the scheduled code belongs on the lock."""
        return self.program_at(timing) <= now < self.ends_at

    def code_window(self, timing: Timing) -> tuple[datetime, datetime]:
        """Return when the scheduled code may open the door: program point to check-out.

        A lock that keeps codes on time itself gets the code with this window, from the
        issue point on (``preloads``).
        """
        return (self.program_at(timing), self.ends_at)

    def preloads(self, timing: Timing, now: datetime) -> bool:
        """Return True while the code may sit on a lock that keeps its window itself."""
        return self.issue_at(timing) <= now < self.ends_at

    def points(self, timing: Timing) -> tuple[datetime, datetime, datetime]:
        """Return the grant's points in time on a lock."""
        return (self.issue_at(timing), self.program_at(timing), self.ends_at)

    def to_dict(self) -> dict[str, Any]:
        """Serialise for the store."""
        return {
            "grant_id": self.grant_id,
            "name": self.name,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "code": self.code,
            "locks": {lock_id: gl.to_dict() for lock_id, gl in self.locks.items()},
            "key": self.key,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Read back from the store."""
        return cls(
            grant_id=str(data["grant_id"]),
            name=str(data["name"]),
            starts_at=datetime.fromisoformat(data["starts_at"]),
            ends_at=datetime.fromisoformat(data["ends_at"]),
            code=str(data["code"]),
            locks={
                lock_id: GrantLock.from_dict(gl)
                for lock_id, gl in data.get("locks", {}).items()
            },
            key=data.get("key"),
        )


@dataclass(frozen=True, slots=True)
class PastStay:
    """A grant that ended on one lock (its check-out), kept for the host: never a code."""

    grant_id: str
    name: str
    starts_at: datetime
    ends_at: datetime
    key: str | None  # who made it ("calendar:…" for a reservation)
    is_backup_code: bool  # the guest's last told code was a backup code
    slot: int | None
    told_at: datetime | None
    first_used_at: datetime | None

    @classmethod
    def of(cls, grant: Grant, grant_lock: GrantLock) -> Self:
        """Describe a grant's stay on one lock as it ends."""
        told = grant_lock.told
        return cls(
            grant_id=grant.grant_id,
            name=grant.name,
            starts_at=grant.starts_at,
            ends_at=grant.ends_at,
            key=grant.key,
            is_backup_code=told.is_backup if told else False,
            slot=grant_lock.told_slot,
            told_at=told.issued_at if told else None,
            first_used_at=grant_lock.first_used_at,
        )

    def to_dict(self) -> dict[str, Any]:
        """Serialise for the store."""
        return {
            "grant_id": self.grant_id,
            "name": self.name,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "key": self.key,
            "is_backup_code": self.is_backup_code,
            "slot": self.slot,
            "told_at": _iso(self.told_at),
            "first_used_at": _iso(self.first_used_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Read back from the store."""
        return cls(
            grant_id=str(data["grant_id"]),
            name=str(data["name"]),
            starts_at=datetime.fromisoformat(data["starts_at"]),
            ends_at=datetime.fromisoformat(data["ends_at"]),
            key=data.get("key"),
            is_backup_code=bool(data.get("is_backup_code", False)),
            slot=data.get("slot"),
            told_at=_from_iso(data.get("told_at")),
            first_used_at=_from_iso(data.get("first_used_at")),
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def grant_status(grant_lock: GrantLock, programmed: bool) -> GrantStatus:
    """Return the status of a grant on one lock."""
    if grant_lock.issue_failed:
        return GrantStatus.ISSUE_FAILED  # told a code that does not work, or none
    if grant_lock.told is None:
        return GrantStatus.SCHEDULED
    if grant_lock.told.is_backup:
        return GrantStatus.BACKUP_ISSUED
    return GrantStatus.PROGRAMMED if programmed else GrantStatus.ISSUED


class GrantBook(dict[str, Grant]):
    """All grants by id, counting additions and removals.

    Each lock keeps the ids of its own grants and rebuilds that list only when the book's
    ``generation`` moved, instead of scanning every grant of every lock on each update.
    """

    generation: int = 0

    def __setitem__(self, key: str, value: Grant) -> None:
        """Add or replace a grant."""
        super().__setitem__(key, value)
        self.generation += 1

    def __delitem__(self, key: str) -> None:
        """Remove a grant."""
        super().__delitem__(key)
        self.generation += 1

    def pop(self, key: str, *default: Any) -> Any:
        """Remove a grant, if present."""
        self.generation += 1
        return super().pop(key, *default)

    def clear(self) -> None:
        """Remove every grant."""
        super().clear()
        self.generation += 1


class LockGrants:
    """One lock's view of the grant book: the grants on that lock, earliest start first."""

    def __init__(self, lock_id: str, book: GrantBook) -> None:
        """Look at ``book`` (shared by every lock, mutated in place) for ``lock_id``."""
        self.lock_id = lock_id
        self.book = book
        self._ids: list[str] = []
        self._ids_generation = -1

    def _my_ids(self) -> list[str]:
        """Return the ids of this lock's grants, rescanning only when grants came or went."""
        if self.book.generation != self._ids_generation:
            self._ids = [
                g.grant_id for g in self.book.values() if self.lock_id in g.locks
            ]
            self._ids_generation = self.book.generation
        return self._ids

    def __iter__(self) -> Iterator[tuple[Grant, GrantLock]]:
        """Yield this lock's grants with their state on it, earliest start first."""
        mine = [
            grant
            for grant_id in self._my_ids()
            if (grant := self.book.get(grant_id)) is not None
            and self.lock_id in grant.locks  # taken off this lock since
        ]
        mine.sort(key=lambda g: (g.starts_at, g.grant_id))
        for grant in mine:
            yield grant, grant.locks[self.lock_id]
