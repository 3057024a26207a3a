"""Last-minute grants on offline locks: one after another, many at once, a sustained stream.

Each is timed from the `create_access_grant` call (or a round's start) to the
`backup_access_codes_issued` event; each also records the Store writes and how soon every told
code was on disk.
"""

import asyncio
from collections.abc import AsyncIterator
import contextlib
from typing import Any

from homeassistant.core import HomeAssistant

from ...base import RunContext
from ...instance import flush_store, settle
from ...locks import set_online, wait_events
from ...probe import PROBE
from ...stats import durability, latency_stats, percentile, store_stats
from .common import check_in, grant_on, pooled_locks

STREAM_INTERVAL_S = 0.2  # the sustained stream: five operations a second


@contextlib.asynccontextmanager
async def offline_locks(ctx: RunContext, name: str) -> AsyncIterator[HomeAssistant]:
    """The run's locks, pools programmed, then offline; counters zeroed, Store captured."""
    async with pooled_locks(ctx, name) as hass:
        await set_online(hass, range(ctx.params.locks), False)
        PROBE.reset()
        PROBE.capture_store = True
        yield hass


async def flushed(hass: HomeAssistant, begin: float, locks: int) -> dict[str, Any]:
    """After the debounced write: Store writes since ``begin``, when each code was on disk."""
    await flush_store(hass)
    end = hass.loop.time()
    PROBE.capture_store = False
    return {
        "store": store_stats(begin, end, locks),
        "durability": durability(PROBE.events),
    }


async def timed_grant(hass: HomeAssistant, lock: int, name: str) -> tuple[float, float]:
    """A last-minute grant on one lock: (the service call, the call to the issued event)."""
    loop = hass.loop
    starts = check_in()
    t0 = loop.time()
    key = await grant_on(hass, lock, starts, name)
    call = loop.time() - t0
    await wait_events(hass, [key], "issued")
    return call, PROBE.first_event[key].at - t0


async def sequential(ctx: RunContext) -> dict[str, Any]:
    """Last-minute grants one after another on offline locks: service call -> event."""
    n, total = ctx.params.locks, ctx.params.grants
    async with offline_locks(ctx, "sequential") as hass:
        loop = hass.loop
        latencies: list[float] = []
        calls: list[float] = []
        begin = loop.time()
        for k in range(total):
            call, latency = await timed_grant(hass, k % n, f"S{k}")
            calls.append(call)
            latencies.append(latency)
            await asyncio.sleep(0)
        burst_end = loop.time()
        stored = await flushed(hass, begin, n)
        tenth = max(len(latencies) // 10, 1)
        result = latency_stats(latencies)
        result.update(
            first_tenth_p99_ms=percentile([v * 1000 for v in latencies[:tenth]], 99),
            last_tenth_p99_ms=percentile([v * 1000 for v in latencies[-tenth:]], 99),
            **PROBE.gc_stats(begin, burst_end),
            call_p99_ms=percentile([c * 1000 for c in calls], 99),
            burst_s=burst_end - begin,
            backups=PROBE.count("issued", backup=True),
            issue_failed=PROBE.count("issue_failed"),
            **stored,
            state_writes_per_grant=PROBE.state_writes / total,
            provider_calls=PROBE.provider_calls,
        )
    return result


async def burst(ctx: RunContext) -> dict[str, Any]:
    """Rounds of one last-minute grant per offline lock, all at once."""
    n, rounds = ctx.params.locks, ctx.params.grants_per_lock
    async with offline_locks(ctx, "burst") as hass:
        loop = hass.loop
        latencies: list[float] = []
        round_spans: list[float] = []
        begin = loop.time()
        for r in range(rounds):
            starts = check_in()
            t0 = loop.time()
            tasks = [
                hass.async_create_task(grant_on(hass, i, starts, f"B{r}-{i}"))
                for i in range(n)
            ]
            keys = list(await asyncio.gather(*tasks))
            await wait_events(hass, keys, "issued")
            times = [PROBE.first_event[key].at for key in keys]
            latencies.extend(t - t0 for t in times)
            round_spans.append(max(times) - t0)
            await settle(hass, seconds=2.0)  # the next round 2 s later
        end_rounds = loop.time()
        stored = await flushed(hass, begin, n)
        result = latency_stats(latencies)
        result.update(
            first_round_max_ms=round_spans[0] * 1000,
            last_round_max_ms=round_spans[-1] * 1000,
            **PROBE.gc_stats(begin, end_rounds),
            round_span_max_ms=max(round_spans) * 1000,
            backups=PROBE.count("issued", backup=True),
            issue_failed=PROBE.count("issue_failed"),
            **stored,
            rounds_s=end_rounds - begin,
        )
    return result


async def stream(ctx: RunContext) -> dict[str, Any]:
    """A sustained stream of last-minute grants, five a second; when is each on disk."""
    n, count = ctx.params.locks, ctx.params.stream_grants
    async with offline_locks(ctx, "stream") as hass:
        loop = hass.loop
        begin = loop.time()
        latencies: list[float] = []
        for k in range(count):
            _, latency = await timed_grant(hass, k % n, f"T{k}")
            latencies.append(latency)
            await settle(hass, seconds=STREAM_INTERVAL_S, step=STREAM_INTERVAL_S)
        stream_end = loop.time()
        stored = await flushed(hass, begin, n)
        result = latency_stats(latencies)
        result.update(stream_s=stream_end - begin, **stored)
    return result
