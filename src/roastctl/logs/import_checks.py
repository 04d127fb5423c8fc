"""Holding an imported roast to the limits the live path keeps.

A roast recorded live cannot have times going backwards, DROP before CHARGE, a 1e308 kg batch or
a title of megabytes: the session and ``set_roast_info`` refuse them. An imported file is held to
the same limits (declared in :mod:`roastctl.files.limits`), and refused whole with an error
naming the field as the file spells it (or the sample, for logs read as channels), the value and
the limit, so nothing is half-imported.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from roastctl.files.limits import (
    IMPORT_MASS_MAX_G,
    IMPORT_PERCENT_RANGE,
    IMPORT_TEMPERATURE_RANGE_C,
    IMPORT_TEXT_MAX_CHARS,
    IMPORT_TIME_RANGE_S,
    IMPORT_UUID_MAX_CHARS,
)
from roastctl.logs.file_errors import ImportLimitError
from roastctl.logs.record import RecordEvent, RoastRecord
from roastctl.logs.values import shown
from roastctl.models import RoastEventType


def check_range(field: str, value: float, low: float, high: float, unit: str) -> float:
    """Return ``value`` if it is finite and within ``low..high``; else :class:`ImportLimitError`."""
    if not (math.isfinite(value) and low <= value <= high):
        raise ImportLimitError(
            f"{field} = {shown(value)} is outside the allowed {low:g}..{high:g} {unit}"
        )
    return value


def check_mass(field: str, mass_g: float, as_written: str | None = None) -> float:
    """Return ``mass_g`` if it is above 0 and at most the live path's batch limit.

    ``as_written`` is the weight as the file spells it (e.g. "2 lb"), when not in grams.
    """
    if not (math.isfinite(mass_g) and 0 < mass_g <= IMPORT_MASS_MAX_G):
        value = f"{as_written} is {shown(mass_g)} g" if as_written else f"{shown(mass_g)} g"
        raise ImportLimitError(
            f"{field} = {value}; allowed: 0 (not weighed), or above 0 up to "
            f"{IMPORT_MASS_MAX_G:,.0f} g (as for set_roast_info)"
        )
    return mass_g


def check_text(field: str, value: str, limit: int = IMPORT_TEXT_MAX_CHARS) -> str:
    """Return ``value`` if it has at most ``limit`` characters (set_roast_info's limit)."""
    if len(value) > limit:
        raise ImportLimitError(
            f"{field} has {len(value):,} characters; the limit is {limit:,} (as for "
            "set_roast_info). Shorten it in the file and import it again"
        )
    return value


def check_uuid(value: str) -> str:
    """Return ``value`` if it is short enough to be an identifier."""
    return check_text("roastUUID", value, IMPORT_UUID_MAX_CHARS)


def check_times(times: Sequence[float], field: str = "timex") -> None:
    """Refuse sample times outside the allowed range or going backwards (``field[i]`` named)."""
    low, high = IMPORT_TIME_RANGE_S
    for position, time_s in enumerate(times):
        check_range(f"{field}[{position}]", time_s, low, high, "s")
        if position and time_s < times[position - 1]:
            raise ImportLimitError(
                f"{field}[{position}] = {time_s!r} is before {field}[{position - 1}] = "
                f"{times[position - 1]!r}: sample times must not go backwards. Nothing was "
                "imported; repair the file's times first"
            )


def check_event_order(
    events: Sequence[RecordEvent], where: Mapping[RoastEventType, str] | None = None
) -> None:
    """Refuse an event before CHARGE, as the live path does.

    ``where`` names each event's place in the file (e.g. ``timeindex[6]``) for the message.
    """
    charge = next((e for e in events if e.type is RoastEventType.CHARGE), None)
    if charge is None:
        return
    for event in events:
        if event.time_s < charge.time_s:
            place = f" ({where[event.type]}, at" if where else " (at"
            raise ImportLimitError(
                f"{event.type.value}{place} {event.time_s:g} s) is before CHARGE (at "
                f"{charge.time_s:g} s); a roast's events come after CHARGE. Nothing was "
                "imported; correct the marks in the program that recorded it first"
            )


def check_record(record: RoastRecord) -> RoastRecord:
    """Return ``record`` (read from a log as channels) if every value is within the limits.

    Fields are named by sample: ``sample_time_s[3]``, ``sample[3].bean_temp_c`` and so on.
    """
    check_times([sample.time_s for sample in record.samples], "sample_time_s")
    low_c, high_c = IMPORT_TEMPERATURE_RANGE_C
    for position, sample in enumerate(record.samples):
        for name, value, low, high, unit in (
            ("bean_temp_c", sample.bean_temp_c, low_c, high_c, "deg C"),
            ("env_temp_c", sample.env_temp_c, low_c, high_c, "deg C"),
            ("heat_percent", sample.heat_percent, *IMPORT_PERCENT_RANGE, "%"),
            ("fan_percent", sample.fan_percent, *IMPORT_PERCENT_RANGE, "%"),
        ):
            if value is not None:
                check_range(f"sample[{position}].{name}", value, low, high, unit)
    if record.batch_g is not None:
        check_mass("batch_g", record.batch_g)
    check_text("title", record.title)
    check_event_order(record.events)
    return record


__all__ = [
    "check_event_order",
    "check_mass",
    "check_range",
    "check_record",
    "check_text",
    "check_times",
    "check_uuid",
]
