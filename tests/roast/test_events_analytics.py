"""The offline event helpers and the detectors added for analysis: each rule on a small series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from roastctl.models import RoastEventType, SensorReading
from roastctl.roast.events import (
    CoolingControlDetector,
    FallRule,
    SharpFallDetector,
    TurningPointDetector,
    detect_heating_start,
    estimate_first_crack,
    find_dry_end,
    find_turning_point,
)
from roastctl.roast.tracker import RoastTracker

# A charge on whole-degree data: 180 at the charge, falling to an 85-degree plateau, then rising.
PLATEAU = [180.0, 150.0, 120.0, 95.0, 86.0, 85.0, 85.0, 85.0, 85.0, 86.0, 87.0, 88.0, 90.0]


def test_turning_point_is_the_last_sample_of_the_minimum_plateau() -> None:
    times = [float(10 * i) for i in range(len(PLATEAU))]
    assert find_turning_point(times, PLATEAU, 0) == 8
    # The search stops before ``end`` (FCs or DROP), as Artisan's does.
    assert find_turning_point(times, PLATEAU, 0, end=7) == 6


def test_turning_point_search_skips_missing_and_non_positive_readings() -> None:
    temps: list[float | None] = [100.0, None, -1.0, 90.0, 95.0]
    assert find_turning_point([0.0, 1.0, 2.0, 3.0, 4.0], temps, 0) == 3
    assert find_turning_point([0.0, 1.0], [None, None], 0) is None


def test_live_turning_point_matches_the_offline_search_on_a_plateau() -> None:
    detector = TurningPointDetector(charge_time_s=0.0)
    found = None
    for index, temp in enumerate(PLATEAU):
        found = detector.update(index, 10.0 * index, temp) or found
    assert found == (8, 85.0)


def test_turning_point_at_charge_when_bt_never_dips() -> None:
    detector = TurningPointDetector(charge_time_s=0.0)
    results = [detector.update(i, float(i), 90.0 + i) for i in range(30)]
    assert (0, 90.0) in results  # beans loaded cold: Artisan's TP is the CHARGE sample


def test_dry_end_is_the_latest_sample_closest_to_the_threshold() -> None:
    temps: list[float | None] = [80.0, 100.0, 149.0, 150.0, 150.0, 151.0, 170.0]
    assert find_dry_end(temps, 150.0, tp_index=0, end=7) == 4
    assert find_dry_end(temps, 150.0, tp_index=0, end=4) == 3
    assert find_dry_end([None, None], 150.0, tp_index=0, end=2) is None


def test_cooling_controls_back_date_to_the_heater_ramp() -> None:
    detector = CoolingControlDetector()
    controls = [(60, 20), (60, 20), (40, 47), (20, 73), (0, 100), (0, 100)]
    found = [detector.update(i, h, f) for i, (h, f) in enumerate(controls)]
    assert found == [None, None, None, None, 2, None]


def test_cooling_controls_with_the_heater_already_off_use_the_fan_step() -> None:
    detector = CoolingControlDetector()
    controls = [(0, 0)] * 5 + [(0, 100)] * 3
    found = [detector.update(i, h, f) for i, (h, f) in enumerate(controls)]
    assert found.index(5) == 5


def test_a_heater_adjustment_before_a_pause_is_not_part_of_the_drop() -> None:
    detector = CoolingControlDetector()
    controls = [(70, 30), (66, 30), (60, 30), (60, 30), (60, 30), (40, 53), (20, 77), (0, 100)]
    found = [detector.update(i, h, f) for i, (h, f) in enumerate(controls)]
    assert found[-1] == 5


def test_fan_up_with_the_heater_on_is_not_a_drop() -> None:
    detector = CoolingControlDetector()
    assert all(detector.update(i, 50, 100) is None for i in range(10))


def test_a_charge_at_the_start_of_the_recording_goes_on_the_first_sample() -> None:
    # The probe holds 188 for 3 s, then falls: the recording began with the charge.
    temps = [188.0] * 7 + [187.9 - 1.5 * k * k for k in range(12)]
    times = [0.5 * i for i in range(len(temps))]
    late = SharpFallDetector(FallRule(start_slack_s=5.0))
    plain = SharpFallDetector(FallRule())
    late_found = [late.update(i, t, y) for i, (t, y) in enumerate(zip(times, temps, strict=True))]
    plain_found = [plain.update(i, t, y) for i, (t, y) in enumerate(zip(times, temps, strict=True))]
    assert next(f for f in late_found if f is not None) == 0
    assert next(f for f in plain_found if f is not None) > 5


def test_heating_start_is_the_last_flat_sample_before_a_sustained_rise() -> None:
    temps: list[float | None] = [22.0, 22.1, 22.0, 22.2, 23.5, 26.0, 30.0, 36.0, 44.0, 52.0]
    times = [10.0 * i for i in range(len(temps))]
    assert detect_heating_start(times, temps) == 3
    assert detect_heating_start(times, [22.0] * 10) is None


def test_first_crack_estimate_is_the_first_crossing_after_the_start() -> None:
    temps: list[float | None] = [190.0, 90.0, 150.0, 184.9, 185.0, 186.0]
    assert estimate_first_crack(temps, 1, 185.0) == 4
    assert estimate_first_crack(temps, 1, 185.0, end=4) is None
    assert estimate_first_crack(temps, 0, 185.0) == 0  # before TP the charge BT counts


@pytest.mark.parametrize("step", [1.0, 2.0])
def test_cooling_control_ramps_do_not_depend_on_their_length(step: float) -> None:
    detector = CoolingControlDetector()
    heat = [60.0, 60.0]
    level = 60.0
    while level > 0:
        level = max(0.0, level - 60.0 / (3 * step))
        heat.append(level)
    found = [detector.update(i, h, 100.0 if h == 0 else 20.0) for i, h in enumerate(heat)]
    assert next(f for f in found if f is not None) == 2


def _et_fall_roast(tracker: RoastTracker) -> RoastTracker:
    """A roast whose BT keeps rising after the drop while ET falls 30 C in 10 s (a Bullet)."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for t in range(0, 700):
        if t < 100:
            bt, et = 150.0 + 0.2 * t, 200.0
        elif t < 160:
            bt, et = 170.0 - 80.0 * (t - 100) / 60.0, 200.0
        else:
            bt, et = 90.0 + 0.25 * (t - 160), 230.0
        if t >= 600:
            et = max(170.0, 230.0 - 3.0 * (t - 600))
        tracker.update(
            SensorReading(
                timestamp=start + timedelta(seconds=t),
                monotonic_s=float(t),
                bean_temp_c=bt,
                env_temp_c=et,
                heat_percent=0,
                fan_percent=0,
                drum_on=True,
                door_open=False,
                cooling_on=False,
            )
        )
    return tracker


def test_an_et_fall_is_a_drop_only_where_asked() -> None:
    live = _et_fall_roast(RoastTracker())
    assert live.event(RoastEventType.DROP) is None  # live: the door bit is the drop
    logged = _et_fall_roast(RoastTracker(drop_on_env_fall=True))
    drop = logged.event(RoastEventType.DROP)
    assert drop is not None
    assert drop.monotonic_s == pytest.approx(600.0, abs=1.0)
