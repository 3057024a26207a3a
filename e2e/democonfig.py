"""The demo configuration folder: the files Home Assistant needs beside configuration.yaml.

config/configuration.yaml includes automations.yaml, scripts.yaml and scenes.yaml, the files the
automation, script and scene editors of the frontend write. They are git-ignored (Home Assistant
rewrites them whenever a host saves in the UI, and they would hold a developer's own automations),
so a fresh clone has none, and a missing include stops Home Assistant from loading its
configuration. `ensure_include_files` creates each missing one with the content Home Assistant's
own first start writes (`[]` for automations, empty for the others); scripts/develop and
scripts/e2e both call it.

Usage (scripts/develop): python -m e2e.democonfig CONFIG_DIR
"""

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


def main(argv: list[str]) -> int:
    """Prepare a configuration folder for scripts/develop."""
    if len(argv) != 1:
        print("usage: python -m e2e.democonfig CONFIG_DIR", file=sys.stderr)
        return 2
    config_dir = Path(argv[0]).resolve()
    if problem := link_integration(config_dir):
        print(f"develop: {problem}", file=sys.stderr)
    for name in ensure_include_files(config_dir):
        print(
            f"develop: created {config_dir.name}/{name} (empty; the UI editors write it)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
