"""Logbook entries for what guests were told (never a code).

The entries describe ``backup_access_codes_notice``, a code-free companion of the issued,
reissued and issue-failed events: hosts may keep the code-carrying events out of the recorder
(README, Privacy) and still see every issuance in the lock's logbook. The wording comes from the
integration's translations (``common``), in Home Assistant's language.
"""

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
    LazyEventPartialState,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.translation import async_get_cached_translations

from .const import DOMAIN, EVENT_NOTICE


def notice_text(hass: HomeAssistant, data: Mapping[str, Any]) -> str:
    """Return the logbook wording of a notice in Home Assistant's language."""
    key = f"logbook_{data.get('kind')}"
    strings = async_get_cached_translations(
        hass, hass.config.language, "common", DOMAIN
    )
    # A notice may say more (why a guest has no code, a previous guest's code): its own
    # wording, where there is one.
    detailed = f"{key}_{data['variant']}" if data.get("variant") else key
    template = (
        strings.get(f"component.{DOMAIN}.common.{detailed}")
        or strings.get(f"component.{DOMAIN}.common.{key}")
        or key
    )
    placeholders = {
        "name": str(data.get("name") or ""),
        "slot": str(data.get("slot") or ""),
    }
    for placeholder, value in placeholders.items():
        template = template.replace(f"{{{placeholder}}}", value)
    return template


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[
        [str, str, Callable[[LazyEventPartialState], dict[str, Any]]], None
    ],
) -> None:
    """Describe the integration's notices."""

    @callback
    def describe(event: LazyEventPartialState) -> dict[str, Any]:
        data = event.data
        return {
            LOGBOOK_ENTRY_NAME: data.get("lock_name") or data.get("lock_entity_id"),
            LOGBOOK_ENTRY_MESSAGE: notice_text(hass, data),
            LOGBOOK_ENTRY_ENTITY_ID: data.get("lock_entity_id"),
        }

    async_describe_event(DOMAIN, EVENT_NOTICE, describe)
