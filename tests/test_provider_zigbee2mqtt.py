"""The Zigbee2MQTT provider against Home Assistant's real MQTT integration.

The lock comes from real Zigbee2MQTT discovery payloads (shared fixture), published to
the test's MQTT client, so Home Assistant's own MQTT lock entity and discovery data are
used. A small fake Zigbee2MQTT answers the provider's set and get requests the way
Zigbee2MQTT does: it keeps a ``users`` map in the device state (with PINs only when
``expose_pin`` is on) and republishes its whole cached state with every message.
"""

import asyncio
from collections.abc import AsyncGenerator, Coroutine
from datetime import timedelta
import json
import logging
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import async_fire_mqtt_message
from pytest_homeassistant_custom_component.typing import (
    MqttMockHAClient,
    MqttMockPahoClient,
)

from custom_components.backup_access_codes.providers.base import ProviderError
from custom_components.backup_access_codes.providers.zigbee2mqtt import (
    READBACK_SECONDS,
    Zigbee2MqttProvider,
    Zigbee2MqttTopics,
    detect,
    topics_from,
)
from homeassistant.components import mqtt
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .conftest import advance

FIXTURE_NAME = Path("fixtures", "zigbee2mqtt", "front_door_lock.json")
HERE = Path(__file__).resolve().parent


def _load_fixture() -> dict[str, Any]:
    """Real Zigbee2MQTT discovery payloads (a copy of shared/fixtures in tests/fixtures)."""
    return json.loads((HERE / FIXTURE_NAME).read_text(encoding="utf-8"))


FIXTURE = _load_fixture()
LOCK = "lock.front_door"
DEVICE_TOPIC = f"{FIXTURE['base_topic']}/{FIXTURE['friendly_name']}"
SET_TOPIC = f"{DEVICE_TOPIC}/set"
GET_TOPIC = f"{DEVICE_TOPIC}/get"
BRIDGE_STATE = f"{FIXTURE['base_topic']}/bridge/state"
LOGGING_TOPIC = f"{FIXTURE['base_topic']}/bridge/logging"
CODE = "482917"


class FakeZigbee2Mqtt:
    """Answers set/get pin_code requests like Zigbee2MQTT with a Yale lock."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass
        self.state: dict[str, Any] = dict(FIXTURE["state"])
        self.cached_users: dict[str, dict[str, Any]] = {}
        self.lock_pins: dict[int, str] = {}  # what the lock holds
        self.expose_pin = True
        self.refuse = False  # the lock refuses the set (duplicate, no space...)
        self.keep_on_clear = False  # the lock ignores the clear
        self.answer_get = True
        self.stale_first = True  # a programming event with old users comes first
        self.set_error: str | None = None  # Zigbee2MQTT logs this error for a set
        self.requests: list[tuple[str, dict[str, Any]]] = []

    async def async_start(self) -> None:
        """Listen to the device's set and get topics."""
        await mqtt.async_subscribe(self.hass, SET_TOPIC, self._on_set)
        await mqtt.async_subscribe(self.hass, GET_TOPIC, self._on_get)

    @callback
    def _on_set(self, msg: mqtt.ReceiveMessage) -> None:
        request = json.loads(msg.payload)
        self.requests.append(("set", request))
        if "pin_code" not in request:
            return
        if self.set_error is not None:
            self.hass.loop.call_soon(self._log_error, self.set_error)
            return
        user, pin = request["pin_code"]["user"], request["pin_code"]["pin_code"]
        if pin is None:
            if not self.keep_on_clear:
                self.lock_pins.pop(user, None)
        elif not self.refuse:
            self.lock_pins[user] = str(pin)

    @callback
    def _on_get(self, msg: mqtt.ReceiveMessage) -> None:
        request = json.loads(msg.payload)
        self.requests.append(("get", request))
        user = request["pin_code"]["user"]
        if self.stale_first:
            self.hass.loop.call_soon(
                self.publish_state, {"action": "pin_code_added", "action_user": user}
            )
        if self.answer_get:
            self.hass.loop.call_soon(self._answer_get, user)

    @callback
    def _answer_get(self, user: int) -> None:
        entry: dict[str, Any] = {"status": "available"}
        if user in self.lock_pins:
            entry["status"] = "enabled"
            if self.expose_pin:
                entry["pin_code"] = self.lock_pins[user]
        self.cached_users[str(user)] = entry
        self.publish_state()

    @callback
    def _log_error(self, error: str) -> None:
        message = (
            f"Publish 'set' 'pin_code' to '{FIXTURE['friendly_name']}' failed: "
            f"'{error}'"
        )
        async_fire_mqtt_message(
            self.hass,
            LOGGING_TOPIC,
            json.dumps({"level": "error", "message": message, "namespace": "z2m"}),
        )

    @callback
    def publish_state(self, extra: dict[str, Any] | None = None) -> None:
        """Publish the whole cached device state, as Zigbee2MQTT does."""
        payload = {**self.state, "users": dict(self.cached_users), **(extra or {})}
        async_fire_mqtt_message(self.hass, DEVICE_TOPIC, json.dumps(payload))


async def discover(
    hass: HomeAssistant, discovery: list[dict[str, Any]], retain: bool = True
) -> None:
    """Publish discovery payloads as Zigbee2MQTT does (retained when subscribing)."""
    for item in discovery:
        async_fire_mqtt_message(
            hass, item["topic"], json.dumps(item["payload"]), retain=retain
        )
    await hass.async_block_till_done()


@pytest.fixture(autouse=True)
async def mqtt_client(mqtt_mock: MqttMockHAClient) -> AsyncGenerator[MqttMockHAClient]:
    """The real MQTT integration on the test client, for every test here.

    The mocked socket never closes, so MQTT's one-second housekeeping timer would
    outlive the test: stop it at the end.
    """
    yield mqtt_mock
    client = mqtt_mock._mock_wraps
    if client._misc_timer is not None:
        client._misc_timer.cancel()
        client._misc_timer = None


@pytest.fixture
async def z2m(hass: HomeAssistant, mqtt_mock: MqttMockHAClient) -> FakeZigbee2Mqtt:
    """The fixture lock, discovered through the real MQTT integration, online."""
    await discover(hass, FIXTURE["discovery"])
    async_fire_mqtt_message(hass, BRIDGE_STATE, '{"state":"online"}')
    async_fire_mqtt_message(hass, f"{DEVICE_TOPIC}/availability", '{"state":"online"}')
    fake = FakeZigbee2Mqtt(hass)
    await fake.async_start()
    fake.publish_state()
    await hass.async_block_till_done()
    state = hass.states.get(LOCK)
    assert state is not None
    assert state.state == "locked"
    mqtt_mock.async_publish.reset_mock()
    return fake


@pytest.fixture
def provider(hass: HomeAssistant, z2m: FakeZigbee2Mqtt) -> Zigbee2MqttProvider:
    """The provider for the fixture lock."""
    return Zigbee2MqttProvider(
        hass, LOCK, {"lock_entity_id": LOCK, "provider": "zigbee2mqtt"}
    )


def published(mqtt_mock: MqttMockHAClient) -> list[tuple[str, Any, int, bool]]:
    """Every message the provider published: topic, decoded JSON, qos, retain."""
    return [
        (call.args[0], json.loads(call.args[1]), call.args[2], call.args[3])
        for call in mqtt_mock.async_publish.call_args_list
    ]


async def run_past_window(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    call: Coroutine[Any, Any, bool],
) -> asyncio.Task[bool]:
    """Run a provider call while simulated time passes its read-back window."""
    task = asyncio.ensure_future(call)
    # Let the call publish its set and get and start waiting for the answer.
    for _ in range(100):
        await asyncio.sleep(0)
    assert not task.done()
    await advance(hass, freezer, timedelta(seconds=READBACK_SECONDS + 1))
    await asyncio.wait({task}, timeout=1)
    assert task.done()
    return task


async def test_set_publishes_to_discovered_topic_with_user_minus_one(
    hass: HomeAssistant,
    provider: Zigbee2MqttProvider,
    z2m: FakeZigbee2Mqtt,
    mqtt_mock: MqttMockHAClient,
) -> None:
    """Slot 21 is Zigbee2MQTT user 20; verified from the users map with expose_pin.

    The slot held an old PIN: the programming event that comes first still shows it
    (Zigbee2MQTT's cached state), which must not settle the read-back.
    """
    z2m.lock_pins[20] = "111111"
    z2m.cached_users["20"] = {"status": "enabled", "pin_code": "111111"}
    assert await provider.async_set_code(21, CODE) is True
    assert published(mqtt_mock) == [
        (
            "zigbee2mqtt/Front Door/set",
            {
                "pin_code": {
                    "user": 20,
                    "user_type": "unrestricted",
                    "user_enabled": True,
                    "pin_code": CODE,
                }
            },
            1,
            False,
        ),
        ("zigbee2mqtt/Front Door/get", {"pin_code": {"user": 20}}, 1, False),
    ]
    assert z2m.lock_pins == {20: CODE}
    assert z2m.cached_users["20"] == {"status": "enabled", "pin_code": CODE}


async def test_leading_zero_code_is_sent_as_a_string(
    provider: Zigbee2MqttProvider, z2m: FakeZigbee2Mqtt, mqtt_mock: MqttMockHAClient
) -> None:
    """Slot 1 is user 0; a code with a leading zero keeps it."""
    assert await provider.async_set_code(1, "012345") is True
    assert published(mqtt_mock)[0][1]["pin_code"]["user"] == 0
    assert published(mqtt_mock)[0][1]["pin_code"]["pin_code"] == "012345"
    assert z2m.lock_pins == {0: "012345"}


async def test_clear_publishes_null_pin_and_is_verified(
    provider: Zigbee2MqttProvider, z2m: FakeZigbee2Mqtt, mqtt_mock: MqttMockHAClient
) -> None:
    """Clearing slot 21 publishes pin_code null for user 20, read back as available."""
    z2m.lock_pins[20] = "111111"
    z2m.cached_users["20"] = {"status": "enabled", "pin_code": "111111"}
    assert await provider.async_clear_code(21) is True
    assert published(mqtt_mock) == [
        (SET_TOPIC, {"pin_code": {"user": 20, "pin_code": None}}, 1, False),
        (GET_TOPIC, {"pin_code": {"user": 20}}, 1, False),
    ]
    assert z2m.lock_pins == {}


async def test_without_expose_pin_the_write_is_unverified(
    provider: Zigbee2MqttProvider, z2m: FakeZigbee2Mqtt
) -> None:
    """The users map shows "enabled" but no PIN: sent, unverified."""
    z2m.expose_pin = False
    z2m.stale_first = False
    assert await provider.async_set_code(21, CODE) is False
    assert z2m.cached_users["20"] == {"status": "enabled"}
    assert await provider.async_clear_code(21) is True


async def test_no_answer_is_unverified_after_the_window(
    hass: HomeAssistant,
    provider: Zigbee2MqttProvider,
    z2m: FakeZigbee2Mqtt,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Zigbee2MQTT never answers the get: the write counts as sent, unverified."""
    z2m.answer_get = False
    z2m.stale_first = False
    task = await run_past_window(hass, freezer, provider.async_set_code(21, CODE))
    assert task.result() is False


async def test_refused_code_is_permanent(
    hass: HomeAssistant,
    provider: Zigbee2MqttProvider,
    z2m: FakeZigbee2Mqtt,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The lock keeps the slot empty after the set: permanent (a new code is tried)."""
    z2m.refuse = True
    task = await run_past_window(hass, freezer, provider.async_set_code(21, CODE))
    error = task.exception()
    assert isinstance(error, ProviderError)
    assert error.permanent
    assert CODE not in str(error)


async def test_refused_code_with_old_pin_is_permanent(
    hass: HomeAssistant,
    provider: Zigbee2MqttProvider,
    z2m: FakeZigbee2Mqtt,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The slot still shows its old PIN when the window ends: permanent."""
    z2m.lock_pins[20] = "111111"
    z2m.refuse = True
    task = await run_past_window(hass, freezer, provider.async_set_code(21, CODE))
    error = task.exception()
    assert isinstance(error, ProviderError)
    assert error.permanent
    assert "111111" not in str(error)


async def test_clear_that_did_not_take_is_transient(
    hass: HomeAssistant,
    provider: Zigbee2MqttProvider,
    z2m: FakeZigbee2Mqtt,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A slot still holding a code after a clear is retried."""
    z2m.lock_pins[20] = "111111"
    z2m.keep_on_clear = True
    task = await run_past_window(hass, freezer, provider.async_clear_code(21))
    error = task.exception()
    assert isinstance(error, ProviderError)
    assert not error.permanent


async def test_zigbee2mqtt_error_log_fails_the_write(
    provider: Zigbee2MqttProvider, z2m: FakeZigbee2Mqtt
) -> None:
    """Zigbee2MQTT's logged errors: out of range is permanent, delivery transient."""
    z2m.answer_get = False
    z2m.set_error = "Error: user must be in range for device"
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(251, CODE)
    assert err.value.permanent
    assert "must be in range" in str(err.value)
    z2m.set_error = (
        "Error: ZCL command 0x00158d0001abcdef/1 closuresDoorLock.setPinCode("
        f'{{"userid":20,"userstatus":1,"usertype":0,"pincodevalue":"{CODE}"}}) '
        "failed (Delivery failed for '12345')"
    )
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(21, CODE)
    assert not err.value.permanent
    assert CODE not in str(err.value)
    assert "***" in str(err.value)


async def test_publish_failure_is_transient(
    provider: Zigbee2MqttProvider,
    z2m: FakeZigbee2Mqtt,
    mqtt_client_mock: MqttMockPahoClient,
) -> None:
    """The broker refusing the publish (disconnected) is retried later."""
    mqtt_client_mock.publish.side_effect = lambda *args, **kwargs: MagicMock(
        mid=1000, rc=4
    )
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(21, CODE)
    assert not err.value.permanent
    assert CODE not in str(err.value)
    with pytest.raises(ProviderError) as err:
        await provider.async_clear_code(21)
    assert not err.value.permanent


async def test_bad_code_or_slot_is_permanent(
    provider: Zigbee2MqttProvider, mqtt_mock: MqttMockHAClient
) -> None:
    """A non-digit code or slot 0 is refused before anything is published."""
    for slot, code in ((21, "12a4"), (0, CODE)):
        with pytest.raises(ProviderError) as err:
            await provider.async_set_code(slot, code)
        assert err.value.permanent
    with pytest.raises(ProviderError) as err:
        await provider.async_clear_code(0)
    assert err.value.permanent
    mqtt_mock.async_publish.assert_not_called()


async def test_topics_follow_discovery_updates(
    hass: HomeAssistant,
    provider: Zigbee2MqttProvider,
    z2m: FakeZigbee2Mqtt,
    mqtt_mock: MqttMockHAClient,
) -> None:
    """A device renamed in Zigbee2MQTT gets new topics from its new discovery data."""
    lock = dict(FIXTURE["discovery"][1])
    payload = {
        **lock["payload"],
        "command_topic": "zigbee2mqtt/Main Door/set",
        "state_topic": "zigbee2mqtt/Main Door",
    }
    # A live update reaches existing subscribers without the retain flag.
    await discover(hass, [{"topic": lock["topic"], "payload": payload}], retain=False)
    z2m.answer_get = False
    z2m.stale_first = False
    # Answer the get on the new topics.

    @callback
    def answer(msg: mqtt.ReceiveMessage) -> None:
        async_fire_mqtt_message(
            hass,
            "zigbee2mqtt/Main Door",
            json.dumps({"users": {"4": {"status": "enabled", "pin_code": CODE}}}),
        )

    await mqtt.async_subscribe(hass, "zigbee2mqtt/Main Door/get", answer)
    assert provider.topics().set == "zigbee2mqtt/Main Door/set"
    assert await provider.async_set_code(5, CODE) is True
    assert [topic for topic, *_ in published(mqtt_mock)] == [
        "zigbee2mqtt/Main Door/set",
        "zigbee2mqtt/Main Door/get",
    ]


async def test_lock_without_discovery_data_is_transient(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient
) -> None:
    """No discovery data (e.g. MQTT not loaded yet): the write is retried later."""
    provider = Zigbee2MqttProvider(hass, "lock.nowhere", {})
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(21, CODE)
    assert not err.value.permanent


async def test_bridge_offline_makes_the_lock_unavailable(
    hass: HomeAssistant, provider: Zigbee2MqttProvider
) -> None:
    """Reachability is the lock entity's availability (the coordinator watches it)."""
    async_fire_mqtt_message(hass, BRIDGE_STATE, '{"state":"offline"}')
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == STATE_UNAVAILABLE
    assert (
        provider.offline_reason() is None
    )  # nothing beyond the entity's own availability
    async_fire_mqtt_message(hass, BRIDGE_STATE, '{"state":"online"}')
    async_fire_mqtt_message(hass, f"{DEVICE_TOPIC}/availability", '{"state":"offline"}')
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == STATE_UNAVAILABLE
    async_fire_mqtt_message(hass, f"{DEVICE_TOPIC}/availability", '{"state":"online"}')
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "locked"
    assert await provider.async_capacity() is None


async def test_concurrent_writes_do_not_overlap(
    hass: HomeAssistant,
    provider: Zigbee2MqttProvider,
    z2m: FakeZigbee2Mqtt,
    mqtt_mock: MqttMockHAClient,
) -> None:
    """Two writes at once: the second publishes only after the first's read-back."""
    first = asyncio.ensure_future(provider.async_set_code(21, CODE))
    second = asyncio.ensure_future(provider.async_set_code(22, "739164"))
    assert await first is True
    assert await second is True
    assert [
        (topic, body["pin_code"]["user"]) for topic, body, *_ in published(mqtt_mock)
    ] == [
        (SET_TOPIC, 20),
        (GET_TOPIC, 20),
        (SET_TOPIC, 21),
        (GET_TOPIC, 21),
    ]


async def test_no_code_in_our_logs(
    hass: HomeAssistant,
    provider: Zigbee2MqttProvider,
    z2m: FakeZigbee2Mqtt,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Successes and failures leave no code in the integration's log lines."""
    caplog.set_level(logging.DEBUG)
    await provider.async_set_code(21, CODE)
    z2m.set_error = f"Error: failed (pincodevalue {CODE})"
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(21, CODE)
    logging.getLogger("custom_components.backup_access_codes.coordinator").warning(
        "Could not program slot 21: %s", err.value
    )
    ours = [
        r.getMessage() for r in caplog.records if r.name.startswith("custom_components")
    ]
    assert ours
    assert not any(CODE in line for line in ours)


async def test_detect(
    hass: HomeAssistant, z2m: FakeZigbee2Mqtt, mqtt_mock: MqttMockHAClient
) -> None:
    """The fixture lock is Zigbee2MQTT's; a plain MQTT lock is not."""
    registry = er.async_get(hass)
    entry = registry.async_get(LOCK)
    assert entry is not None
    assert detect(hass, entry)
    plain = {
        "name": "Garage",
        "command_topic": "garage/lock/set",
        "state_topic": "garage/lock",
        "unique_id": "garage_lock_1",
        "default_entity_id": "lock.garage",
        "device": {"identifiers": ["garage_controller"], "name": "Garage"},
    }
    # Zigbee2MQTT's origin alone, with other identifiers, still counts.
    origin_only = {
        **plain,
        "unique_id": "side_lock_1",
        "default_entity_id": "lock.side",
        "command_topic": "z2m/Side/set",
        "device": {"identifiers": ["side_0x01"], "name": "Side"},
        "origin": {"name": "Zigbee2MQTT", "sw": "2.6.3"},
    }
    await discover(
        hass,
        [
            {"topic": "homeassistant/lock/garage/config", "payload": plain},
            {"topic": "homeassistant/lock/side/config", "payload": origin_only},
        ],
    )
    garage = registry.async_get("lock.garage")
    side = registry.async_get("lock.side")
    assert garage is not None
    assert side is not None
    assert not detect(hass, garage)
    assert detect(hass, side)
    device = dr.async_get(hass).async_get(entry.device_id)
    assert device is not None
    assert ("mqtt", "zigbee2mqtt_0x00158d0001abcdef") in device.identifiers
    sensor = registry.async_get("binary_sensor.zigbee2mqtt_bridge_connection_state")
    assert sensor is not None
    assert not detect(hass, sensor)
    other = registry.async_get_or_create("lock", "zha", "z")
    assert not detect(hass, other)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"command_topic": "z2m/Door/lock"}, None),
        ({"state_topic": "z2m/Door"}, None),
        (
            {"command_topic": "z2m/Door/set", "availability_topic": "z2m/bridge/state"},
            Zigbee2MqttTopics(
                set="z2m/Door/set",
                get="z2m/Door/get",
                state="z2m/Door",
                logging="z2m/bridge/logging",
                friendly_name="Door",
            ),
        ),
        (
            {"command_topic": "z2m/Door/set", "state_topic": "z2m/Door"},
            Zigbee2MqttTopics(
                set="z2m/Door/set",
                get="z2m/Door/get",
                state="z2m/Door",
                logging=None,
                friendly_name=None,
            ),
        ),
    ],
)
def test_topics_from(
    payload: dict[str, Any], expected: Zigbee2MqttTopics | None
) -> None:
    """Topics come from the discovery payload only."""
    assert topics_from(payload) == expected


async def start(call: Coroutine[Any, Any, bool]) -> asyncio.Task[bool]:
    """Start a provider call and let it publish and start waiting."""
    task = asyncio.ensure_future(call)
    for _ in range(100):
        await asyncio.sleep(0)
    assert not task.done()
    return task


async def test_noise_does_not_settle_the_read_back(
    hass: HomeAssistant, provider: Zigbee2MqttProvider, z2m: FakeZigbee2Mqtt
) -> None:
    """Other log lines and unrelated state messages are ignored."""
    z2m.answer_get = False
    z2m.stale_first = False
    task = await start(provider.async_set_code(21, CODE))
    for topic, payload in (
        (LOGGING_TOPIC, "not json"),
        (LOGGING_TOPIC, json.dumps({"level": "info", "message": "Publish 'set'"})),
        (
            LOGGING_TOPIC,
            json.dumps(
                {
                    "level": "error",
                    "message": "Publish 'set' 'pin_code' to 'Back Door' failed: 'x'",
                }
            ),
        ),
        (LOGGING_TOPIC, json.dumps({"level": "error", "message": 42})),
        (DEVICE_TOPIC, "not json"),
        (DEVICE_TOPIC, json.dumps({"battery": 86})),
        (DEVICE_TOPIC, json.dumps({"users": {"20": "enabled"}})),
    ):
        async_fire_mqtt_message(hass, topic, payload)
    await hass.async_block_till_done()
    assert not task.done()
    async_fire_mqtt_message(
        hass,
        DEVICE_TOPIC,
        json.dumps({"users": {"20": {"status": "enabled", "pin_code": CODE}}}),
    )
    await asyncio.wait({task}, timeout=1)
    assert task.result() is True


@pytest.mark.parametrize(
    ("clear", "entry"),
    [(False, {"status": "disabled"}), (True, {"status": "not_supported_255"})],
)
async def test_inconclusive_answer_is_unverified(
    hass: HomeAssistant,
    provider: Zigbee2MqttProvider,
    z2m: FakeZigbee2Mqtt,
    freezer: FrozenDateTimeFactory,
    clear: bool,
    entry: dict[str, Any],
) -> None:
    """An entry that neither confirms nor refutes the write: sent, unverified."""
    z2m.answer_get = False
    z2m.stale_first = False
    call = provider.async_clear_code(21) if clear else provider.async_set_code(21, CODE)
    task = await start(call)
    async_fire_mqtt_message(hass, DEVICE_TOPIC, json.dumps({"users": {"20": entry}}))
    await advance(hass, freezer, timedelta(seconds=READBACK_SECONDS + 1))
    await asyncio.wait({task}, timeout=1)
    assert task.result() is False


async def test_publish_raising_is_transient_and_scrubbed(
    provider: Zigbee2MqttProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any error while publishing is a transient failure without the code."""

    async def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError(f"cannot send {CODE}")

    monkeypatch.setattr(mqtt, "async_publish", broken)
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(21, CODE)
    assert not err.value.permanent
    assert CODE not in str(err.value)


async def test_discovery_without_set_topic_is_transient(hass: HomeAssistant) -> None:
    """A Zigbee2MQTT lock whose discovery has no ``.../set`` command topic."""
    odd = {
        "name": "Odd",
        "command_topic": "z2m/Odd/command",
        "state_topic": "z2m/Odd",
        "unique_id": "odd_lock_1",
        "default_entity_id": "lock.odd",
        "device": {"identifiers": ["zigbee2mqtt_0x02"], "name": "Odd"},
    }
    await discover(hass, [{"topic": "homeassistant/lock/odd/config", "payload": odd}])
    entry = er.async_get(hass).async_get("lock.odd")
    assert entry is not None
    assert detect(hass, entry)
    provider = Zigbee2MqttProvider(hass, "lock.odd", {})
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(21, CODE)
    assert not err.value.permanent
