"""An automation made from the shipped blueprint, saved as the automation editor saves it."""

import asyncio
from collections.abc import Callable
import time
from typing import Any

from .common import STATE_TIMEOUT, check
from .context import Demo

BLUEPRINT = "backup_access_codes/send_guest_code.yaml"
AUTOMATION_ID = "e2e_send_guest_code"


async def blueprint_automation(demo: Demo) -> None:
    """Save an automation from the blueprint (the editor's API); it must load and be on.

    It lands in automations.yaml, which configuration.yaml includes: without the include the
    saved automation would never load. It sends nothing (no notify target is chosen); that it
    ran is seen in its `last_triggered` (`automation_ran`).
    """
    await demo.api.request(
        "POST",
        f"/api/config/automation/config/{AUTOMATION_ID}",
        json_body={
            "alias": "Send the guest their door code",
            "description": "Made by scripts/e2e from the shipped blueprint",
            "use_blueprint": {"path": BLUEPRINT, "input": {"backup_codes_only": True}},
        },
    )
    state = await wait_automation(demo, lambda s: s["state"] == "on", "loaded and on")
    demo.run.step(
        f"automation {state['entity_id']} saved from the blueprint {BLUEPRINT}"
    )


async def automation_ran(demo: Demo) -> None:
    """The automation of the blueprint ran for the backup code just issued."""
    state = await wait_automation(
        demo, lambda s: s["attributes"].get("last_triggered") is not None, "triggered"
    )
    demo.run.step(f"{state['entity_id']} ran for the issued backup code")


async def wait_automation(
    demo: Demo, condition: Callable[[dict[str, Any]], bool], what: str
) -> dict[str, Any]:
    """Wait until the blueprint's automation entity satisfies the condition."""
    deadline = time.monotonic() + STATE_TIMEOUT
    while True:
        states = await demo.api.request("GET", "/api/states")
        mine = [
            s
            for s in states
            if s["entity_id"].startswith("automation.")
            and s["attributes"].get("id") == AUTOMATION_ID
        ]
        if mine and condition(mine[0]):
            return dict(mine[0])
        check(
            time.monotonic() < deadline,
            f"the blueprint's automation is not {what} after {STATE_TIMEOUT:.0f} s"
            f" ({mine[0]['state'] if mine else 'no such entity'})",
        )
        await asyncio.sleep(0.2)
