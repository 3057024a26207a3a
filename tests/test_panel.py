"""The Access codes panel: registered with the first lock, served, removed with the last."""

from datetime import timedelta

from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.backup_access_codes.const import DOMAIN
from custom_components.backup_access_codes.grants import PastStay
from custom_components.backup_access_codes.lock_state import (
    PAST_KEPT,
    PAST_KEPT_COUNT,
    LockState,
)
from custom_components.backup_access_codes.panel import (
    BUNDLE,
    PANEL_URL_PATH,
    async_register_panel,
)
from homeassistant.components import frontend
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from .conftest import START, add_entry, make_entry


async def test_panel_follows_the_locks(
    hass: HomeAssistant, locks: None, hass_client: ClientSessionGenerator
) -> None:
    """Admins-only sidebar panel while a lock is loaded; its bundle is served."""
    assert await async_setup_component(hass, "http", {})
    front = await add_entry(hass, make_entry())
    back = await add_entry(hass, make_entry("lock.back_door", entry_id="back"))
    assert frontend.async_panel_exists(hass, PANEL_URL_PATH)
    panel = hass.data[frontend.DATA_PANELS][PANEL_URL_PATH]
    assert panel.require_admin
    assert panel.sidebar_title == "Access codes"  # from translations/en.json
    assert panel.sidebar_icon == "mdi:dialpad"
    assert panel.config is not None
    custom = panel.config["_panel_custom"]
    assert custom["name"] == "backup-access-codes-panel"
    assert not custom["embed_iframe"]

    client = await hass_client()
    response = await client.get(custom["module_url"])
    assert response.status == 200
    assert await response.read() == BUNDLE.read_bytes()

    assert await hass.config_entries.async_unload(back.entry_id)
    assert frontend.async_panel_exists(hass, PANEL_URL_PATH)  # the front door is left
    assert await hass.config_entries.async_unload(front.entry_id)
    assert not frontend.async_panel_exists(hass, PANEL_URL_PATH)

    # Loaded again: the panel is back, at the same (already served) address.
    assert await hass.config_entries.async_setup(front.entry_id)
    await hass.async_block_till_done()
    again = hass.data[frontend.DATA_PANELS][PANEL_URL_PATH]
    assert again.config is not None
    assert again.config["_panel_custom"]["module_url"] == custom["module_url"]


async def test_locks_set_up_together_share_the_panel(
    hass: HomeAssistant, locks: None
) -> None:
    """Locks set up at once (as at start) register the panel once, and all of them load."""
    assert await async_setup_component(hass, "http", {})
    entries = [make_entry(), make_entry("lock.back_door", entry_id="back")]
    for entry in entries:
        entry.add_to_hass(hass)
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    assert [e.state for e in entries] == [ConfigEntryState.LOADED] * 2
    assert frontend.async_panel_exists(hass, PANEL_URL_PATH)


async def test_no_panel_without_http(hass: HomeAssistant) -> None:
    """Where Home Assistant serves no HTTP, no panel is registered.

    A loaded lock always brings HTTP now: its grants calendar sets up Home Assistant's
    calendar integration, which depends on it. The guard is checked on its own.
    """
    assert "http" not in hass.config.components
    await async_register_panel(hass)
    assert not frontend.async_panel_exists(hass, PANEL_URL_PATH)


def stay(name: str, ended: timedelta) -> PastStay:
    """A stay that ended ``ended`` before START."""
    return PastStay(
        grant_id=name,
        name=name,
        starts_at=START - ended - timedelta(days=1),
        ends_at=START - ended,
        key=None,
        is_backup_code=False,
        slot=25,
        told_at=None,
        first_used_at=None,
    )


def test_past_stays_are_kept_two_weeks_and_fifty_at_most() -> None:
    """Old stays are forgotten as new ones end; the list never grows without bound."""
    state = LockState()
    state.remember(stay("old", PAST_KEPT + timedelta(hours=1)), START)
    state.remember(stay("recent", timedelta(days=1)), START)
    assert [p.name for p in state.past] == ["recent"]
    for number in range(PAST_KEPT_COUNT + 5):
        state.remember(stay(f"guest {number}", timedelta(0)), START)
    assert len(state.past) == PAST_KEPT_COUNT
    assert state.past[-1].name == f"guest {PAST_KEPT_COUNT + 4}"
    assert LockState.from_dict(state.to_dict()) == state
