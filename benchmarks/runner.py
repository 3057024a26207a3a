"""Running the jobs: all in this process, or each in a fresh one (``--worker``).

A fresh process per job keeps one run's state and garbage off the next (Home Assistant keeps
stopped instances alive through its per-instance caches). Every such process imports the
snapshot of the integration taken when the run began, so edits to the checkout meanwhile do
not mix versions; before each job the run waits a little (bounded) while other processes keep
the CPUs busy, and reports how busy they were.
"""

import asyncio
from collections.abc import Callable, Sequence
import dataclasses
import hashlib
import json
import logging
import os
from pathlib import Path
import shutil
import subprocess
import sys
import time
from typing import Any

from . import ROOT
from .base import Job, RunContext, Scenario
from .clock import REAL_MONOTONIC
from .const import DOMAIN, PKG_DIR
from .params import MODES, Params
from .patches import install, setup_logging
from .results import Results

_LOGGER = logging.getLogger("bench")


async def run_job(scenario: Scenario, job: Job, params: Params, work_dir: Path) -> Any:
    """Run one job in this process (the clock and the patches go in once)."""
    install()
    return await scenario.run(RunContext(params, work_dir), job)


def source_digest(package: Path) -> str:
    """A short digest of the integration's source files."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".json", ".yaml"}:
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def checkout_digest() -> str:
    """The digest of the integration this process imported."""
    return source_digest(Path(PKG_DIR))


def snapshot_source(work_dir: Path) -> Path:
    """Copy the integration as it is now; every scenario process of the run imports this."""
    source_root = work_dir / "source"
    shutil.copytree(
        ROOT / "custom_components" / DOMAIN,
        source_root / "custom_components" / DOMAIN,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return source_root


def others_cpu_percent() -> float:
    """CPU use of the whole machine over a quarter second while this run is idle, in %."""
    try:
        import psutil  # a Home Assistant dependency; optional here
    except ImportError:
        return 100.0 * os.getloadavg()[0] / (os.cpu_count() or 1)
    return float(psutil.cpu_percent(interval=0.25))


class QuietWait:
    """Before each run, wait a little for other processes to leave the CPUs alone."""

    def __init__(self, threshold: float, per_job: float, total: float) -> None:
        """Wait while others use more than ``threshold`` % (bounded per job and in all)."""
        self.threshold = threshold
        self.per_job = per_job
        self.budget = total
        self.waited = 0.0

    def __call__(self) -> float:
        """Return others' CPU use when the run starts (after waiting, if it helped)."""
        busy = others_cpu_percent()
        started = REAL_MONOTONIC()
        while busy > self.threshold and self.budget > 0:
            if REAL_MONOTONIC() - started > self.per_job:
                break
            time.sleep(1.0)
            busy = others_cpu_percent()
            self.budget -= 1.25
        self.waited += REAL_MONOTONIC() - started
        return busy


def _by_name(scenarios: Sequence[Scenario], job: Job) -> Scenario:
    return next(s for s in scenarios if s.name == job.scenario)


def run_jobs_in_process(
    scenarios: Sequence[Scenario], jobs: list[Job], res: Results, work_dir: Path
) -> None:
    """All jobs in this process, one Home Assistant after another (quick, less isolated)."""

    async def run_all() -> None:
        res.sources.append(checkout_digest())
        for job in jobs:
            started = REAL_MONOTONIC()
            print(f"  {job.label} ...", end="", flush=True, file=sys.stderr)
            scenario = _by_name(scenarios, job)
            try:
                value = await run_job(scenario, job, res.params, work_dir)
            except Exception as err:
                _LOGGER.exception("%s failed", job.label)
                res.errors.append(f"{job.label}: {type(err).__name__}: {err}")
                print(f" FAILED ({err!r})", file=sys.stderr)
                continue
            scenario.keep(res, job, value)
            print(f" {REAL_MONOTONIC() - started:.1f} s", file=sys.stderr)

    asyncio.run(run_all())


def run_jobs_isolated(
    scenarios: Sequence[Scenario],
    jobs: list[Job],
    res: Results,
    work_dir: Path,
    quiet: Callable[[], float],
) -> None:
    """Each job in a fresh Python process: no state or garbage of one run weighs on the next."""
    source_root = snapshot_source(work_dir)
    package = source_root / "custom_components" / DOMAIN
    env = {**os.environ, "BENCH_SOURCE_ROOT": str(source_root)}
    for index, job in enumerate(jobs):
        res.load.append(quiet())
        res.sources.append(source_digest(package))
        started = REAL_MONOTONIC()
        print(f"  {job.label} ...", end="", flush=True, file=sys.stderr)
        result_file = work_dir / f"result-{index}.json"
        spec = {
            "mode": res.params.mode,
            "job": dataclasses.asdict(job),
            "result": str(result_file),
            "work_dir": str(work_dir),
        }
        proc = subprocess.run(
            [sys.executable, "-m", __package__, "--worker", json.dumps(spec)],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            env=env,
        )
        try:
            outcome = json.loads(result_file.read_text())
        except OSError, ValueError:
            outcome = {
                "error": f"worker exited {proc.returncode}: {proc.stderr[-2000:]}"
            }
        if "error" in outcome:
            res.errors.append(f"{job.label}: {outcome['error']}")
            print(f" FAILED ({outcome['error'][:300]})", file=sys.stderr)
            continue
        _by_name(scenarios, job).keep(res, job, outcome["value"])
        print(f" {REAL_MONOTONIC() - started:.1f} s", file=sys.stderr)


def worker(scenarios: Sequence[Scenario], spec_json: str) -> int:
    """Run one job (in a process of its own) and write its result as JSON."""
    spec = json.loads(spec_json)
    job = Job(**spec["job"])
    work_dir = Path(spec["work_dir"])
    listener = setup_logging(work_dir / "home-assistant.log")
    try:
        value = asyncio.run(
            run_job(_by_name(scenarios, job), job, MODES[spec["mode"]], work_dir)
        )
        outcome: dict[str, Any] = {"value": value}
    except Exception as err:
        _LOGGER.exception("%s failed", job.label)
        outcome = {"error": f"{type(err).__name__}: {err}"}
    finally:
        listener.stop()
    Path(spec["result"]).write_text(json.dumps(outcome))
    return 0 if "value" in outcome else 1
