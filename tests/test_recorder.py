"""Codes never reach the recorder, even with show_codes on."""

from datetime import datetime, timedelta
from functools import partial

import pytest
from pytest_homeassistant_custom_component.common import async_capture_events
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.backup_access_codes.const import EVENT_ISSUED
from homeassistant.components.recorder import Recorder, get_instance
from homeassistant.components.recorder.history import get_significant_states
from homeassistant.core import Event, HomeAssistant, State
from homeassistant.util import dt as dt_util

from .conftest import add_entry, create_grant, make_entry, set_online

ISSUED = "sensor.front_door_issued_backup_codes"
CALENDAR = "calendar.front_door_access_grants"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_db_url: str, enable_custom_integrations: None
) -> None:
    """As in conftest, but the recorder's database must exist before Home Assistant."""


async def backup_with_codes_shown(hass: HomeAssistant) -> tuple[datetime, str]:
    """Show codes, take the lock offline and give a guest a backup code: (since, code)."""
    since = dt_util.utcnow() - timedelta(seconds=1)
    await add_entry(hass, make_entry(show_codes=True))
    issued = async_capture_events(hass, EVENT_ISSUED)
    await set_online(hass, False)
    await create_grant(hass, starts_in=timedelta(minutes=10))
    return since, issued[0].data["access_method"]["code"]


async def recorded_states(
    hass: HomeAssistant, since: datetime, entity_id: str
) -> list[State]:
    """Every state of the entity the recorder wrote since then."""
    await async_wait_recording_done(hass)
    history = await get_instance(hass).async_add_executor_job(
        partial(
            get_significant_states,
            hass,
            since,
            None,
            [entity_id],
            significant_changes_only=False,
        )
    )
    states: list[State] = history[entity_id]
    return states


async def test_code_attributes_are_not_recorded(
    recorder_mock: Recorder, hass: HomeAssistant, writes: list[Event]
) -> None:
    """The live state shows the code (show_codes on); the recorded state has none."""
    since, code = await backup_with_codes_shown(hass)
    assert hass.states.get(ISSUED).attributes["access_grants"][0]["code"] == code

    recorded = await recorded_states(hass, since, ISSUED)
    assert [s.state for s in recorded][-1] == "1"
    assert all("access_grants" not in s.attributes for s in recorded)
    assert all(code not in str(s.as_dict()) for s in recorded)


async def test_grants_calendar_records_no_code_nor_guest(
    recorder_mock: Recorder, hass: HomeAssistant, writes: list[Event]
) -> None:
    """The calendar's recorded states keep times and the lock, not the guest or a code."""
    since, code = await backup_with_codes_shown(hass)
    live = hass.states.get(CALENDAR)
    assert live.attributes["message"] == "Jane Doe"
    assert "Backup code issued" in live.attributes["description"]

    recorded = await recorded_states(hass, since, CALENDAR)
    assert recorded[-1].attributes["location"] == "Front door"
    assert recorded[-1].attributes["start_time"]
    assert all("message" not in s.attributes for s in recorded)
    assert all("description" not in s.attributes for s in recorded)
    assert all(code not in str(s.as_dict()) for s in recorded)
