"""What the grants calendar says about a grant, and the day times of all-day stays."""

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.backup_access_codes.grant_events import GrantFacts, describe
from custom_components.backup_access_codes.grants import GrantStatus
from custom_components.backup_access_codes.reservations import (
    calendar_lock_id,
    calendar_prefix,
    day_times,
)

ZONE = ZoneInfo("Europe/Amsterdam")
ISSUE = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)


BASE = GrantFacts(
    grant_id="abc123",
    status=GrantStatus.SCHEDULED,
    slot=21,
    issue_at=ISSUE,
    program_at=ISSUE + timedelta(hours=35),
    told_at=ISSUE,
    first_used_at=None,
    managed_by=None,
)


def facts(status: GrantStatus, **changes: Any) -> GrantFacts:
    """A grant's facts, told at its issue point unless changed."""
    return replace(BASE, status=status, **changes)


@pytest.mark.parametrize(
    ("status", "first_line"),
    [
        (
            GrantStatus.SCHEDULED,
            "Scheduled: the guest is told a code at 2026-12-04 04:00.",
        ),
        (
            GrantStatus.ISSUED,
            "Scheduled code issued, not on the lock yet (programmed from 2026-12-05 15:00).",
        ),
        (GrantStatus.PROGRAMMED, "Scheduled code issued and on the lock (slot 21)."),
        (GrantStatus.BACKUP_ISSUED, "Backup code issued (slot 21)."),
        (
            GrantStatus.ISSUE_FAILED,
            "No code could be given yet: no backup code was left (see Repairs).",
        ),
    ],
)
def test_every_status_reads_as_a_sentence(status: GrantStatus, first_line: str) -> None:
    """Each status has its own first line, in Home Assistant's time zone."""
    told = (
        None if status in (GrantStatus.SCHEDULED, GrantStatus.ISSUE_FAILED) else ISSUE
    )
    lines = describe(facts(status, told_at=told), ZONE).splitlines()
    assert lines[0] == first_line
    assert lines[-1] == "Access grant ID: abc123"
    assert ("Told at 2026-12-04 04:00." in lines) is (told is not None)


def test_first_use_slot_and_calendar() -> None:
    """First use when reported, no slot before programming, and the managing calendar."""
    text = describe(
        facts(
            GrantStatus.PROGRAMMED,
            slot=None,
            first_used_at=datetime(2026, 12, 5, 14, 2, tzinfo=UTC),
            managed_by="Rentals",
        ),
        ZONE,
    )
    assert text.splitlines() == [
        "Scheduled code issued and on the lock.",
        "Told at 2026-12-04 04:00.",
        "First used at 2026-12-05 15:02.",
        "From the reservation calendar Rentals: change or cancel the booking there.",
        "Access grant ID: abc123",
    ]


def test_day_times() -> None:
    """Options as the flow stores them; defaults when missing or unreadable."""
    assert day_times({"check_in_time": "16:30:00", "check_out_time": "10:00"}) == (
        time(16, 30),
        time(10),
    )
    assert day_times({}) == (time(15), time(11))
    assert day_times({"check_in_time": "tea time"}) == (time(15), time(11))


def test_calendar_lock_id() -> None:
    """Only reservation-calendar keys name a lock; uids may hold colons."""
    assert calendar_lock_id(f"{calendar_prefix('01LOCK')}uid:with:colons:") == "01LOCK"
    assert calendar_lock_id("idempotency:booking-42") is None
    assert calendar_lock_id(None) is None
