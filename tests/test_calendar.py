"""The grants calendar of each lock: events, changes from the calendar, and who may change."""

from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    CLIENT_ID,
    MockConfigEntry,
    MockUser,
    async_capture_events,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.backup_access_codes.const import DOMAIN, EVENT_ISSUED
from custom_components.backup_access_codes.store import DATA_STORAGE
from homeassistant.auth.const import GROUP_ID_USER
from homeassistant.auth.models import User
from homeassistant.components.calendar.const import DATA_COMPONENT
from homeassistant.core import Context, Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized, UnknownUser
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import (
    CALENDAR,
    LOCK,
    add_entry,
    add_event,
    advance,
    advance_to,
    create_grant,
    make_entry,
    set_online,
    set_writes,
)

GRANTS = "calendar.front_door_access_grants"
BACK_GRANTS = "calendar.back_door_access_grants"


def grants(hass: HomeAssistant) -> dict[str, Any]:
    """Stored grants by id."""
    return dict(hass.data[DATA_STORAGE].state.grants)


def only_grant(hass: HomeAssistant) -> Any:
    """The one stored grant."""
    (grant,) = grants(hass).values()
    return grant


def local(when: datetime) -> str:
    """A moment as Home Assistant's time zone writes it."""
    return dt_util.as_local(when).isoformat()


async def get_events(
    hass: HomeAssistant, entity_id: str = GRANTS, days: int = 30
) -> list[dict[str, Any]]:
    """The calendar's events through the calendar.get_events action."""
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {"duration": {"days": days}},
        target={"entity_id": entity_id},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    events: list[dict[str, Any]] = response[entity_id]["events"]
    return events


async def create_event(
    hass: HomeAssistant, context: Context | None = None, **data: Any
) -> None:
    """Create an event in the front door's grants calendar through the action."""
    await hass.services.async_call(
        "calendar",
        "create_event",
        {"summary": "Jane Doe", **data},
        target={"entity_id": GRANTS},
        blocking=True,
        context=context,
    )
    await hass.async_block_till_done()


def stay(starts_in: timedelta, length: timedelta = timedelta(days=2)) -> dict[str, str]:
    """The action's fields for a timed stay starting ``starts_in`` from now."""
    now = dt_util.now()
    return {
        "start_date_time": (now + starts_in).isoformat(),
        "end_date_time": (now + starts_in + length).isoformat(),
    }


def ws_stay(
    starts_in: timedelta, length: timedelta = timedelta(days=2)
) -> dict[str, str]:
    """A websocket event body for a timed stay, as the Calendar panel sends it."""
    now = dt_util.now()
    return {
        "summary": "Jane Doe",
        "dtstart": (now + starts_in).isoformat(),
        "dtend": (now + starts_in + length).isoformat(),
    }


async def non_admin(hass: HomeAssistant) -> User:
    """A user who is neither an admin nor read-only (the first user would be the owner)."""
    group = await hass.auth.async_get_group(GROUP_ID_USER)
    assert group is not None
    return MockUser(name="Cleaner", groups=[group]).add_to_hass(hass)


async def token_for(hass: HomeAssistant, user: User) -> str:
    """An access token of that user."""
    refresh_token = await hass.auth.async_create_refresh_token(user, CLIENT_ID)
    return hass.auth.async_create_access_token(refresh_token)


async def add_automation(
    hass: HomeAssistant, trigger: dict[str, Any], action: dict[str, Any]
) -> None:
    """A real automation with one trigger and one action."""
    assert await async_setup_component(
        hass, "automation", {"automation": {"triggers": [trigger], "actions": [action]}}
    )


async def test_sixth_entity_on_the_locks_device(
    hass: HomeAssistant, entry: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """One calendar per lock, beside the sensors, whatever the number of grants."""
    entries = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    assert len(entries) == 6
    calendar = entity_registry.async_get(GRANTS)
    assert calendar is not None
    assert calendar.translation_key == "access_grants"
    assert calendar.unique_id == f"{entry.unique_id}_access_grants"
    assert {e.device_id for e in entries} == {calendar.device_id}
    state = hass.states.get(GRANTS)
    assert state is not None
    assert state.state == "off"
    assert state.attributes["friendly_name"] == "Front door Access grants"
    assert state.attributes["supported_features"] == 7  # create, delete, update
    for days in range(1, 6):
        await create_grant(hass, starts_in=timedelta(days=days))
    assert len(er.async_entries_for_config_entry(entity_registry, entry.entry_id)) == 6


async def test_grants_are_events(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Summary, times, uid and a description of each grant on this lock only."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    far = await create_grant(hass, starts_in=timedelta(days=5))
    await set_online(hass, False)
    near = await create_grant(hass, starts_in=timedelta(hours=1), name="Last Minute")
    grant = grants(hass)[near["access_grant_id"]]

    events = await get_events(hass)
    assert [e["summary"] for e in events] == ["Last Minute", "Jane Doe"]
    assert events[0]["start"] == local(grant.starts_at)
    assert events[0]["end"] == local(grant.ends_at)
    assert events[0]["location"] == "Front door"
    assert events[0]["description"].splitlines() == [
        "Backup code issued (slot 20).",
        "Told at 2026-12-01 13:00.",
        "No use reported yet.",
        f"Access grant ID: {near['access_grant_id']}",
    ]
    assert events[1]["description"].splitlines()[0] == (
        "Scheduled: the guest is told a code at 2026-12-05 01:00."
    )

    # The uid is the access grant id (the entity's events carry it; the action drops it).
    entity = hass.data[DATA_COMPONENT].get_entity(GRANTS)
    now = dt_util.now()
    listed = await entity.async_get_events(hass, now, now + timedelta(days=30))
    assert [e.uid for e in listed] == [near["access_grant_id"], far["access_grant_id"]]
    assert all(e.start.tzinfo is not None for e in listed)
    # A range that ends before a stay starts leaves it out.
    soon = await entity.async_get_events(hass, now, now + timedelta(days=2))
    assert [e.uid for e in soon] == [near["access_grant_id"]]


async def test_state_follows_the_current_or_next_stay(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Off with the next stay's name, on during a stay, off again once it is deleted."""
    response = await create_grant(
        hass, starts_in=timedelta(hours=3), length=timedelta(hours=4)
    )
    await create_grant(hass, starts_in=timedelta(days=3), name="Next Guest")
    state = hass.states.get(GRANTS)
    assert state.state == "off"
    assert state.attributes["message"] == "Jane Doe"
    assert state.attributes["description"].startswith("Scheduled code issued")

    await advance(hass, freezer, timedelta(hours=3))
    state = hass.states.get(GRANTS)
    assert state.state == "on"
    assert state.attributes["description"].startswith(
        "Scheduled code issued and on the lock (slot 25)."
    )

    # Deleted through the calendar entity itself.
    entity = hass.data[DATA_COMPONENT].get_entity(GRANTS)
    await entity.async_delete_event(response["access_grant_id"])
    await hass.async_block_till_done()
    state = hass.states.get(GRANTS)
    assert state.state == "off"
    assert state.attributes["message"] == "Next Guest"

    # After the last stay ends, the calendar is empty.
    await advance(hass, freezer, timedelta(days=6))
    state = hass.states.get(GRANTS)
    assert state.state == "off"
    assert "message" not in state.attributes
    assert await get_events(hass) == []


async def test_calendar_trigger_before_check_in(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A calendar trigger on the grants calendar runs an automation before a stay."""
    await add_automation(
        hass,
        {
            "trigger": "calendar",
            "event": "start",
            "entity_id": GRANTS,
            "offset": "-1:00",
        },
        {
            "event": "test_arrival",
            "event_data": {"name": "{{ trigger.calendar_event.summary }}"},
        },
    )
    arrivals = async_capture_events(hass, "test_arrival")
    await create_grant(hass, starts_in=timedelta(hours=3), name="Early Bird")
    await advance_to(hass, freezer, dt_util.utcnow() + timedelta(hours=1, minutes=55))
    assert arrivals == []
    await advance_to(hass, freezer, dt_util.utcnow() + timedelta(minutes=10))
    assert [e.data["name"] for e in arrivals] == ["Early Bird"]
    # Detach the trigger: its 15-minute poll would outlive the test.
    await hass.services.async_call(
        "automation", "turn_off", {"entity_id": "all"}, blocking=True
    )


async def test_create_event_makes_a_grant(
    hass: HomeAssistant, entry: MockConfigEntry, writes: list[Event]
) -> None:
    """calendar.create_event: a grant on this lock with a generated code, told as usual."""
    issued = async_capture_events(hass, EVENT_ISSUED)
    await create_event(hass, description="ignored", **stay(timedelta(minutes=30)))
    grant = only_grant(hass)
    assert grant.name == "Jane Doe"
    assert grant.starts_at == dt_util.utcnow() + timedelta(minutes=30)
    assert grant.starts_at.tzinfo == dt_util.UTC
    assert list(grant.locks) == [entry.entry_id]
    assert grant.key is None
    assert len(grant.code) == 6
    assert grant.code.isdigit()
    # Within its program window: told and programmed at once.
    assert issued[0].data["access_method"]["code"] == grant.code
    assert issued[0].data["access_method"]["is_backup_code"] is False
    assert grant.code in set_writes(writes).values()
    assert hass.states.get(GRANTS).attributes["message"] == "Jane Doe"


async def test_all_day_event_gets_check_in_and_out(
    hass: HomeAssistant, writes: list[Event]
) -> None:
    """An all-day event reads like a rental site's booking: each day is a night."""
    await hass.config.async_set_time_zone("America/New_York")
    await add_entry(
        hass, make_entry(check_in_time="16:00:00", check_out_time="10:30:00")
    )
    await create_event(hass, start_date="2026-12-05", end_date="2026-12-08")
    grant = only_grant(hass)
    assert grant.starts_at.isoformat() == "2026-12-05T21:00:00+00:00"  # 16:00 EST
    assert grant.ends_at.isoformat() == "2026-12-08T15:30:00+00:00"  # 10:30 EST
    # The calendar shows the stay with its times.
    (event,) = await get_events(hass)
    assert event["start"] == "2026-12-05T16:00:00-05:00"
    assert event["end"] == "2026-12-08T10:30:00-05:00"


async def test_websocket_create_update_delete(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    writes: list[Event],
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The Calendar panel's commands create, move, rename and delete grants."""
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "calendar/event/create",
            "entity_id": GRANTS,
            "event": ws_stay(timedelta(minutes=30)),
        }
    )
    assert (await client.receive_json())["success"]
    await hass.async_block_till_done()
    grant = only_grant(hass)
    slot = next(s for s, c in set_writes(writes).items() if c == grant.code)

    # Moved a day later (out of its program window) and renamed.
    await client.send_json_auto_id(
        {
            "type": "calendar/event/update",
            "entity_id": GRANTS,
            "uid": grant.grant_id,
            "event": {**ws_stay(timedelta(days=1)), "summary": "Jane Roe"},
        }
    )
    assert (await client.receive_json())["success"]
    await hass.async_block_till_done()
    assert grant.name == "Jane Roe"
    assert grant.starts_at == dt_util.utcnow() + timedelta(days=1)
    assert slot not in set_writes(writes)  # its early code was cleared
    assert (await get_events(hass))[0]["summary"] == "Jane Roe"

    # Naive times, as the panel sends them, are read in Home Assistant's time zone.
    start = dt_util.now().replace(tzinfo=None) + timedelta(days=2)
    await client.send_json_auto_id(
        {
            "type": "calendar/event/update",
            "entity_id": GRANTS,
            "uid": grant.grant_id,
            "event": {
                "summary": "Jane Roe",
                "dtstart": start.isoformat(),
                "dtend": (start + timedelta(days=1)).isoformat(),
            },
        }
    )
    assert (await client.receive_json())["success"]
    assert grant.starts_at == dt_util.utcnow() + timedelta(days=2)

    await client.send_json_auto_id(
        {"type": "calendar/event/delete", "entity_id": GRANTS, "uid": grant.grant_id}
    )
    assert (await client.receive_json())["success"]
    await hass.async_block_till_done()
    assert grants(hass) == {}
    assert await get_events(hass) == []


async def test_delete_clears_the_code(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    writes: list[Event],
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Deleting a stay in its window clears its programmed code from the lock."""
    await create_grant(hass, starts_in=timedelta(minutes=30))
    grant = only_grant(hass)
    assert grant.code in set_writes(writes).values()
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "calendar/event/delete", "entity_id": GRANTS, "uid": grant.grant_id}
    )
    assert (await client.receive_json())["success"]
    await hass.async_block_till_done()
    assert grant.code not in set_writes(writes).values()


async def test_open_views_follow_changes(
    hass: HomeAssistant, entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """A subscribed Calendar panel sees grants made elsewhere, and their status change."""
    client = await hass_ws_client(hass)
    now = dt_util.now()
    await client.send_json_auto_id(
        {
            "type": "calendar/event/subscribe",
            "entity_id": GRANTS,
            "start": now.isoformat(),
            "end": (now + timedelta(days=30)).isoformat(),
        }
    )
    assert (await client.receive_json())["success"]
    assert (await client.receive_json())["event"]["events"] == []

    # Far enough ahead that the calendar's own state (current/next) changes only once.
    await create_grant(hass, starts_in=timedelta(days=1))
    pushed = (await client.receive_json())["event"]["events"]
    assert [e["summary"] for e in pushed] == ["Jane Doe"]
    await create_grant(hass, starts_in=timedelta(days=5), name="Later Guest")
    pushed = (await client.receive_json())["event"]["events"]
    assert [e["summary"] for e in pushed] == ["Jane Doe", "Later Guest"]


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (stay(-timedelta(days=3), timedelta(days=1)), "ends_in_past"),
        ({"start_date": "2026-11-20", "end_date": "2026-11-22"}, "ends_in_past"),
    ],
)
async def test_bad_times_refused(
    hass: HomeAssistant, entry: MockConfigEntry, data: dict[str, str], key: str
) -> None:
    """A stay over already is refused with the actions' translated error."""
    with pytest.raises(ServiceValidationError) as err:
        await create_event(hass, **data)
    assert err.value.translation_key == key
    assert grants(hass) == {}


async def test_bad_input_from_the_panel(
    hass: HomeAssistant, entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """Recurring or backwards events, unknown uids: translated errors, nothing changes."""
    await create_grant(hass, starts_in=timedelta(days=1))
    grant = only_grant(hass)
    before = (grant.name, grant.starts_at, grant.ends_at)
    client = await hass_ws_client(hass)

    async def answer(message: dict[str, Any]) -> dict[str, Any]:
        await client.send_json_auto_id({"entity_id": GRANTS, **message})
        reply = await client.receive_json()
        assert not reply["success"]
        error: dict[str, Any] = reply["error"]
        return error

    weekly = {**ws_stay(timedelta(days=2)), "rrule": "FREQ=WEEKLY;COUNT=4"}
    error = await answer({"type": "calendar/event/create", "event": weekly})
    assert error["message"] == (
        "An access grant is one stay and cannot repeat: create one event per stay"
    )
    error = await answer(
        {"type": "calendar/event/update", "uid": grant.grant_id, "event": weekly}
    )
    assert error["message"].startswith("An access grant is one stay")
    error = await answer({"type": "calendar/event/delete", "uid": "no-such-grant"})
    assert error["message"] == "There is no access grant with id no-such-grant"
    # Backwards: Home Assistant's calendar schema refuses it before the integration.
    backwards = ws_stay(timedelta(days=2), -timedelta(hours=1))
    error = await answer({"type": "calendar/event/create", "event": backwards})
    assert error["code"] == "invalid_format"
    assert (grant.name, grant.starts_at, grant.ends_at) == before
    assert len(grants(hass)) == 1

    # Called directly (as another integration would), backwards is the actions' error.
    entity = hass.data[DATA_COMPONENT].get_entity(GRANTS)
    start = dt_util.now() + timedelta(days=2)
    with pytest.raises(ServiceValidationError) as err:
        await entity.async_create_event(
            summary="Backwards", dtstart=start, dtend=start - timedelta(hours=1)
        )
    assert err.value.translation_key == "ends_before_starts"
    with pytest.raises(ServiceValidationError) as err:
        await entity.async_update_event(
            grant.grant_id,
            {"dtstart": start, "dtend": dt_util.now() - timedelta(days=1)},
        )
    assert err.value.translation_key == "ends_before_starts"
    assert len(grants(hass)) == 1
    assert (grant.name, grant.starts_at, grant.ends_at) == before


async def test_grant_of_another_lock_is_not_this_calendars(
    hass: HomeAssistant, writes: list[Event], hass_ws_client: WebSocketGenerator
) -> None:
    """Each calendar lists its lock's grants; a grant on both locks shows on both."""
    front = await add_entry(hass, make_entry())
    await add_entry(hass, make_entry("lock.back_door"))
    await create_grant(hass, starts_in=timedelta(days=1), lock="lock.back_door")
    both = await create_grant(
        hass, starts_in=timedelta(days=2), lock=[LOCK, "lock.back_door"], name="Both"
    )
    assert [e["summary"] for e in await get_events(hass)] == ["Both"]
    assert [e["summary"] for e in await get_events(hass, BACK_GRANTS)] == [
        "Jane Doe",
        "Both",
    ]
    back_only = next(g for g in grants(hass).values() if g.name == "Jane Doe")
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "calendar/event/delete",
            "entity_id": GRANTS,
            "uid": back_only.grant_id,
        }
    )
    reply = await client.receive_json()
    assert reply["error"]["message"] == (
        f"The access grant {back_only.grant_id} is not on Front door"
    )
    assert back_only.grant_id in grants(hass)
    # Moving the shared grant in one calendar moves it on both locks.
    await client.send_json_auto_id(
        {
            "type": "calendar/event/update",
            "entity_id": GRANTS,
            "uid": both["access_grant_id"],
            "event": {**ws_stay(timedelta(days=3)), "summary": "Both"},
        }
    )
    assert (await client.receive_json())["success"]
    back_events = await get_events(hass, BACK_GRANTS)
    assert back_events[1]["start"] == local(dt_util.utcnow() + timedelta(days=3))
    assert front.entry_id in grants(hass)[both["access_grant_id"]].locks


async def test_non_admin_refused_through_actions(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_admin_user: User,
    hass_read_only_user: User,
) -> None:
    """As the integration's own actions: admins and automations may, other users not."""
    user = await non_admin(hass)
    with pytest.raises(Unauthorized) as err:
        await create_event(hass, Context(user_id=user.id), **stay(timedelta(days=1)))
    assert str(err.value) == (
        "Only an administrator can create, change or delete access grants: "
        "they make door codes"
    )
    with pytest.raises(Unauthorized):  # refused by Home Assistant: no control at all
        await create_event(
            hass, Context(user_id=hass_read_only_user.id), **stay(timedelta(days=1))
        )
    with pytest.raises(UnknownUser):
        await create_event(hass, Context(user_id="gone"), **stay(timedelta(days=1)))
    assert grants(hass) == {}
    await create_event(
        hass, Context(user_id=hass_admin_user.id), **stay(timedelta(days=1))
    )
    await create_event(hass, **stay(timedelta(days=2)))  # an automation: no user
    assert len(grants(hass)) == 2
    # Reading is for everyone who may see the entity: the events hold no code.
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {"duration": {"days": 30}},
        target={"entity_id": GRANTS},
        blocking=True,
        return_response=True,
        context=Context(user_id=user.id),
    )
    assert len(response[GRANTS]["events"]) == 2


async def test_non_admin_refused_in_the_panel(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    """The Calendar panel's commands refuse a non-admin; nothing is created or changed."""
    await create_grant(hass, starts_in=timedelta(days=1))
    grant = only_grant(hass)
    user_client = await hass_ws_client(
        hass, await token_for(hass, await non_admin(hass))
    )
    read_only_client = await hass_ws_client(hass, hass_read_only_access_token)
    messages: list[dict[str, Any]] = [
        {"type": "calendar/event/create", "event": ws_stay(timedelta(days=3))},
        {
            "type": "calendar/event/update",
            "uid": grant.grant_id,
            "event": {**ws_stay(timedelta(days=4)), "summary": "Changed"},
        },
        {"type": "calendar/event/delete", "uid": grant.grant_id},
    ]
    for message in messages:
        await user_client.send_json_auto_id({"entity_id": GRANTS, **message})
        reply = await user_client.receive_json()
        assert not reply["success"]
        assert reply["error"]["message"].startswith("Only an administrator")
        await read_only_client.send_json_auto_id({"entity_id": GRANTS, **message})
        reply = await read_only_client.receive_json()
        assert reply["error"]["code"] == "unauthorized"
    assert list(grants(hass)) == [grant.grant_id]
    assert grant.name == "Jane Doe"
    # The same user calling the calendar action over the websocket is refused too.
    await user_client.send_json_auto_id(
        {
            "type": "call_service",
            "domain": "calendar",
            "service": "create_event",
            "target": {"entity_id": GRANTS},
            "service_data": {"summary": "Sneaky", **stay(timedelta(days=3))},
        }
    )
    reply = await user_client.receive_json()
    assert reply["error"]["code"] == "home_assistant_error"  # as for admin-only actions
    assert reply["error"]["translation_key"] == "admin_required"
    assert len(grants(hass)) == 1


async def test_automation_started_by_a_non_admin_may_create(
    hass: HomeAssistant, entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """An automation has no user, even when a non-admin's action triggered it."""
    await add_automation(
        hass,
        {"trigger": "state", "entity_id": "input_boolean.writes_raise", "to": "on"},
        {
            "action": "calendar.create_event",
            "target": {"entity_id": GRANTS},
            "data": {"summary": "Walk-in", **stay(timedelta(days=1))},
        },
    )
    client = await hass_ws_client(hass, await token_for(hass, await non_admin(hass)))
    await client.send_json_auto_id(
        {
            "type": "call_service",
            "domain": "input_boolean",
            "service": "turn_on",
            "target": {"entity_id": "input_boolean.writes_raise"},
        }
    )
    assert (await client.receive_json())["success"]
    await hass.async_block_till_done()
    assert only_grant(hass).name == "Walk-in"


async def test_reservation_grants_are_changed_in_their_calendar(
    hass: HomeAssistant,
    rentals: None,
    writes: list[Event],
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A booking's grant shows, and changing it here says which calendar owns it."""
    await add_entry(hass, make_entry(calendar_entity_id=CALENDAR))
    await add_event(
        hass, "Jane Doe (HMABC)", start_date="2026-12-05", end_date="2026-12-08"
    )
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    await entry.runtime_data.calendar_sync.async_refresh()
    await hass.async_block_till_done()
    grant = only_grant(hass)
    (event,) = await get_events(hass)
    assert event["summary"] == "Jane Doe (HMABC)"
    assert (
        "From the reservation calendar Rentals: change or cancel the booking there."
        in event["description"]
    )
    client = await hass_ws_client(hass)
    managed = (
        "Jane Doe (HMABC) comes from the reservation calendar Rentals: "
        "change or cancel the booking there"  # Home Assistant drops the final period
    )
    for message in (
        {
            "type": "calendar/event/update",
            "uid": grant.grant_id,
            "event": {**ws_stay(timedelta(days=1)), "summary": "Renamed"},
        },
        {"type": "calendar/event/delete", "uid": grant.grant_id},
    ):
        await client.send_json_auto_id({"entity_id": GRANTS, **message})
        reply = await client.receive_json()
        assert reply["error"]["message"] == managed
    with pytest.raises(ServiceValidationError) as err:
        await (
            hass.data[DATA_COMPONENT]
            .get_entity(GRANTS)
            .async_delete_event(grant.grant_id)
        )
    assert err.value.translation_key == "managed_by_calendar"
    assert grant.name == "Jane Doe (HMABC)"
    assert list(grants(hass)) == [grant.grant_id]
    # A stay created here is the host's own: the next sync leaves it alone.
    await create_event(hass, summary="Walk-in", **stay(timedelta(days=10)))
    await entry.runtime_data.calendar_sync.async_refresh()
    await hass.async_block_till_done()
    assert sorted(g.name for g in grants(hass).values()) == [
        "Jane Doe (HMABC)",
        "Walk-in",
    ]

    # Without a reservation calendar nothing syncs the grant any more: the host may edit.
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, "calendar_entity_id": None}
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await client.send_json_auto_id(
        {"type": "calendar/event/delete", "entity_id": GRANTS, "uid": grant.grant_id}
    )
    assert (await client.receive_json())["success"]
    assert sorted(g.name for g in grants(hass).values()) == ["Walk-in"]


async def test_own_grants_calendar_is_no_reservation_calendar(
    hass: HomeAssistant, writes: list[Event], caplog: pytest.LogCaptureFixture
) -> None:
    """Reading a grants calendar as bookings would copy every grant again: refused."""
    entry = await add_entry(hass, make_entry(calendar_entity_id=GRANTS))
    await create_grant(hass, starts_in=timedelta(days=1))
    await entry.runtime_data.calendar_sync.async_refresh()
    await entry.runtime_data.calendar_sync.async_refresh()
    await hass.async_block_till_done()
    assert len(grants(hass)) == 1
    assert f"{GRANTS} holds access grants, not bookings" in caplog.text


async def test_no_code_anywhere_in_the_calendar(
    hass: HomeAssistant,
    writes: list[Event],
    hass_client: ClientSessionGenerator,
) -> None:
    """Not in the state, the events, or the calendar API, even with show_codes on."""
    await add_entry(hass, make_entry(show_codes=True))
    issued = async_capture_events(hass, EVENT_ISSUED)
    await set_online(hass, False)
    await create_grant(hass, starts_in=timedelta(minutes=10))
    backup = issued[0].data["access_method"]["code"]
    scheduled = only_grant(hass).code
    assert issued[0].data["access_method"]["is_backup_code"]

    state = hass.states.get(GRANTS)
    assert state.state == "off"
    assert "Backup code issued" in state.attributes["description"]
    client = await hass_client()
    now = dt_util.now()
    response = await client.get(
        f"/api/calendars/{GRANTS}",
        params={
            "start": now.isoformat(),
            "end": (now + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status == 200
    api_events = await response.json()
    assert api_events[0]["uid"] == only_grant(hass).grant_id
    for text in (
        str(state.as_dict()),
        str(await get_events(hass)),
        str(api_events),
    ):
        assert backup not in text
        assert scheduled not in text
