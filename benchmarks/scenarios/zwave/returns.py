"""A dead Z-Wave node that comes back: from its return to the guest's scheduled code on the wire.

Pools programmed, then every node dies; a grant starting now on each lock gets a backup code at
once. Ten simulated minutes later (the integration pings the dead nodes meanwhile, unanswered)
the nodes come back, announced one way per run: the server's ``alive`` event, an unsolicited
value report (the driver says ``alive`` first), a Wake Up Notification, a ``ready`` node dump, a
re-interview, or reachable again and found by a ``zwave_js.ping`` action. First one node after
another (each once the previous one's code is on the wire), then, after they all died again
with a new grant each, all at the same moment. Measured per lock: from its return (or its ping
call) to the ``node.set_value`` of its grant's scheduled code.
"""

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from homeassistant.util import dt as dt_util
from tests.zwave_js_env import Return

from ...base import RunContext
from ...locks import call_create_grant, wait_events
from ...probe import PROBE
from ...stats import latency_stats
from .network import READ_BACK_S, Network, run_clock, zwave_network

PING = "ping"
STAY = timedelta(days=2)
DEAD_S = 600.0  # ten simulated minutes dead
DEAD_STEP_S = 5.0


async def ping(net: Network, node_id: int) -> float:
    """Call zwave_js.ping for one lock (as an automation would); return when it began."""
    began = net.hass.loop.time()
    await net.hass.services.async_call(
        "zwave_js", "ping", {"entity_id": net.entity_ids[node_id]}, blocking=True
    )
    return began


async def come_back(net: Network, how: str, nodes: list[int]) -> dict[int, float]:
    """These nodes are back at once; return when each one's return began (loop time)."""
    if how == PING:
        for node_id in nodes:
            net.server.locks[node_id].reachable = True  # on the mesh; nobody knows yet
        began = await asyncio.gather(
            *(net.hass.async_create_task(ping(net, node_id)) for node_id in nodes)
        )
        return dict(zip(nodes, began, strict=True))
    returned: dict[int, float] = {}
    for node_id in nodes:
        returned[node_id] = net.hass.loop.time()
        net.server.locks[node_id].come_back(Return(how))
    return returned


@dataclass
class DeadAtCheckIn:
    """Every node died, then a grant starting now on each lock got its backup code."""

    scheduled: dict[int, str]  # node -> its grant's scheduled code
    backups: int
    dead_from: float  # loop time
    pings: int  # pings of the dead nodes during the dead minutes


async def dead_at_check_in(net: Network, name: str) -> DeadAtCheckIn:
    """Every node dies; grants start now (backups at once); ten dead minutes pass."""
    hass = net.hass
    for lock in net.server.locks.values():
        lock.die()
    await run_clock(hass, 0)
    dead_from = hass.loop.time()
    mark = len(net.server.messages)
    PROBE.reset()
    starts = dt_util.utcnow()
    scheduled: dict[int, str] = {}
    keys: list[tuple[str, str]] = []
    for node_id, entity_id in net.entity_ids.items():
        response = await call_create_grant(
            hass, [entity_id], starts, starts + STAY, f"{name} {node_id}"
        )
        scheduled[node_id] = str(response["code"])
        keys.append((str(response["access_grant_id"]), entity_id))
    await wait_events(hass, keys, "issued")
    backups = PROBE.count("issued", backup=True)
    await run_clock(hass, DEAD_S, DEAD_STEP_S)
    pings = sum(
        1 for m in net.server.messages[mark:] if m.get("command") == "node.ping"
    )
    return DeadAtCheckIn(scheduled, backups, dead_from, pings)


async def back(
    net: Network, how: str, dead: DeadAtCheckIn, nodes: list[int]
) -> list[float]:
    """These nodes come back together: from each one's return to its code on the wire."""
    returned = await come_back(net, how, nodes)
    wanted = [(node_id, dead.scheduled[node_id]) for node_id in nodes]
    got = await net.wire.wait(net.hass, wanted, min(returned.values()))
    return [got[key].at - returned[key[0]] for key in wanted if key in got]


async def dead_return(ctx: RunContext, how: str) -> dict[str, Any]:
    """Dead at check-in, back ten minutes later: one node after another, then all at once."""
    n = ctx.params.zwave_locks
    async with zwave_network(ctx, f"zwave-{how.replace(' ', '-')}", n) as net:
        nodes = list(net.entity_ids)
        result: dict[str, Any] = {"how": how, "locks": n}
        backups = pings = writes_while_dead = 0
        for phase in ("one", "at_once"):
            dead = await dead_at_check_in(net, phase)
            writes_while_dead += len(net.wire.since(dead.dead_from))
            if phase == "one":
                latencies = [
                    latency
                    for node_id in nodes
                    for latency in await back(net, how, dead, [node_id])
                ]
            else:
                latencies = await back(net, how, dead, nodes)
            result[phase] = {**latency_stats(latencies), "missing": n - len(latencies)}
            backups += dead.backups
            pings += dead.pings
            # The codes' read-backs, before the nodes die again.
            await run_clock(net.hass, READ_BACK_S)
        result.update(
            backups=backups, pings_while_dead=pings, writes_while_dead=writes_while_dead
        )
    return result
