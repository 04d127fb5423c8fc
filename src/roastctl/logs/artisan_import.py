"""Importing an Artisan profile as a kept roast (a :class:`~roastctl.logs.record.RoastRecord`).

The samples, heater, fan and marks come from the one profile parser
(:func:`~roastctl.logs.artisan.read_curves`); this module adds what a kept roast holds beyond
them (identity, start time, bean, weights, notes) and holds every value to the live path's
limits (:mod:`roastctl.logs.import_checks`).

**Time axis.** :attr:`RecordSample.time_s <roastctl.logs.record.RecordSample.time_s>` *is*
Artisan's ``timex``: seconds since the recording started (Artisan's START), not since CHARGE and
not shifted to the first sample. Import keeps ``timex[i]`` as it is and export
(:mod:`roastctl.logs.artisan_write`) writes the sample times back unchanged, so import -> export
-> import gives the same samples and events. An event's time is the time of its sample:
``timeindex`` holds sample indices, so import gives each event that sample's time and BT.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from roastctl.files.limits import (
    IMPORT_EPOCH_RANGE_S,
    IMPORT_PERCENT_RANGE,
    IMPORT_TEMPERATURE_RANGE_C,
    IMPORT_TZ_OFFSET_RANGE_S,
)
from roastctl.logs.artisan import (
    TIMEINDEX_SLOTS,
    ArtisanCurves,
    normalise_uuid,
    profile_computed,
    profile_interval,
    profile_text,
    profile_weights,
    read_curves,
)
from roastctl.logs.artisan_events import levels_from_events
from roastctl.logs.artisan_keep import KEPT_PROFILE_KEY, keep_profile
from roastctl.logs.artisan_properties import properties_from_profile
from roastctl.logs.file_errors import AlogError
from roastctl.logs.import_checks import (
    check_event_order,
    check_mass,
    check_range,
    check_text,
    check_times,
    check_uuid,
)
from roastctl.logs.record import RecordEvent, RecordSample, RecordStatus, RoastRecord
from roastctl.logs.values import is_number, shown


def record_from_profile(profile: Mapping[str, Any], modified: datetime) -> RoastRecord:
    """Read an Artisan profile dict as an imported :class:`RoastRecord`.

    Samples keep the file's time axis (``timex``) and are converted to deg C; -1 and missing
    readings become ``None``. Events come from ``timeindex`` (source "imported"), text is
    unescaped, weights are converted to grams, the start time is taken from ``roastepoch``
    (else the date and time fields, else ``modified``, the file's modification time), and
    ``extra`` keeps the file's ``computed`` block (in the file's unit, ``source_mode``) and the
    whole profile, verbatim, under ``"artisan"`` (:mod:`roastctl.logs.artisan_keep`).

    Raises :class:`~roastctl.logs.file_errors.AlogError` when the profile has no readable samples,
    and :class:`~roastctl.logs.file_errors.ImportLimitError` naming the field when a value is
    beyond what the live path accepts; :func:`roastctl.logs.load.load_roast_record` adds the
    file's name.
    """
    curves = read_curves(profile)
    check_times(curves.times)
    low_c, high_c = IMPORT_TEMPERATURE_RANGE_C
    for key, readings in (("temp2", curves.bean_temps), ("temp1", curves.env_temps)):
        for position, reading in enumerate(readings):
            if reading is not None:
                check_range(f"{key}[{position}]", reading, low_c, high_c, "deg C")
    heat, fan = control_levels(profile, curves)
    samples = tuple(
        RecordSample(time_s=t, bean_temp_c=b, env_temp_c=e, heat_percent=h, fan_percent=f)
        for t, b, e, h, f in zip(
            curves.times, curves.bean_temps, curves.env_temps, heat, fan, strict=True
        )
    )
    batch_g, roasted_g = _weights(profile)
    return RoastRecord(
        uuid=_uuid(profile),
        started_utc=profile_started(profile, modified),
        samples=samples,
        events=_events(curves.marks, samples),
        status=RecordStatus.IMPORTED,
        title=_text(profile, "title"),
        bean=_text(profile, "beans") or None,
        batch_g=batch_g,
        roasted_g=roasted_g,
        notes=_text(profile, "roastingnotes"),
        roaster=_text(profile, "roastertype"),
        sampling_interval_s=profile_interval(profile),
        extra={
            "computed": profile_computed(profile),
            "source_mode": curves.mode,
            # Every key, verbatim, so that an export gives the file back (artisan_merge).
            KEPT_PROFILE_KEY: keep_profile(profile),
        },
        properties=properties_from_profile(profile),
    )


def control_levels(
    profile: Mapping[str, Any], curves: ArtisanCurves
) -> tuple[list[int | None], list[int | None]]:
    """Return the heater and fan of every sample in whole percent, from channels or events.

    A channel curve (the Hottop extra device, or channels named Heater/Fan) is used where the
    file has one; a control recorded only as special events is held from event to event
    (:func:`~roastctl.logs.artisan_events.levels_from_events`).
    """
    count = len(curves.times)
    heat = _percentages(curves.heater_field, curves.heater_percent, count)
    fan = _percentages(curves.fan_field, curves.fan_percent, count)
    if curves.heater_percent is None or curves.fan_percent is None:
        event_heat, event_fan = levels_from_events(profile, count)
        if curves.heater_percent is None and event_heat is not None:
            heat = event_heat
        if curves.fan_percent is None and event_fan is not None:
            fan = event_fan
    return heat, fan


def _percentages(
    field: str | None, values: Sequence[float | None] | None, count: int
) -> list[int | None]:
    """Return a heater or fan channel in whole percent, each value held to the import range."""
    if field is None or values is None:
        return [None] * count
    return [
        None
        if value is None
        else round(check_range(f"{field}[{position}]", value, *IMPORT_PERCENT_RANGE, "%"))
        for position, value in enumerate(values)
    ]


def _events(marks: Mapping[Any, int], samples: Sequence[RecordSample]) -> tuple[RecordEvent, ...]:
    slots = {kind: slot for slot, kind in TIMEINDEX_SLOTS.items()}
    events = [
        RecordEvent(kind, samples[index].time_s, samples[index].bean_temp_c, source="imported")
        for kind, index in sorted(marks.items(), key=lambda mark: slots[mark[0]])
    ]
    check_event_order(events, {kind: f"timeindex[{slot}]" for kind, slot in slots.items()})
    return tuple(events)


def _weights(profile: Mapping[str, Any]) -> tuple[float | None, float | None]:
    weights = profile_weights(profile)
    for position, mass_g in enumerate(weights):
        if mass_g is not None:
            weight = profile["weight"]
            check_mass(f"weight[{position}]", mass_g, f"{shown(weight[position])} {weight[2]}")
    return weights


def _text(profile: Mapping[str, Any], key: str) -> str:
    return check_text(key, profile_text(profile, key))


def _uuid(profile: Mapping[str, Any]) -> str:
    text = check_uuid(_text(profile, "roastUUID").strip())
    return normalise_uuid(text) if text else uuid.uuid4().hex


def profile_started(profile: Mapping[str, Any], modified: datetime) -> datetime:
    """Start of the recording in UTC: ``roastepoch`` wins, as it does in Artisan."""
    epoch = profile.get("roastepoch")
    if is_number(epoch):
        low, high = IMPORT_EPOCH_RANGE_S
        check_range("roastepoch", float(epoch), low, high, "s since 1970-01-01 UTC")
        return datetime.fromtimestamp(float(epoch), UTC)
    try:
        local = datetime.fromisoformat(
            f"{_text(profile, 'roastisodate')}T{_text(profile, 'roasttime')}"
        )
    except ValueError:
        return modified
    # roasttzoffset is seconds west of UTC (Python's time.timezone).
    offset = profile.get("roasttzoffset")
    west = float(offset) if is_number(offset) else 0.0
    check_range("roasttzoffset", west, *IMPORT_TZ_OFFSET_RANGE_S, "s west of UTC")
    try:
        return local.replace(tzinfo=UTC) + timedelta(seconds=west)
    except OverflowError as exc:
        raise AlogError(
            f"roastisodate {local.date()} with roasttzoffset {west:g} s is beyond the calendar"
        ) from exc


__all__ = ["profile_started", "record_from_profile"]
