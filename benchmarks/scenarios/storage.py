"""Storage: how often the Store file is written, and how soon a told code is on disk.

No runs of its own: it reads the Store writes and durability the last-minute issuance runs
recorded, and the Store file sizes of the setup and per-grant memory runs.
"""

from typing import Any

from ..base import Scenario
from ..formatting import fmt, fmt_agg
from ..results import Results, Target
from ..stats import agg
from .issuance import latency_runs
from .issuance.last_minute import STREAM_INTERVAL_S
from .memory import memory_per_grant
from .setup import setup_runs

WRITING_PARTS = ("sequential", "burst", "stream")


def _of_writing_runs(res: Results, key: str) -> list[dict[str, Any]]:
    lat = latency_runs(res)
    return [r[key] for part in WRITING_PARTS for r in lat.get(part, [])]


class Storage(Scenario):
    """Store writes under load, durability, Store file size."""

    name = "storage"
    heading = "Storage"
    target_rank = 20

    def targets(self, res: Results) -> list[Target]:
        """At most one write a second; every told code on disk within 2 s."""
        if not (store_runs := _of_writing_runs(res, "store")):
            return []
        per_lock = agg([s["max_writes_per_s_per_lock"] for s in store_runs])
        total = agg([float(s["max_writes_in_1s"]) for s in store_runs])
        targets = [
            Target(
                "Store writes under a burst",
                "≤ 1 write/s per lock (issue: ≤ 1/s)",
                f"max {fmt(total['max'], 0)} write(s) in any 1 s for all locks "
                f"({fmt(per_lock['max'], 3)} per lock)",
                total["max"] <= 1,
                "DESIGN + issue 6",
            )
        ]
        dur = _of_writing_runs(res, "durability")
        if dur and all(d.get("layout_known") for d in dur):
            worst = max(d["max_s"] for d in dur)
            targets.append(
                Target(
                    "An issued code survives a crash 2 s later",
                    "on disk ≤ 2 s after the event",
                    f"worst {fmt(worst, 2)} s after the event (event → file on disk)",
                    worst <= 2.0,
                    "DESIGN + issue 6",
                )
            )
        return targets

    def section(self, res: Results) -> list[str]:
        """The writes table, and the Store file's size."""
        return [*self._writes(res), *self._file_size(res)]

    def _writes(self, res: Results) -> list[str]:
        p, lat, c = res.params, latency_runs(res), res.col
        rows = []
        for key, label, ops in (
            ("sequential", f"{p.grants} issuances one after another", p.grants),
            (
                "burst",
                f"{p.grants_per_lock} rounds of {p.locks} at once, 2 s apart",
                p.grants,
            ),
            (
                "stream",
                (
                    f"a stream of {p.stream_grants} issuances, "
                    f"{1 / STREAM_INTERVAL_S:g} a second"
                ),
                p.stream_grants,
            ),
        ):
            if runs := lat.get(key):
                rows.append(
                    f"| {label} | {fmt_agg(c(runs, 'store', 'writes'), 1)} "
                    f"| {fmt(c(runs, 'store', 'writes')['median'] * 1000 / ops, 1)} "
                    f"| {fmt(c(runs, 'store', 'max_writes_in_1s')['max'], 0)} "
                    f"| {fmt(c(runs, 'store', 'bytes_written')['median'] / ops, 0)} "
                    f"| {fmt(c(runs, 'store', 'serialize_ms_max')['max'], 2)} ms "
                    f"| {fmt(c(runs, 'durability', 'p50_s')['median'], 2)} s / "
                    f"{fmt(c(runs, 'durability', 'max_s')['max'], 2)} s |"
                )
        if not rows:
            return []
        return [
            (
                "Writes of the integration's Store file (`.storage/backup_access_codes`, "
                "atomic writes, real disk), counted when the file is on disk, from the first "
                "operation until the debounced write after the last one. *On disk after the "
                "event*: for each backup code told, the time from the event until a file on "
                "disk held it in the grant's record (what survives a crash)."
            ),
            "",
            (
                "| burst | writes | writes per 1,000 operations | max writes in any 1 s | "
                "bytes written per operation | longest serialisation in the event loop | "
                "on disk after the event, p50 / worst |"
            ),
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
        ]

    def _file_size(self, res: Results) -> list[str]:
        if not (runs := setup_runs(res)):
            return []
        n_max = max(runs)
        per_lock = fmt(res.col(runs[n_max], "store_bytes_per_lock")["median"], 0)
        mg = memory_per_grant(res)
        grants = (
            f"; {fmt(mg['store_bytes_per_future_grant'], 0)} bytes per future grant, "
            f"{fmt(mg['store_bytes_per_issued_grant'], 0)} per grant holding a backup."
            if mg is not None
            else "."
        )
        return [
            f"Store file: {per_lock} bytes per lock ({n_max} locks, no grants){grants}",
            "",
        ]


STORAGE = Storage()
