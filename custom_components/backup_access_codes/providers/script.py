"""The script provider: any lock, through two scripts the host writes (three for windows)."""

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .base import BaseProvider, ProviderError, call_action, call_guard
from .windows import (
    ClockStatus,
    Window,
    WindowCapability,
    WindowRefusedError,
    not_supported,
    supported,
)


class ScriptProvider(BaseProvider):
    """Calls ``set_code_script`` and ``clear_code_script`` as blocking services.

    Success is the script finishing without answering ``success: false``. A plain
    ``stop`` with ``error: true`` never reaches a caller in Home Assistant, so scripts signal
    failure by raising (a lock integration's own action does) or by answering
    ``{"success": false}``.

    An optional third script, ``window_script``, puts a code on that the lock itself
    keeps to a time window: it gets ``starts_at`` and ``ends_at`` as well (ISO 8601 in
    Home Assistant's time zone). The host's script and lock are trusted with the window
    and its clock; the clear script must take the window off with the code.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        lock_entity_id: str,
        *,
        set_script: str,
        clear_script: str,
        window_script: str | None = None,
    ) -> None:
        """Remember the scripts."""
        super().__init__(hass, lock_entity_id)
        self.set_script = set_script
        self.clear_script = clear_script
        self.window_script = window_script or None

    async def async_set_code(self, slot: int, code: str) -> bool:
        """Run the set-code script; a script cannot read the code back."""
        await self._run(self.set_script, {"slot": slot, "code": code}, secret=code)
        return False

    async def async_window_capability(self) -> WindowCapability:
        """Windows when the host gave a third script; its clock is the host's business."""
        if self.window_script is None:
            return not_supported("no_window_script")
        return supported(ClockStatus.HOST)

    async def async_set_windowed_code(
        self, slot: int, code: str, window: Window
    ) -> bool:
        """Run the window script with the code and its window; nothing is read back."""
        if self.window_script is None:
            raise WindowRefusedError(
                f"{self.lock_entity_id} has no script for windows", "no_window_script"
            )
        window = window.within(timedelta(seconds=1))
        await self._run(
            self.window_script,
            {
                "slot": slot,
                "code": code,
                "starts_at": dt_util.as_local(window.starts_at).isoformat(),
                "ends_at": dt_util.as_local(window.ends_at).isoformat(),
            },
            secret=code,
        )
        return False

    async def async_clear_code(self, slot: int) -> bool:
        """Run the clear-code script."""
        await self._run(self.clear_script, {"slot": slot})
        return False

    async def _run(
        self,
        script_entity_id: str,
        variables: dict[str, Any],
        secret: str | None = None,
    ) -> None:
        # One run at a time per script, even when locks share it: a script in the default
        # `single` mode skips a second run and reports success.
        async with call_guard(self.hass, script_entity_id):
            response = await call_action(
                self.hass,
                "script",
                script_entity_id.removeprefix("script."),
                {"lock_entity_id": self.lock_entity_id, **variables},
                response=True,
                secret=secret,
            )
        if isinstance(response, dict) and response.get("success") is False:
            raise ProviderError(f"{script_entity_id} answered success: false")
