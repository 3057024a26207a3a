"""Every translation string parses as ICU MessageFormat, as the frontend parses it."""

import json
from pathlib import Path

from .frontend_tools import ROOT, run_node

TRANSLATIONS = ROOT / "custom_components" / "backup_access_codes" / "translations"


def test_every_translation_string_parses() -> None:
    """The frontend shows "Translation error: ..." for a string its parser refuses."""
    result = run_node("check-translations.mjs", str(TRANSLATIONS))
    assert result.returncode == 0, result.stdout + result.stderr
    count = sum(1 for _ in TRANSLATIONS.glob("*.json"))
    assert f"in {count} file(s), 0 broken" in result.stdout


def test_a_literal_brace_fails_the_check(tmp_path: Path) -> None:
    """What the script step's description held before: literal braces."""
    (tmp_path / "en.json").write_text(
        json.dumps(
            {
                "config": {
                    "step": {
                        "script": {"description": 'answer `{"success": false}`'},
                        "user": {"title": "Scripts for {lock}"},
                    }
                },
                "panel": {"quoted": "shows '{\"success\": false}' as typed"},
            }
        )
    )
    result = run_node("check-translations.mjs", str(tmp_path))
    assert result.returncode == 1
    assert (
        "en.json: config.step.script.description: MALFORMED_ARGUMENT" in result.stdout
    )
    # A placeholder and apostrophe-quoted braces are fine.
    assert "config.step.user.title" not in result.stdout
    assert "panel.quoted" not in result.stdout
    assert "3 strings in 1 file(s), 1 broken" in result.stdout
