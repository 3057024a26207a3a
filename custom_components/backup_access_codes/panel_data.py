"""What the Access codes panel shows of each lock and its grants: never a code."""

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .const import CONF_CALENDAR, CONF_PROVIDER, PROVIDER_SCRIPT
from .coordinator import lock_offline_reason
from .grant_actions import lock_view
from .grants import Grant, PastStay
from .options import entry_options
from .pool import PoolStatus
from .reservations import CALENDAR_KEY_PREFIX

if TYPE_CHECKING:
    from .coordinator import LockCoordinator


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def from_calendar(key: str | None) -> bool:
    """Return True for a grant a reservation calendar made."""
    return key is not None and key.startswith(CALENDAR_KEY_PREFIX)


def lock_summary(coordinator: LockCoordinator) -> dict[str, Any]:
    """Describe one lock: reachability, pool health, slots, writes."""
    engine = coordinator.engine
    layout = engine.layout
    online = coordinator.online
    offline_reason = None
    if not online:
        offline_reason = (
            lock_offline_reason(
                coordinator.hass, coordinator.lock_entity_id, coordinator.provider
            )
            or "unknown"  # reachable again, not yet evaluated
        )
    return {
        "entry_id": coordinator.entry.entry_id,
        "lock_entity_id": coordinator.lock_entity_id,
        "name": coordinator.lock_name,
        "device_id": coordinator.device_id,
        "provider": coordinator.entry.data.get(CONF_PROVIDER, PROVIDER_SCRIPT),
        "online": online,
        "offline_reason": offline_reason,
        "pool": {
            **engine.health().as_dict(),
            "rotating": sum(
                1 for p in engine.state.pool if p.status is PoolStatus.ROTATING
            ),
        },
        "supports_pool": layout.supports_pool,
        "code_length": layout.code_length,
        "slots": {
            "first": layout.first_slot,
            "last": layout.first_slot + layout.slot_count - 1,
            "pool": [layout.pool_slots.start, layout.pool_slots.stop - 1],
            "grants": [layout.grant_slots.start, layout.grant_slots.stop - 1],
        },
        "unverified_slots": sorted(engine.state.unverified),
        "last_write_at": _iso(engine.state.last_write_at),
        "calendar_entity_id": entry_options(coordinator.entry.options).get(
            CONF_CALENDAR
        ),
    }


def grant_on_lock(coordinator: LockCoordinator, grant: Grant) -> dict[str, Any]:
    """Describe a grant on one lock, as ``list_access_grants`` does, without the code."""
    view = lock_view(coordinator, grant)
    told = grant.locks[coordinator.entry.entry_id].told
    del view["code"]
    return {
        **view,
        "entry_id": coordinator.entry.entry_id,
        "told_at": _iso(told.issued_at if told else None),
        "has_code": told is not None,
    }


def _grant_head(grant: Grant | PastStay) -> dict[str, Any]:
    return {
        "access_grant_id": grant.grant_id,
        "name": grant.name,
        "starts_at": grant.starts_at.isoformat(),
        "ends_at": grant.ends_at.isoformat(),
        "from_calendar": from_calendar(grant.key),
    }


def past_on_lock(coordinator: LockCoordinator, stay: PastStay) -> dict[str, Any]:
    """Describe a stay that ended on one lock."""
    return {
        "entry_id": coordinator.entry.entry_id,
        "lock_entity_id": coordinator.lock_entity_id,
        "is_backup_code": stay.is_backup_code,
        "slot": stay.slot,
        "told_at": _iso(stay.told_at),
        "first_used_at": _iso(stay.first_used_at),
    }


def lock_payload(coordinator: LockCoordinator) -> dict[str, Any]:
    """Everything the panel shows of one lock: itself, its grants, its past stays.

    The panel's live updates send this per changed lock; the panel merges grants on
    several locks by their id.
    """
    return {
        **lock_summary(coordinator),
        "grants": [
            {**_grant_head(grant), "lock": grant_on_lock(coordinator, grant)}
            for grant, _ in coordinator.engine.my_grants()
        ],
        "past": [
            {**_grant_head(stay), "lock": past_on_lock(coordinator, stay)}
            for stay in coordinator.engine.state.past
        ],
    }


def merged(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge per-lock entries of the same grant into one with a list of ``locks``."""
    by_id: dict[str, dict[str, Any]] = {}
    for item in items:
        head = {k: v for k, v in item.items() if k != "lock"}
        entry = by_id.setdefault(item["access_grant_id"], {**head, "locks": []})
        entry["locks"].append(item["lock"])
    return sorted(by_id.values(), key=lambda g: (g["starts_at"], g["access_grant_id"]))
