"""What a loaded config entry holds: its lock's coordinator and the calendar feeding it."""

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .calendar_sync import CalendarSync
from .coordinator import LockCoordinator


@dataclass(slots=True)
class LockRuntime:
    """One lock at run time.

    The reservation calendar feeds the lock's grants through the grant operations, as the
    actions do; the coordinator does not know it exists.
    """

    coordinator: LockCoordinator
    calendar_sync: CalendarSync | None = None


type BackupAccessCodesConfigEntry = ConfigEntry[LockRuntime]
