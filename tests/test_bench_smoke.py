"""The benchmark (the `benchmarks` package, scripts/bench) runs with tiny sizes, so it never rots.

It runs in a process of its own: the benchmark drives real time and real on-disk storage, which
this suite's frozen clock and in-memory storage would hide. Only the report's shape and the
sanity of its numbers are checked here, never timings against targets.
"""

import json
import math
from pathlib import Path
import re
import subprocess
import sys
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = (
    "# Backup Access Codes — benchmark results",
    "## Machine",
    "## Targets",
    "## 1. Setup and memory",
    "## 2. Issuance latency",
    "## 3. Idle cost",
    "## 4. Storage",
    "## 5. Peers on the same workload",
    "## 6. Lock-kept windows",
    "## 7. Z-Wave JS locks (issue 14)",
    "## 8. Admin panel (issue 12)",
    "## Method",
)
MACHINE_ROWS = ("CPU", "Cores", "RAM", "Python", "Home Assistant")
LATENCY_PARTS = ("sequential", "burst", "stream", "offline", "failed")


def positive(value: Any) -> bool:
    """A finite number above zero."""
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def test_bench_smoke(tmp_path: Path) -> None:
    """A smoke run finishes, writes every section, and its numbers make sense."""
    report_file = tmp_path / "RESULTS.md"
    json_file = tmp_path / "results.json"
    proc = subprocess.run(  # noqa: S603 - our own package, no shell
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--smoke",
            "--output",
            str(report_file),
            "--json",
            str(json_file),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = report_file.read_text()
    assert report.strip() in proc.stdout  # printed too
    for section in SECTIONS:
        assert section in report, section
    for row in MACHINE_ROWS:
        assert re.search(rf"^\| {row} \| .+ \|$", report, re.MULTILINE), row
    assert "**met**" in report or "**not met**" in report

    results = json.loads(json_file.read_text())
    assert results["errors"] == []
    assert results["mode"] == "smoke"
    assert positive(results["runtime_s"])

    # Setup: every lock gets its six entities, each with a state; pools are programmed.
    for n, runs in results["setup"].items():
        for run in runs:
            assert run["entities"] == 6 * int(n)
            assert run["entities_with_state"] == run["entities"]
            assert run["restart_entities_with_state"] == run["entities"]
            assert run["pool_codes_programmed"] >= run["pool_codes_expected"]
            assert run["provider_calls_at_restart"] == 0
            for key in ("first_setup_s", "restart_setup_s", "store_bytes_per_lock"):
                assert positive(run[key]), key
    for memory in results["memory"].values():
        assert positive(memory["ours_per_lock_bytes"])
        assert memory["all_bytes"] >= memory["ours_bytes"]
    grants = results["memory_grants"]
    assert grants["backups_issued"] == grants["grants"]
    assert positive(grants["ours_per_future_grant_bytes"])
    assert positive(grants["store_bytes_per_issued_grant"])

    # Latency: every grant was served, and the percentiles are ordered.
    for part in LATENCY_PARTS:
        runs = results["latency"][part]
        assert runs, part
        for run in runs:
            assert run["n"] > 0, part
            assert positive(run["p50_ms"]), part
            assert run["p50_ms"] <= run["p99_ms"] <= run["max_ms"], part
    for part in ("sequential", "burst", "stream"):
        for run in results["latency"][part]:
            assert run["store"]["writes"] >= 1, part
            durability = run["durability"]
            assert durability["layout_known"], part
            assert durability["never_written"] == 0, part
            assert durability["codes"] == run["n"], part

    # Idle: counts, entities, timers.
    idle = results["idle"]
    for key in ("timer_fires", "provider_calls", "store_writes", "state_writes"):
        assert isinstance(idle["week"][key], int), key
        assert idle["week"][key] >= idle["day1"][key] >= 0, key
    assert idle["entities_without_grants"] == 6 * idle["locks"]
    assert idle["armed_timers_after"] >= 1

    # Lock-kept windows: a short month; never more backups with windows than without.
    month = results["windows"]
    assert month["guests"] >= 1
    assert 0 < month["offline_hours"] < month["hours"]
    assert 0 <= month["backup_with_windows"] <= month["backup_without_windows"]
    assert month["backup_without_windows"] <= month["guests"]

    # Z-Wave JS: every guest code reached the wire, at once and after a dead node's return.
    zwave = results["zwave"]
    for run in zwave["concurrent"]:
        locks = run["locks"]
        assert run["one"]["n"] == locks and run["one"]["missing"] == 0
        at_once = run["at_once"]
        assert at_once["n"] == locks * run["rounds"] and at_once["missing"] == 0
        assert positive(at_once["p50_ms"])
        assert at_once["p50_ms"] <= at_once["p99_ms"] <= at_once["max_ms"]
    assert list(zwave["returns"]) == ["alive"]
    for run in zwave["returns"]["alive"]:
        locks = run["locks"]
        for phase in ("one", "at_once"):  # one node after another, then all at once
            back = run[phase]
            assert back["n"] == locks and back["missing"] == 0, phase
            assert 0 < back["p50_ms"] <= back["p99_ms"] <= back["max_ms"], phase
        assert run["backups"] == 2 * locks and run["writes_while_dead"] == 0
        assert run["pings_while_dead"] >= 2 * locks  # pinged while dead, unanswered
    assert "| `alive` event from the server | " in report
    assert "| Guest code on the wire, 20 locks at once, p99 | " in report  # the peers'

    # The panel: the bundle is measured; the smoke run opens no browser, and says so.
    bundle = results["panel"]["bundle"]
    assert 0 < bundle["gzip_bytes"] < bundle["raw_bytes"]
    assert results["panel"]["browser"] is None
    assert "Panel in the browser: not measured (smoke run: no browser)." in report

    targets = results["targets"]
    names = [t["name"] for t in targets]
    assert any(name.startswith("Z-Wave JS: guest code on the wire") for name in names)
    assert any(name.startswith("Z-Wave JS: dead nodes back") for name in names)
    assert "Panel bundle, gzipped" in names
    assert len(targets) >= 8
    assert all(t["met"] in (True, False, None) for t in targets)
