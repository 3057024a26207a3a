"""The ZHA provider: Zigbee locks through Home Assistant's own Zigbee integration.

Codes are written with ZHA's entity services ``zha.set_lock_user_code`` and
``zha.clear_lock_user_code`` (``code_slot`` is 1-based; ZHA sends user ``code_slot - 1``
to the lock). ZHA ignores the status of the lock's answer to a Set PIN Code command, so a
lock that refuses a code (a duplicate, a bad length, no space) looks like success. The
write is therefore read back with the Door Lock cluster's Get PIN Code command through
the ZHA entity's own cluster; when that is not possible the write counts as "sent,
unverified".
"""

from collections.abc import Mapping
import logging
from typing import Any

import probatio

from homeassistant.components.lock import DATA_COMPONENT as LOCK_COMPONENT
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceNotFound,
    ServiceValidationError,
)
from homeassistant.helpers import entity_registry as er

from .base import (
    BaseProvider,
    Capacity,
    ProviderError,
    call_with_timeout,
    describe_error,
    scrub,
)

_LOGGER = logging.getLogger(__name__)

ZHA_DOMAIN = "zha"
# homeassistant/components/zha/lock.py: SERVICE_SET_LOCK_USER_CODE, ...
SERVICE_SET_LOCK_USER_CODE = "set_lock_user_code"
SERVICE_CLEAR_LOCK_USER_CODE = "clear_lock_user_code"
ATTR_CODE_SLOT = "code_slot"
ATTR_USER_CODE = "user_code"

DOOR_LOCK_CLUSTER_ID = 0x0101
# Door Lock cluster attributes (zigpy names): how many PIN users, PIN lengths.
ATTR_PIN_USERS = "num_of_pin_users_supported"
ATTR_MIN_PIN_LEN = "min_pin_len"
ATTR_MAX_PIN_LEN = "max_pin_len"
CAPACITY_ATTRIBUTES = (ATTR_PIN_USERS, ATTR_MIN_PIN_LEN, ATTR_MAX_PIN_LEN)
# Door Lock cluster user status (ZCL 7.3.2.17.6)
USER_STATUS_AVAILABLE = 0
USER_STATUS_ENABLED = 1
USER_STATUS_DISABLED = 3


def detect(hass: HomeAssistant, registry_entry: er.RegistryEntry) -> bool:
    """Return True for a lock entity of the ZHA integration."""
    return registry_entry.domain == "lock" and registry_entry.platform == ZHA_DOMAIN


class ZhaProvider(BaseProvider):
    """Sets and clears PIN codes through ZHA and reads them back from the lock."""

    # A Zigbee mesh (and a sleepy lock) needs a breath between two commands.
    min_gap = 1.0

    # ----- capacity

    async def async_capacity(self) -> Capacity | None:
        """Read the PIN user count and PIN lengths from the lock's Door Lock cluster."""
        if (cluster := self._door_lock_cluster()) is None:
            return None
        values = _cached_attributes(cluster)
        if len(values) < len(CAPACITY_ATTRIBUTES):
            try:
                success, _failure = await call_with_timeout(
                    self.hass,
                    cluster.read_attributes(
                        list(CAPACITY_ATTRIBUTES), allow_cache=True
                    ),
                )
            except Exception as err:  # noqa: BLE001 - a sleepy lock may not answer
                _LOGGER.debug(
                    "Could not read the capacity of %s: %s", self.lock_entity_id, err
                )
            else:
                if isinstance(success, Mapping):
                    values.update(_ints(success))
        return _capacity_from(values)

    # ----- writes

    async def async_set_code(self, slot: int, code: str) -> bool:
        """Set ``code`` in ``slot`` and read it back."""
        async with self._busy:
            self._check_code(slot, code)
            await self._call(
                SERVICE_SET_LOCK_USER_CODE,
                {ATTR_CODE_SLOT: slot, ATTR_USER_CODE: code},
                secret=code,
            )
            return await self._read_back(slot, code)

    async def async_clear_code(self, slot: int) -> bool:
        """Clear ``slot`` and read it back."""
        async with self._busy:
            self._check_slot(slot)
            await self._call(SERVICE_CLEAR_LOCK_USER_CODE, {ATTR_CODE_SLOT: slot})
            return await self._read_back(slot, None)

    def _check_slot(self, slot: int) -> None:
        if slot < 1:
            raise ProviderError(f"slot {slot} is not a ZHA code slot", permanent=True)
        cluster = self._door_lock_cluster()
        users = _cached_attributes(cluster).get(ATTR_PIN_USERS) if cluster else None
        if users is not None and slot > users:
            raise ProviderError(
                f"slot {slot} is beyond the lock's {users} PIN users", permanent=True
            )

    def _check_code(self, slot: int, code: str) -> None:
        """Refuse, before sending, a code the lock's own limits rule out."""
        self._check_slot(slot)
        if not code.isdigit():
            raise ProviderError("a PIN code must be digits", permanent=True)
        if (cluster := self._door_lock_cluster()) is None:
            return
        limits = _cached_attributes(cluster)
        low = limits.get(ATTR_MIN_PIN_LEN)
        high = limits.get(ATTR_MAX_PIN_LEN)
        if low is not None and len(code) < low:
            raise ProviderError(
                f"the lock takes PIN codes of at least {low} digits", permanent=True
            )
        if high is not None and len(code) > high:
            raise ProviderError(
                f"the lock takes PIN codes of at most {high} digits", permanent=True
            )

    async def _call(
        self, service: str, data: dict[str, Any], secret: str | None = None
    ) -> None:
        """Call a ZHA lock service; turn its errors into ProviderError."""
        name = f"{ZHA_DOMAIN}.{service}"
        state = self.hass.states.get(self.lock_entity_id)
        if state is None or state.state == STATE_UNAVAILABLE:
            # An entity service skips an unavailable entity without an error: the
            # call would "succeed" without reaching the lock.
            raise ProviderError(f"{self.lock_entity_id} is unavailable")
        try:
            await call_with_timeout(
                self.hass,
                self.hass.services.async_call(
                    ZHA_DOMAIN,
                    service,
                    {ATTR_ENTITY_ID: self.lock_entity_id, **data},
                    blocking=True,
                ),
            )
        except TimeoutError:
            raise ProviderError(f"{name} timed out") from None
        except ServiceNotFound:
            raise ProviderError(f"{name} is not available (ZHA not loaded)") from None
        except (ServiceValidationError, probatio.Invalid) as err:
            # The request itself is wrong for this lock (a bad code or slot): asking
            # again with the same data cannot help.
            raise ProviderError(
                f"{name} refused: {_reason(err, secret)}", permanent=True
            ) from None
        except HomeAssistantError as err:
            # ZHA's own translation of Zigbee errors: no answer, delivery failed.
            raise ProviderError(f"{name} failed: {_reason(err, secret)}") from None
        except Exception as err:  # noqa: BLE001 - anything else is a failed write
            raise ProviderError(f"{name} failed: {_reason(err, secret)}") from None

    # ----- read-back

    async def _read_back(self, slot: int, code: str | None) -> bool:
        """Ask the lock what ``slot`` holds now; True when it holds what we wrote.

        ``code`` None means the slot was cleared. Raise ProviderError when the lock
        shows the write did not take; return False when it cannot tell (no cluster,
        no answer, a masked code).
        """
        if (cluster := self._door_lock_cluster()) is None:
            return False
        try:
            response = await call_with_timeout(
                self.hass, cluster.get_pin_code(slot - 1)
            )
        except Exception as err:  # noqa: BLE001 - reading back is best effort
            _LOGGER.debug(
                "Could not read back slot %s of %s: %s",
                slot,
                self.lock_entity_id,
                type(err).__name__,
            )
            return False
        status = _int(getattr(response, "user_status", None))
        stored = _text(getattr(response, "code", None))
        if status is None:
            return False  # not a Get PIN Code answer (e.g. a default response)
        if code is None:
            if status == USER_STATUS_AVAILABLE:
                return True
            if stored and stored.isdigit():
                raise ProviderError(f"slot {slot} still holds a code after clearing")
            return False
        if status == USER_STATUS_AVAILABLE:
            raise ProviderError(
                f"the lock left slot {slot} empty: it refused the code "
                "(a duplicate, a bad length or no space)",
                permanent=True,
            )
        if stored == code:
            return status == USER_STATUS_ENABLED
        if stored and stored.isdigit():
            raise ProviderError(
                f"slot {slot} holds another code: the lock refused the new one",
                permanent=True,
            )
        return False  # the lock masks codes over the air (send_pin_ota off)

    def _door_lock_cluster(self) -> Any | None:
        """Return the zigpy Door Lock cluster behind the ZHA lock entity, if reachable.

        ZHA's lock entity keeps the ZHA library's entity in ``entity_data.entity``,
        whose ``cluster`` is the zigpy cluster the services use.
        """
        component = self.hass.data.get(LOCK_COMPONENT)
        entity = component.get_entity(self.lock_entity_id) if component else None
        zha_entity = getattr(getattr(entity, "entity_data", None), "entity", None)
        cluster = getattr(zha_entity, "cluster", None)
        if getattr(cluster, "cluster_id", None) != DOOR_LOCK_CLUSTER_ID:
            return None
        return cluster


def _cached_attributes(cluster: Any) -> dict[str, int]:
    """Return the capacity attributes already in the cluster's cache."""
    values: dict[str, int] = {}
    for name in CAPACITY_ATTRIBUTES:
        try:
            value = _int(cluster.get(name))
        except Exception:  # noqa: BLE001 - a cache that cannot answer knows nothing
            value = None
        if value is not None:
            values[name] = value
    return values


def _ints(values: Mapping[Any, Any]) -> dict[str, int]:
    return {
        name: number
        for name in CAPACITY_ATTRIBUTES
        if (number := _int(values.get(name))) is not None
    }


def _capacity_from(values: Mapping[str, int]) -> Capacity | None:
    if not values:
        return None
    users = values.get(ATTR_PIN_USERS)
    low = values.get(ATTR_MIN_PIN_LEN)
    high = values.get(ATTR_MAX_PIN_LEN)
    defaults = Capacity()
    if low is None or not 1 <= low <= 255:
        low = defaults.min_length
    if high is None or not low <= high <= 255:
        high = max(low, defaults.max_length)
    return Capacity(slots=users, min_length=low, max_length=high)


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except TypeError, ValueError:
        return None


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return value.decode("ascii", errors="replace")
    return "" if value is None else str(value)


def _reason(err: Exception, secret: str | None) -> str:
    return scrub(describe_error(err), secret)
