"""The roast tracker: turns a stream of readings into events and live metrics.

Feed it every reading (:meth:`RoastTracker.update`); ask for :meth:`RoastTracker.metrics` at any
time. It keeps the samples of the current roast, so a manual mark (which always wins over a
detection) can be placed in the past and everything derived from it is recomputed.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from roastctl.config import TrackerConfig
from roastctl.errors import BeansNotAddedError, InvalidCommandError
from roastctl.models import (
    CurvePoint,
    EventSource,
    RoastEvent,
    RoastEventType,
    RoastMetrics,
    SensorReading,
)
from roastctl.roast.events import (
    CoolingControlDetector,
    FallRule,
    SharpFallDetector,
    TurningPointDetector,
)
from roastctl.roast.mark_order import check_mark_order
from roastctl.roast.phases import compute_phases, format_mmss
from roastctl.roast.ror import RateOfRise

#: Samples kept from before CHARGE: enough to place a late manual CHARGE mark.
PRE_CHARGE_KEEP_S = 1800.0
#: Without a turning point (an air roaster has no dip) DRY END is armed this long after CHARGE.
TP_FALLBACK_S = 120.0
#: A DROP from a BT or ET fall is considered only this long after CHARGE and above this BT.
#: Artisan waits 7 min; air roasters and the Aillio Bullet finish roasts in 6-7 min, and a sharp
#: fall above 160 deg C does not happen mid-roast, so 4 min (Artisan's replayed-DROP minimum).
AUTO_DROP_MIN_ROAST_S = 240.0
AUTO_DROP_MIN_BT_C = 160.0
#: DROP from the controls (heater 0, fan full) needs the same time and BT.
COOLING_DROP_MIN_ROAST_S = AUTO_DROP_MIN_ROAST_S
#: A charge fall that starts within this many seconds of the first sample is put on the first
#: sample: the recording began with the charge.
CHARGE_START_SLACK_S = 5.0
#: Artisan's AUC base.
AUC_BASE_C = 110.0
#: A report may be this far in the future of the newest sample (clock skew between machines).
FUTURE_TOLERANCE_S = 5.0

_DROP_RULE = FallRule(min_start_c=AUTO_DROP_MIN_BT_C, min_drop_c=5.0, min_rate_c_per_min=20.0)
#: ET falls when the hot air no longer meets the beans' mass leaving (Aillio's IBTS falls
#: 15-30 deg C in the 20 s after DROP while its BT probe heats up in the empty drum).
_ENV_DROP_RULE = FallRule(min_start_c=AUTO_DROP_MIN_BT_C, min_drop_c=10.0, min_rate_c_per_min=30.0)
_MANUAL_SOURCES = (EventSource.MANUAL, EventSource.COMMAND)


@dataclass(frozen=True, slots=True)
class _Sample:
    index: int
    time_s: float
    wall: datetime
    bean_c: float
    env_c: float
    door_open: bool
    heat: int = 0
    fan: int = 0


@dataclass(frozen=True, slots=True)
class CurveRows:
    """Curve samples picked by :meth:`RoastTracker.curve_rows`: immutable, safe to keep."""

    origin_s: float
    rows: list[tuple[_Sample, float | None]]

    def points(self) -> list[CurvePoint]:
        """Return the rows as curve points (time on the curve's axis: seconds since CHARGE)."""
        origin = self.origin_s
        return [
            CurvePoint(
                time_s=round(sample.time_s - origin, 3),
                timestamp=sample.wall,
                bean_temp_c=sample.bean_c,
                env_temp_c=sample.env_c,
                bean_ror_c_per_min=None if ror is None else round(ror, 2),
                heat_percent=sample.heat,
                fan_percent=sample.fan,
            )
            for sample, ror in self.rows
        ]


@dataclass(slots=True)
class _Event:
    type: RoastEventType
    source: EventSource
    time_s: float
    wall: datetime
    bean_c: float | None
    env_c: float | None
    detected_s: float


@dataclass(slots=True)
class _Derived:
    """Everything computed from samples; rebuilt from scratch when a manual mark moves CHARGE."""

    charge_detector: SharpFallDetector
    drop_detector: SharpFallDetector
    env_drop_detector: SharpFallDetector
    cooling_detector: CoolingControlDetector
    bean_ror: RateOfRise
    env_ror: RateOfRise
    tp_detector: TurningPointDetector | None = None
    auc_c_s: float = 0.0
    auc_last: _Sample | None = None
    events: dict[RoastEventType, _Event] = field(default_factory=dict)
    #: BT RoR as computed live at each sample index (post-CHARGE values replace pre-CHARGE ones).
    bean_ror_at: dict[int, float | None] = field(default_factory=dict)


class RoastTracker:
    """Events (CHARGE, TP, DRY END, FCs, FCe, SCs, SCe, DROP, COOL), RoR, phases, DTR and AUC.

    SCs, SCe and COOL are only ever marked (by a person, or COOL by stop_cooling), never detected.

    DROP is detected from the door opening (exact, where the roaster reports its door) and from a
    sharp BT fall (at least 4 min after CHARGE, BT above 160 deg C). Two more rules are for logs
    without a door channel, and off by default because live sessions report the door:
    ``drop_on_cooling_controls``, the heater going to 0 while the fan goes to full (what
    Artisan's Hottop DROP button sends, and the only sign of the drop in a Hottop log), and
    ``drop_on_env_fall``, a sharp ET fall (an Aillio Bullet's BT probe heats up in the empty drum
    after the drop, while its IBTS falls). Live, a heater-off, fan-up cool-down or a fan step that
    cools the air is not a drop.
    """

    def __init__(
        self,
        config: TrackerConfig | None = None,
        *,
        drop_on_cooling_controls: bool = False,
        drop_on_env_fall: bool = False,
    ) -> None:
        self.config = config or TrackerConfig()
        self.drop_on_cooling_controls = drop_on_cooling_controls
        self.drop_on_env_fall = drop_on_env_fall
        self._samples: list[_Sample] = []
        self._next_index = 0
        self._manual: dict[RoastEventType, _Event] = {}
        self._derived = self._fresh_derived()

    # ----------------------------------------------------------------- lifecycle
    def reset(self) -> None:
        """Forget everything: the next reading starts a new roast."""
        self._samples.clear()
        self._next_index = 0
        self._manual.clear()
        self._derived = self._fresh_derived()

    def _fresh_derived(self) -> _Derived:
        cfg = self.config
        rule = FallRule(
            min_start_c=cfg.charge_min_bean_temp_c,
            min_drop_c=cfg.charge_min_drop_c,
            min_rate_c_per_min=cfg.charge_min_fall_rate_c_per_min,
            window_s=cfg.charge_window_s,
            start_slack_s=CHARGE_START_SLACK_S,
        )
        return _Derived(
            charge_detector=SharpFallDetector(rule),
            drop_detector=SharpFallDetector(_DROP_RULE),
            env_drop_detector=SharpFallDetector(_ENV_DROP_RULE),
            cooling_detector=CoolingControlDetector(),
            bean_ror=RateOfRise(cfg.ror_span_s, cfg.ror_method),
            env_ror=RateOfRise(cfg.ror_span_s, cfg.ror_method),
        )

    # ----------------------------------------------------------------- queries
    @property
    def sample_count(self) -> int:
        """Samples held for the current roast (pre-CHARGE ones are trimmed to 30 min)."""
        return len(self._samples)

    @property
    def charged(self) -> bool:
        """Whether CHARGE has happened."""
        return RoastEventType.CHARGE in self._derived.events

    @property
    def dropped(self) -> bool:
        """Whether DROP has happened."""
        return RoastEventType.DROP in self._derived.events

    def events(self) -> tuple[RoastEvent, ...]:
        """Return the roast's events in time order."""
        charge = self._derived.events.get(RoastEventType.CHARGE)
        origin = charge.time_s if charge else 0.0
        ordered = sorted(self._derived.events.values(), key=lambda e: (e.time_s, e.type))
        return tuple(
            RoastEvent(
                type=e.type,
                source=e.source,
                monotonic_s=e.time_s,
                timestamp=e.wall,
                elapsed_s=round(e.time_s - origin, 3),
                bean_temp_c=None if e.bean_c is None else round(e.bean_c, 2),
                env_temp_c=None if e.env_c is None else round(e.env_c, 2),
                detected_monotonic_s=e.detected_s,
            )
            for e in ordered
        )

    def event(self, event_type: RoastEventType) -> RoastEvent | None:
        """Return one event, or ``None`` if it has not happened."""
        return next((e for e in self.events() if e.type == event_type), None)

    def curve(
        self,
        *,
        since_s: float | None = None,
        last_n: int | None = None,
        max_points: int | None = None,
    ) -> list[CurvePoint]:
        """Return the stored samples as curve points, oldest first.

        ``since_s`` keeps points at or after that time (on the curve's own axis: seconds since
        CHARGE); ``last_n`` keeps the newest n; ``max_points`` then thins evenly, always keeping
        the first and the last point. RoR values are exactly the ones computed live.
        """
        return self.curve_rows(since_s=since_s, last_n=last_n, max_points=max_points).points()

    def curve_rows(
        self,
        *,
        since_s: float | None = None,
        last_n: int | None = None,
        max_points: int | None = None,
    ) -> CurveRows:
        """Return what :meth:`curve` returns, before it is turned into models.

        Picking the rows is quick (immutable samples and their RoR); building thousands of
        :class:`CurvePoint` models is not. A caller holding a lock takes the rows under it and
        builds the points after releasing it.
        """
        samples = self._samples
        if not samples:
            return CurveRows(0.0, [])
        charge = self._derived.events.get(RoastEventType.CHARGE)
        origin = charge.time_s if charge else samples[0].time_s
        ror_at = self._derived.bean_ror_at
        if since_s is not None:
            samples = [s for s in samples if s.time_s - origin >= since_s - 1e-9]
        if last_n is not None:
            samples = samples[-last_n:] if last_n > 0 else []
        if max_points is not None and len(samples) > max_points >= 2:
            last = len(samples) - 1
            picks = sorted({round(k * last / (max_points - 1)) for k in range(max_points)})
            samples = [samples[k] for k in picks]
        return CurveRows(origin, [(sample, ror_at.get(sample.index)) for sample in samples])

    # ----------------------------------------------------------------- live input
    def update(self, reading: SensorReading) -> list[RoastEvent]:
        """Add a reading; return the events it revealed (possibly back-dated)."""
        if self._samples and reading.monotonic_s <= self._samples[-1].time_s:
            return []  # a repeated reading carries nothing new
        sample = _Sample(
            index=self._next_index,
            time_s=reading.monotonic_s,
            wall=reading.timestamp,
            bean_c=reading.bean_temp_c,
            env_c=reading.env_temp_c,
            door_open=reading.door_open,
            heat=reading.heat_percent,
            fan=reading.fan_percent,
        )
        self._next_index += 1
        self._samples.append(sample)
        before = set(self._derived.events)
        self._process(sample, detected_s=sample.time_s)
        self._trim()
        new = [t for t in self._derived.events if t not in before]
        return [e for e in self.events() if e.type in new] if new else []

    def _trim(self) -> None:
        # Only pre-CHARGE samples are ever dropped: nothing of a roast is thrown away.
        if self.charged or not self._samples:
            return
        cutoff = self._samples[-1].time_s - PRE_CHARGE_KEEP_S
        if self._samples[0].time_s < cutoff - PRE_CHARGE_KEEP_S / 2:
            keep = bisect.bisect_left(self._samples, cutoff, key=lambda s: s.time_s)
            ror_at = self._derived.bean_ror_at
            for sample in self._samples[:keep]:
                ror_at.pop(sample.index, None)
            del self._samples[:keep]

    def _position(self, index: int) -> int:
        return index - self._samples[0].index

    def _process(self, sample: _Sample, *, detected_s: float) -> None:
        derived = self._derived
        events = derived.events
        charge = events.get(RoastEventType.CHARGE)
        if charge is None:
            derived.bean_ror_at[sample.index] = derived.bean_ror.update(
                sample.time_s, sample.bean_c
            )
            derived.env_ror.update(sample.time_s, sample.env_c)
            found = derived.charge_detector.update(sample.index, sample.time_s, sample.bean_c)
            manual = self._manual.get(RoastEventType.CHARGE)
            if manual is not None and manual.time_s <= sample.time_s:
                self._start_roast(manual, sample, detected_s)
            elif found is not None and manual is None:
                at = self._samples[self._position(found)]
                charge = self._event_at(RoastEventType.CHARGE, at, detected_s)
                self._start_roast(charge, sample, detected_s)
            return
        self._after_charge(sample, charge, detected_s)

    def _start_roast(self, charge: _Event, current: _Sample, detected_s: float) -> None:
        """CHARGE: restart RoR at the charge and replay the samples from it up to ``current``."""
        derived = self._derived
        derived.events[RoastEventType.CHARGE] = charge
        derived.bean_ror.reset()
        derived.env_ror.reset()
        derived.tp_detector = TurningPointDetector(charge.time_s)
        start = bisect.bisect_left(self._samples, charge.time_s, key=lambda s: s.time_s)
        for sample in self._samples[start : self._position(current.index) + 1]:
            self._after_charge(sample, charge, detected_s)

    def _after_charge(self, sample: _Sample, charge: _Event, detected_s: float) -> None:
        derived = self._derived
        events = derived.events
        derived.bean_ror_at[sample.index] = derived.bean_ror.update(sample.time_s, sample.bean_c)
        derived.env_ror.update(sample.time_s, sample.env_c)
        if RoastEventType.DROP in events:
            return
        since_charge = sample.time_s - charge.time_s
        tp = events.get(RoastEventType.TURNING_POINT)
        if tp is None and derived.tp_detector is not None:
            found_tp = derived.tp_detector.update(sample.index, sample.time_s, sample.bean_c)
            if found_tp is not None:
                at = self._samples[self._position(found_tp[0])]
                tp = self._event_at(RoastEventType.TURNING_POINT, at, detected_s)
                events[RoastEventType.TURNING_POINT] = tp
                self._auc_catch_up(at, sample)
        if tp is not None:
            self._auc_add(sample)
        self._apply_manual_marks(sample)
        turned = tp is not None or since_charge >= TP_FALLBACK_S
        if (
            turned
            and RoastEventType.DRY_END not in events
            and RoastEventType.FIRST_CRACK_START not in events
            and sample.bean_c >= self.config.dry_end_temp_c
        ):
            events[RoastEventType.DRY_END] = self._event_at(
                RoastEventType.DRY_END, sample, detected_s
            )
        if self.config.auto_drop and RoastEventType.DROP not in events:
            self._auto_drop(sample, since_charge, detected_s)

    def _apply_manual_marks(self, sample: _Sample) -> None:
        for event_type, mark in self._manual.items():
            if event_type is not RoastEventType.CHARGE and mark.time_s <= sample.time_s:
                self._derived.events[event_type] = mark

    def _auto_drop(self, sample: _Sample, since_charge: float, detected_s: float) -> None:
        derived = self._derived
        position = self._position(sample.index)
        previous = self._samples[position - 1] if position > 0 else None
        door_edge = sample.door_open and previous is not None and not previous.door_open
        found: _Sample | None = sample if door_edge else None
        if found is None and self.drop_on_cooling_controls:
            found = self._cooling_drop(sample, since_charge)
        if found is None and since_charge >= AUTO_DROP_MIN_ROAST_S:
            index = derived.drop_detector.update(sample.index, sample.time_s, sample.bean_c)
            if self.drop_on_env_fall:
                env_index = derived.env_drop_detector.update(
                    sample.index, sample.time_s, sample.env_c
                )
                if index is None and env_index is not None and sample.bean_c >= AUTO_DROP_MIN_BT_C:
                    index = env_index
            if index is not None:
                found = self._samples[self._position(index)]
        if found is not None:
            derived.events[RoastEventType.DROP] = self._event_at(
                RoastEventType.DROP, found, detected_s
            )

    def _cooling_drop(self, sample: _Sample, since_charge: float) -> _Sample | None:
        derived = self._derived
        if since_charge < COOLING_DROP_MIN_ROAST_S:
            return None
        index = derived.cooling_detector.update(sample.index, sample.heat, sample.fan)
        if index is None:
            return None
        found = self._samples[self._position(index)]
        if found.bean_c < AUTO_DROP_MIN_BT_C:
            derived.cooling_detector = CoolingControlDetector()  # too cool to be a drop: look on
            return None
        return found

    def _auc_catch_up(self, tp_sample: _Sample, current: _Sample) -> None:
        derived = self._derived
        derived.auc_c_s = 0.0
        derived.auc_last = tp_sample
        start = self._position(tp_sample.index) + 1
        for sample in self._samples[start : self._position(current.index) + 1]:
            self._auc_add(sample)

    def _auc_add(self, sample: _Sample) -> None:
        derived = self._derived
        last = derived.auc_last
        if last is None or sample.time_s <= last.time_s:
            return
        mean = (last.bean_c + sample.bean_c) / 2.0
        derived.auc_c_s += max(0.0, mean - AUC_BASE_C) * (sample.time_s - last.time_s)
        derived.auc_last = sample

    def _event_at(self, event_type: RoastEventType, sample: _Sample, detected_s: float) -> _Event:
        return _Event(
            type=event_type,
            source=EventSource.AUTO,
            time_s=sample.time_s,
            wall=sample.wall,
            bean_c=sample.bean_c,
            env_c=sample.env_c,
            detected_s=detected_s,
        )

    # ----------------------------------------------------------------- manual marks
    def wall_to_monotonic(self, when: datetime) -> float:
        """Map a wall time onto the sample clock, using the newest sample as the reference."""
        if not self._samples:
            raise NoSamplesError("no reading has arrived yet; wait for the first sample")
        newest = self._samples[-1]
        return newest.time_s + (when - newest.wall).total_seconds()

    def monotonic_to_wall(self, time_s: float) -> datetime:
        """Map a sample-clock time onto wall time."""
        if not self._samples:
            raise NoSamplesError("no reading has arrived yet; wait for the first sample")
        newest = self._samples[-1]
        return newest.wall + timedelta(seconds=time_s - newest.time_s)

    def interpolate(self, time_s: float) -> tuple[float, float] | None:
        """Return (BT, ET) at ``time_s`` by linear interpolation of the stored samples."""
        samples = self._samples
        if not samples or time_s < samples[0].time_s or time_s > samples[-1].time_s:
            return None
        right = bisect.bisect_left(samples, time_s, key=lambda s: s.time_s)
        if samples[right].time_s == time_s or right == 0:
            return samples[right].bean_c, samples[right].env_c
        a, b = samples[right - 1], samples[right]
        share = (time_s - a.time_s) / (b.time_s - a.time_s)
        return (a.bean_c + share * (b.bean_c - a.bean_c), a.env_c + share * (b.env_c - a.env_c))

    def mark_event(
        self,
        event_type: RoastEventType,
        *,
        time_s: float | None = None,
        bean_temp_c: float | None = None,
        source: EventSource = EventSource.MANUAL,
    ) -> RoastEvent:
        """Put ``event_type`` on the time line at ``time_s`` (default: the newest sample).

        A mark replaces any earlier mark or detection of the same event. The time must lie within
        the samples held (it cannot be in the future, nor before CHARGE for later events). A
        person's mark (source MANUAL) must also keep the order of second crack and COOL
        (:func:`~roastctl.roast.mark_order.check_mark_order`); a command's or the safety
        supervisor's mark records what happened and is not checked.
        """
        if event_type is RoastEventType.TURNING_POINT:
            raise InvalidCommandError(
                "TP is always computed from the curve and cannot be marked; mark CHARGE, "
                "DRY_END, FC_START, FC_END, SC_START, SC_END, DROP or COOL"
            )
        if not self._samples:
            raise NoSamplesError("no reading has arrived yet; wait for the first sample")
        newest = self._samples[-1]
        at = newest.time_s if time_s is None else time_s
        if at > newest.time_s + FUTURE_TOLERANCE_S:
            raise InvalidCommandError(
                f"{event_type.value} time is {at - newest.time_s:.1f} s after the newest sample; "
                "an event cannot be in the future. Check the clock of the caller (UTC) and resend."
            )
        at = min(at, newest.time_s)
        charge = self._derived.events.get(RoastEventType.CHARGE)
        if event_type is not RoastEventType.CHARGE:
            if charge is None:
                raise BeansNotAddedError(
                    f"{event_type.value} needs CHARGE first: no beans have been charged in this "
                    "roast. Charge the beans (detected automatically) or mark CHARGE."
                )
            if at < charge.time_s:
                raise InvalidCommandError(
                    f"{event_type.value} at {at - charge.time_s:.1f} s is before CHARGE; "
                    "give a time after CHARGE."
                )
        elif at < self._samples[0].time_s:
            raise InvalidCommandError(
                f"CHARGE time is {newest.time_s - at:.0f} s ago, before the oldest sample held "
                f"({newest.time_s - self._samples[0].time_s:.0f} s ago); give a later time."
            )
        if source is EventSource.MANUAL and charge is not None:
            times = {kind: event.time_s for kind, event in self._derived.events.items()}
            check_mark_order(event_type, at, times, charge.time_s)
        temps = self.interpolate(at)
        env = temps[1] if temps else None
        bean = bean_temp_c if bean_temp_c is not None else (temps[0] if temps else None)
        mark = _Event(
            type=event_type,
            source=source,
            time_s=at,
            wall=self.monotonic_to_wall(at),
            bean_c=bean,
            env_c=env,
            detected_s=newest.time_s,
        )
        self._manual[event_type] = mark
        self._rebuild()
        result = self.event(event_type)
        if result is None:  # pragma: no cover - a mark within the samples is always applied
            raise AssertionError(f"{event_type.value} mark was not applied")
        return result

    def _rebuild(self) -> None:
        """Recompute every derived value from the stored samples, honouring the manual marks."""
        self._derived = self._fresh_derived()
        for sample in self._samples:
            self._process(sample, detected_s=sample.time_s)
        # Marks placed at the newest sample are applied even if no later sample follows.
        if self.charged:
            for event_type, mark in self._manual.items():
                self._derived.events[event_type] = mark
        for event in self._derived.events.values():
            if event.source is EventSource.AUTO:
                event.detected_s = max(event.detected_s, event.time_s)

    # ----------------------------------------------------------------- metrics
    def metrics(self, now_s: float | None = None) -> RoastMetrics:
        """Return live metrics; ``now_s`` (session clock) defaults to the newest sample."""
        derived = self._derived
        events = derived.events
        charge = events.get(RoastEventType.CHARGE)
        if now_s is None:
            now_s = self._samples[-1].time_s if self._samples else None

        def since(event_type: RoastEventType) -> float | None:
            event = events.get(event_type)
            return (
                None if event is None or charge is None else round(event.time_s - charge.time_s, 3)
            )

        def temp(event_type: RoastEventType) -> float | None:
            event = events.get(event_type)
            return None if event is None or event.bean_c is None else round(event.bean_c, 2)

        elapsed = None if charge is None or now_s is None else now_s - charge.time_s
        drop_s = since(RoastEventType.DROP)
        fc_s = since(RoastEventType.FIRST_CRACK_START)
        phases = compute_phases(
            dry_end_s=since(RoastEventType.DRY_END),
            first_crack_s=fc_s,
            drop_s=drop_s,
            now_s=elapsed,
        )
        roast_elapsed = (
            None if elapsed is None else round(drop_s if drop_s is not None else elapsed, 3)
        )
        low = self.config.development_target_min_percent
        high = self.config.development_target_max_percent
        dtr = phases.development_percent
        bean_ror = derived.bean_ror.value
        env_ror = derived.env_ror.value
        return RoastMetrics(
            phase=phases.phase,
            roast_elapsed_s=roast_elapsed,
            roast_elapsed_display=format_mmss(roast_elapsed),
            rate_of_rise_c_per_min=None if bean_ror is None else round(bean_ror, 2),
            env_rate_of_rise_c_per_min=None if env_ror is None else round(env_ror, 2),
            charge_temp_c=temp(RoastEventType.CHARGE),
            turning_point_s=since(RoastEventType.TURNING_POINT),
            turning_point_temp_c=temp(RoastEventType.TURNING_POINT),
            dry_end_s=since(RoastEventType.DRY_END),
            first_crack_s=fc_s,
            first_crack_temp_c=temp(RoastEventType.FIRST_CRACK_START),
            first_crack_display=format_mmss(fc_s),
            drop_s=drop_s,
            drop_temp_c=temp(RoastEventType.DROP),
            drying_time_s=_round(phases.drying_s),
            maillard_time_s=_round(phases.maillard_s),
            development_time_s=_round(phases.development_s),
            drying_percent=phases.drying_percent,
            maillard_percent=phases.maillard_percent,
            development_time_percent=dtr,
            development_target_percent=(low, high),
            development_target_reached=None if dtr is None else dtr >= low,
            total_duration_s=drop_s,
            auc_c_min=None
            if RoastEventType.TURNING_POINT not in events
            else round(derived.auc_c_s / 60.0, 1),
        )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


class NoSamplesError(InvalidCommandError):
    """The request needs at least one reading."""

    code = "no_samples"
