"""Run the frontend package's node scripts (frontend/) from the test suite."""

from pathlib import Path
import shutil
import subprocess

import pytest

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = ROOT / "frontend"


def run_node(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a script of frontend/ with node; skip the test only when node is absent."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (FRONTEND / "node_modules").is_dir():
        pytest.fail(
            "frontend/node_modules is missing: run scripts/setup (it runs npm ci)"
        )
    return subprocess.run(  # noqa: S603 - the repository's own script
        [node, str(FRONTEND / script), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
