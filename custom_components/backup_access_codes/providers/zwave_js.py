"""The Z-Wave JS provider: codes through Home Assistant's zwave_js actions.

Writes go through the zwave_js integration's own lock actions, chosen per node by the
command class the lock speaks:

- User Code CC (most locks, e.g. Schlage BE469): ``zwave_js.set_lock_usercode`` and
  ``zwave_js.clear_lock_usercode`` (``code_slot`` = our 1-based slot). Home Assistant
  throws the lock's set result away, and a dead node answers at once as if the write
  worked, so every write is confirmed here: the provider waits (on Home Assistant's
  timers, at most ``READ_BACK_SECONDS``) for the lock's own report of that slot, asks
  the lock once more if none came, and reads the slot with ``zwave_js.get_lock_usercode``.
  The report normally comes about a second after the write: zwave-js 15.22 and later
  verify every User Code write with a Get ``refreshValueAfterTransition`` (1 s) later,
  supervised (S2) or not (``UserCodeCCAPI``'s ``SET_VALUE_HOOKS`` force the
  verification). Older drivers skipped that Get after a successful supervised write;
  such a write waits ``READ_BACK_SECONDS`` and asks the lock, once.
- User Credential CC (newer locks): ``zwave_js.set_user`` (user ``slot`` with a PIN
  credential in credential slot ``slot``) and ``zwave_js.delete_credential``, confirmed
  with ``zwave_js.get_users``; capacity from ``zwave_js.get_credential_capabilities``.

Reachability comes from the node itself: a dead node keeps its lock entity available, so
``offline_reason()`` is ``dead_node`` while the node is dead. zwave-js announces a return
with the node's "alive" event, sent before anything else the node says
(``Driver.handleRequest`` marks a dead node alive on any frame from it,
``Driver.handleSerialAPICommandResult`` when a command to it, a ping, succeeds); a "ready"
event carries the status in a full node dump. The provider follows all of them. A lock that comes back without a word
(a battery lock marked dead after one failed command may stay silent for hours) is
found by pinging its node while it stays dead: after a minute, then doubling to an hour.

The ``zwave_js_server`` library is imported only when a Z-Wave lock is actually used: it
is installed with the zwave_js integration, not with this one.
"""

import asyncio
from collections.abc import Callable, Mapping
from datetime import datetime
import logging
from typing import TYPE_CHECKING, Any, Literal

from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
)
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceNotFound,
    ServiceNotSupported,
    ServiceValidationError,
)
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_call_later, async_track_state_change_event

from .base import (
    BaseProvider,
    Capacity,
    ProviderError,
    async_wait,
    call_action,
    call_with_timeout,
    describe_error,
)

if TYPE_CHECKING:
    from zwave_js_server.model.node import Node

_LOGGER = logging.getLogger(__name__)

ZWAVE_JS = "zwave_js"
NOTIFICATION_EVENT = "zwave_js_notification"

USER_CODE_CC = 0x63  # 99
USER_CREDENTIAL_CC = 0x83  # 131
NOTIFICATION_CC = 0x71  # 113
ACCESS_CONTROL = 6  # Notification CC type
# Access Control events that name the user whose code opened the lock.
KEYPAD_UNLOCK_EVENTS = frozenset(
    {
        6,  # Keypad unlock operation
        34,  # Unlock operation with user code
        36,  # Credential unlock/close operation (User Credential CC locks)
    }
)
DUPLICATE_CODE_EVENT = 15  # New user code not added due to duplicate code

USER_CODE = "userCode"
USER_ID_STATUS = "userIdStatus"
NODE_STATUS_DEAD = 3  # zwave_js_server.const.NodeStatus.DEAD

# How long a write waits for the lock's own report of the slot (each of two rounds).
READ_BACK_SECONDS = 10.0
# Node events that change (or carry) its status: "ready" brings a full node state.
STATUS_EVENTS = ("dead", "alive", "sleep", "wake up", "ready")
# Pings of a dead node: the first this long after it died, then doubling up to the last.
FIRST_PING_SECONDS = 60.0
MAX_PING_SECONDS = 3600.0

# Home Assistant's zwave_js errors (translation keys) that mean "not this code, not here".
PERMANENT_KEYS = frozenset(
    {
        "credential_rejected_duplicate",
        "credential_rejected_manufacturer_rules",
        "credential_rejected_add_occupied",
        "credential_rejected_wrong_uuid",
        "user_rejected_add_occupied",
        "credential_data_invalid_length",
        "credential_data_pin_not_digits",
        "credential_type_not_supported",
        "credential_required",
        "no_available_user_slots",
        "no_available_credential_slots",
        "access_control_not_supported",
        "get_lock_usercode_not_found",
    }
)
# zwave_js_server errors (the cause of Home Assistant's error) that retrying cannot fix.
PERMANENT_CAUSES = frozenset(
    {"NotFoundError", "UnwriteableValue", "InvalidNewValue", "ValueTypeError"}
)

type Outcome = Literal["reported", "duplicate", "dead", "timeout"]


def detect(hass: HomeAssistant, registry_entry: er.RegistryEntry) -> bool:
    """Return True for a lock entity of the zwave_js integration."""
    return registry_entry.platform == ZWAVE_JS and registry_entry.domain == "lock"


def is_masked(code: object) -> bool:
    """Return True for a read-back that hides the code (some locks never reveal it)."""
    return isinstance(code, str) and (code == "" or set(code) == {"*"})


class _SlotWatch:
    """What the node says about one slot while a write to it is in flight.

    Value updates count only once ``armed``, i.e. after the write's action returned:
    zwave-js before 15.22 updated its cache with the written value while the write was
    in flight (its event then arrives before the action returns), which says the frame
    was delivered, not what the lock made of it. The lock's own report (zwave-js's
    verification Get, about a second after the write) or an explicit ``get`` comes
    later.
    """

    def __init__(self, hass: HomeAssistant, node: Node, slot: int, prop: str) -> None:
        self.hass = hass
        self.slot = slot
        self.prop = prop
        self.armed = False
        self.outcome: asyncio.Future[Outcome] = hass.loop.create_future()
        self._unsubs = [
            node.on("value updated", self._value_updated),
            node.on("value added", self._value_updated),
            node.on("notification", self._notification),
            node.on("dead", self._dead),
        ]

    def close(self) -> None:
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()

    def _finish(self, outcome: Outcome) -> None:
        if not self.outcome.done():
            self.outcome.set_result(outcome)

    def _value_updated(self, data: dict[str, Any]) -> None:
        args = data.get("args", {})
        if (
            args.get("commandClass") == USER_CODE_CC
            and args.get("property") == self.prop
            and args.get("propertyKey") == self.slot
            and self.armed
        ):
            self._finish("reported")

    def _notification(self, data: dict[str, Any]) -> None:
        args = data.get("args", {})
        if (
            data.get("ccId") == NOTIFICATION_CC
            and args.get("type") == ACCESS_CONTROL
            and args.get("event") == DUPLICATE_CODE_EVENT
        ):
            self._finish("duplicate")

    def _dead(self, _data: dict[str, Any]) -> None:
        self._finish("dead")

    async def wait(self, seconds: float) -> Outcome:
        """Return what happened, or "timeout" after ``seconds`` on Home Assistant's timers."""
        if not self.outcome.done():
            await async_wait(self.hass, seconds, self.outcome)
        return self.outcome.result() if self.outcome.done() else "timeout"


class ZwaveJSProvider(BaseProvider):
    """Sets and clears codes on a Z-Wave JS lock and confirms them on the node."""

    # A Z-Wave mesh (and a battery lock's radio) needs a breath between two commands.
    min_gap = 1.0

    def __init__(
        self, hass: HomeAssistant, lock_entity_id: str, data: Mapping[str, Any]
    ) -> None:
        """Remember the lock; the node is looked up on every use (it changes on reload)."""
        super().__init__(hass, lock_entity_id, data)
        self._watched_node: Node | None = None
        self._node_unsubs: list[Callable[[], None]] = []
        self._ping_delay = FIRST_PING_SECONDS
        self._ping_timer: Callable[[], None] | None = None
        self._ping_task: asyncio.Task[None] | None = None

    # ----- the node

    def _node(self) -> Node | None:
        """Return the lock's Z-Wave node, or None while zwave_js cannot tell."""
        if ZWAVE_JS not in self.hass.config.components:
            return None  # not set up (yet): its library may not even be installed
        # Not exported by the component's root; imported late, like its library.
        from homeassistant.components.zwave_js.helpers import (
            async_get_node_from_entity_id,
        )

        try:
            return async_get_node_from_entity_id(self.hass, self.lock_entity_id)
        except ValueError:
            return None

    def _require_node(self) -> Node:
        state = self.hass.states.get(self.lock_entity_id)
        if state is None or state.state == STATE_UNAVAILABLE:
            # An entity action silently skips an unavailable entity: nothing would
            # be written, yet the call would return as if it had worked.
            raise ProviderError(f"{self.lock_entity_id} is unavailable")
        node = self._node()
        if node is None:
            raise ProviderError(f"{self.lock_entity_id}: no Z-Wave node (not loaded)")
        if node.status == NODE_STATUS_DEAD:
            raise ProviderError(f"{self.lock_entity_id}: the Z-Wave node is dead")
        return node

    @staticmethod
    def _uses_user_credential(node: Node) -> bool:
        """Return True when the lock speaks User Credential CC (not User Code CC)."""
        return any(cc.id == USER_CREDENTIAL_CC for cc in node.command_classes)

    # ----- reachability

    def offline_reason(self) -> str | None:
        """Return ``dead_node`` while the node is dead, ``no_node`` while it is not found."""
        if (node := self._node()) is None:
            return "no_node"
        return "dead_node" if node.status == NODE_STATUS_DEAD else None

    def async_start(self, on_change: Callable[[], None]) -> Callable[[], None]:
        """Follow the node's status; re-attach when zwave_js reloads (new node objects)."""

        @callback
        def status_changed(_data: dict[str, Any] | None = None) -> None:
            self._plan_ping()
            on_change()

        @callback
        def attach() -> None:
            node = self._node()
            if node is self._watched_node:
                return
            detach()
            self._watched_node = node
            if node is not None:
                self._node_unsubs = [
                    node.on(event, status_changed) for event in STATUS_EVENTS
                ]
            self._plan_ping()
            on_change()

        @callback
        def detach() -> None:
            for unsub in self._node_unsubs:
                unsub()
            self._node_unsubs = []
            self._watched_node = None
            self._plan_ping()

        @callback
        def lock_state_changed(_event: Event[EventStateChangedData]) -> None:
            attach()

        @callback
        def entry_changed(_change: ConfigEntryChange, entry: ConfigEntry) -> None:
            if entry.domain == ZWAVE_JS:
                attach()  # loaded (new node objects) or unloading (none)

        attach()
        unsubs = [
            async_track_state_change_event(
                self.hass, [self.lock_entity_id], lock_state_changed
            ),
            async_dispatcher_connect(
                self.hass, SIGNAL_CONFIG_ENTRY_CHANGED, entry_changed
            ),
        ]

        def stop() -> None:
            for unsub in unsubs:
                unsub()
            detach()

        return stop

    # ----- pinging a dead node

    @callback
    def _plan_ping(self) -> None:
        """Ping the watched node while it is dead; forget the plan once it is not."""
        node = self._watched_node
        if node is None or node.status != NODE_STATUS_DEAD:
            if self._ping_timer is not None:
                self._ping_timer()
                self._ping_timer = None
            if node is None and self._ping_task is not None:
                self._ping_task.cancel()  # no node to ask any more
                self._ping_task = None
            self._ping_delay = FIRST_PING_SECONDS
            return
        if self._ping_timer is None and self._ping_task is None:
            self._ping_timer = async_call_later(
                self.hass, self._ping_delay, self._ping_due
            )

    @callback
    def _ping_due(self, _now: datetime) -> None:
        self._ping_timer = None
        node = self._watched_node
        if node is None:
            return
        self._ping_delay = min(self._ping_delay * 2, MAX_PING_SECONDS)
        task = self.hass.async_create_background_task(
            self._ping(node), f"backup_access_codes ping {self.lock_entity_id}"
        )
        if not task.done():  # an eager task may have run to its end already
            self._ping_task = task

    async def _ping(self, node: Node) -> None:
        """Ask zwave-js to ping the node: one that answers is marked alive ("alive")."""
        _LOGGER.debug("%s: pinging its dead Z-Wave node", self.lock_entity_id)
        try:
            # Not under the lock's call guard: a write to a node that came back in the
            # meantime must not wait for this ping (zwave-js queues both).
            responded = await call_with_timeout(self.hass, node.async_ping())
        except asyncio.CancelledError:
            raise  # the provider stops, or zwave_js unloads
        except Exception as err:  # noqa: BLE001 - a failed ping: still dead
            _LOGGER.debug(
                "%s: the ping failed: %s", self.lock_entity_id, type(err).__name__
            )
        else:
            _LOGGER.debug(
                "%s: the node %s the ping",
                self.lock_entity_id,
                "answered" if responded else "did not answer",
            )
        self._ping_task = None
        self._plan_ping()

    # ----- keypad use

    def async_track_code_use(
        self, on_used: Callable[[int], None]
    ) -> Callable[[], None]:
        """Call ``on_used(slot)`` when the keypad opens the lock with a slot's code.

        From zwave_js's ``zwave_js_notification`` events (Notification CC, Access
        Control, with the user id in the event parameters).
        """

        @callback
        def notified(event: Event[dict[str, Any]]) -> None:
            data = event.data
            entry = er.async_get(self.hass).async_get(self.lock_entity_id)
            if (
                entry is None
                or entry.device_id is None
                or data.get("device_id") != entry.device_id
                or data.get("command_class") != NOTIFICATION_CC
                or data.get("type") != ACCESS_CONTROL
                or data.get("event") not in KEYPAD_UNLOCK_EVENTS
            ):
                return
            parameters = data.get("parameters")
            user_id = parameters.get("userId") if isinstance(parameters, dict) else None
            if (
                isinstance(user_id, int)
                and not isinstance(user_id, bool)
                and user_id > 0
            ):
                on_used(user_id)

        return self.hass.bus.async_listen(NOTIFICATION_EVENT, notified)

    # ----- capacity

    async def async_capacity(self) -> Capacity | None:
        """Return the slots and code lengths the lock reports, or None."""
        node = self._node()
        if node is None:
            return None
        if self._uses_user_credential(node):
            try:
                return await self._credential_capacity()
            except ProviderError:
                return None  # the lock cannot tell right now
        return self._user_code_capacity(node)

    def _user_code_capacity(self, node: Node) -> Capacity | None:
        slots: dict[int, Any] = {}
        for value in node.values.values():
            if (
                value.command_class == USER_CODE_CC
                and value.property_ == USER_CODE
                and isinstance(value.property_key, int)
            ):
                slots[value.property_key] = value
        if not slots:
            return None
        count = 0
        while count + 1 in slots:
            count += 1
        meta = slots[1].metadata.data if 1 in slots else {}
        min_length = int(meta.get("minLength", 4))
        max_length = int(meta.get("maxLength", 10))
        # Some locks (Schlage) take codes of one configured length only.
        if (length := self._configured_pin_length(node)) is not None:
            min_length = max_length = length
        return Capacity(slots=count, min_length=min_length, max_length=max_length)

    @staticmethod
    def _configured_pin_length(node: Node) -> int | None:
        for value in node.values.values():
            label = (value.metadata.label or "").lower()
            if (
                value.command_class == 0x70  # Configuration CC
                and "length" in label
                and ("pin" in label or "code" in label)
                and isinstance(value.value, int)
                and 4 <= value.value <= 10
            ):
                return value.value
        return None

    async def _credential_capacity(self) -> Capacity | None:
        response = await self._call("get_credential_capabilities", {}, response=True)
        caps = _entity_response(response, self.lock_entity_id)
        pin = caps.get("supported_credential_types", {}).get("pin_code")
        if not isinstance(pin, dict):
            return None
        slots = min(int(caps.get("max_users", 0)), int(pin.get("num_slots", 0)))
        return Capacity(
            slots=slots,
            min_length=int(pin.get("min_length", 4)),
            max_length=int(pin.get("max_length", 10)),
        )

    # ----- writes

    async def async_set_code(self, slot: int, code: str) -> bool:
        """Write ``code`` into ``slot``; True when the lock reported that very code."""
        async with self._busy:
            node = self._require_node()
            if self._uses_user_credential(node):
                return await self._set_credential(slot, code)
            return await self._set_user_code(node, slot, code)

    async def async_clear_code(self, slot: int) -> bool:
        """Empty ``slot``; True when the lock reported it empty."""
        async with self._busy:
            node = self._require_node()
            if self._uses_user_credential(node):
                return await self._clear_credential(slot)
            return await self._clear_user_code(node, slot)

    # User Code CC

    async def _set_user_code(self, node: Node, slot: int, code: str) -> bool:
        watch = _SlotWatch(self.hass, node, slot, USER_CODE)
        try:
            await self._call(
                "set_lock_usercode", {"code_slot": slot, "usercode": code}, secret=code
            )
            watch.armed = True
            await self._await_report(node, watch, slot)
        finally:
            watch.close()
        usercode, in_use = await self._read_slot(slot)
        if usercode == code:
            return True
        if in_use is False:
            raise ProviderError(
                f"{self.lock_entity_id} did not take the code for slot {slot}"
                " (the slot reads back empty)",
                permanent=True,
            )
        if is_masked(usercode):
            return False  # the lock hides its codes: sent, unverified
        raise ProviderError(
            f"{self.lock_entity_id} kept another code in slot {slot}", permanent=True
        )

    async def _clear_user_code(self, node: Node, slot: int) -> bool:
        watch = _SlotWatch(self.hass, node, slot, USER_ID_STATUS)
        try:
            await self._call("clear_lock_usercode", {"code_slot": slot})
            watch.armed = True
            await self._await_report(node, watch, slot)
        finally:
            watch.close()
        _usercode, in_use = await self._read_slot(slot)
        if in_use:
            raise ProviderError(
                f"{self.lock_entity_id} still holds a code in slot {slot}"
            )
        return True

    async def _await_report(self, node: Node, watch: _SlotWatch, slot: int) -> None:
        """Wait for the lock's report of the slot; ask it once if none comes."""
        outcome = await watch.wait(READ_BACK_SECONDS)
        if outcome == "timeout":
            # Nothing came back (an older driver after a supervised write, or a lock
            # that did not answer zwave-js's Get). Ask the lock for the slot, once.
            from zwave_js_server.util.lock import get_usercode_from_node

            try:
                await call_with_timeout(self.hass, get_usercode_from_node(node, slot))
            except Exception as err:  # noqa: BLE001 - any failure: the slot is unconfirmed
                raise ProviderError(
                    f"{self.lock_entity_id} did not report slot {slot} back: "
                    f"{type(err).__name__}"
                ) from None
            # The answer is in zwave-js's value cache now (a duplicate or a dead node
            # seen meanwhile still counts).
            outcome = watch.outcome.result() if watch.outcome.done() else "reported"
        if outcome == "duplicate":
            raise ProviderError(
                f"{self.lock_entity_id} refused the code for slot {slot}:"
                " it duplicates another code on the lock",
                permanent=True,
            )
        if outcome == "dead":
            raise ProviderError(
                f"{self.lock_entity_id}: the Z-Wave node died during the write"
            )

    async def _read_slot(self, slot: int) -> tuple[object, bool | None]:
        """Return the slot's code as the lock last reported it, and whether it is in use."""
        response = await self._call(
            "get_lock_usercode", {"code_slot": slot}, response=True
        )
        slot_data = _entity_response(response, self.lock_entity_id).get(str(slot))
        if not isinstance(slot_data, dict):
            raise ProviderError(f"{self.lock_entity_id}: slot {slot} was not read back")
        in_use = slot_data.get("in_use")
        return slot_data.get("usercode"), in_use if isinstance(in_use, bool) else None

    # User Credential CC

    async def _set_credential(self, slot: int, code: str) -> bool:
        await self._call(
            "set_user",
            {
                "user_id": slot,
                "user_type": "general",
                "active": True,
                "credential_type": "pin_code",
                "credential_slot": slot,
                "credential_data": code,
            },
            secret=code,
            response=True,
        )
        if not await self._has_pin(slot):
            raise ProviderError(
                f"{self.lock_entity_id} does not list a PIN for user {slot} after the write"
            )
        # The lock confirmed the credential, but User Credential locks never hand the
        # PIN back through Home Assistant: sent, unverified.
        return False

    async def _clear_credential(self, slot: int) -> bool:
        try:
            await self._call(
                "delete_credential",
                {
                    "user_id": slot,
                    "credential_type": "pin_code",
                    "credential_slot": slot,
                },
            )
        except ProviderError as err:
            if "credential_rejected_modify_empty" not in str(err):
                raise
            # Nothing there: already clear.
        if await self._has_pin(slot):
            raise ProviderError(
                f"{self.lock_entity_id} still lists a PIN for user {slot}"
            )
        return True

    async def _has_pin(self, slot: int) -> bool:
        response = await self._call("get_users", {}, response=True)
        users = _entity_response(response, self.lock_entity_id).get("users", [])
        return any(
            isinstance(user, dict)
            and user.get("user_id") == slot
            and any(
                cred.get("type") == "pin_code" and cred.get("slot") == slot
                for cred in user.get("credentials", [])
                if isinstance(cred, dict)
            )
            for user in users
        )

    # ----- calling zwave_js

    async def _call(
        self,
        service: str,
        data: dict[str, Any],
        *,
        secret: str | None = None,
        response: bool = False,
    ) -> Any:
        """Call a zwave_js action on the lock; turn every failure into ProviderError."""
        return await call_action(
            self.hass,
            ZWAVE_JS,
            service,
            {ATTR_ENTITY_ID: self.lock_entity_id, **data},
            response=response,
            secret=secret,
            permanent=_is_permanent,
            describe=_describe,
        )


def _entity_response(response: Any, entity_id: str) -> dict[str, Any]:
    """Return one entity's part of an entity action's response."""
    if isinstance(response, dict) and isinstance(part := response.get(entity_id), dict):
        return part
    return {}


def _describe(err: BaseException) -> str:
    """The error's text, and Home Assistant's translation key (what _is_permanent reads)."""
    key = getattr(err, "translation_key", None)
    text = describe_error(err)
    return f"{text} ({key})" if key else text


def _is_permanent(err: BaseException) -> bool:
    """Return True when retrying the same write cannot help."""
    if getattr(err, "translation_key", None) in PERMANENT_KEYS:
        return True
    cause = err.__cause__
    if cause is not None and type(cause).__name__ in PERMANENT_CAUSES:
        return True
    if isinstance(err, (ServiceNotFound, ServiceNotSupported)):
        return False  # zwave_js is not loaded (yet): it may be back soon
    if isinstance(err, ServiceValidationError):
        return True  # Home Assistant refused the data itself (a bad slot or code)
    if isinstance(err, HomeAssistantError):
        return False  # the lock or the network failed: try again later
    # Schema errors of the action (probatio/voluptuous Invalid): the data is wrong.
    return type(err).__name__.endswith("Invalid")
