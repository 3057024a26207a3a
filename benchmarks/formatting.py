"""Numbers and verdicts as the report writes them."""

import math


def fmt(value: float, digits: int = 2) -> str:
    """A number for the report."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 100):
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def fmt_agg(a: dict[str, float], digits: int = 2, unit: str = "") -> str:
    """'median (min–max, n runs)' or the single value."""
    if a["runs"] == 0:
        return "n/a"
    if a["runs"] == 1:
        return f"{fmt(a['median'], digits)}{unit}"
    return (
        f"{fmt(a['median'], digits)}{unit} (±{fmt(a['stdev'], digits)}; "
        f"{fmt(a['min'], digits)}–{fmt(a['max'], digits)}, {a['runs']} runs)"
    )


def met_text(met: bool | None) -> str:
    """The verdict column."""
    return "—" if met is None else ("**met**" if met else "**not met**")
