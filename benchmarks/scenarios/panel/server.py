"""A real Home Assistant with the frontend, in a process of its own, for the panel's browser run.

The end-to-end check's process and clients (``e2e/``): ``python -m homeassistant --skip-pip``
on a fresh config directory, here with the frontend, N bench template locks and their provider
scripts (the same YAML as the in-process scenarios) and the integration linked from the run's
snapshot. On its HTTP port (``BENCH_PANEL_PORT``, else one the system picks), the owner is
onboarded over the REST API, each lock is added through the config flow with its scripts, and
the grants are created with ``create_access_grant`` over the WebSocket API. Door codes in the
responses stay unread. e2e's progress lines go to stderr, beside the benchmark's.
"""

import asyncio
from collections.abc import AsyncIterator
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
import os
from pathlib import Path
import socket
import sys
from typing import Any

import aiohttp

from e2e.client import Api, WebSocket
from e2e.common import Run, check
from e2e.hass import HomeAssistant, port_busy
from e2e.onboarding import onboard, remove_onboarding_extras, wait_running
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import dump

from ... import SOURCE_ROOT
from ...clock import REAL_MONOTONIC
from ...const import DOMAIN
from ...locks import CLEAR_SCRIPT, SET_SCRIPT, lock_id, lock_yaml

LOADED_WITHIN_S = 60.0  # the last entry added until every entry is loaded
SETTLE_S = 3.0  # the Store's debounced write, the pools' last codes
BATCH = 50  # WebSocket calls in flight at once
ROUND = timedelta(hours=16)  # between two stays on one lock
STAY = timedelta(hours=14)


@dataclass
class Server:
    """What the browser run needs of the running Home Assistant."""

    api: Api  # logged in as the owner (its tokens log the browser in)
    start_s: float  # process start until the API answered


def panel_port() -> int:
    """BENCH_PANEL_PORT (refused if something listens there), or one the system picks."""
    if wanted := os.environ.get("BENCH_PANEL_PORT"):
        port = int(wanted)
        check(not port_busy(port), f"BENCH_PANEL_PORT {port} is busy")
        return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def configuration(n: int) -> dict[str, Any]:
    """configuration.yaml: the frontend, N online template locks and their scripts."""
    scripts: dict[str, Any] = {}
    for i in range(n):
        scripts[f"bench_{i}_set_code"] = SET_SCRIPT
        scripts[f"bench_{i}_clear_code"] = CLEAR_SCRIPT
    return {
        "homeassistant": {"name": "Bench", "time_zone": "UTC"},
        "frontend": {},
        "logger": {"default": "warning"},
        "input_boolean": {
            **{f"bench_{i}_online": {"initial": True} for i in range(n)},
            "bench_writes_fail": {"initial": False},
        },
        "template": [{"lock": [lock_yaml(i) for i in range(n)]}],
        "script": scripts,
    }


def prepare(config_dir: Path, n: int) -> None:
    """Write the configuration; link the run's snapshot of the integration."""
    (config_dir / "configuration.yaml").write_text(dump(configuration(n)))
    (config_dir / "custom_components").symlink_to(SOURCE_ROOT / "custom_components")


async def add_lock(api: Api, i: int) -> None:
    """Backup Access Codes for bench lock i, through the config flow with its scripts."""
    flow = await api.request(
        "POST", "/api/config/config_entries/flow", json_body={"handler": DOMAIN}
    )
    path = f"/api/config/config_entries/flow/{flow['flow_id']}"
    await api.request("POST", path, json_body={"lock_entity_id": lock_id(i)})
    done = await api.request(
        "POST",
        path,
        json_body={
            "set_code_script": f"script.bench_{i}_set_code",
            "clear_code_script": f"script.bench_{i}_clear_code",
        },
    )
    check(
        done.get("type") == "create_entry",
        f"the config flow of {lock_id(i)} ended with {done.get('type')}",
    )


async def all_loaded(api: Api, n: int) -> None:
    """Wait until all N entries are loaded."""
    deadline = REAL_MONOTONIC() + LOADED_WITHIN_S
    while True:
        entries = await api.entries(DOMAIN)
        loaded = sum(1 for e in entries if e.get("state") == "loaded")
        if loaded == n:
            return
        check(
            REAL_MONOTONIC() < deadline,
            f"{loaded} of {n} entries loaded after {LOADED_WITHIN_S:.0f} s",
        )
        await asyncio.sleep(0.25)


def stays(n: int, count: int, now: datetime) -> list[tuple[int, datetime]]:
    """Grant g on lock g mod n, its stays one round apart, the first a few minutes away."""
    first = now + timedelta(minutes=5)
    return [(g % n, first + (g // n) * ROUND) for g in range(count)]


async def create_grants(ws: WebSocket, n: int, count: int) -> None:
    """``count`` grants spread over the N locks, BATCH calls in flight at once."""
    calls = [
        {
            "type": "call_service",
            "domain": DOMAIN,
            "service": "create_access_grant",
            "service_data": {
                "lock_entity_id": lock_id(lock),
                "name": f"Guest {g + 1}",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + STAY).isoformat(),
            },
            "return_response": True,
        }
        for g, (lock, starts) in enumerate(stays(n, count, dt_util.utcnow()))
    ]
    for begin in range(0, len(calls), BATCH):
        await asyncio.gather(*(ws.command(c) for c in calls[begin : begin + BATCH]))


@contextlib.asynccontextmanager
async def running_home_assistant(
    config_dir: Path, locks: int, grants: int
) -> AsyncIterator[Server]:
    """Home Assistant with the frontend, N locks and the grants; stopped at the end."""
    run = Run(panel_port(), config_dir)
    prepare(config_dir, locks)
    hass = HomeAssistant(config_dir, run.port)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            hass.start()
            async with aiohttp.ClientSession() as session:
                api = Api(session, run.base)
                await hass.wait_for_api(session, run.base)
                start_s = REAL_MONOTONIC() - run.started
                await onboard(api, run)
                await wait_running(api)
                await remove_onboarding_extras(api, run)
                for i in range(locks):
                    await add_lock(api, i)
                await all_loaded(api, locks)
                ws = await WebSocket.connect(session, run.base, api.token or "")
                try:
                    await create_grants(ws, locks, grants)
                finally:
                    await ws.close()
                await asyncio.sleep(SETTLE_S)
                yield Server(api, start_s)
    finally:
        with contextlib.redirect_stdout(sys.stderr):
            hass.stop()
