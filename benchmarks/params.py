"""The sizes of a run, by mode (full, quick, smoke)."""

from dataclasses import dataclass
from datetime import timedelta

# How a dead Z-Wave node comes back (tests/zwave_js_env.Return, and a zwave_js.ping): issue 14's
# four, and the full node dumps ("ready", a re-interview).
BRIEF_RETURNS = ("alive", "report", "wake up", "ping")
ALL_RETURNS = (*BRIEF_RETURNS, "ready", "re-interview")


@dataclass
class Params:
    """Sizes of one run."""

    mode: str
    repeats: int
    setup_ns: list[int]
    memory_ns: list[int]
    locks: int  # locks of the issuance, idle and storage runs
    grants_per_lock: int  # also the number of rounds of the burst runs
    idle_days: int
    fine_step: timedelta  # steps of the first simulated idle day
    coarse_step: timedelta  # steps of the following days
    stream_grants: int  # grants of the sustained stream, one every STREAM_INTERVAL_S
    window_days: int = 30  # simulated days of bookings of the lock-kept windows run
    window_rentals: int = 20  # rentals (pairs of locks) of that run
    zwave_locks: int = 20  # Z-Wave JS locks (BE469 nodes) of the zwave runs
    zwave_rounds: int = (
        10  # rounds of grants, one per lock, of the concurrent zwave run
    )
    zwave_returns: tuple[str, ...] = (
        ALL_RETURNS  # how a dead node comes back, a run each
    )
    panel_locks: int = 50  # locks and grants the admin panel shows in the browser run
    panel_grants: int = 1000
    panel_loads: int = (
        5  # page loads of the browser run (0: no browser, bundle size only)
    )

    @property
    def grants(self) -> int:
        """Grants of the issuance runs."""
        return self.locks * self.grants_per_lock


MODES = {
    "full": Params(
        "full",
        3,
        [1, 10, 100, 500],
        [1, 10, 100, 500],
        100,
        10,
        7,
        timedelta(minutes=1),
        timedelta(hours=1),
        50,
    ),
    "quick": Params(
        "quick",
        2,
        [1, 10, 100],
        [10, 100],
        20,
        10,
        7,
        timedelta(minutes=10),
        timedelta(hours=1),
        50,
        zwave_rounds=3,
        zwave_returns=BRIEF_RETURNS,
        panel_loads=3,
    ),
    # The browser part of the panel runs is left out: a Home Assistant with the frontend and
    # Chromium would take longer than the rest of the smoke run together.
    "smoke": Params(
        "smoke",
        1,
        [2],
        [2],
        2,
        2,
        2,
        timedelta(hours=2),
        timedelta(hours=12),
        4,
        6,
        1,
        zwave_locks=2,
        zwave_rounds=1,
        zwave_returns=("alive",),
        panel_locks=2,
        panel_grants=4,
        panel_loads=0,
    ),
}
