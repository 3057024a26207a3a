"""The Schlage provider: access codes in Schlage's cloud, addressed by name.

Schlage codes have no slot numbers, only names. Slot N is the code named "Guest N":
neutral in the Schlage app (a guest must not read "backup" there) and parsed back to
its slot by ``slot_from_name``. Names are matched the way the Schlage integration
matches them (case and surrounding spaces ignored). ``schlage.get_codes`` returns codes
in clear (the cloud's number, zero-padded to the code's length), so a write is read
back and compared: nothing is masked.

Schlage's Wi-Fi locks also keep a code's window themselves: a temporary access code
(``async_set_windowed_code``, see ``schlage_schedule``).
"""

from datetime import timedelta
from functools import cached_property
import re
from typing import Any, cast

import probatio

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceNotFound
from homeassistant.helpers import entity_registry as er

from .base import BaseProvider, Capacity, ProviderError
from .schlage_schedule import SCHLAGE_DOMAIN, SchlageSchedules, normalize
from .windows import Window, WindowCapability

NAME_PREFIX = "Guest"
_NAME_RE = re.compile(rf"{NAME_PREFIX.lower()} (\d+)")

# The Schlage integration refuses a code another name already holds.
_PERMANENT_KEYS = frozenset({"schlage_code_exists"})


def detect(hass: HomeAssistant, registry_entry: er.RegistryEntry) -> bool:
    """A lock entity of the Schlage integration."""
    return registry_entry.domain == "lock" and registry_entry.platform == SCHLAGE_DOMAIN


def code_name(slot: int) -> str:
    """Return the Schlage code name of a slot."""
    return f"{NAME_PREFIX} {slot}"


def slot_from_name(name: str) -> int | None:
    """Return the slot a Schlage code name stands for, or None for other names."""
    match = _NAME_RE.fullmatch(normalize(name))
    return int(match.group(1)) if match else None


def _is_permanent(err: Exception) -> bool:
    """Tell a refusal that no retry can change from a failure that may pass."""
    if isinstance(err, ServiceNotFound):
        return False  # the Schlage integration is not loaded (yet)
    if isinstance(err, probatio.Invalid):
        return True  # the action's schema refused the data (4-8 digits)
    # Only a duplicate code is for good. "schlage_name_exists" means another writer
    # raced our delete (the next try deletes again); cloud and connection failures (a
    # HomeAssistantError, or a raw requests error the integration lets through) pass.
    return (
        isinstance(err, HomeAssistantError)
        and err.translation_domain == SCHLAGE_DOMAIN
        and err.translation_key in _PERMANENT_KEYS
    )


class SchlageProvider(BaseProvider):
    """Sets and clears codes with ``schlage.add_code``, ``delete_code`` and ``get_codes``.

    Setting a slot replaces whatever code has the slot's name (delete, then add); a
    clear deletes by name. Both read ``get_codes`` back. That is Schlage's cloud copy:
    the lock takes it over Wi-Fi, and Home Assistant has no way to see the lock's own.
    """

    # Calls go to Schlage's cloud over HTTPS, not over a mesh; there is nothing to pace.
    min_gap = 0.0

    @cached_property
    def _schedules(self) -> SchlageSchedules:
        """Temporary codes, through the Schlage integration's pyschlage lock."""
        return SchlageSchedules(self.hass, self.lock_entity_id)

    async def async_capacity(self) -> Capacity | None:
        """Codes have no slot numbers; the add action takes 4-8 digits."""
        # The lock's own code count (and, on an Encode, its one code length) are not
        # available through Home Assistant's actions.
        return Capacity(slots=None, min_length=4, max_length=8)

    async def async_set_code(self, slot: int, code: str) -> bool:
        """Replace the code named for ``slot``; read it back from the cloud."""
        name = code_name(slot)
        async with self._busy:
            mine = self._named(await self._codes(), name)
            if [entry.get("code") for entry in mine] == [
                code
            ] and not await self._schedules.async_has_window(name):
                return True  # already there (an earlier try that timed out got through)
            for _ in mine:
                await self._call("delete_code", {"name": name})
            await self._call(
                "add_code",
                {"name": name, "code": code, "notify_on_use": True},
                secret=code,
            )
            mine = self._named(await self._codes(), name)
        if not mine:
            raise ProviderError(
                f"{self.lock_entity_id}: Schlage does not list {name} after adding it"
            )
        if str(mine[0].get("code", "")) != code:
            raise ProviderError(
                f"{self.lock_entity_id}: Schlage lists another code under {name}"
            )
        return True

    async def async_window_capability(self) -> WindowCapability:
        """Temporary codes on Schlage's Wi-Fi locks; their clock is the cloud's."""
        return self._schedules.capability()

    async def async_set_windowed_code(
        self, slot: int, code: str, window: Window
    ) -> bool:
        """Make the code named for ``slot`` a temporary code working within ``window``.

        Read back from the cloud: the code and its window (whole seconds, inwards).
        """
        window = window.within(timedelta(seconds=1))
        async with self._busy:
            await self._schedules.async_set(code_name(slot), code, window)
        return True

    async def async_clear_code(self, slot: int) -> bool:
        """Delete the code named for ``slot``; confirm the cloud no longer lists it."""
        name = code_name(slot)
        async with self._busy:
            await self._call("delete_code", {"name": name})
            if self._named(await self._codes(), name):
                raise ProviderError(
                    f"{self.lock_entity_id}: Schlage still lists {name} after deleting it"
                )
        return True

    @staticmethod
    def _named(codes: dict[str, Any], name: str) -> list[dict[str, Any]]:
        wanted = normalize(name)
        return [
            entry
            for entry in codes.values()
            if isinstance(entry, dict)
            and normalize(str(entry.get("name", ""))) == wanted
        ]

    async def _codes(self) -> dict[str, Any]:
        """Return the lock's codes by id: ``{id: {"name": ..., "code": ...}}``.

        Entity actions answer per entity. An unavailable lock is skipped: ``add_code``
        and ``delete_code`` then end without error, having done nothing, while
        ``get_codes`` raises "did not match any entities". So every write is followed
        by a ``get_codes``.
        """
        result = await self._call("get_codes", {}, response=True)
        return cast(dict[str, Any], result)

    async def _call(
        self,
        service: str,
        data: dict[str, Any],
        *,
        response: bool = False,
        secret: str | None = None,
    ) -> Any:
        result = await self._entity_action(
            SCHLAGE_DOMAIN,
            service,
            data,
            response=response,
            secret=secret,
            permanent=_is_permanent,
        )
        return cast(dict[str, Any], result) if response else None
