"""Idle cost: what wakes up, calls a lock and writes over simulated days with nothing due.

Locks online with their pools programmed and grants whose first points are days away;
simulated time moves on in steps (fine the first day, coarse after). Also: entities per lock
with and without grants, and the timers the integration keeps armed.
"""

from datetime import timedelta
from typing import Any, cast

from custom_components.backup_access_codes import const as bac
from homeassistant.util import dt as dt_util

from ..base import Job, RunContext, Scenario
from ..clock import CLOCK, REAL_MONOTONIC
from ..const import default_option
from ..instance import flush_store, tick
from ..locks import grant_each_lock, home_with_locks
from ..params import Params
from ..probe import PROBE
from ..results import Results, Target

# The five pool entities and the grants calendar (DESIGN: "Entities per lock").
ENTITIES_PER_LOCK = 6
COUNTS = (
    ("timer_fires", "wake-ups (timer callbacks fired)"),
    ("provider_calls", "provider calls"),
    ("store_writes", "Store writes"),
    ("state_writes", "entity state writes"),
    ("evaluations", "lock evaluations"),
    ("events", "events"),
)


def idle_run(res: Results) -> dict[str, Any] | None:
    """The idle run, if it ran."""
    return cast(dict[str, Any] | None, res.data["idle"])


def counts() -> dict[str, Any]:
    """What happened since the counters were zeroed."""
    return {
        "timer_fires": PROBE.timer_fires,
        "provider_calls": PROBE.provider_calls,
        "store_writes": PROBE.our_store_writes(),
        "state_writes": PROBE.state_writes,
        "evaluations": PROBE.updates,
        "events": len(PROBE.events),
    }


class Idle(Scenario):
    """Idle days with grants far away."""

    name = "idle"
    parts = ("idle",)
    heading = "Idle cost"
    target_rank = 50

    def plan(self, params: Params, part: str) -> list[Job]:
        """One run."""
        return [self.job("idle", "idle")]

    async def run(self, ctx: RunContext, job: Job) -> dict[str, Any]:
        """A week of simulated time with grants far away: what wakes up, calls, writes."""
        p = ctx.params
        n, per_lock = p.locks, p.grants_per_lock
        PROBE.track_timers = True
        with ctx.config_dir("idle") as config_dir:
            async with home_with_locks(config_dir, n) as hass:
                entities_without_grants = PROBE.learn_entities(hass)
                lead = timedelta(hours=default_option(bac.CONF_BACKUP_LEAD_HOURS))
                first_start = (
                    dt_util.utcnow()
                    + timedelta(days=p.idle_days)
                    + lead
                    + timedelta(days=2)
                )
                await grant_each_lock(
                    hass,
                    n,
                    per_lock,
                    lambda g, i: first_start + timedelta(days=g, minutes=i),
                    timedelta(days=1),
                    "I",
                )
                await flush_store(hass)
                entities_with_grants = PROBE.learn_entities(hass)
                PROBE.reset()
                armed_before = PROBE.armed_timers()
                real0 = REAL_MONOTONIC()
                day1: dict[str, Any] = {}
                steps = 0
                for day in range(p.idle_days):
                    step = p.fine_step if day == 0 else p.coarse_step
                    t_day = dt_util.utcnow() + timedelta(days=1)
                    while dt_util.utcnow() < t_day:
                        CLOCK.advance(step.total_seconds())
                        steps += 1
                        await tick(hass)
                    if day == 0:
                        day1 = counts()
                week = counts()
                armed_after = PROBE.armed_timers()
                lock_owners = [o for o in armed_after if o != "shared"]
                result = {
                    "locks": n,
                    "grants": n * per_lock,
                    "days": p.idle_days,
                    "steps": steps,
                    "real_s": REAL_MONOTONIC() - real0,
                    "day1": day1,
                    "week": week,
                    "armed_timers_before": sum(armed_before.values()),
                    "armed_timers_after": sum(armed_after.values()),
                    "armed_timers_max_per_lock": max(
                        (armed_after[o] for o in lock_owners), default=0
                    ),
                    "armed_shared_timers": armed_after.get("shared", 0),
                    "entities_without_grants": entities_without_grants,
                    "entities_with_grants": entities_with_grants,
                    "entities_per_lock": entities_with_grants / n,
                }
        PROBE.track_timers = False
        return result

    def empty(self) -> dict[str, Any]:
        """The idle run."""
        return {"idle": None}

    def keep(self, res: Results, job: Job, value: Any) -> None:
        """The run."""
        res.data["idle"] = value

    def targets(self, res: Results) -> list[Target]:
        """Nothing happens; entities per lock stay five."""
        if (idle := idle_run(res)) is None:
            return []
        week = idle["week"]
        quiet = (
            week["provider_calls"] == 0
            and week["store_writes"] == 0
            and week["timer_fires"] == 0
            and idle["armed_timers_max_per_lock"] <= 1
        )
        return [
            Target(
                f"Idle: {idle['locks']} locks, {idle['grants']} grants days away, "
                f"{idle['days']} simulated days",
                "0 wake-ups, 0 provider calls, 0 writes, ≤ 1 timer per lock",
                f"{week['timer_fires']} wake-ups, {week['provider_calls']} provider "
                f"calls, {week['store_writes']} writes, ≤ "
                f"{idle['armed_timers_max_per_lock']} timer(s) per lock",
                quiet,
                "DESIGN + issue 6",
            ),
            Target(
                "Entities per lock, whatever the number of grants",
                "6 (constant: five pool entities and the grants calendar)",
                f"{idle['entities_without_grants'] / idle['locks']:g} without grants, "
                f"{idle['entities_per_lock']:g} with {idle['grants']} grants",
                idle["entities_with_grants"]
                == idle["entities_without_grants"]
                == ENTITIES_PER_LOCK * idle["locks"],
                "DESIGN + issue 6",
            ),
        ]

    def section(self, res: Results) -> list[str]:
        """The counts of the first day and of all days, and the armed timers."""
        if (idle := idle_run(res)) is None:
            return []
        p = res.params
        out = [
            (
                f"{idle['locks']} locks online with their pools programmed, {idle['grants']} "
                f"grants whose first points are more than {idle['days']} days away; simulated "
                f"time moved {idle['days']} days ({p.fine_step} steps the first day, "
                f"{p.coarse_step} after; {idle['steps']} steps, {idle['real_s']:.1f} s real). "
                "*Wake-ups* are timer callbacks armed by the integration's code (its own or Home "
                "Assistant's helpers called from it) that fired."
            ),
            "",
            "| | first day | all days |",
            "|---|---|---|",
        ]
        out.extend(
            f"| {label} | {idle['day1'].get(key, 'n/a')} | {idle['week'].get(key, 'n/a')} |"
            for key, label in COUNTS
        )
        out.extend(
            (
                "",
                (
                    f"Timers armed by the integration: {idle['armed_timers_before']} before, "
                    f"{idle['armed_timers_after']} after (at most "
                    f"{idle['armed_timers_max_per_lock']} per lock, "
                    f"{idle['armed_shared_timers']} shared)."
                ),
                "",
            )
        )
        return out


IDLE = Idle()
