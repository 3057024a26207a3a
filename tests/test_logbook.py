"""The lock's logbook tells what each guest was told, from the code-free notices only."""

from datetime import timedelta

import pytest
from pytest_homeassistant_custom_component.common import async_capture_events
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.backup_access_codes.const import (
    EVENT_ISSUE_FAILED,
    EVENT_ISSUED,
    EVENT_NOTICE,
    EVENT_REISSUED,
)
from homeassistant.components.recorder import Recorder
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import LOCK, add_entry, create_grant, make_entry, set_online

CODE_EVENTS = (EVENT_ISSUED, EVENT_REISSUED)
ISSUED_SENSOR = "sensor.front_door_issued_backup_codes"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_db_url: str, enable_custom_integrations: None
) -> None:
    """As in conftest, but the recorder's database must exist before Home Assistant."""


async def logbook_of(
    hass: HomeAssistant, ws: WebSocketGenerator, since: str
) -> list[dict]:
    """The logbook of the lock's device page, as the frontend reads it.

    (The lock's own more-info logbook filters by entity and finds the integration through
    the lock's device; the test lock is a template lock without one.)
    """
    sensor = er.async_get(hass).async_get(ISSUED_SENSOR)
    assert sensor is not None
    await async_wait_recording_done(hass)
    client = await ws()
    await client.send_json_auto_id(
        {
            "type": "logbook/get_events",
            "start_time": since,
            "end_time": (dt_util.utcnow() + timedelta(hours=1)).isoformat(),
            "device_ids": [sensor.device_id],
        }
    )
    response = await client.receive_json()
    assert response["success"], response
    return [e for e in response["result"] if e.get("domain") == "backup_access_codes"]


async def test_logbook_words_every_notice_without_codes(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    writes: list[Event],
) -> None:
    """Issued, reissued and issue_failed reach the lock's logbook, in words, with no code.

    The code-carrying events are excluded from the recorder, as README's Privacy section
    recommends: the logbook must not need them.
    """
    assert await async_setup_component(
        hass, "logbook", {"recorder": {"exclude": {"event_types": list(CODE_EVENTS)}}}
    )
    since = (dt_util.utcnow() - timedelta(seconds=1)).isoformat()
    await add_entry(hass, make_entry())
    told = async_capture_events(hass, EVENT_ISSUED)
    notices = async_capture_events(hass, EVENT_NOTICE)
    failed = async_capture_events(hass, EVENT_ISSUE_FAILED)
    await set_online(hass, False)
    for _ in range(6):  # five pool codes, then none left
        await create_grant(hass, starts_in=timedelta(minutes=10))
    assert len(told) == 5
    assert len(failed) == 1

    entries = await logbook_of(hass, hass_ws_client, since)
    messages = [e["message"] for e in entries]
    assert messages[0] == "issued a backup code to Jane Doe (slot 20)"
    assert messages[-1] == (
        "could not give Jane Doe a working code: every guest slot is taken and no backup "
        "code is left"
    )
    assert len(messages) == 6
    assert {e["name"] for e in entries} == {"Front door"}
    assert {e["entity_id"] for e in entries} == {LOCK}
    codes = {e.data["access_method"]["code"] for e in told}
    assert not any(code in str(n.data) for n in notices for code in codes)
    assert not any(code in str(entries) for code in codes)


async def test_scheduled_code_notice(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    writes: list[Event],
) -> None:
    """An online lock's guest is told the scheduled code; the logbook says so."""
    assert await async_setup_component(hass, "logbook", {})
    since = (dt_util.utcnow() - timedelta(seconds=1)).isoformat()
    await add_entry(hass, make_entry())
    await create_grant(hass, starts_in=timedelta(minutes=10))
    entries = await logbook_of(hass, hass_ws_client, since)
    assert [e["message"] for e in entries] == ["told Jane Doe the scheduled code"]
