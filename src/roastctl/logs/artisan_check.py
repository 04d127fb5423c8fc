"""Checking that Artisan (v4) would load a profile cleanly: :func:`check_artisan_profile`.

Artisan checks a loaded profile against the pydantic model of its ``ProfileData``
(``atypes.py``); :data:`PROFILE_TYPES` and :data:`COMPUTED_TYPES` mirror the types it knows, and
the rules here add what a consistent file needs (equally long curves, in-range marks, extra
device lists that match). The exporters' output is held to it in the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from roastctl.logs.values import WEIGHT_UNITS_G, is_integral, is_number

#: Provenance keys a written profile must not carry (see :mod:`roastctl.logs.artisan_write`).
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


def _is_bool(value: object) -> bool:
    return isinstance(value, bool) or (isinstance(value, int) and value in (0, 1))


# Non-finite floats would be written as nan/inf, which a literal reader cannot read back; an
# integral float is an int, as pydantic takes 3.0 but not 3.5.
_SCALAR_KINDS: dict[str, Callable[[object], bool]] = {
    "float": is_number,
    "int": is_integral,
    "str": lambda value: isinstance(value, str),
    "bool": _is_bool,
    "float|str": lambda value: is_number(value) or isinstance(value, str),
    "float|None": lambda value: value is None or is_number(value),
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
        if is_integral(index) and index != unset and not unset <= index < count:
            problems.append(f"timeindex[{slot}]: {index} is outside {unset}..{count - 1}")
    return problems


def _scalar_rule_problems(profile: Mapping[str, Any]) -> list[str]:
    problems = []
    interval = profile.get("samplinginterval")
    if is_number(interval) and interval <= 0:
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
        if not is_number(weight[position])
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
        if is_integral(index) and not 0 <= index < count:
            problems.append(f"specialevents[{position}]: {index} is outside 0..{count - 1}")
            break
    return problems


__all__ = [
    "COMPUTED_TYPES",
    "PROFILE_TYPES",
    "PROVENANCE_KEYS",
    "REQUIRED_KEYS",
    "check_artisan_profile",
]
