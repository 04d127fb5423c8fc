"""Whole-roast analysis: the events and numbers of recorded roasts, beside the file's own marks.

For each roast log (Artisan ``.alog``, JSON or CSV, our own exports, Aillio RoasTime JSON,
split-key-roast logs, Kaffelogic ``.klog``) :func:`analyze_roast` reports three things:

* ``detected``: the events found in the samples alone. The samples are replayed through a
  :class:`~roastctl.roast.tracker.RoastTracker`, the same detectors as a live roast, with no
  marks. Three steps only make sense on a whole log and are offline only: a CHARGE fall after
  which BT never turns up again is a cool-down and is dropped; a roast without a charge fall
  (beans loaded cold) gets CHARGE at the start of heating; a log that stops while the roast is
  hot and no DROP was found ends with DROP at its last sample. FCs is never measured: it is
  estimated as the first sample after TP with BT at ``fcs_temp_c`` and flagged ``estimated``.
* ``marked``: the events the file itself marks.
* ``statistics``: phase times and shares, DTR, mean RoR per phase, AUC and RoR at FCs, computed
  as Artisan computes them, from the file's marks where it has them and from detection
  otherwise; ``basis`` says which for each event. ``artisan_computed`` holds Artisan's own values
  from the file (converted to deg C) for comparison.

Artisan's definitions (see ``docs/analytics.md``): TP is the last sample holding the lowest BT
between CHARGE and FCs (else DROP); DRY is the DRY mark, or the sample closest to the file's
DRY threshold (``phases[1]``) searching back from FCs (Artisan 2.x always searches); phases are
CHARGE->DRY, DRY->FCs and FCs->DROP as shares of CHARGE->DROP; DTR = (DROP - FCs)/(DROP -
CHARGE); the dry phase RoR runs from TP; AUC is the area of BT above a base from TP to DROP.

Messy logs give warnings, never a crash: readings above 500 deg C or isolated spikes are
ignored, missing channels and events at the first sample are reported, deg F is converted.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from roastctl.config import TrackerConfig
from roastctl.errors import InvalidCommandError, RoastFileError
from roastctl.logs.load import load_recorded_roast
from roastctl.logs.record import RecordedRoast
from roastctl.logs.values import fahrenheit_to_celsius
from roastctl.models import RoastEventType, SensorReading
from roastctl.roast.events import (
    DEFAULT_FCS_TEMP_C,
    detect_heating_start,
    estimate_first_crack,
    find_dry_end,
    find_turning_point,
)
from roastctl.roast.phases import compute_phases, format_mmss, format_mmss_rounded
from roastctl.roast.ror import ror_series
from roastctl.roast.tracker import AUC_BASE_C, AUTO_DROP_MIN_BT_C, RoastTracker

#: Readings above this are not temperatures (Artisan ignores them in the AUC too).
MAX_PLAUSIBLE_C = 500.0
#: A reading this far from both neighbours, which agree with each other, is a spike.
SPIKE_C = 40.0
#: A log that ends this long after CHARGE with BT still above AUTO_DROP_MIN_BT_C ends at DROP.
END_DROP_MIN_ROAST_S = 240.0
#: After a charge fall BT turns and climbs at least this far; a cool-down never does.
CHARGE_RISE_C = 20.0
#: A DROP mark this far below the roast's highest BT was pressed after cooling.
LATE_DROP_MARK_C = 30.0
#: The events of the ``detected`` and ``statistics`` blocks, in roast order.
EVENTS = ("CHARGE", "TP", "DRY_END", "FC_START", "DROP")
#: The events of the ``marked`` block.
MARKED_EVENTS = ("CHARGE", "DRY_END", "FC_START", "FC_END", "DROP")
#: Artisan's ``computed`` keys shown beside ours, and how to bring each to deg C.
_ARTISAN_TIMES = (
    "TP_time",
    "DRY_time",
    "FCs_time",
    "DROP_time",
    "totaltime",
    "dryphasetime",
    "midphasetime",
    "finishphasetime",
)
_ARTISAN_TEMPS = ("CHARGE_BT", "TP_BT", "DRY_BT", "FCs_BT", "DROP_BT", "MET", "AUCbase")
_ARTISAN_RATES = ("dry_phase_ror", "mid_phase_ror", "finish_phase_ror", "total_ror", "fcs_ror")
_START = datetime(2000, 1, 1, tzinfo=UTC)


class AnalyzeError(RoastFileError):
    """A file could not be analyzed: the loader's error, naming the file, as analyze reports it."""

    code = "analyze_error"


@dataclass(frozen=True, slots=True)
class EventPoint:
    """One event: where it is in the log and when in the roast."""

    index: int
    recording_s: float
    time_s: float | None  # seconds since this block's CHARGE; None without a CHARGE
    bean_temp_c: float | None
    source: str

    def as_dict(self) -> dict[str, Any]:
        """Return the event as JSON-ready data."""
        return {
            "index": self.index,
            "time_s": _round(self.time_s, 2),
            "time": format_mmss_rounded(self.time_s),
            "recording_s": round(self.recording_s, 2),
            "bean_temp_c": _round(self.bean_temp_c, 1),
            "source": self.source,
            "estimated": self.source == "estimated",
        }


@dataclass(frozen=True, slots=True)
class RoastStatistics:
    """Artisan's derived numbers for one roast (times in s, temperatures in deg C)."""

    basis: dict[str, str]
    events: dict[str, EventPoint]
    total_s: float | None = None
    drying_s: float | None = None
    maillard_s: float | None = None
    development_s: float | None = None
    drying_percent: float | None = None
    maillard_percent: float | None = None
    development_percent: float | None = None
    dry_phase_ror: float | None = None
    mid_phase_ror: float | None = None
    finish_phase_ror: float | None = None
    total_ror: float | None = None
    auc_c_min: float | None = None
    auc_base_c: float | None = None
    ror_at_fcs_c_per_min: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the statistics as JSON-ready data."""
        return {
            "basis": dict(self.basis),
            "events": {name: point.as_dict() for name, point in self.events.items()},
            "total_s": _round(self.total_s, 2),
            "drying_s": _round(self.drying_s, 2),
            "maillard_s": _round(self.maillard_s, 2),
            "development_s": _round(self.development_s, 2),
            "drying_percent": self.drying_percent,
            "maillard_percent": self.maillard_percent,
            "development_percent": self.development_percent,
            "dtr_percent": self.development_percent,
            "dry_phase_ror_c_per_min": _round(self.dry_phase_ror, 1),
            "mid_phase_ror_c_per_min": _round(self.mid_phase_ror, 1),
            "finish_phase_ror_c_per_min": _round(self.finish_phase_ror, 1),
            "total_ror_c_per_min": _round(self.total_ror, 1),
            "auc_c_min": _round(self.auc_c_min, 0),
            "auc_base_c": _round(self.auc_base_c, 1),
            "ror_at_fcs_c_per_min": _round(self.ror_at_fcs_c_per_min, 1),
        }


@dataclass(frozen=True, slots=True)
class RoastAnalysis:
    """What :func:`analyze_roast` found in one roast."""

    title: str
    unit: str
    samples: int
    sampling_interval_s: float | None
    detected: dict[str, EventPoint]
    marked: dict[str, EventPoint]
    statistics: RoastStatistics
    artisan_computed: dict[str, float] | None
    warnings: list[str] = field(default_factory=list)
    file: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the analysis as JSON-ready data (one object per roast)."""
        return {
            "file": self.file,
            "title": self.title,
            "unit": self.unit,
            "samples": self.samples,
            "sampling_interval_s": _round(self.sampling_interval_s, 3),
            "detected": {name: _maybe(self.detected.get(name)) for name in EVENTS},
            "marked": {name: _maybe(self.marked.get(name)) for name in MARKED_EVENTS},
            "statistics": self.statistics.as_dict(),
            "artisan_computed": self.artisan_computed,
            "warnings": list(self.warnings),
        }


def _maybe(point: EventPoint | None) -> dict[str, Any] | None:
    return None if point is None else point.as_dict()


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, digits)


# --- cleaning -----------------------------------------------------------------------------------


def _clean(values: Sequence[float | None], name: str, warnings: list[str]) -> list[float | None]:
    """Drop readings that cannot be temperatures and isolated spikes; warn about each kind."""
    cleaned: list[float | None] = [
        None if v is None or not math.isfinite(v) or v > MAX_PLAUSIBLE_C or v < -50 else v
        for v in values
    ]
    implausible = [v for v, c in zip(values, cleaned, strict=True) if v is not None and c is None]
    if implausible:
        warnings.append(
            f"{name}: {len(implausible)} reading(s) outside -50..{MAX_PLAUSIBLE_C:.0f} deg C "
            f"ignored (max {max(implausible):.0f})"
        )
    spikes = 0
    for i in range(1, len(cleaned) - 1):
        before, here, after = cleaned[i - 1], cleaned[i], cleaned[i + 1]
        if before is None or here is None or after is None:
            continue
        if (
            abs(before - after) < SPIKE_C / 2
            and abs(here - before) > SPIKE_C
            and abs(here - after) > SPIKE_C
        ):
            cleaned[i] = None
            spikes += 1
    if spikes:
        warnings.append(f"{name}: {spikes} isolated spike(s) of more than {SPIKE_C:.0f} C ignored")
    return cleaned


def _channel(values: Sequence[float | None] | None, count: int) -> list[int] | None:
    """Return a heater or fan channel as whole percents, gaps held from the last value."""
    if values is None or len(values) != count or all(v is None for v in values):
        return None
    out: list[int] = []
    last = 0
    for value in values:
        if value is not None and math.isfinite(value):
            last = max(0, min(100, round(value)))
        out.append(last)
    return out


# --- detection ----------------------------------------------------------------------------------


def _tracker_config(config: TrackerConfig, dry_end_c: float | None) -> TrackerConfig:
    if dry_end_c is None or not 100.0 <= dry_end_c <= 180.0:
        return config
    return config.model_copy(update={"dry_end_temp_c": dry_end_c})


def _replay(
    roast: RecordedRoast,
    bean: Sequence[float | None],
    env: Sequence[float | None],
    config: TrackerConfig,
) -> RoastTracker:
    count = len(roast.times)
    heat = _channel(roast.heater_percent, count)
    fan = _channel(roast.fan_percent, count)
    tracker = RoastTracker(
        config,
        drop_on_cooling_controls=heat is not None and fan is not None,
        drop_on_env_fall=any(value is not None for value in env),
    )
    for i, time_s in enumerate(roast.times):
        bt = bean[i]
        if bt is None:
            continue
        et = env[i]
        tracker.update(
            SensorReading(
                timestamp=_START + timedelta(seconds=time_s),
                monotonic_s=time_s,
                bean_temp_c=bt,
                env_temp_c=et if et is not None else bt,
                heat_percent=heat[i] if heat else 0,
                fan_percent=fan[i] if fan else 0,
                drum_on=True,
                door_open=False,
                cooling_on=False,
            )
        )
    return tracker


def _rises_after(bean: Sequence[float | None], start: int, rise_c: float) -> bool:
    """Whether BT climbs ``rise_c`` above its lowest value after ``start``."""
    low = math.inf
    for value in bean[start:]:
        if value is None:
            continue
        low = min(low, value)
        if value >= low + rise_c:
            return True
    return False


def _detect(
    roast: RecordedRoast,
    bean: list[float | None],
    env: list[float | None],
    config: TrackerConfig,
    fcs_temp_c: float,
    warnings: list[str],
) -> dict[str, EventPoint]:
    """Return the detected events, with the offline-only steps described above."""
    times = roast.times
    index_of = {t: i for i, t in enumerate(times)}
    tracker = _replay(roast, bean, env, config)
    sources: dict[str, str] = {}
    charge = tracker.event(RoastEventType.CHARGE)
    if charge is not None and not _rises_after(bean, index_of[charge.monotonic_s], CHARGE_RISE_C):
        warnings.append(
            f"the BT fall at {format_mmss(charge.monotonic_s)} into the recording is a "
            "cool-down, not a charge: BT never turns up after it"
        )
        charge = None
        tracker = _replay_without_charge(roast, bean, env, tracker.config)
    if charge is None:
        start = detect_heating_start(times, bean)
        if start is not None:
            try:
                tracker.mark_event(RoastEventType.CHARGE, time_s=times[start])
            except InvalidCommandError as exc:
                warnings.append(f"no CHARGE: the start of heating cannot be used ({exc})")
            else:
                sources["CHARGE"] = "heating start"
                warnings.append(
                    "no charge fall in BT (beans loaded cold?): detected CHARGE is the start of "
                    "heating"
                )
    found: dict[str, int] = {}
    for event in tracker.events():
        name = event.type.value
        if name in EVENTS:
            found[name] = index_of[event.monotonic_s]
    if "CHARGE" in found and "DROP" not in found:
        last = max(i for i, v in enumerate(bean) if v is not None)
        hot = (bean[last] or 0.0) >= AUTO_DROP_MIN_BT_C
        if hot and times[last] - times[found["CHARGE"]] >= END_DROP_MIN_ROAST_S:
            found["DROP"] = last
            sources["DROP"] = "end of recording"
    if "CHARGE" in found:
        begin = found.get("TP", found["CHARGE"])
        end = found["DROP"] + 1 if "DROP" in found else None
        fcs = estimate_first_crack(bean, begin, fcs_temp_c, end)
        if fcs is not None:
            found["FC_START"] = fcs
            sources["FC_START"] = "estimated"
    origin = times[found["CHARGE"]] if "CHARGE" in found else None
    return {
        name: _point(roast, bean, found[name], origin, sources.get(name, "detected"))
        for name in EVENTS
        if name in found
    }


def _replay_without_charge(
    roast: RecordedRoast,
    bean: Sequence[float | None],
    env: Sequence[float | None],
    config: TrackerConfig,
) -> RoastTracker:
    """Replay with charge detection off: a tracker whose charge gate no reading can pass."""
    blind = config.model_copy(update={"charge_min_bean_temp_c": math.inf})
    tracker = _replay(roast, bean, env, blind)
    tracker.config = config
    return tracker


def _point(
    roast: RecordedRoast,
    bean: Sequence[float | None],
    index: int,
    origin: float | None,
    source: str,
) -> EventPoint:
    time_s = roast.times[index]
    return EventPoint(
        index=index,
        recording_s=time_s,
        time_s=None if origin is None else time_s - origin,
        bean_temp_c=bean[index],
        source=source,
    )


def _marked(roast: RecordedRoast, bean: Sequence[float | None]) -> dict[str, EventPoint]:
    marks = {event.value: index for event, index in roast.marks.items()}
    origin = roast.times[marks["CHARGE"]] if "CHARGE" in marks else None
    return {
        name: _point(roast, bean, marks[name], origin, "mark")
        for name in MARKED_EVENTS
        if name in marks
    }


# --- statistics ---------------------------------------------------------------------------------


def _phase_ror(
    times: Sequence[float], bean: Sequence[float | None], start: int | None, end: int | None
) -> float | None:
    if start is None or end is None:
        return None
    first, last = bean[start], bean[end]
    elapsed = times[end] - times[start]
    if first is None or last is None or elapsed <= 0:
        return None
    return (last - first) / elapsed * 60.0


def _auc(
    times: Sequence[float], bean: Sequence[float | None], start: int, end: int, base_c: float
) -> float:
    """Artisan's AUC: trapezoids of BT above ``base_c`` from ``start`` to ``end``, deg C x min."""
    area = 0.0
    previous: int | None = None
    for index in range(start, end + 1):
        if bean[index] is None:
            continue
        if previous is not None:
            a, b = bean[previous], bean[index]
            if a is not None and b is not None:
                area += max(0.0, (a + b) / 2.0 - base_c) * (times[index] - times[previous])
        previous = index
    return area / 60.0


def _ror_at(
    times: Sequence[float],
    bean: Sequence[float | None],
    charge: int,
    index: int,
    config: TrackerConfig,
) -> float | None:
    pairs = [(times[i], bean[i]) for i in range(charge, index + 1)]
    valid = [(t, y) for t, y in pairs if y is not None]
    if len(valid) < 2:
        return None
    series = ror_series(
        [t for t, _ in valid], [y for _, y in valid], config.ror_span_s, config.ror_method
    )
    return series[-1]


def _statistics(
    roast: RecordedRoast,
    bean: list[float | None],
    detected: dict[str, EventPoint],
    marked: dict[str, EventPoint],
    config: TrackerConfig,
    artisan_major: int | None,
) -> RoastStatistics:
    times = roast.times
    basis: dict[str, str] = {}
    chosen: dict[str, int] = {}
    for name in ("CHARGE", "FC_START", "DROP"):
        if name in marked:
            chosen[name], basis[name] = marked[name].index, "mark"
        elif name in detected:
            chosen[name], basis[name] = detected[name].index, detected[name].source
    if "CHARGE" not in chosen:
        return RoastStatistics(basis=basis, events={})
    if "DROP" in chosen and chosen["DROP"] <= chosen["CHARGE"]:
        del chosen["DROP"]
        basis.pop("DROP")
    charge = chosen["CHARGE"]
    end = chosen.get("FC_START", chosen.get("DROP"))
    tp = find_turning_point(times, bean, charge, end)
    if tp is not None:
        chosen["TP"], basis["TP"] = tp, "artisan search"
    threshold = roast.dry_end_temp_c
    searched = (
        find_dry_end(bean, threshold, tp, end)
        if threshold is not None and tp is not None and end is not None
        else None
    )
    if "DRY_END" in marked and not (artisan_major is not None and artisan_major < 3 and searched):
        chosen["DRY_END"], basis["DRY_END"] = marked["DRY_END"].index, "mark"
    elif searched is not None:
        chosen["DRY_END"], basis["DRY_END"] = searched, "artisan search"
    elif "DRY_END" in detected:
        chosen["DRY_END"], basis["DRY_END"] = detected["DRY_END"].index, "detected"
    origin = times[charge]

    def since(name: str) -> float | None:
        return times[chosen[name]] - origin if name in chosen else None

    drop_s = since("DROP")
    phases = compute_phases(
        dry_end_s=since("DRY_END"),
        first_crack_s=since("FC_START"),
        drop_s=drop_s,
        now_s=drop_s,
    )
    dry, fcs, drop = chosen.get("DRY_END"), chosen.get("FC_START"), chosen.get("DROP")
    # Artisan 2.x times the dry phase by the threshold search but takes the phase RoRs at the mark.
    ror_dry = marked["DRY_END"].index if "DRY_END" in marked else dry
    base = _auc_base(roast)
    auc = _auc(times, bean, tp, drop, base) if tp is not None and drop is not None else None
    events = {
        name: _point(roast, bean, chosen[name], origin, basis[name])
        for name in EVENTS
        if name in chosen
    }
    return RoastStatistics(
        basis={name: basis[name] for name in EVENTS if name in basis},
        events=events,
        total_s=phases.total_s if drop is not None else None,
        drying_s=phases.drying_s if drop is not None else None,
        maillard_s=phases.maillard_s if drop is not None else None,
        development_s=phases.development_s if drop is not None else None,
        drying_percent=phases.drying_percent if drop is not None else None,
        maillard_percent=phases.maillard_percent if drop is not None else None,
        development_percent=phases.development_percent if drop is not None else None,
        dry_phase_ror=_phase_ror(times, bean, tp, ror_dry),
        mid_phase_ror=_phase_ror(times, bean, ror_dry, fcs),
        finish_phase_ror=_phase_ror(times, bean, fcs, drop),
        total_ror=_phase_ror(times, bean, tp, drop),
        auc_c_min=auc,
        auc_base_c=base if auc is not None else None,
        ror_at_fcs_c_per_min=None if fcs is None else _ror_at(times, bean, charge, fcs, config),
    )


def _auc_base(roast: RecordedRoast) -> float:
    """Return the AUC base the file's Artisan used (its ``AUCbase``), else our default."""
    base = roast.computed.get("AUCbase")
    if isinstance(base, int | float) and not isinstance(base, bool) and math.isfinite(base):
        return fahrenheit_to_celsius(float(base)) if roast.source_mode == "F" else float(base)
    return AUC_BASE_C


def artisan_computed(roast: RecordedRoast) -> dict[str, float] | None:
    """Artisan's own numbers from the file's ``computed`` block, temperatures in deg C.

    Times are seconds from CHARGE; ``dtr_percent`` is Artisan's finishphasetime / totaltime.
    ``None`` when the file has no such block.
    """
    computed = roast.computed
    if not computed:
        return None
    fahrenheit = roast.source_mode == "F"
    out: dict[str, float] = {}
    for key in (*_ARTISAN_TIMES, *_ARTISAN_TEMPS, *_ARTISAN_RATES, "AUC"):
        value = computed.get(key)
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        number = float(value)
        if not math.isfinite(number):
            continue
        if fahrenheit and key in _ARTISAN_TEMPS:
            number = fahrenheit_to_celsius(number)
        elif fahrenheit and key in _ARTISAN_RATES:
            number = number * 5.0 / 9.0
        out[key] = round(number, 2)
    total, finish = out.get("totaltime"), out.get("finishphasetime")
    if total and finish is not None:
        out["dtr_percent"] = round(finish / total * 100.0, 2)
    return out


def _warnings_for_marks(
    roast: RecordedRoast,
    bean: Sequence[float | None],
    marked: dict[str, EventPoint],
    detected: dict[str, EventPoint],
    warnings: list[str],
) -> None:
    if roast.source_mode == "F":
        warnings.append("temperatures converted from deg F")
    if not roast.marks:
        warnings.append("the file marks no events")
    elif "CHARGE" not in marked:
        warnings.append("the file has no CHARGE mark")
    for name, point in marked.items():
        if point.index == 0:
            warnings.append(f"{name} mark at the first sample (index 0)")
    order = [marked[name] for name in MARKED_EVENTS if name in marked]
    if any(b.index < a.index for a, b in itertools.pairwise(order)):
        warnings.append("the file's marks are out of order")
    drop = marked.get("DROP")
    valid = [v for v in bean if v is not None]
    if drop is not None and drop.bean_temp_c is not None and valid:
        peak = max(valid)
        if drop.bean_temp_c < peak - LATE_DROP_MARK_C:
            warnings.append(
                f"DROP mark at BT {drop.bean_temp_c:.0f} C, {peak - drop.bean_temp_c:.0f} C "
                "below the roast's peak: marked after cooling?"
            )
    for name in ("CHARGE", "DROP"):
        if name in marked and name in detected:
            gap = detected[name].recording_s - marked[name].recording_s
            interval = roast.sampling_interval_s or 1.0
            if abs(gap) > max(5 * interval, 10.0):
                side = "after" if gap > 0 else "before"
                warnings.append(f"detected {name} is {abs(gap):.0f} s {side} the file's mark")
    if "FC_START" not in marked and "FC_START" in detected:
        warnings.append("no FCs mark: FCs is estimated from BT (flagged estimated)")


def analyze_roast(
    roast: RecordedRoast,
    config: TrackerConfig | None = None,
    *,
    fcs_temp_c: float = DEFAULT_FCS_TEMP_C,
    artisan_major: int | None = None,
    file: str | None = None,
) -> RoastAnalysis:
    """Detect events in ``roast``, put them beside its marks, and compute Artisan's statistics.

    ``artisan_major`` is the major version of the Artisan that wrote the file, when known:
    Artisan 2.x ends the dry phase where BT is closest to the DRY threshold even when DRY is
    marked. Never raises on odd data: problems become ``warnings``.
    """
    config = _tracker_config(config or TrackerConfig(), roast.dry_end_temp_c)
    warnings: list[str] = []
    bean = _clean(roast.bean_temps, "BT", warnings)
    env = _clean(roast.env_temps, "ET", warnings)
    count = len(roast.times)
    missing_bt = sum(1 for v in roast.bean_temps if v is None)
    if missing_bt == count:
        warnings.append("no BT readings at all: nothing to analyze")
    elif missing_bt:
        warnings.append(f"BT missing in {missing_bt} of {count} samples")
    if all(v is None for v in roast.env_temps):
        warnings.append("no ET channel")
    if roast.sampling_interval_s is None and count > 1:
        warnings.append("no sampling interval in the file")
    detected = _detect(roast, bean, env, config, fcs_temp_c, warnings) if missing_bt < count else {}
    marked = _marked(roast, bean)
    _warnings_for_marks(roast, bean, marked, detected, warnings)
    stats = _statistics(roast, bean, detected, marked, config, artisan_major)
    interval = roast.sampling_interval_s
    if interval is None and count > 1:
        steps = [b - a for a, b in zip(roast.times, roast.times[1:], strict=False) if b > a]
        interval = statistics.median(steps) if steps else None
    return RoastAnalysis(
        title=roast.title,
        unit=roast.source_mode,
        samples=count,
        sampling_interval_s=interval,
        detected=detected,
        marked=marked,
        statistics=stats,
        artisan_computed=artisan_computed(roast),
        warnings=warnings,
        file=file,
    )


# --- files --------------------------------------------------------------------------------------


def analyze_file(
    path: Path | str, config: TrackerConfig | None = None, *, fcs_temp_c: float = DEFAULT_FCS_TEMP_C
) -> RoastAnalysis:
    """Read one file of any format (see :mod:`roastctl.logs.load`) and analyze it.

    Raises :class:`AnalyzeError` (a :class:`~roastctl.errors.RoastFileError`) naming the file
    when it cannot be read.
    """
    try:
        roast = load_recorded_roast(path)
    except RoastFileError as exc:
        raise AnalyzeError(str(exc)) from exc
    return analyze_roast(
        roast, config, fcs_temp_c=fcs_temp_c, artisan_major=roast.artisan_major, file=str(path)
    )
