"""The panel's bundle committed in the integration is what its sources build to."""

import gzip

from custom_components.backup_access_codes.panel import BUNDLE

from .frontend_tools import run_node


def test_committed_bundle_equals_a_fresh_build() -> None:
    """HACS installs the committed file: it must not lag behind frontend/src."""
    result = run_node("build.mjs", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "bundle up to date" in result.stdout


def test_bundle_defines_the_panel_element() -> None:
    """What panel.py registers is what the bundle defines; a small download."""
    text = BUNDLE.read_text(encoding="utf-8")
    assert 'customElements.define("backup-access-codes-panel"' in text
    assert len(gzip.compress(text.encode(), compresslevel=9)) < 100 * 1024
