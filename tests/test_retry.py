"""Quick retries and backoff of one slot (pure Python): an attempt ends within two minutes."""

from datetime import datetime, timedelta

from hypothesis import given, strategies as st

from custom_components.backup_access_codes.retry import (
    ATTEMPT_LIMIT,
    MAX_BACKOFF,
    TRIES_PER_ATTEMPT,
    SlotRetry,
    backoff,
)

T0 = datetime(2026, 12, 1, 12, 0).astimezone()


def run_attempt(retry: SlotRetry, durations: list[float]) -> tuple[int, timedelta]:
    """Make tries as the write loop does; return the tries made and when it was over.

    Each try waits for the lock as long as ``durations`` says, but never past the end of
    its attempt (the write loop gives the lock only what is left).
    """
    now = T0
    for tries, wanted in enumerate(durations, start=1):
        deadline = retry.try_started(now)
        now += min(timedelta(seconds=wanted), deadline - now)
        if retry.record_failure(now):
            return tries, now - T0
        assert retry.not_before is not None
        now = retry.not_before
    raise AssertionError("the attempt never ended")


def test_quick_failures_get_three_tries() -> None:
    """A lock that answers with an error at once: tries at 0, 10 and 40 s."""
    retry = SlotRetry()
    assert run_attempt(retry, [0.0] * 5) == (3, timedelta(seconds=40))
    assert retry.failed_attempts == 1
    assert retry.not_before == T0 + timedelta(seconds=40) + backoff(1)


def test_hanging_lock_is_cut_off_at_two_minutes() -> None:
    """60 s without an answer, 10 s pause, then the rest of the two minutes."""
    assert run_attempt(SlotRetry(), [60.0] * 5) == (2, ATTEMPT_LIMIT)


def test_expiry_ends_the_attempt_once() -> None:
    """An attempt that ran out while its try still waits is counted once."""
    retry = SlotRetry()
    retry.try_started(T0)
    assert not retry.expired(T0 + ATTEMPT_LIMIT - timedelta(seconds=1))
    assert retry.expired(T0 + ATTEMPT_LIMIT)
    retry.end_attempt(T0 + ATTEMPT_LIMIT)
    assert retry.record_failure(T0 + ATTEMPT_LIMIT)  # the try's own timeout, later
    assert retry.failed_attempts == 1
    assert retry.deadline is None


@given(st.lists(st.floats(min_value=0, max_value=90), min_size=3, max_size=3))
def test_every_attempt_ends_within_the_limit(durations: list[float]) -> None:
    """Whatever the lock does, an attempt is 1 to 3 tries and over within two minutes."""
    tries, over_after = run_attempt(SlotRetry(), durations)
    assert 1 <= tries <= TRIES_PER_ATTEMPT
    assert over_after <= ATTEMPT_LIMIT


def test_backoff_doubles_up_to_an_hour() -> None:
    """5, 10, 20, 40 minutes, then never more than an hour."""
    assert [backoff(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=m) for m in (5, 10, 20, 40)
    ]
    assert backoff(5) == backoff(500) == MAX_BACKOFF


def test_lock_back_starts_a_fresh_attempt() -> None:
    """A lock that comes back is tried at once, with a whole attempt of time."""
    retry = SlotRetry()
    retry.try_started(T0)
    retry.record_failure(T0 + timedelta(seconds=60))
    retry.forget_waits()
    assert retry.not_before is None
    later = T0 + timedelta(hours=3)
    assert retry.try_started(later) == later + ATTEMPT_LIMIT
