"""When to try a failed slot write again (pure Python).

One attempt is a first try plus quick retries. The attempt, every try's wait for the lock
included, ends within ``ATTEMPT_LIMIT`` of its first try: a lock that hangs cannot keep a
guest waiting for a backup code longer than that. Failed attempts are retried on a backoff.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Self

QUICK_RETRY_DELAYS = (timedelta(seconds=10), timedelta(seconds=30))
TRIES_PER_ATTEMPT = len(QUICK_RETRY_DELAYS) + 1
# First try to the end of its attempt, whatever the lock does (answers, errors, hangs).
ATTEMPT_LIMIT = timedelta(minutes=2)
# A quick retry is made only if it has at least this long before the attempt's end.
MIN_TRY = timedelta(seconds=5)
# Between failed attempts while the lock stays online: doubling, never above an hour.
FIRST_BACKOFF = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)


def backoff(failed_attempts: int) -> timedelta:
    """Return the wait after ``failed_attempts`` (>= 1) whole attempts failed."""
    wait: timedelta = FIRST_BACKOFF * 2 ** min(failed_attempts - 1, 16)
    return min(wait, MAX_BACKOFF)


@dataclass(slots=True)
class SlotRetry:
    """The writes to one slot since its last success."""

    failed_attempts: int = 0  # whole attempts failed in a row
    tries: int = 0  # failed tries of the attempt under way
    attempt_started: datetime | None = None  # first try of the attempt under way
    not_before: datetime | None = None
    rejections: int = 0  # permanent refusals in a row

    @property
    def deadline(self) -> datetime | None:
        """Return when the attempt under way ends at the latest."""
        if self.attempt_started is None:
            return None
        return self.attempt_started + ATTEMPT_LIMIT

    def try_started(self, now: datetime) -> datetime:
        """Note a try going out (opening an attempt if none runs); return its deadline."""
        if (deadline := self.deadline) is None or now >= deadline:
            self.attempt_started, self.tries = now, 0
            return now + ATTEMPT_LIMIT
        return deadline

    def record_failure(self, now: datetime) -> bool:
        """Count a failed try and plan the next one; return True when the attempt is over.

        A try that failed after its attempt already ran out (see ``expired``) changes
        nothing more: that attempt was counted then.
        """
        if (deadline := self.deadline) is None:
            return True
        self.tries += 1
        if self.tries < TRIES_PER_ATTEMPT:
            retry_at = now + QUICK_RETRY_DELAYS[self.tries - 1]
            if retry_at + MIN_TRY <= deadline:
                self.not_before = retry_at
                return False
        self.end_attempt(now)
        return True

    def expired(self, now: datetime) -> bool:
        """Return True when the attempt under way has run out of time."""
        return (deadline := self.deadline) is not None and now >= deadline

    def end_attempt(self, now: datetime) -> None:
        """The attempt under way failed: wait for the backoff."""
        self.failed_attempts += 1
        self.tries = 0
        self.attempt_started = None
        self.not_before = now + backoff(self.failed_attempts)

    def forget_waits(self) -> None:
        """The lock is back: try at once, with a fresh attempt."""
        self.not_before = None
        self.attempt_started = None
        self.tries = 0

    def to_dict(self) -> dict[str, Any]:
        """Serialise for the store."""
        return {
            "failed_attempts": self.failed_attempts,
            "tries": self.tries,
            "attempt_started": (
                self.attempt_started.isoformat() if self.attempt_started else None
            ),
            "rejections": self.rejections,
            "not_before": self.not_before.isoformat() if self.not_before else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Read back from the store."""
        not_before = data.get("not_before")
        attempt_started = data.get("attempt_started")
        return cls(
            failed_attempts=int(data.get("failed_attempts", 0)),
            tries=int(data.get("tries", 0)),
            attempt_started=(
                datetime.fromisoformat(attempt_started) if attempt_started else None
            ),
            rejections=int(data.get("rejections", 0)),
            not_before=datetime.fromisoformat(not_before) if not_before else None,
        )
