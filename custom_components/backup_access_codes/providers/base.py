"""What every lock provider offers."""

from __future__ import annotations

from typing import Protocol


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
