"""The integration's actions. Each creates or reveals codes, so each needs an admin."""

from typing import TYPE_CHECKING, Any

import probatio

from homeassistant.core import HomeAssistant, ServiceCall, SupportsResponse, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_register_admin_service

from .const import (
    ATTR_ACCESS_GRANT_ID,
    ATTR_CODE,
    ATTR_ENDS_AT,
    ATTR_IDEMPOTENCY_KEY,
    ATTR_NAME,
    ATTR_STARTS_AT,
    CONF_LOCK_ENTITY_ID,
    DOMAIN,
)
from .grant_actions import (
    as_utc,
    coordinator_for,
    coordinators_for,
    create_grant,
    delete_grant,
    grant_by_id,
    grants_of,
    invalid,
    issue_backup,
    loaded_coordinators,
    lock_view,
    rotate_idle_codes,
    update_grant,
)
from .grants import Grant

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
        probatio.Optional(ATTR_IDEMPOTENCY_KEY): cv.string,
    }
)
IDEMPOTENCY_PREFIX = "idempotency:"
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


def _grant_with_key(hass: HomeAssistant, key: str) -> Grant | None:
    wanted = f"{IDEMPOTENCY_PREFIX}{key}"
    return next((g for g in grants_of(hass).values() if g.key == wanted), None)


def _created(coordinators: list[LockCoordinator], grant: Grant) -> dict[str, Any]:
    """Answer a create: the scheduled code, and per lock the code the guest was told."""
    return {
        ATTR_ACCESS_GRANT_ID: grant.grant_id,
        ATTR_CODE: grant.code,
        "locks": [lock_view(coordinator, grant) for coordinator in coordinators],
    }


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""

    async def create_access_grant(call: ServiceCall) -> dict[str, Any]:
        coordinators = coordinators_for(hass, call.data[CONF_LOCK_ENTITY_ID])
        starts_at = as_utc(call.data[ATTR_STARTS_AT])
        ends_at = as_utc(call.data[ATTR_ENDS_AT])
        if (key := call.data.get(ATTR_IDEMPOTENCY_KEY)) is not None:
            if (same := _grant_with_key(hass, key)) is not None:
                # A retried call: answer as the first time, create nothing.
                if (
                    same.name != call.data[ATTR_NAME]
                    or (same.starts_at, same.ends_at) != (starts_at, ends_at)
                    or set(same.locks) != {c.entry.entry_id for c in coordinators}
                ):
                    raise invalid("idempotency_key_reused", idempotency_key=key)
                return _created(coordinators, same)
            key = f"{IDEMPOTENCY_PREFIX}{key}"
        grant = create_grant(
            hass,
            coordinators,
            name=call.data[ATTR_NAME],
            starts_at=starts_at,
            ends_at=ends_at,
            code=call.data.get(ATTR_CODE),
            key=key,
        )
        return _created(coordinators, grant)

    async def update_access_grant(call: ServiceCall) -> None:
        starts_at = call.data.get(ATTR_STARTS_AT)
        ends_at = call.data.get(ATTR_ENDS_AT)
        update_grant(
            hass,
            grant_by_id(hass, call.data[ATTR_ACCESS_GRANT_ID]),
            name=call.data.get(ATTR_NAME),
            starts_at=as_utc(starts_at) if starts_at else None,
            ends_at=as_utc(ends_at) if ends_at else None,
        )

    async def delete_access_grant(call: ServiceCall) -> None:
        delete_grant(hass, grant_by_id(hass, call.data[ATTR_ACCESS_GRANT_ID]))

    async def list_access_grants(call: ServiceCall) -> dict[str, Any]:
        only = call.data.get(CONF_LOCK_ENTITY_ID)
        if only is not None:
            coordinator_for(hass, only)
        loaded = loaded_coordinators(hass)
        grants = []
        for grant in sorted(
            grants_of(hass).values(),
            key=lambda g: (g.starts_at, g.grant_id),
        ):
            locks = [
                lock_view(loaded[lock_id], grant)
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
        grant = grant_by_id(hass, call.data[ATTR_ACCESS_GRANT_ID])
        locks = issue_backup(hass, grant)
        return {
            ATTR_ACCESS_GRANT_ID: grant.grant_id,
            ATTR_CODE: locks[0]["code"] if locks else None,
            "locks": locks,
        }

    async def rotate_backup_codes(call: ServiceCall) -> None:
        rotate_idle_codes(coordinator_for(hass, call.data[CONF_LOCK_ENTITY_ID]))

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
