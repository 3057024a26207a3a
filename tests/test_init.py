"""Set-up, reload, restart, removal, devices, diagnostics and privacy."""

from datetime import timedelta
import logging
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.backup_access_codes.const import (
    DOMAIN,
    EVENT_ISSUE_FAILED,
    EVENT_ISSUED,
    EVENT_REISSUED,
)
from custom_components.backup_access_codes.grants import NoCodeCause
from custom_components.backup_access_codes.store import (
    DATA_STORAGE,
    STORAGE_KEY,
    StateStorage,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import (
    LOCK,
    START,
    add_entry,
    advance_to,
    create_grant,
    make_entry,
    set_online,
    set_writes,
    set_writes_fail,
)

AVAILABLE = "sensor.front_door_available_backup_codes"


async def test_reload_keeps_state_and_writes_nothing(
    hass: HomeAssistant, entry: MockConfigEntry, writes: list[Event]
) -> None:
    """A reload keeps pool and grants and reprograms nothing already on the lock."""
    response = await create_grant(hass, starts_in=timedelta(minutes=10))
    count = len(writes)
    issued = async_capture_events(hass, EVENT_ISSUED)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert len(writes) == count
    assert issued == []
    assert hass.states.get(AVAILABLE).state == "5"
    assert response["access_grant_id"] in hass.data[DATA_STORAGE].state.grants


def stored_state(pool_codes: list[str], grant: dict[str, Any]) -> dict[str, Any]:
    """Storage as a previous run left it: pool programmed, one guest on a backup."""
    pool = [
        {
            "slot": 20 + i,
            "code": code,
            "status": "programmed",
            "grant_id": None,
            "next_code": None,
            "attempt_failed": False,
        }
        for i, code in enumerate(pool_codes)
    ]
    pool[0].update(status="issued", grant_id=grant["grant_id"])
    return {
        "version": 1,
        "minor_version": 1,
        "key": STORAGE_KEY,
        "data": {
            "locks": {
                "entry-1": {
                    "pool": pool,
                    "on_lock": {str(20 + i): c for i, c in enumerate(pool_codes)},
                    "retries": {},
                }
            },
            "grants": {grant["grant_id"]: grant},
        },
    }


async def test_restart_handles_missed_checkout_once(
    hass: HomeAssistant, hass_storage: dict[str, Any], locks: None, writes: list[Event]
) -> None:
    """Down over a checkout: at start the backup is rotated, the rest left alone."""
    codes = ["482917", "539164", "601835", "718293", "850274"]
    grant = {
        "grant_id": "g1",
        "name": "Guest",
        "code": "274815",
        "starts_at": (START - timedelta(days=3)).isoformat(),
        "ends_at": (START - timedelta(hours=1)).isoformat(),
        "locks": {
            "entry-1": {
                "slot": None,
                "program_failed": True,
                "backup_slot": 20,
                "told": {
                    "code": codes[0],
                    "is_backup": True,
                    "slot": 20,
                    "issued_at": (START - timedelta(days=4)).isoformat(),
                },
                "issue_failed": False,
            }
        },
    }
    hass_storage[STORAGE_KEY] = stored_state(codes, grant)
    issued = async_capture_events(hass, EVENT_ISSUED)
    reissued = async_capture_events(hass, EVENT_REISSUED)
    entry = make_entry(entry_id="entry-1")
    entry.add_to_hass(hass)
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    # Only slot 20 is written: the used backup is replaced by a new code.
    assert [int(e.data["slot"]) for e in writes] == [20]
    assert str(writes[0].data["code"]) not in codes
    assert issued == [] and reissued == []
    assert hass.data[DATA_STORAGE].state.grants == {}
    assert hass.states.get(AVAILABLE).state == "5"


async def test_restart_missed_issue_point_offline(
    hass: HomeAssistant, hass_storage: dict[str, Any], locks: None, writes: list[Event]
) -> None:
    """Down over an issue point and the lock offline at start: one backup issued."""
    codes = ["482917", "539164", "601835", "718293", "850274"]
    grant = {
        "grant_id": "g2",
        "name": "Guest",
        "code": "274815",
        "starts_at": (START + timedelta(hours=3)).isoformat(),
        "ends_at": (START + timedelta(days=2)).isoformat(),
        "locks": {"entry-1": {}},
    }
    data = stored_state(codes, grant)
    data["data"]["locks"]["entry-1"]["pool"][0].update(
        status="programmed", grant_id=None
    )
    hass_storage[STORAGE_KEY] = data
    await set_online(hass, False)
    issued = async_capture_events(hass, EVENT_ISSUED)
    entry = make_entry(entry_id="entry-1")
    entry.add_to_hass(hass)
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    assert len(issued) == 1
    assert issued[0].data["access_method"]["code"] == codes[0]
    assert writes == []


async def test_unload_and_remove(
    hass: HomeAssistant, entry: MockConfigEntry, writes: list[Event]
) -> None:
    """Unload stops everything; removal forgets the lock and its grants."""
    await create_grant(hass, starts_in=timedelta(days=3))
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get(AVAILABLE).state == "unavailable"
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    state = hass.data[DATA_STORAGE].state
    assert state.locks == {} and state.grants == {}
    # The pool's codes were cleared from the lock.
    assert set_writes(writes) == {}
    # Saving still works after a removal (a lost pending flag once stopped every save).
    storage = hass.data[DATA_STORAGE]
    with patch.object(storage._store, "async_delay_save") as delay_save:
        storage.async_schedule_save()
    assert delay_save.call_count == 1


async def test_remove_while_offline_keeps_codes_and_says_so(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    writes: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An offline lock cannot be cleared: the host is told which slots to clear."""
    await set_online(hass, False)
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert len(set_writes(writes)) == 5
    assert "slots 20, 21, 22, 23, 24 keep their codes" in caplog.text


async def test_remove_with_failing_clears(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    writes: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A clear that fails at removal is logged, and removal still completes."""
    await set_writes_fail(hass, True)
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert "Could not clear slot 20" in caplog.text
    assert hass.data[DATA_STORAGE].state.locks == {}


async def test_entities_on_lock_device(
    hass: HomeAssistant, writes: list[Event]
) -> None:
    """Entities sit on the lock's device; the event carries its id."""
    owner = MockConfigEntry(domain="test")
    owner.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=owner.entry_id,
        identifiers={("test", "lock-1")},
        name="Front door",
    )
    er.async_get(hass).async_update_entity(LOCK, device_id=device.id)
    await add_entry(hass, make_entry())
    entity = er.async_get(hass).async_get(AVAILABLE)
    assert entity.device_id == device.id
    issued = async_capture_events(hass, EVENT_ISSUED)
    await create_grant(hass, starts_in=timedelta(minutes=5))
    assert issued[0].data["device_id"] == device.id


async def test_diagnostics_redact_codes(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    entry: MockConfigEntry,
    writes: list[Event],
) -> None:
    """No code appears anywhere in the diagnostics."""
    await set_online(hass, False)
    gone = await create_grant(hass, starts_in=timedelta(minutes=5), code="482917")
    await hass.services.async_call(
        DOMAIN,
        "delete_access_grant",
        {"access_grant_id": gone["access_grant_id"]},
        blocking=True,
    )
    response = await create_grant(hass, starts_in=timedelta(minutes=5))
    await set_online(hass, True)
    assert await async_setup_component(hass, "diagnostics", {})
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = str(diagnostics)
    codes = set(set_writes(writes).values()) | {response["code"], "482917"}
    assert len(codes) >= 7
    assert not any(code in text for code in codes)
    assert diagnostics["health"]["in_use"] == 1
    assert diagnostics["access_grants"][0]["status"] == "backup_issued"


async def test_no_code_in_logs(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    writes: list[Event],
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A whole stay with failures, logged at DEBUG, never prints a code."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("homeassistant.components.script").setLevel(logging.WARNING)
    issued = async_capture_events(hass, EVENT_ISSUED)
    reissued = async_capture_events(hass, EVENT_REISSUED)
    response = await create_grant(hass, starts_in=timedelta(hours=3), code="482917")
    # The lock's own action refuses the code with an error that quotes it.
    await hass.services.async_call(
        "input_boolean",
        "turn_on",
        {"entity_id": "input_boolean.writes_raise"},
        blocking=True,
    )
    await advance_to(hass, freezer, dt_util.utcnow() + timedelta(hours=3))
    await hass.services.async_call(
        "input_boolean",
        "turn_off",
        {"entity_id": "input_boolean.writes_raise"},
        blocking=True,
    )
    await set_online(hass, False)
    await advance_to(hass, freezer, dt_util.utcnow() + timedelta(days=2, hours=1))
    await set_online(hass, True)
    codes = (
        {response["code"]}
        | {e.data["access_method"]["code"] for e in issued + reissued}
        | set(set_writes(writes).values())
    )
    assert len(codes) >= 6
    ours = [r for r in caplog.records if r.name.startswith("custom_components")]
    assert ours  # the integration did log
    text = "\n".join(r.getMessage() for r in ours)
    assert "***" in text  # the refusal was logged, with the code hidden
    assert not any(code in text for code in codes)


async def test_storage_migration_from_1_1(
    hass: HomeAssistant, hass_storage: dict[str, Any], locks: None, writes: list[Event]
) -> None:
    """A 1.1 file (no retired codes) loads, keeps its pool and is written back as 1.4."""
    codes = ["482917", "539164", "601835", "718293", "850274"]
    old = stored_state(
        codes,
        {
            "grant_id": "g0",
            "name": "x",
            "code": "111222",
            "starts_at": START.isoformat(),
            "ends_at": START.isoformat(),
            "locks": {},
        },
    )
    old["data"]["locks"]["entry-1"]["pool"][0].update(
        status="programmed", grant_id=None
    )
    old["data"]["grants"] = {}
    hass_storage[STORAGE_KEY] = old
    make_entry(entry_id="entry-1").add_to_hass(hass)
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    assert writes == []  # nothing reprogrammed
    assert hass_storage[STORAGE_KEY]["minor_version"] == 4
    lock_state = hass.data[DATA_STORAGE].state.locks["entry-1"]
    assert lock_state.retired == []
    assert lock_state.last_write_at is None  # 1.3: never written as far as we know
    assert lock_state.past == []
    assert hass.states.get(AVAILABLE).state == "5"


async def test_storage_migration_from_1_3(
    hass: HomeAssistant, hass_storage: dict[str, Any], locks: None, writes: list[Event]
) -> None:
    """A 1.3 file: retries become tries and attempts, issue_failed becomes an episode.

    The old flag stayed set once issue_failed had fired: for a guest never told a code it
    is an open episode (already announced), for one told a code it means nothing now.
    """
    codes = ["482917", "539164", "601835", "718293", "850274"]
    holder = {
        "grant_id": "g1",
        "name": "Holder",
        "code": "274815",
        "starts_at": (START - timedelta(days=1)).isoformat(),
        "ends_at": (START + timedelta(days=2)).isoformat(),
        "locks": {
            "entry-1": {
                "backup_slot": 20,
                "program_failed": True,
                "told": {
                    "code": codes[0],
                    "is_backup": True,
                    "slot": 20,
                    "issued_at": (START - timedelta(days=2)).isoformat(),
                },
                "issue_failed": False,
            }
        },
    }
    old = stored_state(codes, holder)
    lock = old["data"]["locks"]["entry-1"]
    old["minor_version"] = 3
    lock["retired"] = []
    for pool_code in lock["pool"][1:4]:
        pool_code["status"] = "failed"
    lock["pool"][4].update(status="rotating", next_code="627194")  # a guest's, perhaps
    lock["on_lock"]["24"] = None  # a write of it was cut off: not offered
    lock["retries"] = {
        "21": {
            "failures": 4,
            "rejections": 0,
            "not_before": (START + timedelta(minutes=3)).isoformat(),
        }
    }
    old["data"]["grants"]["g2"] = {
        "grant_id": "g2",
        "name": "Never told",
        "code": "936152",
        "starts_at": (START + timedelta(hours=20)).isoformat(),
        "ends_at": (START + timedelta(days=3)).isoformat(),
        "locks": {"entry-1": {"issue_failed": True}},
    }
    old["data"]["grants"]["g3"] = {
        "grant_id": "g3",
        "name": "Served since",
        "code": "851736",
        "starts_at": (START + timedelta(hours=22)).isoformat(),
        "ends_at": (START + timedelta(days=3)).isoformat(),
        "locks": {
            "entry-1": {
                "issue_failed": True,
                "told": {
                    "code": "851736",
                    "is_backup": False,
                    "slot": None,
                    "issued_at": (START - timedelta(hours=1)).isoformat(),
                },
            }
        },
    }
    hass_storage[STORAGE_KEY] = old
    await set_online(hass, False)
    failed = async_capture_events(hass, EVENT_ISSUE_FAILED)
    entry = make_entry(entry_id="entry-1")
    entry.add_to_hass(hass)
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()

    assert hass_storage[STORAGE_KEY]["minor_version"] == 4
    state = hass.data[DATA_STORAGE].state
    retry = state.locks["entry-1"].retries[21]
    # Four failed tries: one whole attempt; the second, cut off, starts over.
    assert (retry.failed_attempts, retry.tries, retry.attempt_started) == (1, 0, None)
    assert [p.used for p in state.locks["entry-1"].pool] == [False] * 4 + [True]
    # The open episode was announced before the upgrade: not again, but on the repair.
    assert failed == []
    assert state.grants["g2"].locks["entry-1"].no_code is NoCodeCause.LOCK_OFFLINE
    assert state.grants["g3"].locks["entry-1"].no_code is None
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "no_code_lock_offline_entry-1")
    assert issue is not None
    assert issue.translation_placeholders["grants"] == "Never told"
    stored = hass_storage[STORAGE_KEY]["data"]["grants"]["g3"]["locks"]["entry-1"]
    assert "issue_failed" not in stored


async def test_corrupt_storage_starts_empty_with_repair(
    hass: HomeAssistant, hass_storage: dict[str, Any], locks: None, writes: list[Event]
) -> None:
    """An unreadable file does not break the integration; the host is told."""
    hass_storage[STORAGE_KEY] = {
        "version": 1,
        "minor_version": 2,
        "key": STORAGE_KEY,
        "data": {"locks": {"entry-1": {"pool": [{"slot": "twenty"}]}}},
    }
    entry = make_entry(entry_id="entry-1")
    entry.add_to_hass(hass)
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "storage_corrupt")
    assert issue is not None and issue.severity is ir.IssueSeverity.ERROR
    assert "backup_access_codes.corrupt-" in issue.translation_placeholders["copy"]
    assert hass.states.get(AVAILABLE).state == "5"  # a new pool was programmed


async def test_retired_codes_are_not_reused(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A past guest's scheduled code cannot be given to the next guest."""
    first = await create_grant(hass, starts_in=timedelta(minutes=10), code="482917")
    await hass.services.async_call(
        DOMAIN,
        "delete_access_grant",
        {"access_grant_id": first["access_grant_id"]},
        blocking=True,
    )
    with pytest.raises(ServiceValidationError) as err:
        await create_grant(hass, starts_in=timedelta(minutes=10), code="482917")
    assert err.value.translation_key == "code_in_use"


async def test_saves_are_throttled_not_postponed(hass: HomeAssistant) -> None:
    """One pending write at a time: later changes do not push it further out.

    Home Assistant's Store moves a delayed write later on every call, so a steady stream of
    changes would keep an issued code off the disk (measured: 11 s in scripts/bench).
    """
    storage = StateStorage(hass)
    with patch.object(storage._store, "async_delay_save") as delay_save:
        for _ in range(5):
            storage.async_schedule_save()
        assert delay_save.call_count == 1
        data_func, delay = delay_save.call_args.args
        assert delay == 1
        assert data_func() == storage.state.to_dict()  # the write happens
        storage.async_schedule_save()
        assert delay_save.call_count == 2  # changes after it need a new write
