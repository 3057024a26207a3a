"""Lock providers: how codes reach a lock."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.core import HomeAssistant

from ..const import (
    CONF_CLEAR_CODE_SCRIPT,
    CONF_PROVIDER,
    CONF_SET_CODE_SCRIPT,
    PROVIDER_SCRIPT,
)
from .base import BaseProvider, Capacity, LockProvider, ProviderError
from .script import ScriptProvider

__all__ = [
    "BaseProvider",
    "Capacity",
    "LockProvider",
    "ProviderError",
    "ScriptProvider",
    "create_provider",
]


def create_provider(
    hass: HomeAssistant, lock_entity_id: str, data: Mapping[str, Any]
) -> LockProvider:
    """Return the provider a config entry's data asks for."""
    provider = data.get(CONF_PROVIDER, PROVIDER_SCRIPT)
    if provider != PROVIDER_SCRIPT:
        raise ValueError(f"unknown provider {provider}")
    return ScriptProvider(
        hass,
        lock_entity_id,
        set_script=data[CONF_SET_CODE_SCRIPT],
        clear_script=data[CONF_CLEAR_CODE_SCRIPT],
    )
