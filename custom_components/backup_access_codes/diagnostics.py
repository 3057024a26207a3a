"""Diagnostics of a lock, with every code redacted."""

from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.core import HomeAssistant

from .runtime import BackupAccessCodesConfigEntry

TO_REDACT = {"code", "next_code", "retired"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: BackupAccessCodesConfigEntry
) -> dict[str, Any]:
    """Return the lock's pool, slots and grants without a single code."""
    coordinator = entry.runtime_data.coordinator
    engine = coordinator.engine
    state = engine.state.to_dict()
    state["on_lock"] = {
        slot: None if code is None else REDACTED
        for slot, code in state["on_lock"].items()
    }
    health = engine.health()
    return {
        "entry": {"data": dict(entry.data), "options": dict(entry.options)},
        "online": coordinator.online,
        "health": {
            "size": health.size,
            "ready": health.ready,
            "in_use": health.in_use,
            "failed": health.failed,
            "empty": health.empty,
            "partial": health.partial,
            "many_active": health.many_active,
        },
        "lock_state": async_redact_data(state, TO_REDACT),
        "access_grants": [
            {
                **async_redact_data(
                    {k: v for k, v in grant.to_dict().items() if k != "locks"},
                    TO_REDACT,
                ),
                "on_this_lock": async_redact_data(grant_lock.to_dict(), TO_REDACT),
                "status": engine.status(grant, grant_lock).value,
            }
            for grant, grant_lock in engine.my_grants()
        ],
    }
