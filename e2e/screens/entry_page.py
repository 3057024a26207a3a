"""The integration where hosts look for it: listed, found, configured, reconfigured, deleted."""

import time
from typing import Any

from playwright.async_api import Locator

from ..browser import PAGE_TIMEOUT, Screen
from ..common import DOMAIN, POOL_SIZE, check
from ..context import Demo
from ..entry import entry, wait_loaded
from ..grant import set_lock_online
from .add import INTEGRATIONS, integration_name, scripts_step
from .flow import FlowDialog, schema_fields

PAGE = f"/config/integrations/integration/{DOMAIN}"
# The option changed for good, and the invalid values tried first (each must be refused
# with one of the options errors of translations/en.json).
CHANGED_OPTION = ("backup_lead_hours", 48)
INVALID_OPTIONS = (
    # More pool codes than the slot range holds, less one slot for guests: pool_too_large.
    {"pool_size": "10"},
    # Out of the selector's range: the error must be a sentence, not "Value 3.0 is too small".
    {"code_length": "3"},
)


async def integrations_search(ui: Screen, demo: Demo) -> None:
    """The Integrations page lists the integration and its search finds it."""
    name = integration_name()
    await ui.open(INTEGRATIONS, expect=name, what=f"{name!r} on the Integrations page")
    dashboard = ui.page.locator("ha-config-integrations-dashboard")
    await dashboard.locator("ha-input-search input, search-input input").first.fill(
        name[: len(name) // 2 + 1]
    )
    cards = dashboard.locator("ha-integration-card")
    await ui.wait_text(
        name, root=cards.filter(has_text=name).first, what="the search result"
    )
    others = [
        text
        for text in await cards.all_inner_texts()
        if name not in text and text.strip()
    ]
    check(not others, f"the search for {name!r} also shows {others}")
    await ui.shot(
        "04-integrations-search", "Integrations page, search finds the integration"
    )
    await cards.filter(has_text=name).first.click()
    title = await entry_title(demo)
    await ui.wait_text(
        title, root=entry_row(ui), what="the entry on the integration's page"
    )
    await ui.shot(
        "05-integration-page", "the integration's page with the demo lock's entry"
    )


async def options_dialog(ui: Screen, demo: Demo) -> None:
    """Configure: open the options, try invalid values (each refused with a sentence), save."""
    await open_entry_page(ui, demo)
    cog = entry_row(ui).locator('ha-icon-button[slot="end"]').first
    check(
        await cog.evaluate("(el) => el.label") == "Configure",
        "the entry's first button is not Configure",
    )
    await cog.click()
    dialog = FlowDialog(ui, "options")
    step = await dialog.wait_step("form", "init")
    check(not await dialog.check_form(step), "the options open with an error")
    await ui.shot("06-options", "options dialog")
    original = {field["name"]: field["value"] for field in await dialog.fields()}
    for number, invalid in enumerate(INVALID_OPTIONS):
        for field, bad in invalid.items():
            await dialog.fill(field, bad)
        await dialog.submit()
        step = await wait_error(dialog, invalid)
        errors = await dialog.check_form(step)
        check(errors, f"options: {invalid} was accepted or shows no error")
        demo.run.step(f"options: {invalid} refused: {' / '.join(errors)}")
        await ui.shot(
            f"07-options-refused-{number + 1}", f"options dialog refusing {invalid}"
        )
        for field in invalid:
            await dialog.fill(field, str(original[field]))
    key, value = CHANGED_OPTION
    await dialog.fill(key, str(value))
    await dialog.submit()
    await dialog.wait_step("create-entry")
    await ui.scan("options saved")
    await dialog.submit()
    await dialog.wait_closed()
    saved = await current_options(demo)
    check(
        saved.get(key) == value,
        f"options: {key} is {saved.get(key)!r} after saving {value}",
    )
    check(
        saved.get("pool_size") == POOL_SIZE,
        f"options: pool_size is {saved.get('pool_size')!r} after fixing it",
    )
    demo.run.step(f"options saved: {key} = {value}, the invalid values not kept")
    await wait_loaded(demo.api, demo.entry_id, demo.run)


async def wait_error(dialog: FlowDialog, invalid: dict[str, str]) -> dict[str, Any]:
    """The form again, now showing an error (from the flow, or the frontend's schema check)."""
    deadline = time.monotonic() + PAGE_TIMEOUT
    while True:
        step = await dialog.wait_step("form", "init")
        if (
            step.get("errors")
            or await dialog.root.locator('ha-alert[alert-type="error"]').count()
        ):
            return step
        if time.monotonic() > deadline:
            await dialog.ui.fail(f"options: no error shown for {invalid}")
        await dialog.ui.page.wait_for_timeout(100)


async def reconfigure(ui: Screen, demo: Demo) -> None:
    """⋮ → Reconfigure: the scripts step again, then the entry reloads with them."""
    await entry_menu(ui, demo, "Reconfigure")
    dialog = FlowDialog(ui, "config")
    await scripts_step(dialog, demo, "reconfigure", "08-reconfigure")
    aborted = await dialog.wait_step("abort")
    check(
        aborted.get("reason") == "reconfigure_successful",
        f"reconfigure ended with {aborted.get('reason')!r}",
    )
    message = await abort_message(demo, aborted)
    await ui.wait_text(
        lambda text: ui.translations.shown(
            message, text, aborted.get("description_placeholders")
        ),
        root=dialog.root,
        what=f"the reconfigure result {message!r}",
    )
    await ui.scan("reconfigure done")
    await dialog.submit()
    await dialog.wait_closed()
    await wait_loaded(demo.api, demo.entry_id, demo.run)


async def abort_message(demo: Demo, step: dict[str, Any]) -> str:
    """The text the frontend shows for an abort: ours, or Home Assistant's common one.

    Home Assistant answers a reconfigure with its own `reconfigure_successful` (translation
    domain `homeassistant`) unless the flow names a reason of its own.
    """
    domain = step.get("translation_domain") or DOMAIN
    key = f"component.{domain}.config.abort.{step['reason']}"
    if domain == DOMAIN:
        return demo.translations.require(f"config.abort.{step['reason']}")
    answer = await demo.ws.command(
        {
            "type": "frontend/get_translations",
            "language": "en",
            "category": "config",
            "integration": [domain],
        }
    )
    message = answer["resources"].get(key)
    check(isinstance(message, str), f"Home Assistant has no string {key}")
    return str(message)


async def delete(ui: Screen, demo: Demo) -> None:
    """⋮ → Delete, with the lock back online so that its codes are cleared from it."""
    await set_lock_online(demo, online=True)
    await entry_menu(ui, demo, "Delete")
    confirm = ui.page.locator("dialog-box")
    title = await entry_title(demo)
    await ui.wait_text(title, root=confirm, what="the delete confirmation")
    await ui.shot("12-delete", "delete confirmation")
    await confirm.locator("ha-dialog-footer ha-button").last.click()
    left: dict[str, str] = {}
    for _ in range(100):
        gone = await entry(demo.api, demo.entry_id) is None
        left = {}
        for entity_id in demo.entities.values():
            if (state := await demo.api.state(entity_id)) is not None:
                left[entity_id] = state["state"]
        if gone and not left:
            break
        await ui.page.wait_for_timeout(100)
    check(await entry(demo.api, demo.entry_id) is None, "the entry is still there")
    check(not left, f"entities outlived the entry: {left}")
    await ui.scan("after deleting the entry")
    demo.run.step("entry deleted in the UI; its entities are gone")


# ------------------------------------------------------------------------------------------


def entry_row(ui: Screen) -> Locator:
    """The demo lock's entry on the integration's page (the demo has one)."""
    return ui.page.locator("ha-config-entry-row").first


async def entry_title(demo: Demo) -> str:
    """The entry's title as the integration's page shows it."""
    found = await entry(demo.api, demo.entry_id)
    check(found is not None, "the entry is gone")
    assert found is not None  # noqa: S101 - for the type checker
    return str(found["title"])


async def open_entry_page(ui: Screen, demo: Demo) -> None:
    """The integration's page, with the entry shown."""
    await ui.open(PAGE, expect=await entry_title(demo), what="the integration's page")


async def entry_menu(ui: Screen, demo: Demo, item: str) -> None:
    """Choose an item of the entry's ⋮ menu."""
    await open_entry_page(ui, demo)
    menu = entry_row(ui).locator('ha-dropdown[slot="end"]').first
    await menu.locator("ha-icon-button").first.click()
    await menu.locator("ha-dropdown-item").filter(has_text=item).first.click()


async def current_options(demo: Demo) -> dict[str, Any]:
    """The entry's options, as its options flow offers them (the flow is left at once)."""
    flow = await demo.api.request(
        "POST",
        "/api/config/config_entries/options/flow",
        json_body={"handler": demo.entry_id},
    )
    await demo.api.request(
        "DELETE", f"/api/config/config_entries/options/flow/{flow['flow_id']}"
    )
    return {
        item["name"]: item.get(
            "default", (item.get("description") or {}).get("suggested_value")
        )
        for item in schema_fields(flow.get("data_schema") or [])
    }
