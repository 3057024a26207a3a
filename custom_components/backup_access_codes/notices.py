"""What one lock tells the outside: events for automations, logbook entries, repair issues."""

import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import (
    DOMAIN,
    EVENT_ISSUE_FAILED,
    EVENT_ISSUED,
    EVENT_NOTICE,
    EVENT_REISSUED,
)
from .engine import LockEngine
from .grants import Grant, NoCodeCause
from .lock_entity import lock_device_id, lock_name
from .outcomes import CodeIssued, IssueFailed, Outcome

_LOGGER = logging.getLogger(__name__)

# The repair (translation key) naming the guests without a working code, per cause.
NO_CODE_REPAIRS = {
    NoCodeCause.LOCK_OFFLINE: "no_code_lock_offline",
    NoCodeCause.SLOTS_FULL: "no_code_slots_full",
    NoCodeCause.CODE_REFUSED: "no_code_refused",
    NoCodeCause.NO_BACKUP: "no_backup_code",
}
REPAIRS = ("pool_empty", "backup_code_reused", *NO_CODE_REPAIRS.values())


class LockNotices:
    """Fires a lock's events, writes its logbook entries, raises and clears its repairs."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, lock_entity_id: str
    ) -> None:
        """Speak for the lock of ``entry``."""
        self.hass = hass
        self.entry = entry
        self.lock_entity_id = lock_entity_id
        # Each repair as last raised (its placeholders) or cleared (None).
        self._repairs: dict[str, dict[str, str] | None] = {}

    @property
    def lock_name(self) -> str:
        """Return the lock's friendly name (or its entity id)."""
        return lock_name(self.hass, self.lock_entity_id)

    @property
    def device_id(self) -> str | None:
        """Return the lock's device, or the one made for a lock without a device."""
        return lock_device_id(self.hass, self.entry.entry_id, self.lock_entity_id)

    def grant_event_base(self, grant: Grant) -> dict[str, Any]:
        """Return the data every event about a grant on this lock carries."""
        return {
            "access_grant_id": grant.grant_id,
            "name": grant.name,
            "lock_entity_id": self.lock_entity_id,
            "device_id": self.device_id,
            "starts_at": grant.starts_at.isoformat(),
            "ends_at": grant.ends_at.isoformat(),
        }

    # ----- events (the logbook describes the code-free notice: logbook.py)

    @callback
    def announce(self, outcomes: list[Outcome], grants: dict[str, Grant]) -> None:
        """Tell automations (events) and the host (logbook) what guests were told."""
        for outcome in outcomes:
            grant = grants.get(outcome.grant_id)
            if grant is None:
                continue
            base = self.grant_event_base(grant)
            if isinstance(outcome, IssueFailed):
                _LOGGER.warning(
                    "Access grant %s has no working code on %s (%s) and no backup "
                    "code is left",
                    grant.grant_id,
                    self.lock_entity_id,
                    outcome.cause,
                )
                failure = {"reason": outcome.reason, "cause": outcome.cause.value}
                self.hass.bus.async_fire(EVENT_ISSUE_FAILED, {**base, **failure})
                self._notice(
                    base, "issue_failed", variant=outcome.cause.value, **failure
                )
                continue
            self._fire_issued(outcome, base)
            kind = "reissued" if outcome.reissued else "issued"
            self._notice(
                base,
                f"{kind}_{'backup' if outcome.is_backup else 'scheduled'}",
                variant="previously_used" if outcome.previously_used else None,
                is_backup_code=outcome.is_backup,
                slot=outcome.slot,
                previously_used=outcome.previously_used,
            )

    @callback
    def _notice(
        self,
        base: dict[str, Any],
        kind: str,
        variant: str | None = None,
        **details: Any,
    ) -> None:
        """Fire the code-free notice the logbook shows (the code events may be unrecorded).

        ``variant`` picks a more precise wording of ``kind`` (why, or what kind of code).
        """
        if variant is not None:
            details["variant"] = variant
        self.hass.bus.async_fire(
            EVENT_NOTICE,
            {
                **base,
                "entity_id": self.lock_entity_id,  # what the logbook filters on
                "lock_name": self.lock_name,
                "kind": kind,
                **details,
            },
        )

    @callback
    def _fire_issued(self, outcome: CodeIssued, base: dict[str, Any]) -> None:
        kind = "reissued" if outcome.reissued else "issued"
        _LOGGER.info(
            "%s %s code for access grant %s on %s%s",
            kind.capitalize(),
            "a backup" if outcome.is_backup else "the scheduled",
            outcome.grant_id,
            self.lock_entity_id,
            " (a previous guest's code)" if outcome.previously_used else "",
        )
        self.hass.bus.async_fire(
            EVENT_REISSUED if outcome.reissued else EVENT_ISSUED,
            {
                "event_type": f"access_method.{kind}",
                **base,
                "access_method": {
                    "mode": "code",
                    "code": outcome.code,
                    "is_backup_code": outcome.is_backup,
                    "slot": outcome.slot,
                    "issued_at": outcome.issued_at.isoformat(),
                    # An earlier guest held this code too (no fresh one was left).
                    "previously_used": outcome.previously_used,
                },
            },
        )

    # ----- repairs

    @callback
    def update_repairs(self, engine: LockEngine) -> None:
        """Raise or clear the lock's repair issues to match its state."""
        without: dict[NoCodeCause, list[str]] = {cause: [] for cause in NO_CODE_REPAIRS}
        reused: list[str] = []
        for grant, grant_lock in engine.my_grants():
            if grant_lock.no_code is not None:
                without[grant_lock.no_code].append(grant.name)
            told = grant_lock.told
            if grant_lock.backup_slot is not None and told and told.previously_used:
                reused.append(grant.name)
        health = engine.health()
        self._set_repair("pool_empty", health.empty, ir.IssueSeverity.ERROR, {})
        self._set_repair(
            "backup_code_reused",
            bool(reused),
            ir.IssueSeverity.WARNING,
            {"grants": ", ".join(reused)},
        )
        layout = engine.layout
        for cause, key in NO_CODE_REPAIRS.items():
            self._set_repair(
                key,
                bool(without[cause]),
                ir.IssueSeverity.WARNING,
                {
                    "grants": ", ".join(without[cause]),
                    "guest_slots": str(len(layout.grant_slots)),
                    "pool_size": str(health.size),
                    "in_use": str(health.in_use),
                },
            )

    @callback
    def _set_repair(
        self,
        key: str,
        active: bool,
        severity: ir.IssueSeverity,
        placeholders: dict[str, str],
    ) -> None:
        """Raise the lock's repair issue ``key`` while ``active``, delete it after."""
        issue_id = f"{key}_{self.entry.entry_id}"
        wanted = {"lock": self.lock_name, **placeholders} if active else None
        if key in self._repairs and self._repairs[key] == wanted:
            return  # raised with these words, or cleared, already
        self._repairs[key] = wanted
        if wanted is None:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=severity,
            translation_key=key,
            translation_placeholders=wanted,
        )


def remove_repairs(hass: HomeAssistant, entry_id: str) -> None:
    """Delete a lock's repair issues (its entry is gone)."""
    for issue in REPAIRS:
        ir.async_delete_issue(hass, DOMAIN, f"{issue}_{entry_id}")
