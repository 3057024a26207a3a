"""The integration's actions. Each creates or reveals codes, so each needs an admin."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
import uuid

from homeassistant.core import HomeAssistant, ServiceCall, SupportsResponse, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_register_admin_service
from homeassistant.util import dt as dt_util
import probatio

from .codes import code_problem, generate_code
from .const import (
    ATTR_ACCESS_GRANT_ID,
    ATTR_CODE,
    ATTR_ENDS_AT,
    ATTR_NAME,
    ATTR_STARTS_AT,
    CONF_LOCK_ENTITY_ID,
    DOMAIN,
)
from .grants import Grant, GrantLock
from .store import DATA_STORAGE

if TYPE_CHECKING:
    from .coordinator import LockCoordinator

SERVICE_CREATE = "create_access_grant"
SERVICE_UPDATE = "update_access_grant"
SERVICE_DELETE = "delete_access_grant"
SERVICE_LIST = "list_access_grants"
SERVICE_ISSUE_BACKUP = "issue_backup_code"
SERVICE_ROTATE = "rotate_backup_codes"

CREATE_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_LOCK_ENTITY_ID): cv.entity_ids,
        probatio.Required(ATTR_NAME): cv.string,
        probatio.Required(ATTR_STARTS_AT): cv.datetime,
        probatio.Required(ATTR_ENDS_AT): cv.datetime,
        probatio.Optional(ATTR_CODE): cv.string,
    }
)
UPDATE_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_ACCESS_GRANT_ID): cv.string,
        probatio.Optional(ATTR_NAME): cv.string,
        probatio.Optional(ATTR_STARTS_AT): cv.datetime,
        probatio.Optional(ATTR_ENDS_AT): cv.datetime,
    }
)
GRANT_ID_SCHEMA = probatio.Schema({probatio.Required(ATTR_ACCESS_GRANT_ID): cv.string})
LIST_SCHEMA = probatio.Schema({probatio.Optional(CONF_LOCK_ENTITY_ID): cv.entity_id})
LOCK_SCHEMA = probatio.Schema({probatio.Required(CONF_LOCK_ENTITY_ID): cv.entity_id})


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def _as_utc(value: datetime) -> datetime:
    """Read a naive time in Home Assistant's time zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt_util.get_default_time_zone())
    return dt_util.as_utc(value)


def _coordinators(hass: HomeAssistant) -> dict[str, LockCoordinator]:
    """Return the loaded locks by config entry id."""
    return {
        entry.entry_id: entry.runtime_data
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
    }


def _coordinator_for(hass: HomeAssistant, lock_entity_id: str) -> LockCoordinator:
    for coordinator in _coordinators(hass).values():
        if coordinator.lock_entity_id == lock_entity_id:
            return coordinator
    if hass.states.get(lock_entity_id) is None:
        raise _invalid("unknown_lock", lock_entity_id=lock_entity_id)
    raise _invalid("lock_not_configured", lock_entity_id=lock_entity_id)


def _grant(hass: HomeAssistant, grant_id: str) -> Grant:
    if (grant := hass.data[DATA_STORAGE].state.grants.get(grant_id)) is None:
        raise _invalid("unknown_access_grant", access_grant_id=grant_id)
    return grant


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise _invalid("ends_before_starts")
    if ends_at <= dt_util.utcnow():
        raise _invalid("ends_in_past")


def _grant_coordinators(hass: HomeAssistant, grant: Grant) -> list[LockCoordinator]:
    loaded = _coordinators(hass)
    return [loaded[lock_id] for lock_id in grant.locks if lock_id in loaded]


def _scheduled_code(coordinators: list[LockCoordinator], given: str | None) -> str:
    """Return the host's code after checking it on every lock, or a new one."""
    held: set[str] = set()
    for coordinator in coordinators:
        held |= coordinator.engine.held_codes()
    lengths = {c.engine.layout.code_length for c in coordinators}
    if given is None:
        if len(lengths) > 1:
            raise _invalid("code_length_mismatch")
        return generate_code(lengths.pop(), held)
    for coordinator in coordinators:
        if problem := code_problem(given, coordinator.engine.layout.code_length, held):
            raise _invalid(
                problem.value,
                lock_entity_id=coordinator.lock_entity_id,
                length=str(coordinator.engine.layout.code_length),
            )
    return given


def _lock_view(coordinator: LockCoordinator, grant: Grant) -> dict[str, Any]:
    """Describe a grant on one lock: the code its guest was last told."""
    grant_lock = grant.locks[coordinator.entry.entry_id]
    told = grant_lock.told
    slot = grant_lock.slot
    if told is not None and told.is_backup:
        slot = told.slot
    return {
        "lock_entity_id": coordinator.lock_entity_id,
        "code": told.code if told else None,
        "is_backup_code": told.is_backup if told else False,
        "slot": slot,
        "status": coordinator.engine.status(grant, grant_lock).value,
    }


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""

    async def create_access_grant(call: ServiceCall) -> dict[str, Any]:
        lock_ids: list[str] = list(dict.fromkeys(call.data[CONF_LOCK_ENTITY_ID]))
        if not lock_ids:
            raise _invalid("unknown_lock", lock_entity_id="")
        coordinators = [_coordinator_for(hass, lock_id) for lock_id in lock_ids]
        starts_at = _as_utc(call.data[ATTR_STARTS_AT])
        ends_at = _as_utc(call.data[ATTR_ENDS_AT])
        _check_times(starts_at, ends_at)
        code = _scheduled_code(coordinators, call.data.get(ATTR_CODE))
        grant = Grant(
            grant_id=uuid.uuid4().hex,
            name=call.data[ATTR_NAME],
            starts_at=starts_at,
            ends_at=ends_at,
            code=code,
            locks={c.entry.entry_id: GrantLock() for c in coordinators},
        )
        coordinators[0].storage.state.grants[grant.grant_id] = grant
        for coordinator in coordinators:
            coordinator.async_update()
        return {ATTR_ACCESS_GRANT_ID: grant.grant_id, ATTR_CODE: code}

    async def update_access_grant(call: ServiceCall) -> None:
        grant = _grant(hass, call.data[ATTR_ACCESS_GRANT_ID])
        starts_at = _as_utc(call.data.get(ATTR_STARTS_AT, grant.starts_at))
        ends_at = _as_utc(call.data.get(ATTR_ENDS_AT, grant.ends_at))
        _check_times(starts_at, ends_at)
        grant.name = call.data.get(ATTR_NAME, grant.name)
        grant.starts_at, grant.ends_at = starts_at, ends_at
        for coordinator in _grant_coordinators(hass, grant):
            coordinator.async_update()

    async def delete_access_grant(call: ServiceCall) -> None:
        grant = _grant(hass, call.data[ATTR_ACCESS_GRANT_ID])
        coordinators = _grant_coordinators(hass, grant)
        for coordinator in coordinators:
            coordinator.engine.remove_grant(grant)
        # Locks not loaded now rotate the backup when they start (orphan rule).
        grant.locks.clear()
        hass.data[DATA_STORAGE].state.grants.pop(grant.grant_id, None)
        for coordinator in coordinators:
            coordinator.async_update()

    async def list_access_grants(call: ServiceCall) -> dict[str, Any]:
        only = call.data.get(CONF_LOCK_ENTITY_ID)
        if only is not None:
            _coordinator_for(hass, only)
        loaded = _coordinators(hass)
        grants = []
        for grant in sorted(
            hass.data[DATA_STORAGE].state.grants.values(),
            key=lambda g: (g.starts_at, g.grant_id),
        ):
            locks = [
                _lock_view(loaded[lock_id], grant)
                for lock_id in grant.locks
                if lock_id in loaded
                and (only is None or loaded[lock_id].lock_entity_id == only)
            ]
            if not locks:
                continue
            grants.append(
                {
                    ATTR_ACCESS_GRANT_ID: grant.grant_id,
                    ATTR_NAME: grant.name,
                    ATTR_STARTS_AT: grant.starts_at.isoformat(),
                    ATTR_ENDS_AT: grant.ends_at.isoformat(),
                    "locks": locks,
                }
            )
        return {"access_grants": grants}

    async def issue_backup_code(call: ServiceCall) -> dict[str, Any]:
        grant = _grant(hass, call.data[ATTR_ACCESS_GRANT_ID])
        now = dt_util.utcnow()
        locks = []
        for coordinator in _grant_coordinators(hass, grant):
            coordinator.announce(coordinator.engine.issue_backup(grant, now))
            view = _lock_view(coordinator, grant)
            if not view["is_backup_code"]:
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="no_backup_code_available",
                    translation_placeholders={
                        "lock_entity_id": coordinator.lock_entity_id
                    },
                )
            locks.append(view)
        return {
            ATTR_ACCESS_GRANT_ID: grant.grant_id,
            ATTR_CODE: locks[0]["code"] if locks else None,
            "locks": locks,
        }

    async def rotate_backup_codes(call: ServiceCall) -> None:
        coordinator = _coordinator_for(hass, call.data[CONF_LOCK_ENTITY_ID])
        coordinator.engine.rotate_idle()
        coordinator.async_update()

    for name, handler, schema, response in (
        (SERVICE_CREATE, create_access_grant, CREATE_SCHEMA, SupportsResponse.OPTIONAL),
        (SERVICE_UPDATE, update_access_grant, UPDATE_SCHEMA, SupportsResponse.NONE),
        (SERVICE_DELETE, delete_access_grant, GRANT_ID_SCHEMA, SupportsResponse.NONE),
        (SERVICE_LIST, list_access_grants, LIST_SCHEMA, SupportsResponse.ONLY),
        (
            SERVICE_ISSUE_BACKUP,
            issue_backup_code,
            GRANT_ID_SCHEMA,
            SupportsResponse.OPTIONAL,
        ),
        (SERVICE_ROTATE, rotate_backup_codes, LOCK_SCHEMA, SupportsResponse.NONE),
    ):
        async_register_admin_service(
            hass, DOMAIN, name, handler, schema, supports_response=response
        )
