"""Values as roast logs hold them: numbers, temperatures, weights and sample steps.

Every reader of a roast log takes its numbers through here, so that a boolean is never a reading,
an integer beyond any float is no number rather than an overflow, deg F becomes deg C by one
formula and a weight in any unit becomes grams by one table (:data:`WEIGHT_UNITS_G`).
"""

from __future__ import annotations

import bisect
import itertools
import math
import statistics
from collections.abc import Sequence
from typing import TypeGuard

#: Grams per weight unit, keyed as Artisan spells the units (its ``weight`` is [in, out, unit]).
#: A pound is exactly 453.59237 g and an ounce a sixteenth of it (international yard and pound).
WEIGHT_UNITS_G: dict[str, float] = {"g": 1.0, "Kg": 1000.0, "lb": 453.59237, "oz": 28.349523125}

_UNITS_BY_LOWER_NAME = {unit.lower(): grams for unit, grams in WEIGHT_UNITS_G.items()}


def fahrenheit_to_celsius(value: float) -> float:
    """Convert deg F to deg C."""
    return (value - 32.0) * 5.0 / 9.0


def is_number(value: object) -> TypeGuard[int | float]:
    """Whether ``value`` is a finite int or float (not a bool, not an int beyond any float)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond any float
        return False


def is_integral(value: object) -> TypeGuard[int | float]:
    """Whether ``value`` is an int (not a bool) or a finite float with no fraction (3.0)."""
    if isinstance(value, float):
        return math.isfinite(value) and value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)


def finite_float(value: object) -> float | None:
    """Return ``value`` as a finite float, or ``None`` (no number, non-finite, or too large)."""
    return float(value) if is_number(value) else None


def number_from(value: object) -> float | None:
    """Return a finite number from a JSON or text value (numeric strings too), else ``None``."""
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return finite_float(value)


def celsius_from(value: object, fahrenheit: bool) -> float | None:
    """Return a temperature (numeric strings too) in deg C, converted from deg F if told."""
    number = number_from(value)
    if number is None:
        return None
    return fahrenheit_to_celsius(number) if fahrenheit else number


def percent_of(value: object, full_scale: float) -> float | None:
    """Return ``value`` as a percentage of ``full_scale``; ``None`` outside 0..full_scale."""
    number = number_from(value)
    if number is None or not 0.0 <= number <= full_scale:
        return None
    return number * 100.0 / full_scale


def positive_number(value: object) -> float | None:
    """Return ``value`` as a number above 0, else ``None``."""
    number = number_from(value)
    return number if number is not None and number > 0 else None


def grams(value: object, unit: str) -> float | None:
    """Return ``value`` in ``unit`` (any case of :data:`WEIGHT_UNITS_G`'s keys) as grams.

    ``None`` when ``value`` is no number or the unit is unknown; the product may be infinite
    when ``value`` is huge, for the caller to refuse or drop.
    """
    factor = _UNITS_BY_LOWER_NAME.get(unit.lower())
    if factor is None or not is_number(value):
        return None
    return float(value) * factor


def median_interval(times: Sequence[float]) -> float | None:
    """Return the median positive step between sample times; ``None`` when there is none."""
    steps = [later - earlier for earlier, later in itertools.pairwise(times) if later > earlier]
    return statistics.median(steps) if steps else None


def index_at_or_after(times: Sequence[float], mark_s: float, slack_s: float) -> int | None:
    """Return the index of the first sample at or after ``mark_s``.

    A mark up to ``slack_s`` after the last sample maps to the last sample; later marks (and
    marks in an empty series) give ``None``.
    """
    index = bisect.bisect_left(times, mark_s)
    if index < len(times):
        return index
    if times and mark_s - times[-1] <= slack_s:
        return len(times) - 1
    return None


def channel_or_none(values: list[float | None]) -> list[float | None] | None:
    """Return ``values``, or ``None`` when none of them is a reading (the log has no channel)."""
    return values if any(value is not None for value in values) else None


def shown(value: object) -> str:
    """Return a number or text short enough for a message (a huge int in its float form)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        try:
            return f"{float(value):g}"
        except OverflowError:
            return f"an integer of {len(str(abs(value))):,} digits"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) >= 1e15 else repr(value)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


__all__ = [
    "WEIGHT_UNITS_G",
    "celsius_from",
    "channel_or_none",
    "fahrenheit_to_celsius",
    "finite_float",
    "grams",
    "index_at_or_after",
    "is_integral",
    "is_number",
    "median_interval",
    "number_from",
    "percent_of",
    "positive_number",
    "shown",
]
