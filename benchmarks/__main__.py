"""Performance benchmark of Backup Access Codes on real Home Assistant core (issue 6).

The command line of ``scripts/bench``: parse the options, plan the jobs of the selected
parts, run them (each in a fresh process, or all in this one), print the report and write it
(and, with --json, the raw results). See the package docstring for the layout.
"""

import argparse
from collections.abc import Sequence
import cProfile
import json
from pathlib import Path
import shutil
import sys
import tempfile

from .base import Job, Scenario
from .clock import REAL_MONOTONIC
from .const import DEFAULT_OUTPUT
from .machine import machine_info
from .params import MODES, Params
from .patches import setup_logging
from .report import build_report, results_json
from .results import Results
from .runner import (
    QuietWait,
    checkout_digest,
    run_jobs_in_process,
    run_jobs_isolated,
    worker,
)
from .scenarios import PARTS, SCENARIOS


def plan(scenarios: Sequence[Scenario], params: Params, parts: set[str]) -> list[Job]:
    """The jobs of a run, in registry order."""
    return [job for scenario in scenarios for job in scenario.jobs(params, parts)]


def parse_args() -> argparse.Namespace:
    """The options."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench", description=(__doc__ or "").split("\n", 1)[0]
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a small run")
    size.add_argument(
        "--smoke", action="store_true", help="a tiny run (the test suite's)"
    )
    parser.add_argument("--repeats", type=int, help="runs of each timed scenario")
    parser.add_argument("--only", help=f"comma-separated parts: {', '.join(PARTS)}")
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="Markdown report"
    )
    parser.add_argument("--json", type=Path, help="also write the raw results as JSON")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run every scenario in this process (default for --smoke; otherwise each "
        "scenario run gets a fresh process)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="write cProfile stats of the run here (implies --in-process)",
    )
    parser.add_argument(
        "--quiet-below",
        type=float,
        default=30.0,
        metavar="PERCENT",
        help="before each scenario run, wait (up to 20 s) while other processes use more "
        "than this share of the CPUs (default 30)",
    )
    parser.add_argument(
        "--quiet-budget",
        type=float,
        default=180.0,
        metavar="SECONDS",
        help="the longest the whole run waits for quiet (default 180; 0 never waits)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    parts = set(PARTS) if not args.only else {p.strip() for p in args.only.split(",")}
    if unknown := parts - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    args.parts = parts
    return args


def main() -> int:
    """Parse the arguments, run, print and write the report."""
    args = parse_args()
    if args.worker:
        return worker(SCENARIOS, args.worker)

    params = MODES["smoke" if args.smoke else "quick" if args.quick else "full"]
    if args.repeats:
        params.repeats = args.repeats
    in_process = args.in_process or args.smoke or args.profile is not None

    work_dir = Path(tempfile.mkdtemp(prefix="bac-bench-"))
    res = Results(params=params, machine=machine_info(work_dir))
    for scenario in SCENARIOS:
        res.data.update(scenario.empty())
    res.command = (
        "scripts/bench " + " ".join(sys.argv[1:]) if sys.argv[1:] else "scripts/bench"
    )
    jobs = plan(SCENARIOS, params, args.parts)
    print(
        f"bench: {params.mode} run, {len(jobs)} scenario runs"
        f"{' in this process' if in_process else ', each in a fresh process'}",
        file=sys.stderr,
    )
    started = REAL_MONOTONIC()
    listener = setup_logging(work_dir / "home-assistant.log") if in_process else None
    profiler = cProfile.Profile() if args.profile else None
    try:
        if in_process:
            if profiler:
                profiler.enable()
            run_jobs_in_process(SCENARIOS, jobs, res, work_dir)
        else:
            quiet = QuietWait(args.quiet_below, per_job=20.0, total=args.quiet_budget)
            run_jobs_isolated(SCENARIOS, jobs, res, work_dir, quiet)
            res.quiet_waited_s = quiet.waited
            res.checkout_changed = (
                bool(res.sources) and res.sources[0] != checkout_digest()
            )
    finally:
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        if listener:
            listener.stop()
        res.runtime_s = REAL_MONOTONIC() - started
        shutil.rmtree(work_dir, ignore_errors=True)

    report = build_report(res, SCENARIOS)
    print(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report + "\n")
    print(
        f"bench: report written to {args.output} ({res.runtime_s:.0f} s)",
        file=sys.stderr,
    )
    if args.json:
        args.json.write_text(
            json.dumps(results_json(res, SCENARIOS), indent=1, default=str) + "\n"
        )
    return 1 if res.errors else 0


if __name__ == "__main__":
    sys.exit(main())
