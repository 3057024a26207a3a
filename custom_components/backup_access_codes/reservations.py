"""Reservations from a calendar, and how they map onto access grants (pure Python)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from typing import Any

from .const import CONF_CHECK_IN_TIME, CONF_CHECK_OUT_TIME, DEFAULT_OPTIONS

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
    # Grants whose booking was just moved beyond the window: kept, with the new times.
    moved_out: list[str] = field(default_factory=list)  # grant ids (also in update)


def calendar_prefix(lock_id: str) -> str:
    """Return the key prefix of grants a calendar made for a lock."""
    return f"{CALENDAR_KEY_PREFIX}{lock_id}:"


def calendar_lock_id(key: str | None) -> str | None:
    """Return the lock whose reservation calendar made a grant with this key, else None."""
    if key is None or not key.startswith(CALENDAR_KEY_PREFIX):
        return None
    return key[len(CALENDAR_KEY_PREFIX) :].split(":", 1)[0]


def day_times(options: Mapping[str, Any]) -> tuple[time, time]:
    """Return the check-in and check-out times that all-day bookings get."""

    def read(key: str) -> time:
        try:
            return time.fromisoformat(str(options.get(key, DEFAULT_OPTIONS[key])))
        except ValueError:
            return time.fromisoformat(str(DEFAULT_OPTIONS[key]))

    return read(CONF_CHECK_IN_TIME), read(CONF_CHECK_OUT_TIME)


def stay_moment(value: date | datetime, at: time, zone: tzinfo) -> datetime:
    """Return a stay's start or end: a time keeps its own, a day gets ``at`` (check-in/out).

    Rental sites export a booking as all-day days from the arrival day to the departure day
    (the end date, exclusive in iCalendar, is the check-out day). A time without a zone is
    read in ``zone``.
    """
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
        starts_at=stay_moment(start, check_in, zone),
        ends_at=stay_moment(end, check_out, zone),
    )


def plan_sync(
    made_by_calendar: dict[str, tuple[str, str, datetime, datetime]],
    wanted: list[Reservation],
    now: datetime,
    beyond: list[Reservation] | None = None,
) -> SyncPlan:
    """Compare the grants a calendar made (id -> key, name, start, end) with its events.

    ``wanted`` are the events in the window, ``beyond`` those found later, if looked up.
    A new event in the window becomes a grant, a changed one updates its grant, a grant
    whose event is gone is deleted. A grant whose event moved beyond the window is the
    same booking: it keeps its id and code and takes the new times (an event beyond the
    window without a grant gets one once it enters the window). Stays that are over are
    left alone (they end by themselves).
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
        if (grant_id := by_key.get(reservation.key)) is None:
            plan.create.append(reservation)
        elif _changed(made_by_calendar[grant_id], reservation):
            plan.update.append((grant_id, reservation))
    for reservation in beyond or ():
        grant_id = by_key.get(reservation.key)
        if grant_id is None or reservation.key in seen:
            continue  # not a grant yet: it is made when its event enters the window
        seen.add(reservation.key)
        if reservation.ends_at <= reservation.starts_at:
            continue
        if _changed(made_by_calendar[grant_id], reservation):
            plan.update.append((grant_id, reservation))
            plan.moved_out.append(grant_id)
    plan.delete = [
        grant_id
        for grant_id, (key, _, _, ends_at) in made_by_calendar.items()
        if key not in seen and ends_at > now
    ]
    return plan


def _changed(
    made: tuple[str, str, datetime, datetime], reservation: Reservation
) -> bool:
    return made[1:] != (reservation.name, reservation.starts_at, reservation.ends_at)
