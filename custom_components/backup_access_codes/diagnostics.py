"""Diagnostics of a lock, without a code or anything personal.

Hosts attach diagnostics to public bug reports. Codes are keys, and guests' names, booking
keys (a calendar uid and summary, or an automation's idempotency key) are personal data:
all are redacted. What helps debugging stays: counts, statuses, slots, times, and grant
ids as short hashes (the same grant has the same hash wherever it appears).
"""

from hashlib import sha256
from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.core import HomeAssistant

from .runtime import BackupAccessCodesConfigEntry

TO_REDACT = {"code", "next_code", "retired", "name"}
# Identifiers kept as hashes: enough to tell grants apart, nothing to look up.
TO_HASH = {"grant_id", "key"}


def short_hash(value: str) -> str:
    """Return a short, stable stand-in for an identifier."""
    return f"sha256:{sha256(value.encode()).hexdigest()[:12]}"


def _private(data: dict[str, Any]) -> dict[str, Any]:
    """Redact codes and names, hash identifiers, at any depth."""
    hashed = _hash_ids(data)
    redacted: dict[str, Any] = async_redact_data(hashed, TO_REDACT)
    return redacted


def _hash_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: short_hash(item)
            if key in TO_HASH and isinstance(item, str)
            else _hash_ids(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_hash_ids(item) for item in value]
    return value


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: BackupAccessCodesConfigEntry
) -> dict[str, Any]:
    """Return the lock's pool, slots and grants without a code or a guest's name."""
    coordinator = entry.runtime_data.coordinator
    engine = coordinator.engine
    state = engine.state.to_dict()
    state["on_lock"] = {
        slot: None if code is None else REDACTED
        for slot, code in state["on_lock"].items()
    }
    return {
        "entry": {"data": dict(entry.data), "options": dict(entry.options)},
        "online": coordinator.online,
        # Whether the lock keeps codes on time itself (its provider's answer, no codes).
        "lock_windows": coordinator.windows.diagnostics(),
        "health": engine.health().as_dict(),
        "lock_state": _private(state),
        "access_grants": [
            {
                **_private({k: v for k, v in grant.to_dict().items() if k != "locks"}),
                "made_by": _made_by(grant.key),
                "on_this_lock": _private(grant_lock.to_dict()),
                "status": engine.status(grant, grant_lock).value,
            }
            for grant, grant_lock in engine.my_grants()
        ],
    }


def _made_by(key: str | None) -> str:
    """Who made a grant (the kind of its key, never the key itself)."""
    if key is None:
        return "action"
    kind = key.split(":", 1)[0]
    return kind if kind in ("idempotency", "calendar") else "other"
