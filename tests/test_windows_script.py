"""Lock-kept windows through the script provider: an optional third script.

Real scripts (``tests/conftest.py``): ``script.set_code_with_window`` fires the test write
event with the variables it got, so the test sees exactly what a host's script sees.
"""

from datetime import datetime, timedelta

import pytest

from custom_components.backup_access_codes.const import (
    CONF_CLEAR_CODE_SCRIPT,
    CONF_LOCK_ENTITY_ID,
    CONF_SET_CODE_SCRIPT,
    CONF_WINDOW_SCRIPT,
    DOMAIN,
)
from custom_components.backup_access_codes.providers import (
    ProviderError,
    ScriptProvider,
    create_provider,
)
from custom_components.backup_access_codes.providers.windows import (
    ClockStatus,
    Window,
    WindowRefusedError,
    WindowSupport,
    windowed,
)
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util

from .conftest import LOCK, set_writes_fail

WINDOW_SCRIPT = "script.set_code_with_window"
SCRIPTS = {
    CONF_SET_CODE_SCRIPT: "script.set_code",
    CONF_CLEAR_CODE_SCRIPT: "script.clear_code",
}


def windowed_provider(hass: HomeAssistant) -> ScriptProvider:
    """The front door's provider with the three scripts."""
    return ScriptProvider(
        hass,
        LOCK,
        set_script="script.set_code",
        clear_script="script.clear_code",
        window_script=WINDOW_SCRIPT,
    )


def window() -> Window:
    """Check-in in four days minus the program lead, to check-out three days later."""
    start = dt_util.utcnow() + timedelta(days=4, microseconds=250)
    return Window(start, start + timedelta(days=3))


async def test_capability(hass: HomeAssistant, locks: None) -> None:
    """Windows only with the third script; the host's lock keeps its own clock."""
    plain = create_provider(hass, LOCK, {**SCRIPTS})
    capability = await windowed(plain).async_window_capability()  # type: ignore[union-attr]
    assert capability.support is WindowSupport.NOT_SUPPORTED
    assert capability.reason == "no_window_script"
    with pytest.raises(WindowRefusedError):
        await plain.async_set_windowed_code(25, "482917", window())  # type: ignore[attr-defined]

    provider = create_provider(
        hass, LOCK, {**SCRIPTS, CONF_WINDOW_SCRIPT: WINDOW_SCRIPT}
    )
    assert isinstance(provider, ScriptProvider)
    capability = await provider.async_window_capability()
    assert capability.support is WindowSupport.SUPPORTED
    assert capability.clock is ClockStatus.HOST
    assert capability.usable


async def test_window_script_gets_the_window(
    hass: HomeAssistant, writes: list[Event]
) -> None:
    """starts_at and ends_at in Home Assistant's time zone, whole seconds, inwards."""
    provider = windowed_provider(hass)
    asked = window()
    assert await provider.async_set_windowed_code(25, "048213", asked) is False
    [event] = writes
    assert event.data["slot"] == 25
    assert event.data["code"] == "048213"  # a leading zero survives `| string`
    starts_at = datetime.fromisoformat(event.data["starts_at"])
    ends_at = datetime.fromisoformat(event.data["ends_at"])
    assert starts_at.utcoffset() == dt_util.as_local(asked.starts_at).utcoffset()
    assert starts_at == asked.starts_at.replace(microsecond=0) + timedelta(seconds=1)
    assert ends_at == asked.ends_at.replace(microsecond=0)


async def test_window_script_failures(hass: HomeAssistant, locks: None) -> None:
    """success: false and a missing script fail the write without the code."""
    provider = windowed_provider(hass)
    await set_writes_fail(hass, True)
    with pytest.raises(ProviderError, match="success: false") as err:
        await provider.async_set_windowed_code(25, "482917", window())
    assert not isinstance(err.value, WindowRefusedError)
    provider.window_script = "script.gone"
    with pytest.raises(ProviderError) as err:
        await provider.async_set_windowed_code(25, "482917", window())
    assert "482917" not in str(err.value)


async def test_config_flow_takes_the_window_script(
    hass: HomeAssistant, locks: None
) -> None:
    """The third script is optional, checked when given, and can be changed or dropped."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_LOCK_ENTITY_ID: LOCK}
    )
    assert CONF_WINDOW_SCRIPT in result["data_schema"].schema
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**SCRIPTS, CONF_WINDOW_SCRIPT: "script.missing"}
    )
    assert result["errors"] == {CONF_WINDOW_SCRIPT: "script_not_found"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**SCRIPTS, CONF_WINDOW_SCRIPT: WINDOW_SCRIPT}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.data[CONF_WINDOW_SCRIPT] == WINDOW_SCRIPT
    await hass.async_block_till_done()

    # Reconfigure shows it, and leaving it empty drops it.
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], SCRIPTS)
    assert result["reason"] == "reconfigure_successful"
    assert CONF_WINDOW_SCRIPT not in entry.data
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**SCRIPTS, CONF_WINDOW_SCRIPT: WINDOW_SCRIPT}
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_WINDOW_SCRIPT] == WINDOW_SCRIPT
    assert entry.data[CONF_SET_CODE_SCRIPT] == "script.set_code"
    await hass.async_block_till_done()
