"""Home Assistant's REST and WebSocket APIs, as the check talks to them."""

import asyncio
import contextlib
from dataclasses import dataclass
import json
import time
from typing import Any, Self

import aiohttp

from .common import STATE_TIMEOUT, CheckError, check


class Api:
    """The REST API of the running Home Assistant."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        """Talk to `base` (http://127.0.0.1:PORT)."""
        self.session = session
        self.base = base
        self.token: str | None = None
        # The whole token answer of the login: the browser logs in with it.
        self.tokens: dict[str, Any] = {}
        self.client_id = f"{base}/"

    def headers(self) -> dict[str, str]:
        """The authorization header, once logged in."""
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
            headers=self.headers(),
            timeout=aiohttp.ClientTimeout(total=30),
        ) as resp:
            text = await resp.text()
            check(
                resp.status == expect,
                f"{method} {path} answered HTTP {resp.status} (expected {expect}): "
                f"{text[:500]}",
            )
            return json.loads(text) if text else None

    async def text(self, path: str) -> str:
        """GET a path and return the raw answer (for leak checks)."""
        async with self.session.get(self.base + path, headers=self.headers()) as resp:
            check(resp.status == 200, f"GET {path}: HTTP {resp.status}")
            return await resp.text()

    async def call(
        self, domain: str, service: str, data: dict[str, Any], *, response: bool = False
    ) -> Any:
        """Call an action; return its service response when asked for one."""
        path = f"/api/services/{domain}/{service}"
        answer = await self.request(
            "POST", path + ("?return_response" if response else ""), json_body=data
        )
        if not response:
            return answer
        result = answer.get("service_response") if isinstance(answer, dict) else None
        check(isinstance(result, dict), f"{domain}.{service}: no response: {answer}")
        return result

    async def entries(self, domain: str) -> list[dict[str, Any]]:
        """The config entries of a domain."""
        result: list[dict[str, Any]] = await self.request(
            "GET", f"/api/config/config_entries/entry?domain={domain}"
        )
        return result

    async def state(self, entity_id: str) -> dict[str, Any] | None:
        """Return an entity's state object, or None if it has none."""
        async with self.session.get(
            f"{self.base}/api/states/{entity_id}",
            headers=self.headers(),
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
        self, entity_id: str, wanted: str | set[str], within: float = STATE_TIMEOUT
    ) -> dict[str, Any]:
        """Poll until the entity's state is `wanted` (or one of them)."""
        deadline = time.monotonic() + within
        states = {wanted} if isinstance(wanted, str) else wanted
        while True:
            state = await self.state(entity_id)
            last = None if state is None else state["state"]
            if state is not None and last in states:
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
    ) -> Self:
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
