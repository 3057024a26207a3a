"""The write loop of one lock: the engine's next write, through the provider, one at a time."""

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .engine import LockEngine
from .providers import LockProvider, ProviderError
from .providers.base import async_wait
from .providers.windows import Window, WindowRefusedError, windowed
from .slots import NextStep, SlotWrite, WriteFailure
from .store import StateStorage

_LOGGER = logging.getLogger(__name__)


class SlotWriter:
    """Writes what a lock's slots need while the lock may be called, then stops."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        engine: LockEngine,
        provider: LockProvider,
        storage: StateStorage,
        *,
        may_write: Callable[[], bool],
        after_write: Callable[[], None],
        when_done: Callable[[], None],
        window_refused: Callable[[WindowRefusedError], None],
    ) -> None:
        """``may_write`` says the lock may be called now; the callbacks follow progress.

        ``window_refused`` hears of a lock that would not take a code's window.
        """
        self.hass = hass
        self.entry = entry
        self.engine = engine
        self.provider = provider
        self.storage = storage
        self.lock_entity_id = provider.lock_entity_id
        self._may_write = may_write
        self._after_write = after_write
        self._when_done = when_done
        self._window_refused = window_refused
        # Set before the task starts: it may run to its end eagerly, inside its creation.
        self.running = False
        self._failing = False  # logged once until a write works again

    @callback
    def async_ensure_running(self) -> None:
        """Start writing unless a run is under way."""
        if self.running:
            return
        self.running = True
        self.entry.async_create_background_task(
            self.hass, self._async_run(), f"{DOMAIN} sync {self.lock_entity_id}"
        )

    async def _async_run(self) -> None:
        try:
            while self._may_write():
                if (write := self.engine.next_write(dt_util.utcnow())) is None:
                    break
                deadline = self.engine.write_started(write, dt_util.utcnow())
                self.storage.async_schedule_save()
                await self._async_write(write, deadline)
                self._after_write()
                if self.provider.min_gap:
                    await async_wait(self.hass, self.provider.min_gap)
        finally:
            self.running = False
        self._when_done()

    async def _async_write(self, write: SlotWrite, deadline: datetime) -> None:
        """Make one try; the lock gets until the end of the try's attempt to answer."""
        kind = "clear" if write.code is None else "program"
        left = (deadline - dt_util.utcnow()).total_seconds()
        try:
            try:
                verified = await self._async_within(self._call(write), left)
            except TimeoutError:
                raise ProviderError(
                    f"no answer within the attempt's limit ({left:.0f} s left)"
                ) from None
        except ProviderError as err:
            failure = self.engine.write_failed(
                write,
                dt_util.utcnow(),
                permanent=err.permanent,
                window_refused=isinstance(err, WindowRefusedError),
            )
            self._log_failure(write, kind, err, failure)
            if isinstance(err, WindowRefusedError):
                self._window_refused(err)
            return
        _LOGGER.debug(
            "%s slot %s of %s",
            "Cleared" if write.code is None else "Programmed",
            write.slot,
            self.lock_entity_id,
        )
        if self._failing:
            _LOGGER.info("%s accepts codes again", self.lock_entity_id)
            self._failing = False
        self.engine.write_succeeded(write, dt_util.utcnow(), verified=verified)

    async def _async_within(
        self, call: Coroutine[Any, Any, bool], seconds: float
    ) -> bool:
        """Await ``call`` in this task; raise TimeoutError once ``seconds`` have passed.

        Like ``asyncio.timeout``, but on Home Assistant's timers (simulated time drives it
        in tests): the call is cancelled where it waits, and the provider's own waits end
        with it.
        """
        if (task := asyncio.current_task()) is None:  # never: the writer is a task
            return await call
        expired = False

        @callback
        def expire(_now: datetime) -> None:
            nonlocal expired
            expired = True
            task.cancel()

        unsub = async_call_later(self.hass, seconds, expire)
        try:
            return await call
        except asyncio.CancelledError:
            if expired and task.uncancel() == 0:
                raise TimeoutError from None
            raise  # unloading: the writer stops
        finally:
            unsub()

    async def _call(self, write: SlotWrite) -> bool:
        if write.code is None:
            return await self.provider.async_clear_code(write.slot)
        if write.window is None:
            return await self.provider.async_set_code(write.slot, write.code)
        if (provider := windowed(self.provider)) is None:
            raise WindowRefusedError(
                f"{self.lock_entity_id}: the provider keeps no windows", "provider"
            )
        return await provider.async_set_windowed_code(
            write.slot, write.code, Window(*write.window)
        )

    def _log_failure(
        self, write: SlotWrite, kind: str, err: ProviderError, failure: WriteFailure
    ) -> None:
        """Say what failed and what happens next (never the code)."""
        next_step = _next_step_text(failure, dt_util.utcnow())
        if err.permanent:
            # A refusal changes what is written next: always worth a warning.
            _LOGGER.warning(
                "%s refused to %s slot %s: %s; %s",
                self.lock_entity_id,
                kind,
                write.slot,
                err,
                next_step,
            )
        else:
            # One warning when writes start failing; the rest at debug level.
            _LOGGER.log(
                logging.DEBUG if self._failing else logging.WARNING,
                "Could not %s slot %s of %s: %s; %s",
                kind,
                write.slot,
                self.lock_entity_id,
                err,
                next_step,
            )
        self._failing = True


def _after(moment: datetime | None, now: datetime) -> str:
    if moment is None or moment <= now:
        return "at once"
    seconds = round((moment - now).total_seconds())
    return f"in {seconds} s" if seconds < 120 else f"in {round(seconds / 60)} min"


def _next_step_text(failure: WriteFailure, now: datetime) -> str:
    """Describe what follows a failed write, for the log."""
    when = _after(failure.retry_at, now)
    match failure.next_step:
        case NextStep.RETRY:
            return f"trying again {when}"
        case NextStep.BACKOFF:
            return f"attempt failed, trying again {when}"
        case NextStep.NEW_CODE:
            return f"trying a different code {when}"
        case NextStep.GUEST_BACKUP:
            return (
                "the scheduled code is not tried again on this lock; its guest gets "
                "a backup code"
            )
        case NextStep.DROPPED:
            return f"nobody holds that code any more; clearing the slot {when}"
        case NextStep.LEFT_ALONE:
            return "the slot is left as it is and no longer used"
        case NextStep.WINDOW_DROPPED:
            return (
                "the scheduled code goes on at the program point instead, without a "
                "window the lock keeps"
            )
