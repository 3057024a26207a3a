"""Simulated time: Home Assistant's wall clock and the event loop's clock, moved together."""

import asyncio
from datetime import UTC, datetime
import time
from typing import Any

from homeassistant.helpers import event as event_helper
import homeassistant.util as ha_util
from homeassistant.util import dt as dt_util

# Real clocks, taken before anything replaces them.
REAL_TIME = time.time
REAL_MONOTONIC = time.monotonic


class SimClock:
    """Wall clock and event-loop clock: real time plus an offset that only moves forward."""

    def __init__(self) -> None:
        """Start at the real time."""
        self.wall_base = 0.0
        self.jumped = 0.0

    def time(self) -> float:
        """Return simulated wall-clock seconds since the epoch."""
        return REAL_TIME() + self.wall_base + self.jumped

    def utcnow(self) -> datetime:
        """Return simulated now, in UTC."""
        return datetime.fromtimestamp(self.time(), UTC)

    def now(self, time_zone: Any = None) -> datetime:
        """Return simulated now in a time zone (Home Assistant's by default)."""
        return self.utcnow().astimezone(time_zone or dt_util.get_default_time_zone())

    def loop_time(self) -> float:
        """Return the event loop's clock: real monotonic time plus the jumps."""
        return REAL_MONOTONIC() + self.jumped

    def reset(self, start: datetime) -> None:
        """Make the wall clock read ``start`` now (the loop clock never goes back)."""
        self.wall_base = start.timestamp() - REAL_TIME() - self.jumped

    def advance(self, seconds: float) -> None:
        """Move simulated time forward."""
        if seconds > 0:
            self.jumped += seconds

    def advance_to(self, when: datetime) -> None:
        """Move simulated time forward to ``when`` (a hair past it)."""
        self.advance(when.timestamp() - self.time() + 1e-6)

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        """Make Home Assistant and the loop read this clock."""
        time.time = self.time
        dt_util.utcnow = self.utcnow  # type: ignore[assignment]
        dt_util.now = self.now
        if hasattr(ha_util, "utcnow"):
            ha_util.utcnow = self.utcnow
        event_helper.time_tracker_utcnow = self.utcnow  # type: ignore[assignment]
        event_helper.time_tracker_timestamp = self.time
        loop.time = self.loop_time  # type: ignore[method-assign]


CLOCK = SimClock()
