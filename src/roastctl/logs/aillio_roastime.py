"""Reading Aillio RoasTime roasts (Aillio Bullet): JSON, deg C, arrays from CHARGE to DROP.

``beanTemperature`` and ``drumTemperature`` arrays in deg C, ``sampleRate`` samples per second,
covering CHARGE to DROP: CHARGE is index 0 and DROP the last index (``roastStartIndex``/
``roastEndIndex`` are used where they fall inside the arrays; RoasTime writes ``roastEndIndex`` =
array length, one past the end). Events are sample indices (``indexYellowingStart``,
``indexFirstCrackStart``, ``indexFirstCrackEnd``), 0 meaning "not marked". Power (P0-P9) and fan
(F0-F12) settings are the ``actions.actionTimeList`` entries with ``ctrlType`` 0 and 1, held from
their sample index and given as a percentage of the top level (P9 and F12 are 100 %); before the
first one: ``None``. ``drumTemperature`` becomes the environment temperature. Files are opened
by :mod:`roastctl.logs.load`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from roastctl.logs.file_errors import RoastLogError
from roastctl.logs.record import RecordedRoast
from roastctl.logs.values import (
    celsius_from,
    channel_or_none,
    median_interval,
    number_from,
    percent_of,
    positive_number,
)
from roastctl.models import RoastEventType

#: RoasTime index fields that map to our events (CHARGE and DROP are the array ends).
ROASTIME_MARKS: dict[str, RoastEventType] = {
    "indexYellowingStart": RoastEventType.DRY_END,
    "indexFirstCrackStart": RoastEventType.FIRST_CRACK_START,
    "indexFirstCrackEnd": RoastEventType.FIRST_CRACK_END,
}


_AILLIO_POWER = 0  # RoasTime ctrlType of the heater power setting, levels 0-9
_AILLIO_FAN = 1  # RoasTime ctrlType of the fan setting, levels 0-12
_AILLIO_POWER_MAX = 9
_AILLIO_FAN_MAX = 12


def is_roastime(data: Mapping[str, Any]) -> bool:
    """Whether a JSON object is a RoasTime roast (it has ``beanTemperature``)."""
    return "beanTemperature" in data


def _sample_index(value: object, count: int) -> int | None:
    number = number_from(value)
    if number is None or not number.is_integer():
        return None
    index = int(number)
    return index if 0 < index < count else None


def _aillio_channel(
    data: Mapping[str, Any], ctrl_type: int, max_level: int, count: int
) -> list[float | None] | None:
    actions = data.get("actions")
    entries = actions.get("actionTimeList") if isinstance(actions, dict) else None
    if not isinstance(entries, list):
        return None
    steps: list[tuple[int, float]] = []
    for entry in entries:
        if not isinstance(entry, dict) or number_from(entry.get("ctrlType")) != ctrl_type:
            continue
        start = number_from(entry.get("index"))
        level = percent_of(entry.get("value"), max_level)
        if start is None or level is None or start < 0:
            continue
        steps.append((math.ceil(start), level))
    if not steps:
        return None
    steps.sort(key=lambda step: step[0])
    channel: list[float | None] = [None] * count
    for position, (start, level) in enumerate(steps):
        end = steps[position + 1][0] if position + 1 < len(steps) else count
        for index in range(min(start, count), min(end, count)):
            channel[index] = level
    return channel_or_none(channel)


def recorded_from_roastime(data: Mapping[str, Any], path: Path) -> RecordedRoast:
    """Read a RoasTime roast's JSON object; :class:`RoastLogError` naming ``path`` if no data."""
    raw_bean = data.get("beanTemperature")
    if not isinstance(raw_bean, list) or not raw_bean:
        raise RoastLogError(
            f"{path}: no 'beanTemperature' samples; not an Aillio RoasTime roast with data"
        )
    rate = positive_number(data.get("sampleRate"))
    if rate is None:
        raise RoastLogError(
            f"{path}: 'sampleRate' is {data.get('sampleRate')!r}; need samples per second > 0"
        )
    count = len(raw_bean)
    times = [index / rate for index in range(count)]
    bean = [celsius_from(value, False) for value in raw_bean]
    raw_env = data.get("drumTemperature")
    env: list[float | None] = (
        [celsius_from(value, False) for value in raw_env]
        if isinstance(raw_env, list) and len(raw_env) == count
        else [None] * count
    )
    start = number_from(data.get("roastStartIndex"))
    charge = int(start) if start is not None and start.is_integer() and 0 <= start < count else 0
    marks: dict[RoastEventType, int] = {RoastEventType.CHARGE: charge}
    for key, event in ROASTIME_MARKS.items():
        index = _sample_index(data.get(key), count)
        if index is not None:
            marks[event] = index
    end = number_from(data.get("roastEndIndex"))
    last = count - 1
    drop = int(end) if end is not None and end.is_integer() and charge < end <= last else last
    marks[RoastEventType.DROP] = drop
    return RecordedRoast(
        times=times,
        bean_temps=bean,
        env_temps=env,
        marks=marks,
        heater_percent=_aillio_channel(data, _AILLIO_POWER, _AILLIO_POWER_MAX, count),
        fan_percent=_aillio_channel(data, _AILLIO_FAN, _AILLIO_FAN_MAX, count),
        sampling_interval_s=median_interval(times),
        source_mode="C",
        title=str(data.get("roastName") or ""),
        batch_mass_g=positive_number(data.get("weightGreen")),
    )


__all__ = ["ROASTIME_MARKS", "is_roastime", "recorded_from_roastime"]
