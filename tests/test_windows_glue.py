"""Lock-kept windows through the whole integration: a template lock, real scripts.

The front door's entry has the third script (``script.set_code_with_window``), so the lock
keeps guests' codes on time itself: the code goes on with its window at the issue point,
and a lock offline at the program point costs the guest nothing. The events the scripts
fire (``tests/conftest.py``) are what reached the lock.
"""

from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.backup_access_codes.const import (
    CONF_WINDOW_SCRIPT,
    DOMAIN,
    EVENT_ISSUED,
    EVENT_REISSUED,
)
from custom_components.backup_access_codes.diagnostics import (
    async_get_config_entry_diagnostics,
)
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util

from .conftest import (
    LOCK,
    add_entry,
    advance,
    advance_to,
    create_grant,
    make_entry,
    set_online,
    set_writes_fail,
)

WINDOW_SCRIPT = "script.set_code_with_window"


def windowed_entry() -> MockConfigEntry:
    """The front door on the script provider, with the third script."""
    plain = make_entry()
    return MockConfigEntry(
        domain=DOMAIN,
        title=plain.title,
        unique_id=plain.unique_id,
        data={**plain.data, CONF_WINDOW_SCRIPT: WINDOW_SCRIPT},
        options=dict(plain.options),
    )


@pytest.fixture
async def windowed(hass: HomeAssistant, writes: list[Event]) -> MockConfigEntry:
    """The front door, keeping codes on time itself."""
    return await add_entry(hass, windowed_entry())


def told(hass: HomeAssistant) -> list[Event]:
    """Every code a guest was told (issued and reissued)."""
    return async_capture_events(hass, EVENT_ISSUED) + async_capture_events(
        hass, EVENT_REISSUED
    )


def windowed_sets(writes: list[Event], code: str) -> list[dict[str, Any]]:
    """The window script's runs for a code."""
    return [
        dict(e.data)
        for e in writes
        if e.data["action"] == "set"
        and "starts_at" in e.data
        and str(e.data["code"]) == code
    ]


async def test_code_goes_on_with_its_window_at_the_issue_point(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    windowed: MockConfigEntry,
    writes: list[Event],
) -> None:
    """Issue point: the code goes on with its window; offline at the program point: fine."""
    issued = async_capture_events(hass, EVENT_ISSUED)
    reissued = async_capture_events(hass, EVENT_REISSUED)
    response = await create_grant(hass, timedelta(days=3))
    code = response["code"]
    starts_at = dt_util.utcnow() + timedelta(days=3)
    issue_at = starts_at - timedelta(hours=36)
    program_at = starts_at - timedelta(hours=1)
    assert windowed_sets(writes, code) == []  # days before the issue point: nothing
    await advance_to(hass, freezer, issue_at)
    [sent] = windowed_sets(writes, code)
    assert datetime.fromisoformat(sent["starts_at"]) == program_at
    assert datetime.fromisoformat(sent["ends_at"]) == starts_at + timedelta(days=2)
    assert [e.data["access_method"]["is_backup_code"] for e in issued] == [False]

    # The lock is offline around the program point: nothing to do, no backup code.
    await advance_to(hass, freezer, program_at - timedelta(minutes=10))
    await set_online(hass, False)
    await advance_to(hass, freezer, starts_at + timedelta(hours=1))
    assert reissued == []
    [grant] = (
        await hass.services.async_call(
            DOMAIN, "list_access_grants", {}, blocking=True, return_response=True
        )
    )["access_grants"]
    assert grant["locks"][0]["status"] == "programmed"
    await set_online(hass, True)
    assert [e.data["action"] for e in writes if str(e.data.get("code")) == code] == [
        "set"
    ]

    # Check-out: the code is cleared (the clear script takes the window with it).
    slot = sent["slot"]
    await advance_to(hass, freezer, starts_at + timedelta(days=2))
    assert writes[-1].data["action"] == "clear"
    assert writes[-1].data["slot"] == slot


async def test_the_window_follows_the_stay(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    windowed: MockConfigEntry,
    writes: list[Event],
) -> None:
    """update_access_grant rewrites the window on the lock."""
    response = await create_grant(hass, timedelta(hours=20))
    code = response["code"]
    [first] = windowed_sets(writes, code)
    new_start = dt_util.utcnow() + timedelta(hours=22)
    new_end = new_start + timedelta(days=4)
    await hass.services.async_call(
        DOMAIN,
        "update_access_grant",
        {
            "access_grant_id": response["access_grant_id"],
            "starts_at": new_start.isoformat(),
            "ends_at": new_end.isoformat(),
        },
        blocking=True,
    )
    await hass.async_block_till_done()
    [_, moved] = windowed_sets(writes, code)
    assert moved["slot"] == first["slot"]
    assert datetime.fromisoformat(moved["starts_at"]) == new_start - timedelta(hours=1)
    assert datetime.fromisoformat(moved["ends_at"]) == new_end


async def test_a_failed_window_falls_back_to_the_program_point(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    windowed: MockConfigEntry,
    writes: list[Event],
) -> None:
    """The window script fails: the code goes on at the program point, without one."""
    reissued = async_capture_events(hass, EVENT_REISSUED)
    await set_writes_fail(hass, True)
    response = await create_grant(hass, timedelta(hours=20))
    code = response["code"]
    await advance(hass, freezer, timedelta(minutes=3))  # the quick retries run out
    await advance(hass, freezer, timedelta(minutes=1))
    await set_writes_fail(hass, False)
    starts_at = dt_util.utcnow() + timedelta(hours=20) - timedelta(minutes=4)
    await advance_to(hass, freezer, starts_at - timedelta(hours=2))
    assert windowed_sets(writes, code) == []  # it never reached the lock
    assert [e.data for e in writes if str(e.data.get("code")) == code] == []
    await advance_to(hass, freezer, starts_at - timedelta(hours=1))
    await advance(hass, freezer, timedelta(seconds=1))
    plain = [e.data for e in writes if str(e.data.get("code")) == code]
    assert len(plain) == 1
    assert "starts_at" not in plain[0]  # the set-code script: no window
    assert reissued == []
    diagnostics = await async_get_config_entry_diagnostics(hass, windowed)
    [grant] = diagnostics["access_grants"]
    assert grant["on_this_lock"]["window_failed"] is True


async def test_capability_in_diagnostics_and_kept_over_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    windowed: MockConfigEntry,
    writes: list[Event],
) -> None:
    """Diagnostics show the capability; a reload leaves a code put on early alone."""
    diagnostics = await async_get_config_entry_diagnostics(hass, windowed)
    assert diagnostics["lock_windows"] == {
        "support": "supported",
        "clock": "host",
        "usable": True,
        "reason": None,
        "schedules_per_user": None,
    }
    assert diagnostics["lock_state"]["keeps_windows"] is True
    await create_grant(hass, timedelta(hours=20))
    count = len(writes)
    assert await hass.config_entries.async_reload(windowed.entry_id)
    await hass.async_block_till_done()
    assert len(writes) == count  # nothing cleared and written again


async def test_without_the_third_script_nothing_goes_on_early(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    writes: list[Event],
) -> None:
    """A lock without windows: the program point rule, as before."""
    entry = await add_entry(hass, make_entry())
    response = await create_grant(hass, timedelta(hours=20))
    assert [e.data for e in writes if str(e.data.get("code")) == response["code"]] == []
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["lock_windows"]["reason"] == "no_window_script"
    assert LOCK in hass.states.async_entity_ids("lock")
