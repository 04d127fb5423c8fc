"""Reading roast logs written by software other than Artisan, and picking a reader for any log.

Three formats besides Artisan's ``.alog`` (see :mod:`roastctl.logs.artisan`) are understood:

* **Aillio RoasTime JSON** (Aillio Bullet): ``beanTemperature`` and ``drumTemperature`` arrays in
  deg C, ``sampleRate`` samples per second, covering CHARGE to DROP: CHARGE is index 0 and DROP
  the last index (``roastStartIndex``/``roastEndIndex`` are used where they fall inside the
  arrays; RoasTime writes ``roastEndIndex`` = array length, one past the end). Events are
  sample indices (``indexYellowingStart``, ``indexFirstCrackStart``, ``indexFirstCrackEnd``),
  0 meaning "not marked". Power (P0-P9) and fan (F0-F12) settings are the
  ``actions.actionTimeList`` entries with ``ctrlType`` 0 and 1, held from their sample index and
  given as a percentage of the top level (P9 and F12 are 100 %); before the first one: ``None``.
  ``drumTemperature`` becomes the environment temperature.
* **split-key-roast logs** (Hottop through pyhottop): a JSON object whose ``events`` list holds
  one entry per reading, ``time`` in minutes since the recording started and ``config`` with
  ``bean_temp``/``environment_temp`` in deg F, ``heater`` in percent and ``main_fan`` (the
  exhaust fan) as a level 0-10, stored as level x 10 %. Entries that carry an ``event`` name
  (Charge, Turning Point, First Crack, Drop Coffee) are marks, not readings: their ``config``
  repeats the previous reading.
* **Kaffelogic ``.klog``** (Kaffelogic Nano): ``key:value`` header lines, a tab-separated table
  whose ``time`` column is in seconds and temperatures in deg C, and ``!event:seconds`` lines
  (``!colour_change``, ``!first_crack``, ``!roast_end``) on the table's time axis. The beans go
  in cold when the program starts, so there is no CHARGE mark. BT is the ``temp`` column; there
  is no environment temperature or fan percentage; the heater is ``power_kW`` as a percentage
  of the header's ``heater_power_available`` (W).

Every reader returns a :class:`~roastctl.logs.artisan.RecordedRoast` with temperatures in deg C
and marks as the index of the first sample at or after the mark's time. A turning point is never
stored as a mark (it is computed from the curve). Missing or unreadable values become ``None``;
a file that cannot be read as the expected format raises :class:`RoastLogError` naming the path.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from roastctl.files.limits import MAX_ROAST_FILE_BYTES, FileLimitError, read_text_within
from roastctl.logs.artisan import AlogError, RecordedRoast, fahrenheit_to_celsius, load_alog
from roastctl.models import RoastEventType

#: File name endings of the roast logs :func:`load_roast_log` may be able to read.
ROAST_LOG_SUFFIXES: frozenset[str] = frozenset({".alog", ".json", ".log", ".klog"})

#: RoasTime index fields that map to our events (CHARGE and DROP are the array ends).
ROASTIME_MARKS: dict[str, RoastEventType] = {
    "indexYellowingStart": RoastEventType.DRY_END,
    "indexFirstCrackStart": RoastEventType.FIRST_CRACK_START,
    "indexFirstCrackEnd": RoastEventType.FIRST_CRACK_END,
}

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

#: Kaffelogic ``!event`` names that map to our events.
KLOG_MARKS: dict[str, RoastEventType] = {
    "colour_change": RoastEventType.DRY_END,
    "first_crack": RoastEventType.FIRST_CRACK_START,
    "first_crack_end": RoastEventType.FIRST_CRACK_END,
    "roast_end": RoastEventType.DROP,
}

_AILLIO_POWER = 0  # RoasTime ctrlType of the heater power setting, levels 0-9
_AILLIO_FAN = 1  # RoasTime ctrlType of the fan setting, levels 0-12
_AILLIO_POWER_MAX = 9
_AILLIO_FAN_MAX = 12
_HOTTOP_FAN_MAX = 10
_KLOG_TEMPERATURE_COLUMNS = ("temp", "spot_temp", "mean_temp")


class RoastLogError(AlogError):
    """The file is not a readable roast log of any supported format."""


def is_roast_log(path: Path | str) -> bool:
    """Return whether ``path`` is a file whose suffix is one of :data:`ROAST_LOG_SUFFIXES`.

    This looks at the name only; :func:`load_roast_log` checks the content.
    """
    candidate = Path(path)
    return candidate.suffix.lower() in ROAST_LOG_SUFFIXES and candidate.is_file()


def find_roast_logs(folder: Path | str) -> list[Path]:
    """Return the candidate roast logs directly inside ``folder``, sorted by name."""
    return sorted(entry for entry in Path(folder).iterdir() if is_roast_log(entry))


def load_roast_log(path: Path | str) -> RecordedRoast:
    """Read any supported roast log, choosing the reader from the suffix and the content.

    ``.alog`` goes to :func:`~roastctl.logs.artisan.load_alog` and ``.klog`` to
    :func:`load_klog`; any other file is recognised by its content: RoasTime JSON (has
    ``beanTemperature``), a split-key-roast log (has an ``events`` list), Artisan JSON (has
    ``timex``) or a Kaffelogic table (a ``time``-tab header line).

    Raises:
        AlogError: the file is none of these, or is broken (:class:`RoastLogError` unless an
            Artisan file is rejected by ``load_alog`` itself).

    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".alog":
        return _load_artisan(path)
    if suffix == ".klog":
        return load_klog(path)
    text = _read_text(path)
    if text.lstrip()[:1] in ("{", "["):
        data = _parse_json_object(text, path)
        if "beanTemperature" in data:
            return _roastime_from_data(data, path)
        if "events" in data:
            return _splitkey_from_data(data, path)
        if "timex" in data:
            return _load_artisan(path)
        raise RoastLogError(
            f"{path}: JSON object without 'beanTemperature' (RoasTime), 'events' (split-key-roast)"
            " or 'timex' (Artisan); not a roast log this program can read"
        )
    if _looks_like_klog(text):
        return _klog_from_text(text, path)
    raise RoastLogError(
        f"{path}: not a roast log this program can read (expected an Artisan .alog, Aillio "
        "RoasTime JSON, a split-key-roast log or a Kaffelogic .klog)"
    )


def load_roastime_json(path: Path | str) -> RecordedRoast:
    """Read an Aillio RoasTime roast (JSON, deg C, arrays from CHARGE to DROP).

    Raises:
        RoastLogError: the file is not JSON, or has no bean temperatures or sample rate.

    """
    path = Path(path)
    return _roastime_from_data(_parse_json_object(_read_text(path), path), path)


def load_splitkey_log(path: Path | str) -> RecordedRoast:
    """Read a split-key-roast log (Hottop via pyhottop: JSON, minutes, deg F).

    Raises:
        RoastLogError: the file is not JSON or its ``events`` list holds no timed readings.

    """
    path = Path(path)
    return _splitkey_from_data(_parse_json_object(_read_text(path), path), path)


def load_klog(path: Path | str) -> RecordedRoast:
    """Read a Kaffelogic ``.klog`` roast log (seconds, deg C, no CHARGE).

    Raises:
        RoastLogError: the file has no ``time`` table, no data rows or no temperature column.

    """
    path = Path(path)
    return _klog_from_text(_read_text(path), path)


# --- shared helpers -----------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        return read_text_within(path, MAX_ROAST_FILE_BYTES, "roast log", errors="replace")
    except FileLimitError as exc:
        raise RoastLogError(str(exc)) from exc
    except OSError as exc:
        raise RoastLogError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc


def _parse_json_object(text: str, path: Path) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RoastLogError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from exc
    except RecursionError as exc:
        raise RoastLogError(f"{path}: JSON nested too deeply to read") from exc
    if not isinstance(data, dict):
        raise RoastLogError(f"{path}: top level is a JSON {type(data).__name__}, expected object")
    return data


def _load_artisan(path: Path) -> RecordedRoast:
    try:
        return load_alog(path)
    except AlogError:
        raise
    except OSError as exc:
        raise RoastLogError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    except (TypeError, ValueError, AttributeError, IndexError, KeyError) as exc:
        raise RoastLogError(f"{path}: malformed Artisan log ({exc})") from exc


def _number(value: object) -> float | None:
    """Return a finite number from a JSON or text value (numeric strings too), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an int beyond any float is no reading
            return None
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _celsius(value: object, fahrenheit: bool) -> float | None:
    number = _number(value)
    if number is None:
        return None
    return fahrenheit_to_celsius(number) if fahrenheit else number


def _percent(value: object, full_scale: float) -> float | None:
    """``value`` as a percentage of ``full_scale``; ``None`` outside 0..full_scale."""
    number = _number(value)
    if number is None or not 0.0 <= number <= full_scale:
        return None
    return number * 100.0 / full_scale


def _median_interval(times: Sequence[float]) -> float | None:
    steps = [later - earlier for earlier, later in itertools.pairwise(times)]
    positive = [step for step in steps if step > 0]
    return statistics.median(positive) if positive else None


def _index_at_or_after(times: Sequence[float], mark_s: float, slack_s: float) -> int | None:
    """Index of the first sample at or after ``mark_s``.

    A mark up to ``slack_s`` after the last sample maps to the last sample; later marks (and
    marks in an empty series) give ``None``.
    """
    index = bisect.bisect_left(times, mark_s)
    if index < len(times):
        return index
    if times and mark_s - times[-1] <= slack_s:
        return len(times) - 1
    return None


def _channel_or_none(values: list[float | None]) -> list[float | None] | None:
    return values if any(value is not None for value in values) else None


def _positive(value: object) -> float | None:
    number = _number(value)
    return number if number is not None and number > 0 else None


# --- Aillio RoasTime ----------------------------------------------------------------------------


def _sample_index(value: object, count: int) -> int | None:
    number = _number(value)
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
        if not isinstance(entry, dict) or _number(entry.get("ctrlType")) != ctrl_type:
            continue
        start = _number(entry.get("index"))
        level = _percent(entry.get("value"), max_level)
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
    return _channel_or_none(channel)


def _roastime_from_data(data: dict[str, Any], path: Path) -> RecordedRoast:
    raw_bean = data.get("beanTemperature")
    if not isinstance(raw_bean, list) or not raw_bean:
        raise RoastLogError(
            f"{path}: no 'beanTemperature' samples; not an Aillio RoasTime roast with data"
        )
    rate = _positive(data.get("sampleRate"))
    if rate is None:
        raise RoastLogError(
            f"{path}: 'sampleRate' is {data.get('sampleRate')!r}; need samples per second > 0"
        )
    count = len(raw_bean)
    times = [index / rate for index in range(count)]
    bean = [_celsius(value, False) for value in raw_bean]
    raw_env = data.get("drumTemperature")
    env: list[float | None] = (
        [_celsius(value, False) for value in raw_env]
        if isinstance(raw_env, list) and len(raw_env) == count
        else [None] * count
    )
    start = _number(data.get("roastStartIndex"))
    charge = int(start) if start is not None and start.is_integer() and 0 <= start < count else 0
    marks: dict[RoastEventType, int] = {RoastEventType.CHARGE: charge}
    for key, event in ROASTIME_MARKS.items():
        index = _sample_index(data.get(key), count)
        if index is not None:
            marks[event] = index
    end = _number(data.get("roastEndIndex"))
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
        sampling_interval_s=_median_interval(times),
        source_mode="C",
        title=str(data.get("roastName") or ""),
        batch_mass_g=_positive(data.get("weightGreen")),
    )


# --- split-key-roast ----------------------------------------------------------------------------


def _entry_minutes(entry: Mapping[str, Any], config: Mapping[str, Any]) -> float | None:
    minutes = _number(entry.get("time"))
    return minutes if minutes is not None else _number(config.get("time"))


def _splitkey_from_data(data: dict[str, Any], path: Path) -> RecordedRoast:
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
                _celsius(config.get("bean_temp"), True) if valid else None,
                _celsius(config.get("environment_temp"), True) if valid else None,
                _percent(config.get("heater"), 100.0),
                _percent(config.get("main_fan"), _HOTTOP_FAN_MAX),
            )
        )
    if not samples:
        raise RoastLogError(f"{path}: 'events' holds no timed readings; nothing to load")
    samples.sort(key=lambda sample: sample[0])
    times = [sample[0] for sample in samples]
    interval = _median_interval(times)
    marks: dict[RoastEventType, int] = {}
    for name, mark_s in named_marks:
        event = SPLITKEY_MARKS.get(" ".join(name.lower().replace("_", " ").split()))
        index = _index_at_or_after(times, mark_s, interval or 0.0)
        if event is not None and index is not None:
            marks[event] = index  # a repeated mark replaces the earlier one
    title = data.get("name") or data.get("coffee") or ""
    return RecordedRoast(
        times=times,
        bean_temps=[sample[1] for sample in samples],
        env_temps=[sample[2] for sample in samples],
        marks=marks,
        heater_percent=_channel_or_none([sample[3] for sample in samples]),
        fan_percent=_channel_or_none([sample[4] for sample in samples]),
        sampling_interval_s=interval,
        source_mode="F",
        title=str(title),
        batch_mass_g=_positive(data.get("input_weight")),
    )


# --- Kaffelogic .klog ---------------------------------------------------------------------------


def _looks_like_klog(text: str) -> bool:
    return any(line.startswith("time\t") for line in text.splitlines())


def _column_name(raw: str) -> str:
    return raw.strip().lstrip("#=^~").lower()


def _find_column(columns: Sequence[str], names: Iterable[str]) -> int | None:
    for name in names:
        if name in columns:
            return columns.index(name)
    return None


def _cell(row: Sequence[float | None], column: int | None) -> float | None:
    if column is None or column >= len(row):
        return None
    return row[column]


def _klog_from_text(text: str, path: Path) -> RecordedRoast:
    header: dict[str, str] = {}
    columns: list[str] | None = None
    rows: list[tuple[float, list[float | None]]] = []
    events: dict[str, float] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("!"):
            key, separator, value = stripped[1:].partition(":")
            number = _number(value)
            if separator and number is not None:
                events[key.strip().lower()] = number  # a repeated event replaces the earlier one
            continue
        if columns is None:
            cells = stripped.split("\t")
            if cells[0].strip().lower() == "time" and len(cells) > 1:
                columns = [_column_name(cell) for cell in cells]
                continue
            key, separator, value = stripped.partition(":")
            if separator and "\t" not in key:
                header.setdefault(key.strip(), value.strip())
            continue
        values = [_number(cell) for cell in line.split("\t")]
        if values[0] is not None:
            rows.append((values[0], values))
    if columns is None:
        raise RoastLogError(f"{path}: no data table (no 'time' header line); not a Kaffelogic log")
    if not rows:
        raise RoastLogError(f"{path}: the Kaffelogic table has a header but no data rows")
    temperature = _find_column(columns, _KLOG_TEMPERATURE_COLUMNS)
    if temperature is None:
        raise RoastLogError(
            f"{path}: no temperature column (looked for {', '.join(_KLOG_TEMPERATURE_COLUMNS)})"
        )
    rows.sort(key=lambda row: row[0])
    times = [time_s for time_s, _ in rows]
    table = [values for _, values in rows]
    interval = _median_interval(times)
    marks: dict[RoastEventType, int] = {}
    for name, mark_s in events.items():
        event = KLOG_MARKS.get(name)
        index = _index_at_or_after(times, mark_s, interval or 0.0) if mark_s > 0 else None
        if event is not None and index is not None:
            marks[event] = index
    return RecordedRoast(
        times=times,
        bean_temps=[_cell(row, temperature) for row in table],
        env_temps=[None] * len(table),
        marks=marks,
        heater_percent=_klog_heater(header, columns, table),
        fan_percent=None,
        sampling_interval_s=interval,
        source_mode="C",
        title=header.get("profile_short_name") or header.get("profile_file_name") or path.stem,
    )


def _klog_heater(
    header: Mapping[str, str], columns: Sequence[str], rows: Sequence[Sequence[float | None]]
) -> list[float | None] | None:
    """Heater power as a percentage of ``heater_power_available`` (W), when the log has both."""
    available_w = _positive(header.get("heater_power_available"))
    column = _find_column(columns, ("power_kw",))
    if available_w is None or column is None:
        return None
    channel: list[float | None] = []
    for row in rows:
        power_kw = _cell(row, column)
        channel.append(
            None if power_kw is None else min(100.0, max(0.0, power_kw * 1e5 / available_w))
        )
    return _channel_or_none(channel)
