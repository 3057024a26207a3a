"""A real Home Assistant with the frontend, in a process of its own, for the panel's browser run.

``python -m homeassistant --skip-pip`` on a fresh config directory: the frontend, N bench
template locks with their provider scripts (the same YAML as the in-process scenarios), the
integration linked from the run's snapshot. On its HTTP port (``BENCH_PANEL_PORT``, else one the
system picks; given as ``SETUP_PORT``, not ``http:``, which 2026.10 would hold as a pending
setting), an owner is onboarded over the REST API, each lock is added through the config flow
with its scripts, and the grants are created with ``create_access_grant`` over the WebSocket
API. Door codes in the responses stay unread.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
import json
import os
from pathlib import Path
import secrets
import signal
import socket
import subprocess
import sys
from typing import Any

import aiohttp

from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import dump

from ... import SOURCE_ROOT
from ...clock import REAL_MONOTONIC
from ...const import DOMAIN
from ...locks import CLEAR_SCRIPT, SET_SCRIPT, lock_id, lock_yaml

START_WITHIN_S = 120.0  # process start until the API answers
RUNNING_WITHIN_S = 60.0
POOLS_WITHIN_S = 60.0
STOP_WITHIN_S = 30.0
SETTLE_S = 3.0
BATCH = 50  # WebSocket calls in flight at once
ROUND = timedelta(hours=16)  # between two stays on one lock
STAY = timedelta(hours=14)


class ServerError(Exception):
    """Home Assistant did not do what the run needs."""


def free_port() -> int:
    """BENCH_PANEL_PORT (refused if something listens there), or one the system picks."""
    if port := os.environ.get("BENCH_PANEL_PORT"):
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", int(port)), timeout=0.5).close()
            raise ServerError(f"BENCH_PANEL_PORT {port} is busy")
        return int(port)
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


@dataclass
class Api:
    """The REST API (with the owner's token once onboarded)."""

    session: aiohttp.ClientSession
    base: str
    token: str = ""

    async def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        form: dict[str, str] | None = None,
    ) -> Any:
        """One request; its JSON answer, or ServerError."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with self.session.request(
            method,
            self.base + path,
            json=body,
            data=form,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=30),
        ) as resp:
            text = await resp.text()
            if resp.status != 200:
                raise ServerError(f"{method} {path}: HTTP {resp.status} {text[:300]}")
            return json.loads(text) if text else None


class WebSocket:
    """The WebSocket API, commands in flight at once."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Wrap an authenticated connection."""
        self.ws = ws
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type is not aiohttp.WSMsgType.TEXT:
                break
            payload = json.loads(msg.data)
            for item in payload if isinstance(payload, list) else [payload]:
                future = self.pending.pop(item.get("id"), None)
                if future is not None and not future.done():
                    future.set_result(item)
        for future in self.pending.values():
            future.set_exception(ServerError("the WebSocket closed"))

    async def command(self, message: dict[str, Any]) -> Any:
        """Send one command; its result, or ServerError."""
        self.next_id += 1
        future = self.pending[self.next_id] = asyncio.get_running_loop().create_future()
        await self.ws.send_json({**message, "id": self.next_id})
        answer = await asyncio.wait_for(future, 60)
        if not answer.get("success"):
            raise ServerError(f"{message['type']}: {answer.get('error')}")
        return answer.get("result")


@dataclass
class Server:
    """What the browser run needs of the running Home Assistant."""

    base: str
    tokens: dict[str, Any]  # the login's token answer (the browser keeps it)
    client_id: str
    start_s: float  # process start until the API answered


class HassProcess:
    """``python -m homeassistant`` in its own process group, stopped with the group."""

    def __init__(self, config_dir: Path, port: int) -> None:
        """Where and on which port."""
        self.config_dir = config_dir
        self.port = port
        self.log = config_dir / "hass.out"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, n: int) -> None:
        """Write the configuration, link the integration, start."""
        (self.config_dir / "configuration.yaml").write_text(dump(configuration(n)))
        (self.config_dir / "custom_components").symlink_to(
            SOURCE_ROOT / "custom_components"
        )
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "homeassistant",
                    "--config",
                    str(self.config_dir),
                    "--skip-pip",
                ],
                cwd=self.config_dir,
                env={**os.environ, "SETUP_PORT": str(self.port)},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def exited(self) -> int | None:
        """Its exit code once it has ended."""
        return None if self.proc is None else self.proc.poll()

    def log_tail(self, lines: int = 15) -> str:
        """The end of its output, for an error message."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        """SIGTERM to the group, SIGKILL to what is left."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(STOP_WITHIN_S)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


async def until(
    what: str,
    within: float,
    check: Callable[[], Awaitable[bool]],
    process: HassProcess,
    pause: float = 0.25,
) -> None:
    """Poll the coroutine function ``check`` until it returns something true."""
    deadline = REAL_MONOTONIC() + within
    while True:
        if (code := process.exited()) is not None:
            raise ServerError(
                f"Home Assistant exited ({code}) before {what}:\n{process.log_tail()}"
            )
        with contextlib.suppress(aiohttp.ClientError, TimeoutError, ServerError):
            if await check():
                return
        if REAL_MONOTONIC() > deadline:
            raise ServerError(f"no {what} within {within:.0f} s:\n{process.log_tail()}")
        await asyncio.sleep(pause)


async def onboard(api: Api) -> tuple[dict[str, Any], str]:
    """Create the owner, log in, finish onboarding; the token answer and the client id."""
    client_id = f"{api.base}/"
    user = await api.call(
        "POST",
        "/api/onboarding/users",
        body={
            "client_id": client_id,
            "name": "Bench Host",
            "username": "bench",
            "password": secrets.token_urlsafe(18),
            "language": "en",
        },
    )
    tokens: dict[str, Any] = await api.call(
        "POST",
        "/auth/token",
        form={
            "grant_type": "authorization_code",
            "code": user["auth_code"],
            "client_id": client_id,
        },
    )
    api.token = tokens["access_token"]
    for step in ("core_config", "analytics"):
        await api.call("POST", f"/api/onboarding/{step}")
    await api.call(
        "POST",
        "/api/onboarding/integration",
        body={"client_id": client_id, "redirect_uri": f"{client_id}?auth_callback=1"},
    )
    return tokens, client_id


async def add_lock(api: Api, i: int) -> None:
    """Backup Access Codes for bench lock i, through the config flow with its scripts."""
    flow = await api.call(
        "POST", "/api/config/config_entries/flow", body={"handler": DOMAIN}
    )
    path = f"/api/config/config_entries/flow/{flow['flow_id']}"
    await api.call("POST", path, body={"lock_entity_id": lock_id(i)})
    done = await api.call(
        "POST",
        path,
        body={
            "set_code_script": f"script.bench_{i}_set_code",
            "clear_code_script": f"script.bench_{i}_clear_code",
        },
    )
    if done.get("type") != "create_entry":
        raise ServerError(
            f"the config flow of {lock_id(i)} ended with {done.get('type')}"
        )


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
async def websocket(
    session: aiohttp.ClientSession, api: Api
) -> AsyncIterator[WebSocket]:
    """An authenticated WebSocket connection (closed at the end)."""
    ws = await session.ws_connect(api.base.replace("http", "ws", 1) + "/api/websocket")
    try:
        await ws.receive_json(timeout=10)  # auth_required
        await ws.send_json({"type": "auth", "access_token": api.token})
        if (answer := await ws.receive_json(timeout=10)).get("type") != "auth_ok":
            raise ServerError(f"WebSocket auth: {answer.get('type')}")
        client = WebSocket(ws)
        yield client
        client.reader.cancel()
    finally:
        await ws.close()


async def loaded_entries(api: Api, n: int) -> bool:
    """Whether all N entries are loaded."""
    entries = await api.call("GET", f"/api/config/config_entries/entry?domain={DOMAIN}")
    return sum(1 for e in entries if e.get("state") == "loaded") == n


@contextlib.asynccontextmanager
async def running_home_assistant(
    config_dir: Path, locks: int, grants: int
) -> AsyncIterator[Server]:
    """Home Assistant with the frontend, N locks and the grants; stopped at the end."""
    port = free_port()
    process = HassProcess(config_dir, port)
    began = REAL_MONOTONIC()
    try:
        process.start(locks)
        async with aiohttp.ClientSession() as session:
            api = Api(session, f"http://127.0.0.1:{port}")

            async def answers() -> bool:
                return bool(await api.call("GET", "/api/onboarding"))

            await until("the API answered", START_WITHIN_S, answers, process)
            start_s = REAL_MONOTONIC() - began
            tokens, client_id = await onboard(api)

            async def running() -> bool:
                config = await api.call("GET", "/api/config")
                return bool(config.get("state") == "RUNNING")

            await until("RUNNING", RUNNING_WITHIN_S, running, process)
            for i in range(locks):
                await add_lock(api, i)

            async def loaded() -> bool:
                return await loaded_entries(api, locks)

            await until("every entry loaded", POOLS_WITHIN_S, loaded, process)
            async with websocket(session, api) as ws:
                await create_grants(ws, locks, grants)
            await asyncio.sleep(
                SETTLE_S
            )  # the Store's debounced write, the pools' last codes
            yield Server(api.base, tokens, client_id, start_s)
    finally:
        process.stop()
