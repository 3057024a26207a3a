"""The Z-Wave JS provider, through the real zwave_js integration and a mocked server.

Home Assistant's own zwave_js tests do it this way: ``ZwaveClient`` is patched, the
driver and nodes are real ``zwave_js_server`` models built from recorded node states
(a Schlage BE469 here), and every command the integration sends to the Z-Wave JS
server arrives in ``client.async_send_command``. A small fake lock answers those
commands and sends the reports a real lock would (value updates, notifications).
"""

import asyncio
from collections.abc import Awaitable, Callable, Generator
import copy
from datetime import datetime, timedelta
import json
import logging
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from zwave_js_server.event import Event as ZwaveEvent
from zwave_js_server.exceptions import FailedZWaveCommand
from zwave_js_server.model.driver import Driver
from zwave_js_server.model.node import Node
from zwave_js_server.model.version import VersionInfo

from custom_components.backup_access_codes.providers.base import Capacity, ProviderError
from custom_components.backup_access_codes.providers.zwave_js import (
    ZwaveJSProvider,
    detect,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_call_later

# Real node states (a copy of shared/fixtures): the controller and a Schlage BE469.
FIXTURES = Path(__file__).parent / "fixtures" / "zwave_js"

LOCK = "lock.touchscreen_deadbolt"
NODE_ID = 20
CODE = "4829"
REPORT_DELAY = 3  # seconds from a write to the lock's report
LOG_CONFIG: Any = {
    "enabled": True,
    "level": "info",
    "logToFile": False,
    "filename": "",
    "forceConsole": False,
}
VERSION: Any = {
    "type": "version",
    "driverVersion": "15.0.0",
    "serverVersion": "3.0.0",
    "homeId": 3245146787,
    "minSchemaVersion": 0,
    "maxSchemaVersion": 49,
}


def load(name: str) -> Any:
    """Load a recorded Z-Wave JS state."""
    return json.loads((FIXTURES / name).read_text())


class FakeLock:
    """Answers the server commands for the BE469 and reports like the real lock.

    ``mode`` says what the lock reports after a User Code write:
    ``echo`` the code itself, ``masked`` asterisks, ``refuse`` an empty slot,
    ``other`` another code, ``duplicate`` the duplicate-code notification, ``silent``
    nothing until asked. Like zwave-js, the cache is updated at once with the written
    value (an optimistic update), and the lock's report follows ``REPORT_DELAY`` later.
    """

    def __init__(self, hass: HomeAssistant) -> None:
        """Start with a lock that echoes what it is given."""
        self.hass = hass
        self.node: Node | None = None
        self.mode = "echo"
        self.messages: list[dict[str, Any]] = []
        self.fail: Exception | None = None
        self.hang = False
        self.hung: asyncio.Future[None] | None = None
        self.answer_get = True
        self.events: list[str] = []  # set_value "start"/"end" and "report", in order
        self.credential_result = 0
        self.users: list[dict[str, Any]] = []
        self.credentials: list[dict[str, Any]] = []

    # what the node reports

    def value_updated(self, slot: int, prop: str, value: Any) -> None:
        """A "value updated" event of a User Code slot."""
        assert self.node is not None
        self.node.receive_event(
            ZwaveEvent(
                "value updated",
                {
                    "source": "node",
                    "event": "value updated",
                    "nodeId": NODE_ID,
                    "args": {
                        "commandClassName": "User Code",
                        "commandClass": 99,
                        "endpoint": 0,
                        "property": prop,
                        "propertyKey": slot,
                        "propertyName": prop,
                        "propertyKeyName": str(slot),
                        "newValue": value,
                        "prevValue": None,
                    },
                },
            )
        )

    def report(self, slot: int, status: int, code: str) -> None:
        """The lock's User Code Report: status first, then the code (as zwave-js)."""
        self.events.append("report")
        self.value_updated(slot, "userIdStatus", status)
        self.value_updated(slot, "userCode", code)

    def notify(self, event: int, label: str, parameters: dict[str, Any]) -> None:
        """A Notification CC Access Control report from the lock."""
        assert self.node is not None
        self.node.receive_event(
            ZwaveEvent(
                "notification",
                {
                    "source": "node",
                    "event": "notification",
                    "nodeId": NODE_ID,
                    "endpointIndex": 0,
                    "ccId": 113,
                    "args": {
                        "type": 6,
                        "label": "Access Control",
                        "event": event,
                        "eventLabel": label,
                        "parameters": parameters,
                    },
                },
            )
        )

    def status(self, event: str) -> None:
        """The node goes "dead" or comes back "alive"."""
        assert self.node is not None
        self.node.receive_event(
            ZwaveEvent(event, {"source": "node", "event": event, "nodeId": NODE_ID})
        )

    # the server

    async def send_command(
        self, message: dict[str, Any], **_kwargs: Any
    ) -> dict[str, Any]:
        """Answer one command of the integration."""
        self.messages.append(message)
        command = message["command"]
        if command == "node.set_value":
            return await self._set_value(message)
        if command == "endpoint.invoke_cc_api":
            return self._invoke(message)
        if command == "controller.get_available_firmware_updates":
            return {"updates": []}  # the update entity checks now and then
        if command.startswith("endpoint.access_control."):
            return self._access_control(
                command.removeprefix("endpoint.access_control.")
            )
        return {}

    async def _set_value(self, message: dict[str, Any]) -> dict[str, Any]:
        self.events.append("start")
        await let_run(self.hass, 1)  # let a second caller try to get in
        self.events.append("end")
        if self.fail is not None:
            raise self.fail
        if self.hang:
            self.hung = self.hass.loop.create_future()  # the server does not answer
            await self.hung
        value_id = message["valueId"]
        slot = value_id["propertyKey"]
        prop = value_id["property"]
        # zwave-js updates its cache at once (before the command's result): this
        # says nothing about what the lock made of it.
        self.value_updated(slot, prop, message["value"])
        if prop == "userCode":
            code = message["value"]
            later: dict[str, Callable[[], None]] = {
                "echo": lambda: self.report(slot, 1, code),
                "masked": lambda: self.report(slot, 1, "**********"),
                "refuse": lambda: self.report(slot, 0, ""),
                "other": lambda: self.report(slot, 1, "9137"),
                "duplicate": lambda: self.notify(
                    15, "New user code not added due to duplicate code", {}
                ),
            }
        else:  # userIdStatus: clear
            later = {
                "echo": lambda: self.report(slot, 0, ""),
                "masked": lambda: self.report(slot, 0, ""),
                "refuse": lambda: self.report(slot, 1, "**********"),
            }
        if self.mode in later:
            # The lock's report comes a little later (zwave-js polls the slot after
            # an unsupervised write).
            report = later[self.mode]

            @callback
            def send_report(_now: datetime) -> None:
                report()

            async_call_later(self.hass, REPORT_DELAY, send_report)
        return {"result": {"status": 254}}  # SUCCESS_UNSUPERVISED

    def _invoke(self, message: dict[str, Any]) -> dict[str, Any]:
        assert message["commandClass"] == 99
        assert message["methodName"] == "get"
        if not self.answer_get:
            raise FailedZWaveCommand("1", 204, "Timeout while waiting for a report")
        (slot,) = message["args"]
        self.report(slot, 1, "**********")
        return {"response": {"userIdStatus": 1, "userCode": "**********"}}

    def _access_control(self, command: str) -> dict[str, Any]:
        if command == "is_supported":
            return {"supported": True}
        if command == "get_user_capabilities_cached":
            return {
                "capabilities": {
                    "maxUsers": 20,
                    "supportedUserTypes": [0],
                    "supportedCredentialRules": [1],
                    "supportsUsersWithoutCredentials": True,
                }
            }
        if command == "get_credential_capabilities_cached":
            return {
                "capabilities": {
                    "supportedCredentialTypes": {
                        "1": {
                            "numberOfCredentialSlots": 25,
                            "minCredentialLength": 4,
                            "maxCredentialLength": 8,
                            "maxCredentialHashLength": 0,
                            "supportsCredentialLearn": False,
                        }
                    }
                }
            }
        if command == "set_user":
            return {"result": 0}
        if command in ("set_credential", "delete_credential"):
            result = self.credential_result
            message = self.messages[-1]
            if result == 0 and command == "set_credential":
                self.credentials.append(
                    {
                        "userId": message["userId"],
                        "type": 1,
                        "slot": message["credentialSlot"],
                    }
                )
                self.users.append(
                    {"userId": message["userId"], "active": True, "userType": 0}
                )
            if result == 0 and command == "delete_credential":
                self.credentials.clear()
            return {"result": result}
        if command == "get_users_cached":
            return {"users": self.users}
        if command == "get_all_credentials_cached":
            return {"credentials": self.credentials}
        return {}


@pytest.fixture
def fake(hass: HomeAssistant) -> FakeLock:
    """The lock behind the mocked server."""
    return FakeLock(hass)


@pytest.fixture
def lock_state() -> Any:
    """The BE469's recorded node state."""
    return load("lock_schlage_be469_state.json")


@pytest.fixture
def client(fake: FakeLock, lock_state: Any) -> Generator[MagicMock]:
    """A mocked Z-Wave JS server client with the controller and the lock."""
    with patch(
        "homeassistant.components.zwave_js.ZwaveClient", autospec=True
    ) as client_class:
        client = client_class.return_value
        listening: list[asyncio.Event] = []

        async def connect() -> None:
            client.connected = True

        async def listen(driver_ready: asyncio.Event) -> None:
            listening.append(stop := asyncio.Event())
            driver_ready.set()
            await stop.wait()

        async def disconnect() -> None:
            client.connected = False
            for stop in listening:
                stop.set()

        client.connect = AsyncMock(side_effect=connect)
        client.listen = AsyncMock(side_effect=listen)
        client.disconnect = AsyncMock(side_effect=disconnect)
        client.disable_server_logging = MagicMock()
        client.driver = Driver(client, load("controller_state.json"), LOG_CONFIG)
        controller = Node(client, load("controller_node_state.json"))
        client.driver.controller.nodes[controller.node_id] = controller
        fake.node = Node(client, copy.deepcopy(lock_state))
        client.driver.controller.nodes[NODE_ID] = fake.node
        client.version = VersionInfo.from_message(VERSION)
        client.ws_server_url = "ws://test:3000/zjs"
        client.async_send_command.side_effect = fake.send_command
        yield client


@pytest.fixture
async def zwave(
    hass: HomeAssistant, client: MagicMock, fake: FakeLock
) -> MockConfigEntry:
    """The real zwave_js integration, set up against the mocked server."""
    entry = MockConfigEntry(domain="zwave_js", data={"url": "ws://test.org"})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK) is not None
    fake.messages.clear()
    return entry


@pytest.fixture
def provider(hass: HomeAssistant, zwave: MockConfigEntry) -> ZwaveJSProvider:
    """The provider for the BE469's lock entity."""
    return ZwaveJSProvider(hass, LOCK, {"lock_entity_id": LOCK, "provider": "zwave_js"})


def set_values(fake: FakeLock) -> list[dict[str, Any]]:
    """The set_value commands the integration sent."""
    return [m for m in fake.messages if m["command"] == "node.set_value"]


def set_value_message(slot: int, prop: str, value: Any) -> dict[str, Any]:
    """The exact set_value command Home Assistant sends for a User Code slot."""
    return {
        "command": "node.set_value",
        "nodeId": NODE_ID,
        "valueId": {
            "commandClass": 99,
            "property": prop,
            "endpoint": 0,
            "propertyKey": slot,
        },
        "value": value,
    }


async def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Move simulated time forward and run whatever became due."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def let_run(hass: HomeAssistant, turns: int = 5) -> None:
    """Let the event loop run a few turns (no time passes)."""
    for _ in range(turns):
        turn = hass.loop.create_future()
        hass.loop.call_soon(turn.set_result, None)
        await turn


async def write[T](
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, call: Awaitable[T]
) -> T:
    """Run a provider write while simulated time moves on, a second at a time."""
    task = asyncio.ensure_future(call)
    for _ in range(30):
        await hass.async_block_till_done()
        if task.done():
            break
        await advance(hass, freezer, 1)
    return await task


# ----- detection and capacity


async def test_detect_and_capacity(
    hass: HomeAssistant, provider: ZwaveJSProvider, fake: FakeLock
) -> None:
    """zwave_js lock entities are ours; the BE469 has 30 slots of 4-digit codes."""
    registry = er.async_get(hass)
    entry = registry.async_get(LOCK)
    assert entry is not None
    assert detect(hass, entry)
    assert not detect(hass, registry.async_get_or_create("lock", "zha", "abc"))
    battery = registry.async_get("sensor.touchscreen_deadbolt_battery_level")
    assert battery is not None
    assert not detect(hass, battery)
    # 30 User Code slots; the BE469's "User Code PIN Length" parameter (4) fixes
    # the length of every code.
    assert await provider.async_capacity() == Capacity(
        slots=30, min_length=4, max_length=4
    )
    assert provider.min_gap == 1.0
    # Without that parameter, the User Code value's metadata gives 4-10 digits.
    assert fake.node is not None
    del fake.node.values[f"{NODE_ID}-112-0-16"]
    assert await provider.async_capacity() == Capacity(
        slots=30, min_length=4, max_length=10
    )


# ----- writes and read-back


async def test_writes_and_read_back(
    hass: HomeAssistant,
    provider: ZwaveJSProvider,
    fake: FakeLock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Exact set_value commands; the lock's later report decides what a write did."""
    # Echoed back: confirmed. zwave_js.set_lock_usercode writes userCode[slot].
    assert await write(hass, freezer, provider.async_set_code(5, CODE)) is True
    assert set_values(fake) == [set_value_message(5, "userCode", CODE)]

    # Reported as asterisks: the lock holds a code we cannot see (sent, unverified).
    fake.messages.clear()
    fake.mode = "masked"
    assert await write(hass, freezer, provider.async_set_code(30, CODE)) is False
    assert set_values(fake) == [set_value_message(30, "userCode", CODE)]

    # zwave-js's optimistic echo of the code is not trusted: the lock's report of an
    # empty slot says it refused this code, for good.
    fake.mode = "refuse"
    with pytest.raises(ProviderError, match="did not take the code") as err:
        await write(hass, freezer, provider.async_set_code(5, CODE))
    assert err.value.permanent
    assert CODE not in str(err.value)

    # The lock reports another code in the slot: it kept that one, for good.
    fake.mode = "other"
    with pytest.raises(ProviderError, match="kept another code") as err:
        await write(hass, freezer, provider.async_set_code(5, CODE))
    assert err.value.permanent

    # Access Control event 15 (duplicate code) during the write: permanent.
    fake.mode = "duplicate"
    with pytest.raises(ProviderError, match="duplicates") as err:
        await write(hass, freezer, provider.async_set_code(5, CODE))
    assert err.value.permanent

    # zwave_js.clear_lock_usercode sets userIdStatus[slot] to 0 (available).
    fake.messages.clear()
    fake.mode = "echo"
    assert await write(hass, freezer, provider.async_clear_code(21)) is True
    assert set_values(fake) == [set_value_message(21, "userIdStatus", 0)]

    # Still in use after a clear: transient, tried again.
    fake.mode = "refuse"
    with pytest.raises(ProviderError, match="still holds a code") as err:
        await write(hass, freezer, provider.async_clear_code(1))
    assert not err.value.permanent


async def test_silent_lock_is_asked_once(
    hass: HomeAssistant,
    provider: ZwaveJSProvider,
    fake: FakeLock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No report within 10 s (Home Assistant's timers): ask the lock, once."""
    fake.mode = "silent"
    task = asyncio.ensure_future(provider.async_set_code(7, CODE))
    await hass.async_block_till_done()
    await advance(hass, freezer, 9)
    assert not task.done()  # zwave-js's optimistic echo did not count
    assert not [m for m in fake.messages if m["command"] == "endpoint.invoke_cc_api"]
    await advance(hass, freezer, 1.5)
    assert await task is False  # the BE469 answers with a masked code
    (get,) = [m for m in fake.messages if m["command"] == "endpoint.invoke_cc_api"]
    assert get == {
        "command": "endpoint.invoke_cc_api",
        "nodeId": NODE_ID,
        "endpoint": 0,
        "commandClass": 99,
        "methodName": "get",
        "args": [7],
    }

    # No report and no answer when asked: transient.
    fake.answer_get = False
    task = asyncio.ensure_future(provider.async_set_code(7, CODE))
    await hass.async_block_till_done()
    await advance(hass, freezer, 11)
    with pytest.raises(ProviderError, match="did not report slot 7") as err:
        await task
    assert not err.value.permanent


# ----- failures


async def test_failures_are_classified(
    hass: HomeAssistant,
    provider: ZwaveJSProvider,
    fake: FakeLock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Z-Wave errors and hangs are transient (the code scrubbed); no slot: permanent."""
    fake.fail = FailedZWaveCommand("1", 202, f"Failed to send {CODE}: no ACK")
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(5, CODE)
    assert not err.value.permanent
    assert "zwave_js.set_lock_usercode failed" in str(err.value)
    assert CODE not in str(err.value)
    assert "***" in str(err.value)

    # A server that never answers: the call times out (60 s), transient.
    fake.fail = None
    fake.hang = True
    task = asyncio.ensure_future(provider.async_set_code(5, CODE))
    await let_run(hass)  # not block_till_done: Home Assistant's action task hangs
    freezer.tick(timedelta(seconds=61))
    async_fire_time_changed(hass)
    with pytest.raises(ProviderError, match="timed out") as err:
        await task
    assert not err.value.permanent
    fake.hang = False
    assert fake.hung is not None
    # zwave_js_server leaves its own tasks of a cancelled command waiting for the
    # answer or for a node status change: give them both.
    fake.mode = "silent"
    fake.hung.set_result(None)
    fake.status("dead")
    fake.status("alive")
    await hass.async_block_till_done()

    # The BE469 has 30 slots: slot 31 does not exist (NotFoundError), nothing is sent.
    fake.fail = None
    fake.messages.clear()
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(31, CODE)
    assert err.value.permanent
    with pytest.raises(ProviderError) as err:
        await provider.async_clear_code(31)
    assert err.value.permanent
    assert not set_values(fake)


# ----- reachability


async def test_dead_node_is_offline(
    hass: HomeAssistant, provider: ZwaveJSProvider, fake: FakeLock
) -> None:
    """Dead: the entity stays available, but the provider says offline, writes nothing."""
    changes: list[None] = []
    stop = provider.async_start(lambda: changes.append(None))
    changes.clear()
    assert provider.is_online()

    fake.status("dead")
    await hass.async_block_till_done()
    state = hass.states.get(LOCK)
    assert state is not None
    assert state.state != "unavailable"  # Home Assistant's own view
    assert not provider.is_online()
    assert changes
    with pytest.raises(ProviderError, match="dead") as err:
        await provider.async_set_code(5, CODE)
    assert not err.value.permanent
    assert not set_values(fake)

    changes.clear()
    fake.status("alive")
    assert provider.is_online()
    assert changes

    # The node dying while a write waits for its report fails that write.
    fake.mode = "silent"
    task = asyncio.ensure_future(provider.async_set_code(5, CODE))
    await hass.async_block_till_done()
    fake.status("dead")
    with pytest.raises(ProviderError, match="died") as err:
        await task
    assert not err.value.permanent

    stop()
    changes.clear()
    fake.status("alive")
    assert not changes  # stopped watching


async def test_zwave_js_unloaded_and_reloaded(
    hass: HomeAssistant,
    provider: ZwaveJSProvider,
    zwave: MockConfigEntry,
    client: MagicMock,
    fake: FakeLock,
    lock_state: Any,
) -> None:
    """Unloaded: offline, writes fail transiently. Reloaded: the new node is watched."""
    changes: list[None] = []
    stop = provider.async_start(lambda: changes.append(None))
    assert await hass.config_entries.async_unload(zwave.entry_id)
    await hass.async_block_till_done()
    assert zwave.state is ConfigEntryState.NOT_LOADED
    assert not provider.is_online()
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(5, CODE)
    assert not err.value.permanent
    assert await provider.async_capacity() is None

    # zwave_js comes back with new node objects (as after a server reconnect).
    fake.node = Node(client, copy.deepcopy(lock_state))
    client.driver.controller.nodes[NODE_ID] = fake.node
    assert await hass.config_entries.async_setup(zwave.entry_id)
    await hass.async_block_till_done()
    assert provider.is_online()
    changes.clear()
    fake.status("dead")
    assert changes
    assert not provider.is_online()
    stop()


# ----- serialisation


async def test_writes_do_not_overlap(
    hass: HomeAssistant,
    provider: ZwaveJSProvider,
    fake: FakeLock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Two writes to one lock at once run one after the other, each confirmed."""
    second = asyncio.ensure_future(provider.async_set_code(6, "5930"))
    assert await write(hass, freezer, provider.async_set_code(5, CODE)) is True
    assert await write(hass, freezer, second) is True
    # The second write starts only once the first was read back.
    assert fake.events == ["start", "end", "report", "start", "end", "report"]
    assert [m["valueId"]["propertyKey"] for m in set_values(fake)] == [6, 5]


# ----- keypad use


async def test_code_use_from_keypad_unlock(
    hass: HomeAssistant, provider: ZwaveJSProvider, fake: FakeLock
) -> None:
    """A keypad unlock naming user 3 reports slot 3; other notifications do not."""
    events = async_capture_events(hass, "zwave_js_notification")
    used: list[int] = []
    stop = provider.async_track_code_use(used.append)
    fake.notify(6, "Keypad unlock operation", {"userId": 3})
    fake.notify(2, "Manual unlock operation", {})
    fake.notify(5, "Keypad lock operation", {"userId": 3})
    fake.notify(6, "Keypad unlock operation", {})
    await hass.async_block_till_done()
    assert used == [3]
    # The event Home Assistant fired is the one automations see.
    assert events[0].data["command_class"] == 113
    assert events[0].data["type"] == 6
    assert events[0].data["event"] == 6
    assert events[0].data["parameters"] == {"userId": 3}
    # Another lock's notification is not ours.
    hass.bus.async_fire(
        "zwave_js_notification", {**events[0].data, "device_id": "another"}
    )
    await hass.async_block_till_done()
    assert used == [3]
    stop()
    fake.notify(6, "Keypad unlock operation", {"userId": 4})
    await hass.async_block_till_done()
    assert used == [3]


# ----- privacy


async def test_no_code_in_logs(
    hass: HomeAssistant,
    provider: ZwaveJSProvider,
    fake: FakeLock,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Successes and failures log no code, in any logger (ours, zwave_js, core)."""
    caplog.set_level(logging.DEBUG)
    await write(hass, freezer, provider.async_set_code(5, CODE))
    fake.fail = FailedZWaveCommand("1", 202, f"Failed to send {CODE}")
    with pytest.raises(ProviderError):
        await provider.async_set_code(5, CODE)
    fake.fail = None
    fake.mode = "refuse"
    with pytest.raises(ProviderError):
        await write(hass, freezer, provider.async_set_code(5, CODE))
    lines = [r.getMessage() for r in caplog.records]
    assert lines
    assert not [line for line in lines if CODE in line]


# ----- User Credential CC locks


@pytest.fixture
def credential_lock(lock_state: Any) -> None:
    """The same lock speaking User Credential CC (0x83) as well."""
    lock_state["endpoints"][0]["commandClasses"].append(
        {"id": 131, "name": "User Credential", "version": 1, "isSecure": True}
    )


def access_control(fake: FakeLock) -> dict[str, dict[str, Any]]:
    """The last access-control command of each kind."""
    return {
        m["command"].removeprefix("endpoint.access_control."): m for m in fake.messages
    }


@pytest.mark.usefixtures("credential_lock")
async def test_user_credential_lock(provider: ZwaveJSProvider, fake: FakeLock) -> None:
    """set_user makes user N with a PIN in credential slot N; delete_credential clears."""
    assert await provider.async_capacity() == Capacity(
        slots=20, min_length=4, max_length=8
    )
    assert await provider.async_set_code(5, CODE) is False  # the PIN is not readable
    commands = access_control(fake)
    assert commands["set_user"]["userId"] == 5
    assert commands["set_user"]["options"] == {"active": True, "userType": 0}
    assert {
        k: commands["set_credential"][k]
        for k in ("userId", "credentialType", "credentialSlot", "data")
    } == {"userId": 5, "credentialType": 1, "credentialSlot": 5, "data": CODE}
    assert not set_values(fake)  # no User Code CC write

    assert await provider.async_clear_code(5) is True
    assert {
        k: access_control(fake)["delete_credential"][k]
        for k in ("userId", "credentialType", "credentialSlot")
    } == {"userId": 5, "credentialType": 1, "credentialSlot": 5}

    # Duplicate PIN: permanent, the code scrubbed.
    fake.credential_result = 3  # ERROR_DUPLICATE_CREDENTIAL
    with pytest.raises(ProviderError, match="credential_rejected_duplicate") as err:
        await provider.async_set_code(5, CODE)
    assert err.value.permanent
    assert CODE not in str(err.value)
    # Clearing an empty slot: already clear.
    fake.credential_result = 2  # ERROR_MODIFY_REJECTED_LOCATION_EMPTY
    assert await provider.async_clear_code(5) is True
    # A code the lock cannot take (too short): permanent.
    fake.credential_result = 0
    with pytest.raises(ProviderError, match="credential_data_invalid_length") as err:
        await provider.async_set_code(6, "12")
    assert err.value.permanent
