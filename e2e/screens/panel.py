"""The admin "Access codes" sidebar panel: the demo lock's pool and the grant, without a code."""

import functools

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
    title = strings.require(f"{STRINGS}.panel.title")
    sidebar = await ui.text(ui.page.locator("ha-sidebar"))
    check(title in sidebar.splitlines(), f"the sidebar has no {title!r} item")
    await ui.open(PANEL_PATH, expect=title, what="the Access codes panel")
    panel = ui.page.locator(f"{PANEL_ELEMENT}[data-ready]")
    await panel.wait_for()
    card = panel.locator(f'[data-testid="lock-card"][data-entity-id="{LOCK}"]')
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
    row = panel.locator(f'[data-testid="grant-row"][data-grant-id="{demo.grant_id}"]')
    await ui.wait_text(
        GUEST, root=row.locator('[data-testid="grant-name"]'), what="the grant"
    )
    await row.locator('[data-testid="grant-toggle"]').click()
    details = row.locator('[data-testid="grant-details"]')
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


def counts(count: int, label: str, text: str) -> bool:
    """A count tile reads its number, then its label."""
    return text.split()[:1] == [str(count)] and label in text
