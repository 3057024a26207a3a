"""The machine the run measured on: CPU, cores, RAM, OS, file system, versions, revision."""

import contextlib
import importlib.metadata
import json
import os
from pathlib import Path
import platform
import subprocess
from typing import Any

import homeassistant.const as ha_const

from . import ROOT
from .const import PKG_DIR


def machine_info(work_dir: Path) -> dict[str, Any]:
    """CPU, cores, RAM, OS, file system, Python and package versions, git revision."""
    cpu = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
    fs = "unknown"
    with contextlib.suppress(OSError):
        best = ""
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            if (
                len(parts) > 2
                and str(work_dir).startswith(parts[1])
                and len(parts[1]) >= len(best)
            ):
                best, fs = parts[1], f"{parts[2]} ({parts[0]} on {parts[1]})"
    revision = "unknown"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        rev = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
        revision = rev or revision

    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "?"

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(ram / 2**30, 1) if ram else None,
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "home_assistant": ha_const.__version__,
        "pytest_homeassistant_custom_component": version(
            "pytest-homeassistant-custom-component"
        ),
        "integration": json.loads((Path(PKG_DIR) / "manifest.json").read_text())[
            "version"
        ],
        "revision": revision,
        "storage_fs": fs,
    }
