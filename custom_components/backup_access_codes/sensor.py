"""Counts of a lock's backup codes."""

from typing import Any

from homeassistant.components.sensor import SensorEntity, SensorStateClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import LockCoordinator
from .entity import PoolEntity
from .pool import PoolStatus
from .runtime import BackupAccessCodesConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BackupAccessCodesConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the two counters of a lock."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        [AvailableBackupCodesSensor(coordinator), IssuedBackupCodesSensor(coordinator)]
    )


class AvailableBackupCodesSensor(PoolEntity, SensorEntity):
    """Fresh pool codes ready on the lock."""

    _attr_state_class = SensorStateClass.MEASUREMENT

    def __init__(self, coordinator: LockCoordinator) -> None:
        """Describe the counter."""
        super().__init__(
            coordinator, "available_backup_codes", "available_backup_codes"
        )

    @property
    def native_value(self) -> int:
        """Return how many codes are ready."""
        return self.coordinator.engine.health().ready

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Tell whether this lock can hold a pool at all."""
        return {
            "supports_backup_access_code_pool": self.coordinator.engine.layout.supports_pool
        }


class IssuedBackupCodesSensor(PoolEntity, SensorEntity):
    """Pool codes in use by guests, and who holds them."""

    _attr_state_class = SensorStateClass.MEASUREMENT
    # Guest names and (with show_codes) codes stay out of the recorder.
    _unrecorded_attributes = frozenset({"access_grants"})

    def __init__(self, coordinator: LockCoordinator) -> None:
        """Describe the counter."""
        super().__init__(coordinator, "issued_backup_codes", "issued_backup_codes")

    @property
    def native_value(self) -> int:
        """Return how many codes are in use."""
        return self.coordinator.engine.health().in_use

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """List the grants holding a backup code."""
        engine = self.coordinator.engine
        holders = []
        for pool_code in engine.state.pool:
            if pool_code.status is not PoolStatus.ISSUED or pool_code.grant_id is None:
                continue
            grant = engine.grants.get(pool_code.grant_id)
            # Kept small (it lives in the state machine): times are in list_access_grants.
            holder: dict[str, Any] = {
                "access_grant_id": pool_code.grant_id,
                "name": grant.name if grant else None,
                "slot": pool_code.slot,
            }
            if self.coordinator.show_codes:
                holder["code"] = pool_code.code
            holders.append(holder)
        return {"access_grants": holders}
