"""Writing a kept roast as an Artisan profile: ``.alog``, Artisan JSON and Artisan CSV.

Artisan's profile is a dict (``ProfileData`` in Artisan's ``atypes.py``): ``.alog`` is its
``repr()``; Artisan's JSON export is the same dict as JSON; its CSV export is a tab-separated
table with one row per whole second. Files written here read back through
:mod:`roastctl.logs.load` (see :mod:`roastctl.logs.artisan_import` for the time axis).

Sample times are written unchanged (Artisan's ``timex`` is seconds since the recording started).
An event's time is the time of its sample: ``timeindex`` holds sample indices, so export puts
each event on the sample nearest to its ``time_s``.

What an ``.alog`` cannot hold: events other than CHARGE at the first sample (index 0 means "not
set" in every slot but CHARGE's), a turning point as an event (Artisan computes it; export writes
it only into ``computed``), a reading of exactly -1 (Artisan's mark for a missing reading) and
fractional heater or fan percentages (the record keeps whole percents).

Written files carry no ``version``, ``revision``, ``build``, ``signature`` or ``hash``: Artisan
checks a signature and hash on files that claim version 4.2 or later, and would call ours "not a
genuine Artisan profile". ``recording_version`` says who wrote the file.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from roastctl.files.write import write_text_atomically
from roastctl.logs.artisan import (
    HOTTOP_HEATER_FAN_DEVICE,
    MISSING_READING,
    TIMEINDEX_SLOTS,
    encode_local,
    normalise_uuid,
)
from roastctl.logs.artisan_events import control_events
from roastctl.logs.artisan_keep import kept_profile
from roastctl.logs.artisan_merge import merge_kept_profile
from roastctl.logs.artisan_properties import properties_from_profile, properties_to_profile
from roastctl.logs.record import RecordSample, RoastRecord
from roastctl.logs.values import median_interval
from roastctl.models import RoastEventType

#: Artisan's default phase limits in deg C: [dry-min, DRY, FCs (mid-max), finish-max].
DEFAULT_PHASES_C: tuple[int, int, int, int] = (95, 150, 200, 230)
#: Event type names of Artisan's Hottop preset; ``{3}``/``{0}`` in channel names refer to them.
HOTTOP_ETYPES: tuple[str, ...] = ("Fan", "Drum", "Damper", "Heater", "--")
#: Who wrote the file, in the key Artisan keeps for the recording software's version.
RECORDING_VERSION = "roastctl"

_MISSING = MISSING_READING
_QT_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_QT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Channel colours of Artisan's Hottop preset: heater dark red, fan blue.
_HEATER_COLOUR = "#70000f"
_FAN_COLOUR = "#397fc1"
# computed-block names of the timeindex slots that have an event of ours (CHARGE excluded).
_COMPUTED_NAMES: dict[int, str] = {
    1: "DRY",
    2: "FCs",
    3: "FCe",
    4: "SCs",
    5: "SCe",
    6: "DROP",
    7: "COOL",
}
# CSV header labels and Event-column names of the eight timeindex slots, TP after CHARGE.
_CSV_LABELS: tuple[tuple[str, str], ...] = (
    ("CHARGE", "CHARGE"),
    ("TP", "TP"),
    ("DRYe", "DRY End"),
    ("FCs", "FCs"),
    ("FCe", "FCe"),
    ("SCs", "SCs"),
    ("SCe", "SCe"),
    ("DROP", "DROP"),
    ("COOL", "COOL"),
)


# --- export -------------------------------------------------------------------------------------


def record_to_profile(record: RoastRecord) -> dict[str, Any]:
    """Return the Artisan profile dict of ``record`` (deg C, plain Python types only).

    A record imported from an Artisan profile gives that profile back, with what roastctl holds
    laid over it (:mod:`roastctl.logs.artisan_merge`). Otherwise the heater, fan and drum
    changes are written as Artisan special events (:mod:`roastctl.logs.artisan_events`).
    Samples at the time of the sample before them are left out (the later one stands: it is
    the roaster's state after a command at that instant), so sample times strictly increase.

    Raises :class:`ValueError` if a sample time is not a finite number.
    """
    written = _own_profile(record)
    kept = kept_profile(record)
    if kept is None:
        return written
    merged = merge_kept_profile(kept, written, record)
    if properties_from_profile(kept) != record.properties:
        # Changed since import (set_roast_info): the changed properties overwrite the file's.
        merged.update(properties_to_profile(record.properties, merged))
    return merged


def _own_profile(record: RoastRecord) -> dict[str, Any]:
    """Return the profile of ``record`` from roastctl's own data alone (deg C)."""
    samples = distinct_time_samples(record.samples)
    record = replace(record, samples=samples)
    times = [_sample_time(sample.time_s) for sample in samples]
    env = [_reading(sample.env_temp_c) for sample in samples]
    bean = [_reading(sample.bean_temp_c) for sample in samples]
    timeindex = _timeindex(record, times)
    profile: dict[str, Any] = {
        "recording_version": RECORDING_VERSION,
        "mode": "C",
        "timex": times,
        "temp1": env,
        "temp2": bean,
        "timeindex": timeindex,
        "samplinginterval": _sampling_interval(record, times),
        "phases": _phases(timeindex, bean),
        **control_events(samples, max(timeindex[0], 0), HOTTOP_ETYPES),
        "etypes": list(HOTTOP_ETYPES),
    }
    profile.update(_metadata(record))
    profile.update(background(record))
    profile["computed"] = _computed(record, times, env, bean, timeindex)
    profile.update(_extra_device(record, times))
    profile.update(properties_to_profile(record.properties, profile))
    return profile


def distinct_time_samples(samples: Sequence[RecordSample]) -> tuple[RecordSample, ...]:
    """Return ``samples`` without any sample whose time equals the next sample's.

    A live session records the roaster's state right after a command (DROP, say) at the
    instant of the sample before it; the later sample is kept, as it is the state from then on.
    """
    return tuple(
        sample
        for position, sample in enumerate(samples)
        if position + 1 == len(samples) or samples[position + 1].time_s != sample.time_s
    )


def dump_alog(record: RoastRecord) -> str:
    """Return the ``.alog`` text of ``record``: the ``repr`` of its profile dict, pure ASCII."""
    return repr(record_to_profile(record))


def write_alog(record: RoastRecord, path: Path | str) -> Path:
    """Write ``record`` as an ``.alog`` file at ``path``, atomically; return the path.

    The text goes to a temporary file in the same folder, is flushed to disk and then renamed
    over ``path``, so a reader sees the old file or the new one, never half of one.
    """
    path = Path(path)
    write_text_atomically(path, dump_alog(record))
    return path


def export_json(record: RoastRecord) -> str:
    """Return ``record`` as Artisan's JSON export: the profile dict, compact, not ASCII-escaped."""
    return json.dumps(record_to_profile(record), separators=(",", ":"), ensure_ascii=False)


def export_csv(record: RoastRecord) -> str:
    """Return ``record`` as Artisan's tab-separated CSV export (one row per whole second).

    Row 1 holds the date, the unit, the event times (mm:ss since the first sample, empty when
    not set) and the start time; row 2 the column names; then Time1 (since the first sample),
    Time2 (since CHARGE, empty before), ET, BT, the event first reached on that row, and the
    heater and fan channels when the record has them. Artisan writes mm:ss as whole minutes and
    the rounded rest, which can print "00:60"; here the rounded second carries into the minute.
    """
    # Roastctl's own data in deg C: the CSV says "Unit:C" and carries no kept Artisan keys.
    profile = _own_profile(record)
    buffer = io.StringIO()
    # csv's default "\r\n" line ends are what Artisan's exporter writes too.
    writer = csv.writer(buffer, delimiter="\t")
    writer.writerow(_csv_header(profile))
    extra_names = (
        [profile["extraname1"][0], profile["extraname2"][0]] if "extradevices" in profile else []
    )
    writer.writerow(["Time1", "Time2", "ET", "BT", "Event", *extra_names])
    writer.writerows(_csv_rows(profile))
    return buffer.getvalue()


def _sample_time(value: float) -> float:
    time_s = float(value)
    if not math.isfinite(time_s):
        raise ValueError(f"sample time {value!r} is not a finite number")
    return time_s


def _reading(value: float | None) -> float:
    """Return a temperature for Artisan: -1.0 where there is none (NaN would not read back)."""
    if value is None or not math.isfinite(value):
        return _MISSING
    return float(value)


def _nearest(times: Sequence[float], time_s: float) -> int:
    """Index of the sample nearest to ``time_s`` (the first of equally near ones)."""
    return min(range(len(times)), key=lambda i: abs(times[i] - time_s))


def _timeindex(record: RoastRecord, times: Sequence[float]) -> list[int]:
    timeindex = [-1, 0, 0, 0, 0, 0, 0, 0]
    for slot, kind in TIMEINDEX_SLOTS.items():
        event = record.event(kind)
        if event is None or not times or not math.isfinite(event.time_s):
            continue
        # An index of 0 reads as "not set" in every slot but CHARGE's, so only CHARGE can be
        # at the first sample.
        timeindex[slot] = _nearest(times, event.time_s)
    return timeindex


def _sampling_interval(record: RoastRecord, times: Sequence[float]) -> float:
    """Return the record's interval, else the median step, else 1.0 (Artisan rejects None)."""
    known = record.sampling_interval_s
    if known is not None and math.isfinite(known) and known > 0:
        return float(known)
    median = median_interval(times)
    return float(median) if median is not None else 1.0


def _phases(timeindex: Sequence[int], bean: Sequence[float]) -> list[int]:
    """Artisan's default C phases, with the DRY limit at the BT of a marked DRY END."""
    phases = list(DEFAULT_PHASES_C)
    dry = timeindex[1]
    if dry > 0 and bean[dry] != _MISSING:
        limit = round(bean[dry])
        if phases[0] < limit < phases[2]:  # keep the limits in order
            phases[1] = limit
    return phases


def _grams(value: float | None) -> float:
    return float(value) if value is not None and math.isfinite(value) else 0.0


def _qt_text_date(moment: datetime) -> str:
    """``QDate.toString()``'s text form, e.g. "Sat Oct 25 2025", independent of the locale."""
    day = _QT_DAYS[moment.weekday()]
    return f"{day} {_QT_MONTHS[moment.month - 1]} {moment.day} {moment.year}"


def _as_utc(moment: datetime) -> datetime:
    """Return ``moment`` in UTC; a naive time is taken as UTC (records keep UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _metadata(record: RoastRecord) -> dict[str, Any]:
    started = _as_utc(record.started_utc)
    return {
        "title": encode_local(record.title),
        "beans": encode_local(record.bean or ""),
        "weight": [_grams(record.batch_g), _grams(record.roasted_g), "g"],
        "roastingnotes": encode_local(record.notes),
        "roastertype": encode_local(record.roaster),
        "roastUUID": encode_local(normalise_uuid(record.uuid)),
        "roastepoch": int(started.timestamp()),
        # Dates are written in UTC, so the offset (seconds west of UTC) is 0.
        "roasttzoffset": 0,
        "roastisodate": started.date().isoformat(),
        "roasttime": started.strftime("%H:%M:%S"),
        "roastdate": _qt_text_date(started),
    }


def background(record: RoastRecord) -> dict[str, str]:
    """Return Artisan's background keys naming the reference the roast followed, if any.

    The session keeps the reference in ``extra["reference"]`` (name, source, roast id, path and
    a kept roast's uuid). ``backgroundpath`` is the file's path, or the reference's name when it
    was no file; ``backgroundUUID`` the kept roast's uuid, in Artisan's form.
    """
    reference = record.extra.get("reference")
    if not isinstance(reference, Mapping):
        return {}
    keys: dict[str, str] = {}
    path = reference.get("path") or reference.get("name")
    if isinstance(path, str) and path:
        keys["backgroundpath"] = encode_local(path)
    uuid = reference.get("uuid")
    if isinstance(uuid, str) and uuid:
        keys["backgroundUUID"] = encode_local(normalise_uuid(uuid))
    return keys


def _add_temperatures(
    computed: dict[str, Any], name: str, index: int, env: Sequence[float], bean: Sequence[float]
) -> None:
    if env[index] != _MISSING:
        computed[f"{name}_ET"] = round(env[index], 1)
    if bean[index] != _MISSING:
        computed[f"{name}_BT"] = round(bean[index], 1)


def _computed(
    record: RoastRecord,
    times: Sequence[float],
    env: Sequence[float],
    bean: Sequence[float],
    timeindex: Sequence[int],
) -> dict[str, Any]:
    """Artisan's ``computed`` items that follow from the marks: times are seconds from CHARGE."""
    computed: dict[str, Any] = {}
    charge = timeindex[0]
    if charge >= 0:
        _add_temperatures(computed, "CHARGE", charge, env, bean)
    computed.update(_turning_point(record, times, env, bean, charge))
    marks = {name: timeindex[slot] for slot, name in _COMPUTED_NAMES.items() if timeindex[slot]}
    for name, index in marks.items():
        if charge >= 0:
            computed[f"{name}_time"] = round(times[index] - times[charge], 1)
        _add_temperatures(computed, name, index, env, bean)
    computed.update(_phase_times(times, charge, marks))
    return computed


def _turning_point(
    record: RoastRecord,
    times: Sequence[float],
    env: Sequence[float],
    bean: Sequence[float],
    charge: int,
) -> dict[str, Any]:
    event = record.event(RoastEventType.TURNING_POINT)
    if event is None or not times or not math.isfinite(event.time_s):
        return {}
    index = _nearest(times, event.time_s)
    computed: dict[str, Any] = {"TP_idx": index}
    if charge >= 0:
        computed["TP_time"] = round(times[index] - times[charge], 1)
    _add_temperatures(computed, "TP", index, env, bean)
    return computed


def _phase_times(times: Sequence[float], charge: int, marks: Mapping[str, int]) -> dict[str, Any]:
    """Return the total and finish-phase times (Artisan's DTR is finishphasetime/totaltime).

    ``dryphasetime`` and ``midphasetime`` are left out: Artisan ends the drying phase at the DRY
    mark or where BT crosses ``phases[1]``, depending on its settings, so the marks alone do not
    determine them.
    """
    drop, first_crack = marks.get("DROP", -1), marks.get("FCs", -1)
    computed: dict[str, Any] = {}
    if charge >= 0 and drop >= 0:
        computed["totaltime"] = round(times[drop] - times[charge], 1)
    if first_crack >= 0 and drop >= 0:
        computed["finishphasetime"] = round(times[drop] - times[first_crack], 1)
    return computed


def _percent(value: float | None) -> float:
    return _MISSING if value is None else float(value)


def _extra_device(record: RoastRecord, times: Sequence[float]) -> dict[str, Any]:
    """Return the heater and fan as the Hottop extra device; nothing when the record has neither."""
    heat = [sample.heat_percent for sample in record.samples]
    fan = [sample.fan_percent for sample in record.samples]
    if all(value is None for value in heat) and all(value is None for value in fan):
        return {}
    return {
        "extradevices": [HOTTOP_HEATER_FAN_DEVICE],
        "extraname1": ["Heater"],
        "extraname2": ["Fan"],
        "extratimex": [list(times)],
        "extratemp1": [[_percent(value) for value in heat]],
        "extratemp2": [[_percent(value) for value in fan]],
        "extramathexpression1": [""],
        "extramathexpression2": [""],
        "extradevicecolor1": [_HEATER_COLOUR],
        "extradevicecolor2": [_FAN_COLOUR],
        "extraLCDvisibility1": [True],
        "extraLCDvisibility2": [True],
        "extraCurveVisibility1": [True],
        "extraCurveVisibility2": [True],
        "extraDelta1": [False],
        "extraDelta2": [False],
        "extraFill1": [0],
        "extraFill2": [0],
        # Percentages, not temperatures: Artisan must not convert them between C and F.
        "extraNoneTempHint1": [True],
        "extraNoneTempHint2": [True],
    }


# --- CSV ----------------------------------------------------------------------------------------


def _mmss(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes:02d}:{rest:02d}"


def _csv_events(profile: Mapping[str, Any]) -> list[tuple[str, str, float | None]]:
    """(header label, Event name, seconds since the first sample or None) in Artisan's order."""
    times: list[float] = profile["timex"]
    timeindex: list[int] = profile["timeindex"]
    tp_index = profile["computed"].get("TP_idx")
    indices: list[int | None] = [
        timeindex[0] if timeindex[0] >= 0 else None,
        tp_index,
        *(index or None for index in timeindex[1:]),
    ]
    events: list[tuple[str, str, float | None]] = []
    for (label, name), index in zip(_CSV_LABELS, indices, strict=True):
        seconds = None if index is None else times[index] - times[0]
        # Only CHARGE can be at 00:00: Artisan takes any other event at time 0 as not set.
        events.append((label, name, None if seconds == 0 and label != "CHARGE" else seconds))
    return events


def _csv_header(profile: Mapping[str, Any]) -> list[str]:
    cells = [f"Date:{datetime.fromisoformat(profile['roastisodate']):%d.%m.%Y}", "Unit:C"]
    for label, _, seconds in _csv_events(profile):
        cells.append(f"{label}:{'' if seconds is None else _mmss(seconds)}")
    cells.append(f"Time:{profile['roasttime'][:5]}")
    return cells


def _csv_rows(profile: Mapping[str, Any]) -> list[list[str]]:
    times: list[float] = profile["timex"]
    # The Event column names an event on the row of its (rounded) second, the first one there.
    events: dict[int, str] = {}
    for _, name, seconds in _csv_events(profile):
        if seconds is not None:
            events.setdefault(round(seconds), name)
    charge = profile["timeindex"][0]
    rows: list[list[str]] = []
    last_second: int | None = None
    for i, time_s in enumerate(times):
        since_start = time_s - times[0]
        second = round(since_start)
        if second == last_second:
            continue  # Artisan keeps one row per whole second
        last_second = second
        rows.append(_csv_row(profile, i, since_start, charge, events.pop(second, "")))
    return rows


def _csv_row(
    profile: Mapping[str, Any], i: int, since_start: float, charge: int, event: str
) -> list[str]:
    times: list[float] = profile["timex"]
    since_charge = since_start - (times[charge] - times[0]) if charge >= 0 else -1.0
    row = [
        _mmss(since_start),
        _mmss(since_charge) if charge >= 0 and since_charge >= 0 else "",
        str(profile["temp1"][i]),
        str(profile["temp2"][i]),
        event,
    ]
    if "extradevices" in profile:
        row += [str(profile["extratemp1"][0][i]), str(profile["extratemp2"][0][i])]
    return row


__all__ = [
    "DEFAULT_PHASES_C",
    "HOTTOP_ETYPES",
    "RECORDING_VERSION",
    "distinct_time_samples",
    "dump_alog",
    "export_csv",
    "export_json",
    "record_to_profile",
    "write_alog",
]
