"""Counters of one Home Assistant instance: the integration's events, provider calls, writes.

``patches.py`` feeds the Store, state-write, evaluation, timer and GC counters; the listeners
here feed the rest. One instance at a time: ``home_assistant()`` attaches and detaches it.
"""

import asyncio
from collections import Counter
from collections.abc import Callable
import contextlib
from dataclasses import dataclass
from typing import Any

import homeassistant.const as ha_const
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .clock import CLOCK
from .const import DOMAIN, FAIL_EVENT, GRANT_EVENTS, WRITE_EVENT


@dataclass
class StoreWrite:
    """One completed write of a Store file."""

    key: str
    done: float  # loop time when the file was on disk
    nbytes: int
    content: str | None = None


@dataclass
class GrantEvent:
    """An event of the integration about a grant on a lock (the code stays in memory)."""

    at: float
    kind: str
    grant_id: str
    lock_entity_id: str
    is_backup: bool
    code: str | None


class Probe:
    """Counters fed by the listeners below and by the patches; one instance at a time."""

    def __init__(self) -> None:
        """Nothing attached yet."""
        self.hass: HomeAssistant | None = None
        self.track_timers = False
        self.capture_store = False
        self.unsubs: list[Callable[[], None]] = []
        self.our_entity_ids: set[str] = set()
        self.handles: list[tuple[asyncio.TimerHandle, str, list[bool]]] = []
        self.waiters: dict[tuple[str, str, str], asyncio.Future[GrantEvent]] = {}
        self.reset()

    def reset(self) -> None:
        """Zero every counter."""
        self.events: list[GrantEvent] = []
        self.first_event: dict[tuple[str, str], GrantEvent] = {}
        self.seen: set[tuple[str, str, str]] = set()
        self.writes: list[tuple[float, str, str]] = []  # provider calls that succeeded
        self.fails: list[tuple[float, str]] = []  # provider calls that answered failure
        self.store_writes: list[StoreWrite] = []
        self.serialize_s: list[float] = []
        self.state_writes = 0
        self.state_changes = 0
        self.updates = 0
        self.timer_fires = 0
        self.fires_by_owner: Counter[str] = Counter()
        self.log_warnings = 0
        # (loop time, seconds, generation)
        self.gc_pauses: list[tuple[float, float, int]] = []

    # ----- what the scenarios read

    @property
    def provider_calls(self) -> int:
        """Provider calls so far, answered or refused."""
        return len(self.writes) + len(self.fails)

    def codes_set(self) -> int:
        """Successful 'set' provider calls so far."""
        return sum(1 for _, _, action in self.writes if action == "set")

    def our_store_writes(self) -> int:
        """Completed writes of the integration's Store file so far."""
        return sum(1 for w in self.store_writes if w.key == DOMAIN)

    def count(self, kind: str, *, backup: bool = False) -> int:
        """Events of one kind so far (only those carrying a backup code, with ``backup``)."""
        return sum(
            1 for e in self.events if e.kind == kind and (e.is_backup or not backup)
        )

    def gc_stats(self, begin: float, end: float) -> dict[str, Any]:
        """Garbage-collector pauses between two loop times."""
        pauses = [(d, g) for at, d, g in self.gc_pauses if begin <= at <= end]
        return {
            "gc_pauses": len(pauses),
            "gc_full": sum(1 for _, g in pauses if g == 2),
            "gc_max_ms": max((d for d, _ in pauses), default=0.0) * 1000,
        }

    # ----- attach to one instance

    def attach(self, hass: HomeAssistant) -> None:
        """Listen to the integration's events and the provider scripts."""
        self.hass = hass
        self.handles = []
        self.our_entity_ids = set()
        self.reset()
        for event_type in GRANT_EVENTS:
            self.unsubs.append(hass.bus.async_listen(event_type, self._grant_event))
        self.unsubs.append(hass.bus.async_listen(WRITE_EVENT, self._write_event))
        self.unsubs.append(hass.bus.async_listen(FAIL_EVENT, self._fail_event))
        self.unsubs.append(
            hass.bus.async_listen(ha_const.EVENT_STATE_CHANGED, self._state_changed)
        )

    def detach(self) -> None:
        """Stop listening."""
        for unsub in self.unsubs:
            with contextlib.suppress(Exception):
                unsub()
        self.unsubs.clear()
        self.hass = None

    @callback
    def _grant_event(self, event: Event) -> None:
        data = event.data
        method = data.get("access_method") or {}
        kind = str(event.event_type).removeprefix(f"{DOMAIN}_")
        record = GrantEvent(
            at=CLOCK.loop_time(),
            kind=kind,
            grant_id=str(data.get("access_grant_id")),
            lock_entity_id=str(data.get("lock_entity_id")),
            is_backup=bool(method.get("is_backup_code", False)),
            code=method.get("code"),
        )
        self.events.append(record)
        self.first_event.setdefault((record.grant_id, record.lock_entity_id), record)
        key = (record.grant_id, record.lock_entity_id, kind)
        self.seen.add(key)
        if (waiter := self.waiters.pop(key, None)) and not waiter.done():
            waiter.set_result(record)

    @callback
    def _write_event(self, event: Event) -> None:
        self.writes.append(
            (
                CLOCK.loop_time(),
                str(event.data.get("lock_entity_id")),
                str(event.data.get("action")),
            )
        )

    @callback
    def _fail_event(self, event: Event) -> None:
        self.fails.append((CLOCK.loop_time(), str(event.data.get("lock_entity_id"))))

    @callback
    def _state_changed(self, event: Event[EventStateChangedData]) -> None:
        if event.data.get("entity_id") in self.our_entity_ids:
            self.state_changes += 1

    def learn_entities(self, hass: HomeAssistant) -> int:
        """Remember the integration's entities; return how many there are."""
        registry = er.async_get(hass)
        self.our_entity_ids = {
            e.entity_id for e in registry.entities.values() if e.platform == DOMAIN
        }
        return len(self.our_entity_ids)

    # ----- timers

    def armed_timers(self) -> Counter[str]:
        """Return the integration's timers that are armed now, by owner."""
        armed: Counter[str] = Counter()
        for handle, owner, fired in self.handles:
            if not fired[0] and not handle.cancelled():
                armed[owner] += 1
        return armed


PROBE = Probe()
