"""Names the harness and the scenarios share."""

from datetime import UTC, datetime
from pathlib import Path

# The integration under test: the run's snapshot in scenario processes (see SOURCE_ROOT).
import custom_components.backup_access_codes as integration
from custom_components.backup_access_codes import const as bac

from . import ROOT

DOMAIN = bac.DOMAIN
INTEGRATION = integration.__name__
PKG_DIR = str(Path(integration.__file__).parent)  # as imported: as code objects name it
DEFAULT_OUTPUT = ROOT / "benchmarks" / "RESULTS.md"
START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
WRITE_EVENT = "bench_lock_write"
FAIL_EVENT = "bench_lock_write_failed"
FAIL_SWITCH = "input_boolean.bench_writes_fail"
GRANT_EVENTS = (bac.EVENT_ISSUED, bac.EVENT_REISSUED, bac.EVENT_ISSUE_FAILED)
# Options for the issuance runs: ten backup codes per lock, so ten grants per lock all get one.
BIG_POOL = {bac.CONF_POOL_SIZE: 10, bac.CONF_SLOT_COUNT: 20}


def code_paths(path: str) -> tuple[str, ...]:
    """A file or folder as code objects name it (as imported), and resolved.

    They differ when a folder on the way is a symlink (a worktree's `.venv` often is): frames,
    tracebacks and tracemalloc name files as imported, so prefix checks must accept both.
    """
    return tuple(dict.fromkeys((path, str(Path(path).resolve()))))


def default_option(key: str) -> float:
    """A numeric default option of the integration."""
    value = bac.DEFAULT_OPTIONS[key]
    if not isinstance(value, (int, float)):
        raise TypeError(f"option {key} is not a number")
    return float(value)


PKG_PATHS = code_paths(PKG_DIR)  # prefixes of the integration's code
