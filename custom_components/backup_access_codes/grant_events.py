"""What a host reads about an access grant in a lock's calendar (pure Python).

The text is an event's description, which Home Assistant puts into the calendar entity's
state and shows in the Calendar panel, the calendar card and the mobile app. It never holds a
code: not even with ``show_codes`` on, since entity state is seen by every user.
"""

from dataclasses import dataclass
from datetime import datetime, tzinfo

from .grants import GrantStatus

TIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True, slots=True)
class GrantFacts:
    """Everything the description says about one grant on one lock."""

    grant_id: str
    status: GrantStatus
    slot: int | None  # where the code the guest holds sits (None before programming)
    issue_at: datetime
    program_at: datetime
    told_at: datetime | None
    first_used_at: datetime | None
    managed_by: str | None  # the reservation calendar that made the grant


def _at(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime(TIME_FORMAT)


def _in_slot(slot: int | None) -> str:
    return f" (slot {slot})" if slot is not None else ""


def describe(facts: GrantFacts, zone: tzinfo) -> str:
    """Return the event description: status, code kind, slot, when told, first use."""
    match facts.status:
        case GrantStatus.SCHEDULED:
            status = (
                f"Scheduled: the guest is told a code at {_at(facts.issue_at, zone)}."
            )
        case GrantStatus.ISSUED:
            status = (
                "Scheduled code issued, not on the lock yet "
                f"(programmed from {_at(facts.program_at, zone)})."
            )
        case GrantStatus.PROGRAMMED:
            status = f"Scheduled code issued and on the lock{_in_slot(facts.slot)}."
        case GrantStatus.BACKUP_ISSUED:
            status = f"Backup code issued{_in_slot(facts.slot)}."
        case GrantStatus.ISSUE_FAILED:
            status = (
                "No code could be given yet: no backup code was left (see Repairs)."
            )
    lines = [status]
    if facts.told_at is not None:
        lines.append(f"Told at {_at(facts.told_at, zone)}.")
        lines.append(
            f"First used at {_at(facts.first_used_at, zone)}."
            if facts.first_used_at is not None
            else "No use reported yet."
        )
    if facts.managed_by is not None:
        lines.append(
            f"From the reservation calendar {facts.managed_by}: "
            "change or cancel the booking there."
        )
    lines.append(f"Access grant ID: {facts.grant_id}")
    return "\n".join(lines)
