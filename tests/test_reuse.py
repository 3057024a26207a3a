"""A previous guest's code given to the next guest: announced, and refusable by option."""

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.backup_access_codes.const import (
    DOMAIN,
    EVENT_ISSUE_FAILED,
    EVENT_ISSUED,
    EVENT_NOTICE,
)
from custom_components.backup_access_codes.logbook import notice_text
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .conftest import add_entry, advance_to, create_grant, make_entry, set_online


async def test_previous_guests_code_is_announced(
    hass: HomeAssistant, writes: list[Event], freezer: FrozenDateTimeFactory
) -> None:
    """Offline with no fresh code: the next guest gets the last guest's code, and is told so.

    The code still opens the door for the guest who left: the event, the logbook and a
    repair say that it was used before.
    """
    entry = await add_entry(hass, make_entry(pool_size=1, slot_count=4))
    issued = async_capture_events(hass, EVENT_ISSUED)
    notices = async_capture_events(hass, EVENT_NOTICE)
    await set_online(hass, False)
    await create_grant(
        hass, starts_in=timedelta(minutes=10), length=timedelta(hours=5), name="Ann"
    )
    nxt = await create_grant(hass, starts_in=timedelta(minutes=20), name="Bob")
    [first] = issued
    assert first.data["access_method"]["previously_used"] is False
    # Ann checks out; her code waits for rotation on the offline lock: Bob gets it.
    await advance_to(hass, freezer, dt_util.utcnow() + timedelta(hours=5, minutes=10))
    second = issued[-1]
    assert second.data["access_grant_id"] == nxt["access_grant_id"]
    method = second.data["access_method"]
    assert method["code"] == first.data["access_method"]["code"]
    assert method["is_backup_code"] is True
    assert method["previously_used"] is True
    await async_get_translations(hass, "en", "common", [DOMAIN])
    assert [notice_text(hass, n.data) for n in notices] == [
        "issued a backup code to Ann (slot 20)",
        (
            "could not give Bob a working code: the lock is offline and no backup "
            "code is left"
        ),
        (
            "issued a backup code to Bob (slot 20): a previous guest's code, no fresh "
            "one was left"
        ),
    ]
    assert notices[-1].data["previously_used"] is True
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"backup_code_reused_{entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders["grants"] == "Bob"

    # Bob checks out: nobody holds a reused code any more.
    await advance_to(hass, freezer, dt_util.utcnow() + timedelta(days=2))
    assert (
        ir.async_get(hass).async_get_issue(
            DOMAIN, f"backup_code_reused_{entry.entry_id}"
        )
        is None
    )


async def test_reuse_refused_by_option(
    hass: HomeAssistant, writes: list[Event], freezer: FrozenDateTimeFactory
) -> None:
    """With reuse off, the next guest stays without a code until a fresh one exists."""
    entry = await add_entry(
        hass, make_entry(pool_size=1, slot_count=4, reuse_rotating_codes=False)
    )
    issued = async_capture_events(hass, EVENT_ISSUED)
    failed = async_capture_events(hass, EVENT_ISSUE_FAILED)
    await set_online(hass, False)
    await create_grant(
        hass, starts_in=timedelta(minutes=10), length=timedelta(hours=5), name="Ann"
    )
    nxt = await create_grant(hass, starts_in=timedelta(minutes=20), name="Bob")
    await advance_to(hass, freezer, dt_util.utcnow() + timedelta(hours=5, minutes=10))
    assert [e.data["name"] for e in issued] == ["Ann"]  # nothing for Bob
    assert [e.data["name"] for e in failed] == ["Bob"]
    registry = ir.async_get(hass)
    assert (
        registry.async_get_issue(DOMAIN, f"backup_code_reused_{entry.entry_id}") is None
    )
    offline = registry.async_get_issue(DOMAIN, f"no_code_lock_offline_{entry.entry_id}")
    assert offline is not None
    assert offline.translation_placeholders["grants"] == "Bob"

    # Online: the pool code is rotated and Bob's scheduled code is programmed.
    await set_online(hass, True)
    assert issued[-1].data["access_grant_id"] == nxt["access_grant_id"]
    assert issued[-1].data["access_method"]["is_backup_code"] is False
    assert (
        registry.async_get_issue(DOMAIN, f"no_code_lock_offline_{entry.entry_id}")
        is None
    )
