"""What a scenario is: its jobs, how one runs, where its results go, its report lines.

A scenario answers one question. ``jobs`` (from ``plan``, for each selected part) lists what a
run does; the runner calls ``run`` for each job (in a fresh process, or all in one), ``keep``
files each returned value in ``Results.data``; the report then asks every scenario for its
``targets`` and its ``section``. See the package docstring
for how to add one.
"""

from collections.abc import Iterator
import contextlib
from dataclasses import dataclass
from pathlib import Path
import shutil
from typing import Any

from .params import Params
from .results import Results, Target


@dataclass(frozen=True)
class Job:
    """One run of a scenario: what the progress line says, what to run, with which size."""

    label: str
    scenario: str  # Scenario.name
    run: str  # which of the scenario's runs
    arg: int | None = None


@dataclass
class RunContext:
    """What a job gets: the run's sizes and a folder for its config directories."""

    params: Params
    work_dir: Path
    made: int = 0

    @contextlib.contextmanager
    def config_dir(self, name: str) -> Iterator[Path]:
        """A fresh config directory, removed afterwards."""
        self.made += 1
        path = self.work_dir / f"{self.made:03d}-{name}"
        path.mkdir()
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)


class Scenario:
    """One question the benchmark answers; subclasses override what they need."""

    name = ""  # unique: the worker finds the scenario by it
    parts: tuple[str, ...] = ()  # what --only selects; none for a report-only scenario
    heading = ""  # the report section it writes in (shared headings share a section)
    target_rank = 100  # where its rows go in the Targets table, lower first

    def jobs(self, params: Params, parts: set[str]) -> list[Job]:
        """The jobs of a run with these sizes and these selected parts."""
        return [
            job
            for part in self.parts
            if part in parts
            for job in self.plan(params, part)
        ]

    def plan(self, params: Params, part: str) -> list[Job]:
        """The jobs of one of its parts."""
        return []

    def job(self, label: str, run: str, arg: int | None = None) -> Job:
        """One of its jobs."""
        return Job(label, self.name, run, arg)

    async def run(self, ctx: RunContext, job: Job) -> Any:
        """Run one job in a fresh Home Assistant; return JSON-able results."""
        raise NotImplementedError(job.run)

    def empty(self) -> dict[str, Any]:
        """Its keys in ``Results.data`` (and the JSON) before any job ran."""
        return {}

    def keep(self, res: Results, job: Job, value: Any) -> None:
        """File one job's results in ``res.data``."""

    def targets(self, res: Results) -> list[Target]:
        """Its rows of the Targets table."""
        return []

    def section(self, res: Results) -> list[str]:
        """Its lines under its heading."""
        return []
