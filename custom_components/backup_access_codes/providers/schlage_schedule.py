"""Lock-kept windows on Schlage locks: temporary access codes in Schlage's cloud.

``schlage.add_code`` makes codes that always work and has no schedule fields. pyschlage's
``AccessCode`` takes a ``TemporarySchedule`` (start and end): the code works only in
between, enforced by the lock. The Schlage integration keeps its pyschlage ``Lock``
objects in its coordinator (the config entry's runtime data), already signed in; this
module uses the lock object behind the lock entity, in Home Assistant's executor (pyschlage
is synchronous), and reads every write back from the cloud.

Schlage's Wi-Fi locks (Encode, Encode Plus, Encode Lever, Arrive) take temporary codes. The
lock's clock is kept by Schlage over Wi-Fi: Home Assistant cannot see it, and trusts the
cloud (``ClockStatus.CLOUD``).
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .base import ProviderError, call_stack
from .windows import (
    ClockStatus,
    Window,
    WindowCapability,
    not_supported,
    supported,
    unknown,
)

if TYPE_CHECKING:
    from pyschlage.code import AccessCode
    from pyschlage.lock import Lock

SCHLAGE_DOMAIN = "schlage"


def keeps_temporary_codes(lock: Lock) -> bool:
    """Return True for a Schlage lock model that takes temporary codes (the Wi-Fi locks)."""
    from pyschlage.device import DeviceType

    models = (
        DeviceType.ENCODE,
        DeviceType.ENCODE_PLUS,
        DeviceType.ENCODE_LEVER,
        DeviceType.ARRIVE,
    )
    return any(lock.device_type.startswith(model.value) for model in models)


def normalize(name: str) -> str:
    """Compare names as the Schlage integration does."""
    return name.lower().strip()


class SchlageSchedules:
    """Temporary access codes of one Schlage lock, through its pyschlage ``Lock``."""

    def __init__(self, hass: HomeAssistant, lock_entity_id: str) -> None:
        """Remember the lock entity; its pyschlage lock is looked up on every use."""
        self.hass = hass
        self.lock_entity_id = lock_entity_id

    def find(self) -> Lock | None:
        """Return the pyschlage lock behind the lock entity, or None while unknown."""
        entry = er.async_get(self.hass).async_get(self.lock_entity_id)
        if entry is None or entry.config_entry_id is None:
            return None
        config_entry = self.hass.config_entries.async_get_entry(entry.config_entry_id)
        if (
            config_entry is None
            or config_entry.domain != SCHLAGE_DOMAIN
            or config_entry.state is not ConfigEntryState.LOADED
        ):
            return None
        # The Schlage integration's coordinator: lock data by device id (= unique id).
        lock_data = config_entry.runtime_data.data.get(entry.unique_id)
        return None if lock_data is None else lock_data.lock

    def require(self) -> Lock:
        """Return the pyschlage lock, or fail the write transiently."""
        if (lock := self.find()) is None:
            raise ProviderError(f"{self.lock_entity_id}: Schlage lock not loaded")
        if not lock.connected:
            raise ProviderError(f"{self.lock_entity_id}: the lock is offline")
        return lock

    def capability(self) -> WindowCapability:
        """Temporary codes on Wi-Fi locks; the clock is the cloud's."""
        if (lock := self.find()) is None:
            return unknown("not_loaded")
        if not keeps_temporary_codes(lock):
            return not_supported("no_temporary_codes")
        return supported(ClockStatus.CLOUD)

    async def async_has_window(self, name: str) -> bool:
        """Return True if a code with this name carries a temporary schedule."""
        from pyschlage.code import TemporarySchedule

        if (lock := self.find()) is None:
            return False
        return any(
            isinstance(code.schedule, TemporarySchedule)
            for code in await self._codes(lock, name)
        )

    async def async_set(self, name: str, code: str, window: Window) -> None:
        """Make ``name`` the only code of that name: ``code``, working within ``window``.

        A code of that name that has the same digits keeps its id and only changes its
        schedule; otherwise codes of that name go and a new one is added. Read back.
        """
        from pyschlage.code import AccessCode, TemporarySchedule

        lock = self.require()
        schedule = TemporarySchedule(start=window.starts_at, end=window.ends_at)
        codes = await self._all_codes(lock)
        mine = [c for c in codes if normalize(c.name) == normalize(name)]
        if any(c.code == code for c in codes if c not in mine):
            raise ProviderError(
                f"{self.lock_entity_id}: another Schlage code already has these digits",
                permanent=True,
            )
        if len(mine) == 1 and mine[0].code == code:
            mine[0].schedule = schedule
            await self._run("update the code", mine[0].save, secret=code)
        else:
            for old in mine:
                await self._run("delete the code", old.delete)
            new = AccessCode(
                name=name, code=code, notify_on_use=True, schedule=schedule
            )
            await self._run(
                "add the code", lambda: lock.add_access_code(new), secret=code
            )
        kept = await self._codes(lock, name)
        if not (
            len(kept) == 1
            and kept[0].code == code
            and isinstance(kept[0].schedule, TemporarySchedule)
            and _seconds(kept[0].schedule) == _seconds(schedule)
        ):
            raise ProviderError(
                f"{self.lock_entity_id}: Schlage does not list {name} with its window"
                " after the write"
            )

    async def _codes(self, lock: Lock, name: str) -> list[AccessCode]:
        return [
            c
            for c in await self._all_codes(lock)
            if normalize(c.name) == normalize(name)
        ]

    async def _all_codes(self, lock: Lock) -> list[AccessCode]:
        codes: list[AccessCode] = await self._run(
            "list the codes", lock.get_access_codes
        )
        return codes

    async def _run(
        self, what: str, job: Callable[[], Any], *, secret: str | None = None
    ) -> Any:
        """Run a pyschlage call in the executor; every failure is a transient error."""

        async def in_executor() -> Any:
            return await self.hass.async_add_executor_job(job)

        return await call_stack(
            self.hass,
            in_executor(),
            f"{self.lock_entity_id}: could not {what}",
            secret=secret,
        )


def _seconds(schedule: Any) -> tuple[int, int]:
    """A temporary schedule as the cloud stores it: whole seconds."""
    return int(schedule.start.timestamp()), int(schedule.end.timestamp())
