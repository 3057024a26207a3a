"""Memory: what a lock costs, and a grant (a future one, or one holding a backup code).

tracemalloc over setting N entries up (a separate run per N), and over adding grants to
running locks; the integration's own allocations apart from everything Home Assistant
allocated for them. The per-grant run also measures the Store file's growth.
"""

from datetime import timedelta
import gc
import tracemalloc
from typing import Any, cast

from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from ..base import Job, RunContext, Scenario
from ..const import BIG_POOL, DOMAIN
from ..formatting import fmt
from ..instance import flush_store, home_assistant, settle
from ..locks import (
    grant_each_lock,
    home_with_locks,
    make_entry,
    require,
    set_online,
    setup_environment,
)
from ..params import Params
from ..probe import PROBE
from ..results import Results, Target
from ..stats import snapshot_growth
from .setup import HEADING


def memory_runs(res: Results) -> dict[int, dict[str, Any]]:
    """The memory run of each N."""
    return cast(dict[int, dict[str, Any]], res.data["memory"])


def memory_per_grant(res: Results) -> dict[str, Any] | None:
    """The per-grant memory run, if it ran."""
    return cast(dict[str, Any] | None, res.data["memory_grants"])


def _snapshot() -> tracemalloc.Snapshot:
    gc.collect()
    return tracemalloc.take_snapshot()


class Memory(Scenario):
    """Memory per lock and per grant."""

    name = "memory"
    parts = ("memory",)
    heading = HEADING
    target_rank = 40

    def plan(self, params: Params, part: str) -> list[Job]:
        """Each N once, then the per-grant run."""
        return [
            *(self.job(f"memory N={n}", "memory", n) for n in params.memory_ns),
            self.job("memory per grant", "memory_grants"),
        ]

    async def run(self, ctx: RunContext, job: Job) -> dict[str, Any]:
        """Per lock (with a size) or per grant."""
        if job.arg is None:
            return await self.per_grant(ctx)
        return await self.per_lock(ctx, job.arg)

    async def per_lock(self, ctx: RunContext, n: int) -> dict[str, Any]:
        """Tracemalloc over adding N locks: the integration's own objects, and everything."""
        with ctx.config_dir(f"memory-{n}") as config_dir:
            async with home_assistant(config_dir) as hass:
                await setup_environment(hass, n)
                await settle(hass)
                gc.collect()
                tracemalloc.start(2)
                before = tracemalloc.take_snapshot()
                entries = [make_entry(i) for i in range(n)]
                for entry in entries:
                    entry.add_to_hass(hass)
                require(await async_setup_component(hass, DOMAIN, {}))
                await settle(hass)
                await flush_store(hass)
                after = _snapshot()
                tracemalloc.stop()
        ours, everything = snapshot_growth(before, after)
        return {
            "n": n,
            "ours_bytes": ours,
            "ours_per_lock_bytes": ours / n,
            "all_bytes": everything,
            "all_per_lock_bytes": everything / n,
        }

    async def per_grant(self, ctx: RunContext) -> dict[str, Any]:
        """Tracemalloc over adding grants: future ones, then last-minute ones holding backups."""
        n = ctx.params.locks
        per_lock = ctx.params.grants_per_lock
        result: dict[str, Any] = {"locks": n}
        with ctx.config_dir("memory-grants") as config_dir:
            async with home_with_locks(config_dir, n, BIG_POOL) as hass:
                now = dt_util.utcnow()
                store_file = config_dir / ".storage" / DOMAIN
                size0 = store_file.stat().st_size
                gc.collect()
                tracemalloc.start(2)
                snap0 = tracemalloc.take_snapshot()
                await grant_each_lock(
                    hass,
                    n,
                    per_lock,
                    lambda g, i: now + timedelta(days=20 + g, minutes=i),
                    timedelta(days=1),
                    "G",
                )
                await settle(hass)
                await flush_store(hass)
                snap1 = _snapshot()
                size1 = store_file.stat().st_size
                await set_online(hass, range(n), False)
                snap2 = _snapshot()
                later = dt_util.utcnow() + timedelta(minutes=30)
                await grant_each_lock(
                    hass, n, per_lock, lambda g, i: later, timedelta(days=2), "L"
                )
                await settle(hass)
                await flush_store(hass)
                snap3 = _snapshot()
                size2 = store_file.stat().st_size
                tracemalloc.stop()
                backups = sum(1 for e in PROBE.events if e.is_backup)
        grants = n * per_lock
        ours_future, all_future = snapshot_growth(snap0, snap1)
        ours_issued, all_issued = snapshot_growth(snap2, snap3)
        result.update(
            grants=grants,
            backups_issued=backups,
            ours_per_future_grant_bytes=ours_future / grants,
            all_per_future_grant_bytes=all_future / grants,
            ours_per_issued_grant_bytes=ours_issued / grants,
            all_per_issued_grant_bytes=all_issued / grants,
            store_bytes_per_future_grant=(size1 - size0) / grants,
            store_bytes_per_issued_grant=(size2 - size1) / grants,
        )
        return result

    def empty(self) -> dict[str, Any]:
        """The run of each N, and the per-grant run."""
        return {"memory": {}, "memory_grants": None}

    def keep(self, res: Results, job: Job, value: Any) -> None:
        """File a per-lock or the per-grant run."""
        if job.arg is None:
            res.data["memory_grants"] = value
        else:
            memory_runs(res)[job.arg] = value

    def targets(self, res: Results) -> list[Target]:
        """Own objects per lock at the largest N, and per grant."""
        targets: list[Target] = []
        if runs := memory_runs(res):
            n_max = max(runs)
            per_lock = runs[n_max]["ours_per_lock_bytes"]
            targets.append(
                Target(
                    f"Memory of the integration's own objects per lock ({n_max} locks)",
                    "≤ 10 KB (issue 6: ≤ 50 KB)",
                    f"{fmt(per_lock / 1024, 2)} KB",
                    per_lock <= 10 * 1024,
                    "DESIGN + issue 6",
                )
            )
        if (mg := memory_per_grant(res)) is not None:
            worst = max(
                mg["ours_per_future_grant_bytes"], mg["ours_per_issued_grant_bytes"]
            )
            targets.append(
                Target(
                    "Memory of the integration's own objects per grant",
                    "≤ 1 KB (issue 6: ≤ 2 KB)",
                    f"{fmt(mg['ours_per_future_grant_bytes'] / 1024, 2)} KB future, "
                    f"{fmt(mg['ours_per_issued_grant_bytes'] / 1024, 2)} KB holding a "
                    "backup",
                    worst <= 1024,
                    "DESIGN + issue 6",
                )
            )
        return targets

    def section(self, res: Results) -> list[str]:
        """The memory table, and the per-grant paragraph."""
        out: list[str] = []
        if runs := memory_runs(res):
            out.extend(
                (
                    (
                        "Memory (tracemalloc, a separate run per N, growth over setting the N "
                        "entries up and programming their pools, after `gc.collect()`): *own "
                        "objects* are allocations made in `custom_components/backup_access_codes/` "
                        "(or in dataclass code it called); *everything* adds what Home Assistant "
                        "allocated for them (entities, states, registry entries, devices, script "
                        "runs)."
                    ),
                    "",
                    "| N | own objects, total | own objects per lock | everything per lock |",
                    "|---|---|---|---|",
                )
            )
            out.extend(
                f"| {n} | {fmt(mem['ours_bytes'] / 1024, 1)} KB "
                f"| {fmt(mem['ours_per_lock_bytes'] / 1024, 2)} KB "
                f"| {fmt(mem['all_per_lock_bytes'] / 1024, 1)} KB |"
                for n, mem in sorted(runs.items())
            )
            out.append("")
        if (mg := memory_per_grant(res)) is not None:
            out.extend(
                (
                    (
                        f"Per grant ({mg['locks']} locks, {mg['grants']} grants each way; pool "
                        f"of 10): own objects {fmt(mg['ours_per_future_grant_bytes'], 0)} B per "
                        "future grant and "
                        f"{fmt(mg['ours_per_issued_grant_bytes'], 0)} B per last-minute grant "
                        f"holding a backup code ({mg['backups_issued']} backups issued); "
                        f"everything {fmt(mg['all_per_future_grant_bytes'], 0)} B / "
                        f"{fmt(mg['all_per_issued_grant_bytes'], 0)} B. Store file: "
                        f"{fmt(mg['store_bytes_per_future_grant'], 0)} B per future grant, "
                        f"{fmt(mg['store_bytes_per_issued_grant'], 0)} B per grant holding a "
                        "backup."
                    ),
                    "",
                )
            )
        return out


MEMORY = Memory()
