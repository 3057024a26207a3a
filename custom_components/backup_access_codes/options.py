"""A config entry's options, read as the domain's layout and timing."""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from .const import (
    CONF_BACKUP_LEAD_HOURS,
    CONF_CODE_LENGTH,
    CONF_FIRST_SLOT,
    CONF_POOL_SIZE,
    CONF_PROGRAM_LEAD_MINUTES,
    CONF_SLOT_COUNT,
    DEFAULT_OPTIONS,
)
from .grants import Timing
from .lock_state import Layout


def entry_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Return a config entry's options with every default filled in."""
    return {**DEFAULT_OPTIONS, **options}


def layout_from(options: Mapping[str, Any]) -> Layout:
    """Return the slot layout the options describe."""
    opts = entry_options(options)
    return Layout(
        pool_size=int(opts[CONF_POOL_SIZE]),
        first_slot=int(opts[CONF_FIRST_SLOT]),
        slot_count=int(opts[CONF_SLOT_COUNT]),
        code_length=int(opts[CONF_CODE_LENGTH]),
    )


def timing_from(options: Mapping[str, Any]) -> Timing:
    """Return the lead times the options describe."""
    opts = entry_options(options)
    return Timing(
        backup_lead=timedelta(hours=float(opts[CONF_BACKUP_LEAD_HOURS])),
        program_lead=timedelta(minutes=float(opts[CONF_PROGRAM_LEAD_MINUTES])),
    )
