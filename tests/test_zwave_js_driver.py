"""Lock-kept windows on Z-Wave: the real Z-Wave JS driver and server with a simulated lock.

Nothing of Z-Wave is faked on the Python side: ``tests/zwave_js_driver/harness.cjs`` runs
the real zwave-js driver (npm ``zwave-js``) on its mock controller with a simulated
keypad lock (``lock.cjs``: User Code, Schedule Entry Lock V3 with one year-day slot per
user, Time Parameters), served by the real Z-Wave JS Server (npm ``@zwave-js/server``) on
a local WebSocket. Home Assistant's own zwave_js integration connects to it as it connects
to the Z-Wave JS add-on, and the provider goes through it: the driver interviews the
lock, encodes every command, and the mock lock stores what it is sent.

The network runs in real time, so Home Assistant's (frozen) clock is set to the
network's at the start of each test; the harness runs in Home Assistant's time zone, as
the add-on does. ``scripts/setup`` installs the npm packages (``npm ci``).
"""

from collections.abc import AsyncGenerator, Generator
from datetime import datetime, timedelta
import os
from pathlib import Path
import selectors
import subprocess
from typing import IO, Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from zwave_js_server.const import CommandClass
from zwave_js_server.model.node import Node

from custom_components.backup_access_codes.providers import create_provider
from custom_components.backup_access_codes.providers.windows import (
    ClockStatus,
    Window,
    WindowRefusedError,
    WindowSupport,
)
from custom_components.backup_access_codes.providers.zwave_js_schedule import (
    ZwaveJSScheduleProvider,
    expected_time_zone,
    year_day_fields,
)
from homeassistant.components.zwave_js.helpers import async_get_node_from_entity_id
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

HARNESS = Path(__file__).parent / "zwave_js_driver"
NODE_ID = 2
STARTUP_SECONDS = 120.0  # interviewing the lock on a loaded machine
ANSWER_SECONDS = 10.0


class DriverHarness:
    """The harness process: started once per module, asked over stdin/stdout."""

    def __init__(self, cache_dir: Path, time_zone: str) -> None:
        """Start it in ``time_zone``; wait until the lock is interviewed and served."""
        if not (HARNESS / "node_modules" / "zwave-js").is_dir():
            pytest.fail(
                "npm packages of tests/zwave_js_driver are missing: run scripts/setup"
            )
        self.log = (cache_dir / "harness.log").open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own harness
            ["node", "harness.cjs", str(cache_dir)],  # noqa: S607 - node from PATH
            cwd=HARNESS,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            bufsize=0,
            env={**os.environ, "TZ": time_zone},
        )
        assert self.process.stdout is not None
        self._out: IO[bytes] = self.process.stdout
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._out, selectors.EVENT_READ)
        self._buffer = b""
        self.port = int(self._line("READY", STARTUP_SECONDS).split()[1])

    def _line(self, prefix: str, seconds: float) -> str:
        """Return the next output line that starts with ``prefix`` (others are logs).

        Unbuffered reads, waiting on the OS's own timeout (Home Assistant's clock is
        frozen in tests), a second at a time.
        """
        for _ in range(int(seconds)):
            while b"\n" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\n", 1)
                line = raw.decode()
                if line.startswith((prefix, "ERROR")):
                    assert line.startswith(prefix), line
                    return line.strip()
            if self._selector.select(1.0):
                if not (chunk := os.read(self._out.fileno(), 65536)):
                    break  # the harness ended
                self._buffer += chunk
        raise AssertionError(f"the harness did not answer {prefix} (see its log)")

    def ask(self, command: str, answer: str = "OK") -> str:
        """Send a command; return its answer line."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"{command}\n".encode())
        return self._line(answer, ANSWER_SECONDS)

    def now(self) -> datetime:
        """The time the simulated network runs on."""
        return datetime.fromisoformat(self.ask("now", "NOW").split()[1])

    def stop(self) -> None:
        """End the harness (closing stdin ends it); kill it if it hangs."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._selector.close()
        self._out.close()
        self.log.close()


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Generator[DriverHarness]:
    """The Z-Wave network with the simulated lock, in Home Assistant's test time zone."""
    started = DriverHarness(tmp_path_factory.mktemp("zwave_js"), "US/Pacific")
    yield started
    started.stop()


@pytest.fixture
async def lock(
    hass: HomeAssistant,
    socket_enabled: None,
    harness: DriverHarness,
    freezer: FrozenDateTimeFactory,
) -> AsyncGenerator[str]:
    """Home Assistant's zwave_js integration on the network; the lock's entity id."""
    assert hass.config.time_zone == "US/Pacific"
    freezer.move_to(harness.now())
    entry = MockConfigEntry(
        domain="zwave_js",
        data={
            "url": f"ws://127.0.0.1:{harness.port}",
            "use_addon": False,
            "integration_created_addon": False,
        },
        unique_id="zwave-js-harness",
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    [lock_entity] = [
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.domain == "lock"
    ]
    yield lock_entity
    assert await hass.config_entries.async_unload(entry.entry_id)


def node_of(hass: HomeAssistant, lock_entity: str) -> Node:
    """The lock's node as Home Assistant's zwave_js integration holds it."""
    return async_get_node_from_entity_id(hass, lock_entity)


async def cc_api(node: Node, method: str, *args: Any) -> Any:
    """Ask the lock through the driver (Schedule Entry Lock CC)."""
    return await node.endpoints[0].async_invoke_cc_api(
        CommandClass.SCHEDULE_ENTRY_LOCK, method, *args, wait_for_result=True
    )


async def lock_clock(node: Node) -> datetime:
    """The lock's clock as the driver reads it (Time Parameters are UTC)."""
    reading = await node.async_get_date_and_time()
    return datetime(
        reading.year or 0,
        reading.month or 0,
        reading.day or 0,
        reading.hour or 0,
        reading.minute or 0,
        reading.second or 0,
        tzinfo=dt_util.UTC,
    )


def provider_for(hass: HomeAssistant, lock_entity: str) -> ZwaveJSScheduleProvider:
    """The provider a config entry for the lock gets."""
    provider = create_provider(
        hass, lock_entity, {"lock_entity_id": lock_entity, "provider": "zwave_js"}
    )
    assert isinstance(provider, ZwaveJSScheduleProvider)
    return provider


def stay(days_ahead: int) -> Window:
    """A window days ahead: 14:00 local on arrival until 11:00 local three days later."""
    zone = dt_util.get_default_time_zone()
    day = (dt_util.utcnow().astimezone(zone) + timedelta(days=days_ahead)).date()
    start = datetime(day.year, day.month, day.day, 14, 0, 30, tzinfo=zone)
    return Window(start, start + timedelta(days=3, hours=-3))


async def test_capability_and_clock(
    hass: HomeAssistant, lock: str, harness: DriverHarness
) -> None:
    """Year-day slots come from the lock; an unset clock is set and read back right."""
    node = node_of(hass, lock)
    assert {cc.id: cc.version for cc in node.command_classes}[78] == 3
    provider = provider_for(hass, lock)
    capability = await provider.async_window_capability()
    assert capability.support is WindowSupport.SUPPORTED
    assert capability.schedules_per_user == 1
    assert capability.usable
    # The driver set the time zone from its host during the interview: Home Assistant's.
    assert await cc_api(node, "getTimezone") == expected_time_zone(
        dt_util.get_default_time_zone(), dt_util.utcnow()
    )

    harness.ask(f"node {NODE_ID} clock-unset")  # the battery was changed
    assert (await lock_clock(node)).year == 2000
    capability = await provider.async_window_capability()
    assert capability.clock is ClockStatus.SET
    assert abs(await lock_clock(node) - dt_util.utcnow()) < timedelta(seconds=30)

    # A lock that keeps a wrong time zone gets Home Assistant's with the time.
    harness.ask(f"node {NODE_ID} zone 0 0")
    capability = await provider.async_window_capability()
    assert capability.clock is ClockStatus.SET
    assert (await cc_api(node, "getTimezone"))["standardOffset"] == -480


async def test_windowed_code(hass: HomeAssistant, lock: str) -> None:
    """The schedule reaches the lock in local time, before the code; a clear erases it."""
    node = node_of(hass, lock)
    provider = provider_for(hass, lock)
    window = stay(4)
    await provider.async_set_windowed_code(25, "4829", window)
    schedule = await cc_api(node, "getYearDaySchedule", {"userId": 25, "slotId": 1})
    fields = year_day_fields(
        window.within(timedelta(minutes=1)), dt_util.get_default_time_zone()
    )
    assert schedule == fields
    # 14:00:30 local is rounded up to the minute: the code never works before its window.
    assert (schedule["startHour"], schedule["startMinute"]) == (14, 1)
    assert (schedule["stopHour"], schedule["stopMinute"]) == (11, 0)
    slot = await hass.services.async_call(
        "zwave_js",
        "get_lock_usercode",
        {"entity_id": lock, "code_slot": 25},
        blocking=True,
        return_response=True,
    )
    assert slot[lock]["25"]["in_use"] is True

    # Moved: the schedule follows, the code stays.
    moved = stay(5)
    await provider.async_set_windowed_code(25, "4829", moved)
    schedule = await cc_api(node, "getYearDaySchedule", {"userId": 25, "slotId": 1})
    assert (
        schedule["startDay"]
        == moved.starts_at.astimezone(dt_util.get_default_time_zone()).day
    )

    # Check-out: the code goes first, then its schedule (which alone would free it).
    assert await provider.async_clear_code(25) is True
    assert await cc_api(node, "getYearDaySchedule", {"userId": 25, "slotId": 1}) is None


async def test_lock_that_keeps_a_wrong_clock(
    hass: HomeAssistant, lock: str, harness: DriverHarness
) -> None:
    """A lock that will not take the time gets no window, and nothing is written."""
    node = node_of(hass, lock)
    provider = provider_for(hass, lock)
    harness.ask(f"node {NODE_ID} clock-refuses")
    harness.ask(f"node {NODE_ID} clock-unset")
    try:
        with pytest.raises(WindowRefusedError) as err:
            await provider.async_set_windowed_code(26, "5931", stay(4))
        assert err.value.reason == "clock_wrong"
        capability = await provider.async_window_capability()
        assert not capability.usable
        assert capability.reason == "clock_wrong"
        assert (
            await cc_api(node, "getYearDaySchedule", {"userId": 26, "slotId": 1})
            is None
        )
    finally:
        harness.ask(f"node {NODE_ID} clock-accepts")
        await provider.async_window_capability()  # sets the clock again
