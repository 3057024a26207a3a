"""What the issuance runs share: the run's locks with a pool of ten, and one grant on a lock."""

from collections.abc import AsyncIterator
import contextlib
from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ...base import RunContext
from ...const import BIG_POOL
from ...locks import create_grant, home_with_locks, lock_id

CHECK_IN = timedelta(minutes=30)  # a last-minute grant's check-in, from now
STAY = timedelta(days=2)


@contextlib.asynccontextmanager
async def pooled_locks(ctx: RunContext, name: str) -> AsyncIterator[HomeAssistant]:
    """The run's locks, ten backup codes each, programmed, in a fresh config directory."""
    with ctx.config_dir(name) as config_dir:
        async with home_with_locks(config_dir, ctx.params.locks, BIG_POOL) as hass:
            yield hass


def check_in() -> datetime:
    """A last-minute grant's check-in: half an hour from now."""
    return dt_util.utcnow() + CHECK_IN


async def grant_on(
    hass: HomeAssistant, lock: int, starts: datetime, name: str
) -> tuple[str, str]:
    """A two-day grant on one lock from ``starts``; return its (grant, lock) key."""
    grant_id = await create_grant(hass, [lock], starts, starts + STAY, name)
    return grant_id, lock_id(lock)
