"""The Matter provider against the real Matter integration and a simulated door lock.

Home Assistant's own ``matter`` integration is set up (its actions, schemas, response
support, entity methods and ``lock_helpers`` all run for real); only the Matter server
client is replaced. The lock behind it answers DoorLock commands as the Matter SDK's
door-lock server does (credential indices 1..NumberOfPINUsersSupported, a new user per
credential added without a user index, DUPLICATE for a PIN held by any slot, OCCUPIED
when no user record is free, INVALID_FIELD for a Modify without a user index).
"""

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import timedelta
import logging
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch

from chip.clusters import Objects as clusters  # noqa: N813
from chip.clusters.Types import Nullable, NullValue
from freezegun.api import FrozenDateTimeFactory
from matter_server.client.models.node import MatterNode
from matter_server.common.const import SCHEMA_VERSION
from matter_server.common.errors import NodeNotResolving
from matter_server.common.helpers.util import dataclass_from_dict
from matter_server.common.models import EventType, MatterNodeData, ServerInfoMessage
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.backup_access_codes.const import PROVIDER_TIMEOUT_SECONDS
from custom_components.backup_access_codes.providers import Capacity, ProviderError
from custom_components.backup_access_codes.providers.matter import (
    MatterProvider,
    detect,
)
from homeassistant.components.matter.const import DOMAIN as MATTER_DOMAIN
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.helpers import entity_registry as er

from .conftest import advance

LOCK = "lock.front_door"
DL = clusters.DoorLock
FEATURE_PIN_USR = int(DL.Bitmaps.Feature.kPinCredential | DL.Bitmaps.Feature.kUser)


def node_data(lock: FakeDoorLock) -> dict[str, Any]:
    """A Matter door lock node as the Matter server describes it."""
    door_lock = {
        0: 1,  # LockState: locked
        1: 0,  # LockType: dead bolt
        2: True,  # ActuatorEnabled
        17: lock.total_users,  # NumberOfTotalUsersSupported
        18: lock.pin_users,  # NumberOfPINUsersSupported
        23: lock.max_pin,  # MaxPINCodeLength
        24: lock.min_pin,  # MinPINCodeLength
        65532: lock.feature_map,  # FeatureMap
        65533: 7,  # ClusterRevision
        **lock.door_lock_attributes,
    }
    attributes: dict[str, Any] = {
        "0/29/0": [{"0": 22, "1": 1}],  # root node
        "0/29/1": [29, 40],
        "0/40/1": "Test Vendor",
        "0/40/2": 65521,
        "0/40/3": "Test Lock",
        "0/40/4": 32769,
        "0/40/5": "Front door",
        "0/40/10": "1.0",
        "0/40/15": "SN-FRONT-1",
        "0/40/18": "front-door-unique",
        "1/29/0": [{"0": 10, "1": 1}],  # door lock
        "1/29/1": [3, 29, 257],
        **{f"1/257/{attr}": value for attr, value in door_lock.items()},
        "1/257/65531": [*door_lock, 65528, 65529, 65531],
        "1/257/65528": [12, 28, 35, 37],
        "1/257/65529": [0, 1, 26, 27, 29, 34, 36, 38],
        **lock.extra_attributes,
    }
    return {
        "node_id": 1,
        "date_commissioned": "2026-11-01T10:00:00",
        "last_interview": "2026-11-01T10:00:00",
        "interview_version": 6,
        "available": True,
        "attributes": attributes,
        "attribute_subscriptions": [],
    }


def _value(value: Any) -> Any:
    return None if value is NullValue or isinstance(value, Nullable) else value


@dataclass
class FakeDoorLock:
    """DoorLock credential handling of a lock, as the Matter SDK's server does it."""

    total_users: int = 30
    pin_users: int = 30
    min_pin: int = 4
    max_pin: int = 8
    feature_map: int = FEATURE_PIN_USR
    door_lock_attributes: dict[int, Any] = field(default_factory=dict)
    extra_attributes: dict[str, Any] = field(default_factory=dict)  # other clusters
    # credential index -> (PIN bytes, user index)
    pins: dict[int, tuple[bytes, int]] = field(default_factory=dict)
    users: set[int] = field(default_factory=set)
    commands: list[Any] = field(default_factory=list)
    fail_with: Exception | None = None
    hang: asyncio.Event | None = None
    active: int = 0
    max_active: int = 0

    async def send_device_command(
        self, node_id: int, endpoint_id: int, command: Any, **kwargs: Any
    ) -> Any:
        """Answer one DoorLock command (the Matter client's signature)."""
        self.commands.append(command)
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            await asyncio.sleep(0)  # a command takes a turn of the loop at least
            if self.hang is not None:
                await self.hang.wait()
            if self.fail_with is not None:
                raise self.fail_with
            return self._answer(command)
        finally:
            self.active -= 1

    def _answer(self, command: Any) -> Any:
        if isinstance(command, DL.Commands.GetCredentialStatus):
            index = command.credential.credentialIndex
            held = self.pins.get(index)
            return DL.Commands.GetCredentialStatusResponse(
                credentialExists=held is not None,
                userIndex=held[1] if held else NullValue,
                creatorFabricIndex=1 if held else NullValue,
                lastModifiedFabricIndex=1 if held else NullValue,
                nextCredentialIndex=self._next_free(index + 1),
            )
        if isinstance(command, DL.Commands.SetCredential):
            return DL.Commands.SetCredentialResponse(
                status=self._set(command),
                userIndex=None,
                nextCredentialIndex=self._next_free(
                    command.credential.credentialIndex + 1
                ),
            )
        if isinstance(command, DL.Commands.ClearCredential):
            held = self.pins.pop(command.credential.credentialIndex, None)
            if held is not None and not any(
                user == held[1] for _, user in self.pins.values()
            ):
                self.users.discard(held[1])  # its last credential: the user goes too
            return None
        raise AssertionError(f"unexpected command {command}")

    def _set(self, command: Any) -> int:
        index = command.credential.credentialIndex
        data = bytes(command.credentialData)
        user_index = _value(command.userIndex)
        if not 1 <= index <= self.pin_users:
            return DL.Enums.DlStatus.kInvalidField
        if not self.min_pin <= len(data) <= self.max_pin:
            return DL.Enums.DlStatus.kInvalidField
        if any(pin == data for pin, _ in self.pins.values()):
            return DL.Enums.DlStatus.kDuplicate
        if command.operationType == DL.Enums.DataOperationTypeEnum.kModify:
            if index not in self.pins or user_index is None:
                # A Modify without a user index is for the programming PIN only.
                return DL.Enums.DlStatus.kInvalidField
            self.pins[index] = (data, user_index)
            return DL.Enums.DlStatus.kSuccess
        if index in self.pins:
            return DL.Enums.DlStatus.kOccupied
        free = [u for u in range(1, self.total_users + 1) if u not in self.users]
        if not free:
            return DL.Enums.DlStatus.kOccupied  # no user record left for the PIN
        self.users.add(free[0])
        self.pins[index] = (data, free[0])
        return DL.Enums.DlStatus.kSuccess

    def _next_free(self, start: int) -> int | None:
        for index in range(start, self.pin_users + 1):
            if index not in self.pins:
                return index
        return None

    def sent(self) -> list[tuple[str, Any]]:
        """The commands sent so far, in short form."""
        short: list[tuple[str, Any]] = []
        for command in self.commands:
            name = type(command).__name__
            index = command.credential.credentialIndex
            if isinstance(command, DL.Commands.SetCredential):
                short.append((name, (index, command.operationType)))
            else:
                short.append((name, index))
        return short


@pytest.fixture
def door_lock() -> FakeDoorLock:
    """The simulated lock."""
    return FakeDoorLock()


@pytest.fixture
async def matter_client(door_lock: FakeDoorLock) -> AsyncGenerator[MagicMock]:
    """The Matter server client, replaced the way Home Assistant's own tests do it."""
    node = MatterNode(dataclass_from_dict(MatterNodeData, node_data(door_lock)))
    with patch(
        "homeassistant.components.matter.MatterClient", autospec=True
    ) as client_class:
        client = client_class.return_value

        async def listen(init_ready: asyncio.Event | None) -> None:
            if init_ready is not None:
                init_ready.set()
            await asyncio.Event().wait()  # cancelled on unload

        client.connect = AsyncMock(return_value=None)
        client.start_listening = AsyncMock(side_effect=listen)
        client.check_node_update = AsyncMock(return_value=None)
        client.server_info = ServerInfoMessage(
            fabric_id=12341234,
            compressed_fabric_id=1234,
            schema_version=SCHEMA_VERSION,
            min_supported_schema_version=SCHEMA_VERSION,
            sdk_version="2026.9.0",
            wifi_credentials_set=True,
            thread_credentials_set=True,
            bluetooth_enabled=False,
        )
        client.get_nodes.return_value = [node]
        client.get_node.return_value = node
        client.send_device_command = AsyncMock(
            side_effect=door_lock.send_device_command
        )
        yield client


@pytest.fixture
async def matter(hass: HomeAssistant, matter_client: MagicMock) -> MockConfigEntry:
    """The real Matter integration with the lock node."""
    entry = MockConfigEntry(
        domain=MATTER_DOMAIN, data={"url": "ws://localhost:5580/ws"}
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK) is not None, hass.states.async_entity_ids("lock")
    return entry


@pytest.fixture
def provider(hass: HomeAssistant, matter: MockConfigEntry) -> MatterProvider:
    """The provider for the front door."""
    return MatterProvider(hass, LOCK, {"lock_entity_id": LOCK, "provider": "matter"})


ADD = DL.Enums.DataOperationTypeEnum.kAdd


def set_lock_attribute(client: MagicMock, attribute: int, value: Any) -> None:
    """Change a DoorLock attribute of the node (as an attribute report would)."""
    node: MatterNode = client.get_node.return_value
    node.endpoints[1].set_attribute_value(f"1/257/{attribute}", value)


async def test_actions_and_detect(hass: HomeAssistant, matter: MockConfigEntry) -> None:
    """Home Assistant's actions answer as the provider expects; detect picks Matter."""
    services = hass.services
    # set_lock_credential answers only with a response: it must be asked for one.
    for service in (
        "set_lock_credential",
        "get_lock_credential_status",
        "get_lock_info",
    ):
        assert services.supports_response(MATTER_DOMAIN, service) is (
            SupportsResponse.ONLY
        )
    assert services.supports_response(MATTER_DOMAIN, "clear_lock_credential") is (
        SupportsResponse.NONE
    )
    registry = er.async_get(hass)
    entry = registry.async_get(LOCK)
    assert entry is not None
    assert entry.platform == "matter"
    assert detect(hass, entry)
    assert not detect(hass, registry.async_get_or_create("lock", "zha", "other"))
    sensor = registry.async_get_or_create("sensor", "matter", "battery")
    assert not detect(hass, sensor)


async def test_capacity(
    hass: HomeAssistant, provider: MatterProvider, matter_client: MagicMock
) -> None:
    """PIN credential count and PIN lengths come from get_lock_info."""
    assert provider.min_gap == 0.5
    assert await provider.async_capacity() == Capacity(30, 4, 8)
    set_lock_attribute(matter_client, 18, 100)  # NumberOfPINUsersSupported
    set_lock_attribute(matter_client, 24, 6)  # MinPINCodeLength
    set_lock_attribute(matter_client, 23, 6)  # MaxPINCodeLength
    assert await provider.async_capacity() == Capacity(100, 6, 6)
    # Without user management, or without PINs, a lock cannot hold codes.
    set_lock_attribute(matter_client, 65532, int(DL.Bitmaps.Feature.kPinCredential))
    assert await provider.async_capacity() == Capacity(slots=0)
    set_lock_attribute(matter_client, 65532, int(DL.Bitmaps.Feature.kUser))
    assert await provider.async_capacity() == Capacity(slots=0)


async def test_without_the_matter_integration(hass: HomeAssistant) -> None:
    """Before Matter is loaded: capacity unknown, writes fail transiently."""
    provider = MatterProvider(hass, LOCK, {"lock_entity_id": LOCK})
    assert await provider.async_capacity() is None
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(21, "482917")
    assert not err.value.permanent


async def test_set_and_clear(provider: MatterProvider, door_lock: FakeDoorLock) -> None:
    """Slot N is PIN credential index N; occupancy is read back, the PIN cannot be."""
    assert await provider.async_set_code(21, "048213") is False  # sent, unverified
    assert door_lock.pins[21][0] == b"048213"
    assert door_lock.sent() == [
        ("GetCredentialStatus", 21),  # ours: is the slot occupied?
        ("GetCredentialStatus", 21),  # Home Assistant's: Add or Modify?
        ("SetCredential", (21, ADD)),
        ("GetCredentialStatus", 21),  # read back
    ]

    # An occupied slot is emptied first, then the PIN added with a user of its own
    # (Home Assistant would send a Modify without a user index, which locks refuse).
    door_lock.commands.clear()
    assert await provider.async_set_code(21, "735102") is False
    assert door_lock.pins[21][0] == b"735102"
    assert door_lock.sent() == [
        ("GetCredentialStatus", 21),
        ("ClearCredential", 21),
        ("GetCredentialStatus", 21),
        ("SetCredential", (21, ADD)),
        ("GetCredentialStatus", 21),
    ]
    assert door_lock.users == {door_lock.pins[21][1]}  # the old user went with its PIN

    # Writing the PIN a slot already holds (a retry that got through) is no duplicate.
    assert await provider.async_set_code(21, "735102") is False
    assert door_lock.pins[21][0] == b"735102"

    # A clear reads the slot back empty: verified. An empty slot clears as well.
    door_lock.commands.clear()
    assert await provider.async_clear_code(21) is True
    assert door_lock.pins == {}
    assert door_lock.sent() == [("ClearCredential", 21), ("GetCredentialStatus", 21)]
    assert await provider.async_clear_code(21) is True


async def test_permanent_refusals(
    provider: MatterProvider, door_lock: FakeDoorLock
) -> None:
    """Refusals no retry can change are permanent; the code never shows."""
    cases = [
        # slot, code, PINs already on the lock, user records, what the error says
        (21, "482917", {3: b"482917"}, 30, "`duplicate`"),  # the PIN is in slot 3
        (21, "482917", {}, 0, "`occupied`"),  # no user record left for the PIN
        (31, "482917", {}, 30, "`unknown(133)`"),  # INVALID_FIELD: beyond the lock
        (21, "123456789", {}, 30, "PIN length must be between 4 and 8"),
    ]
    for slot, code, held, total_users, answer in cases:
        door_lock.total_users = total_users
        door_lock.pins = {i: (pin, u) for u, (i, pin) in enumerate(held.items(), 1)}
        door_lock.users = {user for _, user in door_lock.pins.values()}
        with pytest.raises(ProviderError) as err:
            await provider.async_set_code(slot, code)
        assert err.value.permanent, answer
        assert answer in str(err.value)
        assert code not in str(err.value)
    # Home Assistant checked the length itself: that PIN never went to the lock.
    sent = [c for c in door_lock.commands if isinstance(c, DL.Commands.SetCredential)]
    assert len(sent) == 3
    # Data the actions' schemas refuse (no slot 0 or below) cannot pass either.
    with pytest.raises(ProviderError, match="get_lock_credential_status") as err:
        await provider.async_set_code(-1, "482917")
    assert err.value.permanent


async def test_transient_failures(
    hass: HomeAssistant,
    provider: MatterProvider,
    door_lock: FakeDoorLock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """FAILURE answers, unreachable nodes, clears that do not take, hung commands."""
    real_answer = door_lock._answer

    def failure_status(command: Any) -> Any:
        if isinstance(command, DL.Commands.SetCredential):
            return DL.Commands.SetCredentialResponse(status=DL.Enums.DlStatus.kFailure)
        return real_answer(command)

    door_lock._answer = failure_status  # type: ignore[method-assign]
    with pytest.raises(ProviderError, match="`failure`") as err:
        await provider.async_set_code(21, "482917")
    assert not err.value.permanent

    def success_without_storing(command: Any) -> Any:
        if isinstance(command, DL.Commands.SetCredential):
            return DL.Commands.SetCredentialResponse(status=DL.Enums.DlStatus.kSuccess)
        return real_answer(command)

    door_lock._answer = success_without_storing  # type: ignore[method-assign]
    with pytest.raises(ProviderError, match="reports PIN slot 21 empty") as err:
        await provider.async_set_code(21, "482917")
    assert not err.value.permanent

    def ignore_clear(command: Any) -> Any:
        if isinstance(command, DL.Commands.ClearCredential):
            return None
        return real_answer(command)

    door_lock._answer = ignore_clear  # type: ignore[method-assign]
    door_lock.pins[22] = (b"905114", 1)
    with pytest.raises(ProviderError, match="still reports PIN slot 22") as err:
        await provider.async_clear_code(22)
    assert not err.value.permanent

    # The Matter server cannot reach the node (no CASE session).
    door_lock.fail_with = NodeNotResolving("Node 1 did not respond")
    for write in (provider.async_set_code(21, "482917"), provider.async_clear_code(21)):
        with pytest.raises(ProviderError, match="Node 1 did not respond") as err:
            await write
        assert not err.value.permanent

    # A command that never answers fails after the provider's timeout.
    door_lock.fail_with = None
    door_lock.hang = asyncio.Event()
    task = asyncio.create_task(provider.async_set_code(21, "482917"))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not task.done()
    await advance(hass, freezer, timedelta(seconds=PROVIDER_TIMEOUT_SECONDS + 1))
    with pytest.raises(ProviderError, match="timed out") as err:
        await task
    assert not err.value.permanent


async def test_unavailable_lock_is_not_a_silent_success(
    hass: HomeAssistant,
    provider: MatterProvider,
    matter_client: MagicMock,
    door_lock: FakeDoorLock,
) -> None:
    """Home Assistant skips an unavailable entity: a clear would end "successfully".

    Actions with a response refuse instead ("did not match any entities"), so every
    set, and the read-back of every clear, fail transiently.
    """
    node: MatterNode = matter_client.get_node.return_value
    node.node_data.available = False  # the server lost the node
    for sub in matter_client.subscribe_events.call_args_list:
        if sub.kwargs.get("event_filter") == EventType.NODE_UPDATED:
            sub.kwargs["callback"](EventType.NODE_UPDATED, node)
    await hass.async_block_till_done()
    state = hass.states.get(LOCK)
    assert state is not None
    assert state.state == STATE_UNAVAILABLE

    # The trap: clear_lock_credential on an unavailable lock returns without error.
    await hass.services.async_call(
        MATTER_DOMAIN,
        "clear_lock_credential",
        {"credential_type": "pin", "credential_index": 21},
        target={"entity_id": LOCK},
        blocking=True,
    )
    with pytest.raises(ProviderError, match="did not match any entities") as err:
        await provider.async_set_code(21, "482917")
    assert not err.value.permanent
    with pytest.raises(ProviderError, match="get_lock_credential_status") as err:
        await provider.async_clear_code(21)
    assert not err.value.permanent
    assert door_lock.commands == []
    assert await provider.async_capacity() is None


async def test_serialised_and_no_code_in_logs(
    hass: HomeAssistant,
    provider: MatterProvider,
    door_lock: FakeDoorLock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Writes started together run one after the other; no log line quotes a code."""
    caplog.set_level(logging.DEBUG)
    await asyncio.gather(
        provider.async_set_code(21, "482917"),
        provider.async_set_code(22, "735102"),
        provider.async_clear_code(23),
    )
    assert door_lock.max_active == 1
    # Each operation's commands stay together, in the order the writes started.
    indices = [i[0] if isinstance(i, tuple) else i for _, i in door_lock.sent()]
    assert indices == sorted(indices)
    assert {i: pin for i, (pin, _) in door_lock.pins.items()} == {
        21: b"482917",
        22: b"735102",
    }
    with pytest.raises(ProviderError):
        await provider.async_set_code(24, "482917")  # duplicate
    door_lock.fail_with = NodeNotResolving("Node 1 did not respond")
    with pytest.raises(ProviderError):
        await provider.async_set_code(25, "551093")
    # Every log line but one: with debug logging on, Home Assistant's event bus logs
    # each action call with its data ("Bus:Handling <Event call_service ...>"), the
    # code included. That is Home Assistant's own line (docs/providers say so).
    lines = [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if not (r.name == "homeassistant.core" and r.msg == "Bus:Handling %s")
    ]
    for code in ("482917", "735102", "551093"):
        assert not any(code in line for line in lines)
