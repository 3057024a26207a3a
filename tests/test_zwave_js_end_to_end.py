"""End to end on a Schlage BE469 through the real zwave_js integration.

The whole integration, from the config flow to a guest's first keypad unlock, on the
BE469 of ``test_provider_zwave_js`` (real ``zwave_js`` integration, mocked Z-Wave JS
server, a fake lock that reports like the real one). Simulated time only; codes are
compared, never printed (assertions compare booleans or masked commands).
"""

from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed_exact,
)

from custom_components.backup_access_codes.const import (
    CONF_CODE_LENGTH,
    CONF_FIRST_SLOT,
    CONF_LOCK_ENTITY_ID,
    CONF_PROVIDER,
    CONF_SLOT_COUNT,
    DEFAULT_OPTIONS,
    DOMAIN,
    EVENT_ISSUED,
    EVENT_REISSUED,
    SIGNAL_CHANGED,
)
from homeassistant.config_entries import SOURCE_USER, ConfigEntry, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.util import dt as dt_util

from .conftest import create_grant

# The BE469 behind the mocked server (fixtures are used by name).
from .test_provider_zwave_js import (
    LOCK,
    client,  # noqa: F401
    fake,  # noqa: F401
    lock_state,  # noqa: F401
    server,  # noqa: F401
    zwave,  # noqa: F401
)
from .zwave_js_env import (
    FakeLock,
    FakeServer,
    Return,
    async_add_lock,
    async_setup_zwave_js,
    lock_entity_id,
    mocked_client,
    set_value_message,
    user_code_writes,
)

# fit_options fits the defaults (slots 20-29, 6 digits) to the BE469: 30 slots, so the range
# stays, and a PIN length fixed at 4 by configuration parameter 16.
FITTED = {
    **DEFAULT_OPTIONS,
    CONF_CODE_LENGTH: 4,
    CONF_FIRST_SLOT: 20,
    CONF_SLOT_COUNT: 10,
}
POOL_SLOTS = [20, 21, 22, 23, 24]
FIRST_GRANT_SLOT = 25
HIDDEN = "<code>"
STEP = 0.1  # seconds of simulated time per tick

type Timeline = list[tuple[datetime, str, int, dict[str, Any] | None]]


@pytest.fixture
def timeline(server: FakeServer, fake: FakeLock) -> Timeline:  # noqa: F811
    """What reached the lock, when: ("set", slot, command) and ("report", slot)."""
    log: Timeline = []

    def tap(message: dict[str, Any]) -> None:
        if message["command"] == "node.set_value":
            slot = message["valueId"]["propertyKey"]
            log.append((dt_util.utcnow(), "set", slot, message))

    report = fake.report

    def recorded_report(slot: int, status: int, code: str) -> None:
        log.append((dt_util.utcnow(), "report", slot, None))
        report(slot, status, code)

    server.on_command = tap
    fake.report = recorded_report  # type: ignore[method-assign]
    return log


def sets(log: Timeline) -> list[dict[str, Any]]:
    """The set_value commands in the timeline."""
    return [message for _, kind, _, message in log if kind == "set" and message]


def masked(message: dict[str, Any]) -> dict[str, Any]:
    """A User Code command with its code hidden (an assertion may print it)."""
    if message["valueId"]["property"] == "userCode":
        return {**message, "value": HIDDEN}
    return message


async def tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Move simulated time forward and run the timers due, none early.

    (``async_fire_time_changed`` runs timers up to 0.5 s early, which would blur
    the spacing of writes this test measures.)
    """
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed_exact(hass)
    await hass.async_block_till_done()


async def run_until(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    done: Callable[[], bool],
    seconds: float,
    step: float = STEP,
) -> None:
    """Let simulated time run in small steps until ``done`` (at most ``seconds``).

    A write's chain (report, read-back, next command) runs in a background task that
    ``async_block_till_done`` does not wait for: what it does after a tick is seen at
    the next tick. Small steps keep the times in the timeline within a step or two.
    """
    await hass.async_block_till_done()
    for _ in range(round(seconds / step)):
        if done():
            return
        await tick(hass, freezer, step)
    assert done(), f"not done after {seconds} simulated seconds"


async def list_grants(hass: HomeAssistant) -> list[dict[str, Any]]:
    """list_access_grants' response."""
    response = await hass.services.async_call(
        DOMAIN, "list_access_grants", {}, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    grants: list[dict[str, Any]] = response["access_grants"]  # type: ignore[assignment]
    return grants


async def test_be469_end_to_end(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zwave: MockConfigEntry,  # noqa: F811
    fake: FakeLock,  # noqa: F811
    timeline: Timeline,
) -> None:
    """Config flow, pool, dead node, last-minute backup, programming, first use."""
    registry = er.async_get(hass)
    lock_entry = registry.async_get(LOCK)
    assert lock_entry is not None and lock_entry.device_id is not None

    # ----- 1. The config flow: a native provider, options fitted to the lock.
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM and result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_LOCK_ENTITY_ID: LOCK}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY  # no script step
    assert result["data"] == {CONF_LOCK_ENTITY_ID: LOCK, CONF_PROVIDER: "zwave_js"}
    assert result["options"] == FITTED
    options = result["options"]
    slots = range(
        options[CONF_FIRST_SLOT], options[CONF_FIRST_SLOT] + options[CONF_SLOT_COUNT]
    )
    assert slots[0] >= 1 and slots[-1] <= 30  # inside the BE469's 30 slots
    entry = result["result"]
    assert entry.unique_id == lock_entry.id
    assert entry.state is ConfigEntryState.LOADED
    coordinator = entry.runtime_data.coordinator
    min_gap = coordinator.provider.min_gap
    assert min_gap == 1.0

    def online() -> bool:
        """Whether our integration counts the lock as online."""
        return coordinator.online

    # The entities sit on the lock's device.
    ours = {
        e.unique_id.removeprefix(f"{entry.unique_id}_"): e
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
    }
    available = ours["available_backup_codes"]
    assert available.device_id == lock_entry.device_id
    issued = ours["issued_backup_codes"]

    def state_of(entity_id: str) -> str | None:
        state = hass.states.get(entity_id)
        return state.state if state else None

    # ----- 2. The pool is programmed, one confirmed write after another.
    await run_until(
        hass, freezer, lambda: state_of(available.entity_id) == "5", seconds=60
    )
    commands = sets(timeline)
    assert [masked(m) for m in commands] == [
        set_value_message(slot, "userCode", HIDDEN) for slot in POOL_SLOTS
    ]
    pool_codes = {m["valueId"]["propertyKey"]: m["value"] for m in commands}
    four_digits = all(
        isinstance(c, str) and len(c) == 4 and c.isdigit() for c in pool_codes.values()
    )
    assert four_digits
    distinct = len(set(pool_codes.values()))
    assert distinct == len(POOL_SLOTS)
    # Each write waits for the lock's report of its slot, then min_gap, then the next.
    events = [(when, kind, slot) for when, kind, slot, _ in timeline]
    assert [(kind, slot) for _, kind, slot in events] == [
        (kind, slot) for slot in POOL_SLOTS for kind in ("set", "report")
    ]
    set_at = [when for when, kind, _ in events if kind == "set"]
    reported_at = [when for when, kind, _ in events if kind == "report"]
    gaps = [b - a for a, b in zip(reported_at, set_at[1:], strict=False)]
    assert len(gaps) == len(POOL_SLOTS) - 1
    # Never sooner than min_gap after the confirmation; no later than a few ticks after.
    low, high = timedelta(seconds=min_gap), timedelta(seconds=min_gap + 3 * STEP)
    assert all(low <= gap <= high for gap in gaps), gaps
    state = hass.states.get(available.entity_id)
    assert state is not None
    assert state.attributes["supports_backup_access_code_pool"] is True
    assert state_of(issued.entity_id) == "0"

    # ----- 3. The node dies: offline for us, though the lock entity stays available.
    timeline.clear()
    fake.die()
    await hass.async_block_till_done()
    lock = hass.states.get(LOCK)
    assert lock is not None and lock.state != STATE_UNAVAILABLE
    assert not online()

    issued_events = async_capture_events(hass, EVENT_ISSUED)
    reissued_events = async_capture_events(hass, EVENT_REISSUED)
    now = dt_util.utcnow()
    starts_at = now + timedelta(minutes=10)
    ends_at = starts_at + timedelta(days=2)
    response = await hass.services.async_call(
        DOMAIN,
        "create_access_grant",
        {
            "lock_entity_id": LOCK,
            "name": "Jane Doe",
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        },
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    grant_id = response["access_grant_id"]
    scheduled = response["code"]
    # Issued within the call itself, before anything else ran.
    assert len(issued_events) == 1
    data = issued_events[0].data
    method = data["access_method"]
    assert {k: v for k, v in data.items() if k != "access_method"} == {
        "event_type": "access_method.issued",
        "access_grant_id": grant_id,
        "name": "Jane Doe",
        "lock_entity_id": LOCK,
        "device_id": lock_entry.device_id,
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
    }
    assert {k: v for k, v in method.items() if k != "code"} == {
        "mode": "code",
        "is_backup_code": True,
        "slot": POOL_SLOTS[0],
        "issued_at": now.isoformat(),
        "previously_used": False,
    }
    backup_is_pool_code = method["code"] == pool_codes[POOL_SLOTS[0]]
    assert backup_is_pool_code
    backup_is_not_scheduled = method["code"] != scheduled
    assert backup_is_not_scheduled

    # Nothing is sent to the dead node, whatever time passes (quick retries included).
    for _ in range(24):
        await tick(hass, freezer, 5)
    assert [masked(m) for m in sets(timeline)] == []
    assert not reissued_events
    assert state_of(available.entity_id) == "4"
    assert state_of(issued.entity_id) == "1"
    (grant,) = await list_grants(hass)
    (view,) = grant["locks"]
    assert {k: v for k, v in view.items() if k != "code"} == {
        "lock_entity_id": LOCK,
        "is_backup_code": True,
        "slot": POOL_SLOTS[0],
        "status": "backup_issued",
        "first_used_at": None,
    }

    # ----- 4. The node is back: the scheduled code goes into the first grant slot.
    fake.come_back(Return.ALIVE)
    await hass.async_block_till_done()
    assert online()
    await run_until(
        hass,
        freezer,
        lambda: [kind for _, kind, _, _ in timeline] == ["set", "report"],
        seconds=30,
    )
    await tick(hass, freezer, 5)
    commands = sets(timeline)
    assert [masked(m) for m in commands] == [
        set_value_message(FIRST_GRANT_SLOT, "userCode", HIDDEN)
    ]
    programmed_scheduled = commands[0]["value"] == scheduled
    assert programmed_scheduled
    assert not issued_events[1:] and not reissued_events  # the guest keeps the backup

    # ----- 5. The guest opens the door with the backup code.
    used_at = dt_util.utcnow()
    changes: list[str] = []
    entry.async_on_unload(
        async_dispatcher_connect(hass, SIGNAL_CHANGED, changes.append)
    )
    fake.notify(6, "Keypad unlock operation", {"userId": POOL_SLOTS[0]})
    await hass.async_block_till_done()
    assert changes == [entry.entry_id]  # live views (panel, grants calendar) hear of it
    (grant,) = await list_grants(hass)
    assert grant["access_grant_id"] == grant_id
    (view,) = grant["locks"]
    assert view["first_used_at"] == used_at.isoformat()
    assert view["status"] == "backup_issued"
    assert len(sets(timeline)) == 1  # nothing more was written


# ----- A dead node that comes back (issue 14), on several locks at once

DOORS = 3
# How the return is announced: by the lock itself, or by a ping from Home Assistant.
PING_BUTTON = "ping button"
PING_ACTION = "zwave_js.ping"
RETURNS = [*Return, PING_BUTTON, PING_ACTION]
# A server that does not send the "alive" event zwave-js sends before a dead node's
# report (Driver.handleRequest) or a ping's answer (handleSerialAPICommandResult).
UNANNOUNCED = "unannounced"


@pytest.fixture
async def doors(hass: HomeAssistant) -> AsyncGenerator[FakeServer]:
    """The real zwave_js integration with BE469 locks "Door 1" to "Door 3"."""
    network = FakeServer.with_be469s(hass, DOORS)
    with mocked_client(network):
        await async_setup_zwave_js(hass)
        yield network


def door(network: FakeServer, node_id: int) -> str:
    """The lock entity of a node."""
    return lock_entity_id(network.locks[node_id].state["name"])


async def come_back(hass: HomeAssistant, network: FakeServer, how: str) -> None:
    """Every lock is back; zwave-js hears of it the way ``how`` says."""
    for node_id, lock in network.locks.items():
        if how not in (PING_BUTTON, PING_ACTION):
            lock.come_back(Return(how))
            continue
        lock.reachable = True  # back on the mesh, but nobody knows yet
        entity_id = door(network, node_id)
        if how == PING_BUTTON:
            button = entity_id.replace("lock.", "button.") + "_ping"
            await hass.services.async_call(
                "button", "press", {"entity_id": button}, blocking=True
            )
        else:
            await hass.services.async_call(
                "zwave_js", "ping", {"entity_id": entity_id}, blocking=True
            )


def guest_writes(
    wire: list[tuple[datetime, dict[str, Any]]],
) -> dict[int, tuple[datetime, dict[str, Any]]]:
    """The first write to the first grant slot, per node, with its time."""
    first: dict[int, tuple[datetime, dict[str, Any]]] = {}
    for when, message in wire:
        if (
            message["command"] == "node.set_value"
            and message["valueId"]["propertyKey"] == FIRST_GRANT_SLOT
        ):
            first.setdefault(message["nodeId"], (when, message))
    return first


type Wire = list[tuple[datetime, dict[str, Any]]]


@dataclass
class DeadAtCheckIn:
    """Locks whose nodes died before a grant on all of them started."""

    entries: list[ConfigEntry]
    scheduled: str  # the grant's scheduled code
    issued: list[Event]
    wire: Wire  # every command to the server since the nodes died, with its time


async def dead_at_check_in(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, doors: FakeServer
) -> DeadAtCheckIn:
    """Pools programmed, then every node dies and a grant on all locks starts now."""
    wire: Wire = []
    doors.on_command = lambda message: wire.append((dt_util.utcnow(), message))
    entries = [await async_add_lock(hass, door(doors, n)) for n in doors.locks]
    assert all(entry.options == FITTED for entry in entries)
    locks = [entry.data[CONF_LOCK_ENTITY_ID] for entry in entries]

    def pools_ready() -> bool:
        return all(
            hass.states.is_state(
                lock.replace("lock.", "sensor.") + "_available_backup_codes", "5"
            )
            for lock in locks
        )

    await run_until(hass, freezer, pools_ready, seconds=60, step=0.5)
    for lock in doors.locks.values():
        lock.die()
    await hass.async_block_till_done()
    assert not any(entry.runtime_data.coordinator.online for entry in entries)
    wire.clear()
    issued = async_capture_events(hass, EVENT_ISSUED)
    response = await create_grant(hass, timedelta(0), lock=locks)
    # Backups at once, on every lock.
    assert sorted(e.data["lock_entity_id"] for e in issued) == sorted(locks)
    assert all(e.data["access_method"]["is_backup_code"] for e in issued)
    return DeadAtCheckIn(entries, response["code"], issued, wire)


async def assert_code_sent(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    doors: FakeServer,
    dead: DeadAtCheckIn,
    within: timedelta,
    after: timedelta = timedelta(0),
) -> None:
    """The scheduled code reaches every node ``after`` to ``within`` from now, confirmed."""
    start = dt_util.utcnow()
    await run_until(
        hass,
        freezer,
        lambda: len(guest_writes(dead.wire)) == DOORS,
        seconds=within.total_seconds() + 5,
    )
    writes = guest_writes(dead.wire)
    assert sorted(writes) == sorted(doors.locks)
    assert [masked(m) for _, m in writes.values()] == [
        set_value_message(FIRST_GRANT_SLOT, "userCode", HIDDEN, node_id)
        for node_id in writes
    ]
    scheduled_sent = all(m["value"] == dead.scheduled for _, m in writes.values())
    assert scheduled_sent
    delays = [when - start for when, _ in writes.values()]
    assert after <= min(delays) and max(delays) <= within, delays
    # Each lock confirms it: the scheduled code is programmed on every lock.
    await run_until(
        hass,
        freezer,
        lambda: all(
            entry.runtime_data.coordinator.engine.state.on_lock.get(FIRST_GRANT_SLOT)
            == dead.scheduled
            for entry in dead.entries
        ),
        seconds=5,
    )
    assert len(dead.issued) == DOORS  # the guest keeps the backup: nothing more to tell


@pytest.mark.parametrize("how", RETURNS)
async def test_dead_nodes_come_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    doors: FakeServer,
    how: str,
) -> None:
    """Dead at check-in: backups at once; back 10 minutes later: the code at once."""
    dead = await dead_at_check_in(hass, freezer, doors)
    # Ten minutes dead: nothing is written (the provider's pings find no one).
    for _ in range(10):
        await tick(hass, freezer, 60)
    assert not user_code_writes([m for _, m in dead.wire])
    await come_back(hass, doors, how)
    await assert_code_sent(
        hass, freezer, doors, dead, within=timedelta(seconds=2 * STEP)
    )


async def test_silent_return_found_by_ping(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, doors: FakeServer
) -> None:
    """Back without a word after 10 minutes: the next ping (at 15 min) finds them."""
    dead = await dead_at_check_in(hass, freezer, doors)
    for _ in range(10):
        await tick(hass, freezer, 60)
    pinged = [m["nodeId"] for _, m in dead.wire if m["command"] == "node.ping"]
    # Pings after 1, 3 and 7 minutes, to each node.
    assert sorted(pinged) == sorted(3 * list(doors.locks))
    for lock in doors.locks.values():
        lock.reachable = True  # back on the mesh; zwave-js does not know yet
    # The next ping is 15 minutes after the death, 5 from now.
    await assert_code_sent(
        hass,
        freezer,
        doors,
        dead,
        after=timedelta(minutes=5),
        within=timedelta(minutes=5, seconds=2 * STEP),
    )


async def test_server_that_never_says_alive(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, doors: FakeServer
) -> None:
    """A report or a ping answer without zwave-js's "alive": the node stays dead.

    What an outside benchmark's scripted server did (no code for 2 hours after the
    node's return): Home Assistant's own node status still says dead, so the lock stays
    offline and the guest keeps the backup code. The real driver sends "alive" first.
    """
    dead = await dead_at_check_in(hass, freezer, doors)
    for lock in doors.locks.values():
        lock.announces_alive = False
        lock.come_back(Return.REPORT)
    for _ in range(20):
        await tick(hass, freezer, 60)  # pings at 1, 3, 7, 15 min: answered, no "alive"
    pinged = [m for _, m in dead.wire if m["command"] == "node.ping"]
    assert len(pinged) == 4 * DOORS
    assert not user_code_writes([m for _, m in dead.wire])
    for entity_id in (door(doors, n) for n in doors.locks):
        assert hass.states.is_state(
            entity_id.replace("lock.", "sensor.") + "_node_status", "dead"
        )
    assert not any(entry.runtime_data.coordinator.online for entry in dead.entries)
    (grant,) = await list_grants(hass)
    assert {v["status"] for v in grant["locks"]} == {"backup_issued"}

    # The moment zwave-js does say "alive", the code follows.
    for lock in doors.locks.values():
        lock.status("alive")
    await assert_code_sent(
        hass, freezer, doors, dead, within=timedelta(seconds=2 * STEP)
    )
