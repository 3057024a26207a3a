"""When to try a failed slot write again (pure Python)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Self

# One attempt is a first try plus quick retries; it ends well within two minutes.
QUICK_RETRY_DELAYS = (timedelta(seconds=10), timedelta(seconds=30))
TRIES_PER_ATTEMPT = len(QUICK_RETRY_DELAYS) + 1
# Between failed attempts while the lock stays online: doubling, never above an hour.
FIRST_BACKOFF = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)


def backoff(failed_attempts: int) -> timedelta:
    """Return the wait after ``failed_attempts`` (>= 1) whole attempts failed."""
    wait: timedelta = FIRST_BACKOFF * 2 ** min(failed_attempts - 1, 16)
    return min(wait, MAX_BACKOFF)


@dataclass(slots=True)
class SlotRetry:
    """Failures of the writes to one slot since its last success."""

    failures: int = 0
    not_before: datetime | None = None
    rejections: int = 0  # permanent refusals in a row

    def record_failure(self, now: datetime) -> bool:
        """Count a failed try and plan the next one; return True when the attempt is over."""
        self.failures += 1
        tries_in_attempt = self.failures % TRIES_PER_ATTEMPT
        if tries_in_attempt == 0:
            self.not_before = now + backoff(self.failures // TRIES_PER_ATTEMPT)
            return True
        self.not_before = now + QUICK_RETRY_DELAYS[tries_in_attempt - 1]
        return False

    def to_dict(self) -> dict[str, Any]:
        """Serialise for the store."""
        return {
            "failures": self.failures,
            "rejections": self.rejections,
            "not_before": self.not_before.isoformat() if self.not_before else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Read back from the store."""
        not_before = data.get("not_before")
        return cls(
            failures=int(data.get("failures", 0)),
            rejections=int(data.get("rejections", 0)),
            not_before=datetime.fromisoformat(not_before) if not_before else None,
        )
