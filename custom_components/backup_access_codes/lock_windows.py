"""Lock-kept windows at run time: whether a lock keeps codes on time itself, now.

The provider finds it out from the lock (``async_window_capability``: the stack's schedule
support, the lock's clock checked and set). This keeps the latest answer for the engine
(which puts guests' codes on early, with their window, only while it is usable) and for
diagnostics. The lock is asked when the coordinator starts and whenever it comes back
online; a lock that refuses a window (its clock went wrong) stops being used for windows
until it is asked again.
"""

from collections.abc import Callable
from dataclasses import replace
import logging

from homeassistant.core import HomeAssistant, callback

from .const import DOMAIN
from .providers import LockProvider, ProviderError
from .providers.windows import (
    WindowCapability,
    WindowedProvider,
    WindowRefusedError,
    WindowSupport,
    not_supported,
    unknown,
    windowed,
)

_LOGGER = logging.getLogger(__name__)


class LockWindows:
    """What one lock can do with windows, kept up to date from its provider."""

    def __init__(
        self,
        hass: HomeAssistant,
        provider: LockProvider,
        on_change: Callable[[], None],
    ) -> None:
        """Watch ``provider``'s lock; ``on_change`` runs after each answer."""
        self.hass = hass
        self.lock_entity_id = provider.lock_entity_id
        self.provider: WindowedProvider | None = windowed(provider)
        self._on_change = on_change
        self.capability: WindowCapability = (
            not_supported("provider")
            if self.provider is None
            else unknown("not_checked")
        )
        self._checking = False

    @property
    def usable(self) -> bool:
        """Return True while codes may go onto this lock with their window."""
        return self.capability.usable

    @callback
    def async_check(self) -> None:
        """Ask the lock again (in the background), unless a check is under way."""
        if self.provider is None or self._checking:
            return
        self._checking = True
        self.hass.async_create_background_task(
            self._async_check(self.provider), f"{DOMAIN} windows {self.lock_entity_id}"
        )

    async def _async_check(self, provider: WindowedProvider) -> None:
        try:
            capability = await provider.async_window_capability()
        except ProviderError as err:  # a provider that could not even tell
            capability = unknown(str(err))
        finally:
            self._checking = False
        self._set(capability)

    @callback
    def refused(self, err: WindowRefusedError) -> None:
        """The lock refused a window (``err.reason``): no windows until asked again."""
        self._set(
            replace(self.capability, support=WindowSupport.UNKNOWN, reason=err.reason)
        )

    def _set(self, capability: WindowCapability) -> None:
        if capability.usable != self.capability.usable:
            _LOGGER.info(
                "%s %s codes with their own time window%s",
                self.lock_entity_id,
                "keeps" if capability.usable else "gets no",
                "" if capability.usable else f" ({capability.reason})",
            )
        self.capability = capability
        self._on_change()

    def diagnostics(self) -> dict[str, object]:
        """The latest capability, for diagnostics."""
        return self.capability.as_dict()
