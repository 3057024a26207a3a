"""The lock's device page: the integration's entities under readable names, with their states."""

import itertools

from ..browser import Screen
from ..common import POOL_SIZE, SENSOR_AVAILABLE, SENSOR_ISSUED, check
from ..context import Demo
from .entry_page import open_entry_page


async def device_page(ui: Screen, demo: Demo) -> None:
    """Integration page → the device: each entity named as in translations/en.json.

    Runs after the last-minute grant, so the counters must read one issued, the rest available.
    """
    names = demo.translations.entity_names()
    expected = {
        key: names[entity_id.split(".")[0], key]
        for key, entity_id in demo.entities.items()
    }
    await open_entry_page(ui, demo)
    await ui.page.locator("ha-config-entry-device-row").first.click()
    await ui.page.wait_for_url(f"**/config/devices/device/{demo.device_id}")
    counts = {SENSOR_AVAILABLE: str(POOL_SIZE - 1), SENSOR_ISSUED: "1"}

    def shows_all(text: str) -> bool:
        lines = text.splitlines()
        pairs = set(itertools.pairwise(lines))
        return all(name in lines for name in expected.values()) and all(
            (expected[key], value) in pairs for key, value in counts.items()
        )

    await ui.wait_text(
        shows_all,
        what=f"the entities {sorted(expected.values())} with {counts} on the device page",
    )
    shown = await ui.text()
    check(
        not any(entity_id in shown for entity_id in demo.entities.values()),
        "the device page names an entity by its id",
    )
    await ui.shot(
        "09-device-page", "the lock's device page after the last-minute grant"
    )
