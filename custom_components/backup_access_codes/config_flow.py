"""Config flow: pick a lock, tell how codes reach it, tune the pool."""

from typing import TYPE_CHECKING, Any

import probatio

from homeassistant.config_entries import (
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
    OptionsFlowWithReload,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers import entity_registry as er, selector

from .const import (
    CONF_BACKUP_LEAD_HOURS,
    CONF_CALENDAR,
    CONF_CALENDAR_DAYS,
    CONF_CHECK_IN_TIME,
    CONF_CHECK_OUT_TIME,
    CONF_CLEAR_CODE_SCRIPT,
    CONF_CODE_LENGTH,
    CONF_FIRST_SLOT,
    CONF_LOCK_ENTITY_ID,
    CONF_POOL_SIZE,
    CONF_PROGRAM_LEAD_MINUTES,
    CONF_PROVIDER,
    CONF_REUSE_ROTATING_CODES,
    CONF_SET_CODE_SCRIPT,
    CONF_SHOW_CODES,
    CONF_SLOT_COUNT,
    CONF_WINDOW_SCRIPT,
    DEFAULT_OPTIONS,
    DOMAIN,
    INTEGER_OPTIONS,
    LAYOUT_OPTIONS,
    PROVIDER_SCRIPT,
)
from .lock_entity import lock_name
from .lock_state import holds_slots
from .options import entry_options, layout_from
from .providers import NO_CODE_INTERFACE, Capacity, create_provider, detect_provider
from .store import DATA_STORAGE

if TYPE_CHECKING:
    from .runtime import BackupAccessCodesConfigEntry

CONF_USE_SCRIPTS = "use_scripts"
LOCK_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_LOCK_ENTITY_ID): selector.EntitySelector(
            selector.EntitySelectorConfig(domain="lock")
        ),
        # Native providers are chosen from the lock's integration; scripts are the fallback.
        probatio.Optional(CONF_USE_SCRIPTS, default=False): selector.BooleanSelector(),
    }
)
SCRIPT_SELECTOR = selector.EntitySelector(
    selector.EntitySelectorConfig(domain="script")
)


def _scripts_schema(defaults: dict[str, Any]) -> probatio.Schema:
    fields: dict[Any, Any] = {
        probatio.Required(key, default=defaults[key])
        if key in defaults
        else probatio.Required(key): SCRIPT_SELECTOR
        for key in (CONF_SET_CODE_SCRIPT, CONF_CLEAR_CODE_SCRIPT)
    }
    # Optional: for locks that keep a code's time window themselves.
    fields[
        probatio.Optional(
            CONF_WINDOW_SCRIPT,
            description={"suggested_value": defaults.get(CONF_WINDOW_SCRIPT)},
        )
    ] = SCRIPT_SELECTOR
    return probatio.Schema(fields)


def _scripts_data(user_input: dict[str, Any]) -> dict[str, Any]:
    """The scripts of the form as entry data (the window script only when chosen)."""
    data = {
        key: user_input[key] for key in (CONF_SET_CODE_SCRIPT, CONF_CLEAR_CODE_SCRIPT)
    }
    if window_script := user_input.get(CONF_WINDOW_SCRIPT):
        data[CONF_WINDOW_SCRIPT] = window_script
    return data


def _number(unit: str | None = None) -> selector.NumberSelector:
    # No min/max here: the selector would refuse with "Value 3.0 is too small"; the
    # flow checks OPTION_RANGES itself and answers with a sentence for the field.
    config = selector.NumberSelectorConfig(step=1, mode=selector.NumberSelectorMode.BOX)
    if unit is not None:
        config["unit_of_measurement"] = unit
    return selector.NumberSelector(config)


# The whole-number options and the values each may take.
OPTION_RANGES: dict[str, tuple[int, int]] = {
    CONF_POOL_SIZE: (1, 10),
    CONF_CODE_LENGTH: (4, 8),
    CONF_FIRST_SLOT: (1, 9999),
    CONF_SLOT_COUNT: (2, 250),
    CONF_BACKUP_LEAD_HOURS: (0, 720),
    CONF_PROGRAM_LEAD_MINUTES: (0, 1440),
    CONF_CALENDAR_DAYS: (1, 90),
}
POOL_SELECTORS: dict[str, Any] = {
    CONF_POOL_SIZE: _number(),
    CONF_CODE_LENGTH: _number(),
    CONF_FIRST_SLOT: _number(),
    CONF_SLOT_COUNT: _number(),
    CONF_BACKUP_LEAD_HOURS: _number("h"),
    CONF_PROGRAM_LEAD_MINUTES: _number("min"),
    CONF_SHOW_CODES: selector.BooleanSelector(),
    CONF_REUSE_ROTATING_CODES: selector.BooleanSelector(),
}
# The reservation-calendar settings: one section of the dialog, stored flat like the rest.
SECTION_CALENDAR = "reservation_calendar"
CALENDAR_SELECTORS: dict[str, Any] = {
    CONF_CALENDAR_DAYS: _number("d"),
    CONF_CHECK_IN_TIME: selector.TimeSelector(),
    CONF_CHECK_OUT_TIME: selector.TimeSelector(),
}


def _calendar_selector(hass: HomeAssistant) -> selector.EntitySelector:
    """Any calendar but the grants calendars of this integration (they hold no bookings)."""
    ours = [
        entity.entity_id
        for entity in er.async_get(hass).entities.values()
        if entity.platform == DOMAIN and entity.domain == "calendar"
    ]
    return selector.EntitySelector(
        selector.EntitySelectorConfig(domain="calendar", exclude_entities=ours)
    )


def _required(current: dict[str, Any], selectors: dict[str, Any]) -> dict[Any, Any]:
    return {
        probatio.Required(key, default=current[key]): sel
        for key, sel in selectors.items()
    }


def _options_schema(
    current: dict[str, Any], expand_calendar: bool, calendar_selector: Any
) -> probatio.Schema:
    # The calendar picker comes first; leaving it empty turns calendar sync off.
    calendar: dict[Any, Any] = {
        probatio.Optional(
            CONF_CALENDAR, description={"suggested_value": current.get(CONF_CALENDAR)}
        ): calendar_selector,
        **_required(current, CALENDAR_SELECTORS),
    }
    return probatio.Schema(
        {
            **_required(current, POOL_SELECTORS),
            probatio.Required(SECTION_CALENDAR): section(
                probatio.Schema(calendar), {"collapsed": not expand_calendar}
            ),
        }
    )


def _flatten(user_input: dict[str, Any]) -> dict[str, Any]:
    """Return the options as they are stored: flat, the section's fields beside the rest."""
    calendar: dict[str, Any] = user_input.get(SECTION_CALENDAR, {})
    return {k: v for k, v in user_input.items() if k != SECTION_CALENDAR} | calendar


def _range_errors(options: dict[str, Any]) -> dict[str, str]:
    """Name each option outside its range (or not a whole number), per field.

    The dialog shows errors of a section's fields only at the section itself.
    """
    errors: dict[str, str] = {}
    for key, (low, high) in OPTION_RANGES.items():
        value = options[key]
        if not (float(value).is_integer() and low <= value <= high):
            field = SECTION_CALENDAR if key in CALENDAR_SELECTORS else key
            errors.setdefault(field, f"{key}_range")
    return errors


def _clean_options(options: dict[str, Any]) -> dict[str, Any]:
    """Number selectors answer floats; those options are whole numbers."""
    return {
        key: int(value) if key in INTEGER_OPTIONS else value
        for key, value in entry_options(options).items()
    }


def _guest_room(options: dict[str, Any]) -> dict[str, str]:
    """Say how many overlapping stays the slot range holds (the slots after the pool)."""
    pool_size = int(options[CONF_POOL_SIZE])
    return {
        "pool_size": str(pool_size),
        "guest_slots": str(max(int(options[CONF_SLOT_COUNT]) - pool_size, 0)),
    }


def fit_options(
    capacity: Capacity | None, options: dict[str, Any]
) -> dict[str, Any] | None:
    """Fit the default code length and slot range to a lock; None if it cannot hold a pool."""
    if capacity is None:
        return options
    length = min(
        max(options[CONF_CODE_LENGTH], capacity.min_length), capacity.max_length
    )
    fitted = {**options, CONF_CODE_LENGTH: length}
    if capacity.problem(options[CONF_FIRST_SLOT], options[CONF_SLOT_COUNT], length):
        # The range does not fit either: take the last slots of the lock.
        slots = capacity.slots or 0
        count = min(options[CONF_SLOT_COUNT], slots)
        fitted |= {CONF_SLOT_COUNT: count, CONF_FIRST_SLOT: max(1, slots - count + 1)}
    if not layout_from(fitted).supports_pool or capacity.problem(
        fitted[CONF_FIRST_SLOT], fitted[CONF_SLOT_COUNT], length
    ):
        return None  # fewer slots than the pool plus one guest, or no usable length
    return fitted


def _script_errors(hass: HomeAssistant, user_input: dict[str, Any]) -> dict[str, str]:
    """The selectors only take script.* ids; the scripts must also exist."""
    return {
        key: "script_not_found"
        for key in (CONF_SET_CODE_SCRIPT, CONF_CLEAR_CODE_SCRIPT, CONF_WINDOW_SCRIPT)
        if user_input.get(key) and hass.states.get(user_input[key]) is None
    }


class BackupAccessCodesConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a lock."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Start with no lock chosen."""
        self._lock_entity_id = ""
        self._no_code_interface = False

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the lock."""
        errors: dict[str, str] = {}
        if user_input is not None:
            lock_entity_id: str = user_input[CONF_LOCK_ENTITY_ID]
            registry = er.async_get(self.hass)
            registry_entry = registry.async_get(lock_entity_id)
            # The selector only takes lock.* ids; the lock must also exist.
            if registry_entry is None and self.hass.states.get(lock_entity_id) is None:
                errors[CONF_LOCK_ENTITY_ID] = "lock_not_found"
            else:
                # The registry id survives renames; a lock without one is known by its id.
                await self.async_set_unique_id(
                    registry_entry.id if registry_entry else lock_entity_id
                )
                self._abort_if_unique_id_configured()
                self._lock_entity_id = lock_entity_id
                provider = detect_provider(self.hass, registry_entry)
                if provider == PROVIDER_SCRIPT or user_input.get(CONF_USE_SCRIPTS):
                    self._no_code_interface = (
                        registry_entry is not None
                        and registry_entry.platform in NO_CODE_INTERFACE
                    )
                    return await self.async_step_script()
                return await self._async_create_native(provider)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(LOCK_SCHEMA, user_input),
            errors=errors,
        )

    async def _async_create_native(self, provider: str) -> ConfigFlowResult:
        """A lock with a native provider needs no further step, if it can hold a pool."""
        data = {CONF_LOCK_ENTITY_ID: self._lock_entity_id, CONF_PROVIDER: provider}
        capacity = await create_provider(
            self.hass, self._lock_entity_id, data
        ).async_capacity()
        if capacity is None:
            return self._create(data, dict(DEFAULT_OPTIONS))
        options = fit_options(capacity, dict(DEFAULT_OPTIONS))
        if options is None:
            return self.async_abort(
                reason="unsupported_lock",
                description_placeholders={"slots": str(capacity.slots)},
            )
        return self._create(data, options)

    def _create(
        self, data: dict[str, Any], options: dict[str, Any]
    ) -> ConfigFlowResult:
        return self.async_create_entry(
            title=lock_name(self.hass, self._lock_entity_id),
            data=data,
            options=options,
        )

    async def async_step_script(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the scripts that set and clear a code."""
        errors: dict[str, str] = {}
        if user_input is None and self._no_code_interface:
            # Shown as a note: this lock's integration cannot program codes itself.
            errors["base"] = "no_code_interface"
        if user_input is not None and not (
            errors := _script_errors(self.hass, user_input)
        ):
            return self._create(
                {
                    CONF_LOCK_ENTITY_ID: self._lock_entity_id,
                    CONF_PROVIDER: PROVIDER_SCRIPT,
                    **_scripts_data(user_input),
                },
                dict(DEFAULT_OPTIONS),
            )
        return self.async_show_form(
            step_id="script",
            data_schema=_scripts_schema(user_input or {}),
            errors=errors,
            description_placeholders={
                "lock": lock_name(self.hass, self._lock_entity_id)
            },
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the scripts of a lock."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None and not (
            errors := _script_errors(self.hass, user_input)
        ):
            kept = {k: v for k, v in entry.data.items() if k != CONF_WINDOW_SCRIPT}
            return self.async_update_reload_and_abort(
                entry, data={**kept, **_scripts_data(user_input)}
            )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=_scripts_schema(user_input or dict(entry.data)),
            errors=errors,
            description_placeholders={
                "lock": lock_name(self.hass, entry.data[CONF_LOCK_ENTITY_ID])
            },
        )

    @staticmethod
    @callback
    def async_get_options_flow(
        config_entry: BackupAccessCodesConfigEntry,
    ) -> OptionsFlow:
        """Return the options flow."""
        return BackupAccessCodesOptionsFlow()


class BackupAccessCodesOptionsFlow(OptionsFlowWithReload):
    """Tune the pool and timing of one lock."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and check every option; a fixed error is gone on the next submit."""
        entry: BackupAccessCodesConfigEntry = self.config_entry
        stored = shown = entry_options(entry.options)
        errors: dict[str, str] = {}
        problem = ""
        if user_input is not None:
            shown = entry_options(_flatten(user_input))
            if not (errors := _range_errors(shown)):
                new = _clean_options(shown)
                errors, problem = await self._layout_errors(entry, new)
                if not errors:
                    return self.async_create_entry(data=new)
        # The note on overlapping stays counts the slot layout in the form, if it is one.
        layout_shown = not {CONF_POOL_SIZE, CONF_SLOT_COUNT} & errors.keys()
        return self.async_show_form(
            step_id="init",
            data_schema=_options_schema(
                shown,
                expand_calendar=bool(shown.get(CONF_CALENDAR))
                or SECTION_CALENDAR in errors,
                calendar_selector=_calendar_selector(self.hass),
            ),
            errors=errors,
            description_placeholders={
                "lock": lock_name(self.hass, entry.data[CONF_LOCK_ENTITY_ID]),
                "problem": problem,
                **_guest_room(shown if layout_shown else stored),
            },
        )

    async def _layout_errors(
        self, entry: BackupAccessCodesConfigEntry, new: dict[str, Any]
    ) -> tuple[dict[str, str], str]:
        """Check the slot layout against the pool, the grants and the lock."""
        current = entry_options(entry.options)
        if not layout_from(new).supports_pool:
            return {"base": "pool_too_large"}, ""
        if any(new[k] != current[k] for k in LAYOUT_OPTIONS) and self._holds_slots(
            entry.entry_id
        ):
            return {"base": "layout_in_use"}, ""
        if problem := await self._capacity_problem(entry, new):
            return {"base": "beyond_lock_capacity"}, problem
        return {}, ""

    async def _capacity_problem(
        self, entry: BackupAccessCodesConfigEntry, options: dict[str, Any]
    ) -> str | None:
        """Say why the lock cannot take these slots or this code length, if it can tell."""
        provider = create_provider(
            self.hass, entry.data[CONF_LOCK_ENTITY_ID], entry.data
        )
        if (capacity := await provider.async_capacity()) is None:
            return None
        return capacity.problem(
            options[CONF_FIRST_SLOT],
            options[CONF_SLOT_COUNT],
            options[CONF_CODE_LENGTH],
        )

    def _holds_slots(self, entry_id: str) -> bool:
        state = self.hass.data[DATA_STORAGE].state
        lock_state = state.locks.get(entry_id)
        return lock_state is not None and holds_slots(
            entry_id, lock_state, state.grants
        )
