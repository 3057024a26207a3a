"""Bench locks on real Home Assistant components, their entries, grants, waiting for events.

Each lock is a template lock whose availability follows ``input_boolean.bench_<i>_online``,
with its own two provider scripts (``mode: queued``, one event step so provider calls can be
counted; ``input_boolean.bench_writes_fail`` makes them answer ``success: false``).
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
import contextlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.backup_access_codes import const as bac
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from .clock import REAL_MONOTONIC
from .const import DOMAIN, FAIL_EVENT, FAIL_SWITCH, WRITE_EVENT
from .instance import flush_store, home_assistant, settle
from .probe import PROBE


def require(condition: object, message: str = "setup step failed") -> None:
    """Stop the scenario when Home Assistant did not do what it must."""
    if not condition:
        raise RuntimeError(message)


def lock_id(i: int) -> str:
    """Entity id of lock number i."""
    return f"lock.bench_{i}"


def lock_yaml(i: int) -> dict[str, Any]:
    """A template lock whose availability follows input_boolean.bench_<i>_online."""
    return {
        "name": f"Bench {i}",
        "unique_id": f"bench_{i}_lock",
        "default_entity_id": lock_id(i),
        "availability": f"{{{{ is_state('input_boolean.bench_{i}_online', 'on') }}}}",
        "state": "locked",
        "lock": [],
        "unlock": [],
    }


def provider_script(action: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A provider script that just ends (one event step to count it), or fails on demand."""
    data = {
        "lock_entity_id": "{{ lock_entity_id }}",
        "slot": "{{ slot }}",
        "action": action,
    }
    return {
        "mode": "queued",
        "trace": {"stored_traces": 1},
        "fields": fields,
        "sequence": [
            {
                "if": [{"condition": "state", "entity_id": FAIL_SWITCH, "state": "on"}],
                "then": [
                    {"event": FAIL_EVENT, "event_data": data},
                    {"variables": {"result": {"success": False}}},
                    {"stop": "lock refused", "response_variable": "result"},
                ],
            },
            {"event": WRITE_EVENT, "event_data": data},
        ],
    }


SET_SCRIPT = provider_script("set", {"lock_entity_id": {}, "slot": {}, "code": {}})
CLEAR_SCRIPT = provider_script("clear", {"lock_entity_id": {}, "slot": {}})


def make_entry(i: int, options: dict[str, Any] | None = None) -> MockConfigEntry:
    """The config entry of lock number i on the script provider."""
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id=f"bench{i:05d}",
        title=lock_id(i),
        unique_id=f"uid-bench-{i}",
        data={
            bac.CONF_LOCK_ENTITY_ID: lock_id(i),
            bac.CONF_PROVIDER: bac.PROVIDER_SCRIPT,
            bac.CONF_SET_CODE_SCRIPT: f"script.bench_{i}_set_code",
            bac.CONF_CLEAR_CODE_SCRIPT: f"script.bench_{i}_clear_code",
        },
        options={**bac.DEFAULT_OPTIONS, **(options or {})},
    )


async def setup_environment(hass: HomeAssistant, n: int) -> None:
    """N template locks (online), an online switch each, two provider scripts each."""
    booleans: dict[str, Any] = {
        f"bench_{i}_online": {"initial": True} for i in range(n)
    }
    booleans["bench_writes_fail"] = {"initial": False}
    require(
        await async_setup_component(hass, "input_boolean", {"input_boolean": booleans})
    )
    locks = [lock_yaml(i) for i in range(n)]
    require(
        await async_setup_component(hass, "template", {"template": [{"lock": locks}]})
    )
    scripts: dict[str, Any] = {}
    for i in range(n):
        scripts[f"bench_{i}_set_code"] = SET_SCRIPT
        scripts[f"bench_{i}_clear_code"] = CLEAR_SCRIPT
    require(await async_setup_component(hass, "script", {"script": scripts}))
    await hass.async_block_till_done()
    missing = [lock_id(i) for i in range(n) if hass.states.get(lock_id(i)) is None]
    if missing:
        raise RuntimeError(f"template locks missing: {missing[:3]}")


async def add_locks(
    hass: HomeAssistant, n: int, options: dict[str, Any] | None = None
) -> list[MockConfigEntry]:
    """Set up N entries at once (as at start) and wait for their pools to be programmed."""
    entries = [make_entry(i, options) for i in range(n)]
    for entry in entries:
        entry.add_to_hass(hass)
    require(await async_setup_component(hass, DOMAIN, {}))
    await settle(hass)
    pool = int({**bac.DEFAULT_OPTIONS, **(options or {})}[bac.CONF_POOL_SIZE])
    sets = PROBE.codes_set()
    if sets < n * pool:
        raise RuntimeError(f"pools not programmed: {sets} of {n * pool} codes")
    PROBE.learn_entities(hass)
    await flush_store(hass)
    return entries


@contextlib.asynccontextmanager
async def home_with_locks(
    config_dir: Path, n: int, options: dict[str, Any] | None = None
) -> AsyncIterator[HomeAssistant]:
    """A running Home Assistant with N bench locks set up, their pools programmed."""
    async with home_assistant(config_dir) as hass:
        await setup_environment(hass, n)
        await add_locks(hass, n, options)
        yield hass


async def set_online(hass: HomeAssistant, locks: Iterable[int], online: bool) -> None:
    """Take locks online or offline through their switches."""
    await hass.services.async_call(
        "input_boolean",
        "turn_on" if online else "turn_off",
        {"entity_id": [f"input_boolean.bench_{i}_online" for i in locks]},
        blocking=True,
    )
    await settle(hass)


async def set_writes_fail(hass: HomeAssistant, fail: bool) -> None:
    """Make every provider script answer success: false (or stop doing so)."""
    await hass.services.async_call(
        "input_boolean",
        "turn_on" if fail else "turn_off",
        {"entity_id": FAIL_SWITCH},
        blocking=True,
    )
    await settle(hass)


async def call_create_grant(
    hass: HomeAssistant,
    entity_ids: list[str],
    starts_at: datetime,
    ends_at: datetime,
    name: str,
) -> dict[str, Any]:
    """Call create_access_grant as an automation would; return its response."""
    response = await hass.services.async_call(
        DOMAIN,
        "create_access_grant",
        {
            "lock_entity_id": entity_ids,
            "name": name,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        },
        blocking=True,
        return_response=True,
    )
    if not isinstance(response, dict):
        raise TypeError("create_access_grant answered no dict")
    return dict(response)


async def create_grant(
    hass: HomeAssistant,
    locks: list[int],
    starts_at: datetime,
    ends_at: datetime,
    name: str,
) -> str:
    """A grant on bench locks (by number); return the grant id."""
    response = await call_create_grant(
        hass, [lock_id(i) for i in locks], starts_at, ends_at, name
    )
    return str(response["access_grant_id"])


async def grant_each_lock(
    hass: HomeAssistant,
    n: int,
    rounds: int,
    starts: Callable[[int, int], datetime],
    stay: timedelta,
    prefix: str,
) -> None:
    """``rounds`` grants on each of N locks, round by round; round g on lock i from starts(g, i)."""
    for g in range(rounds):
        for i in range(n):
            begin = starts(g, i)
            await create_grant(hass, [i], begin, begin + stay, f"{prefix}{g}")


async def wait_events(
    hass: HomeAssistant, keys: list[tuple[str, str]], kind: str, within: float = 30.0
) -> None:
    """Wait (real time) until every (grant, lock) got a ``kind`` event."""
    deadline = REAL_MONOTONIC() + within
    for grant_id, lock in keys:
        if (grant_id, lock, kind) in PROBE.seen:
            continue
        future = PROBE.waiters.setdefault(
            (grant_id, lock, kind), hass.loop.create_future()
        )
        remaining = deadline - REAL_MONOTONIC()
        if remaining <= 0:
            raise TimeoutError(f"no {kind} event for a grant within {within} s")
        await asyncio.wait_for(future, remaining)
    PROBE.waiters.clear()
