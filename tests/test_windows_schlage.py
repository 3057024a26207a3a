"""Lock-kept windows on Schlage: temporary access codes through the real Schlage integration.

The Schlage integration and pyschlage are real (as in ``test_provider_schlage``); the
provider uses the integration's own pyschlage lock for temporary codes. The simulated
cloud stores codes as Schlage does and says when the lock would take one (``opens``):
a temporary code only between its activation and expiration.
"""

from collections.abc import Generator
from datetime import UTC, datetime, timedelta
import logging
from typing import Any
from unittest.mock import patch

from pyschlage.exceptions import UnknownError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.backup_access_codes.providers import ProviderError
from custom_components.backup_access_codes.providers.schlage import SchlageProvider
from custom_components.backup_access_codes.providers.windows import (
    ClockStatus,
    Window,
    WindowSupport,
    windowed,
)
from homeassistant.core import HomeAssistant

from .test_provider_schlage import (  # fixtures are used by name
    LOCK,
    FakeSchlageCloud,
    provider,  # noqa: F401
    schlage,  # noqa: F401
)

WINDOW = Window(
    datetime(2026, 12, 5, 14, 0, tzinfo=UTC), datetime(2026, 12, 8, 11, 0, tzinfo=UTC)
)
ALWAYS = (0, 0xFFFFFFFF)


class ScheduleCloud(FakeSchlageCloud):
    """Schlage's cloud with temporary codes (``updateaccesscode`` changes one in place)."""

    device_type = "be499"  # an Encode Plus

    def _command(self, name: str, data: dict[str, Any]) -> Any:
        if name == "updateaccesscode":
            self.commands.append(name)
            self.codes[data["accesscodeId"]] = dict(data)
            return {"accesscodeId": data["accesscodeId"]}
        return super()._command(name, data)

    def _lock_json(self) -> dict[str, Any]:
        return {**super()._lock_json(), "devicetypeId": self.device_type}

    def named(self, name: str) -> dict[str, Any]:
        """The one code of that name, as stored."""
        [code] = [c for c in self.codes.values() if c["friendlyName"] == name]
        return code

    def opens(self, code: str, at: datetime) -> bool:
        """Whether the lock takes ``code`` at ``at``."""
        for stored in self.codes.values():
            if f"{stored['accessCode']:0{stored['accessCodeLength']}}" != code:
                continue
            window = (stored["activationSecs"], stored["expirationSecs"])
            return window == ALWAYS or window[0] <= at.timestamp() < window[1]
        return False


@pytest.fixture
def cloud() -> Generator[ScheduleCloud]:
    """The simulated cloud, in place of pyschlage's authenticated transport."""
    fake = ScheduleCloud()
    with patch("pyschlage.Auth", return_value=fake):
        yield fake


async def test_capability(
    hass: HomeAssistant,
    schlage: MockConfigEntry,  # noqa: F811
    provider: SchlageProvider,  # noqa: F811
    cloud: ScheduleCloud,
) -> None:
    """Wi-Fi locks take temporary codes; their clock is Schlage's."""
    assert windowed(provider) is provider
    capability = await provider.async_window_capability()
    assert capability.support is WindowSupport.SUPPORTED
    assert capability.clock is ClockStatus.CLOUD
    assert capability.usable
    # Before the integration is loaded (or for another lock), nothing can be told.
    capability = await SchlageProvider(hass, "lock.other", {}).async_window_capability()
    assert capability.support is WindowSupport.UNKNOWN
    assert await hass.config_entries.async_unload(schlage.entry_id)
    capability = await provider.async_window_capability()
    assert capability.support is WindowSupport.UNKNOWN
    with pytest.raises(ProviderError, match="not loaded") as err:
        await provider.async_set_windowed_code(25, "482917", WINDOW)
    assert not err.value.permanent


async def test_other_models(
    hass: HomeAssistant,
    cloud: ScheduleCloud,
    schlage: MockConfigEntry,  # noqa: F811
) -> None:
    """A model that is not one of the Wi-Fi locks gets no windows."""
    cloud.device_type = "br400"  # a bridge-connected model
    await schlage.runtime_data.async_refresh()
    encode = SchlageProvider(hass, LOCK, {"lock_entity_id": LOCK})
    capability = await encode.async_window_capability()
    assert capability.support is WindowSupport.NOT_SUPPORTED
    assert capability.reason == "no_temporary_codes"


async def test_windowed_code(
    provider: SchlageProvider,  # noqa: F811
    cloud: ScheduleCloud,
) -> None:
    """The code goes on days ahead; the lock refuses it outside its window."""
    cloud.add_code("Cleaner", "555123")
    assert await provider.async_set_windowed_code(25, "482917", WINDOW) is True
    stored = cloud.named("Guest 25")
    assert (stored["activationSecs"], stored["expirationSecs"]) == (
        int(WINDOW.starts_at.timestamp()),
        int(WINDOW.ends_at.timestamp()),
    )
    minute = timedelta(minutes=1)
    assert not cloud.opens("482917", WINDOW.starts_at - minute)
    assert cloud.opens("482917", WINDOW.starts_at)
    assert not cloud.opens("482917", WINDOW.ends_at)
    assert cloud.opens("555123", WINDOW.ends_at)  # the host's own code is untouched
    assert cloud.commands == ["addaccesscode"]

    # Moved or extended: the same code keeps its id, only its window changes.
    longer = Window(WINDOW.starts_at, WINDOW.ends_at + timedelta(days=1))
    code_id = stored["accesscodeId"]
    assert await provider.async_set_windowed_code(25, "482917", longer) is True
    assert cloud.commands == ["addaccesscode", "updateaccesscode"]
    assert cloud.named("Guest 25")["accesscodeId"] == code_id
    assert cloud.opens("482917", WINDOW.ends_at)

    # Another code for the slot: the old one goes.
    await provider.async_set_windowed_code(25, "735102", longer)
    assert cloud.by_name() == {"Cleaner": "555123", "Guest 25": "735102"}
    assert cloud.commands[-2:] == ["deleteaccesscode", "addaccesscode"]

    # The same code put on without a window (a grant back on today's rules) must not
    # keep the old window: it is written again, working at any time.
    assert await provider.async_set_code(25, "735102") is True
    assert (
        cloud.named("Guest 25")["activationSecs"],
        cloud.named("Guest 25")["expirationSecs"],
    ) == ALWAYS

    # Cleared at check-out: the code is gone.
    await provider.async_set_windowed_code(25, "735102", WINDOW)
    assert await provider.async_clear_code(25) is True
    assert cloud.by_name() == {"Cleaner": "555123"}


async def test_refusals_and_failures(
    schlage: MockConfigEntry,  # noqa: F811
    provider: SchlageProvider,  # noqa: F811
    cloud: ScheduleCloud,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A duplicate is for good; the cloud failing or not keeping the window is not."""
    caplog.set_level(logging.DEBUG)
    cloud.add_code("Cleaner", "555123")
    with pytest.raises(ProviderError, match="already has these digits") as err:
        await provider.async_set_windowed_code(25, "555123", WINDOW)
    assert err.value.permanent

    cloud.fail["add"] = UnknownError("Bad gateway 482917")
    with pytest.raises(ProviderError, match="could not add the code") as err:
        await provider.async_set_windowed_code(25, "482917", WINDOW)
    assert not err.value.permanent
    assert "482917" not in str(err.value)

    cloud.fail["list"] = UnknownError("Internal server error")
    with pytest.raises(ProviderError, match="could not list the codes") as err:
        await provider.async_set_windowed_code(25, "482917", WINDOW)
    assert not err.value.permanent

    cloud.drop_adds = True
    with pytest.raises(ProviderError, match="with its window") as err:
        await provider.async_set_windowed_code(25, "482917", WINDOW)
    assert not err.value.permanent

    cloud.drop_adds = False
    cloud.connected = False
    await schlage.runtime_data.async_refresh()
    with pytest.raises(ProviderError, match="offline") as err:
        await provider.async_set_windowed_code(25, "482917", WINDOW)
    assert not err.value.permanent
    assert not [r for r in caplog.records if "482917" in r.getMessage()]
