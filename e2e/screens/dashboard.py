"""docs/dashboard.yaml as a dashboard, checked in the browser (and its screenshot for the README)."""

import contextlib
from pathlib import Path
import time
from typing import Any

from homeassistant.util.yaml import parse_yaml

from ..browser import PAGE_TIMEOUT, Screen
from ..common import (
    LOCK,
    POOL_SIZE,
    PROBLEM_SENSORS,
    ROOT,
    SENSOR_AVAILABLE,
    SENSOR_ISSUED,
    CheckError,
    check,
)
from ..context import Demo

DASHBOARD_YAML = ROOT / "docs" / "dashboard.yaml"
DASHBOARD_URL = "door-codes"

# The text of every tile card on the page, through the shadow roots of the frontend's
# web components; `hidden` tells whether the card takes no space (a conditional card that is off).
TILE_TEXTS_JS = """
() => {
  const text = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return node.data;
    if (node.nodeType !== Node.ELEMENT_NODE) return "";
    if (["STYLE", "SCRIPT", "TEMPLATE"].includes(node.tagName)) return "";
    let out = "";
    if (node.shadowRoot) for (const child of node.shadowRoot.childNodes) out += " " + text(child);
    for (const child of node.childNodes) out += " " + text(child);
    return out;
  };
  const tiles = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.localName === "hui-tile-card") {
        const box = el.getBoundingClientRect();
        tiles.push({
          text: text(el).replace(/\\s+/g, " ").trim(),
          hidden: box.width === 0 || box.height === 0,
        });
      }
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return tiles;
}
"""


def dashboard_entities(config: Any) -> set[str]:
    """Every entity id the dashboard refers to."""
    found: set[str] = set()
    if isinstance(config, dict):
        for key, value in config.items():
            if key == "entity" and isinstance(value, str):
                found.add(value)
            else:
                found |= dashboard_entities(value)
    elif isinstance(config, list):
        for item in config:
            found |= dashboard_entities(item)
    return found


def tile_name(config: Any, entity_id: str) -> str:
    """The name of the dashboard's tile card for an entity."""
    if isinstance(config, dict):
        if config.get("type") == "tile" and config.get("entity") == entity_id:
            name = config.get("name")
            check(
                isinstance(name, str),
                f"the tile of {entity_id} in {DASHBOARD_YAML.name} needs a name",
            )
            return str(name)
        items: list[Any] = list(config.values())
    elif isinstance(config, list):
        items = config
    else:
        items = []
    for item in items:
        with contextlib.suppress(CheckError):
            return tile_name(item, entity_id)
    raise CheckError(f"{DASHBOARD_YAML.name} has no tile card for {entity_id}")


def conditional_tiles(config: Any, state: str) -> list[str]:
    """Names of the tiles shown only while every condition of their card is `state`.

    In docs/dashboard.yaml the warnings are the tiles of cards on "on", the all-clear tile the
    one on "off" (all three problem sensors off).
    """
    found: list[str] = []
    if isinstance(config, dict):
        conditions = config.get("conditions")
        card = config.get("card")
        if (
            config.get("type") == "conditional"
            and isinstance(conditions, list)
            and conditions
            and all(c.get("state") == state for c in conditions)
            and isinstance(card, dict)
            and card.get("type") == "tile"
        ):
            found.append(str(card.get("name")))
        for value in config.values():
            found += conditional_tiles(value, state)
    elif isinstance(config, list):
        for item in config:
            found += conditional_tiles(item, state)
    return found


async def install_dashboard(demo: Demo) -> tuple[str, dict[str, str]]:
    """Create a dashboard from docs/dashboard.yaml.

    Return the path of its view, and the names of its tiles: the two counters (by key), the
    all-clear tile ("clear") and the warnings ("warning 1"...).
    """
    entities = demo.entities
    config = parse_yaml(DASHBOARD_YAML.read_text())
    check(isinstance(config, dict), f"{DASHBOARD_YAML.name} is not a dashboard")
    assert isinstance(config, dict)  # noqa: S101 - for the type checker
    wanted = dashboard_entities(config)
    unknown = wanted - {*entities.values(), LOCK}
    check(not unknown, f"{DASHBOARD_YAML.name} refers to unknown entities: {unknown}")
    pool = {
        entities[key] for key in (SENSOR_AVAILABLE, SENSOR_ISSUED, *PROBLEM_SENSORS)
    }
    check(pool <= wanted, f"{DASHBOARD_YAML.name} does not show {pool - wanted}")
    await demo.ws.command(
        {
            "type": "lovelace/dashboards/create",
            "url_path": DASHBOARD_URL,
            "title": config.get("title", "Door codes"),
            "icon": "mdi:key-chain",
            "show_in_sidebar": True,
            "require_admin": False,
        }
    )
    await demo.ws.command(
        {"type": "lovelace/config/save", "url_path": DASHBOARD_URL, "config": config}
    )
    saved = await demo.ws.command(
        {"type": "lovelace/config", "url_path": DASHBOARD_URL}
    )
    check(saved == config, "the saved dashboard differs from docs/dashboard.yaml")
    view = config["views"][0]
    names = {
        key: tile_name(config, entities[key])
        for key in (SENSOR_AVAILABLE, SENSOR_ISSUED)
    }
    clear = conditional_tiles(config, "off")
    warnings = conditional_tiles(config, "on")
    check(
        len(clear) == 1 and len(warnings) == len(PROBLEM_SENSORS),
        f"{DASHBOARD_YAML.name} should have one all-clear tile and a warning per problem"
        f" sensor (has {clear} and {warnings})",
    )
    names["clear"] = clear[0]
    names |= {f"warning {n}": name for n, name in enumerate(warnings, 1)}
    return f"/{DASHBOARD_URL}/{view.get('path', 0)}", names


async def wait_for_dashboard(ui: Screen, names: dict[str, str]) -> list[str]:
    """Wait until the page shows the counts (4 ready, 1 in use) and the all-clear tile alone.

    Return the text of every visible tile. The all-clear tile hides its state (its name says
    it all); a warning tile would read "<name> <state>".
    """
    want = {
        f"{names[SENSOR_AVAILABLE]} {POOL_SIZE - 1}",
        f"{names[SENSOR_ISSUED]} 1",
        names["clear"],
    }
    warnings = [name for key, name in names.items() if key.startswith("warning ")]
    deadline = time.monotonic() + PAGE_TIMEOUT
    shown: list[str] = []
    while True:
        loading = await ui.page.evaluate(
            "() => !!document.getElementById('ha-launch-screen')"
        )
        tiles = await ui.page.evaluate(TILE_TEXTS_JS)
        shown = [tile["text"] for tile in tiles if not tile["hidden"]]
        if not loading and want <= set(shown):
            break
        if time.monotonic() > deadline:
            await ui.fail(
                f"after {PAGE_TIMEOUT:.0f} s the dashboard at {ui.page.url} shows"
                f" {shown or 'no tile'}{' (still loading)' if loading else ''};"
                f" expected {sorted(want)}"
            )
        await ui.page.wait_for_timeout(250)
    problems = [t for t in shown if any(t.startswith(w) for w in warnings)]
    check(not problems, f"the dashboard shows pool warnings: {problems}")
    return shown


async def dashboard(ui: Screen, demo: Demo, copy_to: Path | None = None) -> None:
    """The dashboard with one backup code issued; its screenshot also goes to `copy_to`."""
    view, names = await install_dashboard(demo)
    demo.run.step(f"dashboard {view} created from {DASHBOARD_YAML.relative_to(ROOT)}")
    began = time.monotonic()
    await ui.page.goto(demo.run.base + view, wait_until="load")
    shown = await wait_for_dashboard(ui, names)
    demo.run.timing(
        "dashboard shown with the expected counts", time.monotonic() - began
    )
    demo.run.step("the browser shows: " + "; ".join(shown))
    await ui.shot("10-dashboard", "the dashboard of docs/dashboard.yaml")
    if copy_to is not None:
        size = await ui.save(copy_to)
        demo.run.step(f"screenshot saved to {copy_to} ({size // 1024} KiB)")
