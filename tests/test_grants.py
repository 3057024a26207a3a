"""Access grants on a real lock: issue point, programming, checkout, reissue, failure."""

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.backup_access_codes.const import (
    DOMAIN,
    EVENT_ISSUE_FAILED,
    EVENT_ISSUED,
    EVENT_REISSUED,
)
from custom_components.backup_access_codes.pool import PoolStatus
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.util import dt as dt_util

from .conftest import (
    LOCK,
    add_entry,
    advance,
    advance_to,
    create_grant,
    make_entry,
    set_online,
    set_writes,
    set_writes_fail,
)

DAY = timedelta(days=1)


async def list_grants(hass: HomeAssistant, **data: str) -> list[dict]:
    """Call list_access_grants."""
    response = await hass.services.async_call(
        DOMAIN, "list_access_grants", data, blocking=True, return_response=True
    )
    return response["access_grants"]


async def test_issue_point_online_gives_scheduled_code(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    writes: list[Event],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Online at the issue point: the scheduled code, programmed an hour before check-in."""
    issued = async_capture_events(hass, EVENT_ISSUED)
    response = await create_grant(hass, starts_in=3 * DAY)
    grant_id, code = response["access_grant_id"], response["code"]
    starts_at = dt_util.utcnow() + 3 * DAY
    assert issued == []

    await advance_to(
        hass, freezer, starts_at - timedelta(hours=36) - timedelta(seconds=1)
    )
    assert issued == []
    await advance(hass, freezer, timedelta(seconds=1))
    assert len(issued) == 1
    data = issued[0].data
    device = (
        dr.async_get(hass).async_get(er.async_get(hass).async_get(LOCK).device_id)
        if er.async_get(hass).async_get(LOCK).device_id
        else None
    )
    assert data == {
        "event_type": "access_method.issued",
        "access_grant_id": grant_id,
        "name": "Jane Doe",
        "lock_entity_id": LOCK,
        "device_id": data["device_id"],
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + 2 * DAY).isoformat(),
        "access_method": {
            "mode": "code",
            "code": code,
            "is_backup_code": False,
            "slot": None,
            "issued_at": (starts_at - timedelta(hours=36)).isoformat(),
            "previously_used": False,
        },
    }
    assert device is None or data["device_id"] == device.id
    assert (
        data["device_id"] is not None
    )  # the lock's own device, or the one made for it

    # Not on the lock before the program point: it must not let the guest in early.
    await advance_to(hass, freezer, starts_at - timedelta(minutes=61))
    assert code not in set_writes(writes).values()
    await advance_to(hass, freezer, starts_at - timedelta(minutes=60))
    assert set_writes(writes)[25] == code
    [grant] = await list_grants(hass)
    assert grant["locks"] == [
        {
            "lock_entity_id": LOCK,
            "code": code,
            "is_backup_code": False,
            "slot": 25,
            "status": "programmed",
            "first_used_at": None,
        }
    ]

    # Cleared at check-out; the grant is gone.
    await advance_to(hass, freezer, starts_at + 2 * DAY)
    assert 25 not in set_writes(writes)
    assert await list_grants(hass) == []
    assert len(issued) == 1


async def test_issue_point_offline_gives_backup(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    writes: list[Event],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Offline at the issue point: a backup code; it is rotated after checkout."""
    issued = async_capture_events(hass, EVENT_ISSUED)
    pool_before = set_writes(writes)
    await create_grant(hass, starts_in=3 * DAY)
    starts_at = dt_util.utcnow() + 3 * DAY
    await set_online(hass, False)
    await advance_to(hass, freezer, starts_at - timedelta(hours=36))
    assert len(issued) == 1
    method = issued[0].data["access_method"]
    assert method["is_backup_code"] is True
    assert method["slot"] == 20
    assert method["code"] == pool_before[20]
    assert hass.states.get("sensor.front_door_issued_backup_codes").state == "1"
    assert hass.states.get("sensor.front_door_available_backup_codes").state == "4"

    # Still offline at checkout: the old code waits for rotation, then is replaced.
    await advance_to(hass, freezer, starts_at + 2 * DAY)
    pool = entry.runtime_data.coordinator.engine.state.pool
    assert pool[0].status is PoolStatus.ROTATING
    assert hass.states.get("sensor.front_door_issued_backup_codes").state == "0"
    await set_online(hass, True)
    assert pool[0].status is PoolStatus.PROGRAMMED
    new_code = set_writes(writes)[20]
    assert new_code != pool_before[20]
    assert hass.states.get("sensor.front_door_available_backup_codes").state == "5"


async def test_last_minute_grant_offline_within_seconds(
    hass: HomeAssistant, entry: MockConfigEntry, writes: list[Event]
) -> None:
    """A grant ten minutes away on an offline lock gets a backup code at once."""
    issued = async_capture_events(hass, EVENT_ISSUED)
    await set_online(hass, False)
    response = await create_grant(hass, starts_in=timedelta(minutes=10))
    assert len(issued) == 1
    assert issued[0].data["access_grant_id"] == response["access_grant_id"]
    assert issued[0].data["access_method"]["is_backup_code"] is True
    assert issued[0].data["access_method"]["issued_at"] == dt_util.utcnow().isoformat()
    [grant] = await list_grants(hass)
    assert grant["locks"][0]["status"] == "backup_issued"
    assert grant["locks"][0]["code"] == issued[0].data["access_method"]["code"]

    # Back online: the scheduled code is still programmed in its window; the guest keeps
    # the backup (either works).
    await set_online(hass, True)
    assert set_writes(writes)[25] == response["code"]
    [grant] = await list_grants(hass)
    assert grant["locks"][0]["is_backup_code"] is True


async def test_last_minute_grant_online(
    hass: HomeAssistant, entry: MockConfigEntry, writes: list[Event]
) -> None:
    """Online: the scheduled code is told and programmed at once."""
    issued = async_capture_events(hass, EVENT_ISSUED)
    response = await create_grant(hass, starts_in=timedelta(minutes=10))
    assert [e.data["access_method"]["code"] for e in issued] == [response["code"]]
    assert set_writes(writes)[25] == response["code"]


async def test_programming_failure_reissues_backup(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    writes: list[Event],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The lock refuses the scheduled code: after the quick retries a backup is reissued."""
    issued = async_capture_events(hass, EVENT_ISSUED)
    reissued = async_capture_events(hass, EVENT_REISSUED)
    response = await create_grant(hass, starts_in=2 * DAY)
    starts_at = dt_util.utcnow() + 2 * DAY
    await advance_to(hass, freezer, starts_at - timedelta(hours=2))
    assert len(issued) == 1 and reissued == []

    await set_writes_fail(hass, True)
    await advance_to(hass, freezer, starts_at - timedelta(minutes=60))
    assert reissued == []  # quick retries first
    await advance(hass, freezer, timedelta(seconds=10))
    await advance(hass, freezer, timedelta(seconds=30))
    assert len(reissued) == 1
    data = reissued[0].data
    assert data["event_type"] == "access_method.reissued"
    assert data["access_method"]["is_backup_code"] is True
    assert data["access_grant_id"] == response["access_grant_id"]

    # Programming keeps being retried in the window; the guest keeps the backup.
    await set_writes_fail(hass, False)
    await advance(hass, freezer, timedelta(minutes=5))
    assert set_writes(writes)[25] == response["code"]
    assert len(reissued) == 1
    [grant] = await list_grants(hass)
    assert grant["locks"][0]["code"] == data["access_method"]["code"]


async def test_offline_at_program_point_reissues(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    writes: list[Event],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Offline when the scheduled code must be programmed: a backup at once."""
    reissued = async_capture_events(hass, EVENT_REISSUED)
    await create_grant(hass, starts_in=2 * DAY)
    starts_at = dt_util.utcnow() + 2 * DAY
    await advance_to(hass, freezer, starts_at - timedelta(hours=2))
    await set_online(hass, False)
    await advance_to(hass, freezer, starts_at - timedelta(minutes=60))
    assert len(reissued) == 1


async def test_exhausted_pool_issue_failed_then_served(
    hass: HomeAssistant, writes: list[Event], freezer: FrozenDateTimeFactory
) -> None:
    """No code left: issue_failed once and a repair; served when a code frees up."""
    entry = await add_entry(hass, make_entry(pool_size=1, slot_count=4))
    issued = async_capture_events(hass, EVENT_ISSUED)
    failed = async_capture_events(hass, EVENT_ISSUE_FAILED)
    await set_online(hass, False)
    first = await create_grant(
        hass, starts_in=timedelta(minutes=10), length=timedelta(hours=5)
    )
    second = await create_grant(hass, starts_in=timedelta(minutes=20))
    assert [e.data["access_grant_id"] for e in issued] == [first["access_grant_id"]]
    assert len(failed) == 1
    assert failed[0].data["access_grant_id"] == second["access_grant_id"]
    assert failed[0].data["reason"] == "no_backup_code_available"
    assert set(failed[0].data) == {
        "access_grant_id",
        "name",
        "lock_entity_id",
        "device_id",
        "starts_at",
        "ends_at",
        "reason",
        "cause",
    }
    assert failed[0].data["cause"] == "lock_offline"
    issue_id = f"no_code_lock_offline_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    [_, grant] = await list_grants(hass)
    assert grant["locks"][0]["status"] == "issue_failed"

    # Time passes, still offline: no second issue_failed.
    await advance(hass, freezer, timedelta(hours=1))
    assert len(failed) == 1

    # The first guest checks out: the code waiting for rotation is the only one left.
    await advance_to(hass, freezer, dt_util.utcnow() + timedelta(hours=4, minutes=15))
    assert [e.data["access_grant_id"] for e in issued][-1] == second["access_grant_id"]
    assert issued[-1].data["access_method"]["is_backup_code"] is True
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_issue_failed_served_by_scheduled_code_when_online(
    hass: HomeAssistant, writes: list[Event]
) -> None:
    """A grant with no code gets its scheduled code when the lock comes back."""
    await set_online(hass, False)
    await add_entry(hass, make_entry())
    issued = async_capture_events(hass, EVENT_ISSUED)
    failed = async_capture_events(hass, EVENT_ISSUE_FAILED)
    response = await create_grant(hass, starts_in=timedelta(minutes=30))
    assert len(failed) == 1 and issued == []
    await set_online(hass, True)
    assert [e.data["access_method"]["code"] for e in issued] == [response["code"]]
    assert issued[0].data["access_method"]["is_backup_code"] is False
    assert set_writes(writes)[25] == response["code"]


async def test_many_active_backup_codes(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """More than 3 of 5 codes in use raises the warning."""
    await set_online(hass, False)
    for _ in range(3):
        await create_grant(hass, starts_in=timedelta(minutes=10))
    assert (
        hass.states.get("binary_sensor.front_door_many_backup_codes_in_use").state
        == "off"
    )
    await create_grant(hass, starts_in=timedelta(minutes=10))
    assert (
        hass.states.get("binary_sensor.front_door_many_backup_codes_in_use").state
        == "on"
    )
    assert hass.states.get("sensor.front_door_issued_backup_codes").state == "4"
    holders = hass.states.get("sensor.front_door_issued_backup_codes").attributes[
        "access_grants"
    ]
    assert len(holders) == 4 and all("code" not in h for h in holders)


async def test_show_codes_attribute(hass: HomeAssistant, writes: list[Event]) -> None:
    """With show_codes on, the issued sensor lists the codes."""
    await add_entry(hass, make_entry(show_codes=True))
    issued = async_capture_events(hass, EVENT_ISSUED)
    await set_online(hass, False)
    await create_grant(hass, starts_in=timedelta(minutes=10))
    [holder] = hass.states.get("sensor.front_door_issued_backup_codes").attributes[
        "access_grants"
    ]
    assert holder["code"] == issued[0].data["access_method"]["code"]


async def test_grant_on_two_locks(hass: HomeAssistant, writes: list[Event]) -> None:
    """One id and one scheduled code; backups and events per lock."""
    await add_entry(hass, make_entry())
    await add_entry(hass, make_entry("lock.back_door"))
    issued = async_capture_events(hass, EVENT_ISSUED)
    await set_online(hass, False, "back_door")
    response = await create_grant(
        hass, starts_in=timedelta(minutes=10), lock=[LOCK, "lock.back_door"]
    )
    by_lock = {e.data["lock_entity_id"]: e.data["access_method"] for e in issued}
    assert by_lock[LOCK]["code"] == response["code"]
    assert by_lock[LOCK]["is_backup_code"] is False
    assert by_lock["lock.back_door"]["is_backup_code"] is True
    [grant] = await list_grants(hass)
    assert {lk["lock_entity_id"] for lk in grant["locks"]} == {LOCK, "lock.back_door"}
    assert [
        g["access_grant_id"] for g in await list_grants(hass, lock_entity_id=LOCK)
    ] == [response["access_grant_id"]]


@pytest.mark.parametrize("online", [True, False])
async def test_delete_grant_clears_and_rotates(
    hass: HomeAssistant, entry: MockConfigEntry, writes: list[Event], online: bool
) -> None:
    """Deleting clears the scheduled code and rotates a backup it held."""
    await set_online(hass, online)
    response = await create_grant(hass, starts_in=timedelta(minutes=10))
    await set_online(hass, True)
    assert set_writes(writes)[25] == response["code"]
    old_pool = set_writes(writes)
    await hass.services.async_call(
        DOMAIN,
        "delete_access_grant",
        {"access_grant_id": response["access_grant_id"]},
        blocking=True,
    )
    await hass.async_block_till_done()
    now_on_lock = set_writes(writes)
    assert 25 not in now_on_lock
    assert (
        now_on_lock[20] != old_pool[20]
    ) is not online  # rotated only if it was used
    assert await list_grants(hass) == []


async def test_update_moves_start_later(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    writes: list[Event],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Moving the start later clears the programmed code until the new window."""
    response = await create_grant(hass, starts_in=timedelta(minutes=10))
    assert set_writes(writes)[25] == response["code"]
    new_start = dt_util.utcnow() + 3 * DAY
    await hass.services.async_call(
        DOMAIN,
        "update_access_grant",
        {
            "access_grant_id": response["access_grant_id"],
            "name": "Jane Smith",
            "starts_at": new_start.isoformat(),
            "ends_at": (new_start + DAY).isoformat(),
        },
        blocking=True,
    )
    await hass.async_block_till_done()
    assert 25 not in set_writes(writes)
    [grant] = await list_grants(hass)
    assert grant["name"] == "Jane Smith"
    assert grant["starts_at"] == new_start.isoformat()
    await advance_to(hass, freezer, new_start - timedelta(minutes=60))
    assert response["code"] in set_writes(writes).values()


async def test_issue_backup_code_manual_pull(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A host's manual pull gives a backup once and returns the same code again."""
    reissued = async_capture_events(hass, EVENT_REISSUED)
    response = await create_grant(hass, starts_in=timedelta(minutes=10))
    first = await hass.services.async_call(
        DOMAIN,
        "issue_backup_code",
        {"access_grant_id": response["access_grant_id"]},
        blocking=True,
        return_response=True,
    )
    again = await hass.services.async_call(
        DOMAIN,
        "issue_backup_code",
        {"access_grant_id": response["access_grant_id"]},
        blocking=True,
        return_response=True,
    )
    assert first["code"] == again["code"] != response["code"]
    assert first["locks"][0]["is_backup_code"] is True
    assert len(reissued) == 1


async def test_rotate_backup_codes(
    hass: HomeAssistant, entry: MockConfigEntry, writes: list[Event]
) -> None:
    """Every idle pool code is replaced; one in use is kept."""
    await set_online(hass, False)
    await create_grant(hass, starts_in=timedelta(minutes=10))
    await set_online(hass, True)
    before = set_writes(writes)
    await hass.services.async_call(
        DOMAIN, "rotate_backup_codes", {"lock_entity_id": LOCK}, blocking=True
    )
    await hass.async_block_till_done()
    after = set_writes(writes)
    assert after[20] == before[20]  # in use
    assert all(after[slot] != before[slot] for slot in (21, 22, 23, 24))
    assert hass.states.get("sensor.front_door_available_backup_codes").state == "4"
