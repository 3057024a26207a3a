"""End-to-end check of the demo, the way a new user meets it.

Starts Home Assistant as scripts/develop does, but on a throw-away copy of config/ (the
repository's config/ stays untouched), onboards a user over the REST API, adds Backup Access
Codes for lock.demo_lock through the config flow (script provider), waits for the pool of five
backup codes, takes the lock offline and creates a last-minute access grant. It passes when a
backup code is issued (event `backup_access_codes_issued`, `is_backup_code: true`) within ten
seconds and the sensors count one issued and four available codes.

With `--screenshot PATH` it then also installs docs/dashboard.yaml as a dashboard (WebSocket
`lovelace/dashboards/create` + `lovelace/config/save`), opens it in headless Chromium (Debian's
`chromium`, driven by Playwright), checks that the page shows 1 issued and 4 available backup codes
and no pool warning, and saves a screenshot of it to PATH (docs/dashboard.png for the README).

Run it through scripts/e2e. Environment:
  E2E_PORT      HTTP port of the throw-away Home Assistant (default 8123). Another port is
                given to Home Assistant through its SETUP_PORT variable (the default port of a
                new installation), not through `http:` in configuration.yaml, which would be a
                pending setting that Home Assistant reverts after five minutes.
  E2E_VERBOSE=1 print Home Assistant's warnings and errors at the end even when all passes.

Door codes are never printed: only their length. Exit status 0 = PASS, 1 = FAIL, 2 = could not
start (port busy, or --screenshot without Chromium or Playwright), 130 = interrupted.
"""

import argparse
import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import errno
import json
import os
from pathlib import Path
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from typing import Any

import aiohttp

from homeassistant.util.yaml import parse_yaml

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "backup_access_codes"
LOCK = "lock.demo_lock"
ONLINE_SWITCH = "input_boolean.demo_lock_online"
SET_SCRIPT = "script.demo_lock_set_code"
CLEAR_SCRIPT = "script.demo_lock_clear_code"
EVENT_ISSUED = f"{DOMAIN}_issued"
EVENT_REISSUED = f"{DOMAIN}_reissued"
EVENT_ISSUE_FAILED = f"{DOMAIN}_issue_failed"

# Defaults of the integration's options (DESIGN.md); the flow does not change them.
POOL_SIZE = 5
CODE_LENGTH = 6
FIRST_SLOT = 20

SENSOR_AVAILABLE = "available_backup_codes"
SENSOR_ISSUED = "issued_backup_codes"
PROBLEM_SENSORS = (
    "empty_backup_access_code_pool",
    "partial_backup_access_code_pool",
    "many_active_backup_codes",
)
ENTITY_KEYS = (SENSOR_AVAILABLE, SENSOR_ISSUED, *PROBLEM_SENSORS)

START_TIMEOUT = 90.0  # process start until the API answers
RUNNING_TIMEOUT = 60.0  # API answers until Home Assistant is RUNNING
POOL_TIMEOUT = 30.0  # entry created until five codes are ready
EVENT_TIMEOUT = 10.0  # service call until the issued event (the brief's promise)
STATE_TIMEOUT = 10.0
STOP_TIMEOUT = 30.0

# A standalone run of digits that could be a door code (not the fraction of a timestamp).
CODE_LIKE = re.compile(r"(?<![\d.:-])\d{4,8}(?![\d:-])")
# Log lines Home Assistant always writes for any custom integration.
EXPECTED_WARNINGS = ("We found a custom integration",)


class CheckError(Exception):
    """The demo did not behave as promised."""


def check(condition: object, message: str) -> None:
    """Fail the run with a message unless the condition holds."""
    if not condition:
        raise CheckError(message)


@dataclass
class Run:
    """What the run learned; the codes are kept only to look for leaks, never printed."""

    port: int
    config_dir: Path
    started: float = field(default_factory=time.monotonic)
    timings: list[tuple[str, float]] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)

    def step(self, message: str) -> None:
        """Print a progress line with the time since the start."""
        print(f"[{time.monotonic() - self.started:6.1f}s] {message}", flush=True)

    def timing(self, label: str, seconds: float) -> None:
        """Record and print a measured duration."""
        self.timings.append((label, seconds))
        self.step(f"{label}: {seconds:.2f} s")

    def redact(self, text: str) -> str:
        """Hide the codes we know, and anything else that looks like one."""
        for code in self.codes:
            text = text.replace(code, "*" * len(code))
        return CODE_LIKE.sub(lambda m: "#" * len(m.group()), text)


# --------------------------------------------------------------------------------------------
# Home Assistant process


def port_busy(port: int) -> bool:
    """Tell whether something listens on the port (or it cannot be bound)."""
    for host in ("127.0.0.1", "::1"):
        with (
            contextlib.suppress(OSError),
            socket.create_connection((host, port), timeout=0.5),
        ):
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))  # noqa: S104 - Home Assistant binds all interfaces
        except OSError as err:
            return err.errno == errno.EADDRINUSE
    return False


def prepare_config(config_dir: Path) -> None:
    """Copy the demo configuration; link the integration as scripts/develop does."""
    shutil.copy2(
        ROOT / "config" / "configuration.yaml", config_dir / "configuration.yaml"
    )
    (config_dir / "custom_components").symlink_to(ROOT / "custom_components")


class HomeAssistant:
    """`python -m homeassistant --config DIR --skip-pip` in its own process group."""

    def __init__(self, config_dir: Path, port: int) -> None:
        """Remember where and how to run."""
        self.config_dir = config_dir
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None
        self.output = config_dir / "hass.out"

    def start(self) -> None:
        """Start it, detached from our terminal's Ctrl-C (we stop it ourselves)."""
        env = dict(os.environ)
        env.pop("SETUP_PORT", None)
        if self.port != 8123:
            env["SETUP_PORT"] = str(self.port)
        with self.output.open("wb") as out:
            self.proc = subprocess.Popen(
                [
                    str(ROOT / ".venv" / "bin" / "python"),
                    "-m",
                    "homeassistant",
                    "--config",
                    str(self.config_dir),
                    "--skip-pip",
                ],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def exit_code(self) -> int | None:
        """Return the exit code once it has exited."""
        return None if self.proc is None else self.proc.poll()

    def stop(self) -> float:
        """Stop the whole process group: SIGTERM, then SIGKILL. Return how long it took."""
        if self.proc is None:
            return 0.0
        began = time.monotonic()
        pgid = self.proc.pid  # start_new_session: the leader's pid is the group id
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                print(
                    "e2e: Home Assistant did not stop in time; killing it", flush=True
                )
        # Whatever is left of the group (the leader, or children it left behind).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        self.proc.wait()
        return time.monotonic() - began


# --------------------------------------------------------------------------------------------
# HTTP and WebSocket clients


class Api:
    """The REST API of the running Home Assistant."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        """Talk to `base` (http://127.0.0.1:PORT)."""
        self.session = session
        self.base = base
        self.token: str | None = None
        # The whole token answer of the login: the browser needs it (--screenshot).
        self.tokens: dict[str, Any] = {}
        self.client_id = f"{base}/"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        expect: int = 200,
    ) -> Any:
        """Send a request; fail unless it answers `expect`. Return the decoded JSON."""
        async with self.session.request(
            method,
            self.base + path,
            json=json_body,
            data=form,
            headers=self._headers(),
            timeout=aiohttp.ClientTimeout(total=30),
        ) as resp:
            text = await resp.text()
            check(
                resp.status == expect,
                f"{method} {path} answered HTTP {resp.status} (expected {expect}): "
                f"{text[:500]}",
            )
            return json.loads(text) if text else None

    async def state(self, entity_id: str) -> dict[str, Any] | None:
        """Return an entity's state object, or None if it has none."""
        async with self.session.get(
            f"{self.base}/api/states/{entity_id}",
            headers=self._headers(),
            timeout=aiohttp.ClientTimeout(total=10),
        ) as resp:
            if resp.status == 404:
                return None
            check(
                resp.status == 200, f"GET /api/states/{entity_id}: HTTP {resp.status}"
            )
            result: dict[str, Any] = await resp.json()
            return result

    async def wait_state(
        self, entity_id: str, wanted: str, within: float = STATE_TIMEOUT
    ) -> dict[str, Any]:
        """Poll until the entity's state is `wanted`."""
        deadline = time.monotonic() + within
        last = None
        while True:
            state = await self.state(entity_id)
            last = None if state is None else state["state"]
            if state is not None and last == wanted:
                return state
            check(
                time.monotonic() < deadline,
                f"{entity_id} is {last!r} after {within:.0f} s (expected {wanted!r})",
            )
            await asyncio.sleep(0.2)


@dataclass
class ReceivedEvent:
    """An event from the bus and when it reached us."""

    event_type: str
    data: dict[str, Any]
    received: float


class WebSocket:
    """The WebSocket API: commands, and events of subscriptions."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Wrap an authenticated connection."""
        self.ws = ws
        self.next_id = 1
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: asyncio.Queue[ReceivedEvent] = asyncio.Queue()
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def connect(
        cls, session: aiohttp.ClientSession, base: str, token: str
    ) -> WebSocket:
        """Open /api/websocket and authenticate."""
        ws = await session.ws_connect(base.replace("http", "ws", 1) + "/api/websocket")
        hello = await ws.receive_json(timeout=10)
        check(hello.get("type") == "auth_required", f"WebSocket greeting: {hello}")
        await ws.send_json({"type": "auth", "access_token": token})
        answer = await ws.receive_json(timeout=10)
        check(answer.get("type") == "auth_ok", f"WebSocket auth: {answer.get('type')}")
        return cls(ws)

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type is not aiohttp.WSMsgType.TEXT:
                break
            received = time.monotonic()
            payload = json.loads(msg.data)
            for item in payload if isinstance(payload, list) else [payload]:
                if item.get("type") == "event":
                    event = item["event"]
                    self.events.put_nowait(
                        ReceivedEvent(event["event_type"], event["data"], received)
                    )
                elif (future := self.pending.pop(item.get("id"), None)) is not None:
                    if not future.done():
                        future.set_result(item)
        for future in self.pending.values():
            if not future.done():
                future.set_exception(CheckError("WebSocket connection closed"))

    async def command(self, message: dict[str, Any]) -> Any:
        """Send a command and return its result."""
        msg_id = self.next_id
        self.next_id += 1
        future: asyncio.Future[dict[str, Any]] = (
            asyncio.get_running_loop().create_future()
        )
        self.pending[msg_id] = future
        await self.ws.send_json({**message, "id": msg_id})
        answer = await asyncio.wait_for(future, 30)
        check(
            answer.get("success"),
            f"WebSocket {message['type']} failed: {answer.get('error')}",
        )
        return answer.get("result")

    async def close(self) -> None:
        """Close the connection and stop reading."""
        await self.ws.close()
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reader


# --------------------------------------------------------------------------------------------
# The scenario


async def wait_for_api(api: Api, hass: HomeAssistant) -> None:
    """Wait until the (unauthenticated) onboarding endpoint answers."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        code = hass.exit_code()
        check(
            code is None,
            f"Home Assistant exited with code {code} before its API answered",
        )
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with api.session.get(
                api.base + "/api/onboarding", timeout=aiohttp.ClientTimeout(total=2)
            ) as resp:
                if resp.status == 200:
                    return
        check(
            time.monotonic() < deadline,
            f"the API did not answer within {START_TIMEOUT:.0f} s",
        )
        await asyncio.sleep(0.25)


async def onboard(api: Api, run: Run) -> None:
    """Create the owner, log in, and finish every onboarding step, as the frontend does."""
    status = await api.request("GET", "/api/onboarding")
    check(
        not any(step["done"] for step in status),
        f"a fresh configuration should not be onboarded yet: {status}",
    )
    client_id = f"{api.base}/"
    created = await api.request(
        "POST",
        "/api/onboarding/users",
        json_body={
            "client_id": client_id,
            "name": "E2E Host",
            "username": "e2e",
            "password": secrets.token_urlsafe(18),
            "language": "en",
        },
    )
    tokens = await api.request(
        "POST",
        "/auth/token",
        form={
            "grant_type": "authorization_code",
            "code": created["auth_code"],
            "client_id": client_id,
        },
    )
    api.token = tokens["access_token"]
    api.tokens = tokens
    api.client_id = client_id
    await api.request("POST", "/api/onboarding/core_config")
    await api.request("POST", "/api/onboarding/analytics")
    await api.request(
        "POST",
        "/api/onboarding/integration",
        json_body={
            "client_id": client_id,
            "redirect_uri": f"{client_id}?auth_callback=1",
        },
    )
    status = await api.request("GET", "/api/onboarding")
    missing = [step["step"] for step in status if not step["done"]]
    check(not missing, f"onboarding steps not done: {missing}")
    run.step(f"onboarded: {', '.join(step['step'] for step in status)}")


async def wait_running(api: Api) -> str:
    """Wait until Home Assistant reports RUNNING; return its version."""
    deadline = time.monotonic() + RUNNING_TIMEOUT
    while True:
        config = await api.request("GET", "/api/config")
        if config.get("state") == "RUNNING":
            return str(config.get("version"))
        check(
            time.monotonic() < deadline,
            f"Home Assistant is {config.get('state')!r} after {RUNNING_TIMEOUT:.0f} s",
        )
        await asyncio.sleep(0.25)


async def add_lock(api: Api, run: Run) -> str:
    """Add the integration for the demo lock through the config flow; return the entry id."""
    handlers = await api.request("GET", "/api/config/config_entries/flow_handlers")
    check(DOMAIN in handlers, f"{DOMAIN} is not offered in 'Add integration'")

    flow = await api.request(
        "POST",
        "/api/config/config_entries/flow",
        json_body={"handler": DOMAIN, "show_advanced_options": False},
    )
    check(
        flow.get("type") == "form" and flow.get("step_id") == "user",
        f"config flow should open on the 'user' form: {flow}",
    )
    fields = [item.get("name") for item in flow.get("data_schema", [])]
    check("lock_entity_id" in fields, f"'user' form fields: {fields}")
    flow_url = f"/api/config/config_entries/flow/{flow['flow_id']}"

    flow = await api.request("POST", flow_url, json_body={"lock_entity_id": LOCK})
    check(
        flow.get("type") == "form" and flow.get("step_id") == "script",
        f"after the lock, the flow should ask for the scripts: {flow}",
    )
    check(not flow.get("errors"), f"'user' step errors: {flow.get('errors')}")

    flow = await api.request(
        "POST",
        flow_url,
        json_body={"set_code_script": SET_SCRIPT, "clear_code_script": CLEAR_SCRIPT},
    )
    check(
        flow.get("type") == "create_entry",
        f"the 'script' step should create the entry: {flow}",
    )
    result = flow.get("result")
    entry_id = result.get("entry_id") if isinstance(result, dict) else result
    check(isinstance(entry_id, str) and entry_id, f"no entry id in {flow}")

    entries = await api.request(
        "GET", f"/api/config/config_entries/entry?domain={DOMAIN}"
    )
    entry = next((e for e in entries if e.get("entry_id") == entry_id), None)
    check(entry is not None, f"entry {entry_id} is not listed: {entries}")
    assert entry is not None  # noqa: S101 - for the type checker
    deadline = time.monotonic() + STATE_TIMEOUT
    while entry.get("state") != "loaded":
        check(
            entry.get("state") in {"not_loaded", "setup_in_progress"}
            and time.monotonic() < deadline,
            f"entry state is {entry.get('state')!r}: {entry.get('reason')}",
        )
        await asyncio.sleep(0.2)
        entries = await api.request(
            "GET", f"/api/config/config_entries/entry?domain={DOMAIN}"
        )
        entry = next(e for e in entries if e.get("entry_id") == entry_id)
    run.step(f"config entry {entry.get('title')!r} created and loaded")
    return str(entry_id)


async def find_entities(ws: WebSocket, entry_id: str, run: Run) -> dict[str, str]:
    """Find the entry's entities by translation key (or unique id suffix)."""
    registry = await ws.command({"type": "config/entity_registry/list"})
    found: dict[str, str] = {}
    for item in registry:
        if item.get("config_entry_id") != entry_id:
            continue
        key = item.get("translation_key")
        if key not in ENTITY_KEYS:
            key = next(
                (
                    k
                    for k in ENTITY_KEYS
                    if str(item.get("unique_id")).endswith(f"_{k}")
                ),
                None,
            )
        if key is not None:
            found[key] = item["entity_id"]
    mine = [i["entity_id"] for i in registry if i.get("config_entry_id") == entry_id]
    missing = [key for key in ENTITY_KEYS if key not in found]
    check(not missing, f"entities missing: {missing} (the entry has {mine})")
    check(len(mine) == len(ENTITY_KEYS), f"expected 5 entities per lock, got {mine}")
    run.step("entities: " + ", ".join(found[key] for key in ENTITY_KEYS))
    return found


async def check_counts(
    api: Api, entities: dict[str, str], available: int, issued: int, within: float
) -> None:
    """Wait for the two counters; then the problem sensors must be off."""
    await api.wait_state(entities[SENSOR_AVAILABLE], str(available), within)
    await api.wait_state(entities[SENSOR_ISSUED], str(issued), within)
    for key in PROBLEM_SENSORS:
        state = await api.state(entities[key])
        check(
            state is not None and state["state"] == "off",
            f"{entities[key]} is {None if state is None else state['state']!r}"
            " (expected 'off')",
        )


async def wait_grant_event(
    ws: WebSocket, grant_id: str, deadline: float
) -> tuple[ReceivedEvent, list[ReceivedEvent]]:
    """Return the grant's first event (and any other events seen) before the deadline."""
    others: list[ReceivedEvent] = []
    while True:
        remaining = deadline - time.monotonic()
        check(
            remaining > 0,
            f"no {EVENT_ISSUED} event for the grant within {EVENT_TIMEOUT:.0f} s"
            f" (other events: {[e.event_type for e in others]})",
        )
        try:
            event = await asyncio.wait_for(ws.events.get(), remaining)
        except TimeoutError:
            continue
        if event.data.get("access_grant_id") == grant_id:
            return event, others
        others.append(event)


def parse_time(value: Any) -> datetime | None:
    """Parse an ISO time from an event, or None."""
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


async def last_minute_grant(
    api: Api, ws: WebSocket, entities: dict[str, str], run: Run
) -> None:
    """Lock offline, grant for a check-in in ten minutes: a backup code must be issued."""
    for event_type in (EVENT_ISSUED, EVENT_REISSUED, EVENT_ISSUE_FAILED):
        await ws.command({"type": "subscribe_events", "event_type": event_type})

    await api.request(
        "POST",
        "/api/services/input_boolean/turn_off",
        json_body={"entity_id": ONLINE_SWITCH},
    )
    await api.wait_state(LOCK, "unavailable")
    run.step(f"{ONLINE_SWITCH} turned off: {LOCK} is unavailable")

    starts_at = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
    ends_at = starts_at + timedelta(days=2)
    guest = "E2E Guest"
    called = time.monotonic()
    answer = await api.request(
        "POST",
        f"/api/services/{DOMAIN}/create_access_grant?return_response",
        json_body={
            "lock_entity_id": LOCK,
            "name": guest,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        },
    )
    answered = time.monotonic()
    response = answer.get("service_response") if isinstance(answer, dict) else None
    check(isinstance(response, dict), f"no service response: {answer}")
    assert isinstance(response, dict)  # noqa: S101 - for the type checker
    grant_id = response.get("access_grant_id")
    scheduled = response.get("code")
    check(isinstance(grant_id, str) and grant_id, "no access_grant_id in the response")
    check(
        isinstance(scheduled, str) and scheduled.isdigit(),
        "the response has no code of digits",
    )
    assert isinstance(grant_id, str)  # noqa: S101
    assert isinstance(scheduled, str)  # noqa: S101
    run.codes.add(scheduled)
    run.timing("create_access_grant answered after", answered - called)
    run.step(
        f"grant created for {starts_at:%H:%M:%S} UTC (+10 min), two days long;"
        f" response code has {len(scheduled)} digits"
    )

    event, others = await wait_grant_event(ws, grant_id, called + EVENT_TIMEOUT)
    run.timing("issued event after the service call", event.received - called)
    data = event.data
    method = data.get("access_method") or {}
    code = method.get("code")
    if isinstance(code, str):
        run.codes.add(code)
    check(
        event.event_type == EVENT_ISSUED,
        f"the grant's first event is {event.event_type} (expected {EVENT_ISSUED})",
    )
    check(
        data.get("event_type") == "access_method.issued",
        f"event_type field is {data.get('event_type')!r}",
    )
    check(method.get("is_backup_code") is True, "the code issued is not a backup code")
    check(
        isinstance(code, str) and re.fullmatch(rf"\d{{{CODE_LENGTH}}}", code),
        f"the issued code is not {CODE_LENGTH} digits"
        f" (type {type(code).__name__}, length {len(str(code))})",
    )
    assert isinstance(code, str)  # noqa: S101
    check(method.get("mode") == "code", f"access_method.mode is {method.get('mode')!r}")
    slot = method.get("slot")
    check(
        isinstance(slot, int) and FIRST_SLOT <= slot < FIRST_SLOT + POOL_SIZE,
        f"backup slot {slot!r} is outside the pool slots"
        f" {FIRST_SLOT}..{FIRST_SLOT + POOL_SIZE - 1}",
    )
    check(
        data.get("lock_entity_id") == LOCK,
        f"lock_entity_id is {data.get('lock_entity_id')!r}",
    )
    check(data.get("name") == guest, f"name is {data.get('name')!r}")
    check(
        parse_time(data.get("starts_at")) == starts_at
        and parse_time(data.get("ends_at")) == ends_at,
        f"event times {data.get('starts_at')} .. {data.get('ends_at')}"
        f" differ from the grant's {starts_at.isoformat()} .. {ends_at.isoformat()}",
    )
    check(parse_time(method.get("issued_at")) is not None, "issued_at is not a time")
    run.step(
        f"event {EVENT_ISSUED}: is_backup_code=true, code of {len(code)} digits, slot {slot}"
        f"{', arrived before the service answered' if event.received <= answered else ''}"
    )
    for other in others:
        run.step(f"note: another event before it: {other.event_type}")

    # The guest must be told the backup code: list_access_grants shows what they were told.
    listed = await api.request(
        "POST",
        f"/api/services/{DOMAIN}/list_access_grants?return_response",
        json_body={"lock_entity_id": LOCK},
    )
    grants = (listed.get("service_response") or {}).get("access_grants") or []
    grant = next((g for g in grants if g.get("access_grant_id") == grant_id), None)
    check(grant is not None, "list_access_grants does not list the grant")
    assert grant is not None  # noqa: S101
    locks = [lk for lk in grant.get("locks", []) if lk.get("lock_entity_id") == LOCK]
    check(len(locks) == 1, f"list_access_grants: {len(locks)} entries for {LOCK}")
    told = locks[0]
    check(
        told.get("code") == code
        and told.get("is_backup_code") is True
        and told.get("slot") == slot,
        "list_access_grants disagrees with the event"
        f" (same code: {told.get('code') == code},"
        f" is_backup_code: {told.get('is_backup_code')!r}, slot: {told.get('slot')!r})",
    )
    run.step(f"list_access_grants agrees (status {told.get('status')!r})")

    await check_counts(api, entities, POOL_SIZE - 1, 1, STATE_TIMEOUT)
    run.step(
        f"{entities[SENSOR_ISSUED]} = 1, {entities[SENSOR_AVAILABLE]} = {POOL_SIZE - 1},"
        " problem sensors off"
    )
    issued = await api.state(entities[SENSOR_ISSUED])
    holders = (issued or {}).get("attributes", {}).get("access_grants")
    check(
        isinstance(holders, list)
        and [h.get("access_grant_id") for h in holders] == [grant_id],
        f"{entities[SENSOR_ISSUED]} attribute access_grants does not list just the grant",
    )

    # Nothing the integration shows as state may hold a code (show_codes is off).
    async with api.session.get(
        api.base + "/api/states", headers=api._headers()
    ) as resp:
        states_text = await resp.text()
    for known in run.codes:
        check(
            re.search(rf"(?<![\d.]){known}(?!\d)", states_text) is None,
            "a door code appears in /api/states",
        )
    run.step("no door code in any entity state or attribute")


# --------------------------------------------------------------------------------------------
# The dashboard, in a real browser (--screenshot)

DASHBOARD_YAML = ROOT / "docs" / "dashboard.yaml"
DASHBOARD_URL = "backup-access-codes"
CHROMIUM = Path("/usr/bin/chromium")
# Debian's chromium in a container: no sandbox, no GPU, and nothing that reaches the network.
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
VIEWPORT_WIDTH, VIEWPORT_HEIGHT = 1000, 560
PAGE_TIMEOUT = 60.0  # navigation until the cards show the expected counts

# The text of every tile card on the page, through the shadow roots of the frontend's
# web components; `hidden` tells whether the card takes no space (a conditional card that is off).
TILE_TEXTS_JS = """
() => {
  const text = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return node.data;
    if (node.nodeType !== Node.ELEMENT_NODE) return "";
    if (["STYLE", "SCRIPT", "TEMPLATE"].includes(node.tagName)) return "";
    let out = "";
    if (node.shadowRoot) for (const child of node.shadowRoot.childNodes) out += " " + text(child);
    for (const child of node.childNodes) out += " " + text(child);
    return out;
  };
  const tiles = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.localName === "hui-tile-card") {
        const box = el.getBoundingClientRect();
        tiles.push({
          text: text(el).replace(/\\s+/g, " ").trim(),
          hidden: box.width === 0 || box.height === 0,
        });
      }
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return tiles;
}
"""


def write_file(path: Path, data: bytes) -> None:
    """Write a file, making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def browser_problem() -> str | None:
    """Tell what is missing for --screenshot, if anything."""
    if not CHROMIUM.exists():
        return (
            f"{CHROMIUM} is missing: apt-get install chromium fonts-liberation"
            " (scripts/e2e does it when run as root)"
        )
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "Playwright is missing: scripts/setup --develop installs it"
    return None


def dashboard_entities(config: Any) -> set[str]:
    """Every entity id the dashboard refers to."""
    found: set[str] = set()
    if isinstance(config, dict):
        for key, value in config.items():
            if key == "entity" and isinstance(value, str):
                found.add(value)
            else:
                found |= dashboard_entities(value)
    elif isinstance(config, list):
        for item in config:
            found |= dashboard_entities(item)
    return found


async def install_dashboard(
    ws: WebSocket, entities: dict[str, str]
) -> tuple[str, dict[str, str]]:
    """Create a dashboard from docs/dashboard.yaml.

    Return the path of its view, and the names of the tiles of the two counters.
    """
    config = parse_yaml(DASHBOARD_YAML.read_text())
    check(isinstance(config, dict), f"{DASHBOARD_YAML.name} is not a dashboard")
    assert isinstance(config, dict)  # noqa: S101 - for the type checker
    wanted = dashboard_entities(config)
    unknown = wanted - {*entities.values(), LOCK}
    check(not unknown, f"{DASHBOARD_YAML.name} refers to unknown entities: {unknown}")
    check(
        set(entities.values()) <= wanted,
        f"{DASHBOARD_YAML.name} does not show {set(entities.values()) - wanted}",
    )
    await ws.command(
        {
            "type": "lovelace/dashboards/create",
            "url_path": DASHBOARD_URL,
            "title": config.get("title", "Door codes"),
            "icon": "mdi:key-chain",
            "show_in_sidebar": True,
            "require_admin": False,
        }
    )
    await ws.command(
        {"type": "lovelace/config/save", "url_path": DASHBOARD_URL, "config": config}
    )
    saved = await ws.command({"type": "lovelace/config", "url_path": DASHBOARD_URL})
    check(saved == config, "the saved dashboard differs from docs/dashboard.yaml")
    view = config["views"][0]
    names = {
        key: tile_name(config, entities[key])
        for key in (SENSOR_AVAILABLE, SENSOR_ISSUED)
    }
    return f"/{DASHBOARD_URL}/{view.get('path', 0)}", names


def tile_name(config: Any, entity_id: str) -> str:
    """The name of the dashboard's tile card for an entity."""
    if isinstance(config, dict):
        if config.get("type") == "tile" and config.get("entity") == entity_id:
            name = config.get("name")
            check(
                isinstance(name, str),
                f"the tile of {entity_id} in {DASHBOARD_YAML.name} needs a name",
            )
            return str(name)
        items: list[Any] = list(config.values())
    elif isinstance(config, list):
        items = config
    else:
        items = []
    for item in items:
        with contextlib.suppress(CheckError):
            return tile_name(item, entity_id)
    raise CheckError(f"{DASHBOARD_YAML.name} has no tile card for {entity_id}")


async def dashboard_screenshot(
    api: Api, ws: WebSocket, entities: dict[str, str], run: Run, path: Path
) -> None:
    """Show the dashboard in Chromium, check its counts, save a screenshot."""
    from playwright.async_api import async_playwright

    view, names = await install_dashboard(ws, entities)
    run.step(f"dashboard {view} created from {DASHBOARD_YAML.relative_to(ROOT)}")
    # What the frontend keeps after a login (home-assistant-js-websocket's saveTokens).
    tokens = {
        **api.tokens,
        "hassUrl": api.base,
        "clientId": api.client_id,
    }
    init = (
        "(() => { const t = "
        + json.dumps(tokens)
        + "; t.expires = Date.now() + t.expires_in * 1000;"
        " localStorage.setItem('hassTokens', JSON.stringify(t)); })();"
    )

    async with async_playwright() as pw:
        began = time.monotonic()
        browser = await pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_FLAGS)
        )
        run.timing("Chromium started", time.monotonic() - began)
        try:
            context = await browser.new_context(
                viewport={"width": VIEWPORT_WIDTH, "height": VIEWPORT_HEIGHT},
                device_scale_factor=1,
                locale="en-US",
                color_scheme="light",
                timezone_id="UTC",
            )
            await context.add_init_script(init)
            page = await context.new_page()
            began = time.monotonic()
            await page.goto(api.base + view, wait_until="load")
            shown = await wait_for_dashboard(page, names)
            run.timing(
                "dashboard shown with the expected counts", time.monotonic() - began
            )
            run.step("the browser shows: " + "; ".join(shown))
            image = await page.screenshot(full_page=True)
        finally:
            await browser.close()
    await asyncio.to_thread(write_file, path, image)
    run.step(f"screenshot saved to {path} ({len(image) // 1024} KiB)")


async def wait_for_dashboard(page: Any, names: dict[str, str]) -> list[str]:
    """Wait until the page shows the counts (4 ready, 1 in use) and no pool warning.

    Return the text of every visible tile. A warning tile would read "<name> Problem"; the
    all-clear tile reads "<name> OK".
    """
    want = {
        f"{names[SENSOR_AVAILABLE]} {POOL_SIZE - 1}",
        f"{names[SENSOR_ISSUED]} 1",
    }
    deadline = time.monotonic() + PAGE_TIMEOUT
    shown: list[str] = []
    while True:
        loading = await page.evaluate(
            "() => !!document.getElementById('ha-launch-screen')"
        )
        tiles = await page.evaluate(TILE_TEXTS_JS)
        shown = [tile["text"] for tile in tiles if not tile["hidden"]]
        if (
            not loading
            and want <= set(shown)
            and any(text.endswith(" OK") for text in shown)
        ):
            break
        if time.monotonic() > deadline:
            shot = Path(tempfile.gettempdir()) / "backup-access-codes-e2e-failed.png"
            with contextlib.suppress(Exception):
                await page.screenshot(path=str(shot), full_page=True)
            check(
                False,
                f"after {PAGE_TIMEOUT:.0f} s the dashboard at {page.url} shows"
                f" {shown or 'no tile'}{' (still loading)' if loading else ''};"
                f" expected {sorted(want)} and an all-clear tile (screenshot: {shot})",
            )
        await asyncio.sleep(0.25)
    problems = [text for text in shown if text.endswith(" Problem")]
    check(not problems, f"the dashboard shows pool warnings: {problems}")
    return shown


async def scenario(
    hass: HomeAssistant, run: Run, screenshot: Path | None = None
) -> None:
    """Everything a new user does, against the running Home Assistant."""
    base = f"http://127.0.0.1:{run.port}"
    async with aiohttp.ClientSession() as session:
        api = Api(session, base)
        await wait_for_api(api, hass)
        run.timing(
            "HA start (process start to API answering)", time.monotonic() - run.started
        )

        began = time.monotonic()
        await onboard(api, run)
        run.timing("onboarding", time.monotonic() - began)

        version = await wait_running(api)
        run.timing(f"HA {version} RUNNING after", time.monotonic() - run.started)

        ws = await WebSocket.connect(session, base, api.token or "")
        try:
            began = time.monotonic()
            entry_id = await add_lock(api, run)
            run.timing("config flow", time.monotonic() - began)
            entities = await find_entities(ws, entry_id, run)
            await check_counts(api, entities, POOL_SIZE, 0, POOL_TIMEOUT)
            run.timing(
                f"pool of {POOL_SIZE} ready, after the flow's start",
                time.monotonic() - began,
            )
            await last_minute_grant(api, ws, entities, run)
            if screenshot is not None:
                began = time.monotonic()
                await dashboard_screenshot(api, ws, entities, run, screenshot)
                run.timing("dashboard and screenshot", time.monotonic() - began)
        finally:
            await ws.close()


# --------------------------------------------------------------------------------------------
# After Home Assistant stopped


@dataclass
class LogFindings:
    """What Home Assistant's log says, redacted."""

    problems: list[str] = field(default_factory=list)  # fail the run
    ours: list[str] = field(default_factory=list)  # the integration's warnings
    others: list[str] = field(default_factory=list)  # Home Assistant's own


def read_log(run: Run) -> LogFindings:
    """Sort the log's warnings and errors; look for door codes in it."""
    findings = LogFindings()
    log = run.config_dir / "home-assistant.log"
    if not log.exists():
        return findings
    lines = log.read_text(errors="replace").splitlines()
    text = "\n".join(lines)
    if any(re.search(rf"(?<![\d.]){known}(?!\d)", text) for known in run.codes):
        findings.problems.append("a door code appears in home-assistant.log")
    for index, line in enumerate(lines):
        level = re.search(r"\b(WARNING|ERROR|CRITICAL)\b", line)
        if level is None or any(expected in line for expected in EXPECTED_WARNINGS):
            continue
        traceback_lines = []
        for follow in lines[index + 1 : index + 60]:
            if re.match(r"\d{4}-\d\d-\d\d ", follow):
                break
            traceback_lines.append(follow)
        ours = DOMAIN in line or any(
            f"custom_components/{DOMAIN}" in follow for follow in traceback_lines
        )
        shown = run.redact(line)[:700]
        if ours and level.group(1) != "WARNING":
            findings.problems.append(f"integration error in the log: {shown}")
        elif ours:
            findings.ours.append(shown)
        else:
            findings.others.append(shown)
    return findings


def check_database(run: Run) -> str | None:
    """Look for door codes in the recorder's database; return a problem, if any."""
    databases = sorted(run.config_dir.glob("home-assistant_v2.db*"))
    data = b"".join(db.read_bytes() for db in databases)
    if b"input_text.demo_lock_last_write" not in data:
        run.step(
            "note: the recorder database was not written; its leak check is skipped"
        )
        return None
    for known in run.codes:
        if re.search(rb"(?<![\d.])" + known.encode() + rb"(?!\d)", data):
            return "a door code appears in the recorder database"
    run.step(f"no door code in the recorder database ({len(data) // 1024} KiB)")
    return None


def print_log_tail(run: Run, hass: HomeAssistant, lines: int = 40) -> None:
    """Show the end of Home Assistant's output, redacted, to help find a failure's cause."""
    for path in (run.config_dir / "home-assistant.log", hass.output):
        if path.exists() and path.stat().st_size:
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            print(f"---- last {len(tail)} lines of {path.name} (codes redacted) ----")
            for line in tail:
                print(run.redact(line)[:400])
            print("----")
            return


# --------------------------------------------------------------------------------------------


def _terminate(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/e2e",
        description="End-to-end check of the demo on a throw-away Home Assistant.",
    )
    parser.add_argument(
        "--screenshot",
        metavar="PATH",
        type=lambda value: Path(value).resolve(),
        help="also install docs/dashboard.yaml, check it in headless Chromium and save"
        " a screenshot of it to PATH (e.g. docs/dashboard.png)",
    )
    return parser.parse_args()


def main() -> int:
    """Run the check; return the exit status."""
    args = parse_args()
    if args.screenshot is not None and (problem := browser_problem()):
        print(f"e2e: --screenshot: {problem}", file=sys.stderr)
        return 2
    port = int(os.environ.get("E2E_PORT", "8123"))
    verbose = os.environ.get("E2E_VERBOSE") == "1"
    if port_busy(port):
        print(
            f"e2e: port {port} is in use (scripts/develop running?). Stop it, or pick"
            " another port: E2E_PORT=18123 scripts/e2e",
            file=sys.stderr,
        )
        return 2

    # Ctrl-C even when started from a shell that ignores it (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    config_dir = Path(tempfile.mkdtemp(prefix="backup-access-codes-e2e-"))
    run = Run(port=port, config_dir=config_dir)
    hass = HomeAssistant(config_dir, port)
    status = 1
    failure: str | None = None
    try:
        prepare_config(config_dir)
        print(f"e2e: Home Assistant on http://127.0.0.1:{port}, config in {config_dir}")
        run.started = time.monotonic()
        hass.start()
        asyncio.run(scenario(hass, run, args.screenshot))
    except CheckError as err:
        failure = str(err)
    except KeyboardInterrupt:
        failure = "interrupted"
        status = 130
    except Exception:  # noqa: BLE001 - any crash of the check is a failure, with its traceback
        failure = "the check crashed:\n" + traceback.format_exc()
    finally:
        # A second Ctrl-C must not leave Home Assistant running or the temp dir behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            if hass.proc is not None:
                run.step("stopping Home Assistant")
                run.timing("HA stop", hass.stop())
            findings = read_log(run)
            problems = findings.problems
            if run.codes and (problem := check_database(run)):
                problems.append(problem)
            if failure is not None:
                failure = run.redact(failure)
                if status != 130:
                    print_log_tail(run, hass)
            if findings.ours:
                print(f"Warnings of the integration in the log ({len(findings.ours)}):")
                for line in findings.ours[:20]:
                    print(f"  {line}")
            if findings.others and ((failure is not None and status != 130) or verbose):
                print(f"Home Assistant's own warnings/errors ({len(findings.others)}):")
                for line in findings.others[:40]:
                    print(f"  {line}")
            elif findings.others:
                print(
                    f"e2e: {len(findings.others)} warning/error lines from Home Assistant"
                    " itself, not the integration (E2E_VERBOSE=1 shows them)"
                )
            if problems:
                failure = "; ".join(
                    ([failure] if failure is not None else []) + problems
                )
        finally:
            shutil.rmtree(config_dir, ignore_errors=True)

    total = time.monotonic() - run.started
    print()
    print("Timings:")
    for label, seconds in run.timings:
        print(f"  {label:<55} {seconds:6.2f} s")
    print(f"  {'total':<55} {total:6.2f} s")
    if failure is None:
        print("PASS: a guest of an offline lock got a backup code within seconds")
        return 0
    print(f"FAIL: {failure}")
    return status


if __name__ == "__main__":
    sys.exit(main())
