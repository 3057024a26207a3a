"""Z-Wave JS locks for the benchmark: the real zwave_js integration with N Schlage BE469s.

The network is the test suite's (``tests/zwave_js_env.py``): Home Assistant's own zwave_js
integration over a mocked Z-Wave JS server client, whose nodes are real ``zwave_js_server``
models built from the recorded BE469 state and answer like the zwave-js driver (a User Code
write is read back by the driver a second later, on Home Assistant's timers, so the simulated
clock drives those reports too). Each lock gets Backup Access Codes through the config flow, as
a host adds it (options fitted to the BE469: 4 digits, slots 20-29, a pool of five).

``Wire`` taps the server: every User Code ``node.set_value`` (command class 99, property
``userCode``, the slot as property key) with the loop time it left Home Assistant. Codes stay in
memory to be matched, never printed.

zwave_js keeps a background task listening to its client for as long as it is loaded, so the
harness's ``settle`` (which waits for every background task) would wait forever here; ``run_clock``
moves simulated time on in steps and lets Home Assistant work between them.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
from dataclasses import dataclass, field
from typing import Any

from custom_components.backup_access_codes import const as bac
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from tests.zwave_js_env import (
    FakeServer,
    async_add_lock,
    async_setup_zwave_js,
    lock_entity_id,
    mocked_client,
)

from ...base import RunContext
from ...clock import CLOCK, REAL_MONOTONIC
from ...const import DOMAIN, default_option
from ...instance import home_assistant
from ...probe import PROBE

USER_CODE_CC = 99
POOL_WITHIN_S = 300.0  # simulated seconds for the pools to be programmed
STORE_DELAY_S = 3.0  # the Store's debounced write
# Simulated seconds for the lock's read-back of a write to come and count.
READ_BACK_S = 5.0


@dataclass(frozen=True)
class WireWrite:
    """A User Code write as it left Home Assistant for the server."""

    at: float  # loop time
    node_id: int
    slot: int
    value: str


@dataclass
class Wire:
    """Every User Code write on the wire, and waiting for given ones."""

    writes: list[WireWrite] = field(default_factory=list)
    waiters: dict[tuple[int, str], asyncio.Future[WireWrite]] = field(
        default_factory=dict
    )

    def tap(self, message: dict[str, Any]) -> None:
        """Record a command of the integration if it writes a User Code."""
        value_id = message.get("valueId") or {}
        if (
            message.get("command") != "node.set_value"
            or value_id.get("commandClass") != USER_CODE_CC
            or value_id.get("property") != "userCode"
        ):
            return
        write = WireWrite(
            CLOCK.loop_time(),
            int(message["nodeId"]),
            int(value_id["propertyKey"]),
            str(message["value"]),
        )
        self.writes.append(write)
        waiter = self.waiters.pop((write.node_id, write.value), None)
        if waiter is not None and not waiter.done():
            waiter.set_result(write)

    def since(self, begin: float) -> list[WireWrite]:
        """The writes from ``begin`` (loop time) on."""
        return [w for w in self.writes if w.at >= begin]

    async def wait(
        self,
        hass: HomeAssistant,
        wanted: list[tuple[int, str]],
        begin: float,
        *,
        real_s: float = 5.0,
        simulated_s: float = 3 * 3600.0,
        step: float = 10.0,
    ) -> dict[tuple[int, str], WireWrite]:
        """Wait for each (node, code) written from ``begin`` on; return those that came.

        First in real time (nothing jumps, so the times are real); then, for what is still
        missing, simulated time moves on in steps up to ``simulated_s`` (a write then comes
        that much later, and its time says so).
        """
        got: dict[tuple[int, str], WireWrite] = {}
        for write in self.since(begin):
            got.setdefault((write.node_id, write.value), write)
        pending = {
            key: self.waiters.setdefault(key, hass.loop.create_future())
            for key in wanted
            if key not in got
        }
        if pending:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(real_s):
                    await asyncio.gather(*pending.values())

            def arrived() -> bool:
                return all(future.done() for future in pending.values())

            await run_clock(hass, simulated_s, step, until=arrived)
        for key, future in pending.items():
            if future.done():
                got[key] = future.result()
            else:
                future.cancel()
                self.waiters.pop(key, None)
        return {key: got[key] for key in wanted if key in got}


@dataclass
class Network:
    """A running Home Assistant with N BE469 locks under Backup Access Codes."""

    hass: HomeAssistant
    server: FakeServer
    wire: Wire
    entity_ids: dict[int, str]  # node id -> lock entity
    entries: list[ConfigEntry]


async def let_work(hass: HomeAssistant) -> None:
    """Let Home Assistant run what is due (not waiting for zwave_js's listening task)."""
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    await hass.async_block_till_done()


async def run_clock(
    hass: HomeAssistant,
    seconds: float,
    step: float = 0.5,
    until: Callable[[], bool] | None = None,
) -> bool:
    """Move simulated time on in steps (at most ``seconds``) until ``until`` holds.

    Return whether it holds (True without ``until``).
    """
    elapsed = 0.0
    while True:
        await let_work(hass)
        if until is not None and until():
            return True
        if elapsed >= seconds - 1e-9:
            return until is None
        CLOCK.advance(step)
        elapsed += step


def pools_ready(hass: HomeAssistant, entries: list[ConfigEntry]) -> bool:
    """Whether every lock's available-codes sensor counts a full pool."""
    registry = er.async_get(hass)
    pool = str(int(default_option(bac.CONF_POOL_SIZE)))
    for entry in entries:
        entity_id = registry.async_get_entity_id(
            "sensor", DOMAIN, f"{entry.unique_id}_available_backup_codes"
        )
        if entity_id is None or not hass.states.is_state(entity_id, pool):
            return False
    return True


@contextlib.asynccontextmanager
async def zwave_network(ctx: RunContext, name: str, n: int) -> AsyncIterator[Network]:
    """Home Assistant on a fresh config directory, N BE469 locks added, pools programmed."""
    with ctx.config_dir(name) as config_dir:
        async with home_assistant(config_dir) as hass:
            server = FakeServer.with_be469s(hass, n)
            wire = Wire()
            server.on_command = wire.tap
            with mocked_client(server):
                await async_setup_zwave_js(hass)
                entity_ids = {
                    node_id: lock_entity_id(lock.state["name"])
                    for node_id, lock in server.locks.items()
                }
                entries = [
                    await async_add_lock(hass, entity_id)
                    for entity_id in entity_ids.values()
                ]
                started = REAL_MONOTONIC()
                if not await run_clock(
                    hass, POOL_WITHIN_S, until=lambda: pools_ready(hass, entries)
                ):
                    raise RuntimeError(
                        f"pools not programmed after {POOL_WITHIN_S:.0f} simulated s "
                        f"({REAL_MONOTONIC() - started:.0f} s)"
                    )
                PROBE.learn_entities(hass)
                await run_clock(hass, STORE_DELAY_S)
                yield Network(hass, server, wire, entity_ids, entries)
