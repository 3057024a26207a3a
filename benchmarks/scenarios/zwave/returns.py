"""A dead Z-Wave node that comes back: from its return to the guest's scheduled code on the wire.

Pools programmed, then every node dies; a grant starting now on each lock gets a backup code at
once. Ten simulated minutes later (the integration pings the dead nodes meanwhile, unanswered)
every node is back at the same moment, announced one way: the server's ``alive`` event, an
unsolicited value report (the driver says ``alive`` first), a Wake Up Notification, a ``ready``
node dump, a re-interview, or reachable again and found by a ``zwave_js.ping`` action. Measured
per lock: from the return (or the ping call) to the ``node.set_value`` of that grant's
scheduled code.
"""

import asyncio
from datetime import timedelta
from typing import Any

from homeassistant.util import dt as dt_util
from tests.zwave_js_env import Return

from ...base import RunContext
from ...locks import call_create_grant, wait_events
from ...probe import PROBE
from ...stats import latency_stats
from .network import Network, run_clock, zwave_network

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


async def come_back(net: Network, how: str) -> dict[int, float]:
    """Every node is back; return when each one's return began (loop time)."""
    if how == PING:
        for lock in net.server.locks.values():
            lock.reachable = True  # back on the mesh; nobody knows yet
        nodes = list(net.server.locks)
        began = await asyncio.gather(
            *(net.hass.async_create_task(ping(net, node_id)) for node_id in nodes)
        )
        return dict(zip(nodes, began, strict=True))
    returned: dict[int, float] = {}
    for node_id, lock in net.server.locks.items():
        returned[node_id] = net.hass.loop.time()
        lock.come_back(Return(how))
    return returned


async def dead_return(ctx: RunContext, how: str) -> dict[str, Any]:
    """Dead at check-in, back ten minutes later: how soon is the scheduled code sent."""
    n = ctx.params.zwave_locks
    async with zwave_network(ctx, f"zwave-{how.replace(' ', '-')}", n) as net:
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
                hass, [entity_id], starts, starts + STAY, f"Dead {node_id}"
            )
            scheduled[node_id] = str(response["code"])
            keys.append((str(response["access_grant_id"]), entity_id))
        await wait_events(hass, keys, "issued")
        backups = PROBE.count("issued", backup=True)
        await run_clock(hass, DEAD_S, DEAD_STEP_S)
        dead_messages = net.server.messages[mark:]
        returned = await come_back(net, how)
        got = await net.wire.wait(hass, list(scheduled.items()), min(returned.values()))
        latencies = [
            got[(node_id, code)].at - returned[node_id]
            for node_id, code in scheduled.items()
            if (node_id, code) in got
        ]
        result: dict[str, Any] = {**latency_stats(latencies)}
        result.update(
            how=how,
            locks=n,
            backups=backups,
            missing=n - len(latencies),
            writes_while_dead=len(
                [w for w in net.wire.since(dead_from) if w.at < min(returned.values())]
            ),
            pings_while_dead=sum(
                1 for m in dead_messages if m.get("command") == "node.ping"
            ),
        )
    return result
