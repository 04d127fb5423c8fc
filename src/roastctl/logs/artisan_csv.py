"""Reading Artisan's tab-separated CSV export (Artisan's ``exportProfile2CSV``, and ours).

Layout:

* row 1: header cells ``Date:dd.MM.yyyy``, ``Unit:C`` (or ``F``), the event times as mm:ss since
  the first sample (``CHARGE:``, ``TP:``, ``DRYe:``, ``FCs:``, ``FCe:``, ``SCs:``, ``SCe:``,
  ``DROP:``, ``COOL:``, empty when not set) and ``Time:hh:mm``;
* row 2: column names ``Time1``, ``Time2``, ``ET``, ``BT``, ``Event``, then two columns per extra
  device (named by the device's channel names);
* data rows: ``Time1`` is mm:ss since the first sample (one row per whole second), ``Time2`` mm:ss
  since CHARGE (empty before), ``ET`` and ``BT`` in the file's unit (-1 = no reading).

Events map to the sample nearest their time, as Artisan's importer does; TP is read too (Artisan
computes it again from the curve), and an event other than CHARGE at 00:00 counts as not set.
Extra channels whose name says heater (or burner/power) and fan (or air) become the heater and
fan percentages. ``Date:`` and ``Time:`` give the start of the recording, read as UTC: roastctl
writes UTC there, and Artisan the computer's local time, which the file does not name.
"""

from __future__ import annotations

import bisect
import csv
import io
import math
from datetime import UTC, datetime
from pathlib import Path

from roastctl.logs.file_errors import ArtisanCsvError
from roastctl.logs.record import RecordedRoast
from roastctl.logs.values import fahrenheit_to_celsius, median_interval, number_from
from roastctl.models import RoastEventType

#: Header labels of the events this reader keeps.
CSV_EVENT_LABELS: dict[str, RoastEventType] = {
    "CHARGE": RoastEventType.CHARGE,
    "TP": RoastEventType.TURNING_POINT,
    "DRYe": RoastEventType.DRY_END,
    "FCs": RoastEventType.FIRST_CRACK_START,
    "FCe": RoastEventType.FIRST_CRACK_END,
    "SCs": RoastEventType.SECOND_CRACK_START,
    "SCe": RoastEventType.SECOND_CRACK_END,
    "DROP": RoastEventType.DROP,
    "COOL": RoastEventType.COOL,
}
_HEATER_WORDS = ("heater", "burner", "power", "heat")
_FAN_WORDS = ("fan", "air")


def parse_mmss(text: str) -> float | None:
    """Seconds from ``mm:ss`` (minutes may exceed 59; a leading ``-`` is allowed), else ``None``."""
    value = text.strip()
    if not value:
        return None
    sign = -1.0 if value.startswith("-") else 1.0
    minutes, separator, seconds = value.lstrip("-").partition(":")
    if not separator:
        return None
    try:
        total = int(minutes) * 60 + float(seconds)
    except (ValueError, OverflowError):  # OverflowError: minutes beyond any float
        return None
    return sign * total if math.isfinite(total) else None


def looks_like_artisan_csv(text: str) -> bool:
    """Whether ``text`` starts like an Artisan CSV export (a ``Date:``/``Unit:`` header row)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    cells = first.split("\t")
    return any(cell.startswith("Unit:") for cell in cells) and first.startswith("Date:")


def _reading(text: str, fahrenheit: bool) -> float | None:
    number = number_from(text)
    if number is None or number == -1.0:
        return None
    return fahrenheit_to_celsius(number) if fahrenheit else number


def _percent(text: str) -> float | None:
    number = number_from(text)
    return number if number is not None and 0.0 <= number <= 100.0 else None


def _cell(row: list[str], column: int | None) -> str:
    return row[column] if column is not None and column < len(row) else ""


def _find(names: list[str], words: tuple[str, ...], start: int) -> int | None:
    for position in range(start, len(names)):
        lowered = names[position].lower()
        if any(word in lowered for word in words):
            return position
    return None


def recorded_from_csv(text: str, path: Path) -> RecordedRoast:
    """Read the text of an Artisan CSV export; temperatures in deg C whatever the file's unit.

    ``path`` names the file in messages and gives the title. Files are opened by
    :mod:`roastctl.logs.load`.

    Raises:
        ArtisanCsvError: the text lacks the two header rows or holds no samples.

    """
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter="\t"))
    if len(rows) < 2 or not rows[0] or not rows[0][0].startswith("Date:"):
        raise ArtisanCsvError(
            f"{path}: not an Artisan CSV export (the first row must start with 'Date:')"
        )
    header = {cell.partition(":")[0]: cell.partition(":")[2] for cell in rows[0]}
    unit = header.get("Unit", "C").strip().upper() or "C"
    if unit not in ("C", "F"):
        raise ArtisanCsvError(f"{path}: unknown unit {unit!r} (expected C or F)")
    names = [name.strip() for name in rows[1]]
    try:
        time_col, et_col, bt_col = names.index("Time1"), names.index("ET"), names.index("BT")
    except ValueError:
        raise ArtisanCsvError(
            f"{path}: row 2 must name the columns Time1, ET and BT; found {names[:6]}"
        ) from None
    extras_from = names.index("Event") + 1 if "Event" in names else bt_col + 1
    heater_col = _find(names, _HEATER_WORDS, extras_from)
    fan_col = _find(names, _FAN_WORDS, extras_from)
    fahrenheit = unit == "F"
    times: list[float] = []
    bean: list[float | None] = []
    env: list[float | None] = []
    heater: list[float | None] = []
    fan: list[float | None] = []
    for row in rows[2:]:
        if len(row) <= max(time_col, et_col, bt_col):
            continue
        seconds = parse_mmss(row[time_col])
        if seconds is None or (times and seconds <= times[-1]):
            continue
        times.append(seconds)
        bean.append(_reading(row[bt_col], fahrenheit))
        env.append(_reading(row[et_col], fahrenheit))
        heater.append(_percent(_cell(row, heater_col)))
        fan.append(_percent(_cell(row, fan_col)))
    if not times:
        raise ArtisanCsvError(f"{path}: no data rows with a Time1 value")
    marks: dict[RoastEventType, int] = {}
    for label, event in CSV_EVENT_LABELS.items():
        seconds = parse_mmss(header.get(label, ""))
        if seconds is None or (seconds == 0 and event is not RoastEventType.CHARGE):
            continue
        marks[event] = _nearest(times, times[0] + seconds)
    return RecordedRoast(
        times=times,
        bean_temps=bean,
        env_temps=env,
        marks=marks,
        heater_percent=heater if any(v is not None for v in heater) else None,
        fan_percent=fan if any(v is not None for v in fan) else None,
        sampling_interval_s=median_interval(times),
        source_mode=unit,
        title=path.stem,
        started_utc=_started(header),
    )


def _started(header: dict[str, str]) -> datetime | None:
    """Return the start of the recording from ``Date:dd.MM.yyyy`` and ``Time:hh:mm``, as UTC."""
    try:
        day = datetime.strptime(header.get("Date", "").strip(), "%d.%m.%Y")
        clock = datetime.strptime(header.get("Time", "").strip() or "00:00", "%H:%M")
    except ValueError:
        return None
    return day.replace(hour=clock.hour, minute=clock.minute, tzinfo=UTC)


def _nearest(times: list[float], time_s: float) -> int:
    right = bisect.bisect_left(times, time_s)
    if right <= 0:
        return 0
    if right >= len(times):
        return len(times) - 1
    return right if times[right] - time_s < time_s - times[right - 1] else right - 1
