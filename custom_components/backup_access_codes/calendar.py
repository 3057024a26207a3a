"""Each lock's access grants as a calendar: see the stays, and create, move or cancel them.

Events are the grants on this lock (uid = access grant id). Creating an event creates a
grant with a generated code, moving or renaming one updates its grant, deleting one deletes
it, with the actions' validation and translated errors, and only for admins (as the actions).
A grant made by a reservation calendar is changed in that calendar, not here.
"""

from collections.abc import Callable
from contextvars import ContextVar
from datetime import date, datetime
from functools import partial
from typing import Any

from homeassistant.auth.permissions.const import POLICY_CONTROL
from homeassistant.components import websocket_api
from homeassistant.components.calendar import (
    EVENT_END,
    EVENT_RRULE,
    EVENT_START,
    EVENT_SUMMARY,
    CalendarEntity,
    CalendarEntityFeature,
    CalendarEvent,
)
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.exceptions import Unauthorized
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import CONF_CALENDAR, DOMAIN, SIGNAL_CHANGED
from .coordinator import LockCoordinator
from .entity import BackupAccessCodesEntity
from .grant_actions import (
    create_grant,
    delete_grant,
    grant_by_id,
    invalid,
    lock_view,
    update_grant,
)
from .grant_events import GrantFacts, describe
from .grants import Grant, GrantLock, GrantStatus
from .reservations import calendar_lock_id, day_times, stay_moment
from .runtime import BackupAccessCodesConfigEntry

PARALLEL_UPDATES = 0

# One event as compared between updates (uid, summary, start, end, what the description
# says, location): cheap to compare, formatted only when an event is asked for.
type EventParts = tuple[str, str, datetime, datetime, GrantFacts, str]

# The context of the action call under way, with the calendar it targets. Home Assistant sets
# an entity's context just before it runs the call in a task of its own, which inherits this.
_ACTION_CALL: ContextVar[tuple[str, Context] | None] = ContextVar(
    f"{DOMAIN}_calendar_action_call", default=None
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BackupAccessCodesConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the lock's calendar of access grants."""
    async_add_entities([AccessGrantsCalendar(entry.runtime_data.coordinator)])


class AdminRequired(Unauthorized):
    """A non-admin user tried to change grants: Unauthorized, with a translated message.

    The Calendar panel shows the message of the error its websocket command answers.
    """

    def __init__(self, user_id: str, entity_id: str) -> None:
        """Refuse the user, naming the rule."""
        super().__init__(
            user_id=user_id, entity_id=entity_id, permission=POLICY_CONTROL
        )
        self.translation_domain = DOMAIN
        self.translation_key = "admin_required"
        self.generate_message = True


class _ChangeRouter:
    """One dispatcher target for every lock's calendar.

    ``SIGNAL_CHANGED`` is sent on each evaluation of any lock; each calendar only needs its
    own lock's, so a dictionary look-up replaces one callback per lock per evaluation.
    """

    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass
        self.targets: dict[str, Callable[[], None]] = {}
        self._unsub: CALLBACK_TYPE | None = None

    @callback
    def follow(self, entry_id: str, target: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``target`` whenever lock ``entry_id`` was evaluated; return the remover."""
        if self._unsub is None:
            self._unsub = async_dispatcher_connect(
                self.hass, SIGNAL_CHANGED, self._async_changed
            )
        self.targets[entry_id] = target
        return partial(self._unfollow, entry_id)  # smaller than a closure, per lock

    def _unfollow(self, entry_id: str) -> None:
        self.targets.pop(entry_id, None)
        if not self.targets and self._unsub is not None:
            self._unsub()
            self._unsub = None

    @callback
    def _async_changed(self, entry_id: str) -> None:
        if (target := self.targets.get(entry_id)) is not None:
            target()


DATA_ROUTER: HassKey[_ChangeRouter] = HassKey(f"{DOMAIN}_calendar_router")


class AccessGrantsCalendar(BackupAccessCodesEntity, CalendarEntity):
    """The access grants on one lock, as events."""

    _attr_supported_features = (
        CalendarEntityFeature.CREATE_EVENT
        | CalendarEntityFeature.UPDATE_EVENT
        | CalendarEntityFeature.DELETE_EVENT
    )
    # Guest names stay out of the recorder, as in the issued-codes sensor (Home Assistant
    # already leaves the description out).
    _unrecorded_attributes = frozenset({"message"})

    def __init__(self, coordinator: LockCoordinator) -> None:
        """Describe the calendar."""
        super().__init__(coordinator, "access_grants")
        self._shown: EventParts | None = None
        self._shown_event: CalendarEvent | None = None
        self._listed: tuple[EventParts, ...] | None = None

    async def async_added_to_hass(self) -> None:
        """Follow the lock's evaluations (grants change without the pool changing).

        Not a PoolEntity: the coordinator writes those on pool changes only.
        """
        router = self.hass.data.get(DATA_ROUTER)
        if router is None:
            router = self.hass.data[DATA_ROUTER] = _ChangeRouter(self.hass)
        self._show(self._current_parts())
        self.async_on_remove(
            router.follow(self.coordinator.entry.entry_id, self._async_changed)
        )

    # ----- what is shown

    @property
    def event(self) -> CalendarEvent | None:
        """Return the current stay, else the next one.

        Built once per change (a state write reads it several times): every change of a
        grant on this lock comes with an evaluation, which ``_async_changed`` follows.
        """
        return self._shown_event

    def _show(self, parts: EventParts | None) -> None:
        self._shown = parts
        self._shown_event = None if parts is None else self._event(parts)

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Return the stays on this lock that overlap the range."""
        return [
            self._event(self._parts(grant, grant_lock))
            for grant, grant_lock in self.coordinator.engine.my_grants()
            if grant.starts_at < end_date and grant.ends_at > start_date
        ]

    @callback
    def _async_changed(self) -> None:
        """Write the state when the current or next stay changed; refresh open views."""
        written = False
        if (shown := self._current_parts()) != self._shown:
            self._show(shown)
            self.async_write_ha_state()  # also refreshes the views that subscribed
            written = True
        if self._event_listeners:
            listed = tuple(
                self._parts(grant, grant_lock)
                for grant, grant_lock in self.coordinator.engine.my_grants()
            )
            if listed != self._listed:
                self._listed = listed
                if not written:
                    self.async_update_event_listeners()

    def _current_parts(self) -> EventParts | None:
        now = dt_util.utcnow()
        for grant, grant_lock in self.coordinator.engine.my_grants():
            if grant.ends_at > now:  # earliest start first: current, else next
                return self._parts(grant, grant_lock)
        return None

    def _parts(self, grant: Grant, grant_lock: GrantLock) -> EventParts:
        coordinator = self.coordinator
        view = lock_view(coordinator, grant)  # its code is not used
        timing = coordinator.engine.timing
        facts = GrantFacts(
            grant_id=grant.grant_id,
            status=GrantStatus(view["status"]),
            slot=view["slot"],
            issue_at=grant.issue_at(timing),
            program_at=grant.program_at(timing),
            told_at=grant_lock.told.issued_at if grant_lock.told else None,
            first_used_at=grant_lock.first_used_at,
            managed_by=self._managing_calendar(grant),
        )
        return (
            grant.grant_id,
            grant.name,
            grant.starts_at,
            grant.ends_at,
            facts,
            coordinator.lock_name,
        )

    @staticmethod
    def _event(parts: EventParts) -> CalendarEvent:
        uid, summary, starts_at, ends_at, facts, location = parts
        return CalendarEvent(
            start=dt_util.as_local(starts_at),
            end=dt_util.as_local(ends_at),
            summary=summary,
            description=describe(facts, dt_util.get_default_time_zone()),
            location=location,
            uid=uid,
        )

    def _managing_calendar(self, grant: Grant) -> str | None:
        """Return the name of the reservation calendar that keeps this grant in sync."""
        if (lock_id := calendar_lock_id(grant.key)) is None:
            return None
        entry = self.hass.config_entries.async_get_entry(lock_id)
        if entry is None or not (calendar_id := entry.options.get(CONF_CALENDAR)):
            return None  # its calendar was removed since: nothing syncs it any more
        state = self.hass.states.get(calendar_id)
        return state.name if state is not None else str(calendar_id)

    # ----- changes from the Calendar panel, calendar.* actions and websocket commands

    async def async_create_event(self, **kwargs: Any) -> None:
        """Create an access grant on this lock; its code is generated."""
        await self._async_refuse_non_admin()
        _refuse_recurring(kwargs)
        starts_at, ends_at = self._stay(kwargs[EVENT_START], kwargs[EVENT_END])
        create_grant(
            self.hass,
            [self.coordinator],
            name=kwargs[EVENT_SUMMARY],
            starts_at=starts_at,
            ends_at=ends_at,
        )

    async def async_update_event(
        self,
        uid: str,
        event: dict[str, Any],
        recurrence_id: str | None = None,
        recurrence_range: str | None = None,
    ) -> None:
        """Rename or move the access grant (a grant has no recurrences to pick from)."""
        await self._async_refuse_non_admin()
        grant = self._editable(uid)
        _refuse_recurring(event)
        starts_at, ends_at = self._stay(
            event.get(EVENT_START, grant.starts_at), event.get(EVENT_END, grant.ends_at)
        )
        update_grant(
            self.hass,
            grant,
            name=event.get(EVENT_SUMMARY),
            starts_at=starts_at,
            ends_at=ends_at,
        )

    async def async_delete_event(
        self,
        uid: str,
        recurrence_id: str | None = None,
        recurrence_range: str | None = None,
    ) -> None:
        """Delete the access grant: its codes are cleared, a backup code is rotated."""
        await self._async_refuse_non_admin()
        delete_grant(self.hass, self._editable(uid))

    def _editable(self, uid: str) -> Grant:
        """Return this lock's grant with that id, unless a reservation calendar owns it."""
        grant = grant_by_id(self.hass, uid)
        if self.coordinator.entry.entry_id not in grant.locks:
            raise invalid(
                "grant_not_on_lock",
                access_grant_id=uid,
                lock=self.coordinator.lock_name,
            )
        if (calendar := self._managing_calendar(grant)) is not None:
            raise invalid("managed_by_calendar", name=grant.name, calendar=calendar)
        return grant

    def _stay(
        self, start: date | datetime, end: date | datetime
    ) -> tuple[datetime, datetime]:
        """Return a stay's bounds in UTC; days get the lock's check-in and -out times."""
        check_in, check_out = day_times(self.coordinator.entry.options)
        zone = dt_util.get_default_time_zone()
        return (
            dt_util.as_utc(stay_moment(start, check_in, zone)),
            dt_util.as_utc(stay_moment(end, check_out, zone)),
        )

    # ----- who is asking

    @callback
    def async_set_context(self, context: Context) -> None:
        """Remember the context of an action call for the task that runs it."""
        super().async_set_context(context)
        _ACTION_CALL.set((self.entity_id, context))

    async def _async_refuse_non_admin(self) -> None:
        """Refuse a user who is not an admin, as the actions do; automations may change.

        An action (``calendar.create_event``, also over the websocket API) carries its
        caller in its context; the Calendar panel's ``calendar/event/*`` commands call the
        entity directly, in a task of the user's websocket connection.
        """
        user_id: str | None = None
        if (call := _ACTION_CALL.get()) is not None and call[0] == self.entity_id:
            user_id = call[1].user_id
        elif (connection := websocket_api.current_connection.get()) is not None:
            user_id = connection.user.id
        if user_id is None:
            return
        user = await self.hass.auth.async_get_user(user_id)
        if user is None or not user.is_admin:
            raise AdminRequired(user_id, self.entity_id)


def _refuse_recurring(event: dict[str, Any]) -> None:
    """An access grant is one stay: a repeating event has no grant to match."""
    if event.get(EVENT_RRULE):
        raise invalid("recurring_event")
