"""What a run measured (``Results``) and one verdict against a target (``Target``)."""

from dataclasses import dataclass, field
from typing import Any

from .params import Params
from .stats import agg


@dataclass
class Target:
    """One performance target and whether it is met."""

    name: str
    target: str
    measured: str
    met: bool | None
    source: str = "DESIGN"


@dataclass
class Results:
    """Everything measured: each scenario files its jobs' values in ``data`` (the JSON)."""

    params: Params
    machine: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # CPU use (%) of the machine sampled just before each job, while the run is idle
    load: list[float] = field(default_factory=list)
    quiet_waited_s: float = 0.0
    sources: list[str] = field(
        default_factory=list
    )  # digest of the integration per job
    checkout_changed: bool = (
        False  # custom_components/ was edited while the run measured
    )
    runtime_s: float = 0.0
    command: str = ""

    def col(self, runs: list[dict[str, Any]], *path: str) -> dict[str, float]:
        """Aggregate one number across runs."""
        values = []
        for run in runs:
            value: Any = run
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if isinstance(value, (int, float)):
                values.append(float(value))
        return agg(values)
