"""The demo configuration folder: the files Home Assistant needs beside configuration.yaml.

config/configuration.yaml includes automations.yaml, scripts.yaml and scenes.yaml, the files the
automation, script and scene editors of the frontend write. They are git-ignored (Home Assistant
rewrites them whenever a host saves in the UI, and they would hold a developer's own automations),
so a fresh clone has none, and a missing include stops Home Assistant from loading its
configuration. `ensure_include_files` creates each missing one with the content Home Assistant's
own first start writes (`[]` for automations, empty for the others). `link_blueprints` puts the
repository's blueprints where the automation editor finds them (file symlinks: Home Assistant's
blueprint search does not descend into linked folders). scripts/develop and scripts/e2e call all
three.

`set_port` moves an existing configuration to another HTTP port. Home Assistant 2026.10 keeps its
HTTP settings in .storage/http (an `http:` section in configuration.yaml is migrated once, then
becomes a pending setting that reverts after five minutes unless confirmed in the frontend); a new
configuration takes the SETUP_PORT variable as its port, and an existing one gets the port written
into its stored settings while Home Assistant is stopped.

Usage (scripts/develop): python -m e2e.democonfig CONFIG_DIR [--port N]
"""

import argparse
import contextlib
import fcntl
import json
from pathlib import Path
import re
import sys

from .common import ROOT

# What Home Assistant writes into a new configuration (homeassistant/config.py).
INCLUDE_DEFAULTS = {"automations.yaml": "[]\n", "scripts.yaml": "", "scenes.yaml": ""}
INCLUDE = re.compile(r"^[^#\n]*!include\s+([\w.-]+\.yaml)\s*$", re.MULTILINE)


def include_files(config_dir: Path) -> list[str]:
    """The files configuration.yaml includes with a plain `!include NAME.yaml`."""
    text = (config_dir / "configuration.yaml").read_text(encoding="utf-8")
    return INCLUDE.findall(text)


def ensure_include_files(config_dir: Path) -> list[str]:
    """Create every included file that does not exist yet; return the names created."""
    created = []
    for name in include_files(config_dir):
        path = config_dir / name
        if not path.exists():
            path.write_text(INCLUDE_DEFAULTS.get(name, ""), encoding="utf-8")
            created.append(name)
    return created


def link_blueprints(config_dir: Path) -> list[str]:
    """Link each blueprint of the repository into config_dir/blueprints; return the new links.

    A file there that is not our symlink (imported in the UI, say) is left alone. A blueprint
    folder made this way keeps Home Assistant from copying its example blueprints into it.
    """
    source = ROOT / "blueprints"
    made = []
    for blueprint in sorted(source.rglob("*.yaml")):
        link = config_dir / "blueprints" / blueprint.relative_to(source)
        if link.is_symlink() and link.resolve() == blueprint.resolve():
            continue
        if link.exists() and not link.is_symlink():
            continue
        link.parent.mkdir(parents=True, exist_ok=True)
        link.unlink(missing_ok=True)
        link.symlink_to(blueprint)
        made.append(str(link.relative_to(config_dir)))
    return made


def link_integration(config_dir: Path) -> str | None:
    """Make config_dir/custom_components a symlink to the repository's custom_components/.

    Relative inside the repository (config/ stays movable with it), absolute elsewhere. Return a
    problem to report instead of replacing something that is not our symlink.
    """
    target = ROOT / "custom_components"
    link = config_dir / "custom_components"
    try:
        wanted = Path("..") / target.relative_to(config_dir.resolve().parent)
    except ValueError:
        wanted = target
    if link.is_symlink():
        if Path(link.readlink()) != wanted:
            link.unlink()
            link.symlink_to(wanted)
        return None
    if link.exists():
        return f"{link} exists and is not a symlink; leaving it alone"
    link.symlink_to(wanted)
    return None


HTTP_STORE = Path(".storage") / "http"
HTTP_STORE_VERSION = 2


class PortError(Exception):
    """The port cannot be set (Home Assistant runs, or its settings are not what we know)."""


def running(config_dir: Path) -> bool:
    """Tell whether a Home Assistant holds the configuration's run lock."""
    lock = config_dir / ".ha_run.lock"
    if not lock.exists():
        return False
    with lock.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return False


def stored_port(config_dir: Path) -> int | None:
    """The port in Home Assistant's stored HTTP settings, or None for a new configuration."""
    path = config_dir / HTTP_STORE
    if not path.exists():
        return None
    with contextlib.suppress(ValueError, KeyError, TypeError):
        return int(
            json.loads(path.read_text(encoding="utf-8"))["data"]["stable"][
                "server_port"
            ]
        )
    return None


def set_port(config_dir: Path, port: int) -> str:
    """Make Home Assistant listen on `port`; return what was done (PortError if it cannot)."""
    path = config_dir / HTTP_STORE
    if not path.exists():
        return f"a new configuration: Home Assistant takes port {port} (SETUP_PORT)"
    store = json.loads(path.read_text(encoding="utf-8"))
    data = store.get("data") or {}
    if store.get("version") != HTTP_STORE_VERSION or "stable" not in data:
        raise PortError(
            f"{path} is not the HTTP settings format this script knows (version"
            f" {store.get('version')}): change the port in Settings -> System -> Network"
        )
    if data.get("pending") and not data["pending"].get("error"):
        raise PortError(
            f"{path} holds HTTP settings waiting for confirmation in the frontend; confirm"
            " or discard them there first"
        )
    old = data["stable"].get("server_port", 8123)
    if old == port:
        return f"port {port} (as stored)"
    if running(config_dir):
        raise PortError(
            "Home Assistant is running on this configuration: stop it first"
        )
    data["stable"]["server_port"] = port
    path.write_text(json.dumps(store, indent=4), encoding="utf-8")
    return f"port {port} (was {old}; written to {HTTP_STORE})"


def port_number(value: str) -> int:
    """A TCP port from the command line."""
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}")
    return int(value)


def main(argv: list[str]) -> int:
    """Prepare a configuration folder for scripts/develop."""
    parser = argparse.ArgumentParser(prog="python -m e2e.democonfig")
    parser.add_argument("config_dir", type=Path)
    parser.add_argument("--port", type=port_number, metavar="PORT")
    args = parser.parse_args(argv)
    config_dir = args.config_dir.resolve()
    if args.port is not None:
        try:
            print(f"develop: {set_port(config_dir, args.port)}")
        except PortError as err:
            print(f"develop: cannot use port {args.port}: {err}", file=sys.stderr)
            return 1
    if problem := link_integration(config_dir):
        print(f"develop: {problem}", file=sys.stderr)
    for name in ensure_include_files(config_dir):
        print(
            f"develop: created {config_dir.name}/{name} (empty; the UI editors write it)"
        )
    for name in link_blueprints(config_dir):
        print(f"develop: linked {config_dir.name}/{name} to the repository's blueprint")
    port = args.port or stored_port(config_dir) or 8123
    print(f"develop: Home Assistant will answer on http://localhost:{port}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
