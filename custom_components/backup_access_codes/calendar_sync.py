"""Access grants from a reservation calendar (for example a rental site's iCal feed)."""

from datetime import datetime, time, timedelta
import logging

from homeassistant.components.calendar import (
    DATA_COMPONENT as CALENDAR_COMPONENT,
    CalendarEntity,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .coordinator import LockCoordinator
from .grant_actions import create_grant, delete_grant, grants_of, update_grant
from .reservations import Reservation, calendar_prefix, plan_sync, to_reservation

_LOGGER = logging.getLogger(__name__)

# Rental sites refresh their iCal feeds every few minutes to hours; so does Remote Calendar.
REFRESH_INTERVAL = timedelta(minutes=15)
# How far to look for a booking that left the window before calling it cancelled.
LOOK_BEYOND = timedelta(days=2 * 366)


class CalendarSync:
    """Keeps one lock's calendar-made grants equal to the calendar's upcoming events.

    Events are read from the calendar entity (the call ``calendar.get_events`` makes), because
    only the entity's events carry the uid and recurrence id that identify a booking across
    refreshes and restarts; the action's response drops them.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        coordinator: LockCoordinator,
        *,
        calendar_entity_id: str,
        days: int,
        check_in: time,
        check_out: time,
    ) -> None:
        """Remember what to read and how."""
        self.hass = hass
        self.coordinator = coordinator
        self.calendar_entity_id = calendar_entity_id
        self.days = days
        self.check_in = check_in
        self.check_out = check_out
        self.last_error: str | None = None
        self._running = False

    @callback
    def async_start(self) -> None:
        """Refresh once Home Assistant has started, then on an interval."""
        entry = self.coordinator.entry
        entry.async_on_unload(
            async_track_time_interval(self.hass, self._async_tick, REFRESH_INTERVAL)
        )
        entry.async_on_unload(async_at_started(self.hass, self._async_at_started))

    async def _async_at_started(self, _hass: HomeAssistant) -> None:
        await self.async_refresh()

    async def _async_tick(self, _now: datetime) -> None:
        await self.async_refresh()

    def _calendar(self) -> CalendarEntity | None:
        if (component := self.hass.data.get(CALENDAR_COMPONENT)) is None:
            return None
        return component.get_entity(self.calendar_entity_id)

    async def async_refresh(self) -> None:
        """Read the calendar and create, move or delete this lock's calendar grants."""
        if self._running:
            _LOGGER.debug(
                "Refresh of %s skipped: one is running", self.calendar_entity_id
            )
            return
        _LOGGER.debug("Refreshing from %s", self.calendar_entity_id)
        self._running = True
        try:
            await self._async_refresh()
        finally:
            self._running = False

    async def _async_refresh(self) -> None:
        if (calendar := self._calendar()) is None:
            self._error(f"{self.calendar_entity_id} does not exist")
            return
        if calendar.platform.platform_name == DOMAIN:
            # Its events are grants already: reading them back would copy each one again.
            self._error(f"{self.calendar_entity_id} holds access grants, not bookings")
            return
        now = dt_util.now()
        window_end = now + timedelta(days=self.days)
        if (wanted := await self._async_read(calendar, now, window_end)) is None:
            return
        plan = plan_sync(self._made(), wanted, dt_util.utcnow())
        if plan.delete:
            # Gone from the window: cancelled, or moved beyond it? Only the calendar knows.
            beyond = await self._async_read(calendar, window_end, now + LOOK_BEYOND)
            if beyond is None:
                return  # nothing is deleted on a failed read
            # Grants may have come or gone while reading: plan on what is there now.
            plan = plan_sync(self._made(), wanted, dt_util.utcnow(), beyond)
        grants = grants_of(self.hass)
        for grant_id in plan.delete:
            delete_grant(self.hass, grants[grant_id])
        for grant_id, reservation in plan.update:
            update_grant(
                self.hass,
                grants[grant_id],
                name=reservation.name,
                starts_at=dt_util.as_utc(reservation.starts_at),
                ends_at=dt_util.as_utc(reservation.ends_at),
            )
        for reservation in plan.create:
            create_grant(
                self.hass,
                [self.coordinator],
                name=reservation.name,
                starts_at=dt_util.as_utc(reservation.starts_at),
                ends_at=dt_util.as_utc(reservation.ends_at),
                key=reservation.key,
            )
        if plan.create or plan.update or plan.delete:
            _LOGGER.info(
                "%s from %s: %s new, %s changed (%s moved beyond the %s-day window, "
                "kept), %s cancelled",
                self.coordinator.lock_entity_id,
                self.calendar_entity_id,
                len(plan.create),
                len(plan.update),
                len(plan.moved_out),
                self.days,
                len(plan.delete),
            )
        if self.last_error is not None:
            _LOGGER.info("%s can be read again", self.calendar_entity_id)
            self.last_error = None

    def _made(self) -> dict[str, tuple[str, str, datetime, datetime]]:
        """Return the grants this calendar made for the lock: id -> key, name, times."""
        prefix = calendar_prefix(self.coordinator.entry.entry_id)
        return {
            grant.grant_id: (grant.key, grant.name, grant.starts_at, grant.ends_at)
            for grant in grants_of(self.hass).values()
            if grant.key is not None and grant.key.startswith(prefix)
        }

    async def _async_read(
        self, calendar: CalendarEntity, start: datetime, end: datetime
    ) -> list[Reservation] | None:
        """Return the calendar's stays between two moments, or None if unreadable."""
        try:
            events = await calendar.async_get_events(self.hass, start, end)
        except HomeAssistantError as err:
            # Nothing is deleted on a failed read: a bad refresh must not cancel stays.
            self._error(f"reading {self.calendar_entity_id} failed: {err}")
            return None
        lock_id = self.coordinator.entry.entry_id
        zone = dt_util.get_default_time_zone()
        return [
            to_reservation(
                lock_id,
                uid=event.uid,
                recurrence_id=event.recurrence_id,
                summary=event.summary,
                start=event.start,
                end=event.end,
                check_in=self.check_in,
                check_out=self.check_out,
                zone=zone,
            )
            for event in events
        ]

    def _error(self, message: str) -> None:
        if message != self.last_error:
            _LOGGER.warning("Reservation calendar: %s", message)
        self.last_error = message
