"""Reading Artisan ``.alog`` roast logs.

An ``.alog`` file is the ``repr()`` of a Python dict (Artisan also accepts JSON): it is parsed by
:func:`~roastctl.logs.literal.parse_literal` within :mod:`roastctl.files.limits`, never
``eval``. ``timex`` is seconds since recording started, ``temp1`` is ET, ``temp2`` is BT, ``-1``
marks a missing reading, and ``timeindex`` holds sample indices of [CHARGE, DRY, FCs, FCe, SCs,
SCe, DROP, COOL] with -1 (CHARGE) or 0 (others) for "not set". Temperatures are converted to
deg C here, whatever the file's ``mode``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from roastctl.files.limits import MAX_ROAST_FILE_BYTES, FileLimitError, read_text_within
from roastctl.logs.literal import LiteralError, parse_literal
from roastctl.models import RoastEventType

#: Slots of Artisan's ``timeindex`` that map to our events.
TIMEINDEX_SLOTS: dict[int, RoastEventType] = {
    0: RoastEventType.CHARGE,
    1: RoastEventType.DRY_END,
    2: RoastEventType.FIRST_CRACK_START,
    3: RoastEventType.FIRST_CRACK_END,
    6: RoastEventType.DROP,
}


class AlogError(ValueError):
    """The file is not a readable Artisan roast log."""


def fahrenheit_to_celsius(value: float) -> float:
    """Convert deg F to deg C."""
    return (value - 32.0) * 5.0 / 9.0


@dataclass(frozen=True, slots=True)
class RecordedRoast:
    """A roast log: samples in deg C and the events its roaster marked (as sample indices)."""

    times: list[float]
    bean_temps: list[float | None]
    env_temps: list[float | None]
    marks: dict[RoastEventType, int] = field(default_factory=dict)
    heater_percent: list[float | None] | None = None
    fan_percent: list[float | None] | None = None
    sampling_interval_s: float | None = None
    source_mode: str = "C"
    computed: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    batch_mass_g: float | None = None
    dry_end_temp_c: float | None = None


def finite_float(value: object) -> float | None:
    """``value`` as a finite float, or ``None`` (not a number, non-finite, or too large)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int beyond any float
        return None
    return number if math.isfinite(number) else None


def _temperature(value: object, to_celsius: bool) -> float | None:
    number = finite_float(value)
    if number is None or number == -1.0:
        return None
    return fahrenheit_to_celsius(number) if to_celsius else number


def read_profile(path: Path) -> dict[str, Any]:
    """Read and parse an ``.alog`` or Artisan JSON file within the limits of a roast log.

    Raises :class:`AlogError` naming the path: unreadable, too large, not a literal, beyond a
    parse limit, or not a dict. Undecodable bytes are replaced (Artisan writes UTF-8).
    """
    try:
        text = read_text_within(path, MAX_ROAST_FILE_BYTES, "roast log", errors="replace")
    except FileLimitError as exc:
        raise AlogError(str(exc)) from exc
    except OSError as exc:
        raise AlogError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    return parse_profile(text, path)


def parse_profile(text: str, path: Path | str | None = None) -> dict[str, Any]:
    """Parse ``.alog`` text (a Python dict literal, or JSON) into a dict; :class:`AlogError`."""
    where = f"{path}: " if path is not None else ""
    try:
        data = parse_literal(text)
    except LiteralError as exc:
        raise AlogError(f"{where}neither a Python dict literal nor JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise AlogError(f"{where}top level is {type(data).__name__}, expected a dict")
    return data


def _extra_channel(data: dict[str, Any], key: str, count: int) -> list[float | None] | None:
    channels = data.get(key)
    if not isinstance(channels, list) or not channels or not isinstance(channels[0], list):
        return None
    values = [_temperature(v, False) for v in channels[0]]
    return values if len(values) == count else None


def load_alog(path: Path | str) -> RecordedRoast:
    """Read an Artisan ``.alog`` (or Artisan JSON) file; raises :class:`AlogError` if unreadable."""
    path = Path(path)
    data = read_profile(path)
    times = data.get("timex")
    if not isinstance(times, list) or not times:
        raise AlogError(f"{path}: no samples ('timex' is empty or missing)")
    for position, value in enumerate(times):
        if finite_float(value) is None:
            # A ValueError like any other malformed field: readers name the file and the log.
            raise ValueError(f"timex[{position}] = {str(value)[:40]} is not a finite number")
    mode = str(data.get("mode", "C")).upper()
    to_celsius = mode == "F"
    count = len(times)
    bean = [_temperature(v, to_celsius) for v in data.get("temp2", [])]
    env = [_temperature(v, to_celsius) for v in data.get("temp1", [])]
    if len(bean) != count:
        raise AlogError(f"{path}: temp2 has {len(bean)} values for {count} times")
    if len(env) != count:
        env = [None] * count
    marks: dict[RoastEventType, int] = {}
    timeindex = data.get("timeindex", [])
    for slot, event in TIMEINDEX_SLOTS.items():
        if slot < len(timeindex) and isinstance(timeindex[slot], int):
            index = timeindex[slot]
            unset = index < 0 if slot == 0 else index <= 0
            if not unset and index < count:
                marks[event] = index
    weight = data.get("weight")
    batch_g: float | None = None
    if isinstance(weight, list) and len(weight) >= 3:
        unit = str(weight[2]).lower()
        factor = {"g": 1.0, "kg": 1000.0, "lb": 453.592, "oz": 28.3495}.get(unit)
        mass = finite_float(weight[0])
        if factor is not None and mass is not None and mass > 0:
            batch_g = mass * factor if math.isfinite(mass * factor) else None
    interval = data.get("samplinginterval")
    computed = data.get("computed")
    phases = data.get("phases")
    dry_end = (
        _temperature(phases[1], to_celsius)
        if isinstance(phases, list) and len(phases) > 1
        else None
    )
    return RecordedRoast(
        times=[float(t) for t in times],  # each checked finite above
        bean_temps=bean,
        env_temps=env,
        marks=marks,
        heater_percent=_extra_channel(data, "extratemp1", count),
        fan_percent=_extra_channel(data, "extratemp2", count),
        sampling_interval_s=finite_float(interval),
        source_mode=mode,
        computed=computed if isinstance(computed, dict) else {},
        title=str(data.get("title", "")),
        batch_mass_g=batch_g,
        dry_end_temp_c=dry_end,
    )
