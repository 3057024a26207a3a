"""The frontend's data-entry-flow dialog (config flow, options, reconfigure), step by step.

`FlowDialog.check_form` holds every form step to translations/en.json: the title and the
description rendered with the step's placeholders, each shown field's label (a field whose label
is its key is a missing string), section names, and every error shown (it must be one of the
flow's error strings: a sentence, not a schema message such as "Value 3.0 is too small").
"""

import functools
import time
from typing import Any

from playwright.async_api import Locator

from ..browser import PAGE_TIMEOUT, Screen

DIALOG = "dialog-data-entry-flow"
STEP_KINDS = ("form", "abort", "create-entry", "menu", "progress", "loading")

# The step the dialog shows: which kind, and the flow's own answer (type, step_id, errors,
# data_schema, description_placeholders) as the frontend received it.
STEP_JS = """
(dialog, kinds) => {
  const root = dialog.shadowRoot;
  if (!root) return null;
  for (const kind of kinds) {
    const el = root.querySelector("step-flow-" + kind);
    if (el) return {kind, step: el.step ? JSON.parse(JSON.stringify(el.step)) : null};
  }
  return null;
}
"""

# Tag every field of the dialog's forms with its key (`data-e2e-field`), so that a locator can
# find it inside sections too; return each field's key, shown label and visibility.
FIELDS_JS = """
(dialog) => {
  const fields = [];
  const walk = (node) => {
    if (node.localName === "ha-selector" && node.name) {
      node.setAttribute("data-e2e-field", node.name);
      fields.push({name: node.name, label: node.label ?? null,
                   visible: node.checkVisibility(), value: node.value ?? null});
    }
    if (node.shadowRoot) for (const child of node.shadowRoot.children) walk(child);
    for (const child of node.children) walk(child);
  };
  walk(dialog);
  return fields;
}
"""


class FlowDialog:
    """The dialog of one flow of the integration."""

    def __init__(self, ui: Screen, flow: str) -> None:
        """`flow` is the part of translations/en.json it draws from: `config` or `options`."""
        self.ui = ui
        self.flow = flow
        self.root = ui.page.locator(DIALOG)

    async def step(self) -> dict[str, Any] | None:
        """The kind and the content of the step shown, or None while there is no dialog."""
        if not await self.root.count():
            return None
        result: dict[str, Any] | None = await self.root.first.evaluate(
            STEP_JS, list(STEP_KINDS)
        )
        return result

    async def wait_step(self, kind: str, step_id: str | None = None) -> dict[str, Any]:
        """Wait until the dialog shows a step of that kind (and id); return the flow's step."""
        deadline = time.monotonic() + PAGE_TIMEOUT
        while True:
            shown = await self.step()
            step = (shown or {}).get("step") or {}
            if (
                shown is not None
                and shown["kind"] == kind
                and (step_id is None or step.get("step_id") == step_id)
            ):
                if kind != "form" or await self.root.locator("ha-form").count():
                    return step
            if time.monotonic() > deadline:
                await self.ui.fail(
                    f"the {self.flow} dialog shows {shown and shown['kind']!r}"
                    f" {step.get('step_id') or step.get('reason') or ''}"
                    f" after {PAGE_TIMEOUT:.0f} s, not the {kind} step {step_id or ''}"
                )
            await self.ui.page.wait_for_timeout(100)

    async def fields(self) -> list[dict[str, Any]]:
        """The fields of the forms shown (and tag them for `field`)."""
        result: list[dict[str, Any]] = await self.root.first.evaluate(FIELDS_JS)
        return result

    def field(self, name: str) -> Locator:
        """A field's selector element (after `fields` tagged them)."""
        return self.root.locator(f'ha-selector[data-e2e-field="{name}"]').first

    async def check_form(self, step: dict[str, Any]) -> list[str]:
        """Hold a form step to translations/en.json; return the errors it shows."""
        ui, strings = self.ui, self.ui.translations
        step_id = step["step_id"]
        where = f"{self.flow} step {step_id!r}"
        placeholders = step.get("description_placeholders") or {}
        prefix = f"{self.flow}.step.{step_id}"
        for part in ("title", "description"):
            message = strings.get(f"{prefix}.{part}")
            if not isinstance(message, str):
                continue
            # Markdown renders a moment after the form: wait for the text, or for a broken one.
            text = await ui.wait_text(
                functools.partial(self._shown_or_broken, message, placeholders),
                root=self.root,
                what=f"{where}: the {part} {message[:60]!r}...",
            )
            await ui.scan(where)
            if not strings.shown(message, text, placeholders):
                await ui.fail(
                    f"{where}: the {part} from translations/en.json ({message[:80]!r}...)"
                    f" is not shown; the dialog reads {' | '.join(text.splitlines())[:500]!r}"
                )
        await self.open_sections(step_id, where)
        labels = strings.step_labels(self.flow, step_id)
        schema_keys = [f["name"] for f in schema_fields(step.get("data_schema") or [])]
        unlabelled = sorted(set(schema_keys) - set(labels))
        if unlabelled:
            await ui.fail(f"{where}: no label in translations/en.json for {unlabelled}")
        # A required field's label may carry the frontend's "*" in the same text.
        shown = {
            line.strip().rstrip("*").strip()
            for line in (await ui.text(self.root, markdown=False)).splitlines()
        }
        for field in await self.fields():
            expected = labels.get(field["name"])
            if not field["visible"]:
                await ui.fail(f"{where}: field {field['name']!r} is not visible")
            if field["label"] != expected or expected not in shown:
                await ui.fail(
                    f"{where}: field {field['name']!r} is labelled {field['label']!r},"
                    f" expected {expected!r} from translations/en.json"
                )
        return await self.check_errors(where, placeholders)

    def _shown_or_broken(
        self, message: str, placeholders: dict[str, Any], text: str
    ) -> bool:
        return (
            self.ui.translations.shown(message, text, placeholders)
            or "Translation error" in text
        )

    async def open_sections(self, step_id: str, where: str) -> None:
        """Expand every collapsed section (as a click on its header does); check its name."""
        names = self.ui.translations.section_names(self.flow, step_id)
        panels = self.root.locator("ha-form-expandable ha-expansion-panel")
        for index in range(await panels.count()):
            panel = panels.nth(index)
            await panel.evaluate("(el) => { el.expanded = true; }")
            await self.ui.page.wait_for_timeout(300)  # the panel's opening animation
            header = await self.ui.text(panel)
            if not any(name and name in header for name in names.values()):
                await self.ui.fail(
                    f"{where}: a section is headed {header.splitlines()[:1]!r},"
                    f" not one of the section names {sorted(names.values())}"
                )

    async def check_errors(self, where: str, placeholders: dict[str, Any]) -> list[str]:
        """Every error shown must be one of the flow's error strings; return them."""
        messages = self.ui.translations.errors(self.flow)
        shown = []
        alerts = self.root.locator('ha-alert[alert-type="error"]')
        for index in range(await alerts.count()):
            alert = alerts.nth(index)
            if not await alert.is_visible():
                continue
            text = " ".join((await self.ui.text(alert)).split())
            if not any(
                self.ui.translations.shown(message, text, placeholders)
                for message in messages.values()
            ):
                await self.ui.fail(
                    f"{where}: the error {text!r} is none of the {self.flow} errors in"
                    " translations/en.json (a host should read a sentence that names the"
                    " problem)"
                )
            shown.append(text)
        return shown

    # ---------------------------------------------------------------------------------------
    # Filling in

    async def pick_entity(self, name: str, search: str, entity_id: str) -> None:
        """Choose an entity in a picker field by typing into its search, as a host does.

        The picker's popover opens with an animation; a choice made while it moves can be lost,
        so the value is checked and the choice made again (three tries).
        """
        await self.fields()
        field = self.field(name)
        for attempt in range(3):
            await field.locator("ha-picker-field").first.click()
            search_box = field.locator("ha-picker-combo-box input").first
            await search_box.wait_for(state="visible")
            await search_box.fill(search)
            item = (
                field.locator("ha-picker-combo-box ha-combo-box-item")
                .filter(has_text=search)
                .first
            )
            await item.wait_for(state="visible")
            await self.ui.page.wait_for_timeout(200)  # the popover settles
            await item.click()
            if await self._holds(name, entity_id, within=2 if attempt < 2 else 5):
                return
        await self._expect_value(name, entity_id)

    async def fill(self, name: str, value: str) -> None:
        """Type a value into a text or number field."""
        await self.fields()
        await self.field(name).locator("input").first.fill(value)

    async def switch(self, name: str, on: bool) -> None:
        """Turn a boolean field on or off."""
        for field in await self.fields():
            if field["name"] == name and bool(field["value"]) != on:
                await self.field(name).locator("ha-switch").first.click()
        await self._expect_value(name, on)

    async def _holds(self, name: str, value: object, within: float) -> bool:
        """Wait until the form holds the value (the frontend takes a render to pass it on)."""
        deadline = time.monotonic() + within
        while True:
            fields = await self.fields()
            if next((f["value"] for f in fields if f["name"] == name), None) == value:
                return True
            if time.monotonic() > deadline:
                return False
            await self.ui.page.wait_for_timeout(100)

    async def _expect_value(self, name: str, value: object) -> None:
        if not await self._holds(name, value, within=5):
            current = next(
                (f["value"] for f in await self.fields() if f["name"] == name), None
            )
            await self.ui.fail(
                f"field {name!r} holds {current!r} after choosing {value!r}"
            )

    async def wait_closed(self) -> None:
        """Wait until the dialog is gone."""
        await self.root.first.wait_for(state="hidden")

    async def submit(self) -> None:
        """Press the dialog's main button (Submit, Finish, Close)."""
        await self.root.locator("ha-dialog-footer ha-button").last.click()


def schema_fields(schema: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The fields of a flow's data_schema, the fields of sections included."""
    items = []
    for item in schema:
        if item.get("type") == "expandable":
            items += schema_fields(item.get("schema") or [])
        else:
            items.append(item)
    return items
