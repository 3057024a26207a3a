"""Lock-kept windows: a month of bookings on locks offline 10% of the time (issue 13).

Each rental is a pair of bench locks in one Home Assistant that get the same guests (one
access grant on both) and go offline in the same random hours, each hour independently
with probability 0.1. One lock of the pair has the two provider scripts: a guest's code
goes on at the program point, so a guest needs a backup code when the lock is offline at
the issue point or at the program point. The other also has the third script, for codes
the lock keeps on time itself: the code goes on with its window from the issue point,
whenever the lock is online before check-in, so only an offline issue point (or a lock
offline from then until the program point) leaves the guest with a backup code. Several
rentals run side by side (each with its own bookings and offline hours, seeded, so every
run sees the same month); reported: the guests, and how many were told a backup code.

Bookings are stays of one to five nights (check-in 15:00, check-out 11:00 in Home
Assistant's time zone), zero to two nights apart, booked two to 21 days ahead, or, one
in four, at the last minute (one to 30 hours before check-in).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
import random
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.backup_access_codes import const as bac
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from ..base import Job, RunContext, Scenario
from ..clock import CLOCK
from ..formatting import fmt
from ..instance import home_assistant, settle, tick
from ..locks import (
    CLEAR_SCRIPT,
    SET_SCRIPT,
    create_grant,
    lock_id,
    lock_yaml,
    make_entry,
    provider_script,
    require,
    set_online,
)
from ..params import Params
from ..results import Results, Target

SEED = 13
OFFLINE_SHARE = 0.1
WINDOW_SCRIPT = provider_script(
    "set",
    {"lock_entity_id": {}, "slot": {}, "code": {}, "starts_at": {}, "ends_at": {}},
)
CHECK_IN, CHECK_OUT = time(15, 0), time(11, 0)


@dataclass(frozen=True, slots=True)
class Booking:
    """A stay, and when it was booked."""

    booked_at: datetime
    starts_at: datetime
    ends_at: datetime


def month_of_bookings(rng: random.Random, start: datetime, days: int) -> list[Booking]:
    """Back-to-back stays from ``start`` for ``days`` days (local check-in and check-out)."""
    zone = dt_util.get_default_time_zone()
    bookings = []
    day = dt_util.as_local(start).date() + timedelta(days=rng.randint(1, 3))
    end = dt_util.as_local(start).date() + timedelta(days=days)
    while day < end:
        nights = rng.randint(1, 5)
        starts_at = datetime.combine(day, CHECK_IN, zone)
        ends_at = datetime.combine(day + timedelta(days=nights), CHECK_OUT, zone)
        if rng.random() < 0.25:
            lead = timedelta(hours=rng.randint(1, 30), minutes=rng.randint(0, 59))
        else:
            lead = timedelta(days=rng.randint(2, 21), minutes=rng.randint(0, 59))
        bookings.append(Booking(max(start, starts_at - lead), starts_at, ends_at))
        day += timedelta(days=nights + rng.randint(0, 2))
    return sorted(bookings, key=lambda b: b.booked_at)


def offline_hours(rng: random.Random, hours: int, share: float) -> list[bool]:
    """For each hour, whether the locks are offline (independently, with ``share``)."""
    return [rng.random() < share for _ in range(hours)]


def plain(rental: int) -> int:
    """The lock of a rental whose codes go on at the program point."""
    return 2 * rental


def windowed(rental: int) -> int:
    """The lock of a rental that keeps codes on time itself."""
    return 2 * rental + 1


async def setup_rentals(hass: HomeAssistant, rentals: int) -> None:
    """A pair of template locks per rental, with their switches and scripts."""
    locks = range(2 * rentals)
    booleans: dict[str, Any] = {f"bench_{i}_online": {"initial": True} for i in locks}
    booleans["bench_writes_fail"] = {"initial": False}
    require(
        await async_setup_component(hass, "input_boolean", {"input_boolean": booleans})
    )
    require(
        await async_setup_component(
            hass, "template", {"template": [{"lock": [lock_yaml(i) for i in locks]}]}
        )
    )
    scripts: dict[str, Any] = {}
    for i in locks:
        scripts[f"bench_{i}_set_code"] = SET_SCRIPT
        scripts[f"bench_{i}_clear_code"] = CLEAR_SCRIPT
    for rental in range(rentals):
        scripts[f"bench_{windowed(rental)}_set_code_with_window"] = WINDOW_SCRIPT
    require(await async_setup_component(hass, "script", {"script": scripts}))
    for rental in range(rentals):
        make_entry(plain(rental)).add_to_hass(hass)
        entry = make_entry(windowed(rental))
        MockConfigEntry(
            domain=bac.DOMAIN,
            entry_id=entry.entry_id,
            title=entry.title,
            unique_id=entry.unique_id,
            data={
                **entry.data,
                bac.CONF_WINDOW_SCRIPT: (
                    f"script.bench_{windowed(rental)}_set_code_with_window"
                ),
            },
            options=dict(entry.options),
        ).add_to_hass(hass)
    require(await async_setup_component(hass, bac.DOMAIN, {}))
    await settle(hass)


@dataclass(frozen=True, slots=True)
class Rental:
    """One rental's month: its bookings and its locks' offline hours."""

    bookings: list[Booking]
    offline: list[bool]


def rentals_month(rentals: int, start: datetime, days: int) -> list[Rental]:
    """Each rental's bookings and offline hours, from its own seeded generator."""
    hours = (days + 6) * 24  # and the last stays' check-outs
    months = []
    for rental in range(rentals):
        rng = random.Random(SEED + rental)  # noqa: S311 - a reproducible month
        bookings = month_of_bookings(rng, start, days)
        months.append(Rental(bookings, offline_hours(rng, hours, OFFLINE_SHARE)))
    return months


class Windows(Scenario):
    """Guests who needed a backup code, with and without lock-kept windows."""

    name = "windows"
    parts = ("windows",)
    heading = "Lock-kept windows"
    target_rank = 60

    def plan(self, params: Params, part: str) -> list[Job]:
        """One run."""
        return [self.job("windows: a month of bookings", "month")]

    async def run(self, ctx: RunContext, job: Job) -> dict[str, Any]:
        """The month, hour by hour: switch the locks, book, let the points fire."""
        days, rentals = ctx.params.window_days, ctx.params.window_rentals
        with ctx.config_dir("windows") as config_dir:
            async with home_assistant(config_dir) as hass:
                await setup_rentals(hass, rentals)
                backups: set[tuple[str, str]] = set()  # (lock, grant)
                without_code: set[tuple[str, str]] = set()

                def told(event: Event[dict[str, Any]]) -> None:
                    if event.data["access_method"]["is_backup_code"]:
                        backups.add(
                            (
                                event.data["lock_entity_id"],
                                event.data["access_grant_id"],
                            )
                        )

                def failed(event: Event[dict[str, Any]]) -> None:
                    without_code.add(
                        (event.data["lock_entity_id"], event.data["access_grant_id"])
                    )

                unsubs = [
                    hass.bus.async_listen(bac.EVENT_ISSUED, told),
                    hass.bus.async_listen(bac.EVENT_REISSUED, told),
                    hass.bus.async_listen(bac.EVENT_ISSUE_FAILED, failed),
                ]
                start = dt_util.utcnow().replace(minute=0, second=0, microsecond=0)
                start += timedelta(hours=1)
                months = rentals_month(rentals, start, days)
                hours = len(months[0].offline)
                bookings = sorted(
                    (
                        (rental, booking)
                        for rental, month in enumerate(months)
                        for booking in month.bookings
                    ),
                    key=lambda item: (item[1].booked_at, item[0]),
                )
                online = [True] * rentals
                for hour in range(hours):
                    hour_start = start + timedelta(hours=hour)
                    # The hour's state holds from its first instant: switch just before.
                    CLOCK.advance_to(hour_start - timedelta(seconds=1))
                    await tick(hass)
                    for state in (False, True):
                        switched = [
                            r
                            for r, month in enumerate(months)
                            if online[r] != state and month.offline[hour] != state
                        ]
                        for r in switched:
                            online[r] = state
                        if switched:
                            await set_online(
                                hass,
                                [i for r in switched for i in (plain(r), windowed(r))],
                                state,
                            )
                    CLOCK.advance_to(hour_start)
                    await tick(hass)
                    while bookings and bookings[0][
                        1
                    ].booked_at < hour_start + timedelta(hours=1):
                        rental, booking = bookings.pop(0)
                        CLOCK.advance_to(max(booking.booked_at, hour_start))
                        await create_grant(
                            hass,
                            [plain(rental), windowed(rental)],
                            booking.starts_at,
                            booking.ends_at,
                            f"Guest {rental}-{booking.starts_at:%m%d}",
                        )
                        await tick(hass)
                for unsub in unsubs:
                    unsub()
        every = [b for month in months for b in month.bookings]

        def count(found: set[tuple[str, str]], lock_of: Any) -> int:
            locks = {lock_id(lock_of(r)) for r in range(rentals)}
            return sum(1 for lock, _ in found if lock in locks)

        return {
            "days": days,
            "rentals": rentals,
            "seed": SEED,
            "offline_share": OFFLINE_SHARE,
            "offline_hours": sum(sum(month.offline) for month in months),
            "hours": hours * rentals,
            "guests": len(every),
            "last_minute": sum(
                b.starts_at - b.booked_at < timedelta(hours=36) for b in every
            ),
            "backup_without_windows": count(backups, plain),
            "backup_with_windows": count(backups, windowed),
            "no_code_without_windows": count(without_code, plain),
            "no_code_with_windows": count(without_code, windowed),
        }

    def empty(self) -> dict[str, Any]:
        """The month."""
        return {"windows": None}

    def keep(self, res: Results, job: Job, value: Any) -> None:
        """The run."""
        res.data["windows"] = value

    def targets(self, res: Results) -> list[Target]:
        """Fewer guests need a backup code on the lock that keeps windows."""
        if (month := res.data.get("windows")) is None:
            return []
        return [
            Target(
                f"Backup codes needed: {month['guests']} guests of {month['rentals']} "
                f"rentals over {month['days']} days, locks offline "
                f"{fmt(100 * month['offline_share'], 0)}% of the hours",
                "fewer with lock-kept windows",
                f"{month['backup_with_windows']} with windows, "
                f"{month['backup_without_windows']} without",
                month["backup_with_windows"] <= month["backup_without_windows"],
                "issue 13",
            )
        ]

    def section(self, res: Results) -> list[str]:
        """The month, and the guests who needed a backup code on each lock."""
        if (month := res.data.get("windows")) is None:
            return []
        guests = month["guests"] or 1

        def share(count: int) -> str:
            return f"{count} ({fmt(100 * count / guests, 0)}%)"

        return [
            (
                f"{month['rentals']} rentals over {month['days']} simulated days: "
                f"{month['guests']} guests (seeds {month['seed']} on; "
                f"{month['last_minute']} booked less than 36 hours ahead), each with one "
                "access grant on both locks of its rental; the two locks of a rental "
                f"offline in the same hours, {month['offline_hours']} of "
                f"{month['hours']} lock-pair hours "
                f"({fmt(100 * month['offline_share'], 0)}% each hour). A guest needs a "
                "backup code when the lock is offline at the issue point, or, without "
                "lock-kept windows, at the program point."
            ),
            "",
            "| lock | guests told a backup code | guests left without a code |",
            "|---|---|---|",
            (
                "| codes on at the program point (two scripts) | "
                f"{share(month['backup_without_windows'])} | "
                f"{month['no_code_without_windows']} |"
            ),
            (
                "| codes the lock keeps on time itself (third script) | "
                f"{share(month['backup_with_windows'])} | "
                f"{month['no_code_with_windows']} |"
            ),
            "",
        ]


WINDOWS = Windows()
