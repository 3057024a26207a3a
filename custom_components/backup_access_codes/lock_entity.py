"""What Home Assistant knows of a configured lock: the name hosts know it by, its device.

Shared by the config flow (titles, dialogs), the lock's notices (events, repairs) and the
device made for a lock without one (``lock_device.py``).
"""

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device import async_entity_id_to_device_id

from .const import DOMAIN


def lock_name(hass: HomeAssistant, lock_entity_id: str) -> str:
    """Return what the host calls the lock: its friendly name (or its entity id)."""
    if state := hass.states.get(lock_entity_id):
        return str(state.name)
    return lock_entity_id


def own_device(hass: HomeAssistant, entry_id: str) -> dr.DeviceEntry | None:
    """Return the device made for the entry's lock, if there is one."""
    return dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, entry_id), entry_id
    )


def lock_device_id(
    hass: HomeAssistant, entry_id: str, lock_entity_id: str
) -> str | None:
    """Return the lock's device, or the one made for a lock without a device."""
    if device_id := async_entity_id_to_device_id(hass, lock_entity_id):
        return device_id
    device = own_device(hass, entry_id)
    return device.id if device else None
