"""Base entity: sits on the lock's own device and follows its coordinator."""

from homeassistant.helpers.device import async_entity_id_to_device
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import DOMAIN
from .coordinator import LockCoordinator


class BackupAccessCodesEntity(Entity):
    """An entity about one lock's pool."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, coordinator: LockCoordinator, key: str, object_id: str | None = None
    ) -> None:
        """Attach to the lock's device, or to a device of its own named after the lock.

        ``object_id`` keeps a documented entity id when the display name says more than
        the id: Home Assistant derives a new entity's id from the device name and this.
        """
        self.coordinator = coordinator
        self._object_id = object_id
        self._attr_translation_key = key
        self._attr_unique_id = f"{coordinator.entry.unique_id}_{key}"
        if device := async_entity_id_to_device(
            coordinator.hass, coordinator.lock_entity_id
        ):
            self.device_entry = device
        else:
            self._attr_device_info = DeviceInfo(
                identifiers={(DOMAIN, coordinator.entry.entry_id)},
                name=coordinator.lock_name,
            )

    @property
    def suggested_object_id(self) -> str | None:
        """Return the documented object id, or the one derived from the name."""
        return self._object_id or super().suggested_object_id

    async def async_added_to_hass(self) -> None:
        """Follow the coordinator."""
        self.async_on_remove(
            self.coordinator.async_add_listener(self.async_write_ha_state)
        )
