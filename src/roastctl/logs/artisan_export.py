"""Writing a kept roast as an Artisan profile (``.alog``, JSON, CSV) and reading one back.

Artisan's profile is a dict (``ProfileData`` in Artisan's ``atypes.py``): ``.alog`` is its
``repr()``, read with :func:`~roastctl.logs.literal.parse_literal` (what :func:`ast.literal_eval`
gives, within the limits of :mod:`roastctl.files.limits`); Artisan's JSON export is the same dict
as JSON; its CSV export is a tab-separated table with one row per whole second.

**Time axis.** :attr:`RecordSample.time_s <roastctl.logs.record.RecordSample.time_s>` *is*
Artisan's ``timex``: seconds since the recording started (Artisan's START), not since CHARGE and
not shifted to the first sample. Import keeps ``timex[i]`` as it is and export writes the sample
times back unchanged, so import -> export -> import gives the same samples and events. An
event's time is the time of its sample: ``timeindex`` holds sample indices, so export puts each
event on the sample nearest to its ``time_s`` and import gives it that sample's time and BT.

What an ``.alog`` cannot hold: events other than CHARGE at the first sample (index 0 means "not
set" in every slot but CHARGE's), a turning point as an event (Artisan computes it; export writes
it only into ``computed``), a reading of exactly -1 (Artisan's mark for a missing reading) and
fractional heater or fan percentages (the record keeps whole percents).

Written files carry no ``version``, ``revision``, ``build``, ``signature`` or ``hash``: Artisan
checks a signature and hash on files that claim version 4.2 or later, and would call ours "not a
genuine Artisan profile". ``recording_version`` says who wrote the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import math
import re
import statistics
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeGuard

from roastctl.files.limits import (
    IMPORT_EPOCH_RANGE_S,
    IMPORT_MASS_MAX_G,
    IMPORT_PERCENT_RANGE,
    IMPORT_TEMPERATURE_RANGE_C,
    IMPORT_TZ_OFFSET_RANGE_S,
    MAX_ROAST_FILE_BYTES,
    FileLimitError,
    read_text_within,
)
from roastctl.files.write import write_text_atomically
from roastctl.logs.artisan import (
    TIMEINDEX_SLOTS,
    AlogError,
    fahrenheit_to_celsius,
    parse_profile,
)
from roastctl.logs.import_checks import (
    check_event_order,
    check_range,
    check_text,
    check_times,
    check_uuid,
    shown,
)
from roastctl.logs.record import RecordEvent, RecordSample, RecordStatus, RoastRecord
from roastctl.models import RoastEventType

#: Artisan's device id of the Hottop heater/fan channels (extratemp1 = heater %, 2 = fan %).
HOTTOP_HEATER_FAN_DEVICE = 54
#: Artisan's default phase limits in deg C: [dry-min, DRY, FCs (mid-max), finish-max].
DEFAULT_PHASES_C: tuple[int, int, int, int] = (95, 150, 200, 230)
#: Event type names of Artisan's Hottop preset; ``{3}``/``{0}`` in channel names refer to them.
HOTTOP_ETYPES: tuple[str, ...] = ("Fan", "Drum", "Damper", "Heater", "--")
#: Provenance keys a written profile must not carry (see the module docstring).
PROVENANCE_KEYS: frozenset[str] = frozenset({"version", "revision", "build", "signature", "hash"})
#: Keys Artisan needs in practice to open a profile cleanly.
REQUIRED_KEYS: tuple[str, ...] = (
    "mode",
    "timex",
    "temp1",
    "temp2",
    "timeindex",
    "samplinginterval",
    "phases",
)
#: Artisan's weight units and their size in grams.
WEIGHT_UNITS_G: dict[str, float] = {"g": 1.0, "Kg": 1000.0, "lb": 453.59237, "oz": 28.349523125}
#: Who wrote the file, in the key Artisan keeps for the recording software's version.
RECORDING_VERSION = "roastctl"

_MISSING = -1.0  # Artisan's mark for "no reading"
_QT_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_QT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Channel colours of Artisan's Hottop preset: heater dark red, fan blue.
_HEATER_COLOUR = "#70000f"
_FAN_COLOUR = "#397fc1"
# computed-block names of the timeindex slots that have an event of ours (CHARGE excluded).
_COMPUTED_NAMES: dict[int, str] = {1: "DRY", 2: "FCs", 3: "FCe", 6: "DROP"}
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


# --- strings --------------------------------------------------------------------------------------


def encode_local(text: str) -> str:
    """Escape ``text`` as Artisan's ``encodeLocal`` does (non-ASCII and newlines as escapes)."""
    return text.encode("unicode_escape").decode("ascii")


def decode_local(text: str) -> str:
    """Undo :func:`encode_local`; text that is not escaped ASCII is returned unchanged."""
    if not text.isascii():
        # Artisan never writes raw non-ASCII; unescaping it would misread UTF-8 as Latin-1.
        return text
    try:
        return codecs.unicode_escape_decode(text)[0]
    except UnicodeDecodeError:
        return text


def _normalise_uuid(text: str) -> str:
    """Artisan's form of a UUID (32 hex digits, no dashes); other text is kept as it is."""
    try:
        return uuid.UUID(text).hex
    except ValueError:
        return text


# --- export -------------------------------------------------------------------------------------


def record_to_profile(record: RoastRecord) -> dict[str, Any]:
    """Return the Artisan profile dict of ``record`` (deg C, plain Python types only).

    Raises :class:`ValueError` if a sample time is not a finite number.
    """
    times = [_sample_time(sample.time_s) for sample in record.samples]
    env = [_reading(sample.env_temp_c) for sample in record.samples]
    bean = [_reading(sample.bean_temp_c) for sample in record.samples]
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
        "specialevents": [],
        "specialeventstype": [],
        "specialeventsvalue": [],
        "specialeventsStrings": [],
        "etypes": list(HOTTOP_ETYPES),
    }
    profile.update(_metadata(record))
    profile["computed"] = _computed(record, times, env, bean, timeindex)
    profile.update(_extra_device(record, times))
    return profile


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
    profile = record_to_profile(record)
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
    steps = [b - a for a, b in itertools.pairwise(times) if b > a]
    return float(statistics.median(steps)) if steps else 1.0


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
        "roastUUID": encode_local(_normalise_uuid(record.uuid)),
        "roastepoch": int(started.timestamp()),
        # Dates are written in UTC, so the offset (seconds west of UTC) is 0.
        "roasttzoffset": 0,
        "roastisodate": started.date().isoformat(),
        "roasttime": started.strftime("%H:%M:%S"),
        "roastdate": _qt_text_date(started),
    }


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


# --- checking -----------------------------------------------------------------------------------


def _is_number(value: object) -> TypeGuard[int | float]:
    # Non-finite floats would be written as nan/inf, which ast.literal_eval cannot read back.
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond any float
        return False


def _is_integral(value: object) -> TypeGuard[int | float]:
    if isinstance(value, float):
        return math.isfinite(value) and value.is_integer()  # pydantic takes 3.0, not 3.5
    return isinstance(value, int) and not isinstance(value, bool)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool) or (isinstance(value, int) and value in (0, 1))


_SCALAR_KINDS: dict[str, Callable[[object], bool]] = {
    "float": _is_number,
    "int": _is_integral,
    "str": lambda value: isinstance(value, str),
    "bool": _is_bool,
    "float|str": lambda value: _is_number(value) or isinstance(value, str),
    "float|None": lambda value: value is None or _is_number(value),
}

# fmt: off
#: The types of Artisan's ``ProfileData`` (atypes.py) that pydantic checks on load.
PROFILE_TYPES: dict[str, str] = {
    **dict.fromkeys(
        (
            "recording_version", "recording_revision", "recording_build", "version", "revision",
            "build", "signature", "artisan_os", "artisan_os_version", "artisan_os_arch", "mode",
            "title", "locale", "plus_store", "plus_store_label", "plus_coffee",
            "plus_coffee_label", "plus_blend_label", "beans", "roastertype", "machinesetup",
            "operator", "organization", "drumspeed", "color_system", "volumeCalcWeightIn",
            "volumeCalcWeightOut", "roastdate", "roastisodate", "roasttime", "roastbatchprefix",
            "roastUUID", "scheduleID", "scheduleDate", "beansize", "beansize_min", "beansize_max",
            "cuppingnotes", "roastingnotes", "externalprogram", "externaloutprogram",
            "alarmsetlabel", "backgroundpath", "backgroundUUID", "svLabel",
            "plus_sync_record_hash", "bbp_begin", "hash",
        ),
        "str",
    ),
    **dict.fromkeys(
        (
            "viewerMode", "heavyFC", "lowFC", "lightCut", "darkCut", "drops", "oily", "uneven",
            "tipping", "scorching", "divots", "gain_scheduling", "gain_scheduling_on_SV",
            "gain_scheduling_quadratic", "betweenbatch_after_preheat",
        ),
        "bool",
    ),
    **dict.fromkeys(
        (
            "end_weight_est", "roasterheating", "roastepoch", "roasttzoffset", "roastbatchnr",
            "roastbatchpos", "zmax", "zmin", "ymax", "ymin", "pidSource", "svLookahead",
            "ramp_lookahead", "elevation", "preheatDuration", "betweenbatchDuration",
            "coolingDuration", "electricEnergyMix", "gasMix", "bbp_endroast_epoch_msec",
        ),
        "int",
    ),
    **dict.fromkeys(
        (
            "flavors_total_correction", "flavorstartangle", "flavoraspect", "defects_weight",
            "roastersize", "whole_color", "ground_color", "xmin", "xmax", "ambientTemp",
            "ambient_humidity", "ambient_pressure", "moisture_greens", "greens_temp",
            "moisture_roasted", "samplinginterval", "pidKp", "pidKi", "pidKd",
            "pidPsetpointWeight", "pidDsetpointWeight", "pidKp1", "pidKi1", "pidKd1", "pidKp2",
            "pidKi2", "pidKd2", "pidSchedule0", "pidSchedule1", "pidSchedule2",
            "biogas_co2_reduction", "bbp_time_added_from_prev", "bbp_dropbt", "bbp_dropet",
            "bbp_drop_to_end",
        ),
        "float",
    ),
    **dict.fromkeys(
        (
            "timeindex", "specialevents", "specialeventstype", "default_etypes_set", "phases",
            "extradevices", "extraFill1", "extraFill2", "alarmflag", "alarmguard",
            "alarmnegguard", "alarmtime", "alarmoffset", "alarmcond", "alarmsource",
            "alarmaction", "alarmbeep", "svRamps", "svSoaks", "svActions", "ratingunits",
            "sourcetypes", "load_etypes", "loadevent_zeropcts", "loadevent_hundpcts",
            "meterunits", "metersources", "meterfuels",
        ),
        "list[int]",
    ),
    **dict.fromkeys(
        (
            "flavors", "specialeventsvalue", "timex", "temp1", "temp2", "extramarkersizes1",
            "extramarkersizes2", "extralinewidths1", "extralinewidths2", "alarmtemperature",
            "svValues", "legendloc_pos", "loadratings", "co2kg_per_btu", "preheatenergies",
            "betweenbatchenergies", "coolingenergies",
        ),
        "list[float]",
    ),
    **dict.fromkeys(
        (
            "flavorlabels", "plus_blend_spec_labels", "specialeventsStrings", "etypes",
            "extraname1", "extraname2", "extramathexpression1", "extramathexpression2",
            "extradevicecolor1", "extradevicecolor2", "extramarkers1", "extramarkers2",
            "extralinestyles1", "extralinestyles2", "extradrawstyles1", "extradrawstyles2",
            "alarmstrings", "svDescriptions", "devices", "loadlabels", "meterlabels",
        ),
        "list[str]",
    ),
    **dict.fromkeys(
        (
            "default_etypes", "extraLCDvisibility1", "extraLCDvisibility2",
            "extraCurveVisibility1", "extraCurveVisibility2", "extraDelta1", "extraDelta2",
            "extraNoneTempHint1", "extraNoneTempHint2", "svBeeps", "presssure_percents",
        ),
        "list[bool]",
    ),
    **dict.fromkeys(("weight", "volume", "density", "density_roasted"), "list[float|str]"),
    **dict.fromkeys(
        ("extratimex", "extratemp1", "extratemp2", "anno_positions", "flag_positions",
         "meterreads"),
        "list[list[float]]",
    ),
    **dict.fromkeys(("bbp_endevents", "bbp_dropevents"), "list[list[float|None]]"),
}

#: The non-float items of Artisan's ``ComputedProfileInformation``; every other known one is float.
_COMPUTED_NON_FLOAT: dict[str, str] = {
    **dict.fromkeys(
        ("TP_idx", "total_ts", "total_ts_ET", "total_ts_BT", "AUC", "AUCfromeventflag",
         "dry_phase_AUC", "mid_phase_AUC", "finish_phase_AUC"),
        "int",
    ),
    "AUCbegin": "str",
}
_COMPUTED_EVENTS = ("CHARGE", "TP", "DRY", "FCs", "FCe", "SCs", "SCe", "DROP", "COOL")
#: The types of Artisan's ``ComputedProfileInformation`` (only the items pydantic knows).
COMPUTED_TYPES: dict[str, str] = {
    **{f"{event}_{item}": "float" for event in _COMPUTED_EVENTS for item in ("time", "ET", "BT")},
    **dict.fromkeys(
        (
            "MET", "totaltime", "dryphasetime", "midphasetime", "finishphasetime",
            "coolphasetime", "dry_phase_ror", "mid_phase_ror", "finish_phase_ror", "total_ror",
            "fcs_ror", "dry_phase_delta_temp", "mid_phase_delta_temp", "finish_phase_delta_temp",
            "AUCbase", "weight_loss", "roast_defects_loss", "total_loss", "volume_gain",
            "moisture_loss", "organic_loss", "volumein", "volumeout", "weightin", "weightout",
            "roast_defects_weight", "total_yield", "green_density", "roasted_density",
            "set_density", "moisture_greens", "moisture_roasted", "ambient_humidity",
            "ambient_pressure", "ambient_temperature", "det", "dbt", "BTU_preheat",
            "CO2_preheat", "BTU_bbp", "CO2_bbp", "BTU_cooling", "CO2_cooling", "BTU_LPG",
            "BTU_NG", "BTU_ELEC", "BTU_batch", "BTU_batch_per_green_kg", "BTU_roast",
            "BTU_roast_per_green_kg", "CO2_batch", "CO2_batch_per_green_kg", "CO2_roast",
            "CO2_roast_per_green_kg", "KWH_batch_per_green_kg", "KWH_roast_per_green_kg",
            "bbp_total_time", "bbp_bottom_temp", "bbp_begin_to_bottom_time",
            "bbp_bottom_to_charge_time", "bbp_begin_to_bottom_ror", "bbp_bottom_to_charge_ror",
        ),
        "float",
    ),
    **_COMPUTED_NON_FLOAT,
}

# Extra-device lists with one entry per device (Artisan's importers write them so).
_PER_DEVICE_KEYS = (
    "extraname1", "extraname2", "extramathexpression1", "extramathexpression2", "extratimex",
    "extratemp1", "extratemp2", "extradevicecolor1", "extradevicecolor2", "extramarkersizes1",
    "extramarkersizes2", "extramarkers1", "extramarkers2", "extralinewidths1",
    "extralinewidths2", "extralinestyles1", "extralinestyles2", "extradrawstyles1",
    "extradrawstyles2", "extraNoneTempHint1", "extraNoneTempHint2",
)
# Of those, the ones a profile with extra devices cannot do without.
_CORE_DEVICE_KEYS = _PER_DEVICE_KEYS[:7]
# Per-LCD tables: Artisan writes ten entries (its LCD count), importers one per device.
_PER_LCD_KEYS = (
    "extraLCDvisibility1", "extraLCDvisibility2", "extraCurveVisibility1",
    "extraCurveVisibility2", "extraDelta1", "extraDelta2", "extraFill1", "extraFill2",
)
_CHANNEL_KEYS = ("extratimex", "extratemp1", "extratemp2")
_SPECIAL_EVENT_KEYS = (
    "specialevents", "specialeventstype", "specialeventsvalue", "specialeventsStrings",
)
# fmt: on


def check_artisan_profile(
    profile: Mapping[str, Any], *, allow_provenance: bool = False
) -> list[str]:
    """Return what keeps Artisan (v4) from loading ``profile`` cleanly; empty when nothing does.

    Mirrors the pydantic type check of Artisan's ``ProfileData`` for the keys it knows (ints are
    fine where floats are expected; a non-integral float is not an int; ``None`` is no number)
    and adds the rules a consistent file needs: the keys Artisan needs in practice, equally long
    curves, eight in-range ``timeindex`` entries, a positive ``samplinginterval``, four phase
    limits, a ``weight`` of [number, number, unit], extra-device lists that match
    ``extradevices`` and channels as long as ``timex``, and parallel special-event lists.
    It is a little stricter than pydantic's lax mode: numeric strings and booleans do not count
    as numbers, tuples do not count as lists and NaN or infinity is refused, since Artisan
    never writes them and a literal holding nan or inf cannot be read back. Unless
    ``allow_provenance`` (for files Artisan wrote itself), the signature keys
    :data:`PROVENANCE_KEYS` are refused.
    """
    problems: list[str] = []
    if not allow_provenance:
        problems += [
            f"{key}: provenance key present (Artisan would check a signature and hash)"
            for key in sorted(PROVENANCE_KEYS & profile.keys())
        ]
    problems += [f"{key}: missing" for key in REQUIRED_KEYS if key not in profile]
    problems += _type_problems(profile)
    for check in (
        _mode_problems,
        _curve_problems,
        _timeindex_problems,
        _scalar_rule_problems,
        _weight_problems,
        _extra_device_problems,
        _special_event_problems,
    ):
        problems += check(profile)
    return problems


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _type_problem(where: str, value: object, kind: str) -> str | None:
    """Return the first place where ``value`` is not of ``kind`` ("float", "list[int]", ...)."""
    if kind.startswith("list["):
        if isinstance(value, tuple):
            return f"{where}: a tuple where a list is expected"
        if not isinstance(value, list):
            return f"{where}: expected a list, got {_short(value)}"
        inner = kind[len("list[") : -1]
        for position, item in enumerate(value):
            problem = _type_problem(f"{where}[{position}]", item, inner)
            if problem is not None:
                return problem
        return None
    return None if _SCALAR_KINDS[kind](value) else f"{where}: expected {kind}, got {_short(value)}"


def _type_problems(profile: Mapping[str, Any]) -> list[str]:
    problems = [
        _type_problem(key, profile[key], kind)
        for key, kind in PROFILE_TYPES.items()
        if key in profile
    ]
    computed = profile.get("computed")
    if "computed" in profile and not isinstance(computed, dict):
        problems.append(f"computed: expected a dict, got {_short(computed)}")
    elif isinstance(computed, dict):
        problems += [
            _type_problem(f"computed[{key!r}]", computed[key], kind)
            for key, kind in COMPUTED_TYPES.items()
            if key in computed
        ]
    return [problem for problem in problems if problem is not None]


def _list(profile: Mapping[str, Any], key: str) -> list[Any] | None:
    value = profile.get(key)
    return value if isinstance(value, list) else None


def _mode_problems(profile: Mapping[str, Any]) -> list[str]:
    mode = profile.get("mode", "C")
    return [] if mode in ("C", "F") else [f"mode: {_short(mode)} is neither 'C' nor 'F'"]


def _curve_problems(profile: Mapping[str, Any]) -> list[str]:
    times = _list(profile, "timex")
    if times is None:
        return []
    problems = []
    for key in ("temp1", "temp2"):
        curve = _list(profile, key)
        if curve is not None and len(curve) != len(times):
            problems.append(f"{key}: {len(curve)} values for {len(times)} times")
    return problems


def _timeindex_problems(profile: Mapping[str, Any]) -> list[str]:
    timeindex = _list(profile, "timeindex")
    if timeindex is None:
        return []
    if len(timeindex) != 8:
        return [f"timeindex: {len(timeindex)} entries, expected 8"]
    count = len(_list(profile, "timex") or [])
    problems = []
    for slot, index in enumerate(timeindex):
        unset = -1 if slot == 0 else 0  # CHARGE's "not set" is -1, the others' 0
        if _is_integral(index) and index != unset and not unset <= index < count:
            problems.append(f"timeindex[{slot}]: {index} is outside {unset}..{count - 1}")
    return problems


def _scalar_rule_problems(profile: Mapping[str, Any]) -> list[str]:
    problems = []
    interval = profile.get("samplinginterval")
    if _is_number(interval) and interval <= 0:
        problems.append(f"samplinginterval: {interval} is not positive")
    phases = _list(profile, "phases")
    if phases is not None and len(phases) != 4:
        problems.append(f"phases: {len(phases)} entries, expected 4")
    return problems


def _weight_problems(profile: Mapping[str, Any]) -> list[str]:
    if "weight" not in profile:
        return []
    weight = profile["weight"]
    if not isinstance(weight, list) or len(weight) != 3:
        return [f"weight: expected [in, out, unit], got {_short(weight)}"]
    problems = [
        f"weight[{position}]: expected a number, got {_short(weight[position])}"
        for position in (0, 1)
        if not _is_number(weight[position])
    ]
    if weight[2] not in WEIGHT_UNITS_G:
        problems.append(f"weight[2]: unit {_short(weight[2])} is not one of {list(WEIGHT_UNITS_G)}")
    return problems


def _extra_device_problems(profile: Mapping[str, Any]) -> list[str]:
    devices = _list(profile, "extradevices")
    if devices is None:
        present = [key for key in _CORE_DEVICE_KEYS if key in profile]
        return [f"{key}: present without extradevices" for key in present]
    count = len(devices)
    problems = [
        f"{key}: missing for {count} extra devices"
        for key in _CORE_DEVICE_KEYS
        if count and key not in profile
    ]
    for key in _PER_DEVICE_KEYS:
        values = _list(profile, key)
        if values is not None and len(values) != count:
            problems.append(f"{key}: {len(values)} entries for {count} extra devices")
    for key in _PER_LCD_KEYS:
        values = _list(profile, key)
        if values is not None and len(values) < count:
            problems.append(f"{key}: {len(values)} entries for {count} extra devices")
    return problems + _channel_problems(profile)


def _channel_problems(profile: Mapping[str, Any]) -> list[str]:
    count = len(_list(profile, "timex") or [])
    problems = []
    for key in _CHANNEL_KEYS:
        for position, channel in enumerate(_list(profile, key) or []):
            if isinstance(channel, list) and len(channel) != count:
                problems.append(f"{key}[{position}]: {len(channel)} values for {count} times")
    return problems


def _special_event_problems(profile: Mapping[str, Any]) -> list[str]:
    lengths = {
        key: len(values)
        for key in _SPECIAL_EVENT_KEYS
        if (values := _list(profile, key)) is not None
    }
    problems = []
    if len(set(lengths.values())) > 1:
        problems.append(f"specialevents*: lists of different lengths {lengths}")
    count = len(_list(profile, "timex") or [])
    for position, index in enumerate(_list(profile, "specialevents") or []):
        if _is_integral(index) and not 0 <= index < count:
            problems.append(f"specialevents[{position}]: {index} is outside 0..{count - 1}")
            break
    return problems


# --- import -------------------------------------------------------------------------------------


def parse_alog_text(text: str) -> dict[str, Any]:
    """Parse ``.alog`` text (a Python dict literal; JSON is accepted too, as Artisan does).

    Never ``eval``: raises :class:`AlogError` if the text is not a dict literal or is beyond the
    limits of a roast log (:data:`~roastctl.files.limits.ROAST_LOG_LIMITS`).
    """
    return parse_profile(text)


def record_from_alog(path: Path | str) -> RoastRecord:
    """Read an Artisan ``.alog`` (or Artisan JSON) file as an imported :class:`RoastRecord`.

    Samples keep the file's time axis (``timex``) and are converted to deg C; -1 and missing
    readings become ``None``. The heater and fan come from the Hottop extra device, or else
    from the first extra channels named Heater and Fan. Events come from ``timeindex``
    (source "imported"), text is unescaped, weights are converted to grams, the start time is
    taken from ``roastepoch`` (else the date and time fields, else the file's modification
    time), and ``extra`` keeps the file's ``computed`` block (in the file's unit, ``source_mode``).
    Raises :class:`AlogError` naming the path when the file cannot be read as a roast profile.
    """
    path = Path(path)
    try:
        text = read_text_within(path, MAX_ROAST_FILE_BYTES, "roast log")
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except FileLimitError as exc:
        raise AlogError(str(exc)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise AlogError(f"{path}: cannot be read: {exc}") from exc
    try:
        return _record_from_profile(parse_alog_text(text), modified)
    except AlogError as exc:
        raise AlogError(f"{path}: {exc}") from exc


def _record_from_profile(data: Mapping[str, Any], modified: datetime) -> RoastRecord:
    times = _times(data)
    to_celsius = _mode(data) == "F"
    bean = _temperatures(data, "temp2", len(times), to_celsius)
    env = _temperatures(data, "temp1", len(times), to_celsius, required=False)
    heat, fan = _heater_and_fan(data, len(times))
    samples = tuple(
        RecordSample(time_s=t, bean_temp_c=b, env_temp_c=e, heat_percent=h, fan_percent=f)
        for t, b, e, h, f in zip(times, bean, env, heat, fan, strict=True)
    )
    batch_g, roasted_g = _weights(data)
    computed = data.get("computed")
    return RoastRecord(
        uuid=_uuid(data),
        started_utc=_started(data, modified),
        samples=samples,
        events=_events(data, samples),
        status=RecordStatus.IMPORTED,
        title=_text(data, "title"),
        bean=_text(data, "beans") or None,
        batch_g=batch_g,
        roasted_g=roasted_g,
        notes=_text(data, "roastingnotes"),
        roaster=_text(data, "roastertype"),
        sampling_interval_s=_interval(data),
        extra={
            "computed": dict(computed) if isinstance(computed, dict) else {},
            "source_mode": "F" if to_celsius else "C",
        },
    )


def _times(data: Mapping[str, Any]) -> list[float]:
    times = data.get("timex")
    if not isinstance(times, list):
        raise AlogError("'timex' is missing or not a list")
    for position, value in enumerate(times):
        if not _is_number(value):
            raise AlogError(f"timex[{position}] = {shown(value)} is not a finite number")
    seconds = [float(value) for value in times]
    check_times(seconds)
    return seconds


def _mode(data: Mapping[str, Any]) -> str:
    mode = data.get("mode", "C")
    if mode not in ("C", "F"):
        raise AlogError(f"mode {_short(mode)} is neither 'C' nor 'F'")
    return str(mode)


def _temperature(value: object, to_celsius: bool) -> float | None:
    if not _is_number(value) or value == _MISSING:
        return None
    number = float(value)
    return fahrenheit_to_celsius(number) if to_celsius else number


def _temperatures(
    data: Mapping[str, Any], key: str, count: int, to_celsius: bool, *, required: bool = True
) -> list[float | None]:
    values = data.get(key)
    if isinstance(values, list) and len(values) == count:
        readings = [_temperature(value, to_celsius) for value in values]
        low, high = IMPORT_TEMPERATURE_RANGE_C
        for position, reading in enumerate(readings):
            if reading is not None:
                check_range(f"{key}[{position}]", reading, low, high, "deg C")
        return readings
    if required:
        found = len(values) if isinstance(values, list) else "no"
        raise AlogError(f"'{key}' has {found} values for {count} times")
    return [None] * count  # e.g. BT-only loggers write no ET


def _percent_value(field: str, value: object) -> int | None:
    if not _is_number(value) or value == _MISSING:
        return None
    return round(check_range(field, float(value), *IMPORT_PERCENT_RANGE, "%"))


def _channel(data: Mapping[str, Any], key: str, device: int, count: int) -> list[int | None] | None:
    channels = data.get(key)
    if not isinstance(channels, list) or device >= len(channels):
        return None
    channel = channels[device]
    if not isinstance(channel, list) or len(channel) != count:
        return None
    return [
        _percent_value(f"{key}[{device}][{position}]", value)
        for position, value in enumerate(channel)
    ]


def _channel_name(name: object, etypes: Sequence[str]) -> str:
    """Return a channel name, lower case, with Artisan's ``{n}`` event type references filled in."""
    if not isinstance(name, str):
        return ""

    def etype(match: re.Match[str]) -> str:
        position = int(match.group(1))
        return etypes[position] if position < len(etypes) else match.group(0)

    return re.sub(r"\{(\d+)\}", etype, decode_local(name)).strip().lower()


def _find_channel(data: Mapping[str, Any], wanted: str) -> tuple[str, int] | None:
    """(extratemp key, device position) of the first extra channel named ``wanted``."""
    etypes = [decode_local(e) for e in data.get("etypes", []) if isinstance(e, str)]
    devices = data.get("extradevices")
    for position in range(len(devices) if isinstance(devices, list) else 0):
        for number in (1, 2):
            names = data.get(f"extraname{number}")
            if (
                isinstance(names, list)
                and position < len(names)
                and _channel_name(names[position], etypes) == wanted
            ):
                return f"extratemp{number}", position
    return None


def _heater_and_fan(
    data: Mapping[str, Any], count: int
) -> tuple[list[int | None], list[int | None]]:
    """Heater and fan percentages from the Hottop device, else from channels so named."""
    devices = data.get("extradevices")
    if isinstance(devices, list) and HOTTOP_HEATER_FAN_DEVICE in devices:
        position = devices.index(HOTTOP_HEATER_FAN_DEVICE)
        heater: tuple[str, int] | None = ("extratemp1", position)
        fan: tuple[str, int] | None = ("extratemp2", position)
    else:
        heater, fan = _find_channel(data, "heater"), _find_channel(data, "fan")
    empty: list[int | None] = [None] * count
    heat = _channel(data, *heater, count) if heater else None
    blow = _channel(data, *fan, count) if fan else None
    return heat or empty, blow or empty


def _events(data: Mapping[str, Any], samples: Sequence[RecordSample]) -> tuple[RecordEvent, ...]:
    timeindex = data.get("timeindex")
    if not isinstance(timeindex, list):
        return ()
    events = []
    for slot, kind in TIMEINDEX_SLOTS.items():
        index = timeindex[slot] if slot < len(timeindex) else None
        if not _is_integral(index):
            continue
        index = int(index)
        unset = index < 0 if slot == 0 else index <= 0
        if unset or index >= len(samples):
            continue
        sample = samples[index]
        events.append(RecordEvent(kind, sample.time_s, sample.bean_temp_c, source="imported"))
    check_event_order(events, {kind: slot for slot, kind in TIMEINDEX_SLOTS.items()})
    return tuple(events)


def _weights(data: Mapping[str, Any]) -> tuple[float | None, float | None]:
    weight = data.get("weight")
    if not isinstance(weight, list) or len(weight) < 3 or not isinstance(weight[2], str):
        return None, None
    units = {unit.lower(): grams for unit, grams in WEIGHT_UNITS_G.items()}
    factor = units.get(weight[2].lower())
    if factor is None:
        return None, None

    def grams(position: int) -> float | None:
        value = weight[position]
        if not _is_number(value) or value == 0:
            return None  # Artisan writes 0 for "not weighed"
        mass_g = float(value) * factor
        if not (math.isfinite(mass_g) and 0 < mass_g <= IMPORT_MASS_MAX_G):
            raise AlogError(
                f"weight[{position}] = {shown(value)} {weight[2]} is {shown(mass_g)} g; allowed: "
                f"0 (not weighed), or above 0 up to {IMPORT_MASS_MAX_G:,.0f} g (as for "
                "set_roast_info)"
            )
        return mass_g

    return grams(0), grams(1)


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return check_text(key, decode_local(value)) if isinstance(value, str) else ""


def _uuid(data: Mapping[str, Any]) -> str:
    text = check_uuid(_text(data, "roastUUID").strip())
    return _normalise_uuid(text) if text else uuid.uuid4().hex


def _started(data: Mapping[str, Any], modified: datetime) -> datetime:
    """Start of the recording in UTC: ``roastepoch`` wins, as it does in Artisan."""
    epoch = data.get("roastepoch")
    if _is_number(epoch):
        low, high = IMPORT_EPOCH_RANGE_S
        check_range("roastepoch", float(epoch), low, high, "s since 1970-01-01 UTC")
        return datetime.fromtimestamp(float(epoch), UTC)
    try:
        local = datetime.fromisoformat(f"{_text(data, 'roastisodate')}T{_text(data, 'roasttime')}")
    except ValueError:
        return modified
    # roasttzoffset is seconds west of UTC (Python's time.timezone).
    offset = data.get("roasttzoffset")
    west = float(offset) if _is_number(offset) else 0.0
    check_range("roasttzoffset", west, *IMPORT_TZ_OFFSET_RANGE_S, "s west of UTC")
    try:
        return local.replace(tzinfo=UTC) + timedelta(seconds=west)
    except OverflowError as exc:
        raise AlogError(
            f"roastisodate {local.date()} with roasttzoffset {west:g} s is beyond the calendar"
        ) from exc


def _interval(data: Mapping[str, Any]) -> float | None:
    interval = data.get("samplinginterval")
    return float(interval) if _is_number(interval) and interval > 0 else None


__all__ = [
    "COMPUTED_TYPES",
    "DEFAULT_PHASES_C",
    "HOTTOP_ETYPES",
    "HOTTOP_HEATER_FAN_DEVICE",
    "PROFILE_TYPES",
    "PROVENANCE_KEYS",
    "RECORDING_VERSION",
    "REQUIRED_KEYS",
    "WEIGHT_UNITS_G",
    "AlogError",
    "check_artisan_profile",
    "decode_local",
    "dump_alog",
    "encode_local",
    "export_csv",
    "export_json",
    "parse_alog_text",
    "record_from_alog",
    "record_to_profile",
    "write_alog",
]
