"""Tests for roastctl.lab.ror_quality: the noise and lag definitions, and their data."""

from __future__ import annotations

import math

import pytest

from roastctl.config import TrackerConfig
from roastctl.lab.ror_quality import (
    STRETCH_AFTER_TP_S,
    EstimatorFactory,
    LogCase,
    SimulatorCase,
    alignment_lag,
    derivative_per_minute,
    log_series,
    noise,
    run,
    simulate_roast,
    step_lag,
    turning_point_s,
    zero_phase_reference,
)
from roastctl.logs.load import load_recorded_roast
from roastctl.logs.record import RecordedRoast
from roastctl.models import RoastEventType
from roastctl.roast.ror import ArtisanRateOfRise, RateOfRise
from support import roast_file


def default_method() -> RateOfRise:
    config = TrackerConfig()
    return RateOfRise(config.ror_span_s, config.ror_method)


ARTISAN: EstimatorFactory = ArtisanRateOfRise
DEFAULT: EstimatorFactory = default_method

# --- noise --------------------------------------------------------------------------------------


def test_noise_of_a_single_bump() -> None:
    times = [float(t) for t in range(7)]
    ror: list[float | None] = [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    # Second differences at samples 1..5: 0, 1, -2, 1, 0.
    assert noise(times, ror, 0.0, 6.0) == pytest.approx(math.sqrt(6 / 5))
    # Only samples whose two neighbours lie inside [1, 5] count: samples 2, 3 and 4.
    assert noise(times, ror, 1.0, 5.0) == pytest.approx(math.sqrt(6 / 3))


def test_noise_of_a_straight_line_is_zero_and_of_alternation_four_times_the_amplitude() -> None:
    times = [float(t) for t in range(50)]
    assert noise(times, [3.0 + 0.7 * t for t in times], 0.0, 49.0) == pytest.approx(0.0, abs=1e-12)
    alternating: list[float | None] = [10.0 + 0.25 * (-1) ** k for k in range(50)]
    assert noise(times, alternating, 0.0, 49.0) == pytest.approx(1.0)


def test_noise_skips_missing_values_and_is_none_without_a_triple() -> None:
    times = [0.0, 1.0, 2.0, 3.0, 4.0]
    assert noise(times, [None, 0.0, 5.0, 0.0, None], 0.0, 4.0) == pytest.approx(10.0)
    assert noise(times, [None, 0.0, None, 0.0, None], 0.0, 4.0) is None
    assert noise(times, [0.0] * 5, 1.5, 2.5) is None


# --- lags ---------------------------------------------------------------------------------------


def smooth_wave(t: float) -> float:
    return 10.0 - 0.01 * t + 2.0 * math.sin(t / 40.0) + 0.7 * math.sin(t / 13.0)


def test_alignment_lag_finds_a_known_delay() -> None:
    times = [float(t) for t in range(600)]
    reference: list[float | None] = [smooth_wave(t) for t in times]
    delayed: list[float | None] = [smooth_wave(t - 7.3) for t in times]
    found = alignment_lag(times, delayed, times, reference, 100.0, 500.0)
    assert found is not None
    lag, misfit = found
    assert lag == pytest.approx(7.3, abs=0.05)
    assert misfit < 0.01
    early: list[float | None] = [smooth_wave(t + 2.0) for t in times]
    found = alignment_lag(times, early, times, reference, 100.0, 500.0)
    assert found is not None
    assert found[0] == pytest.approx(-2.0, abs=0.05)


def test_alignment_lag_needs_an_overlap() -> None:
    times = [float(t) for t in range(100)]
    values: list[float | None] = [1.0] * 100
    assert alignment_lag(times, values, times, [None] * 100, 10.0, 90.0) is None


def rise(t: float, start: float) -> float:
    return 0.0 if t <= start else -4.0 * (1.0 - math.exp(-(t - start) / 40.0))


def test_step_lag_of_a_delayed_response() -> None:
    fine = [k * 0.1 for k in range(6000)]
    truth: list[float | None] = [rise(t, 300.0) for t in fine]
    times = [float(t) for t in range(600)]
    delayed: list[float | None] = [rise(t, 306.0) for t in times]
    assert step_lag(times, delayed, fine, truth, 300.0) == pytest.approx(6.0, abs=0.05)
    # A response that never gets half-way has no lag.
    weak: list[float | None] = [0.2 * v if v is not None else None for v in delayed]
    assert step_lag(times, weak, fine, truth, 300.0) is None


def test_zero_phase_reference_has_no_delay() -> None:
    times = [float(t) for t in range(300)]
    temps = [100.0 + 0.2 * t + 0.001 * t * t for t in times]
    reference = zero_phase_reference(times, temps)
    for t in (30, 150, 270):
        assert reference[t] == pytest.approx((0.2 + 0.002 * t) * 60.0, abs=1e-9)
    assert reference[0] is None  # the window must be covered on both sides
    assert reference[-1] is None


def test_derivative_and_turning_point() -> None:
    times = [0.5 * k for k in range(400)]
    temps = [150.0 - 2.0 * t + 0.02 * t * t for t in times]  # lowest at t = 50
    derivative = derivative_per_minute(times, temps)
    assert derivative[0] is None
    assert derivative[-1] is None
    assert derivative[100] == pytest.approx((-2.0 + 0.04 * 50.0) * 60.0, abs=1e-9)
    assert turning_point_s(times, temps) == pytest.approx(50.0)
    assert turning_point_s(times, temps, charge_s=60.0) == pytest.approx(60.0)


def test_run_feeds_a_fresh_estimator_each_time() -> None:
    times = [0.0, 1.0, 2.0]
    assert run(DEFAULT, times, [0.0, 1.0, 2.0]) == run(DEFAULT, times, [0.0, 1.0, 2.0])
    assert run(DEFAULT, times, [0.0, 1.0, 2.0])[0] is None


# --- real logs ----------------------------------------------------------------------------------


def recorded(marks: dict[RoastEventType, int]) -> RecordedRoast:
    times = [float(t) for t in range(0, 900, 2)]
    bean: list[float | None] = [
        200.0 if t < 20 else 80.0 + 0.15 * (t - 80) + 0.0002 * (t - 80) ** 2 for t in times
    ]
    bean[50] = None
    return RecordedRoast(times=times, bean_temps=bean, env_temps=[None] * len(times), marks=marks)


def test_log_series_from_charge_to_first_crack_or_before_drop() -> None:
    charge = RoastEventType.CHARGE
    series = log_series(recorded({charge: 10, RoastEventType.FIRST_CRACK_START: 300}))
    assert series is not None
    assert series.times[0] == 0.0  # seconds since CHARGE (t = 20)
    assert len(series.times) == 450 - 10 - 1  # the missing reading is left out
    assert series.end_s == pytest.approx(600.0 - 20.0)
    tp = turning_point_s(series.times, series.temps)
    assert series.start_s == pytest.approx((tp or 0.0) + STRETCH_AFTER_TP_S)
    assert series.interval_s == pytest.approx(2.0)
    from_drop = log_series(recorded({charge: 10, RoastEventType.DROP: 400}))
    assert from_drop is not None
    assert from_drop.end_s == pytest.approx(800.0 - 20.0 - 90.0)
    assert log_series(recorded({charge: 10})) is None


@pytest.mark.parametrize(
    "prefix",
    ["hottop__hamade__Twigfoot", "hottop__hamade__Belfalas", "hottop__hamade__JacobTaylor"],
)
def test_default_beats_artisan_on_real_logs_sampled_every_second(prefix: str) -> None:
    series = log_series(load_recorded_roast(roast_file(prefix)))
    assert series is not None
    assert series.interval_s == pytest.approx(1.0, abs=0.05)
    case = LogCase(series)
    ours, theirs = case.quality(DEFAULT), case.quality(ARTISAN)
    assert ours.noise is not None
    assert theirs.noise is not None
    assert ours.lag_s is not None
    assert theirs.lag_s is not None
    assert ours.noise < 0.7 * theirs.noise
    assert ours.lag_s <= theirs.lag_s


# --- the simulator ------------------------------------------------------------------------------


def test_simulated_roast_is_deterministic_and_in_whole_degrees() -> None:
    first = simulate_roast(step_s=None, until_s=200.0)
    second = simulate_roast(step_s=None, until_s=200.0)
    assert first.readings == second.readings
    assert all(r == round(r) for r in first.readings)
    assert any(p != round(p) for p in first.probe)
    assert first.times[-1] == pytest.approx(200.0)
    noisy = simulate_roast(step_s=None, until_s=200.0, noise_c=0.3, whole_degrees=False)
    assert noisy.readings != first.readings


def test_heat_step_slows_the_roast() -> None:
    stepped = simulate_roast(until_s=400.0)
    steady = simulate_roast(step_s=None, until_s=400.0)
    assert stepped.readings[:3000] == steady.readings[:3000]  # identical up to the step
    assert stepped.probe[-1] < steady.probe[-1] - 2.0


@pytest.fixture(scope="module", params=[(1.0, 0.0), (2.0, 0.0), (1.0, 0.3), (2.0, 0.3)])
def sim_case(request: pytest.FixtureRequest) -> SimulatorCase:
    interval, probe_noise = request.param
    return SimulatorCase(interval, noise_c=probe_noise)


def test_default_beats_artisan_on_the_simulator(sim_case: SimulatorCase) -> None:
    ours, theirs = sim_case.quality(DEFAULT), sim_case.quality(ARTISAN)
    assert ours.noise is not None
    assert theirs.noise is not None
    assert ours.lag_s is not None
    assert theirs.lag_s is not None
    assert ours.noise < theirs.noise
    assert ours.lag_s <= theirs.lag_s


def test_simulator_lag_matches_the_methods_design() -> None:
    case = SimulatorCase(1.0)
    # A least-squares line over 30 s is half a span late; smooth at 30 s 3/8 of it.
    least_squares = case.step_lag(lambda: RateOfRise(30.0, "least_squares"))
    smooth = case.step_lag(lambda: RateOfRise(30.0, "smooth"))
    assert least_squares == pytest.approx(15.0, abs=0.3)
    assert smooth == pytest.approx(11.25, abs=0.3)


def test_simulator_case_needs_a_whole_number_of_steps() -> None:
    with pytest.raises(ValueError, match="multiple"):
        SimulatorCase(0.25)
