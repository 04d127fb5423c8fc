"""Exporting an imported roast: the kept Artisan profile, with what roastctl holds laid over it.

An imported profile is kept whole (:mod:`roastctl.logs.artisan_keep`). Its export starts from
that profile and overwrites only the keys roastctl holds itself, and each of those only when
roastctl's value differs from what import read from the kept key, so an unchanged roast is
given back key for key:

* the curves (``timex``, ``temp1``, ``temp2``, ``mode`` and the ``extra*`` devices) stay verbatim
  while the samples are the ones import read from them; otherwise they are written from the
  samples, in the profile's unit, with roastctl's heater/fan device in place of the kept ones;
* ``timeindex``: all eight marks come from the roast's events (the kept index while it points
  at the event's sample); ``computed`` stays while the marks are unchanged and is left out
  otherwise (Artisan recomputes it);
* title, beans, notes, roaster type, weights, sampling interval, the start time (all five date
  keys) and ``roastUUID``: kept spelling while the value is unchanged;
* everything else (``phases``, ``specialevents*``, ``etypes``, notes on cupping, ambient
  values, alarms, ...) verbatim.

Dropped always: Artisan's provenance keys (``version``, ``revision``, ``build``,
``signature``, ``hash``), since Artisan checks a signature on files claiming 4.2 or later and
an export is not a file Artisan signed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from roastctl.logs.artisan import (
    TIMEINDEX_SLOTS,
    normalise_uuid,
    profile_interval,
    profile_text,
    profile_weights,
    read_curves,
)
from roastctl.logs.artisan_check import PROVENANCE_KEYS
from roastctl.logs.artisan_import import control_levels, profile_started
from roastctl.logs.file_errors import RoastFileError
from roastctl.logs.record import RoastRecord
from roastctl.logs.values import is_integral

_CURVE_KEYS = ("timex", "temp1", "temp2", "mode")
_DATE_KEYS = ("roastepoch", "roasttzoffset", "roastisodate", "roasttime", "roastdate")
_MISSING = -1.0


def merge_kept_profile(
    kept: Mapping[str, Any], written: Mapping[str, Any], record: RoastRecord
) -> dict[str, Any]:
    """Return ``kept`` with ``written`` (the profile of ``record`` alone) laid over it.

    See the module's docstring for which keys are overwritten and when.
    """
    merged = {key: value for key, value in kept.items() if key not in PROVENANCE_KEYS}
    if not _same_samples(kept, record):
        _replace_curves(merged, written)
    _merge_marks(merged, kept, record)
    _merge_metadata(merged, kept, written, record)
    return merged


def _same_samples(kept: Mapping[str, Any], record: RoastRecord) -> bool:
    """Whether the record's samples are those import reads from ``kept``."""
    try:
        curves = read_curves(kept)
        heater, fan = control_levels(kept, curves)
    except (ValueError, TypeError, KeyError, IndexError):
        return False
    read = list(zip(curves.times, curves.bean_temps, curves.env_temps, heater, fan, strict=True))
    if len(read) != len(record.samples):
        return False
    return all(
        (s.time_s, s.bean_temp_c, s.env_temp_c, s.heat_percent, s.fan_percent) == row
        for s, row in zip(record.samples, read, strict=True)
    )


def _replace_curves(merged: dict[str, Any], written: Mapping[str, Any]) -> None:
    """Write the curves from the samples, in the kept profile's unit."""
    to_fahrenheit = merged.get("mode") == "F"
    for key in [key for key in merged if key.startswith("extra")]:
        del merged[key]
    merged.update({key: value for key, value in written.items() if key.startswith("extra")})
    merged["timex"] = list(written["timex"])
    for key in ("temp1", "temp2"):
        merged[key] = [_in_unit(value, to_fahrenheit) for value in written[key]]
    merged["mode"] = "F" if to_fahrenheit else "C"
    merged.pop("computed", None)  # in deg C and for other samples


def _in_unit(celsius: float, to_fahrenheit: bool) -> float:
    if not to_fahrenheit or celsius == _MISSING:
        return celsius
    return celsius * 9 / 5 + 32


def _merge_marks(merged: dict[str, Any], kept: Mapping[str, Any], record: RoastRecord) -> None:
    times = [float(t) for t in merged["timex"]]
    original = kept.get("timeindex")
    timeindex = (
        list(original)
        if isinstance(original, list) and len(original) == 8
        else [-1, 0, 0, 0, 0, 0, 0, 0]
    )
    for slot, kind in TIMEINDEX_SLOTS.items():
        event = record.event(kind)
        unset = -1 if slot == 0 else 0
        if event is None or not times or not math.isfinite(event.time_s):
            timeindex[slot] = unset
            continue
        index = timeindex[slot]
        if not (
            is_integral(index) and 0 <= index < len(times) and times[int(index)] == event.time_s
        ):
            timeindex[slot] = min(range(len(times)), key=lambda i: abs(times[i] - event.time_s))
    merged["timeindex"] = timeindex
    if timeindex != original:
        merged.pop("computed", None)  # Artisan recomputes it from the marks


def _merge_metadata(
    merged: dict[str, Any],
    kept: Mapping[str, Any],
    written: Mapping[str, Any],
    record: RoastRecord,
) -> None:
    texts = {
        "title": record.title,
        "beans": record.bean or "",
        "roastingnotes": record.notes,
        "roastertype": record.roaster,
    }
    for key, value in texts.items():
        if profile_text(kept, key) != value:
            merged[key] = written[key]
    if profile_weights(kept) != (record.batch_g, record.roasted_g):
        merged["weight"] = written["weight"]
    if profile_interval(kept) != record.sampling_interval_s:
        merged["samplinginterval"] = written["samplinginterval"]
    uuid_text = kept.get("roastUUID")
    if not isinstance(uuid_text, str) or normalise_uuid(uuid_text.strip()) != record.uuid:
        merged["roastUUID"] = written["roastUUID"]
    if not _same_start(kept, record):
        merged.update({key: written[key] for key in _DATE_KEYS})
    _keep_needed(merged, written, ("samplinginterval", "phases", "etypes", "weight"))


def _same_start(kept: Mapping[str, Any], record: RoastRecord) -> bool:
    try:
        return profile_started(kept, record.started_utc) == record.started_utc
    except (ValueError, TypeError, OverflowError, RoastFileError):
        return False


def _keep_needed(merged: dict[str, Any], written: Mapping[str, Any], keys: Sequence[str]) -> None:
    """Add keys Artisan needs to open a file cleanly where the kept profile lacks them."""
    for key in keys:
        merged.setdefault(key, written[key])


__all__ = ["merge_kept_profile"]
