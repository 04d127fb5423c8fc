"""References: the roast the server follows, as BT (and fan) by seconds since CHARGE.

A reference comes from a recorded roast (a kept roast or a roast file in any format the loader
reads), aligned at its CHARGE, or from a designed curve (:class:`DesignedCurve`: BT waypoints and
RoR segments by time). Either way it becomes one :class:`Reference`: a BT curve, the fan and
heat it was roasted with (when recorded), its events and where following it ends (its DROP).

Why the tracking starts at the turning point for a recorded reference: between CHARGE and TP
the BT probe reads the air and the cold beans mixing, which no heater setting changes; Artisan's
own curve match starts even later, at DRY END.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from roastctl.errors import InvalidCommandError, RoasterError
from roastctl.logs.record import RecordSample, RoastRecord
from roastctl.models import RoastEventType

__all__ = [
    "DESIGNED_LIMITS",
    "DesignedCurve",
    "Reference",
    "ReferenceSource",
    "RorSegment",
    "Waypoint",
    "designed_reference",
    "reference_from_file",
    "reference_from_record",
]

#: Half-width (s) of the window the reference's RoR is measured over: whole-degree and
#: Fahrenheit-converted logs step by 0.5-1 deg C, which a shorter window turns into spikes.
ROR_HALF_WINDOW_S = 15.0
#: The turning point is looked for in this many seconds after CHARGE.
TP_SEARCH_S = 240.0
#: The title Artisan gives a roast nobody named: a file's name says more.
ARTISAN_DEFAULT_TITLE = "Roaster Scope"
#: A BT this far below the roast's peak before the DROP mark means the mark came late (the
#: button pressed after cooling began): the reference then ends at the peak.
LATE_DROP_FALL_C = 15.0


class ReferenceSource(StrEnum):
    """Where a reference came from."""

    FILE = "file"
    ROAST = "roast"
    DESIGNED = "designed"


@dataclass(frozen=True, slots=True)
class _Limits:
    """What a designed curve may ask for."""

    max_time_s: float = 1800.0
    min_bt_c: float = 20.0
    max_bt_c: float = 240.0
    min_ror_c_per_min: float = -30.0
    max_ror_c_per_min: float = 60.0
    max_points: int = 50


#: The limits of a designed curve, named in its refusals.
DESIGNED_LIMITS = _Limits()


@dataclass(frozen=True, slots=True)
class Waypoint:
    """BT ``bt_c`` at ``at_s`` seconds after CHARGE; ``bt_c`` None only at 0 (BT at charge)."""

    at_s: float
    bt_c: float | None


@dataclass(frozen=True, slots=True)
class RorSegment:
    """BT rising at ``ror_c_per_min`` from the point before until ``until_s`` after CHARGE."""

    until_s: float
    ror_c_per_min: float


@dataclass(frozen=True, slots=True)
class DesignedCurve:
    """A curve designed by hand: BT waypoints and RoR segments by time, events and fan.

    ``points`` run in time order and start with a :class:`Waypoint`. ``events`` name target
    times (s after CHARGE) for events such as ``FC_START`` or ``DROP``; following ends at the
    DROP event, else at the last point. ``fan`` holds (time, percent) changes, replayed by time;
    without it the fan is left as it is.
    """

    points: tuple[Waypoint | RorSegment, ...]
    name: str = "designed curve"
    events: Mapping[RoastEventType, float] = field(default_factory=dict)
    fan: tuple[tuple[float, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Reference:
    """A roast to follow: BT by seconds since CHARGE, and what else the roast recorded.

    ``times_s`` rise strictly; ``bean_temps_c`` runs beside it. ``track_from_s`` is where BT
    starts to count (the reference's turning point, or a designed curve's first waypoint);
    ``drop_s`` is where following ends.
    """

    name: str
    source: ReferenceSource
    times_s: tuple[float, ...]
    bean_temps_c: tuple[float, ...]
    track_from_s: float
    drop_s: float
    events_s: Mapping[RoastEventType, float] = field(default_factory=dict)
    fan_changes: tuple[tuple[float, int], ...] = ()
    heat_changes: tuple[tuple[float, int], ...] = ()
    batch_g: float | None = None
    charge_env_c: float | None = None
    roast_id: int | None = None
    path: str | None = None

    def bt_at(self, elapsed_s: float) -> float:
        """Return the reference BT at ``elapsed_s`` after CHARGE (held at its ends)."""
        return _interpolate(self.times_s, self.bean_temps_c, elapsed_s)

    def ror_at(self, elapsed_s: float) -> float:
        """Return the reference's RoR (deg C/min) at ``elapsed_s``, over +/-15 s."""
        start = max(self.times_s[0], elapsed_s - ROR_HALF_WINDOW_S)
        end = min(self.times_s[-1], elapsed_s + ROR_HALF_WINDOW_S)
        if end - start < 1e-6:
            return 0.0
        return (self.bt_at(end) - self.bt_at(start)) / (end - start) * 60.0

    def fan_at(self, elapsed_s: float) -> int | None:
        """Return the fan the reference ran at ``elapsed_s``; None when it has no fan."""
        return _held(self.fan_changes, elapsed_s)

    def heat_at(self, elapsed_s: float) -> int | None:
        """Return the heat the reference ran at ``elapsed_s``; None when it has none."""
        return _held(self.heat_changes, elapsed_s)

    def time_at_bt(self, bt_c: float) -> float | None:
        """Return when (after tracking starts) the reference first reached ``bt_c``, or None."""
        start = bisect.bisect_left(self.times_s, self.track_from_s)
        for index in range(max(start, 1), len(self.times_s)):
            before, after = self.bean_temps_c[index - 1], self.bean_temps_c[index]
            if before <= bt_c <= after and after > before:
                t0, t1 = self.times_s[index - 1], self.times_s[index]
                return t0 + (t1 - t0) * (bt_c - before) / (after - before)
        return None

    def next_event(self, elapsed_s: float) -> tuple[RoastEventType, float] | None:
        """Return the reference's next event after ``elapsed_s`` and its time, or None."""
        ahead = sorted(
            (time_s, kind) for kind, time_s in self.events_s.items() if time_s > elapsed_s
        )
        return None if not ahead else (ahead[0][1], ahead[0][0])


def reference_from_record(
    record: RoastRecord,
    *,
    name: str | None = None,
    source: ReferenceSource = ReferenceSource.ROAST,
    path: str | None = None,
) -> Reference:
    """Return the reference a recorded roast makes, aligned at its CHARGE.

    Refused (:class:`InvalidCommandError`, naming the roast) when it has no CHARGE mark or too
    little BT after it. Without a DROP mark following ends at the last BT sample; a DROP marked
    after cooling began (BT already 15 deg C below its peak) is read as the peak.
    """
    title = "" if record.title == ARTISAN_DEFAULT_TITLE else record.title
    label = name or title or (f"roast #{record.id}" if record.id else "the roast")
    charge = record.event(RoastEventType.CHARGE)
    if charge is None:
        raise InvalidCommandError(
            f"{label} has no CHARGE mark, and a reference is aligned at CHARGE. Nothing was "
            "changed; mark CHARGE in the roast (mark_event) or choose another roast."
        )
    drop = record.event(RoastEventType.DROP)
    end_s = math.inf if drop is None or drop.time_s <= charge.time_s else drop.time_s
    kept = _rising(
        s
        for s in record.samples
        if s.bean_temp_c is not None and charge.time_s <= s.time_s <= end_s + 1e-9
    )
    temps = [float(s.bean_temp_c or 0.0) for s in kept]
    # The peak is looked for past the turning point: the probe reads the hot drum at CHARGE.
    roasting = [i for i, s in enumerate(kept) if s.time_s - charge.time_s > TP_SEARCH_S]
    if roasting:
        peak = max(roasting, key=temps.__getitem__)
        if temps[-1] < temps[peak] - LATE_DROP_FALL_C:
            kept, temps = kept[: peak + 1], temps[: peak + 1]
    times = [s.time_s - charge.time_s for s in kept]
    if len(times) < 10 or times[-1] < 120.0:
        raise InvalidCommandError(
            f"{label} has {len(times)} BT samples over {times[-1] if times else 0:.0f} s after "
            "CHARGE; a reference needs at least 10 samples and 2 minutes. Nothing was changed; "
            "choose a whole roast."
        )
    events: dict[RoastEventType, float] = {
        event.type: event.time_s - charge.time_s
        for event in record.events
        if event.type is not RoastEventType.CHARGE and charge.time_s <= event.time_s
    }
    events[RoastEventType.DROP] = times[-1]
    events = {kind: t for kind, t in events.items() if t <= times[-1]}
    return Reference(
        name=label,
        source=source,
        times_s=tuple(times),
        bean_temps_c=tuple(temps),
        track_from_s=_turning_point_s(times, temps),
        drop_s=times[-1],
        events_s=events,
        fan_changes=_changes([(s.time_s - charge.time_s, s.fan_percent) for s in kept]),
        heat_changes=_changes([(s.time_s - charge.time_s, s.heat_percent) for s in kept]),
        batch_g=record.batch_g,
        charge_env_c=_env_at_charge(record, charge.time_s),
        roast_id=record.id,
        path=path,
    )


def reference_from_file(path: Path | str) -> Reference:
    """Return the reference a roast file makes (any format :mod:`roastctl.logs.load` reads).

    A file that is missing or unreadable is refused with the loader's message.
    """
    from roastctl.logs.load import load_roast_record  # the loader pulls in every format

    file = Path(path).expanduser()
    if not file.is_file():
        raise InvalidCommandError(
            f"no roast file at {str(file)!r}. Nothing was changed; give the path of a roast "
            "log (.alog, .csv, .json, .klog) or a kept roast's id."
        )
    try:
        record = load_roast_record(file)
    except (OSError, ValueError, RoasterError) as exc:
        raise InvalidCommandError(
            f"{str(file)!r} could not be read as a roast: {exc}. Nothing was changed."
        ) from exc
    title = "" if record.title == ARTISAN_DEFAULT_TITLE else record.title
    return reference_from_record(
        record, name=title or file.stem, source=ReferenceSource.FILE, path=str(file)
    )


def designed_reference(curve: DesignedCurve, *, step_s: float = 1.0) -> Reference:
    """Return the reference a designed curve makes, BT every ``step_s`` between its points.

    Refused, naming the point and the allowed range, when a point is out of range or out of
    order.
    """
    limits = DESIGNED_LIMITS
    points = curve.points
    if not points or not isinstance(points[0], Waypoint):
        raise InvalidCommandError(
            "a designed curve starts with a waypoint (at_s, bt_c). Nothing was changed; e.g. "
            "[(0, None), (300, 140), (570, 193), (690, 207)]."
        )
    if len(points) > limits.max_points:
        raise InvalidCommandError(
            f"a designed curve has at most {limits.max_points} points, got {len(points)}. "
            "Nothing was changed."
        )
    knots: list[tuple[float, float]] = []
    previous_s = -1.0
    for index, point in enumerate(points):
        at_s = point.at_s if isinstance(point, Waypoint) else point.until_s
        if not math.isfinite(at_s) or not previous_s < at_s <= limits.max_time_s:
            raise InvalidCommandError(
                f"point {index + 1} of the designed curve is at {at_s!r} s; times must rise "
                f"and lie in 0-{limits.max_time_s:g} s after CHARGE. Nothing was changed."
            )
        previous_s = at_s
        if isinstance(point, Waypoint):
            if point.bt_c is None:
                if index != 0 or point.at_s != 0.0:
                    raise InvalidCommandError(
                        f"point {index + 1} of the designed curve has no BT; only the first "
                        "point, at 0 s, may leave BT to the charge. Nothing was changed."
                    )
                continue
            _check(
                point.bt_c, limits.min_bt_c, limits.max_bt_c, "deg C", f"BT of point {index + 1}"
            )
            knots.append((point.at_s, point.bt_c))
        else:
            _check(
                point.ror_c_per_min,
                limits.min_ror_c_per_min,
                limits.max_ror_c_per_min,
                "deg C/min",
                f"RoR of point {index + 1}",
            )
            if not knots:
                raise InvalidCommandError(
                    f"point {index + 1} of the designed curve is a RoR segment with no BT before "
                    "it to rise from. Nothing was changed; put a waypoint (at_s, bt_c) first."
                )
            start_s, start_c = knots[-1]
            bt = start_c + point.ror_c_per_min * (point.until_s - start_s) / 60.0
            _check(
                bt,
                limits.min_bt_c,
                limits.max_bt_c,
                "deg C",
                f"BT the RoR of point {index + 1} reaches",
            )
            knots.append((point.until_s, bt))
    if len(knots) < 2:
        raise InvalidCommandError(
            "a designed curve needs at least two points with a BT. Nothing was changed."
        )
    events = {kind: float(t) for kind, t in curve.events.items()}
    drop_s = events.get(RoastEventType.DROP, knots[-1][0])
    if not knots[0][0] < drop_s <= knots[-1][0]:
        raise InvalidCommandError(
            f"the designed curve's DROP at {drop_s:g} s lies outside its points "
            f"({knots[0][0]:g}-{knots[-1][0]:g} s). Nothing was changed."
        )
    events[RoastEventType.DROP] = drop_s
    fan = tuple(sorted((float(t), int(p)) for t, p in curve.fan))
    for at_s, percent in fan:
        _check(percent, 0, 100, "%", f"fan at {at_s:g} s")
    count = int((knots[-1][0] - knots[0][0]) / step_s)
    times = tuple(knots[0][0] + i * step_s for i in range(count + 1))
    if times[-1] < knots[-1][0]:
        times = (*times, knots[-1][0])
    knot_times = tuple(t for t, _ in knots)
    knot_temps = tuple(bt for _, bt in knots)
    return Reference(
        name=curve.name,
        source=ReferenceSource.DESIGNED,
        times_s=times,
        bean_temps_c=tuple(_interpolate(knot_times, knot_temps, t) for t in times),
        track_from_s=knots[0][0],
        drop_s=drop_s,
        events_s=events,
        fan_changes=fan,
    )


def _check(value: float, low: float, high: float, unit: str, what: str) -> None:
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidCommandError(
            f"{what} is {value!r} {unit}; allowed {low:g}-{high:g} {unit}. Nothing was changed."
        )


def _interpolate(times: Sequence[float], values: Sequence[float], at: float) -> float:
    if at <= times[0]:
        return values[0]
    if at >= times[-1]:
        return values[-1]
    index = bisect.bisect_right(times, at)
    t0, t1 = times[index - 1], times[index]
    v0, v1 = values[index - 1], values[index]
    return v0 + (v1 - v0) * (at - t0) / (t1 - t0)


def _held(changes: Sequence[tuple[float, int]], at: float) -> int | None:
    if not changes or at < changes[0][0]:
        return changes[0][1] if changes else None
    index = bisect.bisect_right([t for t, _ in changes], at)
    return changes[index - 1][1]


def _changes(values: Sequence[tuple[float, int | None]]) -> tuple[tuple[float, int], ...]:
    """Return the (time, value) points where a recorded setting changes."""
    changes: list[tuple[float, int]] = []
    for time_s, value in values:
        if value is not None and (not changes or changes[-1][1] != value):
            changes.append((time_s, value))
    return tuple(changes)


def _rising(samples: Iterable[RecordSample]) -> list[RecordSample]:
    """Return the samples whose times rise strictly (a repeated time keeps its first sample)."""
    kept: list[RecordSample] = []
    for sample in samples:
        if not kept or sample.time_s > kept[-1].time_s:
            kept.append(sample)
    return kept


def _turning_point_s(times: Sequence[float], temps: Sequence[float]) -> float:
    window = [i for i, t in enumerate(times) if t <= TP_SEARCH_S]
    if not window:
        return times[0]
    lowest = min(window, key=temps.__getitem__)
    return times[lowest]


def _env_at_charge(record: RoastRecord, charge_s: float) -> float | None:
    before = [s for s in record.samples if s.time_s <= charge_s and s.env_temp_c is not None]
    return None if not before else before[-1].env_temp_c
