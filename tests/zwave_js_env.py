"""A Z-Wave JS network for tests and the benchmark: N Schlage BE469 locks.

Home Assistant's own zwave_js tests do it this way: ``ZwaveClient`` is patched, the
driver and nodes are real ``zwave_js_server`` models built from recorded node states
(the controller and a Schlage BE469 from ``fixtures/zwave_js``), and every command the
integration sends to the Z-Wave JS server arrives in ``client.async_send_command``.
``FakeServer`` answers those commands for every node; a ``FakeLock`` per node answers
like the BE469 behind zwave-js would, and sends the events the driver would send.

What the driver does is taken from its source (zwave-js 15.22 and later):

- A User Code write is never applied to the value cache optimistically, and zwave-js
  verifies it with a User Code Get ``refreshValueAfterTransition`` (1 s) later, whether
  or not the write was supervised (``UserCodeCCAPI`` ``SET_VALUE_HOOKS``:
  ``forceVerifyChanges``; ``isSetValueOptimistic`` is false). The lock's report then
  updates ``userIdStatus`` and ``userCode``. ``FakeLock.optimistic`` brings back the
  older drivers' immediate echo of the written value (an event before the result).
- A dead node comes back with an ``alive`` event before anything else it says:
  ``Driver.handleRequest`` marks a dead node alive when any unsolicited frame of it
  arrives, and ``Driver.handleSerialAPICommandResult`` when a command to it (a ping)
  succeeds. ``FakeLock.announces_alive = False`` plays a server that skips that event.

Nothing here needs pytest: the delayed reports run on Home Assistant's timers, so the
freezer of a test and the simulated clock of ``scripts/bench`` both drive them. Codes
are compared, never printed.
"""

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
import copy
from datetime import datetime
from enum import StrEnum
import json
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch

from pytest_homeassistant_custom_component.common import MockConfigEntry
from zwave_js_server.const import NodeStatus
from zwave_js_server.event import Event as ZwaveEvent
from zwave_js_server.exceptions import FailedZWaveCommand
from zwave_js_server.model.driver import Driver
from zwave_js_server.model.node import Node
from zwave_js_server.model.version import VersionInfo

from custom_components.backup_access_codes.const import CONF_LOCK_ENTITY_ID, DOMAIN
from homeassistant.config_entries import SOURCE_USER, ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.event import async_call_later

FIXTURES = Path(__file__).parent / "fixtures" / "zwave_js"
BE469_NODE_ID = 20  # the node id in the recorded state
BE469_LOCK = "lock.touchscreen_deadbolt"  # its lock entity when the node has no name
# zwave-js's default ``timeouts.refreshValueAfterTransition``: from a User Code write
# to the verification Get (the lock answers that Get at once here).
REPORT_DELAY = 1.0
SET_VALUE_SUCCESS_UNSUPERVISED = 254
MASKED = "**********"

LOG_CONFIG: Any = {
    "enabled": True,
    "level": "info",
    "logToFile": False,
    "filename": "",
    "forceConsole": False,
}
VERSION: Any = {
    "type": "version",
    "driverVersion": "15.29.0",
    "serverVersion": "3.10.2",
    "homeId": 3245146787,
    "minSchemaVersion": 0,
    "maxSchemaVersion": 49,
}


def load(name: str) -> Any:
    """Load a recorded Z-Wave JS state."""
    return json.loads((FIXTURES / name).read_text())


def be469_state(node_id: int = BE469_NODE_ID, name: str | None = None) -> Any:
    """The BE469's recorded state as node ``node_id`` (``name``: its device name)."""
    state = load("lock_schlage_be469_state.json")
    state["nodeId"] = node_id
    for endpoint in state["endpoints"]:
        endpoint["nodeId"] = node_id
    if name is not None:
        state["name"] = name  # Home Assistant names the device (and entities) after it
    return state


class Return(StrEnum):
    """How Z-Wave JS can tell that a dead node is back."""

    ALIVE = "alive"  # the server's "alive" node event
    REPORT = "report"  # an unsolicited report from the node (a value update)
    WAKE_UP = "wake up"  # a Wake Up Notification ("wake up" node event)
    # A "ready" node event: a full node state dump that carries the status, with no
    # "alive" event of its own; and the same after a re-interview ("interview started"
    # first, so Home Assistant makes the node's entities anew).
    READY = "ready"
    REINTERVIEW = "re-interview"
    # A successful ping is driven from Home Assistant (the ping button or
    # zwave_js.ping): the lock only has to be reachable again (``FakeLock.reachable``).


class FakeLock:
    """One BE469 node: answers the server commands and reports like the real lock.

    ``mode`` says what the lock reports after a User Code write:
    ``echo`` the code itself, ``masked`` asterisks, ``refuse`` an empty slot,
    ``other`` another code, ``duplicate`` the duplicate-code notification, ``silent``
    nothing until asked.
    """

    def __init__(
        self, hass: HomeAssistant, node_id: int = BE469_NODE_ID, state: Any = None
    ) -> None:
        """Start with a reachable lock that echoes what it is given."""
        self.hass = hass
        self.node_id = node_id
        self.state: Any = state if state is not None else be469_state(node_id)
        self.node: Node | None = None
        self.mode = "echo"
        self.optimistic = False  # drivers before 15.22: echo the written value at once
        self.announces_alive = True  # the driver's "alive" event when it hears the node
        self.reachable = True  # the radio link: a ping is answered, commands arrive
        self.messages: list[dict[str, Any]] = []
        self.fail: Exception | None = None
        self.hang = False
        self.hung: asyncio.Future[None] | None = None
        self.answer_get = True
        self.events: list[str] = []  # set_value "start"/"end" and "report", in order
        self.credential_result = 0
        self.users: list[dict[str, Any]] = []
        self.credentials: list[dict[str, Any]] = []

    # ----- what the node reports

    def _event(self, event: str, **data: Any) -> None:
        assert self.node is not None
        self.node.receive_event(
            ZwaveEvent(
                event,
                {"source": "node", "event": event, "nodeId": self.node_id, **data},
            )
        )

    def value_updated(
        self, command_class: int, prop: str, key: int | None, value: Any
    ) -> None:
        """A "value updated" event from the node."""
        args: dict[str, Any] = {
            "commandClass": command_class,
            "endpoint": 0,
            "property": prop,
            "propertyName": prop,
            "newValue": value,
            "prevValue": None,
        }
        if key is not None:
            args |= {"propertyKey": key, "propertyKeyName": str(key)}
        self._event("value updated", args=args)

    def slot_updated(self, slot: int, prop: str, value: Any) -> None:
        """A "value updated" event of a User Code slot."""
        self.value_updated(99, prop, slot, value)

    def report(self, slot: int, status: int, code: str) -> None:
        """The lock's User Code Report: status first, then the code (as zwave-js)."""
        self.events.append("report")
        self.slot_updated(slot, "userIdStatus", status)
        self.slot_updated(slot, "userCode", code)

    def notify(self, event: int, label: str, parameters: dict[str, Any]) -> None:
        """A Notification CC Access Control report from the lock."""
        self._event(
            "notification",
            endpointIndex=0,
            ccId=113,
            args={
                "type": 6,
                "label": "Access Control",
                "event": event,
                "eventLabel": label,
                "parameters": parameters,
            },
        )

    def status(self, event: str) -> None:
        """A node status event: "dead", "alive", "sleep" or "wake up"."""
        self._event(event)

    # ----- dying and coming back

    def die(self) -> None:
        """The lock drops off the mesh and zwave-js marks its node dead."""
        self.reachable = False
        self.status("dead")

    def heard(self) -> None:
        """zwave-js heard the node: a dead node is marked alive first (as the driver)."""
        assert self.node is not None
        if self.announces_alive and self.node.status == NodeStatus.DEAD:
            self.status("alive")

    def come_back(self, how: Return) -> None:
        """The lock is back, and zwave-js tells it the way ``how`` says."""
        self.reachable = True
        if how is Return.ALIVE:
            self.status("alive")
        elif how is Return.REPORT:
            # Say, the lock reports its battery (any unsolicited frame will do).
            self.heard()
            self.value_updated(128, "level", None, 100)
        elif how is Return.WAKE_UP:
            self.status("wake up")
        elif how in (Return.READY, Return.REINTERVIEW):
            if how is Return.REINTERVIEW:
                self._event("interview started")
            state = copy.deepcopy(self.state)
            state["status"] = NodeStatus.ALIVE.value
            self._event("ready", nodeState=state)

    # ----- the server's side, for this node

    async def send_command(self, message: dict[str, Any]) -> dict[str, Any]:
        """Answer one command addressed to this node."""
        self.messages.append(message)
        command = message["command"]
        if command == "node.ping":
            if self.reachable:
                self.heard()
            return {"responded": self.reachable}
        if command == "node.set_value":
            return await self._set_value(message)
        if command == "endpoint.invoke_cc_api":
            return self._invoke(message)
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
        if not self.reachable:
            raise FailedZWaveCommand("1", 202, "Failed to send the command")
        self.heard()
        value_id = message["valueId"]
        slot = value_id["propertyKey"]
        prop = value_id["property"]
        if self.optimistic:
            # Drivers before 15.22 updated the cache before the command's result: this
            # says nothing about what the lock made of it.
            self.slot_updated(slot, prop, message["value"])
        if prop == "userCode":
            code = message["value"]
            later: dict[str, Callable[[], None]] = {
                "echo": lambda: self.report(slot, 1, code),
                "masked": lambda: self.report(slot, 1, MASKED),
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
                "refuse": lambda: self.report(slot, 1, MASKED),
            }
        if self.mode in later:
            # zwave-js asks for the slot after the write; the report comes then.
            report = later[self.mode]

            @callback
            def send_report(_now: datetime) -> None:
                if self.reachable:
                    report()

            async_call_later(self.hass, REPORT_DELAY, send_report)
        return {"result": {"status": SET_VALUE_SUCCESS_UNSUPERVISED}}

    def _invoke(self, message: dict[str, Any]) -> dict[str, Any]:
        assert message["commandClass"] == 99
        assert message["methodName"] == "get"
        if not self.answer_get or not self.reachable:
            raise FailedZWaveCommand("1", 204, "Timeout while waiting for a report")
        self.heard()
        (slot,) = message["args"]
        self.report(slot, 1, MASKED)
        return {"response": {"userIdStatus": 1, "userCode": MASKED}}

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
            return self._credential_change(command)
        if command == "get_users_cached":
            return {"users": self.users}
        if command == "get_all_credentials_cached":
            return {"credentials": self.credentials}
        return {}

    def _credential_change(self, command: str) -> dict[str, Any]:
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


class FakeServer:
    """The Z-Wave JS server: routes each command to its node's ``FakeLock``."""

    def __init__(self, hass: HomeAssistant, locks: list[FakeLock]) -> None:
        """Serve these locks (distinct node ids)."""
        self.hass = hass
        self.locks = {lock.node_id: lock for lock in locks}
        self.messages: list[dict[str, Any]] = []  # every command, in order
        self.client: MagicMock | None = None
        # Called with each command before it is answered (a benchmark's wire tap).
        self.on_command: Callable[[dict[str, Any]], None] | None = None

    @classmethod
    def with_be469s(cls, hass: HomeAssistant, count: int) -> FakeServer:
        """``count`` BE469 locks, nodes 20, 21, ..., named "Door 1", "Door 2", ..."""
        return cls(
            hass,
            [
                FakeLock(
                    hass,
                    node_id,
                    be469_state(node_id, f"Door {node_id - BE469_NODE_ID + 1}"),
                )
                for node_id in range(BE469_NODE_ID, BE469_NODE_ID + count)
            ],
        )

    async def send_command(
        self, message: dict[str, Any], **_kwargs: Any
    ) -> dict[str, Any]:
        """Answer one command of the integration."""
        self.messages.append(message)
        if self.on_command is not None:
            self.on_command(message)
        if message["command"] == "controller.get_available_firmware_updates":
            return {"updates": []}  # the update entities check now and then
        lock = self.locks.get(message.get("nodeId", -1))
        if lock is not None and message["command"].startswith(("node.", "endpoint.")):
            return await lock.send_command(message)
        return {}

    def new_nodes(self) -> None:
        """Build fresh node objects from the locks' states (as after a reconnect)."""
        assert self.client is not None
        nodes = self.client.driver.controller.nodes
        for lock in self.locks.values():
            lock.node = Node(self.client, copy.deepcopy(lock.state))
            nodes[lock.node_id] = lock.node


@contextmanager
def mocked_client(server: FakeServer) -> Iterator[MagicMock]:
    """Patch zwave_js's ``ZwaveClient``: a connected client with the server's nodes."""
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
        client.version = VersionInfo.from_message(VERSION)
        client.ws_server_url = "ws://test:3000/zjs"
        client.async_send_command.side_effect = server.send_command
        server.client = client
        server.new_nodes()
        yield client


async def async_setup_zwave_js(hass: HomeAssistant) -> MockConfigEntry:
    """Set up the real zwave_js integration against the mocked client."""
    entry = MockConfigEntry(domain="zwave_js", data={"url": "ws://test.org"})
    entry.add_to_hass(hass)
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError("zwave_js did not set up")
    await hass.async_block_till_done()
    return entry


def lock_entity_id(node_name: str | None) -> str:
    """The lock entity zwave_js makes for a BE469 node of that name."""
    if node_name is None:
        return BE469_LOCK
    return "lock." + node_name.lower().replace(" ", "_")


def set_value_message(
    slot: int, prop: str, value: Any, node_id: int = BE469_NODE_ID
) -> dict[str, Any]:
    """The exact set_value command Home Assistant sends for a User Code slot."""
    return {
        "command": "node.set_value",
        "nodeId": node_id,
        "valueId": {
            "commandClass": 99,
            "property": prop,
            "endpoint": 0,
            "propertyKey": slot,
        },
        "value": value,
    }


def user_code_writes(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The User Code set_value commands among ``messages``."""
    return [
        m
        for m in messages
        if m["command"] == "node.set_value" and m["valueId"]["commandClass"] == 99
    ]


async def let_run(hass: HomeAssistant, turns: int = 5) -> None:
    """Let the event loop run a few turns (no time passes)."""
    for _ in range(turns):
        turn = hass.loop.create_future()
        hass.loop.call_soon(turn.set_result, None)
        await turn


async def async_add_lock(hass: HomeAssistant, entity_id: str) -> ConfigEntry:
    """Add Backup Access Codes for a Z-Wave lock through the config flow, as a host."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_LOCK_ENTITY_ID: entity_id}
    )
    if result["type"] is not FlowResultType.CREATE_ENTRY:
        raise RuntimeError(f"{entity_id}: the config flow did not create an entry")
    entry: ConfigEntry = result["result"]
    return entry
