"""Diagnostics: nothing personal and no code, what helps debugging kept (snapshot)."""

from datetime import timedelta
import json
from typing import Any

from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.backup_access_codes.const import DOMAIN
from custom_components.backup_access_codes.diagnostics import short_hash
from custom_components.backup_access_codes.store import STORAGE_KEY
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component

from .conftest import START, make_entry

POOL = ["482917", "539164", "601835", "718293", "850274"]
CALENDAR_UID = "b7f3a2e0-4c1d-11f1@airbnb.com"
PERSONAL = (
    "Jane Doe",
    "HMABC123",
    "John Roe",
    CALENDAR_UID,
    "airbnb",
    "booking-4711",
    "g-jane",
    "g-john",
    "Zoe Past",
    "zoe-uid",
    "vrbo",
    "g-zoe",
)


def stored() -> dict[str, Any]:
    """A lock whose pool is on it, one guest on a backup code, one booked by key."""
    pool = [
        {"slot": 20 + i, "code": code, "status": "programmed", "grant_id": None}
        for i, code in enumerate(POOL)
    ]
    pool[0].update(status="issued", grant_id="g-jane")
    jane = {
        "grant_id": "g-jane",
        "name": "Jane Doe (HMABC123)",
        "code": "274815",
        "starts_at": (START - timedelta(hours=2)).isoformat(),
        "ends_at": (START + timedelta(days=2)).isoformat(),
        "key": f"calendar:entry-1:{CALENDAR_UID}:",
        "locks": {
            "entry-1": {
                "backup_slot": 20,
                "program_failed": True,
                "told": {
                    "code": POOL[0],
                    "is_backup": True,
                    "slot": 20,
                    "issued_at": (START - timedelta(days=1)).isoformat(),
                    "previously_used": False,
                },
            }
        },
    }
    john = {
        "grant_id": "g-john",
        "name": "John Roe",
        "code": "936152",
        "starts_at": (START + timedelta(days=5)).isoformat(),
        "ends_at": (START + timedelta(days=7)).isoformat(),
        "key": "idempotency:booking-4711",
        "locks": {"entry-1": {}},
    }
    return {
        "version": 1,
        "minor_version": 4,
        "key": STORAGE_KEY,
        "data": {
            "locks": {
                "entry-1": {
                    "pool": pool,
                    "on_lock": {str(20 + i): c for i, c in enumerate(POOL)},
                    "retries": {},
                    "retired": ["385920"],
                    "unverified": [],
                    "past": [
                        {
                            "grant_id": "g-zoe",
                            "name": "Zoe Past",
                            "starts_at": (START - timedelta(days=4)).isoformat(),
                            "ends_at": (START - timedelta(days=2)).isoformat(),
                            "key": "calendar:entry-1:zoe-uid@vrbo.com:",
                            "is_backup_code": False,
                            "slot": 25,
                            "told_at": (START - timedelta(days=5)).isoformat(),
                            "first_used_at": None,
                        }
                    ],
                }
            },
            "grants": {"g-jane": jane, "g-john": john},
        },
    }


async def diagnostics_of(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> dict[str, Any]:
    """Start the lock from the stored state and download its diagnostics."""
    hass_storage[STORAGE_KEY] = stored()
    entry = make_entry(entry_id="entry-1")
    entry.add_to_hass(hass)
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    assert await async_setup_component(hass, "diagnostics", {})
    return await get_diagnostics_for_config_entry(hass, hass_client, entry)


async def test_diagnostics_snapshot(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_storage: dict[str, Any],
    writes: list[Event],
    snapshot: SnapshotAssertion,
) -> None:
    """What a host attaches to a bug report: counts, statuses, slots, times, hashes."""
    assert await diagnostics_of(hass, hass_client, hass_storage) == snapshot


async def test_nothing_personal_and_no_code(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_storage: dict[str, Any],
    writes: list[Event],
) -> None:
    """No name, calendar uid, booking key, grant id or code anywhere in the JSON."""
    diagnostics = await diagnostics_of(hass, hass_client, hass_storage)
    text = json.dumps(diagnostics)
    for secret in (*PERSONAL, *POOL, "274815", "936152", "385920"):
        assert secret not in text, secret
    # The same grant is recognisable across the file, and a grant's origin is kept.
    jane = short_hash("g-jane")
    [pool_holder] = [p for p in diagnostics["lock_state"]["pool"] if p["grant_id"]]
    assert pool_holder["grant_id"] == jane
    by_id = {g["grant_id"]: g for g in diagnostics["access_grants"]}
    assert by_id[jane]["made_by"] == "calendar"
    assert by_id[jane]["status"] == "backup_issued"
    assert by_id[short_hash("g-john")]["made_by"] == "idempotency"
