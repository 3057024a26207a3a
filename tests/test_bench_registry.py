"""The benchmark's scenario registry: adding a scenario is one module and one registry entry.

No Home Assistant runs here: a scenario that measures nothing is planned, filed and reported
next to the real ones, the way the Z-Wave JS and panel scenarios were added.
"""

from pathlib import Path
from typing import Any

import pytest

from benchmarks.__main__ import plan
from benchmarks.base import Job, RunContext, Scenario
from benchmarks.machine import machine_info
from benchmarks.params import MODES
from benchmarks.report import all_targets, build_report, results_json
from benchmarks.results import Results, Target
from benchmarks.scenarios import PARTS, SCENARIOS
from benchmarks.scenarios.panel import PANEL
from e2e import chromium

REGISTERED_PARTS = (
    "setup",
    "memory",
    "sequential",
    "burst",
    "stream",
    "offline",
    "failed",
    "idle",
    "windows",
    "zwave",
    "panel",
)
REGISTERED_HEADINGS = (
    "## 1. Setup and memory",
    "## 2. Issuance latency (trigger → event on the bus, `loop.time()`)",
    "## 3. Idle cost",
    "## 4. Storage",
    "## 5. Peers on the same workload",
    "## 6. Lock-kept windows",
    "## 7. Z-Wave JS locks (issue 14)",
    "## 8. Admin panel (issue 12)",
)


class Example(Scenario):
    """A scenario of the kind other work will add: one part, a section and a target."""

    name = "example"
    parts = ("example",)
    heading = "Example"
    target_rank = 15  # between issuance (10) and storage (20)

    def plan(self, params: Any, part: str) -> list[Job]:
        """One run per repeat."""
        return [self.job(f"example run {r + 1}", "load") for r in range(params.repeats)]

    async def run(self, ctx: RunContext, job: Job) -> dict[str, Any]:
        """Nothing to measure in this test."""
        return {"load_ms": 12.5}

    def empty(self) -> dict[str, Any]:
        """No runs yet."""
        return {"example": []}

    def keep(self, res: Results, job: Job, value: Any) -> None:
        """One more run."""
        res.data["example"].append(value)

    def targets(self, res: Results) -> list[Target]:
        """The slowest load."""
        if not (runs := res.data["example"]):
            return []
        worst = max(r["load_ms"] for r in runs)
        return [Target("Example load", "≤ 100 ms", f"{worst} ms", worst <= 100)]

    def section(self, res: Results) -> list[str]:
        """A line per run."""
        return [f"Example load: {r['load_ms']} ms." for r in res.data["example"]] + [""]


def test_registry_parts_and_sections(tmp_path: Path) -> None:
    """The parts --only knows, and the sections of an empty report, in registry order."""
    assert PARTS == REGISTERED_PARTS
    res = Results(params=MODES["smoke"], machine=machine_info(tmp_path))
    for scenario in SCENARIOS:
        res.data.update(scenario.empty())
    report = build_report(res, SCENARIOS)
    positions = [report.index(heading) for heading in REGISTERED_HEADINGS]
    assert positions == sorted(positions)
    assert report.index(REGISTERED_HEADINGS[-1]) < report.index("## Method")
    assert "## 9." not in report
    assert list(results_json(res, SCENARIOS)) == [
        "mode",
        "machine",
        "setup",
        "memory",
        "memory_grants",
        "latency",
        "idle",
        "windows",
        "zwave",
        "panel",
        "targets",
        "errors",
        "load",
        "sources",
        "runtime_s",
    ]


async def test_a_new_scenario_is_one_registry_entry(tmp_path: Path) -> None:
    """A registered scenario gets its jobs, its JSON key, its section and its targets."""
    example = Example()
    scenarios = (*SCENARIOS, example)
    params = MODES["smoke"]

    jobs = plan(scenarios, params, {"idle", "example"})
    assert [(j.label, j.scenario, j.run) for j in jobs] == [
        ("idle", "idle", "idle"),
        ("example run 1", "example", "load"),
    ]
    assert plan(scenarios, params, {"idle"}) == jobs[:1]

    res = Results(params=params, machine=machine_info(tmp_path))
    for scenario in scenarios:
        res.data.update(scenario.empty())
    job = jobs[1]
    example.keep(res, job, await example.run(RunContext(params, tmp_path), job))

    report = build_report(res, scenarios)
    assert "## 9. Example\n\nExample load: 12.5 ms.\n" in report
    assert report.index("## 8. Admin panel") < report.index("## 9. Example")
    assert report.index("## 9. Example") < report.index("## Method")
    assert "| Example load | ≤ 100 ms | 12.5 ms | **met** | DESIGN |" in report
    assert results_json(res, scenarios)["example"] == [{"load_ms": 12.5}]


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


async def test_panel_without_a_browser_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No Chromium: the browser run is "not measured (why)", not a failure of the run."""
    monkeypatch.setattr(chromium, "CHROMIUM", tmp_path / "no-chromium")
    params = MODES["quick"]
    jobs = plan(SCENARIOS, params, {"panel"})
    assert [j.run for j in jobs] == ["bundle", "browser"]
    assert [j.run for j in plan(SCENARIOS, MODES["smoke"], {"panel"})] == ["bundle"]

    res = Results(params=params, machine={})
    for scenario in SCENARIOS:
        res.data.update(scenario.empty())
    for job in jobs:
        PANEL.keep(res, job, await PANEL.run(RunContext(params, tmp_path), job))
    (reason,) = res.data["panel"]["browser"].values()
    # The frontend first (where only the test requirements are installed), else Chromium.
    assert "frontend is missing" in reason or reason.startswith(
        f"{tmp_path / 'no-chromium'} is missing"
    )
    targets = {t.name: t for t in PANEL.targets(res)}
    assert targets["Panel bundle, gzipped"].met is True
    slow = [t for name, t in targets.items() if name.startswith("Panel ready")]
    assert len(slow) == 2
    assert all(t.met is None and t.measured.startswith("not measured (") for t in slow)
    assert "Panel in the browser: not measured (" in "\n".join(PANEL.section(res))
