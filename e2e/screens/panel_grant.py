"""The Access codes panel at work: a grant made there with the lock offline, its code shown, deleted.

Runs after the Calendar panel step, the demo lock still offline, in a tab of its own: the clipboard
is allowed there, and its clock is Playwright's, so the run can move it (the panel hides a shown
code after 30 s; the run does not wait them). In the panel, as a host does:

1. New access grant with check-out before check-in: the dialog must say so with the sentence of
   `exceptions.ends_before_starts` in translations/en.json, keep what was typed, store nothing.
2. The times set right and Create: the issued event (over the WebSocket) must carry a backup code
   within seconds, `list_access_grants` agree, and the grant's row show "Backup code issued".
3. The same panel on a phone-sized screen with the user's theme set to dark.
4. Show code: the dialog must show the event's code and the message for the guest (and nothing
   else may: the scan accepts that code in exactly those two elements), Copy code and Copy
   message must put them on the clipboard, and 30 s later (the tab's clock moved, not waited)
   the code must be gone from the page.
5. Delete, confirmed: the grant must be gone from `list_access_grants` and from the panel.
"""

from collections.abc import AsyncIterator
import contextlib
from datetime import datetime, timedelta
import functools
import time
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Locator

from ..browser import CODE_SHOWN, PAGE_TIMEOUT, Screen, Tab
from ..common import LOCK, SENSOR_ISSUED, STATE_TIMEOUT, ShownCode, check
from ..context import Demo
from ..grant import Issued, backup_issued_to, listed_grant, wait_grant
from ..stay import Stay
from .add import friendly_name
from .panel import STRINGS, counts, expand, grant_row, lock_card, open_panel, testid

PANEL_GUEST = "E2E Panel Guest"
REVEAL_SECONDS = 30  # frontend/src/panel.ts: REVEAL_SECONDS
CLIPBOARD = ("clipboard-read", "clipboard-write")
PHONE = Tab(viewport=(390, 844), mobile=True)
# Where the code dialog shows the code on purpose: the code, and the message for the guest.
SHOWN_IN = ('[data-testid="revealed-code"]', '[data-testid="guest-message"]')
# What the page reads of its own background: a dark theme's is dark (relative luminance).
DARK = 0.25
BACKGROUND_JS = """
(el) => {
  const [r, g, b] = getComputedStyle(el).backgroundColor.match(/[\\d.]+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}
"""
# Is the code anywhere in the panel's DOM (shown or not)? The code leaves the page with the dialog.
IN_DOM_JS = "(el, code) => el.shadowRoot.innerHTML.includes(code)"
# How far the page is wider than its window (a phone layout must not scroll sideways).
OVERFLOW_JS = "() => document.scrollingElement.scrollWidth - window.innerWidth"


async def panel_grant(ui: Screen, demo: Demo) -> None:
    """Create (refused once, then made), show the code of, and delete a grant in the panel."""
    await demo.api.wait_state(LOCK, "unavailable")  # still offline since the grant
    async with ui.tab(Tab(permissions=CLIPBOARD)) as tab:
        await tab.page.clock.install()  # flows as the real one until paused
        panel = await open_panel(tab)
        stay = await next_stay(demo)
        dialog = await refused(tab, demo, panel, stay)
        grant_id, issued = await created(tab, demo, panel, dialog, stay)
        await phone(tab, demo, panel, grant_id)
        await reveal(tab, demo, panel, grant_id, issued)
        await delete(tab, demo, panel, grant_id)


# ------------------------------------------------------------------------------------------
# The form


async def next_stay(demo: Demo) -> Stay:
    """Check-in ten minutes from now, out a day later, to the minute in HA's time zone."""
    config = await demo.api.request("GET", "/api/config")
    now = datetime.now(ZoneInfo(str(config["time_zone"])))
    starts_at = now.replace(second=0, microsecond=0) + timedelta(minutes=10)
    return Stay(starts_at, starts_at + timedelta(days=1))


def local_input(moment: datetime) -> str:
    """A time as the form's datetime-local fields take it (HA's time zone, no offset)."""
    return f"{moment:%Y-%m-%dT%H:%M}"


def form_field(dialog: Locator, name: str) -> Locator:
    """The inner input of a form field (`form-name`, `form-starts`, ...)."""
    return dialog.locator(f'[data-testid="{name}"] input')


async def refused(ui: Screen, demo: Demo, panel: Locator, stay: Stay) -> Locator:
    """New access grant, check-out an hour before check-in: refused with the translated reason.

    Return the dialog, still open with what was typed.
    """
    await testid(panel, "new-grant").click()
    dialog = testid(panel, "dialog")
    await form_field(dialog, "form-name").fill(PANEL_GUEST)
    switch = dialog.locator(f'[data-testid="form-lock"][data-entity-id="{LOCK}"]')
    check(
        await switch.evaluate("(el) => el.checked"),
        "the form does not preselect the only lock",
    )
    await form_field(dialog, "form-starts").fill(local_input(stay.starts_at))
    await form_field(dialog, "form-ends").fill(
        local_input(stay.starts_at - timedelta(hours=1))
    )
    await testid(dialog, "form-submit").click()
    reason = ui.translations.require("exceptions.ends_before_starts.message")
    await ui.wait_text(
        functools.partial(ui.translations.shown, reason),
        root=testid(dialog, "dialog-error"),
        what="the dialog refusing a check-out before check-in",
    )
    check(
        await form_field(dialog, "form-name").input_value() == PANEL_GUEST,
        "the refused form lost the guest's name",
    )
    check(
        await named_grant(demo, PANEL_GUEST) is None,
        "the refused grant was stored",
    )
    await ui.shot("18-panel-refused", "New access grant: check-out before check-in")
    demo.run.step(f"check-out before check-in refused in the dialog: {reason!r}")
    return dialog


async def named_grant(demo: Demo, name: str) -> dict[str, Any] | None:
    """The demo lock's grant of that name, or None."""
    listed = await demo.api.call(
        "backup_access_codes",
        "list_access_grants",
        {"lock_entity_id": LOCK},
        response=True,
    )
    return next(
        (g for g in listed.get("access_grants") or [] if g.get("name") == name), None
    )


async def created(
    ui: Screen, demo: Demo, panel: Locator, dialog: Locator, stay: Stay
) -> tuple[str, Issued]:
    """Check-out set right, Create: a backup code within seconds, shown in the grant's row."""
    await form_field(dialog, "form-ends").fill(local_input(stay.ends_at))
    clicked = time.monotonic()
    await testid(dialog, "form-submit").click()
    made = await backup_issued_to(
        demo, PANEL_GUEST, stay, clicked, "Create in the panel"
    )
    grant_id, issued = made.grant_id, made.issued
    await dialog.wait_for(state="detached")
    strings = ui.translations
    backup = strings.require(f"{STRINGS}.status.backup_issued")
    row = grant_row(panel, grant_id)
    await ui.wait_text(
        backup,
        root=row.locator(f'[data-testid="grant-status"][data-entity-id="{LOCK}"]'),
        what=f"{backup!r} in the row of {PANEL_GUEST!r}",
    )
    demo.run.timing("row shows it after the event", time.monotonic() - made.received)
    await demo.api.wait_state(demo.entities[SENSOR_ISSUED], "2", STATE_TIMEOUT)
    in_use = strings.require(f"{STRINGS}.lock.in_use")
    await ui.wait_text(
        functools.partial(counts, 2, in_use),
        root=testid(lock_card(panel), "count-in_use"),
        what=f"2 {in_use} on the lock card",
    )
    details = await expand(row)
    await ui.wait_text(
        strings.require(f"{STRINGS}.grant.backup"),
        root=details.locator(f'[data-testid="grant-lock"][data-entity-id="{LOCK}"]'),
        what="the grant's details saying it holds a backup code",
    )
    await ui.shot(
        "19-panel-backup-issued",
        "the grant made in the panel: backup code",
        full_page=True,
    )
    demo.run.step(
        f"created in the panel: a backup code in slot {issued.slot}"
        f" (status {made.status!r}),"
        " the row and the counts updated"
    )
    return grant_id, issued


# ------------------------------------------------------------------------------------------
# A phone, in dark mode


@contextlib.asynccontextmanager
async def dark_theme(demo: Demo) -> AsyncIterator[None]:
    """The user's theme in dark mode, as the profile page sets it; then as it was.

    The profile page keeps the choice in the user's frontend data (`theme`): Dark mode adds
    `"dark": true` to it. Every open tab of the user follows at once. Back to how it was: the
    stored value, or `{}` where there was none (what choosing Auto writes; the frontend ignores a
    null, so the user's open tabs would stay dark).
    """
    key = {"type": "frontend/set_user_data", "key": "theme"}
    stored = await demo.ws.command({"type": "frontend/get_user_data", "key": "theme"})
    before = stored.get("value")
    await demo.ws.command({**key, "value": {**(before or {}), "dark": True}})
    try:
        yield
    finally:
        await demo.ws.command({**key, "value": before if before is not None else {}})


async def wait_background(ui: Screen, panel: Locator, dark: bool) -> float:
    """Wait until the panel's background is dark (or light); return its luminance."""
    deadline = time.monotonic() + STATE_TIMEOUT
    while True:
        luminance = float(await panel.evaluate(BACKGROUND_JS))
        if (luminance < DARK) == dark:
            return luminance
        if time.monotonic() > deadline:
            await ui.fail(
                f"the panel's background is not {'dark' if dark else 'light'}"
                f" after {STATE_TIMEOUT:.0f} s (luminance {luminance:.2f})"
            )
        await ui.page.wait_for_timeout(100)


async def phone(ui: Screen, demo: Demo, panel: Locator, grant_id: str) -> None:
    """The panel 390 px wide in the dark theme: dark, nothing wider than the screen.

    `panel` (in `ui`, the desktop tab) follows the theme too, and must be light again after.
    """
    async with dark_theme(demo), ui.tab(PHONE) as small:
        shown = await open_panel(small)
        await expand(grant_row(shown, grant_id))
        luminance = await wait_background(small, shown, dark=True)
        wider = await small.page.evaluate(OVERFLOW_JS)
        check(wider <= 0, f"the panel is {wider} px wider than the phone's screen")
        await small.shot(
            "22-panel-phone-dark", "the panel on a phone, dark theme", full_page=True
        )
    await wait_background(ui, panel, dark=False)
    demo.run.step(
        f"on a phone ({PHONE.viewport[0]} px) in the dark theme:"
        f" background luminance {luminance:.2f}, nothing wider than the screen"
    )


# ------------------------------------------------------------------------------------------
# Show code, then delete


async def reveal(
    ui: Screen, demo: Demo, panel: Locator, grant_id: str, issued: Issued
) -> None:
    """Show code: the event's code and the guest's message, copied; gone after 30 s."""
    strings = ui.translations
    clock = ui.page.clock
    details = await expand(grant_row(panel, grant_id))
    part = details.locator(f'[data-testid="grant-lock"][data-entity-id="{LOCK}"]')
    # The countdown starts on a paused clock: the run moves it, exactly.
    now = await ui.page.evaluate("() => Date.now()")
    await clock.pause_at((now + 1000) / 1000)
    await testid(part, "show-code").click()
    dialog = testid(panel, "dialog")
    code = testid(dialog, "revealed-code")
    await code.wait_for()
    shown = (await code.inner_text()).strip()
    check(shown == issued.code, "the panel shows another code than the event's")
    lock = await friendly_name(demo, LOCK)
    await ui.wait_text(
        functools.partial(
            strings.shown,
            strings.require(f"{STRINGS}.reveal.backup"),
            placeholders={"slot": issued.slot},
        ),
        root=dialog,
        what=f"the dialog saying the backup code is in slot {issued.slot}",
    )
    message = (await testid(dialog, "guest-message").inner_text()).strip()
    check(
        strings.shown(
            strings.require(f"{STRINGS}.reveal.message"),
            message,
            {"lock": lock, "code": issued.code},
        ),
        "the message for the guest does not give the lock and the code",
    )
    await copied(ui, dialog, "copy-code", issued.code, "the code")
    await copied(ui, dialog, "copy-message", message, "the message")
    countdown = testid(dialog, "reveal-countdown")
    await hides_in(ui, countdown, REVEAL_SECONDS)
    # The scan sees the code (it is on the screen), and accepts it only where it belongs.
    check(
        CODE_SHOWN in await ui.problems(),
        "the screen scan does not see the code the panel shows",
    )
    await ui.shot(
        "20-panel-code",
        "Show code: the code, the message for the guest",
        ShownCode(issued.code, SHOWN_IN),
    )
    await clock.run_for((REVEAL_SECONDS - 1) * 1000)
    await hides_in(ui, countdown, 1)
    check(
        (await code.inner_text()).strip() == issued.code,
        "the code went before its time",
    )
    await clock.run_for(1000)
    await dialog.wait_for(state="detached")
    check(
        not await panel.evaluate(IN_DOM_JS, issued.code),
        "the code is still in the panel",
    )
    await clock.resume()
    await ui.page.evaluate("() => navigator.clipboard.writeText('')")
    await ui.scan("the panel after the code was hidden again")
    demo.run.step(
        "Show code: the event's code and the guest's message, both copied;"
        f" gone after {REVEAL_SECONDS} s on the tab's clock"
    )


async def hides_in(ui: Screen, countdown: Locator, seconds: int) -> None:
    """The countdown of the code dialog reads `seconds`."""
    await ui.wait_text(
        functools.partial(
            ui.translations.shown,
            ui.translations.require(f"{STRINGS}.reveal.hides_in"),
            placeholders={"seconds": seconds},
        ),
        root=countdown,
        what=f"the code hidden again in {seconds} s",
        within=2.0,
    )


async def copied(
    ui: Screen, dialog: Locator, button: str, wanted: str, what: str
) -> None:
    """A copy button puts `wanted` on the clipboard and says so."""
    await ui.page.evaluate("() => navigator.clipboard.writeText('')")
    await testid(dialog, button).click()
    done = ui.translations.require(f"{STRINGS}.reveal.copied")
    await ui.wait_text(done, root=testid(dialog, button), what=f"{what} copied")
    clipboard = await ui.page.evaluate("() => navigator.clipboard.readText()")
    check(clipboard == wanted, f"{what}: the clipboard holds something else")


async def delete(ui: Screen, demo: Demo, panel: Locator, grant_id: str) -> None:
    """Delete, confirmed: the grant is gone from list_access_grants and from the panel."""
    row = grant_row(panel, grant_id)
    details = await expand(row)
    await testid(details, "delete-grant").click()
    dialog = testid(panel, "dialog")
    title = ui.translations.require(f"{STRINGS}.confirm.delete_title")
    await ui.wait_text(
        functools.partial(
            ui.translations.shown, title, placeholders={"name": PANEL_GUEST}
        ),
        root=dialog,
        what="the delete confirmation",
    )
    await ui.shot("21-panel-delete", "Delete: the confirmation")
    await testid(dialog, "confirm-button").click()
    await wait_grant(demo, grant_id, lambda g: g is None, "deleted")
    await row.wait_for(state="detached", timeout=PAGE_TIMEOUT * 1000)
    check(await listed_grant(demo.api, grant_id) is None, "the grant is still listed")
    await demo.api.wait_state(demo.entities[SENSOR_ISSUED], "1", STATE_TIMEOUT)
    await ui.scan("the panel after deleting the grant")
    demo.run.step("deleted in the panel: gone from list_access_grants and the panel")
