"""Pool health problems of a lock."""

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import LockCoordinator
from .entity import PoolEntity
from .pool import PoolHealth
from .runtime import BackupAccessCodesConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class PoolProblemDescription(BinarySensorEntityDescription):
    """A pool health flag."""

    is_on: Callable[[PoolHealth], bool]
    # The documented entity id's object part (after the device name).
    object_id: str


DESCRIPTIONS = (
    PoolProblemDescription(
        key="empty_backup_access_code_pool",
        translation_key="empty_backup_access_code_pool",
        object_id="backup_code_pool_empty",
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on=lambda health: health.empty,
    ),
    PoolProblemDescription(
        key="partial_backup_access_code_pool",
        translation_key="partial_backup_access_code_pool",
        object_id="backup_code_pool_degraded",
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on=lambda health: health.partial,
    ),
    PoolProblemDescription(
        key="many_active_backup_codes",
        translation_key="many_active_backup_codes",
        object_id="many_backup_codes_in_use",
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on=lambda health: health.many_active,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BackupAccessCodesConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the three health flags of a lock."""
    async_add_entities(
        PoolProblemSensor(entry.runtime_data.coordinator, description)
        for description in DESCRIPTIONS
    )


class PoolProblemSensor(PoolEntity, BinarySensorEntity):
    """On while the pool has this problem."""

    entity_description: PoolProblemDescription

    def __init__(
        self, coordinator: LockCoordinator, description: PoolProblemDescription
    ) -> None:
        """Describe one flag."""
        super().__init__(coordinator, description.key, description.object_id)
        self.entity_description = description

    @property
    def is_on(self) -> bool:
        """Return True while the problem lasts."""
        return self.entity_description.is_on(self.coordinator.engine.health())
