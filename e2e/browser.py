"""The real frontend in headless Chromium: open a page, read what it shows, check it, keep it.

Debian's chromium (/usr/bin/chromium) driven by Playwright for Python; Playwright's own browser
download (`playwright install`) is never used. A `Screen` is one logged-in browser tab. Every step
that shows something calls `shot` (or `scan`), which fails the run on a translation error, a raw
translation key, a field key shown instead of its label, or a door code on the screen (in its text
or in a form field), and saves a screenshot when the run keeps them (--screenshots DIR).
"""

from collections.abc import AsyncIterator, Callable
import contextlib
from dataclasses import dataclass, field
import io
from pathlib import Path
import tempfile
import time
from typing import NoReturn, Self

from PIL import Image
from playwright.async_api import (
    Browser,
    BrowserContext,
    Error as PlaywrightError,
    Locator,
    Page,
    TimeoutError as PlaywrightTimeoutError,
    async_playwright,
)

from .chromium import CHROMIUM, CHROMIUM_FLAGS, login_script
from .client import Api
from .common import CheckError, Run, ShownCode, contains_code, holds_only, write_file
from .translations import Translations, screen_problems

VIEWPORT = (1100, 760)  # width, height
PAGE_TIMEOUT = 30.0  # a page or dialog until it shows what it should
FAILED_SHOT = Path(tempfile.gettempdir()) / "backup-access-codes-e2e-failed.png"

# The visible text under an element, one text node per line, through the shadow roots of the
# frontend's web components and into the nodes their slots show. `skip` is a CSS selector of
# elements left out (Markdown, when reading labels).
DEEP_TEXT_JS = """
(root, skip) => {
  const out = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.data.trim();
      if (text) out.push(text);
      return;
    }
    if (node.nodeType === Node.ELEMENT_NODE) {
      if (["STYLE", "SCRIPT", "TEMPLATE"].includes(node.tagName)) return;
      if (skip && node.matches(skip)) return;
      // Slots and other display: contents elements have no box of their own.
      if (!node.checkVisibility({visibilityProperty: true})
          && getComputedStyle(node).display !== "contents") return;
      if (node.tagName === "SLOT") {
        for (const child of node.assignedNodes({flatten: true})) walk(child);
        return;
      }
      if (node.shadowRoot) {
        for (const child of node.shadowRoot.childNodes) walk(child);
        return;
      }
    }
    for (const child of node.childNodes) walk(child);
  };
  walk(root);
  return out.join("\\n");
}
"""
MARKDOWN = "ha-markdown, ha-markdown-element, code"
# What visible form fields hold (a value is no text node, yet it is on the screen), through the
# shadow roots.
FIELD_VALUES_JS = """
(root) => {
  const out = [];
  const walk = (node) => {
    for (const el of node.querySelectorAll("input, textarea")) {
      if (el.value && el.checkVisibility()) out.push(el.value);
    }
    for (const el of node.querySelectorAll("*")) if (el.shadowRoot) walk(el.shadowRoot);
  };
  walk(root);
  return out.join("\\n");
}
"""
# What a page still waits for: visible spinners and images not loaded yet.
BUSY_JS = """
() => {
  let busy = 0;
  const spinner = /^(ha-spinner|ha-circular-progress|ha-md-circular-progress|mwc-circular-progress)$/;
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (spinner.test(el.localName) && el.checkVisibility()) busy++;
      if (el.localName === "img" && el.checkVisibility() && !el.complete) busy++;
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return busy;
}
"""
SETTLE_TIMEOUT = 10.0
PAGE_HEIGHT_JS = "() => document.scrollingElement.scrollHeight"
CODE_SHOWN = "a door code is shown"  # what `problems` says of a code on the screen


def compact_png(data: bytes) -> bytes:
    """A screenshot with at most 256 colours: a third of the size, the same to the eye."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    small = image.quantize(
        colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


@dataclass(frozen=True)
class Tab:
    """How a tab is opened: its window, and what the page may do beyond the defaults."""

    viewport: tuple[int, int] = VIEWPORT
    mobile: bool = False  # a phone: touch, and the page's own viewport meta tag
    permissions: tuple[str, ...] = ()  # e.g. "clipboard-read", for the tab's origin


async def new_context(session: Session, origin: str, tab: Tab) -> BrowserContext:
    """A browser context that is logged in to the frontend."""
    width, height = tab.viewport
    context = await session.browser.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=1,
        is_mobile=tab.mobile,
        has_touch=tab.mobile,
        locale="en-US",
        color_scheme="light",
        timezone_id="UTC",
    )
    context.set_default_timeout(PAGE_TIMEOUT * 1000)
    if tab.permissions:
        await context.grant_permissions(list(tab.permissions), origin=origin)
    await context.add_init_script(session.login)
    return context


@dataclass(frozen=True)
class Session:
    """What every tab of a run shares: the browser, the login, the screenshots kept."""

    browser: Browser
    login: str  # an init script: the frontend's saved tokens
    saved: list[Path] = field(default_factory=list)


class Screen:
    """One logged-in tab of the frontend."""

    def __init__(
        self,
        page: Page,
        run: Run,
        translations: Translations,
        shots: Path | None,
        session: Session,
    ) -> None:
        """Wrap a page that is logged in already."""
        self.page = page
        self.run = run
        self.translations = translations
        self.shots = shots
        self.session = session
        self.field_keys = translations.field_keys()

    @property
    def saved(self) -> list[Path]:
        """The screenshots every tab of the run kept, in order."""
        return self.session.saved

    @classmethod
    @contextlib.asynccontextmanager
    async def launch(
        cls, api: Api, run: Run, translations: Translations, shots: Path | None
    ) -> AsyncIterator[Self]:
        """Start Chromium with the API's login (the frontend's saved tokens) and open a tab."""
        login = login_script(api.tokens, api.base, api.client_id)
        async with async_playwright() as pw:
            began = time.monotonic()
            browser = await pw.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_FLAGS)
            )
            run.timing("Chromium started", time.monotonic() - began)
            try:
                session = Session(browser, login)
                context = await new_context(session, run.base, Tab())
                yield cls(await context.new_page(), run, translations, shots, session)
            finally:
                await browser.close()

    @contextlib.asynccontextmanager
    async def tab(self, tab: Tab) -> AsyncIterator[Screen]:
        """Another logged-in tab, in a browser context of its own (closed afterwards).

        Its own size, colour scheme, permissions and clock (`page.clock`): what one tab does
        to them leaves the run's other tabs as they are.
        """
        context = await new_context(self.session, self.run.base, tab)
        try:
            yield Screen(
                await context.new_page(),
                self.run,
                self.translations,
                self.shots,
                self.session,
            )
        finally:
            await context.close()

    # ---------------------------------------------------------------------------------------
    # Reading

    async def text(
        self,
        root: Locator | None = None,
        *,
        markdown: bool = True,
        skip: str | None = None,
    ) -> str:
        """The visible text under `root` (the whole page by default), a piece per line.

        Without Markdown when `markdown` is false; without the elements `skip` selects.
        """
        target = root if root is not None else self.page.locator("html")
        left_out = ", ".join(s for s in (None if markdown else MARKDOWN, skip) if s)
        result: str = await target.evaluate(DEEP_TEXT_JS, left_out or None)
        return result

    async def field_values(self) -> str:
        """What the visible input fields and text areas of the page hold, one per line."""
        result: str = await self.page.locator("html").evaluate(FIELD_VALUES_JS)
        return result

    async def wait_text(
        self,
        wanted: str | Callable[[str], bool],
        *,
        root: Locator | None = None,
        what: str,
        within: float = PAGE_TIMEOUT,
    ) -> str:
        """Wait until the text under `root` holds `wanted` (or satisfies it); return the text."""
        deadline = time.monotonic() + within
        while True:
            with contextlib.suppress(Exception):  # the root may not exist yet
                text = await self.text(root)
                if wanted(text) if callable(wanted) else wanted in text:
                    return text
            if time.monotonic() > deadline:
                shown = (
                    await self.text(root) if root is None or await root.count() else ""
                )
                await self.fail(
                    f"{what}: not shown after {within:.0f} s at {self.page.url};"
                    f" the screen reads: {self.run.redact(' | '.join(shown.splitlines()))[:600]!r}"
                )
            await self.page.wait_for_timeout(150)

    # ---------------------------------------------------------------------------------------
    # Navigating

    async def open(self, path: str, *, expect: str, what: str) -> str:
        """Go to a frontend path and wait until it shows `expect`; return the page's text."""
        for attempt in range(3):
            try:
                await self.page.goto(self.run.base + path, wait_until="load")
                break
            except PlaywrightError as err:
                # The frontend's own navigation (a closing dialog's history step) can abort
                # ours: go again.
                if "ERR_ABORTED" not in str(err) or attempt == 2:
                    raise
        return await self.wait_text(expect, what=what)

    # ---------------------------------------------------------------------------------------
    # Checking and keeping

    async def problems(self, shown: ShownCode | None = None) -> list[str]:
        """What the screen shows that it must not: broken translations, door codes.

        `shown`: the one code the screen shows on purpose, and where (see `ShownCode`).
        """
        text = await self.text()
        problems = screen_problems(
            text, await self.text(markdown=False), self.field_keys
        )
        outside = text if shown is None else await self.text(skip=shown.selector)
        outside += f"\n{await self.field_values()}"
        if any(contains_code(outside, code) for code in self.run.codes):
            problems.append(
                CODE_SHOWN + ("" if shown is None else f" outside {shown.selector}")
            )
        if shown is not None:
            for element in await self.page.locator(shown.selector).all():
                if not holds_only(await self.text(element), shown.code, self.run.codes):
                    problems.append(f"another door code is shown in {shown.selector}")
        return problems

    async def scan(self, where: str, shown: ShownCode | None = None) -> None:
        """Fail on anything that shows a broken translation or a door code on the screen."""
        if problems := await self.problems(shown):
            await self.fail(
                f"{where}: " + "; ".join(self.run.redact(p) for p in problems)
            )

    async def settle(self) -> None:
        """Let the page finish loading what it shows: requests, spinners, images, icons."""
        with contextlib.suppress(PlaywrightTimeoutError):
            await self.page.wait_for_load_state(
                "networkidle", timeout=SETTLE_TIMEOUT * 1000
            )
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while await self.page.evaluate(BUSY_JS) and time.monotonic() < deadline:
            await self.page.wait_for_timeout(150)
        await self.page.wait_for_timeout(300)  # the last render and animations

    async def shot(
        self,
        name: str,
        where: str,
        shown: ShownCode | None = None,
        *,
        full_page: bool = False,
    ) -> None:
        """Scan the screen, then keep a screenshot of it as NAME.png (with --screenshots).

        `shown` as for `scan`; `full_page`: the whole page, in a window made as tall as it (the
        frontend's sidebar is as tall as the window: a plain full-page screenshot leaves it short).
        """
        await self.scan(where, shown)
        if self.shots is None:
            return
        window = self.page.viewport_size
        if full_page and window is not None:
            height = await self.page.evaluate(PAGE_HEIGHT_JS)
            await self.page.set_viewport_size(
                {"width": window["width"], "height": max(window["height"], height)}
            )
        try:
            await self.settle()
            await self.scan(where, shown)  # what arrived while it settled
            data = compact_png(await self.page.screenshot())
        finally:
            if full_page and window is not None:
                await self.page.set_viewport_size(window)
        path = self.shots / f"{name}.png"
        write_file(path, data)
        self.saved.append(path)
        self.run.step(
            f"screenshot {path.name} ({path.stat().st_size // 1024} KiB): {where}"
        )

    async def save(self, path: Path) -> int:
        """Write a screenshot of the page to an exact path; return its size."""
        await self.settle()
        data = compact_png(await self.page.screenshot())
        write_file(path, data)
        return len(data)

    async def fail(self, message: str) -> NoReturn:
        """Keep a screenshot of the failure and fail the run."""
        with contextlib.suppress(Exception):
            await self.page.screenshot(path=str(FAILED_SHOT))
            message += f" (screenshot: {FAILED_SHOT})"
        raise CheckError(message)
