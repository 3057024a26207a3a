"""Backups the clock or a failure triggers: a lock offline at the issue point, failed writes.

Grants are made while the locks are online, due in rounds; then the locks go offline (or their
scripts start refusing) and simulated time reaches each round's point.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from custom_components.backup_access_codes import const as bac
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ...base import RunContext
from ...clock import CLOCK
from ...const import default_option
from ...instance import settle
from ...locks import set_online, set_writes_fail, wait_events
from ...probe import PROBE
from ...stats import latency_stats
from .common import grant_on, pooled_locks

FAIL_STEP_S = (
    10.0  # steps while failures retry: the quick retries are 10 s and 30 s apart
)


async def grants_due(
    hass: HomeAssistant, n: int, points: list[datetime], lead: timedelta, prefix: str
) -> list[list[tuple[str, str]]]:
    """One grant per lock and round, starting ``lead`` after the round's point."""
    return [
        [await grant_on(hass, i, point + lead, f"{prefix}{r}-{i}") for i in range(n)]
        for r, point in enumerate(points)
    ]


async def offline(ctx: RunContext) -> dict[str, Any]:
    """Locks go offline before their grants' issue points; the clock reaches them."""
    n, rounds = ctx.params.locks, ctx.params.grants_per_lock
    async with pooled_locks(ctx, "offline") as hass:
        lead = timedelta(hours=default_option(bac.CONF_BACKUP_LEAD_HOURS))
        base = dt_util.utcnow() + timedelta(hours=1)
        issue_points = [base + timedelta(hours=r) for r in range(rounds)]
        keys_by_round = await grants_due(hass, n, issue_points, lead, "O")
        await settle(hass)
        early = len(PROBE.events)
        await set_online(hass, range(n), False)
        PROBE.reset()
        loop = hass.loop
        latencies: list[float] = []
        begin = loop.time()
        for keys, point in zip(keys_by_round, issue_points, strict=True):
            # Home Assistant's own periodic work of the skipped hour first (its interval
            # timers catch up, registries save), so it does not sit on the measured moment.
            CLOCK.advance_to(point - timedelta(seconds=1))
            await settle(hass, seconds=0.5, step=0.1)
            CLOCK.advance_to(point)
            t0 = loop.time()
            await wait_events(hass, keys, "issued")
            latencies.extend(PROBE.first_event[key].at - t0 for key in keys)
            await settle(hass)
        result = latency_stats(latencies)
        result.update(
            **PROBE.gc_stats(begin, loop.time()),
            events_before_issue_point=early,
            backups=PROBE.count("issued", backup=True),
            provider_calls=PROBE.provider_calls,
        )
    return result


async def failed(ctx: RunContext) -> dict[str, Any]:
    """Programming fails (the lock refuses, after quick retries): the backup follows."""
    n, rounds = ctx.params.locks, ctx.params.grants_per_lock
    async with pooled_locks(ctx, "failed") as hass:
        lead = timedelta(minutes=default_option(bac.CONF_PROGRAM_LEAD_MINUTES))
        base = dt_util.utcnow() + timedelta(hours=1)
        program_points = [base + timedelta(minutes=15 * r) for r in range(rounds)]
        keys_by_round = await grants_due(hass, n, program_points, lead, "F")
        await settle(hass)
        await set_writes_fail(hass, True)
        PROBE.reset()
        begin = hass.loop.time()
        for keys, point in zip(keys_by_round, program_points, strict=True):
            CLOCK.advance_to(point)
            await settle(hass)
            pending = set(keys)
            for _ in range(60):
                pending -= {
                    (e.grant_id, e.lock_entity_id)
                    for e in PROBE.events
                    if e.kind == "reissued"
                }
                if not pending:
                    break
                await settle(hass, seconds=FAIL_STEP_S, step=FAIL_STEP_S)
            if pending:
                raise RuntimeError(
                    f"{len(pending)} grants got no backup after failures"
                )
        result = latency_stats(since_last_failure())
        result.update(
            **PROBE.gc_stats(begin, hass.loop.time()),
            reissued=PROBE.count("reissued"),
            failed_provider_calls=len(PROBE.fails),
            warnings_logged=PROBE.log_warnings,
        )
    return result


def since_last_failure() -> list[float]:
    """For each reissued event, the time since its lock's last refused provider call."""
    fails_by_lock: dict[str, list[float]] = defaultdict(list)
    for at, lock in PROBE.fails:
        fails_by_lock[lock].append(at)
    latencies: list[float] = []
    for event in PROBE.events:
        if event.kind != "reissued":
            continue
        before = [t for t in fails_by_lock[event.lock_entity_id] if t <= event.at]
        if before:
            latencies.append(event.at - max(before))
    return latencies
