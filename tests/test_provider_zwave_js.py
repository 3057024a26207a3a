"""The Z-Wave JS provider, through the real zwave_js integration and a mocked server.

The BE469 behind the server and the server itself are in ``zwave_js_env`` (real
``zwave_js_server`` models from recorded node states; a fake lock that answers the
commands and reports like the real lock and driver).
"""

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Generator
from datetime import timedelta
from itertools import pairwise
import logging
from typing import Any
from unittest.mock import MagicMock

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from zwave_js_server.exceptions import FailedZWaveCommand

from custom_components.backup_access_codes.providers.base import Capacity, ProviderError
from custom_components.backup_access_codes.providers.zwave_js import (
    ZwaveJSProvider,
    detect,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .zwave_js_env import (
    BE469_LOCK,
    BE469_NODE_ID,
    FakeLock,
    FakeServer,
    Return,
    async_setup_zwave_js,
    let_run,
    mocked_client,
    set_value_message,
)

LOCK = BE469_LOCK
NODE_ID = BE469_NODE_ID
CODE = "4829"


@pytest.fixture
def fake(hass: HomeAssistant) -> FakeLock:
    """The BE469 behind the mocked server."""
    return FakeLock(hass)


@pytest.fixture
def lock_state(fake: FakeLock) -> Any:
    """The BE469's recorded node state (change it before zwave_js is set up)."""
    return fake.state


@pytest.fixture
def server(hass: HomeAssistant, fake: FakeLock) -> FakeServer:
    """The Z-Wave JS server with the lock."""
    return FakeServer(hass, [fake])


@pytest.fixture
def client(server: FakeServer) -> Generator[MagicMock]:
    """A mocked Z-Wave JS server client with the controller and the lock."""
    with mocked_client(server) as client:
        yield client


@pytest.fixture
async def zwave(
    hass: HomeAssistant, client: MagicMock, fake: FakeLock
) -> MockConfigEntry:
    """The real zwave_js integration, set up against the mocked server."""
    entry = await async_setup_zwave_js(hass)
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


async def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Move simulated time forward and run whatever became due."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


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

    # An older driver's optimistic echo of the code (before the command's result) is
    # not trusted: the lock's report of an empty slot says it refused this code.
    fake.optimistic = True
    fake.mode = "refuse"
    with pytest.raises(ProviderError, match="did not take the code") as err:
        await write(hass, freezer, provider.async_set_code(5, CODE))
    assert err.value.permanent
    assert CODE not in str(err.value)
    fake.optimistic = False

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
    fake.optimistic = True  # an older driver's echo of the write is no report
    task = asyncio.ensure_future(provider.async_set_code(7, CODE))
    await hass.async_block_till_done()
    await advance(hass, freezer, 9)
    assert not task.done()  # the optimistic echo did not count
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
    assert provider.offline_reason() is None

    fake.status("dead")
    await hass.async_block_till_done()
    state = hass.states.get(LOCK)
    assert state is not None
    assert state.state != "unavailable"  # Home Assistant's own view
    assert provider.offline_reason() == "dead_node"
    assert provider.offline_reason() == "dead_node"  # what the panel shows
    assert changes
    with pytest.raises(ProviderError, match="dead") as err:
        await provider.async_set_code(5, CODE)
    assert not err.value.permanent
    assert not set_values(fake)

    changes.clear()
    fake.status("alive")
    assert provider.offline_reason() is None
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


@pytest.mark.parametrize("how", [Return.READY, Return.WAKE_UP, Return.REPORT])
async def test_status_carried_by_other_events(
    hass: HomeAssistant, provider: ZwaveJSProvider, fake: FakeLock, how: Return
) -> None:
    """A "ready" node dump, a wake-up or a report of a dead node: online, at once."""
    changes: list[None] = []
    stop = provider.async_start(lambda: changes.append(None))
    fake.die()
    await hass.async_block_till_done()
    assert provider.offline_reason() == "dead_node"
    changes.clear()
    fake.come_back(how)
    await hass.async_block_till_done()
    assert provider.offline_reason() is None
    assert changes
    stop()


def pings(fake: FakeLock) -> list[dict[str, Any]]:
    """The ping commands sent to the node."""
    return [m for m in fake.messages if m["command"] == "node.ping"]


async def test_dead_node_is_pinged_until_it_answers(
    hass: HomeAssistant,
    provider: ZwaveJSProvider,
    fake: FakeLock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A dead node is pinged after 1 min, then 2, 4, ... up to every hour, until back."""
    changes: list[None] = []
    stop = provider.async_start(lambda: changes.append(None))
    fake.die()
    await hass.async_block_till_done()
    await advance(hass, freezer, 59)
    assert not pings(fake)
    minutes: list[int] = []  # when each ping went out, in minutes after the death
    for minute in range(1, 4 * 60):
        await advance(hass, freezer, 60)
        if len(pings(fake)) > len(minutes):
            minutes.append(minute)
    assert minutes == [1, 3, 7, 15, 31, 63, 123, 183]
    assert pings(fake)[0] == {"command": "node.ping", "nodeId": NODE_ID}
    assert provider.offline_reason() == "dead_node"

    # The lock is back on the mesh without a word: the next ping finds it (zwave-js
    # marks a node that answers alive), and the pings stop.
    fake.reachable = True
    changes.clear()
    await advance(hass, freezer, 3600)
    assert provider.offline_reason() is None
    assert changes
    count = len(pings(fake))
    await advance(hass, freezer, 2 * 3600)
    assert len(pings(fake)) == count

    # Dead again: the first ping comes a minute later again.
    fake.die()
    await advance(hass, freezer, 61)
    assert len(pings(fake)) == count + 1
    stop()
    await advance(hass, freezer, 3600)
    assert len(pings(fake)) == count + 1  # stopped: no more pings


@pytest.fixture
async def trapped_pings(
    hass: HomeAssistant, provider: ZwaveJSProvider, fake: FakeLock, client: MagicMock
) -> AsyncGenerator[list[dict[str, Any]]]:
    """The node is dead; the server never answers the first ping, fails the others."""
    answer = client.async_send_command.side_effect
    hung: asyncio.Future[None] = hass.loop.create_future()
    tries: list[dict[str, Any]] = []

    async def failing(message: dict[str, Any], **kwargs: Any) -> Any:
        if message["command"] != "node.ping":
            return await answer(message, **kwargs)
        tries.append(message)
        if len(tries) == 1:
            await hung  # the first ping: the server never answers
        raise FailedZWaveCommand("1", 202, "ping failed")

    client.async_send_command.side_effect = failing
    stop = provider.async_start(lambda: None)
    fake.die()
    yield tries
    stop()  # a hung ping is cancelled with the provider
    hung.cancel()


async def test_ping_that_fails_or_hangs(
    hass: HomeAssistant,
    provider: ZwaveJSProvider,
    trapped_pings: list[dict[str, Any]],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A ping the server fails or never answers counts as "still dead"; pings go on."""
    sent: list[int] = []  # seconds after the death
    for second in range(10, 1000, 10):
        await advance(hass, freezer, 10)
        if len(trapped_pings) > len(sent):
            sent.append(second)
    # 60 s; that call times out a minute later (120 s, seen within a step); the next
    # ping 2 min after that fails at once; the next 4 min on, then 8.
    assert sent[0] == 60
    assert 240 <= sent[1] <= 250
    assert [b - a for a, b in pairwise(sent[1:])] == [240, 480]
    assert provider.offline_reason() == "dead_node"


async def test_write_does_not_wait_for_a_hung_ping(
    hass: HomeAssistant,
    provider: ZwaveJSProvider,
    fake: FakeLock,
    trapped_pings: list[dict[str, Any]],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Back (alive) while a ping hangs: a write goes out and is confirmed at once."""
    await advance(hass, freezer, 61)
    assert trapped_pings  # and no answer
    fake.come_back(Return.ALIVE)
    assert provider.offline_reason() is None
    task = asyncio.ensure_future(provider.async_set_code(5, CODE))
    await let_run(hass)
    assert set_values(fake) == [set_value_message(5, "userCode", CODE)]
    await advance(hass, freezer, 1)
    await advance(hass, freezer, 1)
    assert task.done() and task.result() is True


async def test_zwave_js_unloaded_and_reloaded(
    hass: HomeAssistant,
    provider: ZwaveJSProvider,
    zwave: MockConfigEntry,
    server: FakeServer,
    fake: FakeLock,
) -> None:
    """Unloaded: offline, writes fail transiently. Reloaded: the new node is watched."""
    changes: list[None] = []
    stop = provider.async_start(lambda: changes.append(None))
    assert await hass.config_entries.async_unload(zwave.entry_id)
    await hass.async_block_till_done()
    assert zwave.state is ConfigEntryState.NOT_LOADED
    assert provider.offline_reason() == "no_node"
    assert provider.offline_reason() == "no_node"
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(5, CODE)
    assert not err.value.permanent
    assert await provider.async_capacity() is None

    # zwave_js comes back with new node objects (as after a server reconnect).
    server.new_nodes()
    assert await hass.config_entries.async_setup(zwave.entry_id)
    await hass.async_block_till_done()
    assert provider.offline_reason() is None
    changes.clear()
    fake.status("dead")
    assert changes
    assert provider.offline_reason() == "dead_node"
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
