"""A stay as the Calendar panel's event dialogs show it: check-in, check-out, moved by days.

Pure helpers of screens/calendar.py (no Playwright), tested in tests/test_e2e_support.py.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta


def shift(moment: datetime, days: int) -> datetime:
    """The same wall-clock time, `days` later: what choosing another day in the dialog does."""
    return datetime.combine(moment.date() + timedelta(days=days), moment.timetz())


def day_label(day: date) -> str:
    """The name of a day's button in the frontend's date picker (English: "December 2")."""
    return f"{day:%B} {day.day}"


@dataclass(frozen=True)
class Stay:
    """Check-in and check-out, aware datetimes as the dialog's fields read."""

    starts_at: datetime
    ends_at: datetime

    def later(self, days: int) -> Stay:
        """The same stay, both dates `days` later at the same wall-clock times."""
        return Stay(shift(self.starts_at, days), shift(self.ends_at, days))

    def checking_out_later(self, days: int) -> Stay:
        """The same check-in, check-out `days` later at the same wall-clock time."""
        return Stay(self.starts_at, shift(self.ends_at, days))

    def __str__(self) -> str:
        """Both ends to the minute, with the zone."""
        return (
            f"{self.starts_at:%Y-%m-%d %H:%M} to {self.ends_at:%Y-%m-%d %H:%M}"
            f" ({self.starts_at.tzname()})"
        )
