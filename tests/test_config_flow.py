"""Config flow, options flow and reconfigure."""

from datetime import timedelta
from typing import Any
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
from homeassistant.data_entry_flow import FlowResultType, InvalidData, section
from homeassistant.helpers import entity_registry as er

from .conftest import (
    CALENDAR_FIELDS,
    LOCK,
    add_entry,
    create_grant,
    form,
    make_entry,
    render,
    set_online,
    set_writes,
)

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
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form(new)
    )
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
        result["flow_id"], form({**DEFAULT_OPTIONS, "pool_size": 10, "slot_count": 10})
    )
    assert result["errors"] == {"base": "pool_too_large"}

    await set_online(hass, False)
    await create_grant(hass, starts_in=timedelta(minutes=10))
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({**DEFAULT_OPTIONS, "first_slot": 50})
    )
    assert result["errors"] == {"base": "layout_in_use"}
    # Timing options may still change.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({**DEFAULT_OPTIONS, "backup_lead_hours": 24})
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
        form(
            {
                **DEFAULT_OPTIONS,
                "calendar_entity_id": "calendar.rentals",
                "check_in_time": "16:00:00",
            }
        ),
    )
    await hass.async_block_till_done()
    assert entry.options["calendar_entity_id"] == "calendar.rentals"
    assert entry.options["check_in_time"] == "16:00:00"
    assert entry.runtime_data.calendar_sync is not None
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form(DEFAULT_OPTIONS)
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
            result["flow_id"], form({**DEFAULT_OPTIONS, "first_slot": 25})
        )
        assert result["errors"] == {"base": "beyond_lock_capacity"}
        assert result["description_placeholders"]["problem"] == (
            "the lock has 30 code slots"
        )
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], form({**DEFAULT_OPTIONS, "code_length": 8})
        )
        assert result["errors"] == {"base": "beyond_lock_capacity"}
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], form({**DEFAULT_OPTIONS, "first_slot": 21})
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY


async def submit(
    hass: HomeAssistant, result: dict[str, Any], **changes: Any
) -> dict[str, Any]:
    """Submit the options dialog with the defaults and these changes."""
    return dict(
        await hass.config_entries.options.async_configure(
            result["flow_id"], form({**DEFAULT_OPTIONS, **changes})
        )
    )


def calendar_section(result: dict[str, Any]) -> section:
    """The reservation-calendar section of a shown options form."""
    fields = {str(key): value for key, value in result["data_schema"].schema.items()}
    value = fields["reservation_calendar"]
    assert isinstance(value, section)
    return value


async def test_options_calendar_section(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """The calendar settings sit in a section, picker first, collapsed until one is set.

    The section is submitted nested and stored flat, beside the other options.
    """
    result = await hass.config_entries.options.async_init(entry.entry_id)
    fields = [str(key) for key in result["data_schema"].schema]
    assert not set(CALENDAR_FIELDS) & set(fields)
    calendar = calendar_section(result)
    assert [str(key) for key in calendar.schema.schema] == list(CALENDAR_FIELDS)
    assert calendar.options == {"collapsed": True}
    result = await submit(hass, result, calendar_entity_id="calendar.rentals")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert dict(entry.options) == {
        **DEFAULT_OPTIONS,
        "calendar_entity_id": "calendar.rentals",
    }
    await hass.async_block_till_done()
    # With a calendar set the section opens, showing it.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert calendar_section(result).options == {"collapsed": False}
    assert (
        await render(
            hass, "options", "step.init.sections.reservation_calendar.name", None
        )
        == "Reservation calendar"
    )


OUT_OF_RANGE: list[tuple[str, float, str, str]] = [
    ("pool_size", 0, "pool_size", "The pool must hold 1 to 10 backup codes."),
    ("pool_size", 11, "pool_size", "The pool must hold 1 to 10 backup codes."),
    ("code_length", 3, "code_length", "Code length must be 4 to 8 digits."),
    ("code_length", 9, "code_length", "Code length must be 4 to 8 digits."),
    ("code_length", 4.5, "code_length", "Code length must be 4 to 8 digits."),
    (
        "first_slot",
        0,
        "first_slot",
        "The first code slot must be a slot number from 1 to 9999.",
    ),
    ("slot_count", 1, "slot_count", "Code slots to use must be 2 to 250."),
    ("slot_count", 251, "slot_count", "Code slots to use must be 2 to 250."),
    (
        "backup_lead_hours",
        -1,
        "backup_lead_hours",
        "Codes can be issued 0 to 720 hours before check-in.",
    ),
    (
        "program_lead_minutes",
        1441,
        "program_lead_minutes",
        "The scheduled code can be programmed 0 to 1440 minutes before check-in.",
    ),
    # A field of the section is named at the section: the dialog shows it there.
    (
        "calendar_days",
        0,
        "reservation_calendar",
        "Days ahead to read must be 1 to 90.",
    ),
]


@pytest.mark.parametrize(
    ("key", "value", "field", "message"),
    OUT_OF_RANGE,
    ids=[f"{case[0]}={case[1]}" for case in OUT_OF_RANGE],
)
async def test_options_out_of_range(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    key: str,
    value: float,
    field: str,
    message: str,
) -> None:
    """Each value outside its range is named in a sentence, and nothing is stored."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await submit(hass, result, **{key: value})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: f"{key}_range"}
    assert await render(hass, "options", f"error.{key}_range", None) == message
    assert dict(entry.options) == DEFAULT_OPTIONS
    if field == "reservation_calendar":
        assert calendar_section(result).options == {"collapsed": False}


async def test_options_fixed_error_clears(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Each submit is checked afresh: a corrected field loses its error."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await submit(hass, result, code_length=3, calendar_days=0)
    assert result["errors"] == {
        "code_length": "code_length_range",
        "reservation_calendar": "calendar_days_range",
    }
    # What the host typed stays in the form.
    assert calendar_section(result).schema({})["calendar_days"] == 0
    result = await submit(hass, result, calendar_days=0)
    assert result["errors"] == {"reservation_calendar": "calendar_days_range"}
    result = await submit(hass, result, pool_size=10)
    assert result["errors"] == {"base": "pool_too_large"}
    result = await submit(hass, result, calendar_days=30)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["calendar_days"] == 30


async def test_options_say_how_many_stays_fit(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """The dialog counts the guest slots (slot count less pool) from the values shown."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    placeholders = result["description_placeholders"]
    assert placeholders == {
        "lock": "Front door",
        "problem": "",
        "pool_size": "5",
        "guest_slots": "5",
    }
    assert await render(hass, "options", "step.init.title", placeholders) == (
        "Backup codes on Front door"
    )
    assert await render(hass, "options", "step.init.description", placeholders) == (
        "The slot range holds 5 backup codes and the scheduled codes of 5 guests, so up"
        " to 5 stays can overlap on Front door (a scheduled code holds its slot from its"
        " programming time before check-in until check-out). A guest beyond that gets a"
        " backup code while one is free; for more overlapping stays, raise the code"
        " slots to use."
    )
    # A submit that fails elsewhere counts the slot layout in the form...
    result = await submit(hass, result, pool_size=3, slot_count=12, calendar_days=0)
    assert result["errors"] == {"reservation_calendar": "calendar_days_range"}
    assert result["description_placeholders"]["guest_slots"] == "9"
    result = await submit(hass, result, pool_size=10)
    assert result["errors"] == {"base": "pool_too_large"}
    assert result["description_placeholders"]["guest_slots"] == "0"
    # ...unless the layout itself is out of range: then the stored one.
    result = await submit(hass, result, slot_count=900)
    assert result["description_placeholders"]["guest_slots"] == "5"
    result = await submit(hass, result, pool_size=3, slot_count=12)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    # ...and the next opening counts the stored options.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["description_placeholders"]["guest_slots"] == "9"


async def test_options_of_an_older_entry(
    hass: HomeAssistant, writes: list[Event]
) -> None:
    """An entry stored before the calendar options existed opens and saves flat."""
    old = {k: v for k, v in DEFAULT_OPTIONS.items() if k not in CALENDAR_FIELDS}
    entry = await add_entry(hass, make_entry())
    hass.config_entries.async_update_entry(entry, options=old)
    await hass.async_block_till_done()
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert calendar_section(result).schema({}) == {
        "calendar_days": 14,
        "check_in_time": "15:00:00",
        "check_out_time": "11:00:00",
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form({**old, "check_out_time": "10:00:00"})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert dict(entry.options) == {**DEFAULT_OPTIONS, "check_out_time": "10:00:00"}


async def test_options_offer_no_grants_calendar_as_reservation_calendar(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A grants calendar of this integration holds no bookings: the picker leaves it out."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    calendar_section = result["data_schema"].schema["reservation_calendar"]
    picker = next(
        value
        for key, value in calendar_section.schema.schema.items()
        if key == "calendar_entity_id"
    )
    assert picker.config["domain"] == ["calendar"]
    assert picker.config["exclude_entities"] == ["calendar.front_door_access_grants"]
