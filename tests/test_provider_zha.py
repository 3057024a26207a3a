"""The ZHA provider against ZHA's real lock services, entity code and zigpy cluster.

Home Assistant's own ``zha.lock.async_setup_entry`` registers ``zha.set_lock_user_code``
and ``zha.clear_lock_user_code`` (names and schemas exactly as Home Assistant defines
them) on an entity platform named ``zha``. The lock entity borrows the real service
methods of ZHA's ``ZhaDoorLock`` (with ZHA's error translation) and of the ZHA library's
``DoorLock`` entity, which send real zigpy Door Lock commands; only the radio is replaced
by a small simulated lock that answers at the ZCL level.
"""

import asyncio
from collections.abc import AsyncGenerator
from datetime import timedelta
import itertools
import logging
from typing import Any
from unittest.mock import MagicMock

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    async_capture_events,
    mock_config_flow,
    mock_integration,
    mock_platform,
)
from zha.application.platforms.lock import DoorLock as ZhaLibDoorLock
import zigpy.exceptions
from zigpy.zcl import foundation
from zigpy.zcl.clusters.closures import DoorLock

from custom_components.backup_access_codes.const import (
    DEFAULT_OPTIONS,
    DOMAIN,
    EVENT_ISSUE_FAILED,
    EVENT_REISSUED,
    PROVIDER_TIMEOUT_SECONDS,
)
from custom_components.backup_access_codes.providers import zha as zha_provider
from custom_components.backup_access_codes.providers.base import Capacity, ProviderError
from custom_components.backup_access_codes.providers.zha import (
    SERVICE_CLEAR_LOCK_USER_CODE,
    SERVICE_SET_LOCK_USER_CODE,
    ZhaProvider,
    detect,
)
from homeassistant.components.lock import LockEntity
from homeassistant.components.zha import lock as ha_zha_lock
from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.const import EVENT_CALL_SERVICE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import advance

LOCK = "lock.zha_front_door"
CODE = "482917"
UNIQUE_ID = "00:15:8d:00:01:ab:cd:ef-1-257"


class SimulatedLock:
    """A Zigbee lock at the ZCL level: stands in for the radio under a zigpy endpoint."""

    def __init__(self) -> None:
        # zigpy asks the device for sequence numbers and names it in its debug logs
        self.device = MagicMock(name="zigpy device")
        self.device.get_sequence.side_effect = itertools.count(1).__next__
        self.endpoint_id = 1
        self.profile_id = 260
        self.cluster = DoorLock(self, is_server=True)
        self.users: dict[int, tuple[int, str]] = {}
        self.attributes = {
            "num_of_pin_users_supported": 30,
            "min_pin_len": 4,
            "max_pin_len": 8,
        }
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.refuse_set = False  # answer Set PIN Code with FAILURE, store nothing
        self.mask_codes = (
            False  # answer Get PIN Code without the code (send_pin_ota off)
        )
        self.fail: dict[str, Exception] = {}  # command name -> error to raise
        self.hold: asyncio.Event | None = None  # set_pin_code waits for it
        self.active = 0
        self.max_active = 0

    async def request(self, cluster: int, sequence: int, data: bytes, **_: Any) -> Any:
        """Answer one ZCL request the way a lock would."""
        hdr, command = self.cluster.deserialize(data)
        if hdr.frame_control.frame_type == foundation.FrameType.GLOBAL_COMMAND:
            self.requests.append(("read_attributes", {"ids": command.attribute_ids}))
            return self._read_attributes(command.attribute_ids)
        name = self.cluster.server_commands[hdr.command_id].name
        args = command.as_dict()
        self.requests.append((name, args))
        if name in self.fail:
            raise self.fail[name]
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            if self.hold is not None and name == "set_pin_code":
                await self.hold.wait()
            return self._answer(name, args)
        finally:
            self.active -= 1

    def _answer(self, name: str, args: dict[str, Any]) -> Any:
        commands = DoorLock.ClientCommandDefs
        user = int(args["user_id"])
        if name == "set_pin_code":
            if self.refuse_set:
                return commands.set_pin_code_response.schema(
                    status=foundation.Status.FAILURE
                )
            self.users[user] = (int(args["user_status"]), str(args["pin_code"]))
            return commands.set_pin_code_response.schema(
                status=foundation.Status.SUCCESS
            )
        if name == "clear_pin_code":
            self.users.pop(user, None)
            return commands.clear_pin_code_response.schema(
                status=foundation.Status.SUCCESS
            )
        assert name == "get_pin_code"
        status, code = self.users.get(user, (DoorLock.UserStatus.Available, ""))
        return commands.get_pin_code_response.schema(
            user_id=user,
            user_status=status,
            user_type=DoorLock.UserType.Unrestricted,
            code="" if self.mask_codes else code,
        )

    def _read_attributes(self, ids: list[int]) -> Any:
        records = []
        for attrid in ids:
            attr = DoorLock.attributes[attrid]
            value = self.attributes[attr.name]
            records.append(
                foundation.ReadAttributeRecord(
                    attrid=attrid,
                    status=foundation.Status.SUCCESS,
                    value=foundation.TypeValue(
                        type=attr.zcl_type, value=attr.type(value)
                    ),
                )
            )
        return foundation.GENERAL_COMMANDS[
            foundation.GeneralCommand.Read_Attributes_rsp
        ].schema(status_records=records)


class ZhaLibraryLock:
    """The ZHA library's lock entity, reduced to its cluster and real service methods."""

    def __init__(self, cluster: DoorLock) -> None:
        self._cluster = cluster

    @property
    def cluster(self) -> DoorLock:
        return self._cluster

    def debug(self, *_args: Any) -> None:
        """ZHA's LogMixin."""

    async_set_lock_user_code = ZhaLibDoorLock.async_set_lock_user_code
    async_clear_lock_user_code = ZhaLibDoorLock.async_clear_lock_user_code


class EntityData:
    """ZHA's ``EntityData``: the HA entity reaches the library entity through it."""

    def __init__(self, entity: ZhaLibraryLock) -> None:
        self.entity = entity


class FakeZhaDoorLock(LockEntity):
    """Home Assistant's ZhaDoorLock service methods on a plain lock entity."""

    _attr_is_locked = True
    _attr_should_poll = False
    _attr_name = "ZHA front door"

    def __init__(self, sim: SimulatedLock) -> None:
        self.entity_data = EntityData(ZhaLibraryLock(sim.cluster))
        self._attr_unique_id = UNIQUE_ID

    async_set_lock_user_code = ha_zha_lock.ZhaDoorLock.async_set_lock_user_code
    async_clear_lock_user_code = ha_zha_lock.ZhaDoorLock.async_clear_lock_user_code


class ZhaFlow(ConfigFlow):
    """Stands in for ZHA's config flow (the entry is made by the test)."""

    VERSION = 1


@pytest.fixture
def sim() -> SimulatedLock:
    """The simulated lock behind the ZHA entity."""
    return SimulatedLock()


@pytest.fixture
async def zha_lock(
    hass: HomeAssistant, sim: SimulatedLock
) -> AsyncGenerator[FakeZhaDoorLock]:
    """Set up a ``zha`` config entry whose lock platform is ZHA's own setup."""
    entity = FakeZhaDoorLock(sim)

    async def setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, [Platform.LOCK])
        return True

    async def setup_lock_platform(
        hass: HomeAssistant,
        entry: ConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        # Registers zha.set_lock_user_code & co. exactly as Home Assistant does.
        await ha_zha_lock.async_setup_entry(hass, entry, async_add_entities)
        async_add_entities([entity])

    mock_integration(hass, MockModule("zha", async_setup_entry=setup_entry))
    mock_platform(hass, "zha.lock", MockPlatform(async_setup_entry=setup_lock_platform))
    mock_platform(hass, "zha.config_flow", None)
    assert await async_setup_component(hass, "lock", {})
    with mock_config_flow("zha", ZhaFlow):
        entry = MockConfigEntry(domain="zha")
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entity.entity_id == LOCK
        yield entity


@pytest.fixture
def provider(hass: HomeAssistant, zha_lock: FakeZhaDoorLock) -> ZhaProvider:
    """The provider for the ZHA lock."""
    return ZhaProvider(hass, LOCK, {"lock_entity_id": LOCK, "provider": "zha"})


def commands(sim: SimulatedLock) -> list[tuple[str, dict[str, Any]]]:
    """The Door Lock commands the lock received (attribute reads left out)."""
    return [r for r in sim.requests if r[0] != "read_attributes"]


async def test_services_are_zhas_own(
    hass: HomeAssistant, zha_lock: FakeZhaDoorLock
) -> None:
    """The provider's service names are Home Assistant's, registered by ZHA's code."""
    assert SERVICE_SET_LOCK_USER_CODE == ha_zha_lock.SERVICE_SET_LOCK_USER_CODE
    assert SERVICE_CLEAR_LOCK_USER_CODE == ha_zha_lock.SERVICE_CLEAR_LOCK_USER_CODE
    assert hass.services.has_service("zha", SERVICE_SET_LOCK_USER_CODE)
    assert hass.services.has_service("zha", SERVICE_CLEAR_LOCK_USER_CODE)


async def test_set_code_is_sent_to_user_slot_minus_one_and_verified(
    hass: HomeAssistant, provider: ZhaProvider, sim: SimulatedLock
) -> None:
    """Slot 21 is ZHA code_slot 21, which ZHA sends to the lock as user 20."""
    calls = async_capture_events(hass, EVENT_CALL_SERVICE)
    assert await provider.async_set_code(21, CODE) is True
    assert [
        (c.data["domain"], c.data["service"], c.data["service_data"]) for c in calls
    ] == [
        (
            "zha",
            "set_lock_user_code",
            {"entity_id": LOCK, "code_slot": 21, "user_code": CODE},
        )
    ]
    assert commands(sim) == [
        (
            "set_pin_code",
            {
                "user_id": 20,
                "user_status": DoorLock.UserStatus.Enabled,
                "user_type": DoorLock.UserType.Unrestricted,
                "pin_code": CODE,
            },
        ),
        ("get_pin_code", {"user_id": 20}),
    ]
    assert sim.users[20] == (DoorLock.UserStatus.Enabled, CODE)


async def test_clear_code_is_verified(
    hass: HomeAssistant, provider: ZhaProvider, sim: SimulatedLock
) -> None:
    """Clearing slot 1 clears user 0 and reads it back empty."""
    sim.users[0] = (DoorLock.UserStatus.Enabled, "1234")
    calls = async_capture_events(hass, EVENT_CALL_SERVICE)
    assert await provider.async_clear_code(1) is True
    assert calls[0].data["service"] == "clear_lock_user_code"
    assert calls[0].data["service_data"] == {"entity_id": LOCK, "code_slot": 1}
    assert commands(sim) == [
        ("clear_pin_code", {"user_id": 0}),
        ("get_pin_code", {"user_id": 0}),
    ]
    assert 0 not in sim.users


async def test_silently_refused_code_is_permanent(
    hass: HomeAssistant, provider: ZhaProvider, sim: SimulatedLock
) -> None:
    """ZHA reports success for a refused code; the read-back shows the refusal."""
    sim.refuse_set = True
    # ZHA's own service call succeeds although the lock answered FAILURE.
    await hass.services.async_call(
        "zha",
        "set_lock_user_code",
        {"entity_id": LOCK, "code_slot": 3, "user_code": CODE},
        blocking=True,
    )
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(3, CODE)
    assert err.value.permanent
    assert CODE not in str(err.value)


async def test_other_code_left_in_slot_is_permanent(
    provider: ZhaProvider, sim: SimulatedLock
) -> None:
    """A refused code leaves the slot's old code: a permanent failure."""
    sim.users[4] = (DoorLock.UserStatus.Enabled, "5555")
    sim.refuse_set = True
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(5, CODE)
    assert err.value.permanent
    assert "5555" not in str(err.value)


async def test_masked_read_back_is_unverified(
    provider: ZhaProvider, sim: SimulatedLock
) -> None:
    """A lock that does not send PINs over the air: sent, unverified."""
    sim.mask_codes = True
    assert await provider.async_set_code(21, CODE) is False
    assert sim.users[20][1] == CODE


async def test_read_back_without_answer_is_unverified(
    provider: ZhaProvider, sim: SimulatedLock
) -> None:
    """The write went through; the lock does not answer Get PIN Code."""
    sim.fail["get_pin_code"] = TimeoutError()
    assert await provider.async_set_code(21, CODE) is False
    assert await provider.async_clear_code(21) is False


async def test_clear_that_did_not_take_is_transient(
    provider: ZhaProvider, sim: SimulatedLock
) -> None:
    """A slot still holding a code after a clear is retried, not given up."""
    sim.users[6] = (DoorLock.UserStatus.Enabled, "5555")
    original = sim._answer

    def keep_codes(name: str, args: dict[str, Any]) -> Any:
        if name == "clear_pin_code":
            return DoorLock.ClientCommandDefs.clear_pin_code_response.schema(
                status=foundation.Status.FAILURE
            )
        return original(name, args)

    sim._answer = keep_codes  # type: ignore[method-assign]
    with pytest.raises(ProviderError) as err:
        await provider.async_clear_code(7)
    assert not err.value.permanent


@pytest.mark.parametrize(
    "error",
    [
        TimeoutError(),
        zigpy.exceptions.DeliveryError("Failed to deliver packet: MAC_NO_ACK"),
    ],
)
async def test_no_answer_is_transient(
    provider: ZhaProvider, sim: SimulatedLock, error: Exception
) -> None:
    """ZHA turns Zigbee errors into HomeAssistantError: retried later."""
    sim.fail["set_pin_code"] = error
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(21, CODE)
    assert not err.value.permanent
    assert "Failed to send request" in str(err.value)
    sim.fail["clear_pin_code"] = error
    with pytest.raises(ProviderError) as err:
        await provider.async_clear_code(21)
    assert not err.value.permanent


async def test_validation_error_is_permanent_and_scrubbed(
    provider: ZhaProvider,
    zha_lock: FakeZhaDoorLock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A ServiceValidationError (e.g. about the code's length) is a permanent refusal."""

    async def refuse(code_slot: int, user_code: str) -> None:
        raise ServiceValidationError(f"PIN {user_code} has the wrong length")

    monkeypatch.setattr(zha_lock, "async_set_lock_user_code", refuse)
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(21, CODE)
    assert err.value.permanent
    assert "wrong length" in str(err.value)
    assert CODE not in str(err.value)


async def test_code_outside_lock_limits_is_permanent_before_sending(
    provider: ZhaProvider, sim: SimulatedLock
) -> None:
    """Known PIN lengths and user count refuse a write before it reaches the lock."""
    assert await provider.async_capacity() == Capacity(
        slots=30, min_length=4, max_length=8
    )
    sim.requests.clear()
    for slot, code in ((21, "123456789"), (21, "123"), (31, CODE), (0, CODE)):
        with pytest.raises(ProviderError) as err:
            await provider.async_set_code(slot, code)
        assert err.value.permanent
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(21, "12a4")
    assert err.value.permanent
    with pytest.raises(ProviderError) as err:
        await provider.async_clear_code(31)
    assert err.value.permanent
    assert sim.requests == []


async def test_capacity_is_read_once_then_cached(
    provider: ZhaProvider, sim: SimulatedLock
) -> None:
    """The Door Lock attributes are read from the lock, then from zigpy's cache."""
    sim.attributes.update(num_of_pin_users_supported=250, min_pin_len=6, max_pin_len=6)
    assert await provider.async_capacity() == Capacity(
        slots=250, min_length=6, max_length=6
    )
    assert [r[0] for r in sim.requests] == ["read_attributes"]
    assert await provider.async_capacity() == Capacity(
        slots=250, min_length=6, max_length=6
    )
    assert len(sim.requests) == 1


async def test_capacity_unknown_when_lock_does_not_answer(
    provider: ZhaProvider, sim: SimulatedLock
) -> None:
    """A sleepy lock that does not answer the read: capacity unknown."""

    async def no_answer(*_args: Any, **_kwargs: Any) -> Any:
        raise TimeoutError

    sim.request = no_answer  # type: ignore[method-assign]
    assert await provider.async_capacity() is None


async def test_unavailable_lock_is_not_a_silent_success(
    hass: HomeAssistant,
    provider: ZhaProvider,
    zha_lock: FakeZhaDoorLock,
    sim: SimulatedLock,
) -> None:
    """Home Assistant skips an unavailable entity without an error; we do not."""
    zha_lock._attr_available = False
    zha_lock.async_write_ha_state()
    # Home Assistant's entity service: no error, nothing sent.
    await hass.services.async_call(
        "zha",
        "set_lock_user_code",
        {"entity_id": LOCK, "code_slot": 21, "user_code": CODE},
        blocking=True,
    )
    assert sim.requests == []
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(21, CODE)
    assert not err.value.permanent
    assert sim.requests == []


async def test_zha_not_loaded_is_transient(
    hass: HomeAssistant, provider: ZhaProvider
) -> None:
    """Without ZHA's services (ZHA not loaded yet), the write is retried later."""
    hass.services.async_remove("zha", SERVICE_SET_LOCK_USER_CODE)
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(21, CODE)
    assert not err.value.permanent


async def test_entity_without_zha_cluster_is_unverified(
    provider: ZhaProvider, zha_lock: FakeZhaDoorLock, sim: SimulatedLock
) -> None:
    """When the cluster cannot be reached the write counts as sent, unverified."""

    class NoCluster(ZhaLibraryLock):
        cluster = None  # type: ignore[assignment]

    zha_lock.entity_data = EntityData(NoCluster(sim.cluster))
    assert await provider.async_capacity() is None
    assert await provider.async_set_code(21, CODE) is False


async def test_concurrent_writes_do_not_overlap(
    provider: ZhaProvider, sim: SimulatedLock
) -> None:
    """Two writes at once on one provider reach the lock one after the other."""
    sim.hold = asyncio.Event()
    first = asyncio.ensure_future(provider.async_set_code(21, CODE))
    second = asyncio.ensure_future(provider.async_set_code(22, "739164"))
    for _ in range(50):  # let both run as far as they can
        await asyncio.sleep(0)
    assert [r[0] for r in commands(sim)] == ["set_pin_code"]
    sim.hold.set()
    assert await first is True
    assert await second is True
    assert [r[0] for r in commands(sim)] == [
        "set_pin_code",
        "get_pin_code",
        "set_pin_code",
        "get_pin_code",
    ]
    assert sim.max_active == 1


async def test_no_code_in_logs(
    provider: ZhaProvider, sim: SimulatedLock, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither success nor failure puts the code into a log line."""
    caplog.set_level(logging.DEBUG)
    await provider.async_set_code(21, CODE)
    sim.fail["get_pin_code"] = TimeoutError()
    await provider.async_set_code(22, CODE)
    sim.fail["set_pin_code"] = zigpy.exceptions.DeliveryError(f"payload {CODE}")
    with pytest.raises(ProviderError) as err:
        await provider.async_set_code(23, CODE)
    assert CODE not in str(err.value)
    ours = [
        r.getMessage() for r in caplog.records if r.name.startswith("custom_components")
    ]
    assert ours
    assert not any(CODE in line for line in ours)


async def test_detect(hass: HomeAssistant, zha_lock: FakeZhaDoorLock) -> None:
    """Detect a ZHA lock by its registry platform, nothing else."""
    registry = er.async_get(hass)
    entry = registry.async_get(LOCK)
    assert entry is not None
    assert detect(hass, entry)
    other = registry.async_get_or_create("lock", "mqtt", "x", suggested_object_id="m")
    assert not detect(hass, other)
    sensor = registry.async_get_or_create("sensor", "zha", "y")
    assert not detect(hass, sensor)


async def test_write_that_hangs_times_out_as_transient(
    hass: HomeAssistant,
    provider: ZhaProvider,
    sim: SimulatedLock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A service call that never returns is given up after the provider timeout."""
    sim.hold = asyncio.Event()
    task = asyncio.ensure_future(provider.async_set_code(21, CODE))
    for _ in range(50):
        await asyncio.sleep(0)
    await advance(hass, freezer, timedelta(seconds=PROVIDER_TIMEOUT_SECONDS + 1))
    await asyncio.wait({task}, timeout=1)
    error = task.exception()
    assert isinstance(error, ProviderError)
    assert not error.permanent
    assert "timed out" in str(error)


async def test_read_back_that_is_not_an_answer_is_unverified(
    provider: ZhaProvider, sim: SimulatedLock
) -> None:
    """A lock answering Get PIN Code with a default response: unverified."""
    original = sim._answer

    def default_response(name: str, args: dict[str, Any]) -> Any:
        if name == "get_pin_code":
            return foundation.GENERAL_COMMANDS[
                foundation.GeneralCommand.Default_Response
            ].schema(command_id=0x06, status=foundation.Status.UNSUP_CLUSTER_COMMAND)
        return original(name, args)

    sim._answer = default_response  # type: ignore[method-assign]
    assert await provider.async_set_code(21, CODE) is False
    assert await provider.async_clear_code(21) is False


async def test_clear_read_back_masked_is_unverified(
    provider: ZhaProvider, sim: SimulatedLock
) -> None:
    """A clear the lock ignores, on a lock that masks codes: unverified."""
    sim.users[6] = (DoorLock.UserStatus.Enabled, "5555")
    sim.mask_codes = True
    original = sim._answer

    def keep_codes(name: str, args: dict[str, Any]) -> Any:
        if name == "clear_pin_code":
            return DoorLock.ClientCommandDefs.clear_pin_code_response.schema(
                status=foundation.Status.FAILURE
            )
        return original(name, args)

    sim._answer = keep_codes  # type: ignore[method-assign]
    assert await provider.async_clear_code(7) is False


def test_value_helpers() -> None:
    """Odd attribute values fall back to the defaults."""
    assert zha_provider._capacity_from({}) is None
    assert zha_provider._capacity_from(
        {"num_of_pin_users_supported": 5, "min_pin_len": 0, "max_pin_len": 2}
    ) == Capacity(slots=5, min_length=4, max_length=8)
    assert zha_provider._text(b"1234") == "1234"
    assert zha_provider._text(None) == ""
    assert zha_provider._int("x") is None
    assert zha_provider._int(True) is None


async def add_backup_codes(hass: HomeAssistant, **options: Any) -> MockConfigEntry:
    """Set up Backup Access Codes on the ZHA lock (its native provider)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={"lock_entity_id": LOCK, "provider": "zha"},
        options={**DEFAULT_OPTIONS, **options},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_refusal_log_says_what_happens_next(
    hass: HomeAssistant,
    zha_lock: FakeZhaDoorLock,
    sim: SimulatedLock,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A refused pool code is logged as refused, and a different code goes out next.

    The log once said "(attempt failed, backing off)" while the next try with a new code
    went out a second later.
    """
    sim.refuse_set = True
    await add_backup_codes(hass, pool_size=1, slot_count=2)
    await advance(hass, freezer, timedelta(seconds=1))  # the lock's pause between calls
    sets = [args for name, args in commands(sim) if name == "set_pin_code"]
    assert [args["user_id"] for args in sets] == [19, 19]
    assert sets[0]["pin_code"] != sets[1]["pin_code"]  # a different code at once
    ours = ours_now(caplog)
    refusals = [line for line in ours if "refused to program slot 20" in line]
    assert len(refusals) == 2
    assert all(line.endswith("trying a different code at once") for line in refusals)
    assert not any("backing off" in line or "attempt failed" in line for line in ours)
    # The third refusal in a row waits for the backoff, and says so.
    await advance(hass, freezer, timedelta(seconds=1))
    third = [line for line in ours_now(caplog) if "refused to program" in line][-1]
    assert third.endswith("trying a different code in 20 min")
    assert not any(s["pin_code"] in "\n".join(ours_now(caplog)) for s in sets)


def ours_now(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The integration's log lines so far."""
    return [
        r.getMessage() for r in caplog.records if r.name.startswith("custom_components")
    ]


async def test_refused_guest_code_without_backup_names_the_cause(
    hass: HomeAssistant,
    zha_lock: FakeZhaDoorLock,
    sim: SimulatedLock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The lock refuses guests' codes and the one backup is taken: the repair says so."""
    original = sim._answer

    def refuse_guest_slots(name: str, args: dict[str, Any]) -> Any:
        if name == "set_pin_code" and int(args["user_id"]) >= 20:  # slot 21 and up
            return DoorLock.ClientCommandDefs.set_pin_code_response.schema(
                status=foundation.Status.FAILURE
            )
        return original(name, args)

    sim._answer = refuse_guest_slots  # type: ignore[method-assign]
    entry = await add_backup_codes(hass, pool_size=1, slot_count=3)
    failed = async_capture_events(hass, EVENT_ISSUE_FAILED)
    reissued = async_capture_events(hass, EVENT_REISSUED)
    now = dt_util.utcnow()
    for name in ("Ada", "Bea"):
        await hass.services.async_call(
            DOMAIN,
            "create_access_grant",
            {
                "lock_entity_id": LOCK,
                "name": name,
                "starts_at": (now + timedelta(minutes=10)).isoformat(),
                "ends_at": (now + timedelta(days=1)).isoformat(),
            },
            blocking=True,
        )
    for _ in range(10):  # the writes, a second apart
        await advance(hass, freezer, timedelta(seconds=1))
    assert [e.data["name"] for e in reissued] == ["Ada"]  # the only backup code
    assert [(e.data["name"], e.data["cause"]) for e in failed] == [
        ("Bea", "code_refused")
    ]
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"no_code_refused_{entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders["grants"] == "Bea"
