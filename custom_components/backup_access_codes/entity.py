"""Base entities: on the lock's own device; the pool entities follow their coordinator."""

from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity import Entity

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
        # The lock's device, or the one made for it at setup (lock_device.py).
        if (device_id := coordinator.device_id) is not None:
            self.device_entry = dr.async_get(coordinator.hass).async_get(device_id)

    @property
    def suggested_object_id(self) -> str | None:
        """Return the documented object id, or the one derived from the name."""
        return self._object_id or super().suggested_object_id


class PoolEntity(BackupAccessCodesEntity):
    """An entity that shows the pool: written when the coordinator says the pool changed."""

    async def async_added_to_hass(self) -> None:
        """Follow the coordinator.

        The coordinator holds the entity itself, not a callback and its remover: a few
        hundred bytes less per entity, with thousands of locks.
        """
        self.coordinator.entities.append(self)

    async def async_will_remove_from_hass(self) -> None:
        """Stop following the coordinator."""
        self.coordinator.entities.remove(self)
