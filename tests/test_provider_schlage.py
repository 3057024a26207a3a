"""The Schlage provider against the real Schlage integration and a simulated cloud.

Home Assistant's own ``schlage`` integration is set up with the real ``pyschlage``
library (its actions, schemas, response support, entity methods and validation all run
for real); only the transport is replaced: ``pyschlage.Auth`` answers the REST calls
pyschlage makes as Schlage's cloud does, from an in-memory store of access codes.
"""

import asyncio
from collections.abc import Generator
from datetime import timedelta
import itertools
import logging
import threading
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from pyschlage.exceptions import UnknownError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
import requests

from custom_components.backup_access_codes.const import PROVIDER_TIMEOUT_SECONDS
from custom_components.backup_access_codes.providers import Capacity, ProviderError
from custom_components.backup_access_codes.providers.schlage import (
    SchlageProvider,
    code_name,
    detect,
    slot_from_name,
)
from homeassistant.components.schlage.const import DOMAIN as SCHLAGE_DOMAIN
from homeassistant.const import (
    CONF_PASSWORD,
    CONF_USERNAME,
    EVENT_CALL_SERVICE,
    STATE_UNAVAILABLE,
)
from homeassistant.core import Event, HomeAssistant, SupportsResponse
from homeassistant.helpers import entity_registry as er

from .conftest import advance

LOCK = "lock.front_door"
DEVICE_ID = "lock-front"
ALL_DAY = {
    "daysOfWeek": "7F",
    "startHour": 0,
    "startMinute": 0,
    "endHour": 23,
    "endMinute": 59,
}


class FakeResponse:
    """What pyschlage reads from a response: its JSON."""

    def __init__(self, body: Any) -> None:
        """Hold the body."""
        self._body = body

    def json(self) -> Any:
        """Return the body."""
        return self._body


class FakeSchlageCloud:
    """Schlage's cloud as pyschlage talks to it (stands in for ``pyschlage.Auth``).

    Access codes are stored as the cloud stores them: ``accessCode`` a number, with
    ``accessCodeLength`` to restore leading zeros.
    """

    user_id = "user-1"

    def __init__(self) -> None:
        """An account with one lock and no codes."""
        self.connected = True
        self.codes: dict[str, dict[str, Any]] = {}  # accesscodeId -> JSON
        self.notifications: dict[str, dict[str, Any]] = {}
        self.commands: list[str] = []
        # Failure injection: kind ("list", "add", "delete") -> exception, once.
        self.fail: dict[str, Exception] = {}
        self.drop_adds = False  # accept an add but never store it
        self.hang: threading.Event | None = None
        self.active = 0
        self.max_active = 0
        self._ids = itertools.count(1)
        self._mutex = threading.Lock()

    def add_code(self, name: str, code: str) -> None:
        """A code the host made in the Schlage app."""
        code_id = f"code-{next(self._ids)}"
        self.codes[code_id] = self._code_json(code_id, name, code)

    def by_name(self) -> dict[str, str]:
        """The codes as name -> code, leading zeros restored."""
        return {
            c["friendlyName"]: f"{c['accessCode']:0{c['accessCodeLength']}}"
            for c in self.codes.values()
        }

    @staticmethod
    def _code_json(code_id: str, name: str, code: str) -> dict[str, Any]:
        return {
            "accesscodeId": code_id,
            "friendlyName": name,
            "accessCode": int(code),
            "accessCodeLength": len(code),
            "notificationEnabled": 0,
            "disabled": 0,
            "activationSecs": 0,
            "expirationSecs": 0xFFFFFFFF,
            "schedule1": ALL_DAY,
        }

    def request(self, method: str, path: str, **kwargs: Any) -> FakeResponse:
        """Answer one REST call (runs in Home Assistant's executor threads)."""
        with self._mutex:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            if self.hang is not None:
                self.hang.wait()
            return FakeResponse(self._answer(method, path, kwargs))
        finally:
            with self._mutex:
                self.active -= 1

    def _raise_if_failing(self, kind: str) -> None:
        if (error := self.fail.pop(kind, None)) is not None:
            raise error

    def _answer(self, method: str, path: str, kwargs: dict[str, Any]) -> Any:
        if (method, path) == ("get", "users/@me"):
            return {"identityId": self.user_id}
        if (method, path) == ("get", "devices"):
            return [self._lock_json()]
        if (method, path) == ("get", f"devices/{DEVICE_ID}/logs"):
            return []
        if (method, path) == ("get", f"devices/{DEVICE_ID}/storage/accesscode"):
            self._raise_if_failing("list")
            return list(self.codes.values())
        if (method, path) == ("post", f"devices/{DEVICE_ID}/commands"):
            return self._command(kwargs["json"]["name"], kwargs["json"]["data"])
        if path == "notifications" and method == "get":
            return list(self.notifications.values())
        if path == "notifications" and method in ("post", "put"):
            body = kwargs["json"]
            saved = {
                "notificationId": body["notificationId"],
                "userId": self.user_id,
                "deviceId": kwargs["params"]["deviceId"],
                "notificationDefinitionId": body["notificationDefinitionId"],
                "active": body["active"],
                "filterValue": body.get("filterValue"),
                "createdAt": "2026-12-01T12:00:00+00:00",
                "updatedAt": "2026-12-01T12:00:00+00:00",
            }
            self.notifications[body["notificationId"]] = saved
            return saved
        if path.startswith("notifications/") and method == "delete":
            self.notifications.pop(path.removeprefix("notifications/"), None)
            return {}
        raise AssertionError(f"unexpected request {method} {path}")

    def _command(self, name: str, data: dict[str, Any]) -> Any:
        self.commands.append(name)
        if name == "addaccesscode":
            self._raise_if_failing("add")
            code_id = f"code-{next(self._ids)}"
            if not self.drop_adds:
                self.codes[code_id] = {**data, "accesscodeId": code_id}
            return {"accesscodeId": code_id}
        if name == "deleteaccesscode":
            self._raise_if_failing("delete")
            self.codes.pop(data["accesscodeId"], None)
            return {}
        raise AssertionError(f"unexpected command {name}")

    def _lock_json(self) -> dict[str, Any]:
        return {
            "deviceId": DEVICE_ID,
            "name": "Front Door",
            "modelName": "__model_name__",
            "devicetypeId": "be499",
            "connected": self.connected,
            "attributes": {
                "lockState": 1,
                "batteryLevel": 87,
                "mainFirmwareVersion": "10.00.00264232",
                "accessCodeLength": 6,
                "beeperEnabled": 1,
                "lockAndLeaveEnabled": 1,
                "autoLockTime": 0,
                "macAddress": "AA:BB:CC:00:11:22",
            },
            "users": [],
        }


@pytest.fixture
def cloud() -> Generator[FakeSchlageCloud]:
    """The simulated cloud, in place of pyschlage's authenticated transport."""
    fake = FakeSchlageCloud()
    with patch("pyschlage.Auth", return_value=fake):
        yield fake
    if fake.hang is not None:
        fake.hang.set()


@pytest.fixture
async def schlage(hass: HomeAssistant, cloud: FakeSchlageCloud) -> MockConfigEntry:
    """The real Schlage integration with one lock."""
    entry = MockConfigEntry(
        domain=SCHLAGE_DOMAIN,
        data={CONF_USERNAME: "host@example.com", CONF_PASSWORD: "secret"},
        unique_id="user-1",
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK) is not None, hass.states.async_entity_ids("lock")
    return entry


@pytest.fixture
def provider(hass: HomeAssistant, schlage: MockConfigEntry) -> SchlageProvider:
    """The provider for the front door."""
    return SchlageProvider(hass, LOCK, {"lock_entity_id": LOCK, "provider": "schlage"})


@pytest.fixture
def calls(hass: HomeAssistant, schlage: MockConfigEntry) -> list[Event]:
    """Every Schlage action called."""
    return async_capture_events(hass, EVENT_CALL_SERVICE)


def schlage_calls(calls: list[Event]) -> list[tuple[str, dict[str, Any]]]:
    """The Schlage actions called, with their data."""
    return [
        (event.data["service"], event.data["service_data"])
        for event in calls
        if event.data["domain"] == SCHLAGE_DOMAIN
    ]


TARGET = {"entity_id": LOCK}


async def test_actions_names_and_detect(
    hass: HomeAssistant, schlage: MockConfigEntry, provider: SchlageProvider
) -> None:
    """Home Assistant's actions, the name of a slot, capacity, detect."""
    services = hass.services
    assert services.supports_response(SCHLAGE_DOMAIN, "get_codes") is (
        SupportsResponse.ONLY
    )
    for service in ("add_code", "delete_code"):
        assert services.supports_response(SCHLAGE_DOMAIN, service) is (
            SupportsResponse.NONE
        )
    assert code_name(21) == "Guest 21"
    assert slot_from_name("Guest 21") == 21
    assert slot_from_name(" guest 7 ") == 7  # matched as Schlage matches names
    for other in ("Cleaner", "Guest", "Guest 21b", "Backup 21", "My Guest 21"):
        assert slot_from_name(other) is None
    assert provider.min_gap == 0
    assert await provider.async_capacity() == Capacity(None, 4, 8)
    registry = er.async_get(hass)
    entry = registry.async_get(LOCK)
    assert entry is not None
    assert entry.platform == "schlage"
    assert detect(hass, entry)
    assert not detect(hass, registry.async_get_or_create("lock", "matter", "other"))
    assert not detect(hass, registry.async_get_or_create("sensor", "schlage", "x"))


async def test_set_and_clear(
    provider: SchlageProvider, cloud: FakeSchlageCloud, calls: list[Event]
) -> None:
    """Slot 21 is the code named "Guest 21"; writes are read back from the cloud."""
    cloud.add_code("Cleaner", "555123")  # the host's own code: never touched
    assert await provider.async_set_code(21, "048213") is True
    assert cloud.by_name() == {"Cleaner": "555123", "Guest 21": "048213"}
    add = {"name": "Guest 21", "code": "048213", "notify_on_use": True}
    assert schlage_calls(calls) == [
        ("get_codes", TARGET),
        ("add_code", {**add, **TARGET}),
        ("get_codes", TARGET),  # read back
    ]

    # Setting a slot again replaces the code that has its name.
    calls.clear()
    assert await provider.async_set_code(21, "735102") is True
    assert cloud.by_name() == {"Cleaner": "555123", "Guest 21": "735102"}
    assert schlage_calls(calls) == [
        ("get_codes", TARGET),
        ("delete_code", {"name": "Guest 21", **TARGET}),
        ("add_code", {**add, "code": "735102", **TARGET}),
        ("get_codes", TARGET),
    ]

    # The code already there (an earlier try got through): nothing to write.
    calls.clear()
    assert await provider.async_set_code(21, "735102") is True
    assert schlage_calls(calls) == [("get_codes", TARGET)]

    # A clear deletes by name and reads back; clearing a missing name is fine too.
    calls.clear()
    assert await provider.async_clear_code(21) is True
    assert cloud.by_name() == {"Cleaner": "555123"}
    assert schlage_calls(calls) == [
        ("delete_code", {"name": "Guest 21", **TARGET}),
        ("get_codes", TARGET),
    ]
    assert await provider.async_clear_code(22) is True
    assert cloud.by_name() == {"Cleaner": "555123"}


async def test_refusals_and_failures(
    provider: SchlageProvider, cloud: FakeSchlageCloud
) -> None:
    """A duplicate or a bad code is permanent; cloud and connection failures are not."""
    cloud.add_code("Cleaner", "555123")
    permanent = [
        ("555123", "already exists"),  # the Cleaner's code
        ("123", "does not match"),  # the action takes 4-8 digits
    ]
    for code, reason in permanent:
        with pytest.raises(ProviderError, match=reason) as err:
            await provider.async_set_code(21, code)
        assert err.value.permanent
        assert code not in str(err.value)

    transient: list[tuple[str, Exception, str]] = [
        ("list", UnknownError("Internal server error"), "Failed to refresh"),
        ("add", UnknownError("Bad gateway"), "Failed to add PIN code"),
        # The integration lets connection errors of requests through as they are.
        ("list", requests.ConnectionError("Connection reset"), "Connection reset"),
    ]
    for kind, error, reason in transient:
        cloud.fail[kind] = error
        with pytest.raises(ProviderError, match=reason) as err:
            await provider.async_set_code(21, "482917")
        assert not err.value.permanent
    cloud.add_code("Guest 22", "905114")
    cloud.fail["delete"] = UnknownError("Bad gateway")
    with pytest.raises(ProviderError, match="Failed to delete PIN code") as err:
        await provider.async_clear_code(22)
    assert not err.value.permanent

    # The cloud took the add but does not list it: not done.
    cloud.drop_adds = True
    with pytest.raises(ProviderError, match="does not list Guest 23") as err:
        await provider.async_set_code(23, "660142")
    assert not err.value.permanent


async def test_unexpected_read_backs(
    hass: HomeAssistant, provider: SchlageProvider, cloud: FakeSchlageCloud
) -> None:
    """Another code under our name after the write, or a name that stays, fail."""
    real_command = cloud._command

    def other_code(name: str, data: dict[str, Any]) -> Any:
        if name == "addaccesscode":
            data = {**data, "accessCode": 111111}
        if name == "deleteaccesscode":
            return {}  # the cloud ignores the delete
        return real_command(name, data)

    cloud._command = other_code  # type: ignore[method-assign]
    with pytest.raises(ProviderError, match="another code under Guest 21") as err:
        await provider.async_set_code(21, "482917")
    assert not err.value.permanent
    with pytest.raises(ProviderError, match="still lists Guest 21") as err:
        await provider.async_clear_code(21)
    assert not err.value.permanent


async def test_unavailable_lock_is_not_a_silent_success(
    hass: HomeAssistant,
    provider: SchlageProvider,
    cloud: FakeSchlageCloud,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Home Assistant skips an unavailable lock; add and delete would "succeed".

    get_codes refuses instead, so every set and every clear's read-back fail.
    """
    cloud.connected = False
    await advance(hass, freezer, timedelta(seconds=31))  # the integration polls
    # The poll runs as a background job: wait for it, whatever the machine's load.
    await hass.async_block_till_done(wait_background_tasks=True)
    state = hass.states.get(LOCK)
    assert state is not None
    assert state.state == STATE_UNAVAILABLE
    await hass.services.async_call(  # the trap: no error, nothing done
        SCHLAGE_DOMAIN,
        "add_code",
        {"name": "Guest 21", "code": "482917"},
        target=TARGET,
        blocking=True,
    )
    assert cloud.commands == []
    with pytest.raises(ProviderError, match="did not match any entities") as err:
        await provider.async_set_code(21, "482917")
    assert not err.value.permanent
    with pytest.raises(ProviderError, match="get_codes") as err:
        await provider.async_clear_code(21)
    assert not err.value.permanent
    assert cloud.commands == []


async def test_unknown_lock_and_timeout(
    hass: HomeAssistant,
    provider: SchlageProvider,
    cloud: FakeSchlageCloud,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A lock Schlage does not know and a cloud that never answers fail transiently."""
    unknown = SchlageProvider(hass, "lock.elsewhere", {})
    with pytest.raises(ProviderError, match="did not match any entities") as err:
        await unknown.async_clear_code(21)
    assert not err.value.permanent

    cloud.hang = threading.Event()
    task = asyncio.create_task(provider.async_set_code(21, "482917"))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not task.done()
    await advance(hass, freezer, timedelta(seconds=PROVIDER_TIMEOUT_SECONDS + 1))
    with pytest.raises(ProviderError, match="timed out") as err:
        await task
    assert not err.value.permanent
    cloud.hang.set()


async def test_serialised_and_no_code_in_logs(
    hass: HomeAssistant,
    provider: SchlageProvider,
    cloud: FakeSchlageCloud,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Writes started together run one after the other; no log line quotes a code."""
    caplog.set_level(logging.DEBUG)
    await asyncio.gather(
        provider.async_set_code(21, "482917"),
        provider.async_set_code(22, "735102"),
        provider.async_clear_code(23),
    )
    assert cloud.by_name() == {"Guest 21": "482917", "Guest 22": "735102"}
    assert cloud.max_active == 1
    assert cloud.commands == ["addaccesscode", "addaccesscode"]
    with pytest.raises(ProviderError):
        await provider.async_set_code(24, "482917")  # a duplicate
    cloud.fail["add"] = UnknownError("Bad gateway")
    with pytest.raises(ProviderError):
        await provider.async_set_code(25, "551093")
    # Every log line but one: with debug logging on, Home Assistant's event bus logs
    # each action call with its data ("Bus:Handling <Event call_service ...>"), the
    # code included. That is Home Assistant's own line (docs/providers say so).
    lines = [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if not (r.name == "homeassistant.core" and r.msg == "Bus:Handling %s")
    ]
    for code in ("482917", "735102", "551093"):
        assert not any(code in line for line in lines)


async def test_without_the_schlage_integration(hass: HomeAssistant) -> None:
    """Before Schlage is loaded, writes fail and are retried."""
    provider = SchlageProvider(hass, LOCK, {"lock_entity_id": LOCK})
    with pytest.raises(ProviderError, match="not found") as err:
        await provider.async_set_code(21, "482917")
    assert not err.value.permanent
