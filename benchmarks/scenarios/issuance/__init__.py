"""Issuance: how fast a guest gets a backup code, from the trigger to the event on the bus.

Five runs (``last_minute``: one after another, at once, a stream; ``triggered``: offline at the
issue point, failed programming), each repeated; their Store writes and durability feed the
Storage section too.
"""

from collections.abc import Awaitable, Callable
import math
from typing import Any, cast

from ...base import Job, RunContext, Scenario
from ...formatting import fmt, fmt_agg
from ...params import Params
from ...results import Results, Target
from .last_minute import burst, sequential, stream
from .triggered import failed, offline

REFERENCE_ISSUE_S = 300.0  # the reference service: "usually within 5 minutes"
RUNS: dict[str, Callable[[RunContext], Awaitable[dict[str, Any]]]] = {
    "sequential": sequential,
    "burst": burst,
    "stream": stream,
    "offline": offline,
    "failed": failed,
}
# part, measure, target, limit (ms), digits, from
P99_TARGETS = (
    (
        "sequential",
        "Last-minute issuance, one after another",
        "p99 < 2 ms",
        2,
        3,
        "DESIGN",
    ),
    (
        "burst",
        "Last-minute issuance, 100 at once × rounds",
        "p99 < 50 ms",
        50,
        2,
        "DESIGN + issue 6",
    ),
    (
        "offline",
        "Lock offline before the issue point: trigger → event",
        "p99 < 50 ms",
        50,
        2,
        "issue 6",
    ),
    (
        "failed",
        "Failed programming (after quick retries): trigger → event",
        "p99 < 50 ms",
        50,
        2,
        "issue 6",
    ),
)


def latency_runs(res: Results) -> dict[str, list[dict[str, Any]]]:
    """The runs of each part."""
    return cast(dict[str, list[dict[str, Any]]], res.data["latency"])


def labels(p: Params) -> dict[str, str]:
    """The rows of the latency table (the stream is only in the Storage section)."""
    return {
        "sequential": "last-minute, one after another",
        "burst": f"last-minute, {p.locks} at once × {p.grants_per_lock}",
        "offline": "lock offline before the issue point",
        "failed": "failed programming",
    }


class Issuance(Scenario):
    """Issuance latency, five ways."""

    name = "issuance"
    parts = tuple(RUNS)
    heading = "Issuance latency (trigger → event on the bus, `loop.time()`)"
    target_rank = 10

    def plan(self, params: Params, part: str) -> list[Job]:
        """The part, repeated."""
        return [self.job(f"{part} run {r + 1}", part) for r in range(params.repeats)]

    async def run(self, ctx: RunContext, job: Job) -> dict[str, Any]:
        """One run of one part."""
        return await RUNS[job.run](ctx)

    def empty(self) -> dict[str, Any]:
        """Runs by part."""
        return {"latency": {}}

    def keep(self, res: Results, job: Job, value: Any) -> None:
        """One more run of this part."""
        latency_runs(res).setdefault(job.run, []).append(value)

    def targets(self, res: Results) -> list[Target]:
        """p99 of each part but the stream."""
        targets = []
        for part, name, target, limit_ms, digits, source in P99_TARGETS:
            if runs := latency_runs(res).get(part):
                p99 = res.col(runs, "p99_ms")
                targets.append(
                    Target(
                        name,
                        target,
                        fmt_agg(p99, digits, " ms"),
                        p99["median"] < limit_ms,
                        source,
                    )
                )
        return targets

    def section(self, res: Results) -> list[str]:
        """What each part does, the latency table, and a few lines on the runs."""
        p, lat, c = res.params, latency_runs(res), res.col
        out = [
            (
                f"{p.locks} locks (pool of 10, 20 slots), {p.grants} grants. *One after "
                "another*: a last-minute `create_access_grant` (check-in in 30 minutes) on an "
                "offline lock, from the call to the `backup_access_codes_issued` event, the next "
                f"call when the event is in. *At once*: {p.grants_per_lock} rounds, each one "
                "grant per offline lock, all calls started together, from the round's start to "
                "each event (so it includes queueing behind the others); 2 s between rounds. "
                "*Offline before the issue point*: grants made while the locks are online, then "
                f"all {p.locks} locks go offline; the clock jumps to each round's common issue "
                "point (all locks' timers due at once), from that moment to each event. *Failed "
                "programming*: locks online, the scripts answer `success: false`; at each "
                "round's program point, from the provider's last failed answer (third try, after "
                "the quick retries 10 s and 30 s) to the `backup_access_codes_reissued` event."
            ),
            "",
            (
                "| scenario | grants | p50 | p99 | max | vs. the reference's 5 minutes (p99) | "
                "GC pauses in the window: full collections, longest |"
            ),
            "|---|---|---|---|---|---|---|",
        ]
        for key, label in labels(p).items():
            if runs := lat.get(key):
                p99 = c(runs, "p99_ms")
                ratio = (
                    REFERENCE_ISSUE_S * 1000 / p99["median"]
                    if p99["median"]
                    else math.nan
                )
                out.append(
                    f"| {label} | {fmt(c(runs, 'n')['median'], 0)} "
                    f"| {fmt_agg(c(runs, 'p50_ms'), 3, ' ms')} "
                    f"| {fmt_agg(p99, 3, ' ms')} | {fmt_agg(c(runs, 'max_ms'), 2, ' ms')} "
                    f"| {fmt(ratio, 0)}× faster "
                    f"| {fmt(c(runs, 'gc_full')['median'], 0)}, "
                    f"{fmt(c(runs, 'gc_max_ms')['max'], 1)} ms |"
                )
        out.append("")
        if runs := lat.get("sequential"):
            out.append(
                "One after another: the service call itself took p99 "
                f"{fmt_agg(c(runs, 'call_p99_ms'), 3, ' ms')}; the {p.grants} grants took "
                f"{fmt_agg(c(runs, 'burst_s'), 2, ' s')} in all; "
                f"{fmt(c(runs, 'backups')['median'], 0)} backups issued, "
                f"{fmt(c(runs, 'issue_failed')['median'], 0)} issue_failed; "
                f"{fmt(c(runs, 'state_writes_per_grant')['median'], 1)} entity state "
                "writes per grant. p99 of the first tenth of the grants "
                f"{fmt_agg(c(runs, 'first_tenth_p99_ms'), 3, ' ms')}, of the last tenth "
                f"{fmt_agg(c(runs, 'last_tenth_p99_ms'), 3, ' ms')}."
            )
        if runs := lat.get("burst"):
            out.append(
                "At once: the slowest event of the first round came "
                f"{fmt_agg(c(runs, 'first_round_max_ms'), 1, ' ms')} after the round's "
                f"start, of the last round (with {p.grants - p.locks} grants already "
                f"stored) {fmt_agg(c(runs, 'last_round_max_ms'), 1, ' ms')}."
            )
        if runs := lat.get("failed"):
            out.append(
                f"Failed programming: {fmt(c(runs, 'failed_provider_calls')['median'], 0)} "
                f"failed provider calls, {fmt(c(runs, 'reissued')['median'], 0)} reissued "
                f"events, {fmt(c(runs, 'warnings_logged')['median'], 0)} warnings logged by "
                "the integration."
            )
        out.append("")
        return out


ISSUANCE = Issuance()
