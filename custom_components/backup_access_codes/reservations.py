"""Reservations from a calendar, and how they map onto access grants (pure Python)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo

CALENDAR_KEY_PREFIX = "calendar:"


@dataclass(frozen=True, slots=True)
class Reservation:
    """A stay taken from one calendar event."""

    key: str  # stable per event: lock entry, event uid and recurrence id
    name: str
    starts_at: datetime
    ends_at: datetime


@dataclass(slots=True)
class SyncPlan:
    """What to do to the grants a calendar made for one lock."""

    create: list[Reservation] = field(default_factory=list)
    update: list[tuple[str, Reservation]] = field(default_factory=list)  # grant id
    delete: list[str] = field(default_factory=list)  # grant ids


def calendar_prefix(lock_id: str) -> str:
    """Return the key prefix of grants a calendar made for a lock."""
    return f"{CALENDAR_KEY_PREFIX}{lock_id}:"


def _moment(value: date | datetime, at: time, zone: tzinfo) -> datetime:
    """A timed event keeps its time; an all-day one gets the check-in or -out time."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    return datetime.combine(value, at, tzinfo=zone)


def to_reservation(
    lock_id: str,
    *,
    uid: str | None,
    recurrence_id: str | None,
    summary: str,
    start: date | datetime,
    end: date | datetime,
    check_in: time,
    check_out: time,
    zone: tzinfo,
) -> Reservation:
    """Map a calendar event onto a stay.

    Rental sites export a booking as an all-day event from the arrival day to the departure
    day (the end date is the check-out day), so all-day events get check-in and check-out
    times. An event without a uid is known by its start and summary.
    """
    identity = uid if uid is not None else f"{start.isoformat()}|{summary}"
    return Reservation(
        key=f"{calendar_prefix(lock_id)}{identity}:{recurrence_id or ''}",
        name=summary.strip() or "Guest",
        starts_at=_moment(start, check_in, zone),
        ends_at=_moment(end, check_out, zone),
    )


def plan_sync(
    made_by_calendar: dict[str, tuple[str, str, datetime, datetime]],
    wanted: list[Reservation],
    now: datetime,
) -> SyncPlan:
    """Compare the grants a calendar made (id -> key, name, start, end) with its events.

    A new event becomes a grant, a changed one updates its grant, a grant whose event is
    gone is deleted. Stays that are over are left alone (they end by themselves).
    """
    plan = SyncPlan()
    by_key = {key: grant_id for grant_id, (key, *_) in made_by_calendar.items()}
    seen: set[str] = set()
    for reservation in wanted:
        if reservation.key in seen or reservation.ends_at <= now:
            continue
        seen.add(reservation.key)
        if reservation.ends_at <= reservation.starts_at:
            continue  # a malformed event: nothing sensible to grant
        grant_id = by_key.get(reservation.key)
        if grant_id is None:
            plan.create.append(reservation)
        elif made_by_calendar[grant_id][1:] != (
            reservation.name,
            reservation.starts_at,
            reservation.ends_at,
        ):
            plan.update.append((grant_id, reservation))
    plan.delete = [
        grant_id
        for grant_id, (key, _, _, ends_at) in made_by_calendar.items()
        if key not in seen and ends_at > now
    ]
    return plan
