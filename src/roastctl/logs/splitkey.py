"""Reading split-key-roast logs (a Hottop through pyhottop): JSON, minutes, deg F.

A JSON object whose ``events`` list holds one entry per reading, ``time`` in minutes since the
recording started and ``config`` with ``bean_temp``/``environment_temp`` in deg F, ``heater`` in
percent and ``main_fan`` (the exhaust fan) as a level 0-10, stored as level x 10 %. Entries that
carry an ``event`` name (Charge, Turning Point, First Crack, Drop Coffee) are marks, not
readings: their ``config`` repeats the previous reading. Files are opened by
:mod:`roastctl.logs.load`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from roastctl.logs.file_errors import RoastLogError
from roastctl.logs.record import RecordedRoast
from roastctl.logs.values import (
    celsius_from,
    channel_or_none,
    index_at_or_after,
    median_interval,
    number_from,
    percent_of,
    positive_number,
)
from roastctl.models import RoastEventType

#: split-key-roast event names (lower case) that map to our events; "turning point" is skipped.
SPLITKEY_MARKS: dict[str, RoastEventType] = {
    "charge": RoastEventType.CHARGE,
    "dry end": RoastEventType.DRY_END,
    "yellowing": RoastEventType.DRY_END,
    "first crack": RoastEventType.FIRST_CRACK_START,
    "first crack start": RoastEventType.FIRST_CRACK_START,
    "first crack end": RoastEventType.FIRST_CRACK_END,
    "drop": RoastEventType.DROP,
    "drop coffee": RoastEventType.DROP,
}


_HOTTOP_FAN_MAX = 10


def is_splitkey(data: Mapping[str, Any]) -> bool:
    """Whether a JSON object is a split-key-roast log (it has an ``events`` entry)."""
    return "events" in data


def _entry_minutes(entry: Mapping[str, Any], config: Mapping[str, Any]) -> float | None:
    minutes = number_from(entry.get("time"))
    return minutes if minutes is not None else number_from(config.get("time"))


def recorded_from_splitkey(data: Mapping[str, Any], path: Path) -> RecordedRoast:
    """Read a split-key-roast log's JSON object; :class:`RoastLogError` naming ``path`` if empty."""
    entries = data.get("events")
    if not isinstance(entries, list):
        raise RoastLogError(f"{path}: 'events' is missing or not a list; not a split-key-roast log")
    samples: list[tuple[float, float | None, float | None, float | None, float | None]] = []
    named_marks: list[tuple[str, float]] = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        config = entry.get("config")
        if not isinstance(config, dict):
            config = {}
        minutes = _entry_minutes(entry, config)
        if minutes is None:
            continue
        name = entry.get("event")
        if isinstance(name, str):
            named_marks.append((name, minutes * 60.0))
            continue
        valid = config.get("valid", True) is not False
        samples.append(
            (
                minutes * 60.0,
                celsius_from(config.get("bean_temp"), True) if valid else None,
                celsius_from(config.get("environment_temp"), True) if valid else None,
                percent_of(config.get("heater"), 100.0),
                percent_of(config.get("main_fan"), _HOTTOP_FAN_MAX),
            )
        )
    if not samples:
        raise RoastLogError(f"{path}: 'events' holds no timed readings; nothing to load")
    samples.sort(key=lambda sample: sample[0])
    times = [sample[0] for sample in samples]
    interval = median_interval(times)
    marks: dict[RoastEventType, int] = {}
    for name, mark_s in named_marks:
        event = SPLITKEY_MARKS.get(" ".join(name.lower().replace("_", " ").split()))
        index = index_at_or_after(times, mark_s, interval or 0.0)
        if event is not None and index is not None:
            marks[event] = index  # a repeated mark replaces the earlier one
    title = data.get("name") or data.get("coffee") or ""
    return RecordedRoast(
        times=times,
        bean_temps=[sample[1] for sample in samples],
        env_temps=[sample[2] for sample in samples],
        marks=marks,
        heater_percent=channel_or_none([sample[3] for sample in samples]),
        fan_percent=channel_or_none([sample[4] for sample in samples]),
        sampling_interval_s=interval,
        source_mode="F",
        title=str(title),
        batch_mass_g=positive_number(data.get("input_weight")),
    )


__all__ = ["SPLITKEY_MARKS", "is_splitkey", "recorded_from_splitkey"]
