"""The admin "Access codes" sidebar panel: the demo lock's pool and the grant, without a code."""

import functools

from playwright.async_api import Locator

from ..browser import Screen
from ..common import LOCK, POOL_SIZE, check
from ..context import Demo
from ..grant import GUEST

# custom_components/backup_access_codes/panel.py: PANEL_URL_PATH, PANEL_ELEMENT.
PANEL_PATH = "/backup-access-codes"
PANEL_ELEMENT = "backup-access-codes-panel"
STRINGS = "config_panel"


async def access_codes_panel(ui: Screen, demo: Demo) -> None:
    """Sidebar → Access codes: the lock offline with 4 codes ready and 1 in use, the guest's grant.

    Runs after the last-minute grant (the lock is offline). The grant's details say it holds a
    backup code; its code stays hidden (the panel reveals it only on a click, which this step
    does not make: every screen is checked for door codes).
    """
    strings = ui.translations
    panel = await open_panel(ui)
    title = strings.require(f"{STRINGS}.panel.title")
    sidebar = await ui.text(ui.page.locator("ha-sidebar"))
    check(title in sidebar.splitlines(), f"the sidebar has no {title!r} item")
    card = lock_card(panel)
    offline = strings.require(f"{STRINGS}.lock.offline")
    await ui.wait_text(
        offline,
        root=card.locator('[data-testid="lock-online"]'),
        what="the lock offline",
    )
    for key, count in (("ready", POOL_SIZE - 1), ("in_use", 1)):
        label = strings.require(f"{STRINGS}.lock.{key}")
        await ui.wait_text(
            functools.partial(counts, count, label),
            root=card.locator(f'[data-testid="count-{key}"]'),
            what=f"{count} {label} on the lock card",
        )
    row = grant_row(panel, demo.grant_id)
    await ui.wait_text(
        GUEST, root=row.locator('[data-testid="grant-name"]'), what="the grant"
    )
    details = await expand(row)
    backup = strings.require(f"{STRINGS}.grant.backup")
    await ui.wait_text(
        backup,
        root=details.locator(
            f'[data-testid="grant-lock"][data-entity-id="{LOCK}"] [data-testid="code-kind"]'
        ),
        what="the grant holding a backup code",
    )
    await ui.shot(
        "11-access-codes-panel", "the Access codes panel after the last-minute grant"
    )


async def open_panel(ui: Screen) -> Locator:
    """Sidebar → Access codes; return the panel once it shows its data and strings."""
    title = ui.translations.require(f"{STRINGS}.panel.title")
    await ui.open(PANEL_PATH, expect=title, what="the Access codes panel")
    panel = ui.page.locator(f"{PANEL_ELEMENT}[data-ready]")
    await panel.wait_for()
    return panel


def lock_card(panel: Locator) -> Locator:
    """The demo lock's card."""
    return panel.locator(f'[data-testid="lock-card"][data-entity-id="{LOCK}"]')


def grant_row(panel: Locator, grant_id: str) -> Locator:
    """A grant's row on the timeline."""
    return panel.locator(f'[data-testid="grant-row"][data-grant-id="{grant_id}"]')


def testid(root: Locator, name: str) -> Locator:
    """The element of a `data-testid` under root (through shadow roots)."""
    return root.locator(f'[data-testid="{name}"]')


async def expand(row: Locator) -> Locator:
    """Open a grant row's details (unless open); return them."""
    details = testid(row, "grant-details")
    if not await details.count():
        await testid(row, "grant-toggle").click()
        await row.page.mouse.move(0, 0)  # no hover left on the row
    await details.wait_for()
    return details


def counts(count: int, label: str, text: str) -> bool:
    """A count tile reads its number, then its label."""
    return text.split()[:1] == [str(count)] and label in text
