"""The backup pool on a real lock: programming, health, rotation."""

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.backup_access_codes.const import DOMAIN
from custom_components.backup_access_codes.pool import PoolStatus
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.translation import async_translate_state
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

EMPTY = "binary_sensor.front_door_backup_code_pool_empty"
PARTIAL = "binary_sensor.front_door_backup_code_pool_degraded"
MANY = "binary_sensor.front_door_many_backup_codes_in_use"
AVAILABLE = "sensor.front_door_available_backup_codes"
ISSUED = "sensor.front_door_issued_backup_codes"


async def test_pool_programmed_when_online(
    hass: HomeAssistant, entry: MockConfigEntry, writes: list[Event]
) -> None:
    """Five distinct codes of six digits go into slots 20-24 and nothing else."""
    on_lock = set_writes(writes)
    assert sorted(on_lock) == [20, 21, 22, 23, 24]
    assert len(set(on_lock.values())) == 5
    assert all(len(code) == 6 and code.isdigit() for code in on_lock.values())
    assert hass.states.get(AVAILABLE).state == "5"
    assert (
        hass.states.get(AVAILABLE).attributes["supports_backup_access_code_pool"]
        is True
    )
    assert hass.states.get(ISSUED).state == "0"
    for flag in (EMPTY, PARTIAL, MANY):
        assert hass.states.get(flag).state == "off"
    # A code never shows in an entity's state or attributes.
    for entity_id in (AVAILABLE, ISSUED, EMPTY):
        state = hass.states.get(entity_id)
        assert not any(code in str(state.as_dict()) for code in on_lock.values())


async def test_offline_at_setup_empty_pool(
    hass: HomeAssistant, writes: list[Event], freezer: FrozenDateTimeFactory
) -> None:
    """A lock offline at setup: no calls, every code failed, error and repair raised."""
    await set_online(hass, False)
    entry = await add_entry(hass, make_entry())
    assert writes == []
    assert hass.states.get(EMPTY).state == "on"
    assert hass.states.get(PARTIAL).state == "off"
    assert hass.states.get(AVAILABLE).state == "0"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"pool_empty_{entry.entry_id}")
    assert issue is not None and issue.severity is ir.IssueSeverity.ERROR

    await set_online(hass, True)
    assert sorted(set_writes(writes)) == [20, 21, 22, 23, 24]
    assert hass.states.get(EMPTY).state == "off"
    assert hass.states.get(AVAILABLE).state == "5"
    assert (
        ir.async_get(hass).async_get_issue(DOMAIN, f"pool_empty_{entry.entry_id}")
        is None
    )


async def test_partial_pool_and_backoff(
    hass: HomeAssistant, writes: list[Event], freezer: FrozenDateTimeFactory
) -> None:
    """Codes that fail after the quick retries make the pool partial; backoff fixes it."""
    entry = make_entry(pool_size=3)
    entry.add_to_hass(hass)
    await set_writes_fail(hass, True)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    pool = entry.runtime_data.coordinator.engine.state.pool
    assert [p.status for p in pool] == [PoolStatus.PENDING] * 3
    # Quick retries after 10 s and 30 s; then the attempt is over.
    await advance(hass, freezer, timedelta(seconds=10))
    await advance(hass, freezer, timedelta(seconds=30))
    assert [p.status for p in pool] == [PoolStatus.FAILED] * 3
    assert hass.states.get(EMPTY).state == "on"

    # The lock accepts again: the next backoff try (5 minutes) programs them.
    await set_writes_fail(hass, False)
    await advance(hass, freezer, timedelta(minutes=4))
    assert writes == []
    await advance(hass, freezer, timedelta(minutes=1))
    assert sorted(set_writes(writes)) == [20, 21, 22]
    assert hass.states.get(EMPTY).state == "off"
    assert hass.states.get(AVAILABLE).state == "3"


def shown(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, tuple[str, str]]:
    """What a host reads per pool entity: its name and its state, as translated."""
    result = {}
    for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        if entity.domain not in ("binary_sensor", "sensor"):
            continue
        state = hass.states.get(entity.entity_id)
        assert state is not None
        result[entity.entity_id] = (
            state.name,
            async_translate_state(
                hass,
                state.state,
                entity.domain,
                DOMAIN,
                entity.translation_key,
                state.attributes.get("device_class"),
            ),
        )
    return result


async def test_names_agree_when_every_code_is_in_use(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """No code ready because guests hold them all: nothing says the pool failed.

    The entity ids stay the documented ones although the names changed.
    """
    await set_online(hass, False)
    for _ in range(5):
        await create_grant(hass, starts_in=timedelta(minutes=10))
    assert shown(hass, entry) == {
        EMPTY: ("Front door Backup code pool failed", "No"),
        PARTIAL: ("Front door Backup code pool partly failed", "No"),
        MANY: ("Front door Over 75% of backup codes in use", "Yes"),
        AVAILABLE: ("Front door Backup codes ready", "0"),
        ISSUED: ("Front door Backup codes in use", "5"),
    }


async def test_names_say_why_no_code_is_ready(
    hass: HomeAssistant, writes: list[Event]
) -> None:
    """Offline from the start: the pool could not be programmed, and says so."""
    await set_online(hass, False)
    entry = await add_entry(hass, make_entry())
    assert shown(hass, entry) == {
        EMPTY: ("Front door Backup code pool failed", "No code could be programmed"),
        PARTIAL: ("Front door Backup code pool partly failed", "No"),
        MANY: ("Front door Over 75% of backup codes in use", "No"),
        AVAILABLE: ("Front door Backup codes ready", "0"),
        ISSUED: ("Front door Backup codes in use", "0"),
    }


async def test_partly_failed_pool_reads_right(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    writes: list[Event],
    freezer: FrozenDateTimeFactory,
) -> None:
    """One code failed to program (a rotation the lock refused), the rest are ready."""
    await set_online(hass, False)
    await create_grant(hass, starts_in=timedelta(minutes=10), length=timedelta(hours=1))
    await set_writes_fail(hass, True)
    await set_online(hass, True)
    # Check-out: the guest's backup code is rotated, and the lock refuses the new one
    # (past the quick retries).
    await advance_to(hass, freezer, dt_util.utcnow() + timedelta(hours=1, minutes=30))
    assert shown(hass, entry) == {
        EMPTY: ("Front door Backup code pool failed", "No"),
        PARTIAL: (
            "Front door Backup code pool partly failed",
            "Some codes failed to program",
        ),
        MANY: ("Front door Over 75% of backup codes in use", "No"),
        AVAILABLE: ("Front door Backup codes ready", "4"),
        ISSUED: ("Front door Backup codes in use", "0"),
    }


async def test_checkout_on_offline_lock_counts_at_once(
    hass: HomeAssistant, writes: list[Event], freezer: FrozenDateTimeFactory
) -> None:
    """A backup freed by a check-out on an offline lock counts as failed in that evaluation.

    Offline, a code waiting for rotation cannot be programmed: the check-out that puts it
    there must not leave the pool looking healthier than it is until some later update.
    """
    await add_entry(hass, make_entry(pool_size=2, slot_count=4))
    await set_online(hass, False)
    await create_grant(hass, starts_in=timedelta(minutes=10), length=timedelta(hours=5))
    await hass.services.async_call(
        DOMAIN, "rotate_backup_codes", {"lock_entity_id": LOCK}, blocking=True
    )
    await hass.async_block_till_done()
    # Slot 21 waits for rotation on an offline lock: 1 of 2 failed.
    assert hass.states.get(PARTIAL).state == "on"
    assert hass.states.get(EMPTY).state == "off"

    # The guest checks out: slot 20 waits for rotation too, on a lock still offline.
    await advance(hass, freezer, timedelta(hours=5, minutes=10))
    assert hass.states.get(ISSUED).state == "0"
    assert hass.states.get(EMPTY).state == "on"
    assert hass.states.get(PARTIAL).state == "off"
