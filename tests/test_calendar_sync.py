"""Reservations from a real Local Calendar become access grants."""

from datetime import date, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.backup_access_codes.calendar_sync import REFRESH_INTERVAL
from custom_components.backup_access_codes.const import DOMAIN, EVENT_ISSUED
from custom_components.backup_access_codes.store import DATA_STORAGE, StateStorage
from homeassistant.components.calendar.const import DATA_COMPONENT
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .conftest import (
    CALENDAR,
    add_entry,
    add_event,
    advance,
    create_grant,
    make_entry,
    set_writes,
)


async def events(hass: HomeAssistant) -> list[Any]:
    """The calendar's events in the next month, with their uids."""
    entity = hass.data[DATA_COMPONENT].get_entity(CALENDAR)
    now = dt_util.now()
    return await entity.async_get_events(hass, now, now + timedelta(days=30))


async def move_event(hass: HomeAssistant, start: date, end: date) -> None:
    """Move the calendar's only upcoming event (of the next two years) to new days."""
    entity = hass.data[DATA_COMPONENT].get_entity(CALENDAR)
    now = dt_util.now()
    [event] = await entity.async_get_events(hass, now, now + timedelta(days=730))
    await entity.async_update_event(
        event.uid, {"summary": event.summary, "dtstart": start, "dtend": end}
    )


def grants(hass: HomeAssistant) -> dict[str, Any]:
    """Stored grants by name."""
    return {g.name: g for g in hass.data[DATA_STORAGE].state.grants.values()}


async def sync(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Refresh from the calendar now."""
    await entry.runtime_data.calendar_sync.async_refresh()
    await hass.async_block_till_done()


@pytest.fixture
async def synced(
    hass: HomeAssistant, rentals: None, writes: list[Event]
) -> MockConfigEntry:
    """The front door with the Rentals calendar as its reservation source."""
    return await add_entry(hass, make_entry(calendar_entity_id=CALENDAR))


async def test_all_day_and_timed_bookings(
    hass: HomeAssistant, synced: MockConfigEntry
) -> None:
    """All-day bookings get the check-in/out times; timed ones keep theirs."""
    await add_event(
        hass, "Jane Doe (HMABC)", start_date="2026-12-05", end_date="2026-12-08"
    )
    await add_event(
        hass,
        "John Roe",
        start_date_time="2026-12-10 14:00:00",
        end_date_time="2026-12-12 10:00:00",
    )
    await sync(hass, synced)
    by_name = grants(hass)
    jane, john = by_name["Jane Doe (HMABC)"], by_name["John Roe"]
    # Amsterdam is UTC+1 in December.
    assert jane.starts_at.isoformat() == "2026-12-05T14:00:00+00:00"
    assert jane.ends_at.isoformat() == "2026-12-08T10:00:00+00:00"
    assert john.starts_at.isoformat() == "2026-12-10T13:00:00+00:00"
    assert john.ends_at.isoformat() == "2026-12-12T09:00:00+00:00"
    assert set(jane.locks) == {synced.entry_id}


async def test_move_cancel_and_hand_made_grants(
    hass: HomeAssistant, synced: MockConfigEntry, writes: list[Event]
) -> None:
    """A moved booking updates its grant, a cancelled one deletes it, by hand stays."""
    await create_grant(hass, starts_in=timedelta(days=2))  # made by hand: "Jane Doe"
    await add_event(hass, "Guest A", start_date="2026-12-01", end_date="2026-12-03")
    await add_event(hass, "Guest B", start_date="2026-12-04", end_date="2026-12-06")
    await sync(hass, synced)
    first = {name: (g.grant_id, g.starts_at) for name, g in grants(hass).items()}
    assert set(first) == {"Jane Doe", "Guest A", "Guest B"}
    # Guest A arrives today at 15:00: the scheduled code is on the lock from 14:00.
    entity = hass.data[DATA_COMPONENT].get_entity(CALENDAR)
    a, b = sorted(await events(hass), key=lambda e: e.summary)
    await entity.async_update_event(
        b.uid,
        {
            "summary": "Guest B",
            "dtstart": b.start + timedelta(days=1),
            "dtend": b.end + timedelta(days=1),
        },
    )
    await entity.async_delete_event(a.uid)
    await sync(hass, synced)
    now = grants(hass)
    assert set(now) == {"Jane Doe", "Guest B"}
    assert now["Guest B"].grant_id == first["Guest B"][0]
    assert now["Guest B"].starts_at == first["Guest B"][1] + timedelta(days=1)
    assert now["Jane Doe"].grant_id == first["Jane Doe"][0]


async def test_restart_creates_nothing_twice(
    hass: HomeAssistant, synced: MockConfigEntry
) -> None:
    """Reloading and re-syncing keeps the same grants."""
    await add_event(hass, "Guest A", start_date="2026-12-03", end_date="2026-12-05")
    await sync(hass, synced)
    before = {g.grant_id for g in grants(hass).values()}
    assert await hass.config_entries.async_reload(synced.entry_id)
    await hass.async_block_till_done()
    await sync(hass, synced)
    await sync(hass, synced)
    assert {g.grant_id for g in grants(hass).values()} == before


async def test_window_and_interval(
    hass: HomeAssistant, synced: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """New bookings are picked up on the interval; those beyond the window wait."""
    await add_event(hass, "Far away", start_date="2026-12-20", end_date="2026-12-22")
    await add_event(hass, "Soon", start_date="2026-12-03", end_date="2026-12-05")
    await advance(hass, freezer, REFRESH_INTERVAL + timedelta(seconds=1))
    # Interval jobs run as background tasks, which block_till_done does not wait for.
    await hass.async_block_till_done(wait_background_tasks=True)
    assert set(grants(hass)) == {"Soon"}


async def test_longer_window_option(
    hass: HomeAssistant, rentals: None, writes: list[Event]
) -> None:
    """calendar_days widens what is read."""
    entry = await add_entry(
        hass, make_entry(calendar_entity_id=CALENDAR, calendar_days=30)
    )
    await add_event(hass, "Far away", start_date="2026-12-20", end_date="2026-12-22")
    await sync(hass, entry)
    assert set(grants(hass)) == {"Far away"}


async def test_missing_calendar_touches_nothing(
    hass: HomeAssistant,
    rentals: None,
    writes: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A calendar that does not exist is reported once; grants are left alone."""
    entry = await add_entry(hass, make_entry(calendar_entity_id="calendar.gone"))
    await create_grant(hass, starts_in=timedelta(days=1))
    await sync(hass, entry)
    await sync(hass, entry)
    assert caplog.text.count("calendar.gone does not exist") == 1
    assert set(grants(hass)) == {"Jane Doe"}


async def test_cancelled_booking_clears_code(
    hass: HomeAssistant, synced: MockConfigEntry, writes: list[Event]
) -> None:
    """A booking cancelled inside its window has its code cleared from the lock."""
    await add_event(
        hass,
        "Late guest",
        start_date_time="2026-12-01 13:30:00",
        end_date_time="2026-12-02 10:00:00",
    )
    await sync(hass, synced)
    code = grants(hass)["Late guest"].code
    assert code in set_writes(writes).values()
    [event] = await events(hass)
    await hass.data[DATA_COMPONENT].get_entity(CALENDAR).async_delete_event(event.uid)
    await sync(hass, synced)
    assert code not in set_writes(writes).values()
    assert hass.data[DATA_STORAGE].state.grants == {}
    assert DOMAIN


async def restart_integration(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Stop the lock's entry, read the integration's state back from disk, start again."""
    await hass.data[DATA_STORAGE].async_save()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    storage = StateStorage(hass)
    assert await storage.async_load()
    hass.data[DATA_STORAGE] = storage
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def test_booking_moved_beyond_the_window_keeps_its_grant(
    hass: HomeAssistant,
    synced: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A booking moved 20 days out (window: 14) is the same booking, not a cancellation.

    Before, the grant was deleted as cancelled, and when the booking came back into the
    window a new grant with a new id and another code was made: the guest, already told
    a code, got a second, different one.
    """
    issued = async_capture_events(hass, EVENT_ISSUED)
    await add_event(hass, "Guest A", start_date="2026-12-02", end_date="2026-12-04")
    await sync(hass, synced)
    [before] = grants(hass).values()
    starts_at = before.starts_at  # the grant object itself is updated in place
    assert [e.data["access_method"]["code"] for e in issued] == [before.code]

    await move_event(hass, date(2026, 12, 21), date(2026, 12, 23))
    await sync(hass, synced)
    [moved] = grants(hass).values()
    assert (moved.grant_id, moved.code) == (before.grant_id, before.code)
    assert moved.starts_at.isoformat() == "2026-12-21T14:00:00+00:00"
    assert "1 moved beyond the 14-day window, kept), 0 cancelled" in caplog.text

    # Across a restart (state read back from disk, calendar read at start) too.
    await restart_integration(hass, synced)
    await sync(hass, synced)
    [kept] = grants(hass).values()
    assert (kept.grant_id, kept.code) == (before.grant_id, before.code)

    # Back inside the window: still the same grant; the guest is told nothing new.
    await move_event(hass, date(2026, 12, 2), date(2026, 12, 4))
    await sync(hass, synced)
    [back] = grants(hass).values()
    assert (back.grant_id, back.code) == (before.grant_id, before.code)
    assert back.starts_at == starts_at
    assert len(issued) == 1


async def test_cancelled_after_moving_out_is_deleted(
    hass: HomeAssistant, synced: MockConfigEntry
) -> None:
    """A booking moved beyond the window and then cancelled there is deleted."""
    await add_event(hass, "Guest A", start_date="2026-12-03", end_date="2026-12-05")
    await sync(hass, synced)
    [event] = await events(hass)
    await move_event(hass, date(2027, 3, 1), date(2027, 3, 4))
    await sync(hass, synced)
    assert set(grants(hass)) == {"Guest A"}
    entity = hass.data[DATA_COMPONENT].get_entity(CALENDAR)
    await entity.async_delete_event(event.uid)
    await sync(hass, synced)
    assert grants(hass) == {}


async def test_far_read_failing_deletes_nothing(
    hass: HomeAssistant, synced: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """If the calendar cannot be read beyond the window, nothing counts as cancelled."""
    await add_event(hass, "Guest A", start_date="2026-12-03", end_date="2026-12-05")
    await sync(hass, synced)
    await move_event(hass, date(2026, 12, 21), date(2026, 12, 23))
    entity = hass.data[DATA_COMPONENT].get_entity(CALENDAR)
    window_end = dt_util.now() + timedelta(days=14)
    read = entity.async_get_events

    async def failing_beyond(hass: HomeAssistant, start: Any, end: Any) -> Any:
        if start >= window_end - timedelta(minutes=1):
            raise HomeAssistantError("feed unreachable")
        return await read(hass, start, end)

    entity.async_get_events = failing_beyond  # type: ignore[method-assign]
    await sync(hass, synced)
    assert set(grants(hass)) == {"Guest A"}
    assert "feed unreachable" in caplog.text
