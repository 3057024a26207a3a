"""End to end on a Schlage BE469 through the real zwave_js integration.

The whole integration, from the config flow to a guest's first keypad unlock, on the
BE469 of ``test_provider_zwave_js`` (real ``zwave_js`` integration, mocked Z-Wave JS
server, a fake lock that reports like the real one). Simulated time only; codes are
compared, never printed (assertions compare booleans or masked commands).
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import MagicMock

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed_exact,
)

from custom_components.backup_access_codes.const import (
    CONF_CODE_LENGTH,
    CONF_FIRST_SLOT,
    CONF_LOCK_ENTITY_ID,
    CONF_PROVIDER,
    CONF_SLOT_COUNT,
    DEFAULT_OPTIONS,
    DOMAIN,
    EVENT_ISSUED,
    EVENT_REISSUED,
)
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

# The BE469 behind the mocked server, and its helpers (fixtures are used by name).
from .test_provider_zwave_js import (
    LOCK,
    FakeLock,
    client,  # noqa: F401
    fake,  # noqa: F401
    lock_state,  # noqa: F401
    set_value_message,
    zwave,  # noqa: F401
)

# fit_options fits the defaults (slots 20-29, 6 digits) to the BE469: 30 slots, so the range
# stays, and a PIN length fixed at 4 by configuration parameter 16.
FITTED = {
    **DEFAULT_OPTIONS,
    CONF_CODE_LENGTH: 4,
    CONF_FIRST_SLOT: 20,
    CONF_SLOT_COUNT: 10,
}
POOL_SLOTS = [20, 21, 22, 23, 24]
FIRST_GRANT_SLOT = 25
HIDDEN = "<code>"
STEP = 0.1  # seconds of simulated time per tick

type Timeline = list[tuple[datetime, str, int, dict[str, Any] | None]]


@pytest.fixture
def timeline(client: MagicMock, fake: FakeLock) -> Timeline:  # noqa: F811
    """What reached the lock, when: ("set", slot, command) and ("report", slot)."""
    log: Timeline = []

    async def send_command(message: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if message["command"] == "node.set_value":
            slot = message["valueId"]["propertyKey"]
            log.append((dt_util.utcnow(), "set", slot, message))
        return await fake.send_command(message, **kwargs)

    report = fake.report

    def recorded_report(slot: int, status: int, code: str) -> None:
        log.append((dt_util.utcnow(), "report", slot, None))
        report(slot, status, code)

    client.async_send_command.side_effect = send_command
    fake.report = recorded_report  # type: ignore[method-assign]
    return log


def sets(log: Timeline) -> list[dict[str, Any]]:
    """The set_value commands in the timeline."""
    return [message for _, kind, _, message in log if kind == "set" and message]


def masked(message: dict[str, Any]) -> dict[str, Any]:
    """A User Code command with its code hidden (an assertion may print it)."""
    if message["valueId"]["property"] == "userCode":
        return {**message, "value": HIDDEN}
    return message


async def tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Move simulated time forward and run the timers due, none early.

    (``async_fire_time_changed`` runs timers up to 0.5 s early, which would blur
    the spacing of writes this test measures.)
    """
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed_exact(hass)
    await hass.async_block_till_done()


async def run_until(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    done: Callable[[], bool],
    seconds: float,
    step: float = STEP,
) -> None:
    """Let simulated time run in small steps until ``done`` (at most ``seconds``).

    A write's chain (report, read-back, next command) runs in a background task that
    ``async_block_till_done`` does not wait for: what it does after a tick is seen at
    the next tick. Small steps keep the times in the timeline within a step or two.
    """
    await hass.async_block_till_done()
    for _ in range(round(seconds / step)):
        if done():
            return
        await tick(hass, freezer, step)
    assert done(), f"not done after {seconds} simulated seconds"


async def list_grants(hass: HomeAssistant) -> list[dict[str, Any]]:
    """list_access_grants' response."""
    response = await hass.services.async_call(
        DOMAIN, "list_access_grants", {}, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    grants: list[dict[str, Any]] = response["access_grants"]  # type: ignore[assignment]
    return grants


async def test_be469_end_to_end(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zwave: MockConfigEntry,  # noqa: F811
    fake: FakeLock,  # noqa: F811
    timeline: Timeline,
) -> None:
    """Config flow, pool, dead node, last-minute backup, programming, first use."""
    registry = er.async_get(hass)
    lock_entry = registry.async_get(LOCK)
    assert lock_entry is not None and lock_entry.device_id is not None

    # ----- 1. The config flow: a native provider, options fitted to the lock.
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM and result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_LOCK_ENTITY_ID: LOCK}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY  # no script step
    assert result["data"] == {CONF_LOCK_ENTITY_ID: LOCK, CONF_PROVIDER: "zwave_js"}
    assert result["options"] == FITTED
    options = result["options"]
    slots = range(
        options[CONF_FIRST_SLOT], options[CONF_FIRST_SLOT] + options[CONF_SLOT_COUNT]
    )
    assert slots[0] >= 1 and slots[-1] <= 30  # inside the BE469's 30 slots
    entry = result["result"]
    assert entry.unique_id == lock_entry.id
    assert entry.state is ConfigEntryState.LOADED
    coordinator = entry.runtime_data.coordinator
    min_gap = coordinator.provider.min_gap
    assert min_gap == 1.0

    def online() -> bool:
        """Whether our integration counts the lock as online."""
        return coordinator.online

    # The entities sit on the lock's device.
    ours = {
        e.unique_id.removeprefix(f"{entry.unique_id}_"): e
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
    }
    available = ours["available_backup_codes"]
    assert available.device_id == lock_entry.device_id
    issued = ours["issued_backup_codes"]

    def state_of(entity_id: str) -> str | None:
        state = hass.states.get(entity_id)
        return state.state if state else None

    # ----- 2. The pool is programmed, one confirmed write after another.
    await run_until(
        hass, freezer, lambda: state_of(available.entity_id) == "5", seconds=60
    )
    commands = sets(timeline)
    assert [masked(m) for m in commands] == [
        set_value_message(slot, "userCode", HIDDEN) for slot in POOL_SLOTS
    ]
    pool_codes = {m["valueId"]["propertyKey"]: m["value"] for m in commands}
    four_digits = all(
        isinstance(c, str) and len(c) == 4 and c.isdigit() for c in pool_codes.values()
    )
    assert four_digits
    distinct = len(set(pool_codes.values()))
    assert distinct == len(POOL_SLOTS)
    # Each write waits for the lock's report of its slot, then min_gap, then the next.
    events = [(when, kind, slot) for when, kind, slot, _ in timeline]
    assert [(kind, slot) for _, kind, slot in events] == [
        (kind, slot) for slot in POOL_SLOTS for kind in ("set", "report")
    ]
    set_at = [when for when, kind, _ in events if kind == "set"]
    reported_at = [when for when, kind, _ in events if kind == "report"]
    gaps = [b - a for a, b in zip(reported_at, set_at[1:], strict=False)]
    assert len(gaps) == len(POOL_SLOTS) - 1
    # Never sooner than min_gap after the confirmation; no later than a few ticks after.
    low, high = timedelta(seconds=min_gap), timedelta(seconds=min_gap + 3 * STEP)
    assert all(low <= gap <= high for gap in gaps), gaps
    state = hass.states.get(available.entity_id)
    assert state is not None
    assert state.attributes["supports_backup_access_code_pool"] is True
    assert state_of(issued.entity_id) == "0"

    # ----- 3. The node dies: offline for us, though the lock entity stays available.
    timeline.clear()
    fake.status("dead")
    await hass.async_block_till_done()
    lock = hass.states.get(LOCK)
    assert lock is not None and lock.state != STATE_UNAVAILABLE
    assert not online()

    issued_events = async_capture_events(hass, EVENT_ISSUED)
    reissued_events = async_capture_events(hass, EVENT_REISSUED)
    now = dt_util.utcnow()
    starts_at = now + timedelta(minutes=10)
    ends_at = starts_at + timedelta(days=2)
    response = await hass.services.async_call(
        DOMAIN,
        "create_access_grant",
        {
            "lock_entity_id": LOCK,
            "name": "Jane Doe",
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        },
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    grant_id = response["access_grant_id"]
    scheduled = response["code"]
    # Issued within the call itself, before anything else ran.
    assert len(issued_events) == 1
    data = issued_events[0].data
    method = data["access_method"]
    assert {k: v for k, v in data.items() if k != "access_method"} == {
        "event_type": "access_method.issued",
        "access_grant_id": grant_id,
        "name": "Jane Doe",
        "lock_entity_id": LOCK,
        "device_id": lock_entry.device_id,
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
    }
    assert {k: v for k, v in method.items() if k != "code"} == {
        "mode": "code",
        "is_backup_code": True,
        "slot": POOL_SLOTS[0],
        "issued_at": now.isoformat(),
    }
    backup_is_pool_code = method["code"] == pool_codes[POOL_SLOTS[0]]
    assert backup_is_pool_code
    backup_is_not_scheduled = method["code"] != scheduled
    assert backup_is_not_scheduled

    # Nothing is sent to the dead node, whatever time passes (quick retries included).
    for _ in range(24):
        await tick(hass, freezer, 5)
    assert [masked(m) for m in sets(timeline)] == []
    assert not reissued_events
    assert state_of(available.entity_id) == "4"
    assert state_of(issued.entity_id) == "1"
    (grant,) = await list_grants(hass)
    (view,) = grant["locks"]
    assert {k: v for k, v in view.items() if k != "code"} == {
        "lock_entity_id": LOCK,
        "is_backup_code": True,
        "slot": POOL_SLOTS[0],
        "status": "backup_issued",
        "first_used_at": None,
    }

    # ----- 4. The node is back: the scheduled code goes into the first grant slot.
    fake.status("alive")
    await hass.async_block_till_done()
    assert online()
    await run_until(
        hass,
        freezer,
        lambda: [kind for _, kind, _, _ in timeline] == ["set", "report"],
        seconds=30,
    )
    await tick(hass, freezer, 5)
    commands = sets(timeline)
    assert [masked(m) for m in commands] == [
        set_value_message(FIRST_GRANT_SLOT, "userCode", HIDDEN)
    ]
    programmed_scheduled = commands[0]["value"] == scheduled
    assert programmed_scheduled
    assert not issued_events[1:] and not reissued_events  # the guest keeps the backup

    # ----- 5. The guest opens the door with the backup code.
    used_at = dt_util.utcnow()
    fake.notify(6, "Keypad unlock operation", {"userId": POOL_SLOTS[0]})
    await hass.async_block_till_done()
    (grant,) = await list_grants(hass)
    assert grant["access_grant_id"] == grant_id
    (view,) = grant["locks"]
    assert view["first_used_at"] == used_at.isoformat()
    assert view["status"] == "backup_issued"
    assert len(sets(timeline)) == 1  # nothing more was written
