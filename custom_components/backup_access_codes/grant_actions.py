"""Creating, moving and deleting access grants.

Shared by the actions, the panel's commands, the grants calendar and calendar sync.
"""

from datetime import datetime
from typing import Any
import uuid

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from .codes import code_problem, generate_code
from .const import DOMAIN
from .coordinator import LockCoordinator
from .grants import Grant, GrantLock
from .store import DATA_STORAGE


def invalid(key: str, **placeholders: str) -> ServiceValidationError:
    """Return a translated validation error."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def as_utc(value: datetime) -> datetime:
    """Read a naive time in Home Assistant's time zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt_util.get_default_time_zone())
    return dt_util.as_utc(value)


def loaded_coordinators(hass: HomeAssistant) -> dict[str, LockCoordinator]:
    """Return the loaded locks by config entry id."""
    return {
        entry.entry_id: entry.runtime_data.coordinator
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
    }


def coordinator_for(hass: HomeAssistant, lock_entity_id: str) -> LockCoordinator:
    """Return the loaded lock with this entity id, or say why there is none."""
    for coordinator in loaded_coordinators(hass).values():
        if coordinator.lock_entity_id == lock_entity_id:
            return coordinator
    if (state := hass.states.get(lock_entity_id)) is None:
        raise invalid("unknown_lock", lock_entity_id=lock_entity_id)
    raise invalid("lock_not_configured", lock=state.name, lock_entity_id=lock_entity_id)


def coordinators_for(
    hass: HomeAssistant, lock_entity_ids: list[str]
) -> list[LockCoordinator]:
    """Return the loaded locks with these entity ids, each once, or say why not."""
    if not (unique := list(dict.fromkeys(lock_entity_ids))):
        raise invalid("no_lock_given")
    return [coordinator_for(hass, lock_entity_id) for lock_entity_id in unique]


def grants_of(hass: HomeAssistant) -> dict[str, Grant]:
    """Return every stored grant by id."""
    return hass.data[DATA_STORAGE].state.grants


def grant_by_id(hass: HomeAssistant, grant_id: str) -> Grant:
    """Return a grant, or say it does not exist."""
    if (grant := grants_of(hass).get(grant_id)) is None:
        raise invalid("unknown_access_grant", access_grant_id=grant_id)
    return grant


def grant_coordinators(hass: HomeAssistant, grant: Grant) -> list[LockCoordinator]:
    """Return the loaded locks of a grant."""
    loaded = loaded_coordinators(hass)
    return [loaded[lock_id] for lock_id in grant.locks if lock_id in loaded]


def check_times(starts_at: datetime, ends_at: datetime) -> None:
    """Refuse a grant that ends before it starts or is over already."""
    if ends_at <= starts_at:
        raise invalid("ends_before_starts")
    if ends_at <= dt_util.utcnow():
        raise invalid("ends_in_past")


def scheduled_code(coordinators: list[LockCoordinator], given: str | None) -> str:
    """Return the host's code after checking it on every lock, or a new one."""
    held: set[str] = set()
    for coordinator in coordinators:
        held |= coordinator.engine.held_codes()
    lengths = {c.engine.layout.code_length for c in coordinators}
    if given is None:
        if len(lengths) > 1:
            raise invalid("code_length_mismatch")
        return generate_code(lengths.pop(), held)
    for coordinator in coordinators:
        if problem := code_problem(given, coordinator.engine.layout.code_length, held):
            raise invalid(
                problem.value,
                lock=coordinator.lock_name,
                lock_entity_id=coordinator.lock_entity_id,
                length=str(coordinator.engine.layout.code_length),
            )
    return given


def create_grant(
    hass: HomeAssistant,
    coordinators: list[LockCoordinator],
    *,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    code: str | None = None,
    key: str | None = None,
) -> Grant:
    """Create a grant on the locks (times already in UTC) and apply its rules at once."""
    check_times(starts_at, ends_at)
    grant = Grant(
        grant_id=uuid.uuid4().hex,
        name=name,
        starts_at=starts_at,
        ends_at=ends_at,
        code=scheduled_code(coordinators, code),
        locks={c.entry.entry_id: GrantLock() for c in coordinators},
        key=key,
    )
    grants_of(hass)[grant.grant_id] = grant
    for coordinator in coordinators:
        coordinator.async_update()
    return grant


def update_grant(
    hass: HomeAssistant,
    grant: Grant,
    *,
    name: str | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> None:
    """Rename or move a grant; its timers are planned again."""
    new_start = starts_at or grant.starts_at
    new_end = ends_at or grant.ends_at
    check_times(new_start, new_end)
    grant.name = name or grant.name
    grant.starts_at, grant.ends_at = new_start, new_end
    for coordinator in grant_coordinators(hass, grant):
        coordinator.async_update()


def delete_grant(hass: HomeAssistant, grant: Grant) -> None:
    """End a grant now: codes are cleared, a backup it held is rotated."""
    coordinators = grant_coordinators(hass, grant)
    for coordinator in coordinators:
        coordinator.engine.remove_grant(grant)
    # Locks not loaded now rotate the backup when they start (the orphan rule).
    grant.locks.clear()
    grants_of(hass).pop(grant.grant_id, None)
    for coordinator in coordinators:
        coordinator.async_update()


def issue_backup(hass: HomeAssistant, grant: Grant) -> list[dict[str, Any]]:
    """Give a grant a backup code now on each of its locks; return its lock views.

    All or nothing: no guest is told a code when another lock of the grant has none.
    """
    coordinators = grant_coordinators(hass, grant)
    for coordinator in coordinators:
        if not coordinator.engine.can_give_backup(grant):
            raise invalid(
                "no_backup_code_available",
                lock=coordinator.lock_name,
                lock_entity_id=coordinator.lock_entity_id,
            )
    now = dt_util.utcnow()
    locks = []
    for coordinator in coordinators:
        coordinator.announce(coordinator.engine.issue_backup(grant, now))
        locks.append(lock_view(coordinator, grant))
    return locks


def rotate_idle_codes(coordinator: LockCoordinator) -> None:
    """Replace every pool code of a lock that no guest holds."""
    coordinator.engine.rotate_idle()
    coordinator.async_update()


def lock_view(coordinator: LockCoordinator, grant: Grant) -> dict[str, Any]:
    """Describe a grant on one lock: the code its guest was last told."""
    grant_lock = grant.locks[coordinator.entry.entry_id]
    told = grant_lock.told
    return {
        "lock_entity_id": coordinator.lock_entity_id,
        "code": told.code if told else None,
        "is_backup_code": told.is_backup if told else False,
        "slot": grant_lock.told_slot,
        "status": coordinator.engine.status(grant, grant_lock).value,
        "first_used_at": (
            grant_lock.first_used_at.isoformat() if grant_lock.first_used_at else None
        ),
    }
