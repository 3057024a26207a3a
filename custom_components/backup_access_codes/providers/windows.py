"""Codes the lock keeps on time itself: a code stored with its own time window.

Some stacks can store a code together with the time it may open the door: Z-Wave's
Schedule Entry Lock CC (a year-day schedule per user), Matter's Door Lock cluster
(year-day schedules per user), Schlage's cloud (temporary access codes) and, for any
other lock, a third script the host writes. On such a lock a guest's code can go onto
the lock days ahead, while the lock is online: the lock itself refuses it before its
window and after it.

A window is only as good as the lock's clock. Every provider checks the clock before a
windowed write (and sets it where the stack allows); a lock whose clock stays unset or
wrong gets no window (``WindowRefusedError``), and its grants fall back to the program point.

A provider offers windows by having the two methods of ``WindowedProvider``; whether a
given lock can keep them is what ``async_window_capability`` finds out from the lock.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol, runtime_checkable

from .base import ProviderError

# The most a lock's clock may be off before its windows are not trusted: a lock that runs
# fast lets a guest in that much before the program point.
CLOCK_TOLERANCE = timedelta(minutes=2)


class ClockStatus(StrEnum):
    """What is known about a lock's clock."""

    OK = "ok"  # read back within the tolerance
    SET = "set"  # was unset or wrong; set now and read back right
    UNSET = "unset"  # the lock has no time (and would not take one)
    WRONG = "wrong"  # off by more than the tolerance (and would not take the time)
    UNKNOWN = "unknown"  # the lock cannot report its clock: not trusted
    CLOUD = "cloud"  # the vendor's cloud keeps the lock's clock (Schlage)
    HOST = "host"  # the host's own script is responsible (script provider)

    @property
    def trusted(self) -> bool:
        """Return True when windows may rely on this clock."""
        return self in _TRUSTED


_TRUSTED = frozenset(
    {ClockStatus.OK, ClockStatus.SET, ClockStatus.CLOUD, ClockStatus.HOST}
)


class WindowSupport(StrEnum):
    """Whether a lock can store a code with its own window."""

    SUPPORTED = "supported"
    NOT_SUPPORTED = "not_supported"  # the stack or this lock cannot
    UNKNOWN = "unknown"  # cannot tell now (integration not loaded, lock unreachable)


@dataclass(frozen=True, slots=True)
class WindowCapability:
    """What a lock can do with windows, as found out from the lock.

    ``reason`` is a short word for diagnostics when windows are not usable (for example
    ``no_schedule_support``, ``no_year_day_slots``, ``clock_unset``).
    """

    support: WindowSupport
    clock: ClockStatus = ClockStatus.UNKNOWN
    reason: str | None = None
    # Year-day schedules the lock keeps per user (Z-Wave, Matter), where the stack says.
    schedules_per_user: int | None = None

    @property
    def usable(self) -> bool:
        """Return True when codes may go onto this lock with a window now."""
        return self.support is WindowSupport.SUPPORTED and self.clock.trusted

    def as_dict(self) -> dict[str, object]:
        """Describe the capability for diagnostics (no codes involved)."""
        return {
            "support": self.support.value,
            "clock": self.clock.value,
            "usable": self.usable,
            "reason": self.reason,
            "schedules_per_user": self.schedules_per_user,
        }


def not_supported(reason: str) -> WindowCapability:
    """A lock that cannot keep windows, and why."""
    return WindowCapability(WindowSupport.NOT_SUPPORTED, reason=reason)


def unknown(reason: str) -> WindowCapability:
    """A lock whose window support cannot be told now, and why."""
    return WindowCapability(WindowSupport.UNKNOWN, reason=reason)


def supported(
    clock: ClockStatus, schedules_per_user: int | None = None
) -> WindowCapability:
    """A lock that can keep windows; usable when its clock is trusted."""
    return WindowCapability(
        WindowSupport.SUPPORTED,
        clock=clock,
        reason=None if clock.trusted else f"clock_{clock.value}",
        schedules_per_user=schedules_per_user,
    )


class WindowRefusedError(ProviderError):
    """The lock cannot be trusted with this window now (its clock, its support).

    Nothing of the write reached the lock, or what did was taken back: the grant falls
    back to today's rules (its code goes on at the program point, a backup if that fails).
    """

    def __init__(self, message: str, reason: str) -> None:
        """Say why (``reason``: a short word, as in ``WindowCapability.reason``)."""
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Window:
    """When a code may open the door: from ``starts_at`` until ``ends_at`` (aware)."""

    starts_at: datetime
    ends_at: datetime

    def __post_init__(self) -> None:
        """Refuse naive times and empty windows."""
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("a window needs aware datetimes")
        if self.ends_at <= self.starts_at:
            raise ValueError("a window must end after it starts")

    def within(self, step: timedelta) -> Window:
        """Return the window on a lock that counts in ``step``: never wider than this one.

        The start is rounded up and the end down (a code must not work before its
        window); a window narrower than one step cannot be kept.
        """
        start = _ceil(self.starts_at, step)
        end = _floor(self.ends_at, step)
        if end <= start:
            raise WindowRefusedError(
                f"a window of {self.ends_at - self.starts_at} is shorter than the lock's"
                f" resolution of {step}",
                "window_too_short",
            )
        return Window(start, end)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _floor(moment: datetime, step: timedelta) -> datetime:
    return moment - (moment - _EPOCH) % step


def _ceil(moment: datetime, step: timedelta) -> datetime:
    floor = _floor(moment, step)
    return floor if floor == moment else floor + step


def clock_status(lock_now: datetime | None, now: datetime) -> ClockStatus:
    """Compare the time a lock reports with Home Assistant's."""
    if lock_now is None:
        return ClockStatus.UNSET
    if abs(lock_now - now) > CLOCK_TOLERANCE:
        return ClockStatus.WRONG
    return ClockStatus.OK


async def async_check_clock(
    read: Callable[[], Awaitable[datetime | None]],
    set_time: Callable[[datetime], Awaitable[None]],
    now: Callable[[], datetime],
) -> ClockStatus:
    """Read a lock's clock; if it is unset or wrong, set it once and read it again.

    ``read`` answers the lock's time (None when it has none); ``set_time`` sets it. A
    failure of either propagates (the caller words it).
    """
    status = clock_status(await read(), now())
    if status is ClockStatus.OK:
        return status
    await set_time(now())
    if clock_status(await read(), now()) is ClockStatus.OK:
        return ClockStatus.SET
    return status


def require_trusted(clock: ClockStatus, lock_entity_id: str) -> None:
    """Raise ``WindowRefusedError`` unless windows may rely on the lock's clock."""
    if not clock.trusted:
        raise WindowRefusedError(
            f"{lock_entity_id}: the lock's clock is {clock.value}, so it gets no window",
            f"clock_{clock.value}",
        )


@runtime_checkable
class WindowedProvider(Protocol):
    """A provider whose locks may keep a code's window themselves."""

    async def async_window_capability(self) -> WindowCapability:
        """Find out from the lock whether it can keep windows now."""

    async def async_set_windowed_code(
        self, slot: int, code: str, window: Window
    ) -> bool:
        """Put ``code`` into ``slot``, working only within ``window``.

        Return True when the code was read back and confirmed (as ``async_set_code``).
        Raise ``WindowRefusedError`` when the lock cannot be trusted with the window (nothing
        of it stays on the lock), ``ProviderError`` when the write failed. Clearing the
        slot (``async_clear_code``) removes the window with the code.
        """


def windowed(provider: object) -> WindowedProvider | None:
    """Return the provider as a ``WindowedProvider`` if it offers windows at all."""
    return provider if isinstance(provider, WindowedProvider) else None
