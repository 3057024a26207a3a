"""The actions: bad input answered with translated errors, and admin-only access."""

from datetime import timedelta
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.backup_access_codes.const import DOMAIN
from custom_components.backup_access_codes.store import DATA_STORAGE
from homeassistant.auth.models import User
from homeassistant.core import Context, Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.util import dt as dt_util

from .conftest import LOCK, add_entry, create_grant, make_entry, set_online, set_writes

SOON = timedelta(hours=2)


def grant_data(**changes: Any) -> dict[str, Any]:
    """Valid create_access_grant data, with changes."""
    now = dt_util.utcnow()
    return {
        "lock_entity_id": LOCK,
        "name": "Guest",
        "starts_at": (now + SOON).isoformat(),
        "ends_at": (now + SOON + timedelta(days=1)).isoformat(),
        **changes,
    }


def pool_code(writes: list[Event]) -> str:
    """A code the pool holds on the front door."""
    return set_writes(writes)[20]


BAD_CREATES: list[tuple[str, dict[str, Any], str]] = [
    (
        "ends before starts",
        {
            "ends_at": "2026-12-01T13:00:00+00:00",
            "starts_at": "2026-12-01T14:00:00+00:00",
        },
        "ends_before_starts",
    ),
    (
        "ends at start",
        {
            "ends_at": "2026-12-01T14:00:00+00:00",
            "starts_at": "2026-12-01T14:00:00+00:00",
        },
        "ends_before_starts",
    ),
    (
        "ends in the past",
        {
            "starts_at": "2026-11-28T15:00:00+00:00",
            "ends_at": "2026-11-30T11:00:00+00:00",
        },
        "ends_in_past",
    ),
    ("letters in code", {"code": "12ab56"}, "code_not_digits"),
    ("unicode digits", {"code": "١٢٣٤٥٦"}, "code_not_digits"),
    ("short code", {"code": "4829"}, "code_wrong_length"),
    ("long code", {"code": "48291735"}, "code_wrong_length"),
    ("one digit repeated", {"code": "777777"}, "code_weak"),
    ("straight run up", {"code": "345678"}, "code_weak"),
    ("straight run down", {"code": "987654"}, "code_weak"),
    ("unknown lock", {"lock_entity_id": "lock.nowhere"}, "unknown_lock"),
    (
        "lock not configured",
        {"lock_entity_id": "lock.back_door"},
        "lock_not_configured",
    ),
    (
        "one of two not configured",
        {"lock_entity_id": [LOCK, "lock.back_door"]},
        "lock_not_configured",
    ),
    ("no lock", {"lock_entity_id": []}, "no_lock_given"),
]


# Errors that name a lock call it by its friendly name; the entity id only where the
# caller's id is the problem. (Home Assistant drops a message's final period.)
RENDERED = {
    "short code": "Codes on Front door have 6 digits",
    "unknown lock": "There is no lock lock.nowhere",
    "one of two not configured": (
        "Back door (lock.back_door) is not set up in Backup Access Codes"
    ),
    "no lock": "Choose at least one lock",
}


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [(*c[1:], RENDERED.get(c[0])) for c in BAD_CREATES],
    ids=[c[0] for c in BAD_CREATES],
)
async def test_create_bad_input(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    changes: dict[str, Any],
    key: str,
    message: str | None,
) -> None:
    """Each problem is named by a translated error and nothing is stored."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "create_access_grant",
            grant_data(**changes),
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN
    assert str(err.value) != key  # the message is translated, not just a key
    if message is not None:
        assert str(err.value) == message
    assert hass.data[DATA_STORAGE].state.grants == {}


async def test_create_code_already_held(
    hass: HomeAssistant, entry: MockConfigEntry, writes: list[Event]
) -> None:
    """A code the lock already holds (a pool code) is refused."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "create_access_grant",
            grant_data(code=pool_code(writes)),
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "code_in_use"
    assert str(err.value) == "The code is already in use on Front door"
    assert hass.data[DATA_STORAGE].state.grants == {}


async def test_create_with_host_code(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A good host code is used as the scheduled code."""
    response = await create_grant(hass, starts_in=SOON, code="482917")
    assert response["code"] == "482917"


async def test_code_length_mismatch(hass: HomeAssistant, writes: list[Event]) -> None:
    """Locks with different code lengths need a code given... of the right length."""
    await add_entry(hass, make_entry())
    await add_entry(hass, make_entry("lock.back_door", code_length=4))
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "create_access_grant",
            grant_data(lock_entity_id=[LOCK, "lock.back_door"]),
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "code_length_mismatch"


@pytest.mark.parametrize(
    "service", ["update_access_grant", "delete_access_grant", "issue_backup_code"]
)
async def test_unknown_grant(
    hass: HomeAssistant, entry: MockConfigEntry, service: str
) -> None:
    """An unknown grant id is named."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            service,
            {"access_grant_id": "nope"},
            blocking=True,
            return_response=service == "issue_backup_code",
        )
    assert err.value.translation_key == "unknown_access_grant"


async def test_update_bad_times_keeps_grant(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A bad update changes nothing."""
    response = await create_grant(hass, starts_in=SOON)
    grant = hass.data[DATA_STORAGE].state.grants[response["access_grant_id"]]
    before = grant.to_dict()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "update_access_grant",
            {
                "access_grant_id": grant.grant_id,
                "name": "X",
                "ends_at": (dt_util.utcnow() + timedelta(minutes=1)).isoformat(),
            },
            blocking=True,
        )
    assert err.value.translation_key == "ends_before_starts"
    assert grant.to_dict() == before


@pytest.mark.parametrize("service", ["list_access_grants", "rotate_backup_codes"])
async def test_lock_services_unknown_lock(
    hass: HomeAssistant, entry: MockConfigEntry, service: str
) -> None:
    """A lock that is not set up is named."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            service,
            {"lock_entity_id": "lock.back_door"},
            blocking=True,
            return_response=service == "list_access_grants",
        )
    assert err.value.translation_key == "lock_not_configured"


async def test_naive_times_are_local(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A time without a zone is read in Home Assistant's time zone."""
    await hass.config.async_set_time_zone("America/New_York")
    response = await hass.services.async_call(
        DOMAIN,
        "create_access_grant",
        {
            "lock_entity_id": LOCK,
            "name": "Guest",
            "starts_at": "2026-12-05 15:00:00",
            "ends_at": "2026-12-08 11:00:00",
        },
        blocking=True,
        return_response=True,
    )
    grant = hass.data[DATA_STORAGE].state.grants[response["access_grant_id"]]
    assert grant.starts_at.isoformat() == "2026-12-05T20:00:00+00:00"


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("create_access_grant", None),
        ("list_access_grants", {}),
        ("rotate_backup_codes", {"lock_entity_id": LOCK}),
        ("delete_access_grant", {"access_grant_id": "x"}),
    ],
)
async def test_non_admin_refused(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_read_only_user: User,
    hass_admin_user: User,
    service: str,
    data: dict[str, Any] | None,
) -> None:
    """A non-admin user cannot create or see codes; an admin and automations can."""
    data = data if data is not None else grant_data()
    response = service in ("create_access_grant", "list_access_grants")
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            service,
            data,
            blocking=True,
            return_response=response,
            context=Context(user_id=hass_read_only_user.id),
        )
    if service == "delete_access_grant":
        return
    await hass.services.async_call(
        DOMAIN,
        service,
        data,
        blocking=True,
        return_response=response,
        context=Context(user_id=hass_admin_user.id),
    )
    await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )


async def test_idempotency_key(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """A retried automation gets the first grant back; a reused key is refused."""
    data = grant_data(idempotency_key="booking-42")
    first = await hass.services.async_call(
        DOMAIN, "create_access_grant", data, blocking=True, return_response=True
    )
    again = await hass.services.async_call(
        DOMAIN, "create_access_grant", data, blocking=True, return_response=True
    )
    assert again == first
    # Answered as the first time, with the code the guest was told per lock.
    assert [lock["lock_entity_id"] for lock in again["locks"]] == [LOCK]
    assert len(hass.data[DATA_STORAGE].state.grants) == 1
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "create_access_grant",
            {**data, "name": "Someone else"},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "idempotency_key_reused"
    assert len(hass.data[DATA_STORAGE].state.grants) == 1


async def test_issue_backup_code_all_or_nothing(
    hass: HomeAssistant, writes: list[Event]
) -> None:
    """A grant on two locks, one without a free code: nobody is told anything."""
    await add_entry(hass, make_entry())
    await add_entry(hass, make_entry("lock.back_door", pool_size=1, slot_count=3))
    await hass.services.async_call(
        "input_boolean",
        "turn_off",
        {"entity_id": "input_boolean.back_door_online"},
        blocking=True,
    )
    await create_grant(hass, starts_in=timedelta(minutes=5), lock="lock.back_door")
    both = await create_grant(
        hass, starts_in=timedelta(days=3), lock=[LOCK, "lock.back_door"]
    )
    issued = async_capture_events(hass, "backup_access_codes_issued")
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "issue_backup_code",
            {"access_grant_id": both["access_grant_id"]},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "no_backup_code_available"
    assert str(err.value) == "No backup code is available on Back door"
    assert issued == []


async def test_create_response_names_the_code_each_guest_was_told(
    hass: HomeAssistant, writes: list[Event]
) -> None:
    """Offline lock: the response's per-lock code is the backup, not the scheduled one."""
    await add_entry(hass, make_entry())
    await add_entry(hass, make_entry("lock.back_door"))
    await set_online(hass, False, "back_door")
    issued = async_capture_events(hass, "backup_access_codes_issued")
    response = await create_grant(
        hass, starts_in=timedelta(minutes=10), lock=[LOCK, "lock.back_door"]
    )
    front, back = response["locks"]
    # The front door is online: its guest was told the scheduled code, programmed at
    # once (check-in is within the programming lead).
    assert front == {
        "lock_entity_id": LOCK,
        "code": response["code"],
        "is_backup_code": False,
        "slot": 25,
        "status": "programmed",
        "first_used_at": None,
    }
    # The back door is offline: a backup code from its pool, which is what works there.
    assert back["lock_entity_id"] == "lock.back_door"
    assert back["is_backup_code"] is True
    assert back["status"] == "backup_issued"
    assert back["code"] != response["code"]
    assert back["slot"] in range(20, 25)
    assert {
        e.data["lock_entity_id"]: e.data["access_method"]["code"] for e in issued
    } == {
        LOCK: response["code"],
        "lock.back_door": back["code"],
    }
    # The same objects list_access_grants gives.
    listed = await hass.services.async_call(
        DOMAIN, "list_access_grants", {}, blocking=True, return_response=True
    )
    assert listed["access_grants"][0]["locks"] == [front, back]


async def test_create_response_before_the_issue_point(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Days ahead nobody was told a code yet: the per-lock code is null."""
    response = await create_grant(hass, starts_in=timedelta(days=5))
    assert response["locks"] == [
        {
            "lock_entity_id": LOCK,
            "code": None,
            "is_backup_code": False,
            "slot": None,
            "status": "scheduled",
            "first_used_at": None,
        }
    ]
