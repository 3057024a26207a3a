"""What every lock provider offers."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import datetime
from typing import Any, Protocol

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from .. import const


class ProviderError(Exception):
    """A write did not reach the lock (the message never contains a code)."""


class LockProvider(Protocol):
    """Sets and clears codes in a lock's slots (slots are 1-based)."""

    lock_entity_id: str

    def is_online(self) -> bool:
        """Return False when the provider knows the lock is unreachable."""

    async def async_set_code(self, slot: int, code: str) -> None:
        """Put ``code`` into ``slot``; raise ProviderError when it did not work."""

    async def async_clear_code(self, slot: int) -> None:
        """Empty ``slot``; raise ProviderError when it did not work."""


async def call_with_timeout[T](hass: HomeAssistant, call: Coroutine[Any, Any, T]) -> T:
    """Await a provider call; raise TimeoutError when it takes too long.

    The limit runs on Home Assistant's timers, like every other wait of the integration,
    so simulated time drives it in tests and a hung call never blocks a lock for good.
    """
    # A background task: a hung call must not hold up Home Assistant's own waits.
    task = hass.async_create_background_task(call, "backup_access_codes provider call")

    @callback
    def expire(_now: datetime) -> None:
        task.cancel()

    unsub = async_call_later(hass, const.PROVIDER_TIMEOUT_SECONDS, expire)
    try:
        return await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise  # we are being cancelled (unload), not timed out
        raise TimeoutError from None
    finally:
        unsub()
