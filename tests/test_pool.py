"""The backup pool on a real lock: programming, health, rotation."""

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.backup_access_codes.const import DOMAIN
from custom_components.backup_access_codes.pool import PoolStatus
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .conftest import (
    add_entry,
    advance,
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
