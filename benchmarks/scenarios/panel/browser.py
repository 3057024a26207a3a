"""The panel in Debian's headless Chromium (Playwright, never its own browser download).

Two ways in, each load in a fresh browser context (empty cache, the owner's tokens in local
storage as the frontend keeps them after a login):

- *cold*: the panel's URL opened directly, so the times include Home Assistant's own frontend
  starting (its app, the WebSocket connection) before it asks for the panel's module;
- *sidebar*: the frontend already running on the profile page, a click on the panel's sidebar
  entry (the module is fetched then, as on a first visit).

The panel marks ``backup-access-codes:ready`` once its first data and strings are rendered;
the page's init script marks ``bench:painted`` after the frame that follows (a timer set in the
next animation frame runs once that frame is painted), ``bench:defined`` when the panel's element
is defined and ``bench:click`` at the click. Every load checks that the panel shows every lock
and every grant.
"""

from typing import Any

from e2e.chromium import CHROMIUM, CHROMIUM_FLAGS, browser_problem, login_script

from .server import Server

VIEWPORT = {"width": 1280, "height": 800}
PANEL_PATH = "/backup-access-codes"
START_PATH = "/profile/general"
PAGE_TIMEOUT_MS = 60_000
READY_MARK = "backup-access-codes:ready"
PANEL_ELEMENT = "backup-access-codes-panel"
BUNDLE_NAME = f"{PANEL_ELEMENT}.js"

MARKS_JS = f"""
(() => {{
  const mark = performance.mark.bind(performance);
  performance.mark = (name, options) => {{
    const entry = mark(name, options);
    if (name === "{READY_MARK}") {{
      requestAnimationFrame(() => setTimeout(() => mark("bench:painted"), 0));
    }}
    return entry;
  }};
  customElements.whenDefined("{PANEL_ELEMENT}").then(() => mark("bench:defined"));
  addEventListener("click", () => mark("bench:click"), true);
}})();
"""
# The marks (ms since the page's time origin), the panel module's fetch, the page's first
# contentful paint.
TIMES_JS = f"""
() => {{
  const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
  const bundle = performance.getEntriesByType("resource")
    .find((e) => e.name.includes("{BUNDLE_NAME}"));
  return {{
    ready: at("{READY_MARK}"),
    painted: at("bench:painted"),
    defined: at("bench:defined"),
    click: at("bench:click"),
    module_requested: bundle?.startTime ?? null,
    module_loaded: bundle?.responseEnd ?? null,
    fcp: at("first-contentful-paint"),
  }};
}}
"""
PAINTED_JS = "() => performance.getEntriesByName('bench:painted').length > 0"


def missing_browser() -> str | None:
    """Why the browser part cannot run here, if it cannot."""
    return browser_problem(otherwise="or run the benchmark without the panel part")


def since(times: dict[str, Any], origin: str) -> dict[str, float | None]:
    """Every time as ms since ``origin`` (a mark, or the page's time origin)."""
    zero = 0.0 if origin == "navigation" else times[origin]
    keys = ("defined", "module_requested", "module_loaded", "ready", "painted")
    return {
        key: None if times[key] is None or zero is None else times[key] - zero
        for key in keys
    }


async def shown(page: Any) -> dict[str, int]:
    """How many lock cards and grant rows the panel shows (through shadow roots)."""
    return {
        "lock_cards": await page.locator('[data-testid="lock-card"]').count(),
        "grant_rows": await page.locator('[data-testid="grant-row"]').count(),
    }


async def one_load(
    browser: Any, server: Server, how: str, locks: int, grants: int
) -> dict[str, Any]:
    """One load, cold or from the sidebar, in a fresh context; its times and counts."""
    context = await browser.new_context(
        viewport=VIEWPORT, locale="en-US", timezone_id="UTC", color_scheme="light"
    )
    try:
        api = server.api
        await context.add_init_script(
            login_script(api.tokens, api.base, api.client_id) + MARKS_JS
        )
        page = await context.new_page()
        if how == "cold":
            await page.goto(api.base + PANEL_PATH, wait_until="commit")
        else:
            await page.goto(api.base + START_PATH, wait_until="load")
            entry = page.locator(f'[href="{PANEL_PATH}"]').first
            await entry.wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
            await page.wait_for_timeout(1000)  # the frontend done with its own start
            await entry.click()
        await page.wait_for_function(PAINTED_JS, timeout=PAGE_TIMEOUT_MS)
        times = await page.evaluate(TIMES_JS)
        counts = await shown(page)
    finally:
        await context.close()
    if counts != {"lock_cards": locks, "grant_rows": grants}:
        raise RuntimeError(
            f"the panel shows {counts}, not {locks} locks and {grants} grants"
        )
    result: dict[str, Any] = {
        **since(times, "navigation" if how == "cold" else "click"),
        **counts,
    }
    if how == "cold":
        result["page_fcp"] = times["fcp"]
    return result


async def browser_loads(
    server: Server, loads: int, locks: int, grants: int
) -> dict[str, list[dict[str, Any]]]:
    """``loads`` cold loads and as many from the sidebar, alternating."""
    from playwright.async_api import async_playwright

    out: dict[str, list[dict[str, Any]]] = {"cold": [], "sidebar": []}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_FLAGS)
        )
        try:
            for _ in range(loads):
                for how, runs in out.items():
                    runs.append(await one_load(browser, server, how, locks, grants))
        finally:
            await browser.close()
    return out
