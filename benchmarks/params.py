"""The sizes of a run, by mode (full, quick, smoke)."""

from dataclasses import dataclass
from datetime import timedelta


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
    ),
    "smoke": Params(
        "smoke", 1, [2], [2], 2, 2, 2, timedelta(hours=2), timedelta(hours=12), 4, 6, 1
    ),
}
