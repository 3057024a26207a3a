"""The integration's config entry for the demo lock, seen through the API."""

import asyncio
import time
from typing import Any

from .client import Api
from .common import (
    CLEAR_SCRIPT,
    DOMAIN,
    LOCK,
    PROBLEM_SENSORS,
    SENSOR_AVAILABLE,
    SENSOR_ISSUED,
    SET_SCRIPT,
    STATE_TIMEOUT,
    Run,
    check,
)
from .context import Demo


async def add_lock_api(api: Api, run: Run) -> str:
    """Add the integration for the demo lock through the config-flow API; return the entry id.

    The browser run does the same in the frontend's dialogs (screens/add.py); this is the path
    of --no-browser.
    """
    handlers = await api.request("GET", "/api/config/config_entries/flow_handlers")
    check(DOMAIN in handlers, f"{DOMAIN} is not offered in 'Add integration'")

    flow = await api.request(
        "POST",
        "/api/config/config_entries/flow",
        json_body={"handler": DOMAIN, "show_advanced_options": False},
    )
    check(
        flow.get("type") == "form" and flow.get("step_id") == "user",
        f"config flow should open on the 'user' form: {flow}",
    )
    fields = [item.get("name") for item in flow.get("data_schema", [])]
    check("lock_entity_id" in fields, f"'user' form fields: {fields}")
    flow_url = f"/api/config/config_entries/flow/{flow['flow_id']}"

    flow = await api.request(
        "POST", flow_url, json_body={"lock_entity_id": LOCK, "use_scripts": True}
    )
    check(
        flow.get("type") == "form" and flow.get("step_id") == "script",
        f"after the lock, the flow should ask for the scripts: {flow}",
    )
    check(not flow.get("errors"), f"'user' step errors: {flow.get('errors')}")

    flow = await api.request(
        "POST",
        flow_url,
        json_body={"set_code_script": SET_SCRIPT, "clear_code_script": CLEAR_SCRIPT},
    )
    check(
        flow.get("type") == "create_entry",
        f"the 'script' step should create the entry: {flow}",
    )
    result = flow.get("result")
    entry_id = result.get("entry_id") if isinstance(result, dict) else result
    check(isinstance(entry_id, str) and entry_id, f"no entry id in {flow}")
    return str(entry_id)


async def entry(api: Api, entry_id: str) -> dict[str, Any] | None:
    """The entry's REST description, or None once it is gone."""
    return next(
        (e for e in await api.entries(DOMAIN) if e.get("entry_id") == entry_id), None
    )


async def wait_loaded(api: Api, entry_id: str, run: Run) -> dict[str, Any]:
    """Wait until the entry is loaded; return it."""
    deadline = time.monotonic() + STATE_TIMEOUT
    while True:
        found = await entry(api, entry_id)
        check(found is not None, f"entry {entry_id} is not listed")
        assert found is not None  # noqa: S101 - for the type checker
        if found.get("state") == "loaded":
            run.step(f"config entry {found.get('title')!r} loaded")
            return found
        check(
            found.get("state") in {"not_loaded", "setup_in_progress"}
            and time.monotonic() < deadline,
            f"entry state is {found.get('state')!r}: {found.get('reason')}",
        )
        await asyncio.sleep(0.2)


async def find_entities(demo: Demo) -> None:
    """Find the entry's entities: one per entity string in translations/en.json, no other.

    Fills demo.entities (translation key -> entity id) and demo.device_id.
    """
    registry = await demo.ws.command({"type": "config/entity_registry/list"})
    mine = [item for item in registry if item.get("config_entry_id") == demo.entry_id]
    wanted = set(demo.translations.entity_names())
    found: dict[str, str] = {}
    for item in mine:
        platform = str(item["entity_id"]).split(".")[0]
        key = item.get("translation_key") or next(
            (
                k
                for p, k in wanted
                if p == platform and str(item.get("unique_id")).endswith(f"_{k}")
            ),
            None,
        )
        check(
            (platform, key) in wanted,
            f"{item['entity_id']} has no entity string in translations/en.json (key {key!r})",
        )
        found[str(key)] = item["entity_id"]
    missing = sorted(key for _, key in wanted if key not in found)
    check(
        not missing,
        f"entities missing: {missing} (the entry has {sorted(found.values())})",
    )
    check(
        len(mine) == len(wanted),
        f"expected {len(wanted)} entities per lock, got {[i['entity_id'] for i in mine]}",
    )
    devices = {item.get("device_id") for item in mine}
    check(
        len(devices) == 1 and None not in devices,
        f"the entities sit on devices {devices}",
    )
    demo.entities = found
    demo.device_id = str(devices.pop())
    demo.run.step(f"{len(found)} entities: " + ", ".join(sorted(found.values())))


async def check_counts(demo: Demo, available: int, issued: int, within: float) -> None:
    """Wait for the two counters; then the problem sensors must be off."""
    api, entities = demo.api, demo.entities
    await api.wait_state(entities[SENSOR_AVAILABLE], str(available), within)
    await api.wait_state(entities[SENSOR_ISSUED], str(issued), within)
    for key in PROBLEM_SENSORS:
        state = await api.state(entities[key])
        check(
            state is not None and state["state"] == "off",
            f"{entities[key]} is {None if state is None else state['state']!r}"
            " (expected 'off')",
        )
