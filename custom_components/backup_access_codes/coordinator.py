"""One lock at run time: follows the lock, evaluates its rules, keeps its timer and entities."""

from datetime import datetime
import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
)
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

from .const import (
    CONF_LOCK_ENTITY_ID,
    CONF_REUSE_ROTATING_CODES,
    CONF_SHOW_CODES,
    SIGNAL_CHANGED,
)
from .engine import LockEngine
from .lock_state import LockState
from .lock_windows import LockWindows
from .notices import LockNotices
from .options import entry_options, layout_from, timing_from
from .outcomes import Outcome
from .pool import PoolStatus
from .providers import LockProvider
from .slot_writer import SlotWriter
from .store import StateStorage

_LOGGER = logging.getLogger(__name__)


def lock_offline_reason(
    hass: HomeAssistant, lock_entity_id: str, provider: LockProvider
) -> str | None:
    """Return why a lock is offline (``missing``, ``unavailable``, or its provider's)."""
    state = hass.states.get(lock_entity_id)
    if state is None:
        return "missing"
    if state.state == STATE_UNAVAILABLE:
        return "unavailable"
    return provider.offline_reason()


def lock_is_online(
    hass: HomeAssistant, lock_entity_id: str, provider: LockProvider
) -> bool:
    """Return False while the lock entity is missing or unavailable, or unreachable."""
    return lock_offline_reason(hass, lock_entity_id, provider) is None


class LockCoordinator:
    """Runs one lock: evaluates its rules, writes its slots, fires its events."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
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
            reuse_used_codes=bool(options[CONF_REUSE_ROTATING_CODES]),
        )
        self.notices = LockNotices(hass, entry, self.lock_entity_id)
        # Whether the lock keeps codes on time itself: asked when it is online.
        self.windows = LockWindows(hass, provider, self._async_windows_changed)
        if self.windows.provider is None:
            self.engine.keeps_windows = False
        self.writer = SlotWriter(
            hass,
            entry,
            self.engine,
            provider,
            storage,
            may_write=self._may_write,
            after_write=self.async_update,
            when_done=self._async_writes_done,
            window_refused=self.windows.refused,
        )
        self.online = False
        self._started = False
        # The pool entities, written when what they show changes (entity.py adds them).
        self.entities: list[Entity] = []
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._last_shown: tuple[object, ...] = ()
        self._timer_at: datetime | None = None

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
        if self.online:
            self.windows.async_check()
        self.async_update()

    @callback
    def _async_stop(self) -> None:
        self._started = False
        if self._unsub_timer:
            self._unsub_timer()
            self._unsub_timer = None
        self._timer_at = None

    def _may_write(self) -> bool:
        return self._started and self.online

    @property
    def lock_name(self) -> str:
        """Return the lock's friendly name (or its entity id)."""
        return self.notices.lock_name

    @property
    def device_id(self) -> str | None:
        """Return the lock's device, or the one made for a lock without a device."""
        return self.notices.device_id

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
            self.windows.async_check()
        self.async_update()

    @callback
    def _async_windows_changed(self) -> None:
        """The lock was asked whether it keeps codes on time itself (or refused one)."""
        if self.engine.keeps_windows != self.windows.usable:
            self.engine.keeps_windows = self.windows.usable
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
            # The grants calendar and the panel show the first use.
            async_dispatcher_send(self.hass, SIGNAL_CHANGED, self.entry.entry_id)

    # ----- evaluation

    @callback
    def async_update(self) -> None:
        """Apply every rule due now, tell guests, write slots, plan the next wake-up."""
        if not self._started:
            return
        now = dt_util.utcnow()
        self.notices.announce(
            self.engine.evaluate(now, self.online), self.storage.state.grants
        )
        self.storage.async_schedule_save()
        if (
            self.online
            and not self.writer.running
            and self.engine.next_write(now) is not None
        ):
            self.writer.async_ensure_running()
        self._arm_timer(now)
        self.notices.update_repairs(self.engine)
        # Entities only show the pool: most updates (a grant created, a timer) leave it as is.
        if (shown := self._shown()) != self._last_shown:
            self._last_shown = shown
            for entity in list(self.entities):
                entity.async_write_ha_state()
        async_dispatcher_send(self.hass, SIGNAL_CHANGED, self.entry.entry_id)

    @callback
    def announce(self, outcomes: list[Outcome]) -> None:
        """Fire events for outcomes produced outside ``evaluate`` (a manual pull)."""
        self.notices.announce(outcomes, self.storage.state.grants)
        self.async_update()

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
    def _async_writes_done(self) -> None:
        if self._started:
            self._arm_timer(dt_util.utcnow())

    @callback
    def _arm_timer(self, now: datetime) -> None:
        # While a sync runs, only the grants' own points wake us (a slow write must not
        # delay a check-out or a backup); the sync plans its retries when it ends.
        when = self.engine.next_wakeup(now, self.online and not self.writer.running)
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
