"""Guests without a working code: status, one issue_failed per episode, repairs with causes."""

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.backup_access_codes.const import (
    DOMAIN,
    EVENT_ISSUE_FAILED,
    EVENT_ISSUED,
    EVENT_REISSUED,
)
from custom_components.backup_access_codes.notices import NO_CODE_REPAIRS
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .conftest import (
    add_entry,
    advance,
    advance_to,
    create_grant,
    make_entry,
    set_online,
    set_writes,
    set_writes_fail,
)


async def status_of(hass: HomeAssistant, grant_id: str) -> dict[str, Any]:
    """The grant's only lock, as list_access_grants describes it."""
    response = await hass.services.async_call(
        DOMAIN, "list_access_grants", {}, blocking=True, return_response=True
    )
    [grant] = [g for g in response["access_grants"] if g["access_grant_id"] == grant_id]
    [lock] = grant["locks"]
    return lock


def repair(
    hass: HomeAssistant, key: str, entry: MockConfigEntry
) -> ir.IssueEntry | None:
    """The lock's repair issue ``key``, if raised."""
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{key}_{entry.entry_id}")


def no_code_repairs(hass: HomeAssistant) -> list[ir.IssueEntry]:
    """Every raised repair about guests without a working code."""
    return [
        issue
        for (domain, _), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN and issue.translation_key in NO_CODE_REPAIRS.values()
    ]


async def test_a_guest_failing_again_is_announced_again(
    hass: HomeAssistant, writes: list[Event], freezer: FrozenDateTimeFactory
) -> None:
    """Told a code, served, then left without one again: a second episode, told again.

    Before, issue_failed fired once per grant: the second time the guest was left without
    a working code, nobody heard of it and the status still said "issued".
    """
    entry = await add_entry(hass, make_entry(pool_size=1, slot_count=4))
    failed = async_capture_events(hass, EVENT_ISSUE_FAILED)
    issued = async_capture_events(hass, EVENT_ISSUED)
    await set_online(hass, False)
    # The only backup code goes to a guest staying three days.
    await create_grant(hass, starts_in=timedelta(minutes=10), length=timedelta(days=3))
    # Another guest's issue point has passed: nothing can be given while offline.
    guest = await create_grant(hass, starts_in=timedelta(hours=30), name="Ann Lee")
    grant_id = guest["access_grant_id"]
    assert [e.data["access_grant_id"] for e in failed] == [grant_id]
    assert failed[0].data["reason"] == "no_backup_code_available"
    assert failed[0].data["cause"] == "lock_offline"
    assert (await status_of(hass, grant_id))["status"] == "issue_failed"
    offline = repair(hass, "no_code_lock_offline", entry)
    assert offline is not None
    assert offline.translation_placeholders["grants"] == "Ann Lee"

    # Back online: told the scheduled code (programmed in its window): served.
    await set_online(hass, True)
    assert issued[-1].data["access_grant_id"] == grant_id
    assert (await status_of(hass, grant_id))["status"] == "issued"
    assert repair(hass, "no_code_lock_offline", entry) is None

    # Offline again at the program point: the code she was told will not be on the lock.
    await set_online(hass, False)
    program_at = dt_util.utcnow() + timedelta(hours=29)
    await advance_to(hass, freezer, program_at)
    assert [e.data["access_grant_id"] for e in failed] == [grant_id, grant_id]
    lock = await status_of(hass, grant_id)
    assert lock["status"] == "issue_failed"
    assert lock["code"] == guest["code"]  # what she was told, which does not work now
    offline = repair(hass, "no_code_lock_offline", entry)
    assert offline is not None
    assert offline.translation_placeholders["grants"] == "Ann Lee"

    # Still the same episode an hour later: no second event.
    await advance(hass, freezer, timedelta(hours=1))
    assert len(failed) == 2

    # Online: her code is programmed, she is served, the repair goes.
    await set_online(hass, True)
    assert guest["code"] in set_writes(writes).values()
    assert (await status_of(hass, grant_id))["status"] == "programmed"
    assert no_code_repairs(hass) == []
    assert len(failed) == 2


async def test_every_guest_slot_taken(hass: HomeAssistant, writes: list[Event]) -> None:
    """Overlapping stays beyond the guest slots: the repair says so and what fits."""
    entry = await add_entry(hass, make_entry(pool_size=1, slot_count=2))
    failed = async_capture_events(hass, EVENT_ISSUE_FAILED)
    reissued = async_capture_events(hass, EVENT_REISSUED)
    await create_grant(hass, starts_in=timedelta(minutes=10), name="First")
    # No guest slot for the second: the backup code, at once.
    second = await create_grant(hass, starts_in=timedelta(minutes=10), name="Second")
    assert (await status_of(hass, second["access_grant_id"]))["is_backup_code"] is True
    assert reissued == []  # a backup issued straight away, not a replacement
    third = await create_grant(hass, starts_in=timedelta(minutes=10), name="Third")
    assert [e.data["cause"] for e in failed] == ["slots_full"]
    assert failed[0].data["access_grant_id"] == third["access_grant_id"]
    full = repair(hass, "no_code_slots_full", entry)
    assert full is not None
    assert full.translation_placeholders["grants"] == "Third"
    assert full.translation_placeholders["guest_slots"] == "1"
    assert full.translation_placeholders["lock"] == "Front door"
    assert [i.translation_key for i in no_code_repairs(hass)] == ["no_code_slots_full"]

    # The first guest leaves early: the third gets the freed slot and is served.
    await hass.services.async_call(
        DOMAIN,
        "delete_access_grant",
        {"access_grant_id": (await first_grant(hass))},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert (await status_of(hass, third["access_grant_id"]))["status"] == "programmed"
    assert no_code_repairs(hass) == []


async def first_grant(hass: HomeAssistant) -> str:
    """The id of the grant named First."""
    response = await hass.services.async_call(
        DOMAIN, "list_access_grants", {}, blocking=True, return_response=True
    )
    return next(
        g["access_grant_id"] for g in response["access_grants"] if g["name"] == "First"
    )


async def test_programming_failed_and_no_backup_left(
    hass: HomeAssistant, writes: list[Event], freezer: FrozenDateTimeFactory
) -> None:
    """An online lock failing the attempt, the pool in use: the repair says so."""
    entry = await add_entry(hass, make_entry(pool_size=1, slot_count=4))
    failed = async_capture_events(hass, EVENT_ISSUE_FAILED)
    await set_online(hass, False)
    await create_grant(hass, starts_in=timedelta(minutes=10), name="Holder")
    await set_online(hass, True)
    await set_writes_fail(hass, True)
    guest = await create_grant(hass, starts_in=timedelta(minutes=10), name="Bo")
    assert (await status_of(hass, guest["access_grant_id"]))["status"] == "issued"
    assert failed == []  # quick retries first
    await advance(hass, freezer, timedelta(seconds=10))
    await advance(hass, freezer, timedelta(seconds=30))
    assert [e.data["cause"] for e in failed] == ["no_backup_code"]
    assert (await status_of(hass, guest["access_grant_id"]))["status"] == "issue_failed"
    none_left = repair(hass, "no_backup_code", entry)
    assert none_left is not None
    assert none_left.translation_placeholders == {
        "lock": "Front door",
        "grants": "Bo",
        "guest_slots": "3",
        "pool_size": "1",
        "in_use": "1",
    }

    # The lock takes codes again: the backoff try programs it; the repair goes.
    await set_writes_fail(hass, False)
    await advance(hass, freezer, timedelta(minutes=5))
    assert (await status_of(hass, guest["access_grant_id"]))["status"] == "programmed"
    assert no_code_repairs(hass) == []
    assert len(failed) == 1


async def test_two_causes_two_repairs(hass: HomeAssistant, writes: list[Event]) -> None:
    """Guests left out for different reasons are named in the repair of each reason."""
    entry = await add_entry(hass, make_entry(pool_size=1, slot_count=2))
    await create_grant(hass, starts_in=timedelta(minutes=10), name="First")
    await create_grant(hass, starts_in=timedelta(minutes=10), name="Backup holder")
    await create_grant(hass, starts_in=timedelta(minutes=10), name="No slot")
    await set_online(hass, False)
    await create_grant(hass, starts_in=timedelta(hours=20), name="Offline")
    full = repair(hass, "no_code_slots_full", entry)
    offline = repair(hass, "no_code_lock_offline", entry)
    assert full is not None and offline is not None
    assert full.translation_placeholders["grants"] == "No slot"
    assert offline.translation_placeholders["grants"] == "Offline"


async def test_repair_names_follow_the_guests(
    hass: HomeAssistant, writes: list[Event]
) -> None:
    """A raised repair names each guest as they come and go, then clears."""
    entry = await add_entry(hass, make_entry(pool_size=1, slot_count=4))
    await set_online(hass, False)
    await create_grant(hass, starts_in=timedelta(minutes=10), name="Holder")
    ann = await create_grant(hass, starts_in=timedelta(hours=20), name="Ann")
    offline = repair(hass, "no_code_lock_offline", entry)
    assert offline is not None
    assert offline.translation_placeholders["grants"] == "Ann"
    await create_grant(hass, starts_in=timedelta(hours=30), name="Bo")
    offline = repair(hass, "no_code_lock_offline", entry)
    assert offline is not None
    assert offline.translation_placeholders["grants"] == "Ann, Bo"

    await hass.services.async_call(
        DOMAIN,
        "delete_access_grant",
        {"access_grant_id": ann["access_grant_id"]},
        blocking=True,
    )
    offline = repair(hass, "no_code_lock_offline", entry)
    assert offline is not None
    assert offline.translation_placeholders["grants"] == "Bo"

    await set_online(hass, True)  # Bo is told the scheduled code: served
    assert no_code_repairs(hass) == []
