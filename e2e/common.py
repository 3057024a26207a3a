"""What every part of the end-to-end check shares: the demo's names, the run's record, failing."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
import re
import time

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "backup_access_codes"
TRANSLATIONS = ROOT / "custom_components" / DOMAIN / "translations" / "en.json"

# The demo (config/configuration.yaml).
LOCK = "lock.demo_lock"
ONLINE_SWITCH = "input_boolean.demo_lock_online"
SET_SCRIPT = "script.demo_lock_set_code"
CLEAR_SCRIPT = "script.demo_lock_clear_code"

EVENT_ISSUED = f"{DOMAIN}_issued"
EVENT_REISSUED = f"{DOMAIN}_reissued"
EVENT_ISSUE_FAILED = f"{DOMAIN}_issue_failed"

# Defaults of the integration's options (DESIGN.md); the flow does not change them.
POOL_SIZE = 5
CODE_LENGTH = 6
FIRST_SLOT = 20

SENSOR_AVAILABLE = "available_backup_codes"
SENSOR_ISSUED = "issued_backup_codes"
PROBLEM_SENSORS = (
    "empty_backup_access_code_pool",
    "partial_backup_access_code_pool",
    "many_active_backup_codes",
)

POOL_TIMEOUT = 30.0  # entry created until five codes are ready
EVENT_TIMEOUT = 10.0  # service call until the issued event (the brief's promise)
STATE_TIMEOUT = 10.0

# A standalone run of digits that could be a door code (not the fraction of a timestamp).
CODE_LIKE = re.compile(r"(?<![\d.:-])\d{4,8}(?![\d:-])")


class CheckError(Exception):
    """The demo did not behave as promised."""


def check(condition: object, message: str) -> None:
    """Fail the run with a message unless the condition holds."""
    if not condition:
        raise CheckError(message)


def contains_code(text: str, code: str) -> bool:
    """Tell whether a known code stands in the text as a number of its own."""
    return re.search(rf"(?<![\d.]){re.escape(code)}(?!\d)", text) is not None


@dataclass(frozen=True)
class ShownCode:
    """A door code a screen shows on purpose, and the only elements that may show it.

    The Access codes panel shows a code after "Show code": in its code dialog, the code itself and
    the message for the guest. A screen scanned with a `ShownCode` accepts exactly that code in
    exactly those elements (CSS selectors, through shadow roots); any code anywhere else, or
    another code in them, still fails the scan.
    """

    code: str
    selectors: tuple[str, ...]

    @property
    def selector(self) -> str:
        """One CSS selector for all the elements."""
        return ", ".join(self.selectors)


def holds_only(text: str, code: str, codes: Iterable[str]) -> bool:
    """Tell whether the only known code in the text is `code` (the text may show it or not)."""
    rest = re.sub(rf"(?<![\d.]){re.escape(code)}(?!\d)", " ", text)
    return not any(contains_code(rest, known) for known in codes)


@dataclass
class Run:
    """What the run learned; the codes are kept only to look for leaks, never printed."""

    port: int
    config_dir: Path
    started: float = field(default_factory=time.monotonic)
    timings: list[tuple[str, float]] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)

    @property
    def base(self) -> str:
        """The address of the throw-away Home Assistant."""
        return f"http://127.0.0.1:{self.port}"

    def step(self, message: str) -> None:
        """Print a progress line with the time since the start."""
        print(f"[{time.monotonic() - self.started:6.1f}s] {message}", flush=True)

    def timing(self, label: str, seconds: float) -> None:
        """Record and print a measured duration."""
        self.timings.append((label, seconds))
        self.step(f"{label}: {seconds:.2f} s")

    def redact(self, text: str) -> str:
        """Hide the codes we know, and anything else that looks like one."""
        for code in self.codes:
            text = text.replace(code, "*" * len(code))
        return CODE_LIKE.sub(lambda m: "#" * len(m.group()), text)


def write_file(path: Path, data: bytes) -> None:
    """Write a file, making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
