"""Config flow, options flow and reconfigure."""

from datetime import timedelta
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.backup_access_codes.config_flow import fit_options
from custom_components.backup_access_codes.const import (
    CONF_CLEAR_CODE_SCRIPT,
    CONF_LOCK_ENTITY_ID,
    CONF_SET_CODE_SCRIPT,
    DEFAULT_OPTIONS,
    DOMAIN,
)
from custom_components.backup_access_codes.providers import Capacity
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import entity_registry as er

from .conftest import LOCK, create_grant, render, set_online, set_writes

SCRIPTS = {
    CONF_SET_CODE_SCRIPT: "script.set_code",
    CONF_CLEAR_CODE_SCRIPT: "script.clear_code",
}


async def test_user_flow_creates_entry(hass: HomeAssistant, locks: None) -> None:
    """Lock, then scripts: the entry is keyed by the lock's registry id."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM and result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_LOCK_ENTITY_ID: LOCK}
    )
    assert result["type"] is FlowResultType.FORM and result["step_id"] == "script"
    # The host is shown the lock's name, not its entity id.
    assert result["description_placeholders"] == {"lock": "Front door"}
    assert (
        await render(hass, "config", "step.script.title", {"lock": "Front door"})
        == "Scripts that program Front door"
    )
    with pytest.raises(InvalidData):
        await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {**SCRIPTS, CONF_SET_CODE_SCRIPT: "input_boolean.writes_fail"},
        )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**SCRIPTS, CONF_SET_CODE_SCRIPT: "script.missing"}
    )
    assert result["errors"] == {CONF_SET_CODE_SCRIPT: "script_not_found"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], SCRIPTS)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Front door"
    assert result["data"] == {
        CONF_LOCK_ENTITY_ID: LOCK,
        "provider": "script",
        **SCRIPTS,
    }
    assert result["options"] == DEFAULT_OPTIONS
    entry = result["result"]
    assert entry.unique_id == er.async_get(hass).async_get(LOCK).id
    await hass.async_block_till_done()
    assert hass.states.get("sensor.front_door_available_backup_codes").state == "5"

    # The same lock twice.
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_LOCK_ENTITY_ID: LOCK}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_user_flow_errors(hass: HomeAssistant, locks: None) -> None:
    """A non-lock entity and a missing lock are refused with an error."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    with pytest.raises(InvalidData):
        await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_LOCK_ENTITY_ID: "input_boolean.writes_fail"}
        )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_LOCK_ENTITY_ID: "lock.nowhere"}
    )
    assert result["errors"] == {CONF_LOCK_ENTITY_ID: "lock_not_found"}


async def test_options_flow(
    hass: HomeAssistant, entry: MockConfigEntry, writes: list[Event]
) -> None:
    """Every option can change; the pool follows the new layout."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    new = {
        **DEFAULT_OPTIONS,
        "pool_size": 3,
        "first_slot": 40,
        "code_length": 4,
        "slot_count": 6,
        "backup_lead_hours": 48,
        "program_lead_minutes": 30,
        "show_codes": True,
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], new)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert dict(entry.options) == new
    on_lock = set_writes(writes)
    # Old pool slots are cleared, the new pool is programmed with four-digit codes.
    assert sorted(on_lock) == [40, 41, 42]
    assert all(len(code) == 4 for code in on_lock.values())


async def test_options_flow_refuses_bad_layouts(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A pool that fills the range, and a layout change while codes are in use."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**DEFAULT_OPTIONS, "pool_size": 10, "slot_count": 10}
    )
    assert result["errors"] == {"base": "pool_too_large"}

    await set_online(hass, False)
    await create_grant(hass, starts_in=timedelta(minutes=10))
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**DEFAULT_OPTIONS, "first_slot": 50}
    )
    assert result["errors"] == {"base": "layout_in_use"}
    # Timing options may still change.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**DEFAULT_OPTIONS, "backup_lead_hours": 24}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["first_slot"] == 20


async def test_reconfigure(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The scripts can be changed."""
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    assert (
        await render(
            hass, "config", "step.reconfigure.title", result["description_placeholders"]
        )
        == "Scripts that program Front door"
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**SCRIPTS, CONF_SET_CODE_SCRIPT: "script.missing"}
    )
    assert result["errors"] == {CONF_SET_CODE_SCRIPT: "script_not_found"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**SCRIPTS, CONF_CLEAR_CODE_SCRIPT: "script.set_code"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_CLEAR_CODE_SCRIPT] == "script.set_code"


async def test_entry_follows_renamed_lock(
    hass: HomeAssistant, locks: None, writes: list[Event]
) -> None:
    """Renaming the lock entity keeps the entry working under the new id."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_LOCK_ENTITY_ID: LOCK}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], SCRIPTS)
    entry = result["result"]
    await hass.async_block_till_done()
    er.async_get(hass).async_update_entity(LOCK, new_entity_id="lock.main_door")
    await hass.async_block_till_done()
    assert entry.data[CONF_LOCK_ENTITY_ID] == "lock.main_door"
    assert entry.runtime_data.coordinator.lock_entity_id == "lock.main_door"
    response = await create_grant(
        hass, starts_in=timedelta(minutes=10), lock="lock.main_door"
    )
    assert set_writes(writes)[25] == response["code"]


async def test_options_flow_calendar(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """The reservation calendar can be set and cleared again."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            **DEFAULT_OPTIONS,
            "calendar_entity_id": "calendar.rentals",
            "check_in_time": "16:00:00",
        },
    )
    await hass.async_block_till_done()
    assert entry.options["calendar_entity_id"] == "calendar.rentals"
    assert entry.options["check_in_time"] == "16:00:00"
    assert entry.runtime_data.calendar_sync is not None
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], DEFAULT_OPTIONS
    )
    await hass.async_block_till_done()
    assert "calendar_entity_id" not in entry.options
    assert entry.runtime_data.calendar_sync is None


async def test_lock_without_code_interface(hass: HomeAssistant, locks: None) -> None:
    """A lock whose integration cannot program codes is offered the script provider."""
    er.async_get(hass).async_get_or_create(
        "lock", "nuki", "nuki-1", suggested_object_id="hallway"
    )
    hass.states.async_set("lock.hallway", "locked")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_LOCK_ENTITY_ID: "lock.hallway"}
    )
    assert result["step_id"] == "script"
    assert result["errors"] == {"base": "no_code_interface"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], SCRIPTS)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["provider"] == "script"


def test_fit_options_moves_range_into_small_locks() -> None:
    """A lock with few slots gets the range at its end; too few is unsupported."""
    defaults = dict(DEFAULT_OPTIONS)
    assert fit_options(None, defaults) == defaults
    assert fit_options(Capacity(slots=250), defaults) == defaults
    small = fit_options(Capacity(slots=8), defaults)
    assert small is not None
    assert (small["first_slot"], small["slot_count"]) == (1, 8)
    assert fit_options(Capacity(slots=5), defaults) is None  # pool 5 + 1 guest needs 6
    short = fit_options(Capacity(slots=30, min_length=4, max_length=5), defaults)
    assert short is not None and short["code_length"] == 5


async def test_native_provider_needs_no_script_step(
    hass: HomeAssistant, locks: None
) -> None:
    """A ZHA lock is programmed through ZHA: the entry is created after `user`."""
    er.async_get(hass).async_get_or_create(
        "lock", "zha", "zha-1", suggested_object_id="porch"
    )
    hass.states.async_set("lock.porch", "locked", {"friendly_name": "Porch"})
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_LOCK_ENTITY_ID: "lock.porch"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_LOCK_ENTITY_ID: "lock.porch", "provider": "zha"}


async def test_native_lock_may_use_scripts(hass: HomeAssistant, locks: None) -> None:
    """The host can still choose the script provider for a native lock."""
    er.async_get(hass).async_get_or_create(
        "lock", "zha", "zha-1", suggested_object_id="porch"
    )
    hass.states.async_set("lock.porch", "locked")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_LOCK_ENTITY_ID: "lock.porch", "use_scripts": True}
    )
    assert result["step_id"] == "script"
    assert result["errors"] == {}


@pytest.mark.parametrize(("slots", "outcome"), [(4, "abort"), (8, "fitted")])
async def test_native_lock_capacity(
    hass: HomeAssistant, locks: None, slots: int, outcome: str
) -> None:
    """Too few slots for the pool plus a guest aborts; a small lock gets a fitted range."""
    er.async_get(hass).async_get_or_create(
        "lock", "zha", "zha-1", suggested_object_id="porch"
    )
    hass.states.async_set("lock.porch", "locked")
    with patch(
        "custom_components.backup_access_codes.providers.zha.ZhaProvider.async_capacity",
        return_value=Capacity(slots=slots),
    ):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_LOCK_ENTITY_ID: "lock.porch"}
        )
    if outcome == "abort":
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "unsupported_lock"
        assert result["description_placeholders"] == {"slots": "4"}
    else:
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert (result["options"]["first_slot"], result["options"]["slot_count"]) == (
            1,
            8,
        )


async def test_options_respect_lock_capacity(hass: HomeAssistant, locks: None) -> None:
    """Options the lock cannot hold (slots beyond it, a code length it refuses) are refused."""
    er.async_get(hass).async_get_or_create(
        "lock", "zha", "zha-1", suggested_object_id="porch"
    )
    hass.states.async_set("lock.porch", "locked")
    with patch(
        "custom_components.backup_access_codes.providers.zha.ZhaProvider.async_capacity",
        return_value=Capacity(slots=30, min_length=4, max_length=6),
    ):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_LOCK_ENTITY_ID: "lock.porch"}
        )
        entry = result["result"]
        await hass.async_block_till_done()
        result = await hass.config_entries.options.async_init(entry.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {**DEFAULT_OPTIONS, "first_slot": 25}
        )
        assert result["errors"] == {"base": "beyond_lock_capacity"}
        assert result["description_placeholders"] == {
            "problem": "the lock has 30 code slots"
        }
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {**DEFAULT_OPTIONS, "code_length": 8}
        )
        assert result["errors"] == {"base": "beyond_lock_capacity"}
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {**DEFAULT_OPTIONS, "first_slot": 21}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
