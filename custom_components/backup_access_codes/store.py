"""Versioned persistence of every lock's pool and every grant."""

from dataclasses import dataclass, field
import logging
from pathlib import Path
import shutil
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, SAVE_DELAY_SECONDS
from .grants import Grant, GrantBook
from .lock_state import LockState

STORAGE_VERSION = 1
# 1.2 added each lock's "retired" codes; 1.3 its "last_write_at" and "past" stays (both
# optional: older data reads as never written, no past stays). 1.4: a slot's retries count
# tries and failed attempts (was: failed tries); a grant's "issue_failed" flag (set once
# per grant) became "no_code", the cause of an issue_failed episode that is still open;
# pool codes say whether a guest held them ("used"), told codes whether an earlier guest did.
# Since, without a new version (optional, read as absent): each lock's lock-kept "windows"
# and "keeps_windows", a grant's "window_failed".
STORAGE_MINOR_VERSION = 4
STORAGE_KEY = DOMAIN

_LOGGER = logging.getLogger(__name__)


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
            # Written by a newer release: Home Assistant refuses to load it.
            raise NotImplementedError
        if old_minor_version < 2:
            for lock in old_data.get("locks", {}).values():
                lock.setdefault("retired", [])
        if old_minor_version < 4:
            _migrate_to_1_4(old_data)
        return old_data


def _migrate_to_1_4(data: dict[str, Any]) -> None:
    """Retries count tries and attempts; issue_failed is kept per episode.

    The old flag stayed set for good once issue_failed fired, served or not; it tells an
    open episode only for a guest never told a code. A guest who was told one starts
    with no open episode: if the code does not work, the next evaluation announces it
    (at most once more than before the upgrade, never once less).
    """
    for lock in data.get("locks", {}).values():
        for retry in lock.get("retries", {}).values():
            # Three failed tries made an attempt; one cut off part-way starts over.
            retry["failed_attempts"] = int(retry.pop("failures", 0)) // 3
            retry["tries"], retry["attempt_started"] = 0, None
        for pool_code in lock.get("pool", []):
            # A code waiting for rotation may have been a guest's: say so if reissued.
            pool_code.setdefault("used", pool_code.get("status") == "rotating")
    for grant in data.get("grants", {}).values():
        for grant_lock in grant.get("locks", {}).values():
            if grant_lock.get("told"):
                grant_lock["told"].setdefault("previously_used", False)
            announced = grant_lock.pop("issue_failed", False)
            open_episode = announced and grant_lock.get("told") is None
            # The cause is worked out again by the first evaluation.
            grant_lock["no_code"] = "no_backup_code" if open_episode else None


@dataclass
class StoredState:
    """Everything the integration keeps: lock states by config entry id, and grants."""

    locks: dict[str, LockState] = field(default_factory=dict)
    grants: GrantBook = field(default_factory=GrantBook)

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
            grants=GrantBook(
                (grant_id, Grant.from_dict(g))
                for grant_id, g in data.get("grants", {}).items()
            ),
        )


class StateStorage:
    """Loads the state once and writes it back, debounced."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Prepare the store."""
        self._hass = hass
        self._save_pending = False
        self.corrupt_copy: str | None = None
        self._store = BackupCodesStore(
            hass,
            STORAGE_VERSION,
            STORAGE_KEY,
            minor_version=STORAGE_MINOR_VERSION,
            atomic_writes=True,
        )
        self.state = StoredState()

    async def async_load(self) -> bool:
        """Load the stored state; return False if it was unreadable.

        An unreadable file is copied aside (nothing is lost) and the integration starts
        empty, so that the locks keep working; the caller raises a repair issue.
        """
        try:
            if (data := await self._store.async_load()) is not None:
                self.state = StoredState.from_dict(data)
        except (
            HomeAssistantError,
            KeyError,
            TypeError,
            ValueError,
            AttributeError,
        ) as err:
            # The error's type only: its text or traceback could quote a stored code.
            _LOGGER.error(
                "Stored state of %s is unreadable (%s); starting empty",
                DOMAIN,
                type(err).__name__,
            )
            self.corrupt_copy = await self._hass.async_add_executor_job(
                self._copy_aside
            )
            self.state = StoredState()
            return False
        return True

    def _copy_aside(self) -> str:
        path = Path(self._store.path)
        copy = path.with_name(f"{path.name}.corrupt-{dt_util.utcnow():%Y%m%d%H%M%S}")
        if path.exists():
            shutil.copy2(path, copy)
        return str(copy)

    def async_schedule_save(self) -> None:
        """Write the state within a second; a burst of changes makes one write.

        Throttled, not debounced: the Store's own delay moves the write later on every
        call, so a steady burst would keep an issued code off the disk indefinitely.
        """
        if self._save_pending:
            return
        self._save_pending = True
        self._store.async_delay_save(self._data_to_save, SAVE_DELAY_SECONDS)

    def _data_to_save(self) -> dict[str, Any]:
        self._save_pending = False  # changes from now on need another write
        return self.state.to_dict()

    async def async_save(self) -> None:
        """Write the state now (this also replaces a pending delayed write)."""
        self._save_pending = False
        await self._store.async_save(self.state.to_dict())


DATA_STORAGE: HassKey[StateStorage] = HassKey(DOMAIN)
