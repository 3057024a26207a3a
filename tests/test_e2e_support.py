"""The pure parts of scripts/e2e and scripts/develop: strings as the frontend shows them, the demo config."""

from datetime import UTC, date, datetime, timedelta
import json
from pathlib import Path
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from e2e.client import ReceivedEvent
from e2e.common import CheckError, Run, ShownCode, holds_only
from e2e.democonfig import (
    PortError,
    ensure_include_files,
    link_blueprints,
    set_port,
    stored_port,
)
from e2e.grant import Issued, check_backup_issued
from e2e.stay import Stay, day_label, shift
from e2e.translations import (
    Placeholder,
    Translations,
    icu_parts,
    plain_markdown,
    screen_problems,
)

ROOT = Path(__file__).resolve().parent.parent


def shown(message: str, values: dict[str, str]) -> str:
    """The message as the frontend renders it, placeholders filled in."""
    return "".join(
        values[part.name] if isinstance(part, Placeholder) else part
        for part in icu_parts(message)
    )


def strings(node: object, path: str = "") -> list[tuple[str, str]]:
    """Every string of a translations file with its dotted path."""
    if isinstance(node, str):
        return [(path, node)]
    if isinstance(node, dict):
        return [
            item
            for key, value in node.items()
            for item in strings(value, f"{path}.{key}" if path else key)
        ]
    return []


def test_every_string_of_en_json_renders_and_is_recognised() -> None:
    """No string breaks ICU parsing, and each is found on a screen that shows it."""
    translations = Translations.load()
    found = strings(translations.data)
    assert len(found) > 50
    for path, message in found:
        names = [p.name for p in icu_parts(message) if isinstance(p, Placeholder)]
        values = {name: f"<{name} value>" for name in names}
        # What reaches the screen: Markdown rendered (descriptions are Markdown).
        screen = f"Header\n{plain_markdown(shown(message, values))}\nFooter"
        assert translations.shown(message, screen, values), path
        assert translations.shown(message, screen), path  # values unknown: wildcards
        assert "Translation error" not in screen


@pytest.mark.parametrize(
    "message",
    [
        'answering `{"success": false}`',  # the string the frontend could not show
        "a { without its end",
        "an } alone",
        "{1st} is no argument name",
    ],
)
def test_malformed_messages_fail_the_check(message: str) -> None:
    """What intl-messageformat refuses, the check refuses."""
    with pytest.raises(CheckError):
        icu_parts(message)


def test_icu_quoting() -> None:
    """'' is an apostrophe, '{...}' a literal, a lone apostrophe itself."""
    assert shown("the lock's code", {}) == "the lock's code"
    assert shown("it''s", {}) == "it's"
    assert (
        shown("answer '{\"success\": false}' now", {})
        == 'answer {"success": false} now'
    )
    assert shown(
        "{count, plural, one {# code} other {# codes}} left", {"count": "2 codes"}
    ) == ("2 codes left")


def test_markdown_and_whitespace_do_not_hide_a_message() -> None:
    """The page's text comes in pieces, Markdown punctuation rendered away."""
    translations = Translations({})
    message = "Called with `lock_entity_id`, `slot` and **[the code](https://x)**."
    screen = "Called with\nlock_entity_id\n,\nslot\nand\nthe code\n."
    assert translations.shown(message, screen)
    assert not translations.shown(message, "Called with\nslot\nand the code.")
    assert not translations.shown("Code slots {count}", "Code slots 5", {"count": "4"})


BROKEN_SCREEN = (
    "Translation error: MALFORMED_ARGUMENT",
    "component.backup_access_codes.config.step.user.title",
    "[%key:common::config_flow::abort::already_configured%]",
    "options.step.init.data.pool_size",
    "ui.panel.config.integrations.add",
)


def test_screen_problems_finds_broken_and_missing_strings() -> None:
    """Translation errors, raw keys, unresolved references and field keys as labels."""
    text = "\n".join(BROKEN_SCREEN)
    problems = screen_problems(
        text, "pool_size*\nLock", {"pool_size", "lock_entity_id"}
    )
    assert [p.split(":")[0] for p in problems] == [
        "a translation error",
        "an unresolved [%key",
        "a raw translation key",
        "an untranslated key",
        "an untranslated key",
        "an untranslated key",
        "a field key shown instead of its label",
    ]


def test_screen_problems_accepts_a_normal_page() -> None:
    """Entity ids, addresses, versions and quoted variable names are no problem."""
    text = (
        "Demo lock\nsensor.demo_lock_available_backup_codes\nVersion 0.1.0\n"
        "http://127.0.0.1:8123/config/integrations/dashboard\nCalled with\nlock_entity_id"
    )
    assert screen_problems(text, "Demo lock\nLock", {"lock_entity_id"}) == []


def test_include_files_are_created_once(tmp_path: Path) -> None:
    """Each file configuration.yaml includes is created with Home Assistant's default."""
    (tmp_path / "configuration.yaml").write_text(
        (ROOT / "config" / "configuration.yaml").read_text()
    )
    assert ensure_include_files(tmp_path) == [
        "automations.yaml",
        "scripts.yaml",
        "scenes.yaml",
    ]
    assert (tmp_path / "automations.yaml").read_text() == "[]\n"
    (tmp_path / "scripts.yaml").write_text("mine: {}\n")
    assert ensure_include_files(tmp_path) == []
    assert (tmp_path / "scripts.yaml").read_text() == "mine: {}\n"


def test_blueprints_are_linked_as_files(tmp_path: Path) -> None:
    """Home Assistant finds the shipped blueprint; an imported copy is left alone."""
    made = link_blueprints(tmp_path)
    assert made == ["blueprints/automation/backup_access_codes/send_guest_code.yaml"]
    link = tmp_path / made[0]
    assert link.is_symlink()
    assert link.read_text().startswith("blueprint:")
    assert link_blueprints(tmp_path) == []
    link.unlink()
    link.write_text("blueprint: {}\n")
    assert link_blueprints(tmp_path) == []
    assert not link.is_symlink()


def http_store(config_dir: Path, port: int, pending: object = None) -> Path:
    """Home Assistant's stored HTTP settings (format 2 of 2026.10)."""
    path = config_dir / ".storage" / "http"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "version": 2,
                "minor_version": 2,
                "key": "http",
                "data": {
                    "stable": {"server_port": port, "cors_allowed_origins": []},
                    "pending": pending,
                    "yaml_migration_done": True,
                },
            }
        )
    )
    return path


def test_set_port_on_a_new_configuration(tmp_path: Path) -> None:
    """Without stored settings the port goes through SETUP_PORT; nothing is written."""
    assert "SETUP_PORT" in set_port(tmp_path, 18200)
    assert not (tmp_path / ".storage").exists()
    assert stored_port(tmp_path) is None


def test_set_port_rewrites_the_stored_port(tmp_path: Path) -> None:
    """An existing configuration gets the port in its stable settings, the rest kept."""
    path = http_store(tmp_path, 8123)
    assert re.search(r"was 8123", set_port(tmp_path, 18200))
    data = json.loads(path.read_text())["data"]
    assert data["stable"] == {"server_port": 18200, "cors_allowed_origins": []}
    assert stored_port(tmp_path) == 18200
    assert "as stored" in set_port(tmp_path, 18200)


@pytest.mark.parametrize(
    ("store", "problem"),
    [
        ({"version": 3, "data": {"stable": {}}}, "format"),
        (None, "confirmation"),
    ],
)
def test_set_port_refuses_what_it_does_not_know(
    tmp_path: Path, store: dict[str, object] | None, problem: str
) -> None:
    """An unknown format, or settings waiting for confirmation in the frontend, are kept."""
    path = http_store(tmp_path, 8123, pending={"server_port": 9000, "error": None})
    if store is not None:
        path.write_text(json.dumps(store))
    before = path.read_text()
    with pytest.raises(PortError, match=problem):
        set_port(tmp_path, 18200)
    assert path.read_text() == before


def test_a_stay_moves_by_days_at_the_same_wall_clock_time() -> None:
    """As the dialog's date picker moves it: across a month's end and a change of DST."""
    zone = ZoneInfo("Europe/Berlin")
    stay = Stay(
        datetime(2026, 10, 24, 15, 0, tzinfo=zone),
        datetime(2026, 10, 31, 11, 0, tzinfo=zone),
    )
    moved = stay.later(1)
    assert moved == Stay(
        datetime(2026, 10, 25, 15, 0, tzinfo=zone),  # the day summer time ends
        datetime(2026, 11, 1, 11, 0, tzinfo=zone),
    )
    # A day later on the calendar is 25 hours later on the clock that night.
    elapsed = moved.starts_at.astimezone(UTC) - stay.starts_at.astimezone(UTC)
    assert elapsed == timedelta(hours=25)
    assert stay.checking_out_later(2) == Stay(
        stay.starts_at, datetime(2026, 11, 2, 11, 0, tzinfo=zone)
    )
    assert shift(datetime(2026, 12, 31, 23, 0, tzinfo=UTC), 1) == datetime(
        2027, 1, 1, 23, 0, tzinfo=UTC
    )
    assert str(stay) == "2026-10-24 15:00 to 2026-10-31 11:00 (CEST)"


def test_day_labels_are_the_date_pickers() -> None:
    """The frontend's date picker names each day's button "<Month> <day>"."""
    assert day_label(date(2026, 12, 2)) == "December 2"
    assert day_label(date(2027, 1, 31)) == "January 31"


STARTS = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ENDS = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)


def issued_event(**changes: Any) -> ReceivedEvent:
    """A backup_access_codes_issued event of a backup code on the demo lock."""
    method = {
        "mode": "code",
        "code": "104729",
        "is_backup_code": True,
        "slot": 21,
        "issued_at": "2026-12-01T12:19:00+00:00",
    }
    method.update(changes.pop("access_method", {}))
    data = {
        "event_type": "access_method.issued",
        "access_grant_id": "a" * 32,
        "name": "E2E Calendar Guest",
        "lock_entity_id": "lock.demo_lock",
        "starts_at": STARTS.isoformat(),
        "ends_at": ENDS.isoformat(),
        "access_method": method,
        **changes,
    }
    return ReceivedEvent("backup_access_codes_issued", data, 0.0)


def test_check_backup_issued_returns_the_code_and_keeps_it_secret(
    tmp_path: Path,
) -> None:
    """A backup code of the pool: returned, and remembered so screens and logs are searched."""
    run = Run(port=18210, config_dir=tmp_path)
    issued = check_backup_issued(
        run, issued_event(), "E2E Calendar Guest", STARTS, ENDS
    )
    assert issued == Issued("104729", 21)
    assert run.codes == {"104729"}
    assert "104729" not in run.redact("the code 104729 was told")


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"access_method": {"is_backup_code": False}}, "not a backup code"),
        ({"access_method": {"slot": 30}}, "outside the pool slots"),
        ({"access_method": {"code": 104729}}, "not 6 digits"),
        ({"lock_entity_id": "lock.other"}, "lock_entity_id"),
        ({"name": "Someone else"}, "name is"),
        ({"ends_at": "2026-12-03T13:00:00+00:00"}, "differ from the grant's"),
    ],
)
def test_check_backup_issued_refuses_what_the_guest_cannot_use(
    tmp_path: Path, changes: dict[str, Any], problem: str
) -> None:
    """A scheduled code, a slot outside the pool, another lock, guest or stay: each fails."""
    with pytest.raises(CheckError, match=problem):
        check_backup_issued(
            Run(port=18210, config_dir=tmp_path),
            issued_event(**changes),
            "E2E Calendar Guest",
            STARTS,
            ENDS,
        )


SHOWN = "104729"  # the code the panel's dialog shows on purpose
OTHER = "385016"  # another guest's code


@pytest.mark.parametrize(
    ("text", "only"),
    [
        (SHOWN, True),
        (f"Your code for Demo lock is {SHOWN}, from Tue, Dec 1 to Wed, Dec 2.", True),
        ("Hidden again in 30 s", True),  # the element may not show it (yet)
        (f"{SHOWN} and {OTHER}", False),
        (f"Your code for Demo lock is {OTHER}.", False),
    ],
)
def test_a_shown_code_allows_only_itself(text: str, only: bool) -> None:
    """Inside the elements that may show a code, any other known code still counts."""
    assert holds_only(text, SHOWN, {SHOWN, OTHER}) is only


def test_a_shown_code_is_allowed_in_its_elements_only() -> None:
    """The selectors the scan leaves out, and checks on their own."""
    shown = ShownCode(SHOWN, ('[data-testid="revealed-code"]', ".message"))
    assert shown.selector == '[data-testid="revealed-code"], .message'
