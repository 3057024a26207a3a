"""Backup Access Codes: a guest always gets a working door code."""

from functools import partial
import logging

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, issue_registry as ir
from homeassistant.helpers.helper_integration import async_handle_source_entity_changes
from homeassistant.helpers.translation import async_load_integrations
from homeassistant.helpers.typing import ConfigType

from .calendar_sync import CalendarSync
from .const import CONF_CALENDAR, CONF_CALENDAR_DAYS, CONF_LOCK_ENTITY_ID, DOMAIN
from .coordinator import LockCoordinator, lock_is_online
from .lock_device import async_setup_lock_device, async_unlink_lock
from .notices import remove_repairs
from .options import entry_options
from .panel import async_register_panel, async_remove_panel_if_unused
from .providers import ProviderError, create_provider
from .reservations import day_times
from .runtime import BackupAccessCodesConfigEntry, LockRuntime
from .services import async_setup_services
from .store import DATA_STORAGE, StateStorage
from .websocket_api import async_setup_websocket_api

_LOGGER = logging.getLogger(__name__)

PLATFORMS = (Platform.BINARY_SENSOR, Platform.SENSOR, Platform.CALENDAR)
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

__all__ = ["BackupAccessCodesConfigEntry"]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Load the stored pools and grants, and register the actions."""
    storage = StateStorage(hass)
    if not await storage.async_load():
        ir.async_create_issue(
            hass,
            DOMAIN,
            "storage_corrupt",
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="storage_corrupt",
            translation_placeholders={"copy": str(storage.corrupt_copy)},
        )
    hass.data[DATA_STORAGE] = storage
    async_setup_services(hass)
    # The logbook words its entries from these, synchronously (logbook.py).
    await async_load_integrations(hass, {DOMAIN})
    async_setup_websocket_api(hass)
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: BackupAccessCodesConfigEntry
) -> bool:
    """Set up one lock."""
    lock_entity_id: str = entry.data[CONF_LOCK_ENTITY_ID]
    coordinator = LockCoordinator(
        hass,
        entry,
        hass.data[DATA_STORAGE],
        create_provider(hass, lock_entity_id, entry.data),
    )
    entry.runtime_data = LockRuntime(coordinator, _calendar_sync(hass, coordinator))
    # The lock's own device, or None when it sits on the one made for it (or none).
    source_device_id = async_setup_lock_device(coordinator)

    entry.async_on_unload(
        async_handle_source_entity_changes(
            hass,
            helper_config_entry_id=entry.entry_id,
            set_source_entity_id_or_uuid=partial(_follow_renamed_lock, hass, entry),
            source_device_id=source_device_id,
            source_entity_id_or_uuid=lock_entity_id,
        )
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    coordinator.async_start()
    if (calendar_sync := entry.runtime_data.calendar_sync) is not None:
        calendar_sync.async_start()
    await async_register_panel(hass)
    return True


def _follow_renamed_lock(
    hass: HomeAssistant, entry: BackupAccessCodesConfigEntry, new_entity_id: str
) -> None:
    """The lock's entity id was renamed: follow it."""
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_LOCK_ENTITY_ID: new_entity_id}
    )
    hass.config_entries.async_schedule_reload(entry.entry_id)


def _calendar_sync(
    hass: HomeAssistant, coordinator: LockCoordinator
) -> CalendarSync | None:
    """Return the reservation calendar feeding this lock, if its options name one."""
    options = entry_options(coordinator.entry.options)
    if not (calendar_entity_id := options.get(CONF_CALENDAR)):
        return None
    check_in, check_out = day_times(options)
    return CalendarSync(
        hass,
        coordinator,
        calendar_entity_id=calendar_entity_id,
        days=int(options[CONF_CALENDAR_DAYS]),
        check_in=check_in,
        check_out=check_out,
    )


async def async_unload_entry(
    hass: HomeAssistant, entry: BackupAccessCodesConfigEntry
) -> bool:
    """Unload one lock; its state stays stored."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        # Within a second (and at the latest when Home Assistant stops): unloading 100
        # locks must not write the whole state 100 times.
        hass.data[DATA_STORAGE].async_schedule_save()
        async_remove_panel_if_unused(hass)
    return unloaded


async def async_remove_entry(
    hass: HomeAssistant, entry: BackupAccessCodesConfigEntry
) -> None:
    """Clear the lock's codes where it can, then forget its pool and its grants."""
    storage = hass.data[DATA_STORAGE]
    if (lock_state := storage.state.locks.pop(entry.entry_id, None)) is not None:
        await _async_clear_codes(hass, entry, sorted(lock_state.on_lock))
    for grant_id, grant in list(storage.state.grants.items()):
        grant.locks.pop(entry.entry_id, None)
        if not grant.locks:
            del storage.state.grants[grant_id]
    remove_repairs(hass, entry.entry_id)
    async_unlink_lock(hass, entry.entry_id, entry.data[CONF_LOCK_ENTITY_ID])
    await storage.async_save()


async def _async_clear_codes(
    hass: HomeAssistant, entry: BackupAccessCodesConfigEntry, slots: list[int]
) -> None:
    """Best effort: a removed lock should not keep codes that nobody manages any more."""
    lock_entity_id: str = entry.data[CONF_LOCK_ENTITY_ID]
    provider = create_provider(hass, lock_entity_id, entry.data)
    if not lock_is_online(hass, lock_entity_id, provider):
        if slots:
            _LOGGER.warning(
                "%s is offline: slots %s keep their codes; clear them on the lock",
                lock_entity_id,
                ", ".join(map(str, slots)),
            )
        return
    for slot in slots:
        try:
            await provider.async_clear_code(slot)
        except ProviderError as err:
            _LOGGER.warning(
                "Could not clear slot %s of %s: %s", slot, lock_entity_id, err
            )
