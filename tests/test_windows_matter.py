"""Lock-kept windows on Matter: year-day schedules through the real Matter integration.

The Matter integration of Home Assistant is real (its actions add the PIN credential for a
year-day schedule user); the schedule and the clock go through its Matter server client,
replaced as in ``test_provider_matter``. The simulated lock keeps year-day schedules per
user and a Time Synchronization clock, and opens (``opens``) as the Door Lock cluster
says: a year-day schedule user's PIN only within one of its schedules, in local time.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import logging
from typing import Any
from unittest.mock import AsyncMock, MagicMock

from chip.clusters import Objects as clusters  # noqa: N813
from chip.clusters.Types import NullValue
from freezegun.api import FrozenDateTimeFactory
from matter_server.common.errors import NodeNotResolving, UnknownError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.backup_access_codes.providers import ProviderError
from custom_components.backup_access_codes.providers.matter import MatterProvider
from custom_components.backup_access_codes.providers.matter_schedule import (
    local_epoch_seconds,
    local_offset,
    to_matter_epoch_us,
)
from custom_components.backup_access_codes.providers.windows import (
    ClockStatus,
    Window,
    WindowRefusedError,
    WindowSupport,
    windowed,
)
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .test_provider_matter import (  # fixtures are used by name
    DL,
    FEATURE_PIN_USR,
    LOCK,
    FakeDoorLock,
    matter,  # noqa: F401
    matter_client,  # noqa: F401
    provider,  # noqa: F401
)

TS = clusters.TimeSynchronization
YEAR_DAY_USER = DL.Enums.UserTypeEnum.kYearDayScheduleUser
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
WINDOW = Window(
    datetime(2026, 12, 5, 14, 0, tzinfo=UTC), datetime(2026, 12, 8, 11, 0, tzinfo=UTC)
)
NOT_FOUND = 0x8B
FEATURE_YEAR_DAY = int(DL.Bitmaps.Feature.kYearDayAccessSchedules)


@dataclass
class ScheduleDoorLock(FakeDoorLock):
    """A Matter lock with year-day schedules per user and a Time Synchronization clock."""

    year_days_per_user: int = 1
    has_time_sync: bool = True
    # The lock's time minus the real time; None while the lock has no time.
    clock_offset: timedelta | None = timedelta(seconds=3)
    accepts_time: bool = True
    time_zone: list[dict[str, Any]] = field(default_factory=list)  # as the server sends
    dst_offsets: list[dict[str, Any]] = field(default_factory=list)
    keeps_schedules: bool = True  # False: takes SetYearDaySchedule, stores nothing
    user_types: dict[int, int] = field(default_factory=dict)
    schedules: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    schedule_error: Exception | None = None

    def __post_init__(self) -> None:
        """Describe the features and clusters the node shows."""
        self.feature_map = FEATURE_PIN_USR | FEATURE_YEAR_DAY
        self.door_lock_attributes = {21: self.year_days_per_user}
        if self.has_time_sync:
            self.extra_attributes = {
                "0/29/1": [29, 40, 56],
                "0/56/0": None,
                "0/56/1": 0,
                "0/56/65532": 1,  # TimeZone feature
                "0/56/65533": 2,
            }

    def lock_now(self) -> datetime | None:
        """The lock's time."""
        offset = self.clock_offset
        return None if offset is None else dt_util.utcnow() + offset

    async def read_attribute(self, node_id: int, paths: list[str]) -> dict[str, Any]:
        """Answer a fresh attribute read of the Time Synchronization cluster."""
        self.commands.append(("read", tuple(paths)))
        if self.fail_with is not None:
            raise self.fail_with
        now = self.lock_now()
        values = {
            "0/56/0": None if now is None else to_matter_epoch_us(now),
            "0/56/1": 0 if now is None else 2,
            "0/56/5": self.time_zone,
            "0/56/6": self.dst_offsets,
        }
        return {path: values[path] for path in paths}

    def _answer(self, command: Any) -> Any:
        if isinstance(command, TS.Commands.SetUTCTime):
            if not self.accepts_time:
                raise UnknownError("TimeNotAccepted")
            self.clock_offset = (
                datetime(2000, 1, 1, tzinfo=UTC)
                + timedelta(microseconds=command.UTCTime)
                - dt_util.utcnow()
            )
            return None
        if isinstance(command, DL.Commands.SetYearDaySchedule):
            if self.schedule_error is not None:
                raise self.schedule_error
            user = command.userIndex
            if not 1 <= command.yearDayIndex <= self.year_days_per_user or (
                user not in self.users
            ):
                raise UnknownError("INVALID_COMMAND")
            if self.keeps_schedules:
                self.schedules[user, command.yearDayIndex] = (
                    command.localStartTime,
                    command.localEndTime,
                )
            return None
        if isinstance(command, DL.Commands.GetYearDaySchedule):
            held = self.schedules.get((command.userIndex, command.yearDayIndex))
            return {
                "yearDayIndex": command.yearDayIndex,
                "userIndex": command.userIndex,
                "status": 0 if held else NOT_FOUND,
                "localStartTime": held[0] if held else None,
                "localEndTime": held[1] if held else None,
            }
        users_before = set(self.users)
        answer = super()._answer(command)
        if isinstance(command, DL.Commands.SetCredential):
            for user in self.users - users_before:
                kind = command.userType
                self.user_types[user] = (
                    DL.Enums.UserTypeEnum.kUnrestrictedUser
                    if kind is None or kind is NullValue
                    else kind
                )
        for user in users_before - self.users:  # a user goes with its schedules
            self.user_types.pop(user, None)
            for key in [k for k in self.schedules if k[0] == user]:
                del self.schedules[key]
        return answer

    def opens(self, pin: str, at: datetime) -> bool:
        """Whether the keypad takes ``pin`` at ``at`` (the Door Lock cluster's rule)."""
        for held, user in self.pins.values():
            if held != pin.encode():
                continue
            if self.user_types.get(user) != YEAR_DAY_USER:
                return True
            local = local_epoch_seconds(at, self.time_zone, self.dst_offsets)
            return any(
                start <= local <= end
                for (owner, _), (start, end) in self.schedules.items()
                if owner == user
            )
        return False

    def sent(self) -> list[tuple[str, Any]]:
        """The commands and reads so far, by name."""
        return [
            (c[0], c[1]) if isinstance(c, tuple) else (type(c).__name__, None)
            for c in self.commands
        ]


@pytest.fixture
def door_lock() -> ScheduleDoorLock:
    """The simulated lock, with schedules and a clock."""
    return ScheduleDoorLock()


@pytest.fixture(autouse=True)
def reads(matter_client: MagicMock, door_lock: ScheduleDoorLock) -> None:  # noqa: F811
    """Fresh attribute reads reach the lock."""
    matter_client.read_attribute = AsyncMock(side_effect=door_lock.read_attribute)


@pytest.fixture(autouse=True)
def now(freezer: FrozenDateTimeFactory) -> None:
    """Home Assistant's clock."""
    freezer.move_to(NOW)


def test_local_time() -> None:
    """The lock's own time zone and DST lists make its local time."""
    at = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert local_offset(None, None, at) == timedelta(0)
    zones = [
        {"0": 3600, "1": 0, "2": "Europe/Berlin"},
        {"0": 7200, "1": to_matter_epoch_us(at + timedelta(days=1))},  # later
    ]
    dst = [
        {"0": 3600, "1": to_matter_epoch_us(at - timedelta(days=90)), "2": None},
    ]
    assert local_offset(zones, dst, at) == timedelta(hours=2)
    assert local_offset(zones, dst, at + timedelta(days=2)) == timedelta(hours=3)
    ended = [{"0": 3600, "1": 0, "2": to_matter_epoch_us(at)}]
    assert local_offset(zones, ended, at) == timedelta(hours=1)
    # Matter epoch seconds count from 2000-01-01, here with the local offset.
    assert local_epoch_seconds(datetime(2000, 1, 1, tzinfo=UTC), zones, None) == 3600


async def test_capability(
    hass: HomeAssistant,
    provider: MatterProvider,  # noqa: F811
    door_lock: ScheduleDoorLock,
) -> None:
    """Year-day schedules from the feature map; the clock checked, and set when unset."""
    assert windowed(provider) is provider
    capability = await provider.async_window_capability()
    assert capability.support is WindowSupport.SUPPORTED
    assert capability.clock is ClockStatus.OK
    assert capability.usable
    assert capability.schedules_per_user == 1

    door_lock.clock_offset = None  # a lock whose battery was changed: no time
    capability = await provider.async_window_capability()
    assert capability.clock is ClockStatus.SET
    assert capability.usable
    lock_now = door_lock.lock_now()
    assert lock_now is not None
    assert abs(lock_now - dt_util.utcnow()) < timedelta(seconds=1)

    door_lock.clock_offset = timedelta(minutes=-10)  # wrong, and keeps its own time
    door_lock.accepts_time = False
    capability = await provider.async_window_capability()
    assert capability.clock is ClockStatus.WRONG
    assert not capability.usable
    assert capability.reason == "clock_wrong"

    door_lock.fail_with = NodeNotResolving("Node 1 did not respond")
    capability = await provider.async_window_capability()
    assert capability.support is WindowSupport.UNKNOWN


@pytest.mark.parametrize(
    ("lock", "support", "clock", "reason"),
    [
        (
            FakeDoorLock(),
            WindowSupport.NOT_SUPPORTED,
            ClockStatus.UNKNOWN,
            "no_year_day_schedules",
        ),
        (
            ScheduleDoorLock(year_days_per_user=0),
            WindowSupport.NOT_SUPPORTED,
            ClockStatus.UNKNOWN,
            "no_year_day_schedules",
        ),
        # A lock without Time Synchronization cannot show its clock: not trusted.
        (
            ScheduleDoorLock(has_time_sync=False),
            WindowSupport.SUPPORTED,
            ClockStatus.UNKNOWN,
            "clock_unknown",
        ),
    ],
)
async def test_capability_of_other_locks(
    hass: HomeAssistant,
    matter: MockConfigEntry,  # noqa: F811
    matter_client: MagicMock,  # noqa: F811
    door_lock: ScheduleDoorLock,
    lock: FakeDoorLock,
    support: WindowSupport,
    clock: ClockStatus,
    reason: str,
) -> None:
    """Locks without year-day schedules, or without a clock to check."""
    node = matter_client.get_node.return_value
    node.endpoints[1].set_attribute_value("1/257/65532", lock.feature_map)
    node.endpoints[1].set_attribute_value(
        "1/257/21", lock.door_lock_attributes.get(21, 0)
    )
    if not getattr(lock, "has_time_sync", True):
        node.endpoints[0].clusters.pop(56, None)
    other = MatterProvider(hass, LOCK, {"lock_entity_id": LOCK})
    # Before the Matter integration is loaded, nothing can be told.
    capability = await MatterProvider(hass, "lock.other", {}).async_window_capability()
    assert capability.support is WindowSupport.UNKNOWN
    capability = await other.async_window_capability()
    assert (capability.support, capability.clock, capability.reason) == (
        support,
        clock,
        reason,
    )
    assert not capability.usable
    if support is WindowSupport.NOT_SUPPORTED:
        with pytest.raises(WindowRefusedError) as err:
            await other.async_set_windowed_code(25, "482917", WINDOW)
        assert err.value.reason == reason


async def test_windowed_code(
    provider: MatterProvider,  # noqa: F811
    door_lock: ScheduleDoorLock,
) -> None:
    """The PIN goes on days ahead; the lock itself refuses it outside its window."""
    assert await provider.async_set_windowed_code(25, "482917", WINDOW) is False
    user = door_lock.pins[25][1]
    assert door_lock.user_types[user] == YEAR_DAY_USER
    assert door_lock.schedules == {
        (user, 1): (
            local_epoch_seconds(WINDOW.starts_at, None, None),
            local_epoch_seconds(WINDOW.ends_at, None, None),
        )
    }
    minute = timedelta(minutes=1)
    assert not door_lock.opens("482917", dt_util.utcnow())  # days before check-in
    assert not door_lock.opens("482917", WINDOW.starts_at - minute)
    assert door_lock.opens("482917", WINDOW.starts_at)
    assert door_lock.opens("482917", WINDOW.ends_at - minute)
    assert not door_lock.opens("482917", WINDOW.ends_at + minute)

    # Moved: the PIN is written again with the new window (Matter never reads PINs).
    moved = Window(WINDOW.starts_at + timedelta(days=1), WINDOW.ends_at)
    await provider.async_set_windowed_code(25, "482917", moved)
    assert not door_lock.opens("482917", WINDOW.starts_at)
    assert door_lock.opens("482917", moved.starts_at)
    assert len(door_lock.schedules) == 1

    # Cleared at check-out: the user goes, and its schedule with it. A pool code put
    # into that slot later is an unrestricted user again.
    assert await provider.async_clear_code(25) is True
    assert door_lock.schedules == {}
    assert await provider.async_set_code(25, "735102") is False
    assert door_lock.opens("735102", WINDOW.ends_at + timedelta(days=30))


async def test_local_time_zone_and_rounding(
    provider: MatterProvider,  # noqa: F811
    door_lock: ScheduleDoorLock,
) -> None:
    """A lock with a time zone counts its schedules in local time; seconds only."""
    door_lock.time_zone = [{"0": -18000, "1": 0, "2": "America/New_York"}]
    window = Window(
        WINDOW.starts_at - timedelta(microseconds=1),
        WINDOW.ends_at + timedelta(microseconds=999_999),
    )
    await provider.async_set_windowed_code(25, "482917", window)
    user = door_lock.pins[25][1]
    start, end = door_lock.schedules[user, 1]
    # Rounded to whole seconds, inwards: never wider than asked.
    assert start == local_epoch_seconds(WINDOW.starts_at, door_lock.time_zone, None)
    assert end == local_epoch_seconds(WINDOW.ends_at, door_lock.time_zone, None)
    assert start == local_epoch_seconds(WINDOW.starts_at, None, None) - 5 * 3600
    assert not door_lock.opens("482917", WINDOW.starts_at - timedelta(seconds=1))
    assert door_lock.opens("482917", WINDOW.starts_at)
    with pytest.raises(WindowRefusedError) as err:
        await provider.async_set_windowed_code(
            25,
            "482917",
            Window(NOW + timedelta(microseconds=1), NOW + timedelta(microseconds=2)),
        )
    assert err.value.reason == "window_too_short"


async def test_untrusted_clock_gets_no_window(
    provider: MatterProvider,  # noqa: F811
    door_lock: ScheduleDoorLock,
) -> None:
    """A lock whose clock stays unset is not trusted: nothing goes onto it."""
    door_lock.clock_offset = None
    door_lock.accepts_time = False
    with pytest.raises(WindowRefusedError) as err:
        await provider.async_set_windowed_code(25, "482917", WINDOW)
    assert err.value.reason == "clock_unset"
    assert not err.value.permanent
    assert door_lock.pins == {}
    assert ("SetCredential", None) not in door_lock.sent()


@pytest.mark.parametrize(
    "failure",
    ["not kept", "refused", "unreachable"],
)
async def test_failed_window_takes_the_pin_back(
    provider: MatterProvider,  # noqa: F811
    door_lock: ScheduleDoorLock,
    caplog: pytest.LogCaptureFixture,
    failure: str,
) -> None:
    """A PIN whose window did not stick must not stay on the lock."""
    caplog.set_level(logging.DEBUG)
    if failure == "not kept":
        door_lock.keeps_schedules = False
    elif failure == "refused":
        door_lock.schedule_error = UnknownError("INVALID_COMMAND")
    else:
        door_lock.schedule_error = NodeNotResolving("Node 1 did not respond")
    with pytest.raises(ProviderError) as err:
        await provider.async_set_windowed_code(25, "482917", WINDOW)
    assert not isinstance(err.value, WindowRefusedError)
    assert not err.value.permanent
    assert door_lock.pins == {}
    assert door_lock.schedules == {}
    assert "482917" not in caplog.text
