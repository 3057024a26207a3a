"""Settings → Devices & services → Add integration → Backup Access Codes, through every step."""

import json
from typing import Any

from ..browser import Screen
from ..common import CLEAR_SCRIPT, DOMAIN, LOCK, ROOT, SET_SCRIPT, check
from ..context import Demo
from ..entry import find_entities, wait_loaded
from .flow import FlowDialog

INTEGRATIONS = "/config/integrations/dashboard"
MANIFEST = ROOT / "custom_components" / DOMAIN / "manifest.json"


def integration_name() -> str:
    """The name hosts search for (the manifest's)."""
    return str(json.loads(MANIFEST.read_text(encoding="utf-8"))["name"])


async def friendly_name(demo: Demo, entity_id: str) -> str:
    """What the entity pickers show for an entity."""
    state = await demo.api.state(entity_id)
    check(state is not None, f"{entity_id} does not exist")
    assert state is not None  # noqa: S101 - for the type checker
    return str(state["attributes"].get("friendly_name") or entity_id)


async def add_integration(ui: Screen, demo: Demo) -> None:
    """Find the integration in "Add integration", then the user and script steps in the UI."""
    name = integration_name()
    await ui.open(INTEGRATIONS, expect="Add integration", what="the Integrations page")
    await ui.page.get_by_text("Add integration", exact=True).first.click()
    search = ui.page.locator("dialog-add-integration")
    await search.locator("ha-input-search input").first.fill(name)
    item = search.locator("ha-integration-list-item").filter(has_text=name).first
    await ui.wait_text(name, root=item, what=f"{name!r} in the Add integration search")
    await ui.shot("01-add-integration", "Add integration: search finds the integration")
    await item.click()

    # A helper would send the host to Settings → Helpers instead of opening the flow.
    dialog = FlowDialog(ui, "config")
    step = await dialog.wait_step("form", "user")
    check(
        ui.page.url.endswith(INTEGRATIONS),
        f"choosing {name} left the Integrations page for {ui.page.url}",
    )
    check(not await dialog.check_form(step), "the user step opens with an error")
    await dialog.pick_entity("lock_entity_id", await friendly_name(demo, LOCK), LOCK)
    await dialog.switch("use_scripts", on=True)
    await ui.shot(
        "02-user-step", "config flow, step 'user' (the demo lock, scripts on)"
    )
    await dialog.submit()

    await scripts_step(dialog, demo, "script", "03-script-step")

    created = await dialog.wait_step("create-entry")
    await ui.scan("config flow, entry created (name and area)")
    demo.entry_id = entry_id(created)
    await dialog.submit()  # "Skip and finish": the device keeps its name
    await dialog.wait_closed()
    await wait_loaded(demo.api, demo.entry_id, demo.run)
    await find_entities(demo)


async def scripts_step(dialog: FlowDialog, demo: Demo, step_id: str, shot: str) -> None:
    """The step that asks for the two scripts (`script`, `reconfigure`): the demo's, submitted."""
    step = await dialog.wait_step("form", step_id)
    check(not await dialog.check_form(step), f"the {step_id} step opens with an error")
    for field, script in (
        ("set_code_script", SET_SCRIPT),
        ("clear_code_script", CLEAR_SCRIPT),
    ):
        await dialog.pick_entity(field, await friendly_name(demo, script), script)
    await dialog.ui.shot(shot, f"config flow, step {step_id!r} (the demo scripts)")
    await dialog.submit()


def entry_id(step: dict[str, Any]) -> str:
    """The id of the entry a create-entry step made."""
    result = step.get("result")
    found = result.get("entry_id") if isinstance(result, dict) else result
    check(isinstance(found, str) and found, f"no entry id in the created step: {step}")
    return str(found)
