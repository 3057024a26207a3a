"""The script provider's failure signals, with real scripts."""

import asyncio
from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.backup_access_codes.const import EVENT_REISSUED
from custom_components.backup_access_codes.providers import (
    ProviderError,
    ScriptProvider,
    create_provider,
)
from custom_components.backup_access_codes.providers.base import scrub
from homeassistant.core import Event, HomeAssistant

from .conftest import LOCK, advance, create_grant


def provider(hass: HomeAssistant, script: str = "script.set_code") -> ScriptProvider:
    """A provider using one script for both writes."""
    return ScriptProvider(hass, LOCK, set_script=script, clear_script=script)


async def test_action_that_raises_fails_without_the_code(
    hass: HomeAssistant, locks: None
) -> None:
    """An action raising fails the write; the code is scrubbed from the reason."""
    await hass.services.async_call(
        "input_boolean",
        "turn_on",
        {"entity_id": "input_boolean.writes_raise"},
        blocking=True,
    )
    with pytest.raises(ProviderError) as err:
        await provider(hass).async_set_code(21, "482917")
    assert "script.set_code failed" in str(err.value)
    assert "482917" not in str(err.value)


async def test_success_false_and_plain_success(
    hass: HomeAssistant, locks: None
) -> None:
    """``{"success": false}`` fails; a script that just ends succeeds."""
    await hass.services.async_call(
        "input_boolean",
        "turn_on",
        {"entity_id": "input_boolean.writes_fail"},
        blocking=True,
    )
    with pytest.raises(ProviderError, match="success: false"):
        await provider(hass, "script.clear_code").async_clear_code(1)
    await hass.services.async_call(
        "input_boolean",
        "turn_off",
        {"entity_id": "input_boolean.writes_fail"},
        blocking=True,
    )
    # A script that just ends: done, though nothing reads the slot back (unverified).
    assert await provider(hass, "script.clear_code").async_clear_code(1) is False
    assert provider(hass).offline_reason() is None  # nothing beyond the lock entity


async def test_missing_script_is_a_failure(hass: HomeAssistant, locks: None) -> None:
    """A script that does not exist fails the write instead of crashing."""
    with pytest.raises(ProviderError):
        await provider(hass, "script.gone").async_set_code(21, "482917")


def test_unknown_provider(hass: HomeAssistant) -> None:
    """An entry naming a provider this version does not know is refused."""
    with pytest.raises(ValueError, match="unknown provider"):
        create_provider(hass, LOCK, {"provider": "carrier_pigeon"})


async def test_raising_lock_reissues_backup(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """End to end: the lock refusing the scheduled code leads to a backup code."""
    caplog.set_level(logging.DEBUG)
    reissued = async_capture_events(hass, EVENT_REISSUED)
    await hass.services.async_call(
        "input_boolean",
        "turn_on",
        {"entity_id": "input_boolean.writes_raise"},
        blocking=True,
    )
    response = await create_grant(hass, starts_in=timedelta(minutes=10), code="482917")
    await advance(hass, freezer, timedelta(seconds=10))
    await advance(hass, freezer, timedelta(seconds=30))
    assert len(reissued) == 1
    assert reissued[0].data["access_method"]["is_backup_code"] is True
    # Our own log lines carry the script's error with the code scrubbed. (Home Assistant's
    # script logger quotes the failing data itself: the README says to keep such scripts'
    # errors and traces in mind.)
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("custom_")]
    assert any("***" in line for line in ours)
    assert not any(response["code"] in line for line in ours)


async def test_locks_sharing_a_single_mode_script(
    hass: HomeAssistant, writes: list[Event], freezer: FrozenDateTimeFactory
) -> None:
    """Two locks on one `single`-mode script: no run is skipped and reported as success."""
    front = provider(hass, "script.slow_single")
    back = ScriptProvider(
        hass,
        "lock.back_door",
        set_script="script.slow_single",
        clear_script="script.slow_single",
    )
    both = asyncio.gather(
        front.async_set_code(20, "482917"), back.async_set_code(20, "539164")
    )
    for _ in range(20):  # the runs take a second each, one after the other
        freezer.tick(timedelta(milliseconds=250))
        async_fire_time_changed(hass)
        for _ in range(20):
            await asyncio.sleep(0)
    await both
    assert sorted((e.data["lock_entity_id"], str(e.data["code"])) for e in writes) == [
        ("lock.back_door", "539164"),
        ("lock.front_door", "482917"),
    ]


def test_scrub_hides_numeric_renderings() -> None:
    """A code quoted as a number (leading zero lost) is hidden too."""
    assert scrub("Invalid value 012345", "012345") == "Invalid value ***"
    assert (
        scrub("Invalid value 12345.0 (range 0-9)", "012345")
        == "Invalid value ***.0 (range 0-9)"
    )
    assert scrub("nothing to hide", None) == "nothing to hide"
