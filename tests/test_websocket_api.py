"""The Access codes panel's WebSocket API, against real Home Assistant."""

from datetime import timedelta
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.backup_access_codes.const import DOMAIN, EVENT_ISSUED
from custom_components.backup_access_codes.store import DATA_STORAGE
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util

from .conftest import LOCK, add_entry, advance, create_grant, make_entry, set_online

BACK = "lock.back_door"


class Client:
    """A WebSocket client that numbers its own commands."""

    def __init__(self, ws: Any) -> None:
        """Wrap the test client."""
        self.ws = ws

    async def send(self, type_: str, **data: Any) -> dict[str, Any]:
        """Send ``backup_access_codes/<type_>`` and return the whole answer."""
        await self.ws.send_json_auto_id({"type": f"{DOMAIN}/{type_}", **data})
        answer: dict[str, Any] = await self.ws.receive_json()
        return answer

    async def result(self, type_: str, **data: Any) -> Any:
        """Send a command that must succeed; return its result."""
        answer = await self.send(type_, **data)
        assert answer["success"], answer
        return answer["result"]


@pytest.fixture
async def client(hass: HomeAssistant, hass_ws_client: WebSocketGenerator) -> Client:
    """The owner's connection (an admin)."""
    return Client(await hass_ws_client(hass))


def iso_in(delta: timedelta) -> str:
    """A time ``delta`` from now."""
    return (dt_util.utcnow() + delta).isoformat()


def told_codes(events: list[Event]) -> set[str]:
    """Every code the guests were told."""
    return {e.data["access_method"]["code"] for e in events}


async def test_locks_show_reachability_pool_slots_and_writes(
    hass: HomeAssistant, entry: MockConfigEntry, client: Client
) -> None:
    """One lock: online, five ready codes, its slot layout and its last write."""
    (lock,) = (await client.result("locks"))["locks"]
    assert lock["entry_id"] == entry.entry_id
    assert lock["lock_entity_id"] == LOCK
    assert lock["name"] == "Front door"
    assert lock["provider"] == "script"
    assert lock["online"] is True
    assert lock["offline_reason"] is None
    assert lock["pool"] == {
        "size": 5,
        "ready": 5,
        "in_use": 0,
        "failed": 0,
        "rotating": 0,
        "empty": False,
        "partial": False,
        "many_active": False,
    }
    assert lock["slots"] == {
        "first": 20,
        "last": 29,
        "pool": [20, 24],
        "grants": [25, 29],
    }
    assert lock["supports_pool"] is True
    assert lock["last_write_at"] == dt_util.utcnow().isoformat()
    assert lock["unverified_slots"] == [20, 21, 22, 23, 24]  # scripts cannot read back
    assert lock["calendar_entity_id"] is None

    await set_online(hass, False)
    (lock,) = (await client.result("locks"))["locks"]
    assert lock["online"] is False
    assert lock["offline_reason"] == "unavailable"


async def test_grants_without_codes_and_reveal(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    client: Client,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Offline lock: the panel's grant gets a backup code; only reveal_code shows it."""
    issued = async_capture_events(hass, EVENT_ISSUED)
    await set_online(hass, False)
    created = await client.result(
        "create_grant",
        lock_entity_id=[LOCK],
        name="Jane Doe",
        starts_at=iso_in(timedelta(minutes=10)),
        ends_at=iso_in(timedelta(days=2)),
    )
    await hass.async_block_till_done()
    grant_id = created["access_grant_id"]
    (part,) = created["locks"]
    assert part["status"] == "backup_issued"
    assert part["is_backup_code"] is True
    assert part["has_code"] is True
    assert "code" not in part

    answer = await client.result("grants")
    (grant,) = answer["grants"]
    assert grant["access_grant_id"] == grant_id
    assert grant["name"] == "Jane Doe"
    assert grant["from_calendar"] is False
    (part,) = grant["locks"]
    assert part["lock_entity_id"] == LOCK
    assert part["entry_id"] == entry.entry_id
    assert part["slot"] == 20
    assert part["told_at"] == dt_util.utcnow().isoformat()
    assert part["first_used_at"] is None
    assert answer["past"] == []

    (code,) = told_codes(issued)
    held = {code, hass.data[DATA_STORAGE].state.grants[grant_id].code}
    for reply in (answer, await client.result("locks"), created):
        assert not any(c in json.dumps(reply) for c in held)

    revealed = await client.result(
        "reveal_code", access_grant_id=grant_id, lock_entity_id=LOCK
    )
    assert revealed["code"] == code
    assert revealed["is_backup_code"] is True
    assert revealed["slot"] == 20

    # Check-out: the stay moves to the past, still without a code.
    await advance(hass, freezer, timedelta(days=2))
    answer = await client.result("grants")
    assert answer["grants"] == []
    (stay,) = answer["past"]
    assert stay["access_grant_id"] == grant_id
    assert stay["locks"][0]["is_backup_code"] is True
    assert stay["locks"][0]["slot"] == 20
    assert not any(c in json.dumps(answer) for c in held)


async def test_reveal_code_refusals(
    hass: HomeAssistant, entry: MockConfigEntry, client: Client
) -> None:
    """No code told yet, an unknown grant, a lock the grant is not on: translated."""
    await add_entry(hass, make_entry(BACK, entry_id="back"))
    response = await create_grant(hass, timedelta(days=5))
    grant_id = response["access_grant_id"]
    for data, key, message in (
        (
            {"access_grant_id": grant_id, "lock_entity_id": LOCK},
            "no_code_told",
            "This guest has not been told a code on Front door yet.",
        ),
        (
            {"access_grant_id": "nope", "lock_entity_id": LOCK},
            "unknown_access_grant",
            "There is no access grant with id nope.",
        ),
        (
            {"access_grant_id": grant_id, "lock_entity_id": BACK},
            "grant_not_on_lock",
            f"The access grant {grant_id} is not on Back door.",
        ),
        (
            {"access_grant_id": grant_id, "lock_entity_id": "lock.nowhere"},
            "unknown_lock",
            "There is no lock lock.nowhere.",
        ),
    ):
        answer = await client.send("reveal_code", **data)
        assert not answer["success"]
        error = answer["error"]
        assert error["code"] == "home_assistant_error"
        assert error["translation_key"] == key
        assert error["translation_domain"] == DOMAIN
        assert error["message"] == message.rstrip(".")  # as Home Assistant words it


async def test_grant_commands_follow_the_actions_rules(
    hass: HomeAssistant, entry: MockConfigEntry, client: Client
) -> None:
    """Create, move, rename, issue a backup, rotate, delete; bad input loses nothing."""
    storage = hass.data[DATA_STORAGE]
    for data, key in (
        (
            {"starts_at": iso_in(timedelta(days=2)), "ends_at": iso_in(timedelta(1))},
            "ends_before_starts",
        ),
        ({"code": "111111"}, "code_weak"),
        ({"code": "12a456"}, "code_not_digits"),
        ({"lock_entity_id": []}, "no_lock_given"),  # as the action answers
    ):
        answer = await client.send(
            "create_grant",
            **{
                "lock_entity_id": [LOCK],
                "name": "Bad",
                "starts_at": iso_in(timedelta(days=1)),
                "ends_at": iso_in(timedelta(days=2)),
                **data,
            },
        )
        assert not answer["success"]
        assert answer["error"]["translation_key"] == key
    assert not storage.state.grants

    created = await client.result(
        "create_grant",
        lock_entity_id=LOCK,
        name="Jane Doe",
        starts_at=iso_in(timedelta(days=5)),
        ends_at=iso_in(timedelta(days=7)),
        code="482917",
    )
    grant = storage.state.grants[created["access_grant_id"]]
    assert grant.code == "482917"
    assert created["locks"][0]["status"] == "scheduled"

    await client.result(
        "update_grant",
        access_grant_id=grant.grant_id,
        name="Jane Smith",
        starts_at=iso_in(timedelta(days=4)),
    )
    assert grant.name == "Jane Smith"
    assert grant.starts_at == dt_util.utcnow() + timedelta(days=4)
    answer = await client.send(
        "update_grant",
        access_grant_id=grant.grant_id,
        ends_at=iso_in(timedelta(days=3)),
    )
    assert answer["error"]["translation_key"] == "ends_before_starts"
    assert grant.ends_at == dt_util.utcnow() + timedelta(days=7)  # unchanged

    issued = await client.result("issue_backup_code", access_grant_id=grant.grant_id)
    await hass.async_block_till_done()
    assert issued["locks"][0]["status"] == "backup_issued"
    assert "482917" not in json.dumps(issued)

    pool = storage.state.locks[entry.entry_id].pool
    idle_before = {p.slot: p.code for p in pool if p.grant_id is None}
    await client.result("rotate_backup_codes", lock_entity_id=LOCK)
    await hass.async_block_till_done()
    assert all(p.code != idle_before[p.slot] for p in pool if p.slot in idle_before)

    await client.result("delete_grant", access_grant_id=grant.grant_id)
    assert grant.grant_id not in storage.state.grants
    answer = await client.send("delete_grant", access_grant_id=grant.grant_id)
    assert answer["error"]["translation_key"] == "unknown_access_grant"


async def test_subscription_is_live(
    hass: HomeAssistant, entry: MockConfigEntry, client: Client
) -> None:
    """Every lock at once, then the changed lock after each evaluation; no polling."""
    await add_entry(hass, make_entry(BACK, entry_id="back"))
    subscription = await client.send("subscribe")
    assert subscription["success"]
    first = (await client.ws.receive_json())["event"]
    assert first["full"] is True
    assert {lock["lock_entity_id"] for lock in first["locks"]} == {LOCK, BACK}
    assert all(lock["grants"] == [] for lock in first["locks"])

    response = await create_grant(hass, timedelta(days=3))
    event = (await client.ws.receive_json())["event"]
    assert event["full"] is False
    assert event["removed"] == []
    (lock,) = event["locks"]
    assert lock["lock_entity_id"] == LOCK
    (grant,) = lock["grants"]
    assert grant["access_grant_id"] == response["access_grant_id"]
    assert grant["lock"]["status"] == "scheduled"
    assert response["code"] not in json.dumps(event)

    await set_online(hass, False, key="back_door")
    event = (await client.ws.receive_json())["event"]
    (lock,) = event["locks"]
    assert lock["lock_entity_id"] == BACK
    assert lock["offline_reason"] == "unavailable"

    assert await hass.config_entries.async_unload("back")
    await hass.async_block_till_done()
    event = (await client.ws.receive_json())["event"]
    while not event["full"]:  # the unload's own evaluations come first
        event = (await client.ws.receive_json())["event"]
    assert [lock["lock_entity_id"] for lock in event["locks"]] == [LOCK]

    await client.ws.send_json_auto_id(
        {"type": "unsubscribe_events", "subscription": subscription["id"]}
    )
    assert (await client.ws.receive_json())["success"]
    await create_grant(hass, timedelta(days=4))  # nothing more is sent
    assert (await client.result("locks"))["locks"][0]["lock_entity_id"] == LOCK


async def test_every_command_refuses_non_admins(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    """The panel's commands reveal or change codes: admins only."""
    response = await create_grant(hass, timedelta(minutes=10))
    grant_id = response["access_grant_id"]
    client = Client(await hass_ws_client(hass, hass_read_only_access_token))
    for type_, data in (
        ("locks", {}),
        ("grants", {}),
        ("subscribe", {}),
        ("reveal_code", {"access_grant_id": grant_id, "lock_entity_id": LOCK}),
        (
            "create_grant",
            {
                "lock_entity_id": LOCK,
                "name": "X",
                "starts_at": iso_in(timedelta(days=1)),
                "ends_at": iso_in(timedelta(days=2)),
            },
        ),
        ("update_grant", {"access_grant_id": grant_id, "name": "X"}),
        ("delete_grant", {"access_grant_id": grant_id}),
        ("issue_backup_code", {"access_grant_id": grant_id}),
        ("rotate_backup_codes", {"lock_entity_id": LOCK}),
    ):
        answer = await client.send(type_, **data)
        assert not answer["success"], type_
        assert answer["error"]["code"] == "unauthorized", type_
        assert response["code"] not in json.dumps(answer)
    grants = hass.data[DATA_STORAGE].state.grants
    assert grants[grant_id].name == "Jane Doe"  # nothing changed
