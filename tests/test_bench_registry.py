"""The benchmark's scenario registry: adding a scenario is one module and one registry entry.

No Home Assistant runs here: a scenario that measures nothing is planned, filed and reported
next to the real ones, the way a new one (Z-Wave JS locks, the panel's timing) would be.
"""

from pathlib import Path
from typing import Any

from benchmarks.__main__ import plan
from benchmarks.base import Job, RunContext, Scenario
from benchmarks.machine import machine_info
from benchmarks.params import MODES
from benchmarks.report import all_targets, build_report, results_json
from benchmarks.results import Results, Target
from benchmarks.scenarios import PARTS, SCENARIOS

ORIGINAL_PARTS = (
    "setup",
    "memory",
    "sequential",
    "burst",
    "stream",
    "offline",
    "failed",
    "idle",
    "windows",
)
ORIGINAL_HEADINGS = (
    "## 1. Setup and memory",
    "## 2. Issuance latency (trigger → event on the bus, `loop.time()`)",
    "## 3. Idle cost",
    "## 4. Storage",
    "## 5. Peers on the same workload",
    "## 6. Lock-kept windows",
)


class Panel(Scenario):
    """A scenario of the kind other work will add: one part, a section and a target."""

    name = "panel"
    parts = ("panel",)
    heading = "Admin panel"
    target_rank = 15  # between issuance (10) and storage (20)

    def plan(self, params: Any, part: str) -> list[Job]:
        """One run per repeat."""
        return [self.job(f"panel run {r + 1}", "load") for r in range(params.repeats)]

    async def run(self, ctx: RunContext, job: Job) -> dict[str, Any]:
        """Nothing to measure in this test."""
        return {"load_ms": 12.5}

    def empty(self) -> dict[str, Any]:
        """No runs yet."""
        return {"panel": []}

    def keep(self, res: Results, job: Job, value: Any) -> None:
        """One more run."""
        res.data["panel"].append(value)

    def targets(self, res: Results) -> list[Target]:
        """The slowest load."""
        if not (runs := res.data["panel"]):
            return []
        worst = max(r["load_ms"] for r in runs)
        return [Target("Panel load", "≤ 100 ms", f"{worst} ms", worst <= 100)]

    def section(self, res: Results) -> list[str]:
        """A line per run."""
        return [f"Panel load: {r['load_ms']} ms." for r in res.data["panel"]] + [""]


def test_registry_keeps_the_original_parts_and_sections(tmp_path: Path) -> None:
    """The parts --only knows, and the sections of an empty report, are as they were."""
    assert PARTS == ORIGINAL_PARTS
    res = Results(params=MODES["smoke"], machine=machine_info(tmp_path))
    for scenario in SCENARIOS:
        res.data.update(scenario.empty())
    report = build_report(res, SCENARIOS)
    positions = [report.index(heading) for heading in ORIGINAL_HEADINGS]
    assert positions == sorted(positions)
    assert report.index(ORIGINAL_HEADINGS[-1]) < report.index("## Method")
    assert "## 7." not in report
    assert list(results_json(res, SCENARIOS)) == [
        "mode",
        "machine",
        "setup",
        "memory",
        "memory_grants",
        "latency",
        "idle",
        "windows",
        "targets",
        "errors",
        "load",
        "sources",
        "runtime_s",
    ]


async def test_a_new_scenario_is_one_registry_entry(tmp_path: Path) -> None:
    """A registered scenario gets its jobs, its JSON key, its section and its targets."""
    panel = Panel()
    scenarios = (*SCENARIOS, panel)
    params = MODES["smoke"]

    jobs = plan(scenarios, params, {"idle", "panel"})
    assert [(j.label, j.scenario, j.run) for j in jobs] == [
        ("idle", "idle", "idle"),
        ("panel run 1", "panel", "load"),
    ]
    assert plan(scenarios, params, {"idle"}) == jobs[:1]

    res = Results(params=params, machine=machine_info(tmp_path))
    for scenario in scenarios:
        res.data.update(scenario.empty())
    job = jobs[1]
    panel.keep(res, job, await panel.run(RunContext(params, tmp_path), job))

    report = build_report(res, scenarios)
    assert "## 7. Admin panel\n\nPanel load: 12.5 ms.\n" in report
    assert report.index("## 6. Lock-kept windows") < report.index("## 7. Admin panel")
    assert report.index("## 7. Admin panel") < report.index("## Method")
    assert "| Panel load | ≤ 100 ms | 12.5 ms | **met** | DESIGN |" in report
    assert results_json(res, scenarios)["panel"] == [{"load_ms": 12.5}]


def test_targets_follow_their_rank() -> None:
    """Rows come by rank (issuance, storage, setup, memory, idle), not by registry order."""
    res = Results(params=MODES["smoke"], machine={})
    for scenario in SCENARIOS:
        res.data.update(scenario.empty())
    res.data["idle"] = {
        "locks": 2,
        "grants": 4,
        "days": 2,
        "week": {"timer_fires": 0, "provider_calls": 0, "store_writes": 1},
        "armed_timers_max_per_lock": 1,
        "entities_without_grants": 12,
        "entities_with_grants": 12,
        "entities_per_lock": 6.0,
    }
    res.data["latency"]["failed"] = [{"p99_ms": 0.5}]
    res.data["memory_grants"] = {  # memory is registered before issuance, ranked after
        "ours_per_future_grant_bytes": 400.0,
        "ours_per_issued_grant_bytes": 2048.0,
    }
    targets = all_targets(res, SCENARIOS)
    assert [t.name for t in targets] == [
        "Failed programming (after quick retries): trigger → event",
        "Memory of the integration's own objects per grant",
        "Idle: 2 locks, 4 grants days away, 2 simulated days",
        "Entities per lock, whatever the number of grants",
    ]
    # Over 1 KB per grant holding a backup, and a Store write in idle time, miss theirs.
    assert [t.met for t in targets] == [True, False, False, True]
