"""Lock-kept windows on Z-Wave JS: failure paths, through the real zwave_js integration.

The mocked server of ``zwave_js_env`` (as in ``test_provider_zwave_js``) with a lock that
keeps year-day schedules. The Schlage BE469 has no Schedule Entry Lock CC (its recorded
state lists none), so this lock is the BE469's recorded state with Schedule Entry Lock CC
V3 and Time Parameters CC added: a keypad deadbolt that has them. The lock answers the
Schedule Entry Lock CC API and the clock as zwave-js does (``tests/test_zwave_js_driver``
runs the real driver; here the lock can also misbehave on purpose).
"""

from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from zwave_js_server.exceptions import FailedZWaveCommand

from custom_components.backup_access_codes.const import DOMAIN, EVENT_REISSUED
from custom_components.backup_access_codes.providers import create_provider
from custom_components.backup_access_codes.providers.base import ProviderError
from custom_components.backup_access_codes.providers.windows import (
    ClockStatus,
    Window,
    WindowRefusedError,
    WindowSupport,
)
from custom_components.backup_access_codes.providers.zwave_js_schedule import (
    ZwaveJSScheduleProvider,
    expected_time_zone,
    keeps_schedules,
    lock_time,
    year_day_fields,
)
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .conftest import advance_to, create_grant
from .test_provider_zwave_js import (  # fixtures are used by name
    CODE,
    LOCK,
    advance,
    client,  # noqa: F401
    server,  # noqa: F401
    write,
    zwave,  # noqa: F401
)
from .zwave_js_env import FakeLock, Return, async_add_lock, be469_state

SCHEDULE_CC = 78
SLOT = 25
WINDOW = Window(
    datetime(2026, 12, 5, 22, 0, tzinfo=UTC),  # 14:00 in US/Pacific (tests' zone)
    datetime(2026, 12, 8, 19, 0, tzinfo=UTC),
)


def scheduling_lock_state() -> Any:
    """The BE469's recorded state with Schedule Entry Lock V3 and Time Parameters."""
    state = be469_state()
    for endpoint in state["endpoints"]:
        endpoint["commandClasses"] += [
            {"id": 78, "name": "Schedule Entry Lock", "version": 3, "isSecure": True},
            {"id": 139, "name": "Time Parameters", "version": 1, "isSecure": True},
        ]
    return state


class SchedulingLock(FakeLock):
    """A keypad lock with year-day schedules and a Time Parameters clock."""

    def __init__(self, hass: HomeAssistant) -> None:
        """One year-day slot per user, a right clock, Home Assistant's time zone."""
        super().__init__(hass, state=scheduling_lock_state())
        self.year_day_slots = 1
        self.clock_offset: timedelta | None = timedelta(seconds=4)  # None: no time
        self.accepts_time = True
        self.zone = expected_time_zone(
            dt_util.get_default_time_zone(), dt_util.utcnow()
        )
        self.schedules: dict[int, dict[str, int]] = {}
        self.keeps = "always"  # or "never", or "after code" (drops it until a code)
        self.set_result: dict[str, Any] | None = None  # a supervision result
        self.answers_schedule_get = True
        self.codes: set[int] = set()

    async def send_command(self, message: dict[str, Any]) -> dict[str, Any]:
        """Answer schedules and the clock; codes as the BE469."""
        command = message["command"]
        if (
            command == "endpoint.invoke_cc_api"
            and message["commandClass"] == SCHEDULE_CC
        ):
            self.messages.append(message)
            return {
                "response": self._schedule_api(message["methodName"], message["args"])
            }
        if command == "node.get_date_and_time":
            self.messages.append(message)
            return {"dateAndTime": self._date_and_time()}
        if command == "node.set_date_and_time":
            self.messages.append(message)
            if self.accepts_time:
                self.clock_offset = (
                    datetime.fromisoformat(message["date"]) - dt_util.utcnow()
                )
                self.zone = expected_time_zone(
                    dt_util.get_default_time_zone(), dt_util.utcnow()
                )
            return {"success": self.accepts_time}
        if command == "node.set_value" and message["valueId"]["commandClass"] == 99:
            slot = message["valueId"]["propertyKey"]
            if message["valueId"]["property"] == "userCode":
                self.codes.add(slot)
            else:
                self.codes.discard(slot)
        return await super().send_command(message)

    def _date_and_time(self) -> dict[str, int]:
        if self.clock_offset is None:
            shown = datetime(2000, 1, 1, tzinfo=UTC)
        else:
            shown = dt_util.utcnow() + self.clock_offset
        return {
            "year": shown.year,
            "month": shown.month,
            "day": shown.day,
            "hour": shown.hour,
            "minute": shown.minute,
            "second": shown.second,
            "weekday": shown.isoweekday(),
            "standardOffset": 0,
            "dstOffset": 0,
        }

    def _schedule_api(self, method: str, args: list[Any]) -> Any:
        if not self.reachable:
            raise FailedZWaveCommand("1", 204, "Timeout while waiting for a report")
        if method == "getNumSlots":
            return {
                "numWeekDaySlots": 0,
                "numYearDaySlots": self.year_day_slots,
                "numDailyRepeatingSlots": 0,
            }
        if method == "getTimezone":
            return self.zone
        if method == "setEnabled":
            return self.set_result
        if method == "setYearDaySchedule":
            user = args[0]["userId"]
            if len(args) == 1:
                if self.keeps != "never":
                    self.schedules.pop(user, None)
            elif self.keeps == "always" or (
                self.keeps == "after code" and user in self.codes
            ):
                self.schedules[user] = args[1]
            return self.set_result
        if method == "getYearDaySchedule":
            if not self.answers_schedule_get:
                raise FailedZWaveCommand("1", 204, "Timeout while waiting for a report")
            return self.schedules.get(args[0]["userId"])
        raise AssertionError(method)

    def api_calls(self) -> list[str]:
        """The Schedule Entry Lock CC methods and clock commands, in order."""
        return [
            m.get("methodName", m["command"])
            for m in self.messages
            if m["command"] != "node.set_value" and m.get("commandClass") in (None, 78)
        ]


@pytest.fixture
def fake(hass: HomeAssistant) -> SchedulingLock:
    """The lock behind the mocked server."""
    return SchedulingLock(hass)


@pytest.fixture
def provider(hass: HomeAssistant, zwave: MockConfigEntry) -> ZwaveJSScheduleProvider:  # noqa: F811
    """The provider a config entry for the lock gets."""
    made = create_provider(hass, LOCK, {"lock_entity_id": LOCK, "provider": "zwave_js"})
    assert isinstance(made, ZwaveJSScheduleProvider)
    return made


async def run[T](
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, call: Awaitable[T]
) -> T:
    """Run a provider call while simulated time moves (the lock reports a second later)."""
    return await write(hass, freezer, call)


def test_pure_helpers() -> None:
    """Fields in local time, the lock's reading, the zone as zwave-js sets it."""
    zone = dt_util.get_time_zone("Europe/Berlin")
    assert zone is not None
    fields = year_day_fields(WINDOW, zone)
    assert (fields["startYear"], fields["startDay"], fields["startHour"]) == (26, 5, 23)
    assert expected_time_zone(zone, WINDOW.starts_at) == {
        "standardOffset": 60,
        "dstOffset": 120,
    }
    assert expected_time_zone(dt_util.UTC, WINDOW.starts_at) == {
        "standardOffset": 0,
        "dstOffset": 0,
    }

    class Reading:
        year, month, day, hour, minute, second = 2026, 12, 5, 14, 0, 0
        standard_offset = dst_offset = 0

    assert lock_time(Reading(), zone) == datetime(2026, 12, 5, 14, 0, tzinfo=UTC)  # type: ignore[arg-type]
    Reading.standard_offset = 60  # a Time CC answer: local time
    assert lock_time(Reading(), zone) == datetime(2026, 12, 5, 13, 0, tzinfo=UTC)  # type: ignore[arg-type]
    Reading.month = 13  # a lock without a time may report nonsense
    assert lock_time(Reading(), zone) is None  # type: ignore[arg-type]
    Reading.year = None  # type: ignore[assignment]
    assert lock_time(Reading(), zone) is None  # type: ignore[arg-type]


async def test_capability(
    hass: HomeAssistant, provider: ZwaveJSScheduleProvider, fake: SchedulingLock
) -> None:
    """Supported with year-day slots and a trusted clock; otherwise, why not."""
    assert provider.min_gap == 1.0  # still the Z-Wave JS provider
    capability = await provider.async_window_capability()
    assert (capability.support, capability.clock, capability.schedules_per_user) == (
        WindowSupport.SUPPORTED,
        ClockStatus.OK,
        1,
    )
    fake.year_day_slots = 0
    capability = await provider.async_window_capability()
    assert (capability.support, capability.reason) == (
        WindowSupport.NOT_SUPPORTED,
        "no_year_day_slots",
    )
    fake.reachable = False
    capability = await provider.async_window_capability()
    assert (capability.support, capability.reason) == (
        WindowSupport.UNKNOWN,
        "unreachable",
    )
    fake.die()
    await hass.async_block_till_done()
    assert (await provider.async_window_capability()).reason == "unreachable"
    gone = create_provider(hass, "lock.gone", {"provider": "zwave_js"})
    assert (await gone.async_window_capability()).reason == "not_loaded"  # type: ignore[attr-defined]


def test_which_locks_keep_schedules() -> None:
    """The BE469 as recorded has no schedules; User Credential locks are left alone."""

    def node(*extra: int) -> Any:
        ids = [cc["id"] for cc in be469_state()["endpoints"][0]["commandClasses"]]
        return SimpleNamespace(
            command_classes=[SimpleNamespace(id=i, version=1) for i in [*ids, *extra]]
        )

    assert not keeps_schedules(node())
    assert keeps_schedules(node(78))
    assert not keeps_schedules(node(78, 131))


async def test_windowed_code_order(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    provider: ZwaveJSScheduleProvider,
    fake: SchedulingLock,
) -> None:
    """Schedule first, then the code, then the schedule read back; a clear erases it."""
    assert await run(
        hass, freezer, provider.async_set_windowed_code(SLOT, CODE, WINDOW)
    )
    assert fake.schedules[SLOT] == year_day_fields(
        WINDOW, dt_util.get_default_time_zone()
    )
    assert fake.schedules[SLOT]["startHour"] == 14  # local time of the lock
    calls = fake.api_calls()
    assert calls[:5] == [
        "getNumSlots",
        "node.get_date_and_time",
        "getTimezone",
        "setYearDaySchedule",
        "setEnabled",
    ]
    assert calls[-1] == "getYearDaySchedule"
    set_value = next(
        i for i, m in enumerate(fake.messages) if m["command"] == "node.set_value"
    )
    schedule_set = next(
        i
        for i, m in enumerate(fake.messages)
        if m.get("methodName") == "setYearDaySchedule"
    )
    assert schedule_set < set_value  # the code never works without its window

    fake.messages.clear()
    assert await run(hass, freezer, provider.async_clear_code(SLOT))
    assert SLOT not in fake.schedules
    order = [m.get("methodName", m["command"]) for m in fake.messages]
    assert order.index("node.set_value") < order.index("setYearDaySchedule")


async def test_schedule_dropped_before_the_code(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    provider: ZwaveJSScheduleProvider,
    fake: SchedulingLock,
) -> None:
    """A lock that drops a schedule for a user without a code gets it once more."""
    fake.keeps = "after code"
    assert await run(
        hass, freezer, provider.async_set_windowed_code(SLOT, CODE, WINDOW)
    )
    assert SLOT in fake.schedules
    assert fake.api_calls().count("setYearDaySchedule") == 2


@pytest.mark.parametrize("failure", ["never kept", "supervision", "unreachable"])
async def test_failed_schedule_takes_the_code_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    provider: ZwaveJSScheduleProvider,
    fake: SchedulingLock,
    failure: str,
) -> None:
    """A code whose window did not stick does not stay on the lock."""
    if failure == "never kept":
        fake.keeps = "never"
    elif failure == "supervision":
        fake.set_result = {"status": 2}  # SupervisionStatus.Fail
    else:
        fake.answers_schedule_get = False  # the read-back gets no answer
    with pytest.raises(ProviderError) as err:
        await run(hass, freezer, provider.async_set_windowed_code(SLOT, CODE, WINDOW))
    assert not isinstance(err.value, WindowRefusedError)
    assert not err.value.permanent
    assert SLOT not in fake.codes  # never written, or taken back
    writes = [
        m["valueId"]["property"]
        for m in fake.messages
        if m["command"] == "node.set_value"
    ]
    assert writes == ([] if failure == "supervision" else ["userCode", "userIdStatus"])
    assert CODE not in str(err.value)


async def test_untrusted_clock(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    provider: ZwaveJSScheduleProvider,
    fake: SchedulingLock,
) -> None:
    """An unset clock is set; one the lock will not take, or a wrong zone, refuse."""
    fake.clock_offset = None
    capability = await provider.async_window_capability()
    assert capability.clock is ClockStatus.SET
    assert fake.clock_offset is not None
    assert abs(fake.clock_offset) < timedelta(seconds=1)

    fake.zone = {"standardOffset": 0, "dstOffset": 0}
    assert (await provider.async_window_capability()).clock is ClockStatus.SET

    fake.accepts_time = False
    fake.zone = {"standardOffset": 0, "dstOffset": 0}
    assert (await provider.async_window_capability()).clock is ClockStatus.WRONG

    fake.clock_offset = timedelta(minutes=-5)
    fake.messages.clear()
    with pytest.raises(WindowRefusedError) as err:
        await run(hass, freezer, provider.async_set_windowed_code(SLOT, CODE, WINDOW))
    assert err.value.reason == "clock_wrong"
    assert fake.schedules == {}
    assert not [m for m in fake.messages if m["command"] == "node.set_value"]


async def test_erase_that_does_not_stick(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    provider: ZwaveJSScheduleProvider,
    fake: SchedulingLock,
) -> None:
    """A schedule left after a clear would restrict the slot's next code: a failure."""
    await run(hass, freezer, provider.async_set_windowed_code(SLOT, CODE, WINDOW))
    fake.keeps = "never"
    with pytest.raises(ProviderError, match="still holds a schedule") as err:
        await run(hass, freezer, provider.async_clear_code(SLOT))
    assert not err.value.permanent


async def test_end_to_end_offline_at_the_program_point(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zwave: MockConfigEntry,  # noqa: F811
    fake: SchedulingLock,
) -> None:
    """Config flow to check-out: the code goes on days ahead, the program point offline."""
    entry = await async_add_lock(hass, LOCK)
    coordinator = entry.runtime_data.coordinator

    async def settle(seconds: int = 60) -> None:
        """Let the writes run (reports come a second after each write)."""
        for _ in range(seconds):
            await advance(hass, freezer, 1)
            if not coordinator.writer.running and not coordinator.engine.next_write(
                dt_util.utcnow()
            ):
                return

    await settle()
    assert coordinator.windows.usable
    assert coordinator.engine.keeps_windows
    reissued = async_capture_events(hass, EVENT_REISSUED)
    response = await create_grant(hass, timedelta(days=3), lock=LOCK)
    starts_at = dt_util.utcnow() + timedelta(days=3)
    await settle()
    assert fake.schedules == {}  # before the issue point: nothing on the lock
    await advance_to(hass, freezer, starts_at - timedelta(hours=36))
    await settle()
    [slot] = fake.schedules
    assert slot in fake.codes
    window = Window(starts_at - timedelta(hours=1), starts_at + timedelta(days=2))
    # In the lock's minutes, inwards: never before the program point.
    assert fake.schedules[slot] == year_day_fields(
        window.within(timedelta(minutes=1)), dt_util.get_default_time_zone()
    )
    [grant] = (
        await hass.services.async_call(
            DOMAIN, "list_access_grants", {}, blocking=True, return_response=True
        )
    )["access_grants"]
    assert grant["access_grant_id"] == response["access_grant_id"]
    assert grant["locks"][0]["status"] == "programmed"

    # The node is dead around the program point: the lock keeps the window itself.
    await advance_to(hass, freezer, starts_at - timedelta(hours=2))
    fake.die()
    await hass.async_block_till_done()
    assert not coordinator.online
    await advance_to(hass, freezer, starts_at + timedelta(hours=1))
    assert reissued == []

    # Back, and at check-out the code is cleared, then its schedule erased.
    fake.come_back(Return.ALIVE)
    await settle()
    await advance_to(hass, freezer, starts_at + timedelta(days=2))
    await settle()
    assert slot not in fake.codes
    assert fake.schedules == {}


async def test_end_to_end_clock_gone_wrong(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zwave: MockConfigEntry,  # noqa: F811
    fake: SchedulingLock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A lock whose clock went wrong refuses the window: the program point, as before."""
    entry = await async_add_lock(hass, LOCK)
    coordinator = entry.runtime_data.coordinator
    for _ in range(60):  # the pool goes on
        await advance(hass, freezer, 1)
    assert coordinator.windows.usable
    fake.clock_offset = timedelta(
        hours=-3
    )  # its battery ran low; it keeps a wrong time
    fake.accepts_time = False
    response = await create_grant(hass, timedelta(hours=20), lock=LOCK)
    for _ in range(10):
        await advance(hass, freezer, 1)
    assert "the scheduled code goes on at the program point instead" in caplog.text
    assert not coordinator.windows.usable
    assert coordinator.windows.capability.reason == "clock_wrong"
    assert not coordinator.engine.keeps_windows
    assert fake.schedules == {}
    [grant] = [
        g
        for g in coordinator.storage.state.grants.values()
        if g.grant_id == response["access_grant_id"]
    ]
    gl = grant.locks[entry.entry_id]
    assert gl.slot is None  # nothing on the lock before the program point
    await advance_to(hass, freezer, grant.program_at(coordinator.engine.timing))
    for _ in range(10):
        await advance(hass, freezer, 1)
    assert gl.slot in fake.codes  # today's rule: on at the program point, no schedule
    assert fake.schedules == {}
