"""The Access codes sidebar panel: registered with the first lock, removed with the last."""

import asyncio
import hashlib
import logging
from pathlib import Path

from homeassistant.components import frontend, panel_custom
from homeassistant.components.http import StaticPathConfig
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN

PANEL_URL_PATH = "backup-access-codes"
PANEL_ELEMENT = "backup-access-codes-panel"
PANEL_ICON = "mdi:dialpad"
STATIC_URL = f"/{DOMAIN}_panel"
BUNDLE = Path(__file__).parent / "frontend" / f"{PANEL_ELEMENT}.js"
TITLE_KEY = f"component.{DOMAIN}.config_panel.panel.title"
DEFAULT_TITLE = "Access codes"

_LOGGER = logging.getLogger(__name__)

# The bundle's URL once its static path is registered (aiohttp routes cannot be removed,
# so it is registered once per run and kept across reloads).
_MODULE_URL: HassKey[str] = HassKey(f"{DOMAIN}_panel_module_url")
_REGISTERING: HassKey[asyncio.Lock] = HassKey(f"{DOMAIN}_panel_registering")


def _bundle_digest() -> str:
    return hashlib.sha256(BUNDLE.read_bytes()).hexdigest()[:16]


async def async_register_panel(hass: HomeAssistant) -> None:
    """Show the panel in the sidebar of admins (where Home Assistant serves HTTP)."""
    if "http" not in hass.config.components:
        return  # nothing could load the panel (tests without HTTP, a headless setup)
    # Locks set up together (at start) must not register it twice: that raises.
    async with hass.data.setdefault(_REGISTERING, asyncio.Lock()):
        await _async_register_panel(hass)


async def _async_register_panel(hass: HomeAssistant) -> None:
    if frontend.async_panel_exists(hass, PANEL_URL_PATH):
        return
    if (module_url := hass.data.get(_MODULE_URL)) is None:
        try:
            await hass.http.async_register_static_paths(
                [StaticPathConfig(STATIC_URL, str(BUNDLE.parent), cache_headers=True)]
            )
        except RuntimeError as err:
            # A server that no longer takes routes: the locks work on without the panel.
            _LOGGER.warning("The Access codes panel cannot be served: %s", err)
            return
        # The content's hash in the URL: a new release is never served from a cache.
        digest = await hass.async_add_executor_job(_bundle_digest)
        module_url = hass.data[_MODULE_URL] = f"{STATIC_URL}/{BUNDLE.name}?v={digest}"
    strings = await async_get_translations(
        hass, hass.config.language, "config_panel", [DOMAIN]
    )
    await panel_custom.async_register_panel(
        hass,
        frontend_url_path=PANEL_URL_PATH,
        webcomponent_name=PANEL_ELEMENT,
        sidebar_title=strings.get(TITLE_KEY, DEFAULT_TITLE),
        sidebar_icon=PANEL_ICON,
        module_url=module_url,
        require_admin=True,
    )


@callback
def async_remove_panel_if_unused(hass: HomeAssistant) -> None:
    """Remove the panel once no lock is loaded any more."""
    if not hass.config_entries.async_loaded_entries(DOMAIN):
        frontend.async_remove_panel(hass, PANEL_URL_PATH, warn_if_unknown=False)
