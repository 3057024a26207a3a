"""Lock providers: how codes reach a lock."""

from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from ..const import (
    CONF_CLEAR_CODE_SCRIPT,
    CONF_PROVIDER,
    CONF_SET_CODE_SCRIPT,
    CONF_WINDOW_SCRIPT,
    PROVIDER_SCRIPT,
)
from . import matter, schlage, zha, zigbee2mqtt, zwave_js_schedule
from .base import BaseProvider, Capacity, LockProvider, ProviderError
from .script import ScriptProvider

__all__ = [
    "BaseProvider",
    "Capacity",
    "LockProvider",
    "ProviderError",
    "ScriptProvider",
    "create_provider",
    "detect_provider",
]

type ProviderFactory = Callable[[HomeAssistant, str, Mapping[str, Any]], LockProvider]

# Native providers by name, each a module with a provider class and a `detect` rule.
NATIVE: dict[str, tuple[ModuleType, str]] = {
    "matter": (matter, "MatterProvider"),
    "schlage": (schlage, "SchlageProvider"),
    "zha": (zha, "ZhaProvider"),
    "zigbee2mqtt": (zigbee2mqtt, "Zigbee2MqttProvider"),
    # Z-Wave JS codes (zwave_js), with year-day schedules where the lock keeps them.
    "zwave_js": (zwave_js_schedule, "ZwaveJSScheduleProvider"),
}

# Lock platforms whose integrations offer no way to program codes in Home Assistant.
NO_CODE_INTERFACE = frozenset(
    {
        "august",
        "esphome",
        "igloohome",
        "nuki",
        "switchbot",
        "tedee",
        "yale",
        "yalexs_ble",
    }
)


def detect_provider(
    hass: HomeAssistant, registry_entry: er.RegistryEntry | None
) -> str:
    """Return the native provider that fits a lock entity, or the script provider."""
    if registry_entry is not None:
        for name, (module, _) in NATIVE.items():
            if module.detect(hass, registry_entry):
                return name
    return PROVIDER_SCRIPT


def create_provider(
    hass: HomeAssistant, lock_entity_id: str, data: Mapping[str, Any]
) -> LockProvider:
    """Return the provider a config entry's data asks for."""
    provider = data.get(CONF_PROVIDER, PROVIDER_SCRIPT)
    if provider == PROVIDER_SCRIPT:
        return ScriptProvider(
            hass,
            lock_entity_id,
            set_script=data[CONF_SET_CODE_SCRIPT],
            clear_script=data[CONF_CLEAR_CODE_SCRIPT],
            window_script=data.get(CONF_WINDOW_SCRIPT),
        )
    if provider not in NATIVE:
        raise ValueError(f"unknown provider {provider}")
    module, class_name = NATIVE[provider]
    factory: ProviderFactory = getattr(module, class_name)
    return factory(hass, lock_entity_id, data)
