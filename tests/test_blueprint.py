"""The shipped blueprint: loads in Home Assistant and sends the guest their code."""

from datetime import timedelta
from pathlib import Path
import shutil
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.backup_access_codes.const import EVENT_ISSUED, EVENT_REISSUED
from homeassistant.components.automation.helpers import (
    async_get_blueprints as async_get_automation_blueprints,
)
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component

from .conftest import LOCK, create_grant, set_online

REPO_BLUEPRINTS = Path(__file__).resolve().parent.parent / "blueprints"
BLUEPRINT = "backup_access_codes/send_guest_code.yaml"
SENT_EVENT = "test_guest_code_sent"


def event_data(
    *,
    code: str = "483920",
    is_backup_code: bool = True,
    lock: str = LOCK,
    reissued: bool = False,
) -> dict[str, Any]:
    """Data of an issued/reissued event, shaped as DESIGN.md says."""
    return {
        "event_type": f"access_method.{'reissued' if reissued else 'issued'}",
        "access_grant_id": "9f0c0000000000000000000000000001",
        "name": "Jane Doe",
        "lock_entity_id": lock,
        "device_id": "5d2e0000000000000000000000000001",
        "starts_at": "2026-12-05T15:00:00+00:00",
        "ends_at": "2026-12-08T11:00:00+00:00",
        "access_method": {
            "mode": "code",
            "code": code,
            "is_backup_code": is_backup_code,
            "slot": 21 if is_backup_code else None,
            "issued_at": "2026-12-04T03:00:00+00:00",
        },
    }


@pytest.fixture
async def blueprints(hass: HomeAssistant, tmp_path: Path) -> None:
    """Give Home Assistant a config folder whose blueprints are the repository's."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(REPO_BLUEPRINTS, tmp_path / "blueprints")
    await hass.config.async_set_time_zone("Europe/Amsterdam")


@pytest.fixture
def lock_states(hass: HomeAssistant, blueprints: None) -> None:
    """Two lock entities with friendly names (no integration behind them)."""
    hass.states.async_set(LOCK, "locked", {"friendly_name": "Front door"})
    hass.states.async_set("lock.back_door", "locked", {"friendly_name": "Back door"})


async def setup_automation(hass: HomeAssistant, **inputs: Any) -> None:
    """An automation made from the blueprint with these inputs."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": "send_guest_code",
                "alias": "Send guest code",
                "use_blueprint": {"path": BLUEPRINT, "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get("automation.send_guest_code")
    assert state is not None
    assert state.state == "on", state.attributes


async def fire(hass: HomeAssistant, event_type: str, data: dict[str, Any]) -> None:
    """Fire an event and let the automation finish."""
    hass.bus.async_fire(event_type, data)
    await hass.async_block_till_done()


async def test_blueprint_loads(
    hass: HomeAssistant, blueprints: None, hass_ws_client: WebSocketGenerator
) -> None:
    """Home Assistant's blueprint component validates and lists the blueprint."""
    assert await async_setup_component(hass, "automation", {})
    blueprint = await async_get_automation_blueprints(hass).async_get_blueprint(
        BLUEPRINT
    )
    assert blueprint.domain == "automation"
    assert set(blueprint.inputs) == {
        "lock_entities",
        "backup_codes_only",
        "notify_entities",
        "notify_action",
        "notify_data",
        "title",
        "message",
        "time_format",
        "extra_actions",
    }
    # Every input has a default: the automation works with none given.
    assert all("default" in spec for spec in blueprint.inputs.values())

    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "blueprint/list", "domain": "automation"})
    answer = await client.receive_json()
    assert answer["success"]
    listed = answer["result"][BLUEPRINT]
    assert "error" not in listed, listed
    assert listed["metadata"]["name"].startswith("Send the guest their door code")


async def test_sends_the_code_with_a_notify_action(
    hass: HomeAssistant, lock_states: None
) -> None:
    """A scheduled code reaches the notify action, with name, lock, code and local times."""
    sms = async_mock_service(hass, "notify", "guest_sms")
    await setup_automation(
        hass, notify_action="notify.guest_sms", notify_data={"target": "+15551234567"}
    )

    await fire(hass, EVENT_ISSUED, event_data(is_backup_code=False))

    assert len(sms) == 1
    data = sms[0].data
    message = data["message"]
    assert isinstance(message, str)
    assert "Jane Doe" in message
    assert "483920" in message
    assert "Front door" in message
    # 15:00 and 11:00 UTC in Amsterdam (CET, UTC+1).
    assert "Sat 5 Dec 2026, 16:00" in message
    assert "Tue 8 Dec 2026, 12:00" in message
    assert "has changed" not in message
    assert data["title"] == "Your door code"
    assert data["target"] == "+15551234567"


async def test_code_with_leading_zero_stays_text(
    hass: HomeAssistant, lock_states: None
) -> None:
    """A code is text: its leading zero survives, also in a custom message."""
    sms = async_mock_service(hass, "notify", "guest_sms")
    await setup_automation(
        hass,
        notify_action="notify.guest_sms",
        message="{{ code }}",
        title="",
    )

    await fire(hass, EVENT_ISSUED, event_data(code="012345"))
    await fire(hass, EVENT_ISSUED, event_data(code="483920"))

    assert [call.data["message"] for call in sms] == ["012345", "483920"]
    assert all("title" not in call.data for call in sms)


async def test_backup_codes_only(hass: HomeAssistant, lock_states: None) -> None:
    """With the filter on, scheduled codes are not sent; backup codes are."""
    sms = async_mock_service(hass, "notify", "guest_sms")
    await setup_automation(
        hass, notify_action="notify.guest_sms", backup_codes_only=True
    )

    await fire(hass, EVENT_ISSUED, event_data(is_backup_code=False, code="271828"))
    assert sms == []

    await fire(hass, EVENT_REISSUED, event_data(is_backup_code=True, reissued=True))
    assert len(sms) == 1
    message = sms[0].data["message"]
    assert "483920" in message
    assert "271828" not in message
    assert "your door code has changed" in message


async def test_lock_filter(hass: HomeAssistant, lock_states: None) -> None:
    """With locks chosen, codes for other locks are not sent."""
    sms = async_mock_service(hass, "notify", "guest_sms")
    await setup_automation(
        hass, notify_action="notify.guest_sms", lock_entities=["lock.back_door"]
    )

    await fire(hass, EVENT_ISSUED, event_data(lock=LOCK))
    assert sms == []

    await fire(hass, EVENT_ISSUED, event_data(lock="lock.back_door", code="161803"))
    assert len(sms) == 1
    assert "Back door" in sms[0].data["message"]
    assert "161803" in sms[0].data["message"]


async def test_notify_entities_and_own_actions(
    hass: HomeAssistant, lock_states: None
) -> None:
    """Notify entities get notify.send_message; the host's own actions see the variables."""
    send_message = async_mock_service(hass, "notify", "send_message")
    sent = async_capture_events(hass, SENT_EVENT)
    await setup_automation(
        hass,
        notify_entities=["notify.guest_phone", "notify.host_phone"],
        title="Door code for {{ lock_name }}",
        extra_actions=[
            {
                "event": SENT_EVENT,
                "event_data": {
                    "message": "{{ message }}",
                    "code": "{{ code }}",
                    "backup": "{{ is_backup_code }}",
                    "slot": "{{ slot }}",
                },
            }
        ],
    )

    await fire(hass, EVENT_REISSUED, event_data(reissued=True))

    assert len(send_message) == 1
    call: ServiceCall = send_message[0]
    assert call.data["entity_id"] == ["notify.guest_phone", "notify.host_phone"]
    assert call.data["title"] == "Door code for Front door"
    assert "483920" in call.data["message"]
    assert len(sent) == 1
    own: Event = sent[0]
    # Home Assistant renders a template of digits only as a number (see HA-NOTES).
    assert str(own.data["code"]) == "483920"
    assert own.data["backup"] is True
    assert own.data["slot"] == 21
    assert own.data["message"] == call.data["message"]


async def test_nothing_configured_does_nothing(
    hass: HomeAssistant, lock_states: None
) -> None:
    """With every input left at its default the automation runs without error."""
    send_message = async_mock_service(hass, "notify", "send_message")
    await setup_automation(hass)

    await fire(hass, EVENT_ISSUED, event_data())

    assert send_message == []
    state = hass.states.get("automation.send_guest_code")
    assert state is not None
    assert state.attributes["last_triggered"] is not None


async def test_with_the_integration(
    hass: HomeAssistant,
    blueprints: None,
    entry: MockConfigEntry,
) -> None:
    """End to end: a lock offline, a last-minute grant, and the guest gets the backup code."""
    sms = async_mock_service(hass, "notify", "guest_sms")
    issued = async_capture_events(hass, EVENT_ISSUED)
    await setup_automation(
        hass, notify_action="notify.guest_sms", backup_codes_only=True
    )
    await set_online(hass, False)

    response = await create_grant(hass, timedelta(minutes=10))

    assert len(issued) == 1
    backup_code = issued[0].data["access_method"]["code"]
    assert len(sms) == 1
    message = sms[0].data["message"]
    assert "Jane Doe" in message
    assert "Front door" in message
    # The guest is told the backup code, not the scheduled one the lock could not take.
    assert backup_code in message
    assert response["code"] not in message
