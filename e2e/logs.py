"""After Home Assistant stopped: its log and its database, read for problems and leaked codes."""

from dataclasses import dataclass, field
import re

from .common import DOMAIN, Run, contains_code
from .hass import HomeAssistant

# Log lines Home Assistant always writes for any custom integration.
EXPECTED_WARNINGS = ("We found a custom integration",)


@dataclass
class LogFindings:
    """What Home Assistant's log says, redacted."""

    problems: list[str] = field(default_factory=list)  # fail the run
    ours: list[str] = field(default_factory=list)  # the integration's warnings
    others: list[str] = field(default_factory=list)  # Home Assistant's own


def read_log(run: Run) -> LogFindings:
    """Sort the log's warnings and errors; look for door codes in it."""
    findings = LogFindings()
    log = run.config_dir / "home-assistant.log"
    if not log.exists():
        return findings
    lines = log.read_text(errors="replace").splitlines()
    text = "\n".join(lines)
    if any(contains_code(text, known) for known in run.codes):
        findings.problems.append("a door code appears in home-assistant.log")
    for index, line in enumerate(lines):
        level = re.search(r"\b(WARNING|ERROR|CRITICAL)\b", line)
        if level is None or any(expected in line for expected in EXPECTED_WARNINGS):
            continue
        traceback_lines = []
        for follow in lines[index + 1 : index + 60]:
            if re.match(r"\d{4}-\d\d-\d\d ", follow):
                break
            traceback_lines.append(follow)
        ours = DOMAIN in line or any(
            f"custom_components/{DOMAIN}" in follow for follow in traceback_lines
        )
        shown = run.redact(line)[:700]
        if ours and level.group(1) != "WARNING":
            findings.problems.append(f"integration error in the log: {shown}")
        elif ours:
            findings.ours.append(shown)
        else:
            findings.others.append(shown)
    return findings


def check_database(run: Run) -> str | None:
    """Look for door codes in the recorder's database; return a problem, if any."""
    databases = sorted(run.config_dir.glob("home-assistant_v2.db*"))
    data = b"".join(db.read_bytes() for db in databases)
    if b"input_text.demo_lock_last_write" not in data:
        run.step(
            "note: the recorder database was not written; its leak check is skipped"
        )
        return None
    for known in run.codes:
        if re.search(rb"(?<![\d.])" + known.encode() + rb"(?!\d)", data):
            return "a door code appears in the recorder database"
    run.step(f"no door code in the recorder database ({len(data) // 1024} KiB)")
    return None


def print_log_tail(run: Run, hass: HomeAssistant, lines: int = 40) -> None:
    """Show the end of Home Assistant's output, redacted, to help find a failure's cause."""
    for path in (run.config_dir / "home-assistant.log", hass.output):
        if path.exists() and path.stat().st_size:
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            print(f"---- last {len(tail)} lines of {path.name} (codes redacted) ----")
            for line in tail:
                print(run.redact(line)[:400])
            print("----")
            return
