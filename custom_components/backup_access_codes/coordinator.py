"""Glue between one lock's engine, its provider, the clock and Home Assistant."""

import asyncio
from collections.abc import Mapping
from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.components.logbook import async_log_entry
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.device import async_entity_id_to_device_id
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import (
    async_call_later,
    async_track_point_in_utc_time,
    async_track_state_change_event,
)
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

from .const import (
    CONF_BACKUP_LEAD_HOURS,
    CONF_CODE_LENGTH,
    CONF_FIRST_SLOT,
    CONF_LOCK_ENTITY_ID,
    CONF_POOL_SIZE,
    CONF_PROGRAM_LEAD_MINUTES,
    CONF_SHOW_CODES,
    CONF_SLOT_COUNT,
    DEFAULT_OPTIONS,
    DOMAIN,
    EVENT_ISSUE_FAILED,
    EVENT_ISSUED,
    EVENT_REISSUED,
    SIGNAL_CHANGED,
)
from .engine import CodeIssued, IssueFailed, Layout, LockEngine, LockState, Outcome
from .grants import Grant, Timing
from .pool import PoolStatus
from .providers import LockProvider, ProviderError
from .store import StateStorage

if TYPE_CHECKING:
    from . import BackupAccessCodesConfigEntry
    from .calendar_sync import CalendarSync

_LOGGER = logging.getLogger(__name__)


def entry_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Return a config entry's options with every default filled in."""
    return {**DEFAULT_OPTIONS, **options}


def layout_from(options: Mapping[str, Any]) -> Layout:
    """Return the slot layout the options describe."""
    opts = entry_options(options)
    return Layout(
        pool_size=int(opts[CONF_POOL_SIZE]),
        first_slot=int(opts[CONF_FIRST_SLOT]),
        slot_count=int(opts[CONF_SLOT_COUNT]),
        code_length=int(opts[CONF_CODE_LENGTH]),
    )


def timing_from(options: Mapping[str, Any]) -> Timing:
    """Return the lead times the options describe."""
    opts = entry_options(options)
    return Timing(
        backup_lead=timedelta(hours=float(opts[CONF_BACKUP_LEAD_HOURS])),
        program_lead=timedelta(minutes=float(opts[CONF_PROGRAM_LEAD_MINUTES])),
    )


def lock_is_online(
    hass: HomeAssistant, lock_entity_id: str, provider: LockProvider
) -> bool:
    """Return False while the lock entity is missing or unavailable, or unreachable."""
    state = hass.states.get(lock_entity_id)
    return (
        state is not None and state.state != STATE_UNAVAILABLE and provider.is_online()
    )


class LockCoordinator:
    """Runs one lock: evaluates its rules, writes its slots, fires its events."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: BackupAccessCodesConfigEntry,
        storage: StateStorage,
        provider: LockProvider,
    ) -> None:
        """Attach the lock's stored state to a fresh engine."""
        self.hass = hass
        self.entry = entry
        self.storage = storage
        self.provider = provider
        self.lock_entity_id: str = entry.data[CONF_LOCK_ENTITY_ID]
        options = entry_options(entry.options)
        self.show_codes = bool(options[CONF_SHOW_CODES])
        state = storage.state.locks.setdefault(entry.entry_id, LockState())
        self.engine = LockEngine(
            entry.entry_id,
            state,
            storage.state.grants,
            layout_from(options),
            timing_from(options),
        )
        self.online = False
        self._started = False
        self._listeners: list[CALLBACK_TYPE] = []
        self._unsub_timer: CALLBACK_TYPE | None = None
        # Set before the sync task starts: it may run to its end eagerly, inside its creation.
        self._syncing = False
        self._writes_failing = False  # logged once until a write works again
        self.calendar_sync: CalendarSync | None = None
        self._last_shown: tuple[object, ...] = ()
        self._timer_at: datetime | None = None
        self._repairs: dict[str, bool] = {}

    # ----- life cycle

    @callback
    def async_start(self) -> None:
        """Follow the lock; start evaluating once Home Assistant has started.

        Before that the lock entity may not exist yet, and must not count as offline.
        """
        self.entry.async_on_unload(
            async_track_state_change_event(
                self.hass, [self.lock_entity_id], self._async_lock_state_changed
            )
        )
        self.entry.async_on_unload(self._async_stop)
        self.entry.async_on_unload(self.provider.async_start(self._async_reachability))
        if track_code_use := getattr(self.provider, "async_track_code_use", None):
            # Stacks that report keypad unlocks with the user slot (Z-Wave notifications).
            self.entry.async_on_unload(track_code_use(self._async_code_used))
        self.entry.async_on_unload(async_at_started(self.hass, self._async_started))

    @callback
    def _async_started(self, _hass: HomeAssistant) -> None:
        self._started = True
        self.online = self._read_online()
        self.async_update()

    @callback
    def _async_stop(self) -> None:
        self._started = False
        if self._unsub_timer:
            self._unsub_timer()
            self._unsub_timer = None
        self._timer_at = None

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``update`` whenever what the entities show changes; return the remover."""
        self._listeners.append(update)
        return lambda: self._listeners.remove(update)

    # ----- online / offline

    def _read_online(self) -> bool:
        return lock_is_online(self.hass, self.lock_entity_id, self.provider)

    @callback
    def _async_lock_state_changed(self, _event: Event[EventStateChangedData]) -> None:
        self._async_reachability()

    @callback
    def _async_reachability(self) -> None:
        """The lock entity or the provider may have changed whether the lock is reachable."""
        if not self._started:
            return
        online = self._read_online()
        if online == self.online:
            return
        if online:
            _LOGGER.info("%s is back online", self.lock_entity_id)
        else:
            _LOGGER.info(
                "%s is offline: guests who need a code now get a backup code",
                self.lock_entity_id,
            )
        self.online = online
        if online:
            self.engine.came_online()
        self.async_update()

    @callback
    def _async_code_used(self, slot: int) -> None:
        if (grant := self.engine.code_used(slot, dt_util.utcnow())) is not None:
            _LOGGER.info(
                "%s: access grant %s used its code for the first time",
                self.lock_entity_id,
                grant.grant_id,
            )
            self.storage.async_schedule_save()

    # ----- evaluation

    @callback
    def async_update(self) -> None:
        """Apply every rule due now, tell guests, write slots, plan the next wake-up."""
        if not self._started:
            return
        now = dt_util.utcnow()
        self._announce(self.engine.evaluate(now, self.online))
        self.storage.async_schedule_save()
        if (
            self.online
            and not self._syncing
            and self.engine.next_write(now) is not None
        ):
            self._syncing = True
            self.entry.async_create_background_task(
                self.hass, self._async_sync(), f"{DOMAIN} sync {self.lock_entity_id}"
            )
        self._arm_timer(now)
        self._update_repairs()
        # Entities only show the pool: most updates (a grant created, a timer) leave it as is.
        if (shown := self._shown()) != self._last_shown:
            self._last_shown = shown
            for update in list(self._listeners):
                update()
        async_dispatcher_send(self.hass, SIGNAL_CHANGED, self.entry.entry_id)

    def _shown(self) -> tuple[object, ...]:
        """What the entities show: pool health and who holds which backup code."""
        grants = self.storage.state.grants
        holders = tuple(
            (p.slot, p.grant_id, p.code, grant.name if grant else None)
            for p in self.engine.state.pool
            if p.status is PoolStatus.ISSUED
            for grant in (grants.get(p.grant_id or ""),)
        )
        return (self.engine.health(), holders)

    @callback
    def _arm_timer(self, now: datetime) -> None:
        # While a sync runs, only the grants' own points wake us (a slow write must not
        # delay a check-out or a backup); the sync plans its retries when it ends.
        when = self.engine.next_wakeup(now, self.online and not self._syncing)
        if when == self._timer_at and (when is None or self._unsub_timer):
            return  # already armed for that moment
        if self._unsub_timer:
            self._unsub_timer()
            self._unsub_timer = None
        self._timer_at = when
        if when is not None:
            self._unsub_timer = async_track_point_in_utc_time(
                self.hass, self._async_timer_fired, when
            )

    @callback
    def _async_timer_fired(self, _now: datetime) -> None:
        self._unsub_timer = None
        self._timer_at = None
        self.async_update()

    async def _async_sync(self) -> None:
        """Write what the slots need, one call at a time."""
        try:
            while self._started and self.online:
                if (write := self.engine.next_write(dt_util.utcnow())) is None:
                    break
                self.engine.write_started(write)
                self.storage.async_schedule_save()
                try:
                    if write.code is None:
                        verified = await self.provider.async_clear_code(write.slot)
                    else:
                        verified = await self.provider.async_set_code(
                            write.slot, write.code
                        )
                except ProviderError as err:
                    over = self.engine.write_failed(
                        write, dt_util.utcnow(), permanent=err.permanent
                    )
                    # One warning when writes start failing; the rest at debug level.
                    _LOGGER.log(
                        logging.DEBUG if self._writes_failing else logging.WARNING,
                        "Could not %s slot %s of %s%s: %s",
                        "clear" if write.code is None else "program",
                        write.slot,
                        self.lock_entity_id,
                        " (attempt failed, backing off)" if over else "",
                        err,
                    )
                    self._writes_failing = True
                else:
                    _LOGGER.debug(
                        "%s slot %s of %s",
                        "Cleared" if write.code is None else "Programmed",
                        write.slot,
                        self.lock_entity_id,
                    )
                    if self._writes_failing:
                        _LOGGER.info("%s accepts codes again", self.lock_entity_id)
                        self._writes_failing = False
                    self.engine.write_succeeded(write, verified=verified)
                self.async_update()
                if self.provider.min_gap:
                    await self._async_pause(self.provider.min_gap)
        finally:
            self._syncing = False
        if self._started:
            self._arm_timer(dt_util.utcnow())

    async def _async_pause(self, seconds: float) -> None:
        """Wait on Home Assistant's timers (so simulated time drives it too)."""
        done: asyncio.Future[None] = self.hass.loop.create_future()

        @callback
        def wake(_now: datetime) -> None:
            if not done.done():
                done.set_result(None)

        unsub = async_call_later(self.hass, seconds, wake)
        try:
            await done
        finally:
            unsub()

    # ----- output

    @property
    def device_id(self) -> str | None:
        """Return the lock's device, or the one made for a lock without a device."""
        if device_id := async_entity_id_to_device_id(self.hass, self.lock_entity_id):
            return device_id
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, self.entry.entry_id), self.entry.entry_id
        )
        return device.id if device else None

    def grant_event_base(self, grant: Grant) -> dict[str, Any]:
        """Return the data every event about a grant on this lock carries."""
        return {
            "access_grant_id": grant.grant_id,
            "name": grant.name,
            "lock_entity_id": self.lock_entity_id,
            "device_id": self.device_id,
            "starts_at": grant.starts_at.isoformat(),
            "ends_at": grant.ends_at.isoformat(),
        }

    @callback
    def _announce(self, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            grant = self.storage.state.grants.get(outcome.grant_id)
            if grant is None:
                continue
            base = self.grant_event_base(grant)
            if isinstance(outcome, IssueFailed):
                _LOGGER.warning(
                    "No backup code left on %s for access grant %s",
                    self.lock_entity_id,
                    grant.grant_id,
                )
                self.hass.bus.async_fire(
                    EVENT_ISSUE_FAILED, {**base, "reason": outcome.reason}
                )
                self._log(f"could not give {grant.name} a code: no backup code left")
                continue
            self._fire_issued(outcome, base)
            self._log(
                f"{'reissued' if outcome.reissued else 'issued'} "
                f"{'a backup code' if outcome.is_backup else 'the scheduled code'} "
                f"to {grant.name}"
                + (f" (slot {outcome.slot})" if outcome.slot is not None else "")
            )

    @callback
    def _log(self, message: str) -> None:
        """Logbook entry, never with a code: the code events may be kept out of the recorder."""
        async_log_entry(
            self.hass,
            name=self.lock_name,
            message=message,
            domain=DOMAIN,
            entity_id=self.lock_entity_id,
        )

    @callback
    def _fire_issued(self, outcome: CodeIssued, base: dict[str, Any]) -> None:
        kind = "reissued" if outcome.reissued else "issued"
        _LOGGER.info(
            "%s %s code for access grant %s on %s",
            kind.capitalize(),
            "a backup" if outcome.is_backup else "the scheduled",
            outcome.grant_id,
            self.lock_entity_id,
        )
        self.hass.bus.async_fire(
            EVENT_REISSUED if outcome.reissued else EVENT_ISSUED,
            {
                "event_type": f"access_method.{kind}",
                **base,
                "access_method": {
                    "mode": "code",
                    "code": outcome.code,
                    "is_backup_code": outcome.is_backup,
                    "slot": outcome.slot,
                    "issued_at": outcome.issued_at.isoformat(),
                },
            },
        )

    @callback
    def announce(self, outcomes: list[Outcome]) -> None:
        """Fire events for outcomes produced outside ``evaluate`` (a manual pull)."""
        self._announce(outcomes)
        self.async_update()

    @callback
    def _update_repairs(self) -> None:
        unserved = [
            grant.name
            for grant, grant_lock in self.engine.my_grants()
            if grant_lock.issue_failed and grant_lock.told is None
        ]
        self._set_repair(
            "pool_empty", self.engine.health().empty, ir.IssueSeverity.ERROR, {}
        )
        self._set_repair(
            "no_backup_code",
            bool(unserved),
            ir.IssueSeverity.WARNING,
            {"grants": ", ".join(unserved)},
        )

    @callback
    def _set_repair(
        self,
        key: str,
        active: bool,
        severity: ir.IssueSeverity,
        placeholders: dict[str, str],
    ) -> None:
        """Raise the lock's repair issue ``key`` while ``active``, delete it after."""
        issue_id = f"{key}_{self.entry.entry_id}"
        if self._repairs.get(key) == active and not active:
            return  # nothing to delete; an active issue is refreshed (names may change)
        self._repairs[key] = active
        if not active:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=severity,
            translation_key=key,
            translation_placeholders={"lock": self.lock_name, **placeholders},
        )

    @property
    def lock_name(self) -> str:
        """Return the lock's friendly name (or its entity id)."""
        if state := self.hass.states.get(self.lock_entity_id):
            return str(state.name)
        return self.lock_entity_id


def remove_repairs(hass: HomeAssistant, entry_id: str) -> None:
    """Delete a lock's repair issues (its entry is gone)."""
    for issue in ("pool_empty", "no_backup_code"):
        ir.async_delete_issue(hass, DOMAIN, f"{issue}_{entry_id}")
