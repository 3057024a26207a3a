"""What evaluating a lock tells the outside: codes told to guests, guests left without one."""

from dataclasses import dataclass, field
from datetime import datetime

from .grants import NoCodeCause

REASON_NO_BACKUP = "no_backup_code_available"


@dataclass(frozen=True, slots=True)
class CodeIssued:
    """A guest was told a code (``issued``, or ``reissued`` when it replaces one)."""

    grant_id: str
    code: str = field(repr=False)
    is_backup: bool
    slot: int | None
    issued_at: datetime
    reissued: bool
    # A backup code a previous guest held (no fresh one was left).
    previously_used: bool = False


@dataclass(frozen=True, slots=True)
class IssueFailed:
    """A guest holds no working code and none was left to give: an episode begins."""

    grant_id: str
    reason: str
    cause: NoCodeCause


type Outcome = CodeIssued | IssueFailed
