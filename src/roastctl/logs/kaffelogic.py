"""Reading Kaffelogic ``.klog`` roast logs (Kaffelogic Nano): seconds, deg C, no CHARGE.

``key:value`` header lines, a tab-separated table whose ``time`` column is in seconds and
temperatures in deg C, and ``!event:seconds`` lines (``!colour_change``, ``!first_crack``,
``!roast_end``) on the table's time axis. The beans go in cold when the program starts, so there
is no CHARGE mark. BT is the ``temp`` column; there is no environment temperature or fan
percentage; the heater is ``power_kW`` as a percentage of the header's
``heater_power_available`` (W). Files are opened by :mod:`roastctl.logs.load`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from roastctl.logs.file_errors import RoastLogError
from roastctl.logs.record import RecordedRoast
from roastctl.logs.values import (
    channel_or_none,
    index_at_or_after,
    median_interval,
    number_from,
    positive_number,
)
from roastctl.models import RoastEventType

#: Kaffelogic ``!event`` names that map to our events.
KLOG_MARKS: dict[str, RoastEventType] = {
    "colour_change": RoastEventType.DRY_END,
    "first_crack": RoastEventType.FIRST_CRACK_START,
    "first_crack_end": RoastEventType.FIRST_CRACK_END,
    "roast_end": RoastEventType.DROP,
}
_KLOG_TEMPERATURE_COLUMNS = ("temp", "spot_temp", "mean_temp")


def looks_like_klog(text: str) -> bool:
    """Whether ``text`` holds a Kaffelogic table (a line starting ``time`` and a tab)."""
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


def recorded_from_klog(text: str, path: Path) -> RecordedRoast:
    """Read the text of a ``.klog``; :class:`RoastLogError` naming ``path`` if it has no table."""
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
            number = number_from(value)
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
        values = [number_from(cell) for cell in line.split("\t")]
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
    interval = median_interval(times)
    marks: dict[RoastEventType, int] = {}
    for name, mark_s in events.items():
        event = KLOG_MARKS.get(name)
        index = index_at_or_after(times, mark_s, interval or 0.0) if mark_s > 0 else None
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
    available_w = positive_number(header.get("heater_power_available"))
    column = _find_column(columns, ("power_kw",))
    if available_w is None or column is None:
        return None
    channel: list[float | None] = []
    for row in rows:
        power_kw = _cell(row, column)
        channel.append(
            None if power_kw is None else min(100.0, max(0.0, power_kw * 1e5 / available_w))
        )
    return channel_or_none(channel)


__all__ = ["KLOG_MARKS", "looks_like_klog", "recorded_from_klog"]
