"""Holding an imported roast to the limits the live path keeps.

A roast recorded live cannot have times going backwards, DROP before CHARGE, a 1e308 kg batch or
a title of megabytes: the session and ``set_roast_info`` refuse them. An imported file is held to
the same limits (declared in :mod:`roastctl.files.limits`), and refused whole with an error
naming the field as the file spells it, the value and the limit, so nothing is half-imported.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from roastctl.files.limits import (
    IMPORT_TEXT_MAX_CHARS,
    IMPORT_TIME_RANGE_S,
    IMPORT_UUID_MAX_CHARS,
)
from roastctl.logs.artisan import AlogError
from roastctl.logs.record import RecordEvent
from roastctl.models import RoastEventType


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


def check_range(field: str, value: float, low: float, high: float, unit: str) -> float:
    """Return ``value`` if it is finite and within ``low..high``; else :class:`AlogError`."""
    if not (math.isfinite(value) and low <= value <= high):
        raise AlogError(f"{field} = {shown(value)} is outside the allowed {low:g}..{high:g} {unit}")
    return value


def check_text(field: str, value: str, limit: int = IMPORT_TEXT_MAX_CHARS) -> str:
    """Return ``value`` if it has at most ``limit`` characters (set_roast_info's limit)."""
    if len(value) > limit:
        raise AlogError(
            f"{field} has {len(value):,} characters; the limit is {limit:,} (as for "
            "set_roast_info). Shorten it in the file and import it again"
        )
    return value


def check_uuid(value: str) -> str:
    """Return ``value`` if it is short enough to be an identifier."""
    return check_text("roastUUID", value, IMPORT_UUID_MAX_CHARS)


def check_times(times: Sequence[float]) -> None:
    """Refuse sample times outside the allowed range or going backwards."""
    low, high = IMPORT_TIME_RANGE_S
    for position, time_s in enumerate(times):
        check_range(f"timex[{position}]", time_s, low, high, "s")
        if position and time_s < times[position - 1]:
            raise AlogError(
                f"timex[{position}] = {time_s!r} is before timex[{position - 1}] = "
                f"{times[position - 1]!r}: sample times must not go backwards. Nothing was "
                "imported; repair the file's times first"
            )


def check_event_order(events: Sequence[RecordEvent], slots: dict[RoastEventType, int]) -> None:
    """Refuse an event before CHARGE, as the live path does (``slots``: its timeindex slot)."""
    charge = next((e for e in events if e.type is RoastEventType.CHARGE), None)
    if charge is None:
        return
    for event in events:
        if event.time_s < charge.time_s:
            raise AlogError(
                f"{event.type.value} (timeindex[{slots[event.type]}], at {event.time_s:g} s) is "
                f"before CHARGE (at {charge.time_s:g} s); a roast's events come after CHARGE. "
                "Nothing was imported; correct the marks in Artisan first"
            )


__all__ = [
    "check_event_order",
    "check_range",
    "check_text",
    "check_times",
    "check_uuid",
    "shown",
]
