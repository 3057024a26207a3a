"""Grants on Z-Wave JS locks: from the create_access_grant call to the guest's code on the wire.

Every grant starts now on an online lock, so its scheduled code is issued and programmed at
once: the measure is the time from the call to the ``node.set_value`` of that code for that
node. First one call at a time (one grant per lock, the next call once the code is on the wire),
then rounds of one grant per lock, all calls at once. Each grant lasts an hour; between rounds
the clock moves past its end, so every round starts alike (the guest slot cleared, the lock
idle).
"""

import asyncio
from datetime import timedelta
from typing import Any

from homeassistant.util import dt as dt_util

from ...base import RunContext
from ...locks import call_create_grant
from ...probe import PROBE
from ...stats import latency_stats, percentile
from .network import READ_BACK_S, Network, run_clock, zwave_network

STAY = timedelta(hours=1)
# Simulated seconds after the grants' end for their slots to be cleared.
AFTER_END_S = 30.0


async def timed_grant(
    net: Network, node_id: int, name: str
) -> tuple[float, str, float]:
    """A grant starting now on one lock: (when the call began, the code, the call's time)."""
    loop = net.hass.loop
    starts = dt_util.utcnow()
    began = loop.time()
    response = await call_create_grant(
        net.hass, [net.entity_ids[node_id]], starts, starts + STAY, name
    )
    return began, str(response["code"]), loop.time() - began


async def to_the_end(net: Network) -> None:
    """Let the read-backs come, then move past the grants' end and let their slots clear."""
    await run_clock(net.hass, READ_BACK_S)
    await run_clock(net.hass, STAY.total_seconds(), step=STAY.total_seconds())
    await run_clock(net.hass, AFTER_END_S)


async def one_at_a_time(net: Network) -> tuple[list[float], int]:
    """One grant per lock, each call once the previous code is on the wire."""
    latencies: list[float] = []
    missing = 0
    for node_id in net.entity_ids:
        began, code, _ = await timed_grant(net, node_id, f"One {node_id}")
        got = await net.wire.wait(net.hass, [(node_id, code)], began)
        if (write := got.get((node_id, code))) is None:
            missing += 1
        else:
            latencies.append(write.at - began)
    await to_the_end(net)
    return latencies, missing


async def at_once(net: Network, rounds: int) -> dict[str, Any]:
    """Rounds of one grant per lock, all calls started together."""
    hass = net.hass
    from_call: list[float] = []
    from_round: list[float] = []
    calls: list[float] = []
    round_max: list[float] = []
    missing = 0
    for r in range(rounds):
        t0 = hass.loop.time()
        tasks = [
            hass.async_create_task(timed_grant(net, node_id, f"Round {r} {node_id}"))
            for node_id in net.entity_ids
        ]
        timed = await asyncio.gather(*tasks)
        wanted = [
            (node_id, code)
            for node_id, (_, code, _) in zip(net.entity_ids, timed, strict=True)
        ]
        got = await net.wire.wait(hass, wanted, t0)
        missing += len(wanted) - len(got)
        for key, (began, _, call) in zip(wanted, timed, strict=True):
            calls.append(call)
            if (write := got.get(key)) is not None:
                from_call.append(write.at - began)
                from_round.append(write.at - t0)
        round_max.append(max((w.at - t0 for w in got.values()), default=0.0))
        await to_the_end(net)
    result: dict[str, Any] = {**latency_stats(from_call)}
    result.update(
        from_round=latency_stats(from_round),
        call_p99_ms=percentile([c * 1000 for c in calls], 99),
        round_max_ms=[m * 1000 for m in round_max],
        missing=missing,
    )
    return result


async def concurrent(ctx: RunContext) -> dict[str, Any]:
    """One call at a time, then rounds of all locks at once."""
    n, rounds = ctx.params.zwave_locks, ctx.params.zwave_rounds
    async with zwave_network(ctx, "zwave-concurrent", n) as net:
        one, one_missing = await one_at_a_time(net)
        result: dict[str, Any] = {
            "locks": n,
            "rounds": rounds,
            "entities_per_lock": len(PROBE.our_entity_ids) / n,
            "one": {**latency_stats(one), "missing": one_missing},
            "at_once": await at_once(net, rounds),
        }
    return result
