"""The device a lock without one gets, and the lock entity's link to it.

A lock that sits on a device (Z-Wave JS, ZHA, a template lock the host linked to a device)
keeps it: the integration's entities join that device. A lock without one (a template lock,
a lock of a script) gets a device made here, named after the lock, and the lock entity itself
is linked to it where it has a registry entry, so that the lock's own activity (locked,
unlocked, the codes issued on it) shows on the same device page.

The lock's integration registers its entity again at every start or reload, without a device:
the link is put back each time. A device the host gives the lock later takes over (the
integration's entities move there, its own device goes). Removing the entry unlinks the lock.
"""

from functools import partial
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_track_entity_registry_updated_event
from homeassistant.loader import IntegrationNotLoaded, async_get_loaded_integration

from .const import CONF_PROVIDER, DOMAIN, PROVIDER_SCRIPT
from .lock_entity import own_device

if TYPE_CHECKING:
    from .coordinator import LockCoordinator

MANUFACTURER = "Backup Access Codes"
PROVIDER_NAMES = {
    "matter": "Matter",
    "schlage": "Schlage",
    "zha": "ZHA",
    "zigbee2mqtt": "Zigbee2MQTT",
    "zwave_js": "Z-Wave JS",
}


def device_model(
    hass: HomeAssistant, lock: er.RegistryEntry | None, provider: str
) -> str:
    """Say what the device is: which kind of lock, and how its codes are set."""
    kind = "Lock"
    if lock is not None:
        try:
            kind = f"{async_get_loaded_integration(hass, lock.platform).name} lock"
        except IntegrationNotLoaded:
            kind = f"{lock.platform} lock"
    if provider == PROVIDER_SCRIPT:
        return f"{kind}, codes set by scripts"
    return f"{kind}, codes set through {PROVIDER_NAMES.get(provider, provider)}"


@callback
def async_setup_lock_device(coordinator: LockCoordinator) -> str | None:
    """Give the lock's entities their device; return the lock's own device id, if any.

    Returns None when the device is the one made here: Home Assistant's helper that follows
    a source entity must not take the link being put back for a move to another device.
    """
    hass, entry = coordinator.hass, coordinator.entry
    entities = er.async_get(hass)
    devices = dr.async_get(hass)
    lock = entities.async_get(coordinator.lock_entity_id)
    mine = own_device(hass, entry.entry_id)
    if (
        lock is not None
        and lock.device_id
        and (mine is None or lock.device_id != mine.id)
    ):
        if mine is not None:
            # The host gave the lock a device: the entities move there, ours goes.
            for entity in er.async_entries_for_device(
                entities, mine.id, include_disabled_entities=True
            ):
                entities.async_update_entity(entity.entity_id, device_id=lock.device_id)
            devices.async_remove_device(mine.id)
        return lock.device_id
    device = devices.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.entry_id)},
        name=coordinator.lock_name,
        manufacturer=MANUFACTURER,
        model=device_model(hass, lock, entry.data.get(CONF_PROVIDER, PROVIDER_SCRIPT)),
    )
    if lock is not None:
        if lock.device_id != device.id:
            entities.async_update_entity(lock.entity_id, device_id=device.id)
        entry.async_on_unload(_async_keep_link(hass, entry.entry_id, lock.entity_id))
    return None


@callback
def _async_keep_link(
    hass: HomeAssistant, entry_id: str, lock_entity_id: str
) -> CALLBACK_TYPE:
    """Put the link back when the lock's integration registers the lock without a device."""
    # A partial, not a closure: a few hundred bytes less per lock.
    return async_track_entity_registry_updated_event(
        hass, lock_entity_id, partial(_async_lock_entry_changed, hass, entry_id)
    )


@callback
def _async_lock_entry_changed(
    hass: HomeAssistant, entry_id: str, event: Event[er.EventEntityRegistryUpdatedData]
) -> None:
    data = event.data
    if data["action"] != "update" or "device_id" not in data["changes"]:
        return
    entities = er.async_get(hass)
    lock = entities.async_get(data["entity_id"])
    mine = own_device(hass, entry_id)
    if lock is None or mine is None or lock.device_id == mine.id:
        return
    if lock.device_id is None:
        entities.async_update_entity(lock.entity_id, device_id=mine.id)
    else:
        # A device of the lock's own: set up again to move there.
        hass.config_entries.async_schedule_reload(entry_id)


@callback
def async_unlink_lock(hass: HomeAssistant, entry_id: str, lock_entity_id: str) -> None:
    """Take the lock off the device made for it (the device goes with the entry)."""
    entities = er.async_get(hass)
    mine = own_device(hass, entry_id)
    lock = entities.async_get(lock_entity_id)
    if mine is None or lock is None or lock.device_id != mine.id:
        return
    entities.async_update_entity(
        lock.entity_id,
        device_id=None,
        # Disabling the device disabled the lock with it; the lock outlives the device.
        disabled_by=None
        if lock.disabled_by is er.RegistryEntryDisabler.DEVICE
        else lock.disabled_by,
    )
