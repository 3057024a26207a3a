"""What every lock provider offers."""

import asyncio
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN, PROVIDER_TIMEOUT_SECONDS

_GUARDS: HassKey[dict[str, asyncio.Lock]] = HassKey(f"{DOMAIN}_call_guards")


def call_guard(hass: HomeAssistant, key: str) -> asyncio.Lock:
    """Return the one lock that serialises calls to ``key`` (a lock, or a script)."""
    return hass.data.setdefault(_GUARDS, {}).setdefault(key, asyncio.Lock())


class ProviderError(Exception):
    """A write did not reach the lock (the message never contains a code).

    ``permanent`` when the lock refused this code or slot for good (a duplicate, a bad
    length, no space): retrying the same write cannot help. Otherwise the failure is
    transient (offline, a timeout, a dead node) and is retried with backoff.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        """Describe the failure."""
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class Capacity:
    """What a lock can hold, as far as its stack tells."""

    # User code slots 1..slots; None when the stack does not say.
    slots: int | None = None
    min_length: int = 4
    max_length: int = 8

    def problem(self, first_slot: int, slot_count: int, code_length: int) -> str | None:
        """Return why a slot range and code length do not fit, or None."""
        if self.slots is not None and first_slot + slot_count - 1 > self.slots:
            return f"the lock has {self.slots} code slots"
        if not self.min_length <= code_length <= self.max_length:
            return f"the lock takes codes of {self.min_length}-{self.max_length} digits"
        return None


class LockProvider(Protocol):
    """Sets and clears codes in a lock's slots (slots are 1-based)."""

    lock_entity_id: str
    # Seconds between two calls to the same lock (mesh networks need a breath).
    min_gap: float

    def offline_reason(self) -> str | None:
        """Return why the provider knows the lock is unreachable (e.g. ``dead_node``).

        None while it knows nothing against it: the lock entity's own availability
        decides then.
        """

    def async_start(self, on_change: Callable[[], None]) -> Callable[[], None]:
        """Start watching the lock; call ``on_change`` when reachability may have changed."""

    async def async_capacity(self) -> Capacity | None:
        """Return what the lock can hold, or None when the stack cannot tell."""

    async def async_set_code(self, slot: int, code: str) -> bool:
        """Put ``code`` into ``slot``; return True if read back and confirmed.

        Raise ProviderError when it did not work.
        """

    async def async_clear_code(self, slot: int) -> bool:
        """Empty ``slot``; return True if confirmed. Raise ProviderError on failure."""


def _nothing_to_stop() -> None:
    """Stop watching nothing (one function for every provider, not one each)."""


class BaseProvider:
    """Defaults for a provider that has nothing to watch and cannot tell its capacity."""

    min_gap = 0.0

    def __init__(
        self,
        hass: HomeAssistant,
        lock_entity_id: str,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        """Remember the lock (``data``: the config entry's data)."""
        self.hass = hass
        self.lock_entity_id = lock_entity_id
        # A set or clear may be several calls: never interleave two on one lock, even
        # across a reload that makes a new provider while an old call still runs.
        self._busy = call_guard(hass, lock_entity_id)

    def offline_reason(self) -> str | None:
        """Know nothing beyond the lock entity's own availability."""
        return None

    def async_start(self, on_change: Callable[[], None]) -> Callable[[], None]:
        """Watch nothing."""
        return _nothing_to_stop

    async def async_capacity(self) -> Capacity | None:
        """Cannot tell."""
        return None

    async def _entity_action(
        self,
        domain: str,
        service: str,
        data: dict[str, Any],
        *,
        response: bool = False,
        secret: str | None = None,
        permanent: Callable[[Exception], bool] = lambda _err: False,
    ) -> Any:
        """Call an action targeting the lock; return the lock's part of its response.

        An unavailable lock is skipped by Home Assistant: an action without a response
        then ends without error, having done nothing, and one with a response raises
        "did not match any entities". Providers read back for that reason.
        """
        result = await call_action(
            self.hass,
            domain,
            service,
            data,
            target={"entity_id": self.lock_entity_id},
            response=response,
            secret=secret,
            permanent=permanent,
        )
        return result[self.lock_entity_id] if response else None


async def call_with_timeout[T](hass: HomeAssistant, call: Coroutine[Any, Any, T]) -> T:
    """Await a provider call; raise TimeoutError when it takes too long.

    The limit runs on Home Assistant's timers, like every other wait of the integration,
    so simulated time drives it in tests and a hung call never blocks a lock for good.
    (The write loop also bounds a whole try, several calls perhaps, by what is left of its
    two-minute attempt: slot_writer.py.)
    """
    # A background task: a hung call must not hold up Home Assistant's own waits.
    task = hass.async_create_background_task(call, "backup_access_codes provider call")

    @callback
    def expire(_now: datetime) -> None:
        task.cancel()

    unsub = async_call_later(hass, PROVIDER_TIMEOUT_SECONDS, expire)
    try:
        return await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            task.cancel()  # we are being cancelled (unload): so is the call
            raise
        raise TimeoutError from None
    finally:
        unsub()


async def async_wait(
    hass: HomeAssistant, seconds: float, until: asyncio.Future[Any] | None = None
) -> None:
    """Wait ``seconds`` on Home Assistant's timers, or less if ``until`` is done first.

    Never ``asyncio.sleep``: simulated time drives these waits in tests, as a clock
    change does in real life.
    """
    done: asyncio.Future[None] = hass.loop.create_future()

    @callback
    def finish(_when_or_until: object) -> None:
        if not done.done():
            done.set_result(None)

    unsub = async_call_later(hass, seconds, finish)
    if until is not None:
        until.add_done_callback(finish)
    try:
        await done
    finally:
        unsub()
        if until is not None:
            until.remove_done_callback(finish)


def scrub(text: str, secret: str | None) -> str:
    """Hide a code that an error text may quote (a lock integration's own message).

    Templates render codes as numbers, so a leading zero may be gone from the quote.
    """
    if not secret:
        return text
    for form in (secret, secret.lstrip("0")):
        if form:
            text = text.replace(form, "***")
    return text


def describe_error(err: BaseException) -> str:
    """Return an error's text, or its type when it has none."""
    return str(err) or type(err).__name__


async def call_stack[T](
    hass: HomeAssistant,
    call: Coroutine[Any, Any, T],
    failure: str,
    *,
    secret: str | None = None,
) -> T:
    """Await a call into a lock stack's own client; every failure becomes a ProviderError.

    For what Home Assistant's actions do not offer (schedules, the lock's clock): the
    error says ``failure`` and then why (or that it timed out), never ``secret``, and is
    transient: the write is tried again later.
    """
    try:
        return await call_with_timeout(hass, call)
    except TimeoutError:
        raise ProviderError(f"{failure} (timed out)") from None
    except Exception as err:  # noqa: BLE001 - any failure of the client or the lock
        raise ProviderError(
            f"{failure}: {scrub(describe_error(err), secret)}"
        ) from None


async def call_action(
    hass: HomeAssistant,
    domain: str,
    service: str,
    data: dict[str, Any],
    *,
    target: dict[str, Any] | None = None,
    response: bool = False,
    secret: str | None = None,
    permanent: Callable[[Exception], bool] = lambda _err: False,
    describe: Callable[[Exception], str] = describe_error,
) -> Any:
    """Call a Home Assistant action for a provider; every failure becomes a ProviderError.

    ``permanent`` tells a refusal no retry can change from a failure that may pass; the
    error text never carries ``secret``.
    """
    name = f"{domain}.{service}"
    try:
        return await call_with_timeout(
            hass,
            hass.services.async_call(
                domain,
                service,
                data,
                target=target,
                blocking=True,
                return_response=response,
            ),
        )
    except TimeoutError:
        raise ProviderError(f"{name} timed out") from None
    except Exception as err:  # noqa: BLE001 - every failure of the action is a failed write
        raise ProviderError(
            f"{name} failed: {scrub(describe(err), secret)}", permanent=permanent(err)
        ) from None
