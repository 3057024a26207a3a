"""The run: what a new user does, in order, against the running Home Assistant."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import functools
from pathlib import Path
import time
from typing import TYPE_CHECKING

import aiohttp

from .automation import automation_ran, blueprint_automation
from .client import Api, WebSocket
from .common import POOL_SIZE, POOL_TIMEOUT, Run
from .context import Demo
from .entry import add_lock_api, check_counts, find_entities, wait_loaded
from .grant import last_minute_grant
from .hass import HomeAssistant
from .onboarding import onboard, remove_onboarding_extras, wait_running
from .translations import Translations

if TYPE_CHECKING:  # Playwright is imported only for the browser part
    from .browser import Screen

type BrowserStep = Callable[[Screen, Demo], Awaitable[None]]


@dataclass(frozen=True)
class Options:
    """How to run (the command line)."""

    browser: bool = True
    shots: Path | None = None  # --screenshots DIR: keep every screen
    dashboard_shot: Path | None = (
        None  # --screenshot PATH: the dashboard's, for the README
    )


async def pool_ready(_ui: Screen | None, demo: Demo) -> None:
    """The pool of five codes is programmed (the lock is online)."""
    await check_counts(demo, POOL_SIZE, 0, POOL_TIMEOUT)


async def grant(_ui: Screen | None, demo: Demo) -> None:
    """The last-minute grant on the offline lock (through the API, as an automation does).

    Before it, an automation is saved from the shipped blueprint; it must run for the code.
    """
    await blueprint_automation(demo)
    await last_minute_grant(demo)
    await automation_ran(demo)


def browser_steps(options: Options) -> tuple[tuple[str, BrowserStep], ...]:
    """The browser run, step by step: every path the README names, in the real frontend."""
    from .screens.add import add_integration
    from .screens.calendar import grants_calendar
    from .screens.dashboard import dashboard
    from .screens.device import device_page
    from .screens.entry_page import (
        delete,
        integrations_search,
        options_dialog,
        reconfigure,
    )
    from .screens.panel import access_codes_panel
    from .screens.panel_grant import panel_grant

    return (
        ("Add integration, user and script steps in the UI", add_integration),
        ("Integrations page: listed, found by search", integrations_search),
        (f"pool of {POOL_SIZE} ready", pool_ready),
        ("options dialog: invalid values refused, a change saved", options_dialog),
        ("reconfigure dialog", reconfigure),
        (f"pool of {POOL_SIZE} ready after the reloads", pool_ready),
        ("last-minute grant on the offline lock", grant),
        ("device page", device_page),
        (
            "dashboard",
            functools.partial(dashboard, copy_to=options.dashboard_shot),
        ),
        ("Access codes panel", access_codes_panel),
        ("Calendar panel: a stay added, moved, deleted", grants_calendar),
        ("Access codes panel: a grant made, its code shown, deleted", panel_grant),
        ("Delete in the UI", delete),
    )


async def browser_run(demo: Demo, options: Options) -> None:
    """Every step in headless Chromium."""
    from .browser import Screen

    async with Screen.launch(
        demo.api, demo.run, demo.translations, options.shots
    ) as ui:
        for label, step in browser_steps(options):
            began = time.monotonic()
            demo.run.step(f"-- {label}")
            await step(ui, demo)
            demo.run.timing(label, time.monotonic() - began)
        if options.shots is not None:
            demo.run.step(f"{len(ui.saved)} screenshots in {options.shots}")


async def api_run(demo: Demo) -> None:
    """--no-browser: the config flow through its REST API, then the grant."""
    began = time.monotonic()
    demo.entry_id = await add_lock_api(demo.api, demo.run)
    await wait_loaded(demo.api, demo.entry_id, demo.run)
    demo.run.timing("config flow", time.monotonic() - began)
    await find_entities(demo)
    await pool_ready(None, demo)
    demo.run.timing(
        f"pool of {POOL_SIZE} ready, after the flow's start", time.monotonic() - began
    )
    await grant(None, demo)


async def scenario(hass: HomeAssistant, run: Run, options: Options) -> None:
    """Everything a new user does, against the running Home Assistant."""
    async with aiohttp.ClientSession() as session:
        api = Api(session, run.base)
        await hass.wait_for_api(session, run.base)
        run.timing(
            "HA start (process start to API answering)", time.monotonic() - run.started
        )
        began = time.monotonic()
        await onboard(api, run)
        run.timing("onboarding", time.monotonic() - began)
        version = await wait_running(api)
        run.timing(f"HA {version} RUNNING after", time.monotonic() - run.started)
        await remove_onboarding_extras(api, run)

        ws = await WebSocket.connect(session, run.base, api.token or "")
        try:
            demo = Demo(api, ws, run, Translations.load())
            if options.browser:
                await browser_run(demo, options)
            else:
                await api_run(demo)
        finally:
            await ws.close()
