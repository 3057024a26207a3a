"""Lock-kept windows on Z-Wave JS locks: Schedule Entry Lock CC year-day schedules.

A Z-Wave lock with the Schedule Entry Lock CC (78) keeps schedules per user: a user with a
year-day schedule may open the door only between the schedule's start and stop. Our slot
N is user N (User Code CC), and its window is that user's year-day schedule slot 1.
Home Assistant's ``zwave_js.invoke_cc_api`` answers nothing, so the schedules go through
the node's CC API in the zwave_js_server library (the node Home Assistant's zwave_js
integration holds), as the clock does through the node's ``set/get_date_and_time``:

- Capability: CC 78 on a User Code CC lock, and ``getNumSlots`` reporting at least one
  year-day slot per user.
- The clock: ``getDateAndTime`` (Time Parameters CC, or Time CC) must be within
  ``CLOCK_TOLERANCE``; a lock whose time is unset or wrong is sent ``setDateAndTime``
  (zwave-js picks the command class and the lock's UTC or local convention) and read
  again. Schedule Entry Lock V2 and later also keep a time zone (``getTimezone``), which
  must be Home Assistant's, or is set with the time. A lock that cannot report a date
  gets no windows.
- Year-day schedules are in the lock's local time: zwave-js sets the lock's time zone
  from its host, which (the Z-Wave JS add-on, or a server next to Home Assistant) keeps
  Home Assistant's time zone; the schedule's fields are the window there, in minutes.
- A windowed write sets the schedule before the code (so the code never works without
  it), enables the user's schedules, writes the code as ``ZwaveJSProvider`` does, and
  reads the schedule back; a schedule that does not stick takes the code off again.
  Erasing a schedule makes its user's code work at any time, so a clear takes the code
  off first and erases the schedule after (and reads it back).
"""

from datetime import UTC, datetime, timedelta, tzinfo
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.util import dt as dt_util

from .base import ProviderError, call_stack
from .windows import (
    ClockStatus,
    Window,
    WindowCapability,
    WindowRefusedError,
    async_check_clock,
    not_supported,
    require_trusted,
    supported,
    unknown,
)
from .zwave_js import (
    NODE_STATUS_DEAD,
    USER_CODE_CC,
    USER_CREDENTIAL_CC,
    ZwaveJSProvider,
    detect,
)

if TYPE_CHECKING:
    from zwave_js_server.const import DateAndTime
    from zwave_js_server.model.node import Node

__all__ = ["ZwaveJSScheduleProvider", "detect"]

_LOGGER = logging.getLogger(__name__)

SCHEDULE_ENTRY_LOCK_CC = 0x4E  # 78
YEAR_DAY_SLOT = 1  # the one year-day schedule each of our users gets
TIME_ZONE_VERSION = 2  # Schedule Entry Lock V2 added the time offset
# zwave-js SupervisionStatus values of a command the lock did not carry out.
SUPERVISION_FAILED = frozenset({0, 2})  # NoSupport, Fail
RESOLUTION = timedelta(minutes=1)  # year-day schedules count in minutes

type Fields = dict[str, int]


def cc_version(node: Node, cc_id: int) -> int:
    """Return the version of a command class the node supports (0: not supported)."""
    return next((cc.version for cc in node.command_classes if cc.id == cc_id), 0)


def keeps_schedules(node: Node) -> bool:
    """Return True for a User Code CC lock with the Schedule Entry Lock CC."""
    return (
        cc_version(node, SCHEDULE_ENTRY_LOCK_CC) > 0
        and cc_version(node, USER_CODE_CC) > 0
        and cc_version(node, USER_CREDENTIAL_CC) == 0
    )


def year_day_fields(window: Window, zone: tzinfo) -> Fields:
    """Return a window as year-day schedule fields, in the lock's local time (minutes)."""
    start, stop = window.starts_at.astimezone(zone), window.ends_at.astimezone(zone)
    return {
        "startYear": start.year % 100,
        "startMonth": start.month,
        "startDay": start.day,
        "startHour": start.hour,
        "startMinute": start.minute,
        "stopYear": stop.year % 100,
        "stopMonth": stop.month,
        "stopDay": stop.day,
        "stopHour": stop.hour,
        "stopMinute": stop.minute,
    }


def lock_time(reading: DateAndTime, zone: tzinfo) -> datetime | None:
    """Return the moment a lock's date and time stand for, or None without a date.

    zwave-js answers Time Parameters in UTC (offsets 0) and Time CC in local time with
    the lock's offsets, which are Home Assistant's zone when the clock is right.
    """
    parts = (reading.year, reading.month, reading.day, reading.hour, reading.minute)
    if any(part is None for part in parts):
        return None
    year, month, day, hour, minute = (int(part or 0) for part in parts)
    try:
        naive = datetime(year, month, day, hour, minute, int(reading.second or 0))  # noqa: DTZ001
    except ValueError:
        return None  # a lock without a time may report nonsense
    if reading.standard_offset or reading.dst_offset:
        return naive.replace(tzinfo=zone)
    return naive.replace(tzinfo=UTC)


def expected_time_zone(zone: tzinfo, now: datetime) -> dict[str, int]:
    """Return Home Assistant's zone as zwave-js sets it: standard and DST offsets (min).

    As zwave-js's ``getDSTInfo``: the offsets now and in half a year; DST is the higher
    one, and a zone without DST has both the same.
    """

    def minutes(moment: datetime) -> int:
        offset = moment.astimezone(zone).utcoffset() or timedelta(0)
        return int(offset // timedelta(minutes=1))

    offsets = {minutes(now), minutes(now + timedelta(days=182))}
    return {"standardOffset": min(offsets), "dstOffset": max(offsets)}


class ZwaveJSScheduleProvider(ZwaveJSProvider):
    """The Z-Wave JS provider, with windows on locks that keep year-day schedules."""

    # ----- capability

    async def async_window_capability(self) -> WindowCapability:
        """Year-day slots from the lock, and its clock (checked, and set when wrong)."""
        node = self._node()
        if node is None:
            return unknown("not_loaded")
        if node.status == NODE_STATUS_DEAD:
            return unknown("unreachable")
        if not keeps_schedules(node):
            return not_supported("no_schedule_entry_lock")
        async with self._busy:
            try:
                if (slots := await self._year_day_slots(node)) < 1:
                    return not_supported("no_year_day_slots")
                clock = await self._check_clock(node)
            except ProviderError as err:
                _LOGGER.debug(
                    "Cannot ask %s about schedules: %s", self.lock_entity_id, err
                )
                return unknown("unreachable")
        return supported(clock, slots)

    # ----- writes

    async def async_set_windowed_code(
        self, slot: int, code: str, window: Window
    ) -> bool:
        """Give user ``slot`` its year-day schedule, then its code; read both back."""
        fields = year_day_fields(
            window.within(RESOLUTION), dt_util.get_default_time_zone()
        )
        async with self._busy:
            node = self._require_node()
            if not keeps_schedules(node):
                raise WindowRefusedError(
                    f"{self.lock_entity_id} keeps no schedules",
                    "no_schedule_entry_lock",
                )
            if await self._year_day_slots(node) < 1:
                raise WindowRefusedError(
                    f"{self.lock_entity_id} has no year-day slots", "no_year_day_slots"
                )
            require_trusted(await self._check_clock(node), self.lock_entity_id)
            await self._set_schedule(node, slot, fields)
            verified = await self._set_user_code(node, slot, code)
            try:
                await self._confirm_schedule(node, slot, fields)
            except ProviderError:
                await self._take_back(node, slot)
                raise
        return verified

    async def async_clear_code(self, slot: int) -> bool:
        """Clear the code, then erase its user's schedule (which alone would free it)."""
        verified = await super().async_clear_code(slot)
        async with self._busy:
            node = self._require_node()
            if keeps_schedules(node):
                await self._erase_schedule(node, slot)
        return verified

    # ----- schedules

    async def _year_day_slots(self, node: Node) -> int:
        answer = await self._cc_api(node, "getNumSlots")
        slots = answer.get("numYearDaySlots") if isinstance(answer, dict) else None
        return slots if isinstance(slots, int) else 0

    async def _set_schedule(self, node: Node, slot: int, fields: Fields) -> None:
        slot_id = {"userId": slot, "slotId": YEAR_DAY_SLOT}
        await self._cc_api(node, "setYearDaySchedule", slot_id, fields)
        await self._cc_api(node, "setEnabled", True, slot)

    async def _confirm_schedule(self, node: Node, slot: int, fields: Fields) -> None:
        """Read the schedule back after the code went on; set it once more if it is off."""
        if await self._schedule(node, slot) == fields:
            return
        # Some locks drop a schedule set before the user's code.
        await self._set_schedule(node, slot, fields)
        if await self._schedule(node, slot) != fields:
            raise ProviderError(
                f"{self.lock_entity_id} did not keep the window of user {slot}"
            )

    async def _schedule(self, node: Node, slot: int) -> Fields | None:
        answer = await self._cc_api(
            node, "getYearDaySchedule", {"userId": slot, "slotId": YEAR_DAY_SLOT}
        )
        return answer if isinstance(answer, dict) and answer else None

    async def _erase_schedule(self, node: Node, slot: int) -> None:
        await self._cc_api(
            node, "setYearDaySchedule", {"userId": slot, "slotId": YEAR_DAY_SLOT}
        )
        if await self._schedule(node, slot) is not None:
            raise ProviderError(
                f"{self.lock_entity_id} still holds a schedule for user {slot}"
            )

    async def _take_back(self, node: Node, slot: int) -> None:
        """Clear a code whose window failed; if that fails too, a later clear will."""
        try:
            await self._clear_user_code(node, slot)
        except ProviderError as err:
            _LOGGER.debug(
                "Could not take back slot %s of %s: %s", slot, self.lock_entity_id, err
            )

    # ----- the clock

    async def _check_clock(self, node: Node) -> ClockStatus:
        zone = dt_util.get_default_time_zone()

        async def read() -> datetime | None:
            reading = await self._send("read the clock", node.async_get_date_and_time())
            return lock_time(reading, zone)

        status = await async_check_clock(
            read, lambda now: self._set_clock(node, now), dt_util.utcnow
        )
        if (
            not status.trusted
            or cc_version(node, SCHEDULE_ENTRY_LOCK_CC) < TIME_ZONE_VERSION
        ):
            return status
        expected = expected_time_zone(zone, dt_util.utcnow())
        if await self._time_zone(node) == expected:
            return status
        await self._set_clock(node, dt_util.utcnow())  # sets the time zone as well
        if await self._time_zone(node) == expected:
            return ClockStatus.SET
        return ClockStatus.WRONG

    async def _time_zone(self, node: Node) -> dict[str, int] | None:
        answer = await self._cc_api(node, "getTimezone")
        return answer if isinstance(answer, dict) else None

    async def _set_clock(self, node: Node, now: datetime) -> None:
        _LOGGER.info("Setting the clock of %s", self.lock_entity_id)
        if not await self._send(
            "set the clock", node.async_set_date_and_time(now, wait_for_result=True)
        ):
            _LOGGER.debug("%s did not take the time", self.lock_entity_id)

    # ----- calling zwave-js

    async def _cc_api(self, node: Node, method: str, *args: Any) -> Any:
        """Call a Schedule Entry Lock CC API method on the node's root endpoint."""
        from zwave_js_server.const import CommandClass

        answer = await self._send(
            method,
            node.endpoints[0].async_invoke_cc_api(
                CommandClass.SCHEDULE_ENTRY_LOCK, method, *args, wait_for_result=True
            ),
        )
        if (
            method.startswith("set")
            and isinstance(answer, dict)
            and answer.get("status") in SUPERVISION_FAILED
        ):
            raise ProviderError(f"{self.lock_entity_id} refused {method} (supervision)")
        return answer

    async def _send(self, what: str, call: Any) -> Any:
        return await call_stack(
            self.hass, call, f"{self.lock_entity_id}: {what} failed"
        )
