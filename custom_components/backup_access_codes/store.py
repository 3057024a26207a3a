"""Versioned persistence of every lock's pool and every grant."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, SAVE_DELAY_SECONDS
from .engine import LockState
from .grants import Grant

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 1
STORAGE_KEY = DOMAIN


class BackupCodesStore(Store[dict[str, Any]]):
    """The integration's store, with its migrations."""

    async def _async_migrate_func(
        self,
        old_major_version: int,
        old_minor_version: int,
        old_data: dict[str, Any],
    ) -> dict[str, Any]:
        """Bring data of an older layout up to date."""
        if old_major_version > STORAGE_VERSION:
            raise NotImplementedError
        return old_data


@dataclass
class StoredState:
    """Everything the integration keeps: lock states by config entry id, and grants."""

    locks: dict[str, LockState] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Serialise for the store."""
        return {
            "locks": {lock_id: s.to_dict() for lock_id, s in self.locks.items()},
            "grants": {grant_id: g.to_dict() for grant_id, g in self.grants.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StoredState:
        """Read back from the store."""
        return cls(
            locks={
                lock_id: LockState.from_dict(s)
                for lock_id, s in data.get("locks", {}).items()
            },
            grants={
                grant_id: Grant.from_dict(g)
                for grant_id, g in data.get("grants", {}).items()
            },
        )


class StateStorage:
    """Loads the state once and writes it back, debounced."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Prepare the store."""
        self._store = BackupCodesStore(
            hass,
            STORAGE_VERSION,
            STORAGE_KEY,
            minor_version=STORAGE_MINOR_VERSION,
            atomic_writes=True,
        )
        self.state = StoredState()

    async def async_load(self) -> None:
        """Load the stored state."""
        if (data := await self._store.async_load()) is not None:
            self.state = StoredState.from_dict(data)

    def async_schedule_save(self) -> None:
        """Write the state soon; bursts of changes make one write."""
        self._store.async_delay_save(self.state.to_dict, SAVE_DELAY_SECONDS)

    async def async_save(self) -> None:
        """Write the state now."""
        await self._store.async_save(self.state.to_dict())


DATA_STORAGE: HassKey[StateStorage] = HassKey(DOMAIN)
