"""RoastTracker on synthetic curves: every rule, independent of the simulator's physics."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta

import pytest

from roastctl.config import TrackerConfig
from roastctl.errors import BeansNotAddedError, InvalidCommandError
from roastctl.models import EventSource, RoastEventType, RoastPhase, SensorReading
from roastctl.roast.tracker import RoastTracker
from support import START


def reading(t: float, bt: float, et: float | None = None, *, door: bool = False) -> SensorReading:
    return SensorReading(
        timestamp=START + timedelta(seconds=t),
        monotonic_s=t,
        bean_temp_c=bt,
        env_temp_c=et if et is not None else bt + 20,
        heat_percent=80,
        fan_percent=20,
        drum_on=True,
        door_open=door,
        cooling_on=False,
    )


def roast_curve(t: float) -> float:
    """BT of a drum roast with CHARGE at t=100 s: a dip to 90 deg C at 160 s, then a rise."""
    if t <= 100:
        return 150 + 0.2 * t  # preheat, rising to 170
    if t <= 160:
        return 170 - 80 * (t - 100) / 60  # the charge fall
    return 90 + 0.3 * (t - 160) - 0.00008 * (t - 160) ** 2


def feed(
    tracker: RoastTracker,
    until: float,
    curve: Callable[[float], float] = roast_curve,
    step: float = 1.0,
    start: float = 0.0,
) -> None:
    t = start
    while t <= until:
        tracker.update(reading(t, curve(t)))
        t += step


def test_charge_tp_dry_end_on_a_synthetic_roast() -> None:
    tracker = RoastTracker()
    feed(tracker, 700)
    charge = tracker.event(RoastEventType.CHARGE)
    assert charge is not None
    assert charge.monotonic_s == pytest.approx(100, abs=1)
    assert charge.source is EventSource.AUTO
    assert charge.detected_monotonic_s > charge.monotonic_s  # back-dated, and says so
    tp = tracker.event(RoastEventType.TURNING_POINT)
    assert tp is not None
    assert tp.elapsed_s == pytest.approx(60, abs=1)
    dry = tracker.event(RoastEventType.DRY_END)
    assert dry is not None
    assert dry.bean_temp_c is not None
    assert 150 <= dry.bean_temp_c < 151
    metrics = tracker.metrics()
    assert metrics.phase is RoastPhase.MAILLARD
    assert metrics.auc_c_min is not None
    assert metrics.auc_c_min > 0


@pytest.mark.parametrize("step", [0.5, 1.0, 2.0, 3.0])
def test_detection_does_not_depend_on_the_sampling_interval(step: float) -> None:
    tracker = RoastTracker()
    feed(tracker, 400, step=step)
    charge = tracker.event(RoastEventType.CHARGE)
    assert charge is not None
    assert charge.monotonic_s == pytest.approx(100, abs=step)
    metrics = tracker.metrics()
    assert metrics.turning_point_s == pytest.approx(60, abs=step + 0.5)
    # RoR at t=400 is the curve's slope 15 s earlier (half the 30 s span): same at any interval.
    true_slope = (0.3 - 2 * 0.00008 * (400 - 15 - 160)) * 60
    assert metrics.rate_of_rise_c_per_min == pytest.approx(true_slope, abs=0.2)


def test_no_charge_in_a_preheat_cool_down() -> None:
    """Heat off, fan up at 200 deg C: BT falls 15 deg C/min for minutes. That is not a charge."""
    tracker = RoastTracker()
    feed(tracker, 600, curve=lambda t: 200 - 0.25 * t if t < 400 else 100 + 0.3 * (t - 400))
    assert not tracker.charged


def test_no_charge_from_a_single_glitch() -> None:
    tracker = RoastTracker()
    feed(tracker, 300, curve=lambda t: 180 - 60 * (t == 120))  # one bad sample
    assert not tracker.charged


def test_no_charge_below_the_minimum_temperature() -> None:
    tracker = RoastTracker()
    feed(tracker, 300, curve=lambda t: 70 if t < 100 else 40)  # a cold drum: nothing to charge
    assert not tracker.charged


def test_ror_restarts_at_charge() -> None:
    tracker = RoastTracker(TrackerConfig(ror_span_s=30))
    feed(tracker, 99)
    assert tracker.metrics().rate_of_rise_c_per_min == pytest.approx(12.0, abs=0.01)  # 0.2 deg/s
    feed(tracker, 115, start=100)
    ror = tracker.metrics().rate_of_rise_c_per_min
    # Only post-charge samples: the fall rate itself, not a blend with the preheat rise.
    assert ror == pytest.approx(-80.0, abs=0.5)


def test_door_opening_is_drop() -> None:
    tracker = RoastTracker()
    feed(tracker, 600)
    tracker.update(reading(601, roast_curve(601), door=True))
    drop = tracker.event(RoastEventType.DROP)
    assert drop is not None
    assert drop.monotonic_s == 601
    assert drop.source is EventSource.AUTO
    metrics = tracker.metrics(now_s=900)
    assert metrics.phase is RoastPhase.DROPPED
    assert metrics.roast_elapsed_s == pytest.approx(501, abs=1)  # stops at DROP
    assert metrics.total_duration_s == metrics.roast_elapsed_s


def test_auto_drop_can_be_switched_off() -> None:
    tracker = RoastTracker(TrackerConfig(auto_drop=False))
    feed(tracker, 600)
    tracker.update(reading(601, roast_curve(601), door=True))
    assert not tracker.dropped


def test_bt_fall_is_drop_only_late_in_the_roast() -> None:
    def curve(t: float) -> float:
        base = roast_curve(t)
        return base if t < 700 else base - 1.0 * (t - 700)  # beans leave: BT falls 60 deg C/min

    tracker = RoastTracker()
    feed(tracker, 760, curve=curve)
    drop = tracker.event(RoastEventType.DROP)
    assert drop is not None
    assert drop.monotonic_s == pytest.approx(700, abs=2)


def test_manual_marks_win_and_backdate() -> None:
    tracker = RoastTracker()
    feed(tracker, 700)
    auto_charge = tracker.event(RoastEventType.CHARGE)
    assert auto_charge is not None
    charge = tracker.mark_event(RoastEventType.CHARGE, time_s=102)
    assert charge.source is EventSource.MANUAL
    assert charge.monotonic_s == 102
    # Everything derived is recomputed from the new origin.
    tp = tracker.event(RoastEventType.TURNING_POINT)
    assert tp is not None
    assert tp.elapsed_s == pytest.approx(58, abs=1)
    fc = tracker.mark_event(RoastEventType.FIRST_CRACK_START, time_s=650)
    assert fc.bean_temp_c == pytest.approx(roast_curve(650), abs=0.01)
    assert fc.elapsed_s == pytest.approx(548)
    # DRY END detection does not fire after FCs, and later samples do not undo the marks.
    feed(tracker, 720, start=701)
    assert tracker.event(RoastEventType.CHARGE) == charge
    assert tracker.event(RoastEventType.FIRST_CRACK_START) == fc


def test_marks_before_charge_or_in_the_future_are_refused() -> None:
    tracker = RoastTracker()
    with pytest.raises(InvalidCommandError, match="no reading"):
        tracker.mark_event(RoastEventType.CHARGE)
    feed(tracker, 50)
    with pytest.raises(BeansNotAddedError):
        tracker.mark_event(RoastEventType.FIRST_CRACK_START)
    feed(tracker, 300, start=51)
    with pytest.raises(InvalidCommandError, match="future"):
        tracker.mark_event(RoastEventType.DROP, time_s=400)
    with pytest.raises(InvalidCommandError, match="before CHARGE"):
        tracker.mark_event(RoastEventType.DRY_END, time_s=50)
    assert [e.type for e in tracker.events()] == [
        RoastEventType.CHARGE,
        RoastEventType.TURNING_POINT,
    ]


def test_reset_forgets_the_roast() -> None:
    tracker = RoastTracker()
    feed(tracker, 400)
    tracker.reset()
    assert tracker.events() == ()
    assert tracker.sample_count == 0
    assert tracker.metrics().phase is RoastPhase.NOT_CHARGED
    feed(tracker, 400)  # the next roast is detected again
    assert tracker.charged


def test_pre_charge_history_is_bounded_but_the_roast_is_kept() -> None:
    tracker = RoastTracker()
    feed(tracker, 7200, curve=lambda t: 150.0, step=1.0)  # two hours idling hot
    assert tracker.sample_count <= 1800 * 1.5 + 2
    assert len(tracker._derived.bean_ror_at) == tracker.sample_count  # per-sample RoR trimmed too
    feed(
        tracker,
        7200 + 1500,
        curve=lambda t: roast_curve(t - 7200 + 100) if t >= 7200 else 150,
        start=7201,
    )
    assert tracker.charged
    charge = tracker.event(RoastEventType.CHARGE)
    assert charge is not None
    count_after_charge = sum(1 for _ in range(int(charge.monotonic_s), 7200 + 1501))
    assert tracker.sample_count >= count_after_charge


def test_repeated_readings_are_ignored() -> None:
    tracker = RoastTracker()
    tracker.update(reading(10, 100))
    tracker.update(reading(10, 150))
    tracker.update(reading(9, 150))
    assert tracker.sample_count == 1


def test_live_dtr_and_development_target() -> None:
    tracker = RoastTracker()
    feed(tracker, 700)
    tracker.mark_event(RoastEventType.FIRST_CRACK_START, time_s=600)
    metrics = tracker.metrics(now_s=700)
    assert metrics.phase is RoastPhase.DEVELOPMENT
    assert metrics.development_time_s == pytest.approx(100)
    assert metrics.development_time_percent == pytest.approx(100 / 600 * 100, abs=0.05)
    assert metrics.development_target_reached is True
    assert metrics.first_crack_display == "08:20"


def test_curve_points_match_live_ror_and_thin_evenly() -> None:
    tracker = RoastTracker()
    live: list[float | None] = []
    t = 0.0
    while t <= 400:
        tracker.update(reading(t, roast_curve(t)))
        live.append(tracker.metrics().rate_of_rise_c_per_min)
        t += 1.0
    curve = tracker.curve()
    assert len(curve) == 401
    assert curve[0].time_s == pytest.approx(-100, abs=1)  # seconds since CHARGE
    charge_at = next(k for k, p in enumerate(curve) if p.time_s >= 0)
    # After CHARGE the stored RoR is the live RoR, sample by sample (the window restarts there).
    assert [p.bean_ror_c_per_min for p in curve[charge_at + 20 :]] == live[charge_at + 20 :]
    tail = tracker.curve(last_n=10)
    assert [p.time_s for p in tail] == [p.time_s for p in curve[-10:]]
    since = tracker.curve(since_s=250)
    assert since[0].time_s == pytest.approx(250, abs=1)
    assert since[-1] == curve[-1]
    thin = tracker.curve(max_points=50)
    assert len(thin) == 50
    assert thin[0] == curve[0]
    assert thin[-1] == curve[-1]
    gaps = [b.time_s - a.time_s for a, b in itertools.pairwise(thin)]
    assert max(gaps) - min(gaps) <= 1.0
