"""A Home Assistant instance on a real config directory: start, let work settle, stop."""

import asyncio
from collections.abc import AsyncIterator
import contextlib
from datetime import datetime
import gc
from pathlib import Path
import sys
from typing import Any

from pytest_homeassistant_custom_component.common import async_test_home_assistant

from homeassistant import bootstrap, loader
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    category_registry as cr,
    device_registry as dr,
    entity_registry as er,
    floor_registry as fr,
    frame,
    issue_registry as ir,
    label_registry as lr,
    restore_state as rs,
    translation,
)

from .clock import CLOCK
from .const import START
from .probe import PROBE


async def load_registries(hass: HomeAssistant) -> None:
    """Load the registries with Home Assistant's real (on-disk) storage, as bootstrap does."""
    dr.async_setup(hass)
    await asyncio.gather(
        ar.async_load(hass),
        cr.async_load(hass),
        dr.async_load(hass),
        er.async_load(hass),
        fr.async_load(hass),
        ir.async_load(hass),
        lr.async_load(hass),
        rs.async_load(hass),
    )
    hass.data[bootstrap.DATA_REGISTRIES_LOADED] = None
    frame.async_setup(hass)
    await translation.async_load_integrations(hass, {"homeassistant"})


@contextlib.asynccontextmanager
async def home_assistant(
    config_dir: Path, *, running: bool = True, start: datetime = START
) -> AsyncIterator[HomeAssistant]:
    """A Home Assistant instance on ``config_dir``; stopped (final writes done) at the end."""
    CLOCK.reset(start)
    loop = asyncio.get_running_loop()
    timers_before = set(getattr(loop, "_scheduled", ()))
    async with async_test_home_assistant(
        config_dir=str(config_dir),
        load_registries=False,
        initial_state=CoreState.running if running else CoreState.not_running,
    ) as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)  # load custom_components/
        await load_registries(hass)
        PROBE.attach(hass)
        try:
            yield hass
        finally:
            PROBE.track_timers = False
            # As the test harness does: unload the entries (their timers go with them), so
            # nothing of this instance fires while the next one is measured; then stop, which
            # runs the final Store writes.
            await asyncio.gather(
                *(
                    hass.config_entries.async_unload(entry.entry_id)
                    for entry in hass.config_entries.async_entries()
                    if entry.state is ConfigEntryState.LOADED
                )
            )
            await hass.async_stop(force=True)
            PROBE.detach()
    forget_instance(loop, timers_before)


def forget_instance(loop: asyncio.AbstractEventLoop, timers_before: set[Any]) -> None:
    """Drop what a stopped instance left behind, so it cannot disturb the next one.

    Home Assistant keeps an instance alive through per-instance caches (the registries'
    ``async_get`` and others are ``functools.cache``d on ``hass``), and timers of its helpers
    stay on the loop; in a real process neither outlives the instance.
    """
    for handle in list(getattr(loop, "_scheduled", ())):
        if handle not in timers_before:
            handle.cancel()
    for name, module in list(sys.modules.items()):
        if not name.startswith(("homeassistant", "custom_components")):
            continue
        for value in list(vars(module).values()):
            cache_clear = getattr(value, "cache_clear", None)
            if callable(cache_clear):
                with contextlib.suppress(Exception):
                    cache_clear()
    for module in (sys.modules["homeassistant.core"], frame):
        holder = getattr(module, "_hass", None)
        if holder is not None and hasattr(holder, "hass"):
            holder.hass = None
    gc.collect()


async def settle(hass: HomeAssistant, seconds: float = 0.0, step: float = 1.0) -> None:
    """Let pending work finish; with ``seconds``, move simulated time on in steps."""
    await hass.async_block_till_done(wait_background_tasks=True)
    remaining = seconds
    while remaining > 1e-9:
        delta = min(step, remaining)
        CLOCK.advance(delta)
        remaining -= delta
        await tick(hass)


async def tick(hass: HomeAssistant) -> None:
    """Let the loop run what the last clock move made due, and what that started."""
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    await hass.async_block_till_done(wait_background_tasks=True)


async def flush_store(hass: HomeAssistant) -> None:
    """Give the debounced Store write its delay (simulated) and let it reach the disk."""
    await settle(hass, seconds=3.0)
