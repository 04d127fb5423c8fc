"""The two shapes of a roast: a recorded log's channels as read, and a kept roast.

* :class:`RecordedRoast` is a roast log as a reader finds it, in any format (Artisan, RoasTime,
  split-key-roast, Kaffelogic): parallel channels (times, BT, ET, heater, fan) with ``None``
  where the log has no value, its marks as sample indices, and what the log says about itself
  (unit, sampling interval, Artisan's own ``computed`` numbers). Analysis, the twin and the
  replay roaster work on it; nothing is checked beyond what a reader needs.
* :class:`RoastRecord` is a kept roast: what the store saves, the exporters write and ``import``
  reads. It is the whole recording of one roast: its samples from the start of the recording
  (preheat included), the events on its time line as times, and what the roaster knows about it
  (bean, weights, notes), held to the live path's limits. It is independent of where it came
  from: a live session, the SQLite store or an imported file.

In both, times are seconds since the recording started and temperatures are deg C.
:func:`record_from_recorded` turns the first into the second.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, cast

from roastctl.models import RoastEventType


@dataclass(frozen=True, slots=True)
class RecordedRoast:
    """A roast log's channels as read: samples in deg C and the marks its roaster set.

    ``times``, ``bean_temps`` and ``env_temps`` (and the heater and fan channels, when the log
    has them) run in parallel, one entry per sample; ``marks`` are sample indices. Unlike a
    :class:`RoastRecord` it is not a kept roast: it holds no identity or bean and is not held to
    the import limits.
    """

    times: list[float]
    bean_temps: list[float | None]
    env_temps: list[float | None]
    marks: dict[RoastEventType, int] = field(default_factory=dict)
    heater_percent: list[float | None] | None = None
    fan_percent: list[float | None] | None = None
    sampling_interval_s: float | None = None
    #: The unit the log was recorded in ("C" or "F"); the values here are deg C either way.
    source_mode: str = "C"
    #: Artisan's own ``computed`` numbers, in the log's unit.
    computed: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    batch_mass_g: float | None = None
    #: The log's DRY threshold (Artisan's ``phases[1]``) in deg C, when it states one.
    dry_end_temp_c: float | None = None
    #: The major version of the Artisan that wrote the log, when it says.
    artisan_major: int | None = None
    #: When the recording started (UTC), when the log says.
    started_utc: datetime | None = None


class RecordStatus(StrEnum):
    """Where a kept roast stands."""

    RECORDING = "recording"  # the session is still writing it
    COMPLETE = "complete"  # the session ended normally
    INTERRUPTED = "interrupted"  # the process died while recording; the data up to then is kept
    IMPORTED = "imported"  # read from a file


@dataclass(frozen=True, slots=True)
class RecordSample:
    """One sample; ``None`` where the source did not record a value."""

    time_s: float
    bean_temp_c: float | None
    env_temp_c: float | None
    heat_percent: int | None = None
    fan_percent: int | None = None
    drum_on: bool | None = None
    door_open: bool | None = None
    cooling_on: bool | None = None


@dataclass(frozen=True, slots=True)
class RecordEvent:
    """An event on the roast's time line.

    ``source`` is who put it there: auto, agent, manual, command, safety, watchdog, target
    (a drop target the server carried out) or imported.
    """

    type: RoastEventType
    time_s: float
    bean_temp_c: float | None
    source: str = "auto"


@dataclass(frozen=True, slots=True)
class RoastProperties:
    """What was measured and noted about a roast besides its curve; every field may be unset.

    Units: density of the green beans in g/l, volumes in litres, ambient temperature in deg C,
    humidity in %RH, pressure in hPa, colours as the colour meter's numbers (``color_system``
    names the meter or scale), bean sizes as screen sizes (64ths of an inch). ``flavors`` are
    the cupping scores (label, 0-10) in the order the cupping form lists them. The ranges live
    in :data:`roastctl.controls.ROAST_PROPERTY_RANGES`; :mod:`roastctl.logs.artisan_properties`
    maps them to and from Artisan's profile keys.
    """

    cupping_notes: str = ""
    flavors: tuple[tuple[str, float], ...] = ()
    density_g_per_l: float | None = None
    volume_in_l: float | None = None
    volume_out_l: float | None = None
    batch_number: int | None = None
    batch_prefix: str = ""
    ambient_temp_c: float | None = None
    ambient_humidity_percent: float | None = None
    ambient_pressure_hpa: float | None = None
    whole_color: float | None = None
    ground_color: float | None = None
    color_system: str = ""
    bean_size_min: int | None = None
    bean_size_max: int | None = None

    def as_dict(self) -> dict[str, object]:
        """Return the fields that are set, JSON-ready (``flavors`` as [label, score] pairs)."""
        data: dict[str, object] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None or value == "" or value == ():
                continue
            data[item.name] = [list(pair) for pair in value] if item.name == "flavors" else value
        return data

    def updated(self, changes: Mapping[str, object]) -> RoastProperties:
        """Return a copy with ``changes`` (field -> value, as :meth:`as_dict` gives) laid over."""
        return replace(self, **_typed(changes))


def properties_from_dict(data: Mapping[str, object] | None) -> RoastProperties:
    """Read :meth:`RoastProperties.as_dict`'s output back; unknown names are ignored."""
    return RoastProperties().updated(data or {})


#: The names of :class:`RoastProperties`' fields.
PROPERTY_FIELDS: frozenset[str] = frozenset(item.name for item in fields(RoastProperties))
_WHOLE = frozenset({"batch_number", "bean_size_min", "bean_size_max"})
_TEXT = frozenset({"cupping_notes", "batch_prefix", "color_system"})


def _typed(changes: Mapping[str, object]) -> dict[str, Any]:
    """Give each known field its type (JSON has lists for tuples and may have 720 for 720.0)."""
    typed: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in PROPERTY_FIELDS:
            continue
        if name == "flavors":
            typed[name] = _flavors(value)
        elif name in _TEXT:
            typed[name] = "" if value is None else str(value)
        elif value is None:
            typed[name] = None
        else:
            number = float(cast(float, value))
            typed[name] = int(number) if name in _WHOLE else number
    return typed


def _flavors(value: object) -> tuple[tuple[str, float], ...]:
    """Flavours as (label, score) pairs, from pairs or a label -> score mapping."""
    if isinstance(value, Mapping):
        pairs: Iterable[Sequence[object]] = list(cast(Mapping[object, object], value).items())
    else:
        pairs = cast(Iterable[Sequence[object]], value or ())
    return tuple((str(label), float(cast(float, score))) for label, score in pairs)


@dataclass(frozen=True, slots=True)
class RoastRecord:
    """One kept roast, whole: samples, events as times, and what is known about the roast.

    Unlike a :class:`RecordedRoast` (a log's channels as read), it is what the store keeps: it
    has an identity, a start time and a status, and its values are within the live path's
    limits.
    """

    uuid: str
    started_utc: datetime
    samples: tuple[RecordSample, ...]
    events: tuple[RecordEvent, ...] = ()
    status: RecordStatus = RecordStatus.COMPLETE
    ended_utc: datetime | None = None
    title: str = ""
    bean: str | None = None
    batch_g: float | None = None
    roasted_g: float | None = None
    notes: str = ""
    roaster: str = "Hottop KN-8828B-2K+"
    sampling_interval_s: float | None = None
    id: int | None = None
    #: Anything else worth keeping from the source (e.g. Artisan's ``computed`` block).
    extra: dict[str, object] = field(default_factory=dict)
    #: Cupping notes, flavours, density, volume, batch number, ambient conditions, colour, size.
    properties: RoastProperties = field(default_factory=RoastProperties)

    def event(self, kind: RoastEventType) -> RecordEvent | None:
        """Return the event of ``kind``, or ``None``."""
        return next((e for e in self.events if e.type is kind), None)


def record_from_recorded(
    recorded: RecordedRoast,
    *,
    title: str = "",
    started_utc: datetime | None = None,
    roaster: str = "Hottop KN-8828B-2K+",
) -> RoastRecord:
    """Turn a roast log read by any reader into a record (times as the log has them).

    ``title`` stands in when the log has none; ``started_utc`` is when the recording started
    (the file's modification time, say), else now; ``roaster`` names the machine it came from.
    """
    heat = recorded.heater_percent or [None] * len(recorded.times)
    fan = recorded.fan_percent or [None] * len(recorded.times)
    samples = tuple(
        RecordSample(
            time_s=time_s,
            bean_temp_c=bean,
            env_temp_c=env,
            heat_percent=None if h is None else round(h),
            fan_percent=None if f is None else round(f),
        )
        for time_s, bean, env, h, f in zip(
            recorded.times, recorded.bean_temps, recorded.env_temps, heat, fan, strict=True
        )
    )
    events = tuple(
        RecordEvent(
            type=kind,
            time_s=recorded.times[index],
            bean_temp_c=recorded.bean_temps[index],
            source="imported",
        )
        for kind, index in sorted(recorded.marks.items(), key=lambda item: item[1])
    )
    return RoastRecord(
        uuid=uuid.uuid4().hex,
        started_utc=started_utc or datetime.now(UTC),
        samples=samples,
        events=events,
        status=RecordStatus.IMPORTED,
        title=recorded.title or title,
        batch_g=recorded.batch_mass_g,
        roaster=roaster,
        sampling_interval_s=recorded.sampling_interval_s,
    )


__all__ = [
    "PROPERTY_FIELDS",
    "RecordEvent",
    "RecordSample",
    "RecordStatus",
    "RecordedRoast",
    "RoastProperties",
    "RoastRecord",
    "properties_from_dict",
    "record_from_recorded",
]
