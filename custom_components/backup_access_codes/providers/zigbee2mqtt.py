"""The Zigbee2MQTT provider: an MQTT lock discovered from Zigbee2MQTT.

Codes are published to the device's own set topic, the ``command_topic`` of the lock's
MQTT discovery payload (e.g. ``zigbee2mqtt/Front Door/set``), read through Home
Assistant's MQTT debug info (the same data the "MQTT INFO" dialog and MQTT diagnostics
show). Zigbee2MQTT users are 0-based: slot N is user N-1.

After a write the provider asks Zigbee2MQTT for that user (``{"pin_code": {"user": N}}``
on the device's ``get`` topic) and watches the device state's ``users`` map. A PIN in
that map (Zigbee2MQTT's ``expose_pin`` option) confirms the write; without it the write
is "sent, unverified". Zigbee2MQTT reports a failed command only in its log, which it
publishes on ``<base_topic>/bridge/logging``; the provider watches that too.
"""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.json import json_dumps
from homeassistant.util.json import json_loads

from .base import BaseProvider, ProviderError, call_with_timeout, scrub

if TYPE_CHECKING:
    from homeassistant.components.mqtt import ReceiveMessage

_LOGGER = logging.getLogger(__name__)

MQTT_DOMAIN = "mqtt"
ORIGIN_NAME = "zigbee2mqtt"
IDENTIFIER_PREFIX = "zigbee2mqtt_"
PUBLISH_QOS = 1
# How long Zigbee2MQTT gets to answer the read-back (a sleepy lock polls every few
# seconds; Zigbee2MQTT's own command timeout is 10 s).
READBACK_SECONDS = 15.0
# Words in a Zigbee2MQTT error that mean the lock or converter refused this request
# for good (slot out of range, a malformed PIN, a ZCL status refusing the command).
PERMANENT_ERRORS = (
    "must be in range",
    "must be a number",
    "must be numbers",
    "INVALID_FIELD",
    "INVALID_VALUE",
    "INSUFFICIENT_SPACE",
    "DUPLICATE_EXISTS",
    "UNSUP_",
)


@dataclass(frozen=True, slots=True)
class Zigbee2MqttTopics:
    """Where one Zigbee2MQTT device listens and talks."""

    set: str
    get: str
    state: str
    logging: str | None  # <base_topic>/bridge/logging, when the base topic is known
    friendly_name: str | None


def discovery_payload(hass: HomeAssistant, entity_id: str) -> Mapping[str, Any] | None:
    """Return the MQTT discovery payload an entity was created from, or None.

    Home Assistant's MQTT integration keeps every discovered entity's payload (as
    updated by later discovery messages) in its debug info, per device.
    """
    entry = er.async_get(hass).async_get(entity_id)
    if entry is None or entry.device_id is None:
        return None
    from homeassistant.components.mqtt import debug_info

    try:
        info = debug_info.info_for_device(hass, entry.device_id)
    except KeyError:  # MQTT is not set up
        return None
    for entity in info.get("entities", []):
        if entity.get("entity_id") != entity_id:
            continue
        payload = (entity.get("discovery_data") or {}).get("payload")
        if isinstance(payload, Mapping) and payload:
            return payload
    return None


def topics_from(payload: Mapping[str, Any]) -> Zigbee2MqttTopics | None:
    """Return the device's topics from its lock's discovery payload."""
    command = payload.get("command_topic")
    if not isinstance(command, str) or not command.endswith("/set"):
        return None
    device = command.removesuffix("/set")
    state = payload.get("state_topic")
    if not isinstance(state, str) or not state:
        state = device
    base: str | None = None
    for topic in _availability_topics(payload):
        if topic.endswith("/bridge/state"):
            base = topic.removesuffix("/bridge/state")
            break
    friendly_name = (
        device.removeprefix(f"{base}/")
        if base and device.startswith(f"{base}/")
        else None
    )
    return Zigbee2MqttTopics(
        set=command,
        get=f"{device}/get",
        state=state,
        logging=f"{base}/bridge/logging" if base else None,
        friendly_name=friendly_name,
    )


def _availability_topics(payload: Mapping[str, Any]) -> list[str]:
    topics: list[str] = []
    if isinstance(single := payload.get("availability_topic"), str):
        topics.append(single)
    availability = payload.get("availability")
    if isinstance(availability, list):
        topics.extend(
            item["topic"]
            for item in availability
            if isinstance(item, Mapping) and isinstance(item.get("topic"), str)
        )
    return topics


def detect(hass: HomeAssistant, registry_entry: er.RegistryEntry) -> bool:
    """Return True for an MQTT lock whose device comes from Zigbee2MQTT."""
    if registry_entry.domain != "lock" or registry_entry.platform != MQTT_DOMAIN:
        return False
    if registry_entry.device_id and (
        device := dr.async_get(hass).async_get(registry_entry.device_id)
    ):
        if any(
            domain == MQTT_DOMAIN and identifier.startswith(IDENTIFIER_PREFIX)
            for domain, identifier in device.identifiers
        ):
            return True
    payload = discovery_payload(hass, registry_entry.entity_id)
    origin = payload.get("origin") if payload else None
    return (
        isinstance(origin, Mapping)
        and str(origin.get("name", "")).lower() == ORIGIN_NAME
    )


class Zigbee2MqttProvider(BaseProvider):
    """Publishes PIN codes to a Zigbee2MQTT lock and reads them back from its state."""

    # A Zigbee mesh (and a sleepy lock) needs a breath between two commands.
    min_gap = 1.0

    async def async_set_code(self, slot: int, code: str) -> bool:
        """Publish ``code`` for user ``slot - 1`` and read it back."""
        if not code.isdigit():
            raise ProviderError("a PIN code must be digits", permanent=True)
        user = self._user(slot)
        payload = {
            "pin_code": {
                "user": user,
                "user_type": "unrestricted",
                "user_enabled": True,
                "pin_code": code,
            }
        }
        return await self._write(slot, payload, code)

    async def async_clear_code(self, slot: int) -> bool:
        """Publish a clear for user ``slot - 1`` and read it back."""
        user = self._user(slot)
        return await self._write(slot, {"pin_code": {"user": user, "pin_code": None}})

    @staticmethod
    def _user(slot: int) -> int:
        if slot < 1:
            raise ProviderError(f"slot {slot} is not a lock slot", permanent=True)
        return slot - 1

    def topics(self) -> Zigbee2MqttTopics:
        """Return the lock's topics from its current discovery data."""
        payload = discovery_payload(self.hass, self.lock_entity_id)
        if payload is None:
            raise ProviderError(
                f"no MQTT discovery data for {self.lock_entity_id} (MQTT not loaded?)"
            )
        if (topics := topics_from(payload)) is None:
            raise ProviderError(
                f"the discovery data of {self.lock_entity_id} has no Zigbee2MQTT "
                "set topic"
            )
        return topics

    async def _write(
        self, slot: int, payload: dict[str, Any], code: str | None = None
    ) -> bool:
        from homeassistant.components import mqtt

        async with self._busy:
            topics = self.topics()
            user = slot - 1
            watch = _ReadBack(self.hass, user, code, topics.friendly_name)
            unsubscribe = [
                await mqtt.async_subscribe(self.hass, topics.state, watch.on_state)
            ]
            if topics.logging:
                unsubscribe.append(
                    await mqtt.async_subscribe(self.hass, topics.logging, watch.on_log)
                )
            try:
                await self._publish(topics.set, payload, code)
                watch.armed = True
                await self._publish(topics.get, {"pin_code": {"user": user}})
                return await watch.wait()
            finally:
                watch.cancel()
                for unsub in unsubscribe:
                    unsub()

    async def _publish(
        self, topic: str, payload: dict[str, Any], secret: str | None = None
    ) -> None:
        from homeassistant.components import mqtt

        try:
            await call_with_timeout(
                self.hass,
                mqtt.async_publish(
                    self.hass, topic, json_dumps(payload), qos=PUBLISH_QOS, retain=False
                ),
            )
        except TimeoutError:
            raise ProviderError(f"publishing to {topic} timed out") from None
        except HomeAssistantError as err:
            raise ProviderError(
                f"publishing to {topic} failed: {scrub(str(err), secret)}"
            ) from None
        except Exception as err:  # noqa: BLE001 - any error is a failed write
            raise ProviderError(
                f"publishing to {topic} failed: "
                f"{scrub(str(err) or type(err).__name__, secret)}"
            ) from None


class _ReadBack:
    """Waits for the device state to show what one write did to one user."""

    def __init__(
        self,
        hass: HomeAssistant,
        user: int,
        code: str | None,
        friendly_name: str | None,
    ) -> None:
        self.hass = hass
        self.user = user
        self.code = code  # None: the slot was cleared
        self.error_prefix = (
            f"Publish 'set' 'pin_code' to '{friendly_name}' failed"
            if friendly_name
            else None
        )
        self.armed = False  # state before our write says nothing about it
        self.last: Mapping[str, Any] | None = None
        self.future: asyncio.Future[bool] = hass.loop.create_future()
        self._unsub_timer: Any = None

    async def wait(self) -> bool:
        """Return the outcome when known, or what the last state shows at the end."""
        self._unsub_timer = async_call_later(
            self.hass, READBACK_SECONDS, self._window_over
        )
        return await self.future

    def cancel(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None

    def _resolve(self, verified: bool) -> None:
        if not self.future.done():
            self.future.set_result(verified)

    def _fail(self, error: ProviderError) -> None:
        if not self.future.done():
            self.future.set_exception(error)

    @callback
    def on_state(self, msg: ReceiveMessage) -> None:
        """Look at the device state for our user's entry."""
        if not self.armed or self.future.done():
            return
        entry = _user_entry(msg.payload, self.user)
        if entry is None:
            return
        # Zigbee2MQTT publishes its whole cached state with every message, so an entry
        # may be older than our write: only a match settles it before the window ends.
        self.last = entry
        status, pin = entry.get("status"), entry.get("pin_code")
        if self.code is None:
            if status == "available" and pin is None:
                self._resolve(True)
        elif pin is not None and str(pin) == self.code:
            self._resolve(status in (None, "enabled"))
        elif status == "enabled" and pin is None:
            self._resolve(False)  # the lock holds a code; expose_pin is off

    @callback
    def on_log(self, msg: ReceiveMessage) -> None:
        """Fail on Zigbee2MQTT's error for our set command."""
        if self.error_prefix is None or self.future.done():
            return
        try:
            log = json_loads(msg.payload)
        except ValueError:
            return
        if not isinstance(log, dict) or log.get("level") != "error":
            return
        message = log.get("message")
        if not isinstance(message, str) or not message.startswith(self.error_prefix):
            return
        reason = scrub(message, self.code)
        self._fail(
            ProviderError(
                f"Zigbee2MQTT: {reason[:300]}",
                permanent=any(word in message for word in PERMANENT_ERRORS),
            )
        )

    @callback
    def _window_over(self, _now: datetime) -> None:
        self._unsub_timer = None
        if self.future.done():
            return
        last = self.last
        if last is None:
            self._resolve(False)  # no answer from the lock: sent, unverified
            return
        status, pin = last.get("status"), last.get("pin_code")
        slot = self.user + 1
        if self.code is None:
            if status in ("enabled", "disabled") or pin is not None:
                self._fail(ProviderError(f"slot {slot} still holds a code"))
            else:
                self._resolve(False)
        elif status == "available" or (pin is not None and str(pin) != self.code):
            self._fail(
                ProviderError(
                    f"the lock did not take the code for slot {slot} "
                    "(a duplicate, a bad length or no space)",
                    permanent=True,
                )
            )
        else:
            self._resolve(False)


def _user_entry(payload: Any, user: int) -> Mapping[str, Any] | None:
    try:
        state = json_loads(payload)
    except ValueError:
        return None
    if not isinstance(state, dict) or not isinstance(users := state.get("users"), dict):
        return None
    entry = users.get(str(user))
    return entry if isinstance(entry, dict) else None
