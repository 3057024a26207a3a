"""The Access codes panel's WebSocket API: admins only; no code except in ``reveal_code``."""

from collections.abc import Callable
from functools import wraps
import logging
from typing import Any

import probatio

from homeassistant.components import websocket_api
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.dispatcher import async_dispatcher_connect

from .const import (
    ATTR_ACCESS_GRANT_ID,
    ATTR_CODE,
    ATTR_ENDS_AT,
    ATTR_NAME,
    ATTR_STARTS_AT,
    CONF_LOCK_ENTITY_ID,
    DOMAIN,
    SIGNAL_CHANGED,
)
from .grant_actions import (
    as_utc,
    coordinator_for,
    coordinators_for,
    create_grant,
    delete_grant,
    grant_by_id,
    invalid,
    issue_backup,
    loaded_coordinators,
    rotate_idle_codes,
    update_grant,
)
from .panel_data import grant_on_lock, lock_payload, lock_summary, merged

_LOGGER = logging.getLogger(__name__)

type Handler = Callable[
    [HomeAssistant, websocket_api.ActiveConnection, dict[str, Any]], None
]

PREFIX = f"{DOMAIN}/"


def _translated_errors(handler: Handler) -> Handler:
    """Answer a host's bad input with its translated error (not logged as a failure)."""

    @wraps(handler)
    def wrapper(
        hass: HomeAssistant,
        connection: websocket_api.ActiveConnection,
        msg: dict[str, Any],
    ) -> None:
        try:
            handler(hass, connection, msg)
        except ServiceValidationError as err:
            connection.send_error(
                msg["id"],
                websocket_api.ERR_HOME_ASSISTANT_ERROR,
                str(err),
                translation_key=err.translation_key,
                translation_domain=err.translation_domain,
                translation_placeholders=err.translation_placeholders,
            )

    return wrapper


@callback
def async_setup_websocket_api(hass: HomeAssistant) -> None:
    """Register the panel's commands."""
    for handler in (
        ws_locks,
        ws_grants,
        ws_subscribe,
        ws_reveal_code,
        ws_create_grant,
        ws_update_grant,
        ws_delete_grant,
        ws_issue_backup_code,
        ws_rotate_backup_codes,
    ):
        websocket_api.async_register_command(hass, handler)


# ----- reading


@websocket_api.websocket_command({probatio.Required("type"): f"{PREFIX}locks"})
@websocket_api.require_admin
@callback
def ws_locks(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Every configured (loaded) lock: reachability, pool health, slots, last write."""
    connection.send_result(
        msg["id"],
        {"locks": [lock_summary(c) for c in loaded_coordinators(hass).values()]},
    )


@websocket_api.websocket_command({probatio.Required("type"): f"{PREFIX}grants"})
@websocket_api.require_admin
@callback
def ws_grants(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Every current and upcoming grant per lock, and the stays that ended."""
    payloads = [lock_payload(c) for c in loaded_coordinators(hass).values()]
    connection.send_result(
        msg["id"],
        {
            "grants": merged(g for p in payloads for g in p["grants"]),
            "past": merged(g for p in payloads for g in p["past"]),
        },
    )


@websocket_api.websocket_command({probatio.Required("type"): f"{PREFIX}subscribe"})
@websocket_api.require_admin
@callback
def ws_subscribe(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Send every lock now, then each lock again whenever it was evaluated.

    Events: ``{"full": true, "locks": [...]}`` first (and after a lock was added or
    removed), then ``{"full": false, "locks": [...], "removed": [entry ids]}``. Each lock
    carries its grants and past stays; changes within one pass of the event loop are
    sent together.
    """
    pending: set[str] = set()
    state = {"full": True, "scheduled": False}

    @callback
    def flush() -> None:
        state["scheduled"] = False
        if msg["id"] not in connection.subscriptions:
            return  # unsubscribed (or closed) before this pass of the loop ended
        loaded = loaded_coordinators(hass)
        if state["full"]:
            event: dict[str, Any] = {
                "full": True,
                "locks": [lock_payload(c) for c in loaded.values()],
            }
        else:
            event = {
                "full": False,
                "locks": [
                    lock_payload(loaded[i]) for i in sorted(pending) if i in loaded
                ],
                "removed": sorted(i for i in pending if i not in loaded),
            }
        state["full"] = False
        pending.clear()
        connection.send_message(websocket_api.event_message(msg["id"], event))

    @callback
    def schedule() -> None:
        if not state["scheduled"]:
            state["scheduled"] = True
            hass.loop.call_soon(flush)

    @callback
    def changed(entry_id: str) -> None:
        pending.add(entry_id)
        schedule()

    @callback
    def entry_changed(change: ConfigEntryChange, entry: ConfigEntry) -> None:
        if entry.domain == DOMAIN:
            state["full"] = True
            schedule()

    unsubs = [
        async_dispatcher_connect(hass, SIGNAL_CHANGED, changed),
        async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, entry_changed),
    ]

    @callback
    def unsubscribe() -> None:
        for unsub in unsubs:
            unsub()

    connection.subscriptions[msg["id"]] = unsubscribe
    connection.send_result(msg["id"])
    flush()


@websocket_api.websocket_command(
    {
        probatio.Required("type"): f"{PREFIX}reveal_code",
        probatio.Required(ATTR_ACCESS_GRANT_ID): cv.string,
        probatio.Required(CONF_LOCK_ENTITY_ID): cv.entity_id,
    }
)
@websocket_api.require_admin
@callback
@_translated_errors
def ws_reveal_code(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """The code a guest was last told on one lock: the only answer with a code."""
    grant = grant_by_id(hass, msg[ATTR_ACCESS_GRANT_ID])
    coordinator = coordinator_for(hass, msg[CONF_LOCK_ENTITY_ID])
    grant_lock = grant.locks.get(coordinator.entry.entry_id)
    if grant_lock is None:
        raise invalid(
            "grant_not_on_lock",
            access_grant_id=grant.grant_id,
            lock=coordinator.lock_name,
            lock_entity_id=coordinator.lock_entity_id,
        )
    if (told := grant_lock.told) is None:
        raise invalid(
            "no_code_told",
            lock=coordinator.lock_name,
            lock_entity_id=coordinator.lock_entity_id,
        )
    user = connection.user
    _LOGGER.info(
        "The code of access grant %s on %s was shown to %s",
        grant.grant_id,
        coordinator.lock_entity_id,
        user.name if user else "?",
    )
    connection.send_result(
        msg["id"],
        {
            ATTR_ACCESS_GRANT_ID: grant.grant_id,
            CONF_LOCK_ENTITY_ID: coordinator.lock_entity_id,
            ATTR_CODE: told.code,
            "is_backup_code": told.is_backup,
            "slot": told.slot,
            "told_at": told.issued_at.isoformat(),
        },
    )


# ----- grant commands (the actions' rules, from grant_actions)


@websocket_api.websocket_command(
    {
        probatio.Required("type"): f"{PREFIX}create_grant",
        probatio.Required(CONF_LOCK_ENTITY_ID): cv.entity_ids,
        probatio.Required(ATTR_NAME): cv.string,
        probatio.Required(ATTR_STARTS_AT): cv.datetime,
        probatio.Required(ATTR_ENDS_AT): cv.datetime,
        probatio.Optional(ATTR_CODE): cv.string,
    }
)
@websocket_api.require_admin
@callback
@_translated_errors
def ws_create_grant(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Create a grant as ``create_access_grant`` does; answer without its code."""
    coordinators = coordinators_for(hass, msg[CONF_LOCK_ENTITY_ID])
    grant = create_grant(
        hass,
        coordinators,
        name=msg[ATTR_NAME],
        starts_at=as_utc(msg[ATTR_STARTS_AT]),
        ends_at=as_utc(msg[ATTR_ENDS_AT]),
        code=msg.get(ATTR_CODE),
    )
    connection.send_result(
        msg["id"],
        {
            ATTR_ACCESS_GRANT_ID: grant.grant_id,
            "locks": [grant_on_lock(c, grant) for c in coordinators],
        },
    )


@websocket_api.websocket_command(
    {
        probatio.Required("type"): f"{PREFIX}update_grant",
        probatio.Required(ATTR_ACCESS_GRANT_ID): cv.string,
        probatio.Optional(ATTR_NAME): cv.string,
        probatio.Optional(ATTR_STARTS_AT): cv.datetime,
        probatio.Optional(ATTR_ENDS_AT): cv.datetime,
    }
)
@websocket_api.require_admin
@callback
@_translated_errors
def ws_update_grant(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Rename or move a grant, as ``update_access_grant`` does."""
    starts_at = msg.get(ATTR_STARTS_AT)
    ends_at = msg.get(ATTR_ENDS_AT)
    update_grant(
        hass,
        grant_by_id(hass, msg[ATTR_ACCESS_GRANT_ID]),
        name=msg.get(ATTR_NAME),
        starts_at=as_utc(starts_at) if starts_at else None,
        ends_at=as_utc(ends_at) if ends_at else None,
    )
    connection.send_result(msg["id"])


@websocket_api.websocket_command(
    {
        probatio.Required("type"): f"{PREFIX}delete_grant",
        probatio.Required(ATTR_ACCESS_GRANT_ID): cv.string,
    }
)
@websocket_api.require_admin
@callback
@_translated_errors
def ws_delete_grant(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Delete a grant, as ``delete_access_grant`` does."""
    delete_grant(hass, grant_by_id(hass, msg[ATTR_ACCESS_GRANT_ID]))
    connection.send_result(msg["id"])


@websocket_api.websocket_command(
    {
        probatio.Required("type"): f"{PREFIX}issue_backup_code",
        probatio.Required(ATTR_ACCESS_GRANT_ID): cv.string,
    }
)
@websocket_api.require_admin
@callback
@_translated_errors
def ws_issue_backup_code(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Give a grant a backup code now, as ``issue_backup_code`` does; no code in the answer."""
    grant = grant_by_id(hass, msg[ATTR_ACCESS_GRANT_ID])
    issue_backup(hass, grant)
    loaded = loaded_coordinators(hass)
    connection.send_result(
        msg["id"],
        {
            ATTR_ACCESS_GRANT_ID: grant.grant_id,
            "locks": [
                grant_on_lock(loaded[lock_id], grant)
                for lock_id in grant.locks
                if lock_id in loaded
            ],
        },
    )


@websocket_api.websocket_command(
    {
        probatio.Required("type"): f"{PREFIX}rotate_backup_codes",
        probatio.Required(CONF_LOCK_ENTITY_ID): cv.entity_id,
    }
)
@websocket_api.require_admin
@callback
@_translated_errors
def ws_rotate_backup_codes(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Replace a lock's idle backup codes, as ``rotate_backup_codes`` does."""
    rotate_idle_codes(coordinator_for(hass, msg[CONF_LOCK_ENTITY_ID]))
    connection.send_result(msg["id"])
