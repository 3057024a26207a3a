"""Statistics: percentiles, Store writes, how soon a told code is on disk, memory growth."""

import json
import math
import statistics
import tracemalloc
from typing import Any

from .const import DOMAIN, PKG_PATHS
from .probe import PROBE, GrantEvent


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_stats(latencies_s: list[float]) -> dict[str, float]:
    """p50/p99/max/mean in milliseconds."""
    ms = [v * 1000 for v in latencies_s]
    return {
        "n": len(ms),
        "p50_ms": percentile(ms, 50),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms) if ms else math.nan,
        "min_ms": min(ms) if ms else math.nan,
        "mean_ms": statistics.fmean(ms) if ms else math.nan,
    }


def store_stats(t_begin: float, t_end: float, locks: int) -> dict[str, Any]:
    """Store writes of the integration between two loop times."""
    ours = [
        w for w in PROBE.store_writes if w.key == DOMAIN and t_begin <= w.done <= t_end
    ]
    times = sorted(w.done for w in ours)
    max_per_s = 0
    start = 0
    for end in range(len(times)):
        while times[end] - times[start] >= 1.0:
            start += 1
        max_per_s = max(max_per_s, end - start + 1)
    return {
        "writes": len(ours),
        "bytes_written": sum(w.nbytes for w in ours),
        "max_writes_in_1s": max_per_s,
        "max_writes_per_s_per_lock": max_per_s / max(locks, 1),
        "serialize_ms_max": max(PROBE.serialize_s, default=0.0) * 1000,
        "serialize_ms_total": sum(PROBE.serialize_s) * 1000,
    }


def durability(events: list[GrantEvent]) -> dict[str, Any]:
    """For each backup code told, how long until a Store file on disk held it."""
    writes = [
        w for w in PROBE.store_writes if w.key == DOMAIN and w.content is not None
    ]
    parsed: list[tuple[float, dict[str, Any]]] = []
    for write in writes:
        try:
            data = json.loads(write.content or "")["data"]
        except ValueError, KeyError, TypeError:
            continue
        parsed.append((write.done, data))
    exposures: list[float] = []
    lost = 0
    layout_known = True
    for event in events:
        if not event.is_backup or event.code is None:
            continue
        found = None
        for done, data in parsed:
            grants = data.get("grants")
            if not isinstance(grants, dict):
                layout_known = False
                break
            record = grants.get(event.grant_id)
            if record is not None and event.code in json.dumps(record):
                found = done
                break
        if not layout_known:
            break
        if found is None:
            lost += 1
        else:
            exposures.append(max(found - event.at, 0.0))
    if not layout_known:
        return {"layout_known": False}
    return {
        "layout_known": True,
        "codes": len(exposures) + lost,
        "never_written": lost,
        "p50_s": percentile(exposures, 50),
        "max_s": max(exposures) if exposures and not lost else math.inf,
    }


def snapshot_growth(
    before: tracemalloc.Snapshot, after: tracemalloc.Snapshot
) -> tuple[int, int]:
    """Return (growth of the integration's own allocations, growth of all allocations).

    An allocation is the integration's when it happened in one of its files, or in code a
    dataclass generated (its frame is "<string>") called from one of its files.
    """

    def ours(snapshot: tracemalloc.Snapshot) -> int:
        total = 0
        near = snapshot.filter_traces(
            [tracemalloc.Filter(True, f"{p}/*", all_frames=True) for p in PKG_PATHS]
        )
        for trace in near.traces:
            frames = trace.traceback
            last = frames[-1].filename
            if last.startswith(PKG_PATHS) or (
                last == "<string>"
                and len(frames) > 1
                and frames[-2].filename.startswith(PKG_PATHS)
            ):
                total += trace.size
        return total

    def everything(snapshot: tracemalloc.Snapshot) -> int:
        return sum(stat.size for stat in snapshot.statistics("filename"))

    return ours(after) - ours(before), everything(after) - everything(before)


def agg(values: list[float]) -> dict[str, float]:
    """Mean, stdev, min, max over runs."""
    vals = [v for v in values if v is not None and not math.isnan(v)]
    if not vals:
        return {
            "mean": math.nan,
            "median": math.nan,
            "stdev": math.nan,
            "min": math.nan,
            "max": math.nan,
            "runs": 0,
        }
    return {
        "mean": statistics.fmean(vals),
        "median": statistics.median(vals),
        "stdev": statistics.stdev(vals) if len(vals) > 1 else 0.0,
        "min": min(vals),
        "max": max(vals),
        "runs": len(vals),
    }
