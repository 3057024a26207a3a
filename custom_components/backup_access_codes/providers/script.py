"""The script provider: any lock, through two scripts the host writes."""

from typing import Any

from homeassistant.core import HomeAssistant

from .base import BaseProvider, ProviderError, call_action, call_guard


class ScriptProvider(BaseProvider):
    """Calls ``set_code_script`` and ``clear_code_script`` as blocking services.

    Success is the script finishing without answering ``success: false``. A plain
    ``stop`` with ``error: true`` never reaches a caller in Home Assistant, so scripts signal
    failure by raising (a lock integration's own action does) or by answering
    ``{"success": false}``.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        lock_entity_id: str,
        *,
        set_script: str,
        clear_script: str,
    ) -> None:
        """Remember the scripts."""
        super().__init__(hass, lock_entity_id)
        self.set_script = set_script
        self.clear_script = clear_script

    async def async_set_code(self, slot: int, code: str) -> bool:
        """Run the set-code script; a script cannot read the code back."""
        await self._run(self.set_script, {"slot": slot, "code": code}, secret=code)
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
