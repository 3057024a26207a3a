"""Fixtures: real Home Assistant with a template lock and real scripts as its provider."""

from collections.abc import Generator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

# Import our package before Home Assistant's loader looks for it (see HA-NOTES.md).
import custom_components.backup_access_codes  # noqa: F401
from custom_components.backup_access_codes.const import (
    CONF_CLEAR_CODE_SCRIPT,
    CONF_LOCK_ENTITY_ID,
    CONF_PROVIDER,
    CONF_SET_CODE_SCRIPT,
    DEFAULT_OPTIONS,
    DOMAIN,
    PROVIDER_SCRIPT,
)
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

LOCK = "lock.front_door"
CALENDAR = "calendar.rentals"  # a reservation calendar (the rentals fixture)
WRITE_EVENT = "test_lock_write"
START = datetime(2026, 12, 1, 12, 0, tzinfo=dt_util.UTC)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/."""


@pytest.fixture(autouse=True)
def start_time(freezer: FrozenDateTimeFactory) -> None:
    """Every test starts at the same moment."""
    freezer.move_to(START)


def lock_yaml(key: str, name: str) -> dict[str, Any]:
    """A template lock whose availability follows input_boolean.<key>_online."""
    return {
        "name": name,
        "unique_id": f"{key}_lock",
        "default_entity_id": f"lock.{key}",
        "availability": f"{{{{ is_state('input_boolean.{key}_online', 'on') }}}}",
        "state": "locked",
        "lock": [],
        "unlock": [],
    }


SET_SCRIPT = {
    "mode": "queued",
    "fields": {"lock_entity_id": {}, "slot": {}, "code": {}},
    "sequence": [
        {
            # A lock integration's own action refusing the code raises, quoting it.
            "if": [
                {
                    "condition": "state",
                    "entity_id": "input_boolean.writes_raise",
                    "state": "on",
                }
            ],
            "then": [
                {
                    "action": "input_number.set_value",
                    "target": {"entity_id": "input_number.tiny"},
                    "data": {"value": "{{ code }}"},
                }
            ],
        },
        {
            "if": [
                {
                    "condition": "state",
                    "entity_id": "input_boolean.writes_fail",
                    "state": "on",
                }
            ],
            "then": [
                {"variables": {"result": {"success": False}}},
                {"stop": "lock refused", "response_variable": "result"},
            ],
        },
        {
            "event": WRITE_EVENT,
            "event_data": {
                "lock_entity_id": "{{ lock_entity_id }}",
                "slot": "{{ slot }}",
                "code": "{{ code | string }}",
                "action": "set",
            },
        },
    ],
}
# The set script for locks that keep a code's window themselves: also takes the window.
WINDOW_SCRIPT = {
    **SET_SCRIPT,
    "fields": {**SET_SCRIPT["fields"], "starts_at": {}, "ends_at": {}},
    "sequence": [
        *SET_SCRIPT["sequence"][:-1],
        {
            "event": WRITE_EVENT,
            "event_data": {
                **SET_SCRIPT["sequence"][-1]["event_data"],
                "starts_at": "{{ starts_at }}",
                "ends_at": "{{ ends_at }}",
            },
        },
    ],
}
CLEAR_SCRIPT = {
    "mode": "queued",
    "fields": {"lock_entity_id": {}, "slot": {}},
    "sequence": [
        {
            "if": [
                {
                    "condition": "state",
                    "entity_id": "input_boolean.writes_fail",
                    "state": "on",
                }
            ],
            "then": [
                {"variables": {"result": {"success": False}}},
                {"stop": "lock refused", "response_variable": "result"},
            ],
        },
        {
            "event": WRITE_EVENT,
            "event_data": {
                "lock_entity_id": "{{ lock_entity_id }}",
                "slot": "{{ slot }}",
                "action": "clear",
            },
        },
    ],
}


@pytest.fixture
async def locks(hass: HomeAssistant) -> None:
    """Two template locks, an online switch for each, and the provider scripts."""
    assert await async_setup_component(
        hass,
        "input_boolean",
        {
            "input_boolean": {
                "front_door_online": {"initial": True},
                "back_door_online": {"initial": True},
                "writes_fail": {"initial": False},
                "writes_raise": {"initial": False},
            }
        },
    )
    assert await async_setup_component(
        hass,
        "input_number",
        {"input_number": {"tiny": {"min": 0, "max": 9, "step": 1}}},
    )
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "lock": [
                        lock_yaml("front_door", "Front door"),
                        lock_yaml("back_door", "Back door"),
                    ]
                }
            ]
        },
    )
    assert await async_setup_component(
        hass,
        "script",
        {
            "script": {
                "set_code": SET_SCRIPT,
                "clear_code": CLEAR_SCRIPT,
                "set_code_with_window": WINDOW_SCRIPT,
                # Home Assistant's default `single` mode, taking a second per run.
                "slow_single": {
                    **SET_SCRIPT,
                    "mode": "single",
                    "sequence": [{"delay": 1}, SET_SCRIPT["sequence"][-1]],
                },
            }
        },
    )
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "locked"


@pytest.fixture
async def rentals(hass: HomeAssistant, tmp_path: Path, locks: None) -> None:
    """A real Local Calendar named Rentals, stored in a temporary folder."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    hass.config.config_dir = str(tmp_path)
    (tmp_path / ".storage").mkdir()
    calendar_entry = MockConfigEntry(
        domain="local_calendar", data={"calendar_name": "Rentals"}
    )
    calendar_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(calendar_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(CALENDAR) is not None


async def add_event(hass: HomeAssistant, summary: str, **times: str) -> None:
    """Create an event through the calendar action."""
    await hass.services.async_call(
        "calendar",
        "create_event",
        {"summary": summary, **times},
        target={"entity_id": CALENDAR},
        blocking=True,
    )


@pytest.fixture
def writes(hass: HomeAssistant, locks: None) -> list[Event]:
    """Every write the scripts made, in order."""
    return async_capture_events(hass, WRITE_EVENT)


def make_entry(
    lock: str = LOCK,
    entry_id: str | None = None,
    set_script: str = "script.set_code",
    **options: Any,
) -> MockConfigEntry:
    """A config entry for a lock on the script provider."""
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id=entry_id,
        title=lock,
        unique_id=f"uid-{lock}",
        data={
            CONF_LOCK_ENTITY_ID: lock,
            CONF_PROVIDER: PROVIDER_SCRIPT,
            CONF_SET_CODE_SCRIPT: set_script,
            CONF_CLEAR_CODE_SCRIPT: "script.clear_code",
        },
        options={**DEFAULT_OPTIONS, **options},
    )


async def add_entry(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Add and set up an entry, and let its first writes finish."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
async def entry(hass: HomeAssistant, writes: list[Event]) -> MockConfigEntry:
    """The front door, set up with default options."""
    return await add_entry(hass, make_entry())


async def set_online(
    hass: HomeAssistant, online: bool, key: str = "front_door"
) -> None:
    """Take a lock online or offline."""
    await hass.services.async_call(
        "input_boolean",
        "turn_on" if online else "turn_off",
        {"entity_id": f"input_boolean.{key}_online"},
        blocking=True,
    )
    await hass.async_block_till_done()


async def set_writes_fail(hass: HomeAssistant, fail: bool) -> None:
    """Make the scripts answer success: false."""
    await hass.services.async_call(
        "input_boolean",
        "turn_on" if fail else "turn_off",
        {"entity_id": "input_boolean.writes_fail"},
        blocking=True,
    )


async def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Move simulated time forward and run whatever became due."""
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def advance_to(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime
) -> None:
    """Move simulated time to ``when`` in steps small enough for retries."""
    while dt_util.utcnow() < when:
        step = min(timedelta(minutes=5), when - dt_util.utcnow())
        await advance(hass, freezer, step)


async def create_grant(
    hass: HomeAssistant,
    starts_in: timedelta,
    length: timedelta = timedelta(days=2),
    lock: str | list[str] = LOCK,
    **extra: Any,
) -> dict[str, Any]:
    """Create an access grant starting ``starts_in`` from now; return the response."""
    now = dt_util.utcnow()
    response = await hass.services.async_call(
        DOMAIN,
        "create_access_grant",
        {
            "lock_entity_id": lock,
            "name": "Jane Doe",
            "starts_at": (now + starts_in).isoformat(),
            "ends_at": (now + starts_in + length).isoformat(),
            **extra,
        },
        blocking=True,
        return_response=True,
    )
    await hass.async_block_till_done()
    assert isinstance(response, dict)
    return response


def set_writes(writes: list[Event]) -> dict[int, str]:
    """Return the last code set per slot by the scripts (clears remove it)."""
    slots: dict[int, str] = {}
    for event in writes:
        slot = int(event.data["slot"])
        if event.data["action"] == "set":
            slots[slot] = str(event.data["code"])
        else:
            slots.pop(slot, None)
    return slots


CALENDAR_FIELDS = (
    "calendar_entity_id",
    "calendar_days",
    "check_in_time",
    "check_out_time",
)


def form(options: Mapping[str, Any]) -> dict[str, Any]:
    """Options as the dialog submits them: the calendar settings in their section."""
    return {
        **{k: v for k, v in options.items() if k not in CALENDAR_FIELDS},
        "reservation_calendar": {
            k: v for k, v in options.items() if k in CALENDAR_FIELDS
        },
    }


async def render(
    hass: HomeAssistant, category: str, key: str, placeholders: dict[str, str] | None
) -> str:
    """Return a translation string of ours as the host reads it, placeholders filled in."""
    strings = await async_get_translations(hass, "en", category, [DOMAIN])
    return strings[f"component.{DOMAIN}.{category}.{key}"].format(
        **(placeholders or {})
    )


@pytest.fixture(autouse=True)
def no_deprecation_reports(caplog: pytest.LogCaptureFixture) -> Generator[None]:
    """Fail a test in which the integration uses an API Home Assistant deprecates."""
    yield
    reports = [
        r.getMessage()
        for when in ("setup", "call")
        for r in caplog.get_records(when)
        if r.name == "homeassistant.helpers.frame"
        and "backup_access_codes" in r.getMessage()
    ]
    assert not reports, reports
