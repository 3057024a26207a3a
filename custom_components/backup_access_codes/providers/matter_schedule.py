"""Lock-kept windows on Matter locks: Door Lock year-day schedules and the lock's clock.

Home Assistant's Matter actions program PIN credentials but offer no schedules, so the
schedule part talks to the lock through the Matter integration's own server client (the
one its lock entity uses), on the node behind the lock entity's device:

- Capability: the Door Lock cluster's feature map must have User, PIN Credential and
  Year Day Access Schedules, and ``NumberOfYearDaySchedulesSupportedPerUser`` must be at
  least 1.
- The window: ``SetYearDaySchedule`` (index 1) on the credential's user, which the PIN
  was added for as a ``YearDayScheduleUser``: the lock refuses that user's PIN outside
  its schedules. It is read back with ``GetYearDaySchedule``. Clearing the credential
  removes its user, and with it the user's schedules (Door Lock cluster rules).
- The clock: the root endpoint's Time Synchronization cluster. ``UTCTime`` (read fresh,
  it is not reported by subscriptions) must be within ``CLOCK_TOLERANCE``; a lock whose
  time is unset or wrong is sent ``SetUTCTime`` and read again. A lock without the
  cluster cannot show its clock and gets no windows.
- Local time: a year-day schedule is in the lock's local time (Matter epoch seconds with
  the lock's time zone and DST offsets for that moment), taken from the lock's own
  ``TimeZone`` and ``DSTOffset`` lists; a lock without the time-zone feature counts in UTC.

The Matter server's libraries are imported only when used: they come with the Matter
integration, not with this one.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util

from .base import ProviderError, call_stack, describe_error
from .windows import (
    ClockStatus,
    Window,
    WindowCapability,
    WindowRefusedError,
    async_check_clock,
    not_supported,
    supported,
    unknown,
)

if TYPE_CHECKING:
    from matter_server.client import MatterClient
    from matter_server.client.models.node import MatterEndpoint, MatterNode

_LOGGER = logging.getLogger(__name__)

MATTER_DOMAIN = "matter"
MATTER_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
YEAR_DAY_INDEX = 1  # the one year-day schedule each of our users gets
STATUS_SUCCESS = 0

# Time Synchronization cluster (0x38) on the root endpoint, and its attributes.
ROOT_ENDPOINT = 0
TIME_SYNC = 0x38
UTC_TIME = 0
GRANULARITY = 1
TIME_ZONE = 5
DST_OFFSET = 6
NO_TIME_GRANULARITY = 0
SECONDS_GRANULARITY = 2

# Door Lock feature map bits (chip.clusters DoorLock.Bitmaps.Feature).
FEATURE_PIN_CREDENTIAL = 0x1
FEATURE_USER = 0x100
FEATURE_YEAR_DAY_SCHEDULES = 0x400
NEEDED_FEATURES = FEATURE_PIN_CREDENTIAL | FEATURE_USER | FEATURE_YEAR_DAY_SCHEDULES


def to_matter_epoch_us(moment: datetime) -> int:
    """Return a moment as Matter epoch microseconds (since 2000-01-01 UTC)."""
    return (moment - MATTER_EPOCH) // timedelta(microseconds=1)


def from_matter_epoch_us(value: int) -> datetime:
    """Return the moment of Matter epoch microseconds."""
    return MATTER_EPOCH + timedelta(microseconds=value)


def field(struct: Any, tag: int, name: str) -> Any:
    """Read a struct field as the Matter server sends it (by tag) or as an object."""
    if isinstance(struct, Mapping):
        return struct.get(str(tag), struct.get(name))
    return getattr(struct, name, None)


def value(result: Any, name: str) -> Any:
    """Read a command response's field (a dict from the server, or an object)."""
    from chip.clusters.Types import NullValue

    raw = (
        result.get(name) if isinstance(result, Mapping) else getattr(result, name, None)
    )
    return None if raw is NullValue else raw  # chip's null is a truthy singleton


def local_offset(
    time_zones: Sequence[Any] | None, dst_offsets: Sequence[Any] | None, at: datetime
) -> timedelta:
    """Return the lock's local-time offset at ``at`` from its TimeZone and DSTOffset lists.

    TimeZone entries are (offset s, validAt µs): the latest one valid at ``at`` counts.
    DSTOffset entries are (offset s, validStarting µs, validUntil µs or null).
    """
    at_us = to_matter_epoch_us(at)
    zone = 0
    valid_at = -1
    for entry in time_zones or ():
        since = field(entry, 1, "validAt") or 0
        if valid_at < since <= at_us:
            zone, valid_at = int(field(entry, 0, "offset") or 0), since
    dst = 0
    for entry in dst_offsets or ():
        start = field(entry, 1, "validStarting") or 0
        until = field(entry, 2, "validUntil")
        if start <= at_us and (until is None or at_us < until):
            dst = int(field(entry, 0, "offset") or 0)
    return timedelta(seconds=zone + dst)


def local_epoch_seconds(
    moment: datetime,
    time_zones: Sequence[Any] | None,
    dst_offsets: Sequence[Any] | None,
) -> int:
    """Return ``moment`` as the lock's local Matter epoch seconds (year-day schedules)."""
    local = moment + local_offset(time_zones, dst_offsets, moment)
    return (local - MATTER_EPOCH) // timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class MatterLock:
    """The Matter server client, the lock's node and its Door Lock endpoint."""

    client: MatterClient
    node: MatterNode
    endpoint: MatterEndpoint


@dataclass(frozen=True, slots=True)
class LockClock:
    """The lock's time and time zone, read fresh from its Time Synchronization cluster."""

    now: datetime | None  # None while the lock has no time
    time_zones: Sequence[Any] | None
    dst_offsets: Sequence[Any] | None


class MatterSchedules:
    """Year-day schedules and the clock of one Matter lock."""

    def __init__(self, hass: HomeAssistant, lock_entity_id: str) -> None:
        """Remember the lock entity; its node is looked up on every use."""
        self.hass = hass
        self.lock_entity_id = lock_entity_id

    # ----- the node

    def find(self) -> MatterLock | None:
        """Return the lock's Matter node and client, or None while Matter cannot tell."""
        if MATTER_DOMAIN not in self.hass.config.components:
            return None
        # Not exported by the component's root; imported late, like its libraries.
        from chip.clusters import Objects as clusters  # noqa: N813

        from homeassistant.components.matter.helpers import (
            get_matter,
            get_node_from_device_entry,
        )

        entry = er.async_get(self.hass).async_get(self.lock_entity_id)
        device = (
            dr.async_get(self.hass).async_get(entry.device_id)
            if entry is not None and entry.device_id is not None
            else None
        )
        if device is None:
            return None
        try:
            node = get_node_from_device_entry(self.hass, device)
            client = get_matter(self.hass).matter_client
        except IndexError, RuntimeError:
            return None  # Matter is unloading, or its server has not answered yet
        if node is None:
            return None
        endpoint = next(
            (ep for ep in node.endpoints.values() if ep.has_cluster(clusters.DoorLock)),
            None,
        )
        return None if endpoint is None else MatterLock(client, node, endpoint)

    def require(self) -> MatterLock:
        """Return the lock's node, or fail the write transiently."""
        if (lock := self.find()) is None:
            raise ProviderError(f"{self.lock_entity_id}: no Matter node (not loaded)")
        if not lock.node.available:
            raise ProviderError(
                f"{self.lock_entity_id}: the Matter node is unavailable"
            )
        return lock

    @staticmethod
    def schedules_per_user(lock: MatterLock) -> int:
        """Return the year-day schedules the lock keeps per user (0: none)."""
        from chip.clusters import Objects as clusters  # noqa: N813

        attributes = clusters.DoorLock.Attributes
        features = lock.endpoint.get_attribute_value(None, attributes.FeatureMap) or 0
        if features & NEEDED_FEATURES != NEEDED_FEATURES:
            return 0
        count = lock.endpoint.get_attribute_value(
            None, attributes.NumberOfYearDaySchedulesSupportedPerUser
        )
        return count if isinstance(count, int) else 0

    # ----- capability

    async def async_capability(self) -> WindowCapability:
        """Find out from the node whether the lock can keep windows, checking its clock."""
        if (lock := self.find()) is None:
            return unknown("not_loaded")
        if not lock.node.available:
            return unknown("unreachable")
        if (per_user := self.schedules_per_user(lock)) < 1:
            return not_supported("no_year_day_schedules")
        try:
            clock, _ = await self.async_clock(lock)
        except ProviderError as err:
            _LOGGER.debug("Cannot read the clock of %s: %s", self.lock_entity_id, err)
            return unknown("unreachable")
        return supported(clock, per_user)

    # ----- the clock

    async def async_clock(self, lock: MatterLock) -> tuple[ClockStatus, LockClock]:
        """Check the lock's clock, set it when it is unset or wrong; return what it is."""
        if not lock.node.has_cluster(TIME_SYNC, endpoint=ROOT_ENDPOINT):
            return ClockStatus.UNKNOWN, LockClock(None, None, None)
        last = LockClock(None, None, None)

        async def read() -> datetime | None:
            nonlocal last
            last = await self._read_clock(lock)
            return last.now

        status = await async_check_clock(
            read, lambda now: self._set_clock(lock, now), dt_util.utcnow
        )
        return status, last

    async def _read_clock(self, lock: MatterLock) -> LockClock:
        paths = [
            f"{ROOT_ENDPOINT}/{TIME_SYNC}/{attribute}"
            for attribute in (UTC_TIME, GRANULARITY, TIME_ZONE, DST_OFFSET)
        ]
        values = await self._send(
            "read the clock", lock.client.read_attribute(lock.node.node_id, paths)
        )

        def attribute(attribute_id: int) -> Any:
            return values.get(f"{ROOT_ENDPOINT}/{TIME_SYNC}/{attribute_id}")

        utc, granularity = attribute(UTC_TIME), attribute(GRANULARITY)
        now = (
            from_matter_epoch_us(utc)
            if isinstance(utc, int) and granularity != NO_TIME_GRANULARITY
            else None
        )
        return LockClock(now, attribute(TIME_ZONE), attribute(DST_OFFSET))

    async def _set_clock(self, lock: MatterLock, now: datetime) -> None:
        from chip.clusters import Objects as clusters  # noqa: N813

        time_sync = clusters.TimeSynchronization

        async def set_utc_time() -> None:
            try:
                await lock.client.send_device_command(
                    node_id=lock.node.node_id,
                    endpoint_id=ROOT_ENDPOINT,
                    command=time_sync.Commands.SetUTCTime(
                        UTCTime=to_matter_epoch_us(now),
                        granularity=time_sync.Enums.GranularityEnum(
                            SECONDS_GRANULARITY
                        ),
                    ),
                )
            except Exception as err:  # noqa: BLE001 - refused; a timeout still fails
                # A lock that refuses the time (TimeNotAccepted) keeps a clock it does
                # not trust us to set: windows stay off, nothing else is wrong.
                _LOGGER.debug(
                    "%s refused to set the clock: %s",
                    self.lock_entity_id,
                    describe_error(err),
                )

        _LOGGER.info("Setting the clock of %s", self.lock_entity_id)
        await self._send("set the clock", set_utc_time())

    # ----- schedules

    async def async_set(
        self, lock: MatterLock, user_index: object, window: Window, clock: LockClock
    ) -> None:
        """Give the user its window (year-day schedule 1) and read it back."""
        from chip.clusters import Objects as clusters  # noqa: N813

        if not isinstance(user_index, int):
            raise ProviderError(f"{self.lock_entity_id} names no user for the PIN")
        commands = clusters.DoorLock.Commands
        start = local_epoch_seconds(
            window.starts_at, clock.time_zones, clock.dst_offsets
        )
        end = local_epoch_seconds(window.ends_at, clock.time_zones, clock.dst_offsets)
        await self._door_lock(
            lock,
            "set the schedule",
            commands.SetYearDaySchedule(
                yearDayIndex=YEAR_DAY_INDEX,
                userIndex=user_index,
                localStartTime=start,
                localEndTime=end,
            ),
        )
        answer = await self._door_lock(
            lock,
            "read the schedule back",
            commands.GetYearDaySchedule(
                yearDayIndex=YEAR_DAY_INDEX, userIndex=user_index
            ),
        )
        if value(answer, "status") != STATUS_SUCCESS or (
            value(answer, "localStartTime"),
            value(answer, "localEndTime"),
        ) != (start, end):
            raise ProviderError(
                f"{self.lock_entity_id} did not keep the window of user {user_index}"
            )

    async def _door_lock(self, lock: MatterLock, what: str, command: Any) -> Any:
        return await self._send(
            what,
            lock.client.send_device_command(
                node_id=lock.node.node_id,
                endpoint_id=lock.endpoint.endpoint_id,
                command=command,
            ),
        )

    async def _send(self, what: str, call: Any) -> Any:
        """Await a Matter server call; every failure becomes a transient ProviderError."""
        return await call_stack(
            self.hass, call, f"{self.lock_entity_id}: could not {what}"
        )


def refuse_unless_schedules(lock: MatterLock, lock_entity_id: str) -> None:
    """Raise ``WindowRefusedError`` for a lock without year-day schedules."""
    if MatterSchedules.schedules_per_user(lock) < 1:
        raise WindowRefusedError(
            f"{lock_entity_id} has no year-day schedules", "no_year_day_schedules"
        )
