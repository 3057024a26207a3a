"""The lock's activity shows on the device page of a lock without a device of its own."""

from datetime import timedelta

import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.backup_access_codes.const import DOMAIN
from homeassistant.components.recorder import Recorder
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import LOCK, add_entry, create_grant, make_entry, set_online


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_db_url: str, enable_custom_integrations: None
) -> None:
    """As in conftest, but the recorder's database must exist before Home Assistant."""


async def test_lock_activity_on_the_device_page(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    writes: list[Event],
) -> None:
    """The device page's logbook (by device) lists the lock's own entries."""
    assert await async_setup_component(hass, "logbook", {})
    start = dt_util.utcnow() - timedelta(seconds=1)
    entry = await add_entry(hass, make_entry())
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    assert device is not None
    await set_online(hass, False)
    await create_grant(hass, starts_in=timedelta(minutes=10))
    await async_wait_recording_done(hass)

    # What the device page asks for: the device's entities, and events naming the device.
    on_device = [
        e.entity_id for e in er.async_entries_for_device(er.async_get(hass), device.id)
    ]
    assert LOCK in on_device
    client = await hass_ws_client()
    await client.send_json_auto_id(
        {
            "type": "logbook/get_events",
            # Simulated time stands still, and the end of the range is exclusive.
            "start_time": (start - timedelta(hours=1)).isoformat(),
            "end_time": (start + timedelta(hours=1)).isoformat(),
            "entity_ids": on_device,
            "device_ids": [device.id],
        }
    )
    response = await client.receive_json()
    assert response["success"], response
    on_lock = [
        (e.get("state"), e.get("message"))
        for e in response["result"]
        if e.get("entity_id") == LOCK
    ]
    # The lock going offline, and the backup code issued on it (never the code).
    assert ("unavailable", None) in on_lock
    assert (None, "issued a backup code to Jane Doe (slot 20)") in on_lock
