"""The Matter provider: PIN credentials through the Matter integration's lock actions.

Slot N is the lock's PIN credential index N (Matter PIN credential indices are 1-based:
index 0 is reserved for the programming PIN). Matter never returns a PIN, so a write is
confirmed only as far as the stack allows: after a set, ``get_lock_credential_status``
must report the slot occupied (anything else fails the write), yet the PIN itself stays
unread and the write counts as "sent, unverified". A clear is verified: the slot must
read back empty.

Locks with year-day schedules also keep a code's window themselves
(``async_set_windowed_code``, see ``matter_schedule``).
"""

from datetime import timedelta
from functools import cached_property
import logging
import re
from typing import Any, cast

import probatio

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceNotFound,
    ServiceValidationError,
)
from homeassistant.helpers import entity_registry as er

from .base import BaseProvider, Capacity, ProviderError
from .matter_schedule import MATTER_DOMAIN, MatterSchedules, refuse_unless_schedules
from .windows import Window, WindowCapability, require_trusted

_LOGGER = logging.getLogger(__name__)

CREDENTIAL_TYPE_PIN = "pin"
# The user a windowed PIN is added for: the lock refuses its PIN outside its schedules.
USER_TYPE_YEAR_DAY = "year_day_schedule_user"

# The DoorLock SetCredential statuses Home Assistant reports (its SetCredentialFailedError
# carries them as the ``status`` placeholder of ``set_credential_failed``) after which the
# same write cannot succeed: DUPLICATE (the PIN is already on the lock), OCCUPIED (after
# our slot was emptied this means the lock has no free user record), and the ones Home
# Assistant only shows as numbers: INVALID_FIELD (133: index or length out of range) and
# RESOURCE_EXHAUSTED (137). FAILURE and anything else may pass and is retried.
_PERMANENT_STATUSES = frozenset({"duplicate", "occupied"})
_PERMANENT_STATUS_NUMBERS = frozenset({133, 137})


def detect(hass: HomeAssistant, registry_entry: er.RegistryEntry) -> bool:
    """A lock entity of the Matter integration."""
    return registry_entry.domain == "lock" and registry_entry.platform == MATTER_DOMAIN


def _status_is_permanent(status: str) -> bool:
    """Read a status as Home Assistant words it: a name, or ``unknown(<number>)``."""
    if status in _PERMANENT_STATUSES:
        return True
    number = re.fullmatch(r"unknown\((\d+)\)", status)
    return number is not None and int(number.group(1)) in _PERMANENT_STATUS_NUMBERS


def _is_permanent(err: Exception) -> bool:
    """Tell a refusal that no retry can change from a failure that may pass."""
    if isinstance(err, ServiceNotFound):
        return False  # the Matter integration is not loaded (yet)
    if isinstance(err, probatio.Invalid):
        return True  # the action's schema refused the data
    if isinstance(err, HomeAssistantError) and (
        err.translation_domain == MATTER_DOMAIN
        and err.translation_key == "set_credential_failed"
    ):
        status = (err.translation_placeholders or {}).get("status", "")
        return _status_is_permanent(str(status))
    # Matter's own validation: PIN length or digits, PIN credentials or user management
    # not supported by this lock. Communication failures are plain HomeAssistantErrors.
    return isinstance(err, ServiceValidationError)


class MatterProvider(BaseProvider):
    """Sets and clears PIN credentials with ``matter.set_lock_credential`` & co.

    A set empties an occupied slot first (``clear_lock_credential``) and then adds the PIN
    as a new credential with its own user. Home Assistant turns a set into an occupied
    slot into a Modify without a user index, which a lock refuses (INVALID_FIELD); and
    emptying the slot first means a DUPLICATE answer really is another slot holding the
    same PIN, not this slot holding it from an earlier try.
    """

    # Thread locks are sleepy end devices behind a mesh: leave a breath between writes.
    min_gap = 0.5

    @cached_property
    def _schedules(self) -> MatterSchedules:
        """Year-day schedules and the clock, through the Matter integration's client."""
        return MatterSchedules(self.hass, self.lock_entity_id)

    async def async_capacity(self) -> Capacity | None:
        """Read the PIN credential count and PIN lengths from ``get_lock_info``."""
        try:
            info = await self._call("get_lock_info", {}, response=True)
        except ProviderError as err:
            _LOGGER.debug(
                "Cannot read the capacity of %s: %s", self.lock_entity_id, err
            )
            return None
        if not info.get("supports_user_management") or (
            CREDENTIAL_TYPE_PIN not in (info.get("supported_credential_types") or [])
        ):
            return Capacity(slots=0)  # no PIN credentials to program

        def number(key: str) -> int | None:
            value = info.get(key)
            return value if isinstance(value, int) else None

        defaults = Capacity()
        return Capacity(
            slots=number("max_pin_users"),  # PIN credential indices 1..max_pin_users
            min_length=number("min_pin_length") or defaults.min_length,
            max_length=number("max_pin_length") or defaults.max_length,
        )

    async def async_set_code(self, slot: int, code: str) -> bool:
        """Put the PIN into credential index ``slot``; the PIN cannot be read back."""
        async with self._busy:
            await self._put_pin(slot, code)
        # Occupied, but Matter never returns a PIN: sent, unverified.
        return False

    async def async_window_capability(self) -> WindowCapability:
        """Year-day schedules from the lock's feature map, and its clock (checked, set)."""
        return await self._schedules.async_capability()

    async def async_set_windowed_code(
        self, slot: int, code: str, window: Window
    ) -> bool:
        """Put the PIN in for a year-day schedule user, and give that user the window.

        Refused (nothing written) while the lock's clock is not trusted. If the schedule
        does not stick, the PIN is taken off again: it must not work unrestricted.
        """
        window = window.within(timedelta(seconds=1))
        async with self._busy:
            lock = self._schedules.require()
            refuse_unless_schedules(lock, self.lock_entity_id)
            clock, reading = await self._schedules.async_clock(lock)
            require_trusted(clock, self.lock_entity_id)
            status = await self._put_pin(slot, code, {"user_type": USER_TYPE_YEAR_DAY})
            try:
                await self._schedules.async_set(
                    lock, status.get("user_index"), window, reading
                )
            except ProviderError:
                await self._take_back(slot)
                raise
        return False  # the window is read back; the PIN, as always, is not

    async def _put_pin(
        self, slot: int, code: str, extra: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Empty the slot, add the PIN as a new credential; return its status."""
        if (await self._status(slot))["credential_exists"]:
            await self._clear(slot)
        await self._call(
            "set_lock_credential",
            {
                "credential_type": CREDENTIAL_TYPE_PIN,
                "credential_data": code,
                "credential_index": slot,
                **(extra or {}),
            },
            response=True,
            secret=code,
        )
        status = await self._status(slot)
        if not status["credential_exists"]:
            raise ProviderError(
                f"{self.lock_entity_id} reports PIN slot {slot} empty after the write"
            )
        return status

    async def _take_back(self, slot: int) -> None:
        """Clear a PIN whose window failed; a failure leaves the slot to be cleared later."""
        try:
            await self._clear(slot)
        except ProviderError as err:
            _LOGGER.debug(
                "Could not take back PIN slot %s of %s: %s",
                slot,
                self.lock_entity_id,
                err,
            )

    async def async_clear_code(self, slot: int) -> bool:
        """Clear credential index ``slot`` and confirm that it reads back empty."""
        async with self._busy:
            await self._clear(slot)
            if (await self._status(slot))["credential_exists"]:
                raise ProviderError(
                    f"{self.lock_entity_id} still reports PIN slot {slot} occupied"
                )
        return True

    async def _clear(self, slot: int) -> None:
        await self._call(
            "clear_lock_credential",
            {"credential_type": CREDENTIAL_TYPE_PIN, "credential_index": slot},
        )

    async def _status(self, slot: int) -> dict[str, Any]:
        return await self._call(
            "get_lock_credential_status",
            {"credential_type": CREDENTIAL_TYPE_PIN, "credential_index": slot},
            response=True,
        )

    async def _call(
        self,
        service: str,
        data: dict[str, Any],
        *,
        response: bool = False,
        secret: str | None = None,
    ) -> dict[str, Any]:
        """Call a Matter lock action; return this lock's part of its response."""
        result = await self._entity_action(
            MATTER_DOMAIN,
            service,
            data,
            response=response,
            secret=secret,
            permanent=_is_permanent,
        )
        return cast(dict[str, Any], result) if response else {}
