"""Tests for the ``smooth`` RoR and the Artisan reference pipeline in roastctl.roast.ror."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from itertools import accumulate

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roastctl.lab.ror_quality import noise
from roastctl.roast.ror import (
    SMOOTH_LAG_FRACTION,
    ArtisanRateOfRise,
    RateOfRise,
    ror_series,
    smooth_slope_per_minute,
    smooth_weights,
)


def quadratic(
    c0: float, c1: float, c2: float
) -> tuple[Callable[[float], float], Callable[[float], float]]:
    """A curve and its slope in deg/min."""

    def curve(t: float) -> float:
        return c0 + c1 * t + c2 * t * t

    def slope(t: float) -> float:
        return (c1 + 2 * c2 * t) * 60.0

    return curve, slope


gaps = st.lists(st.floats(min_value=0.2, max_value=3.0), min_size=3, max_size=60)


# --- smooth_weights -----------------------------------------------------------------------------


@settings(max_examples=80)
@given(gaps, st.floats(min_value=0.5, max_value=1.0))
def test_smooth_weights_meet_their_three_conditions(spacing: list[float], share: float) -> None:
    times = list(accumulate(spacing, initial=0.0))
    ages = [times[-1] - t for t in times]
    lag = share * ages[0] / 2
    weights = smooth_weights(ages, lag)
    assert weights is not None
    assert sum(weights) == pytest.approx(0.0, abs=1e-6)
    assert sum(w * a for w, a in zip(weights, ages, strict=True)) == pytest.approx(-60.0, rel=1e-6)
    second = sum(w * a * a for w, a in zip(weights, ages, strict=True))
    assert second == pytest.approx(-120.0 * lag, rel=1e-6)


def _roughness(weights: list[float]) -> float:
    padded = [0.0, *weights, 0.0]
    return sum(
        (padded[i - 1] - 2 * padded[i] + padded[i + 1]) ** 2 for i in range(1, len(padded) - 1)
    )


def _without(vector: list[float], basis: list[list[float]]) -> list[float]:
    """``vector`` minus its projection on the span of ``basis`` (Gram-Schmidt)."""
    orthonormal: list[list[float]] = []
    for b in basis:
        v = list(b)
        for q in orthonormal:
            dot = sum(x * y for x, y in zip(v, q, strict=True))
            v = [x - dot * y for x, y in zip(v, q, strict=True)]
        norm = math.sqrt(sum(x * x for x in v))
        orthonormal.append([x / norm for x in v])
    out = list(vector)
    for q in orthonormal:
        dot = sum(x * y for x, y in zip(out, q, strict=True))
        out = [x - dot * y for x, y in zip(out, q, strict=True)]
    return out


def test_smooth_weights_are_the_smoothest_that_meet_the_conditions() -> None:
    rng = random.Random(7)
    ages = [30.0 - k * 1.0 - rng.uniform(0.0, 0.3) * (0 < k < 30) for k in range(31)]
    weights = smooth_weights(ages, 11.25)
    assert weights is not None
    base = _roughness(weights)
    constraints = [[1.0] * len(ages), ages, [a * a for a in ages]]
    for _ in range(20):
        # Any change that keeps all three conditions makes the weights rougher.
        change = _without([rng.gauss(0.0, 1.0) for _ in ages], constraints)
        scale = 0.01 * max(abs(w) for w in weights) / max(abs(c) for c in change)
        for sign in (1.0, -1.0):
            other = [w + sign * scale * c for w, c in zip(weights, change, strict=True)]
            assert _roughness(other) > base


@pytest.mark.parametrize("ages", [[], [0.0], [1.0, 0.0], [2.0, 2.0, 2.0]])
def test_smooth_weights_need_three_samples_at_distinct_times(ages: list[float]) -> None:
    assert smooth_weights(ages, 1.0) is None


# --- smooth: exactness, lag, start-up -------------------------------------------------------


@pytest.mark.parametrize("step", [0.5, 1.0, 2.0, 3.0])
def test_smooth_is_exact_on_a_quadratic_with_its_lag(step: float) -> None:
    curve, slope = quadratic(90.0, 0.3, -0.0002)
    ror = RateOfRise(30.0, "smooth")
    assert ror.lag_s == pytest.approx(30.0 * SMOOTH_LAG_FRACTION)
    assert ror.lag_s == pytest.approx(11.25)
    t = 0.0
    value: float | None = None
    while t <= 300.0:
        value = ror.update(t, curve(t))
        t += step
    assert value is not None
    assert value == pytest.approx(slope(300.0 - 11.25), abs=1e-6)
    # ...and not the slope at half the span back, as least squares gives.
    assert abs(value - slope(300.0 - 15.0)) > 0.02


@settings(max_examples=60)
@given(gaps, st.floats(min_value=-0.01, max_value=0.01), st.floats(min_value=-2.0, max_value=2.0))
def test_smooth_is_exact_on_quadratics_at_irregular_times(
    spacing: list[float], c2: float, c1: float
) -> None:
    times = list(accumulate(spacing, initial=100.0))
    temps = [50.0 + c1 * t + c2 * t * t for t in times]
    extent = times[-1] - times[0]
    lag = min(8.0, extent / 2)
    expected = (c1 + 2 * c2 * (times[-1] - lag)) * 60.0
    value = smooth_slope_per_minute(times, temps, 8.0)
    assert value == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_smooth_start_up_caps_the_lag_at_half_the_samples_span() -> None:
    curve, slope = quadratic(100.0, 0.5, 0.001)
    ror = RateOfRise(30.0, "smooth")
    for t in range(6):  # five seconds of samples: lag capped at 2.5 s, not 11.25 s
        value = ror.update(float(t), curve(float(t)))
    assert value == pytest.approx(slope(5.0 - 2.5), abs=1e-9)


def test_smooth_with_two_samples_is_the_two_point_slope() -> None:
    assert smooth_slope_per_minute([0.0, 2.0], [100.0, 101.0], 11.0) == pytest.approx(30.0)


def test_smooth_lag_can_be_chosen_and_is_checked() -> None:
    curve, slope = quadratic(100.0, 0.5, 0.001)
    ror = RateOfRise(30.0, "smooth", lag_s=5.0)
    for t in range(100):
        value = ror.update(float(t), curve(float(t)))
    assert value == pytest.approx(slope(99.0 - 5.0), abs=1e-9)
    for bad in (0.0, -1.0, 15.5):
        with pytest.raises(ValueError, match="lag"):
            RateOfRise(30.0, "smooth", lag_s=bad)


def test_smooth_step_in_slope_is_followed_smoothly_and_settles() -> None:
    # Flat, then 1 deg/min from t = 100 s: the RoR goes from 0 to 1 and stays there.
    ror = RateOfRise(30.0, "smooth")
    values: dict[int, float] = {}
    for t in range(200):
        temp = 0.0 if t < 100 else (t - 100) / 60.0
        value = ror.update(float(t), temp)
        assert value is not None or t == 0
        if value is not None:
            values[t] = value
    assert values[99] == pytest.approx(0.0, abs=1e-12)
    # Half-way about the lag after the change, and exactly 1 once the window is past it.
    half = next(t for t in range(100, 200) if values[t] >= 0.5)
    assert 100 + 10 <= half <= 100 + 13
    assert max(values.values()) < 1.05  # a small overshoot at most
    for t in range(131, 200):
        assert values[t] == pytest.approx(1.0, abs=1e-9)


def test_smooth_is_less_noisy_than_least_squares_and_artisan_on_a_quantised_ramp() -> None:
    times = [float(t) for t in range(900)]
    temps = [float(round(50.3 + 9.0 / 60.0 * t)) for t in times]

    def jitter(series: list[float | None]) -> float:
        value = noise(times, series, 60.0, 899.0)
        assert value is not None
        return value

    smooth = jitter(ror_series(times, temps, 30.0, "smooth"))
    least_squares = jitter(ror_series(times, temps, 30.0, "least_squares"))
    artisan = jitter(ror_series(times, temps, 20.0, "artisan"))
    assert smooth < 0.5 * least_squares
    assert smooth < 0.5 * artisan
    # The mean is still right: the quantisation averages out.
    mean = sum(v for v in ror_series(times, temps, 30.0, "smooth")[60:] if v is not None) / 840
    assert mean == pytest.approx(9.0, abs=0.1)


def test_smooth_gap_longer_than_the_span_restarts() -> None:
    ror = RateOfRise(10.0, "smooth")
    for t in range(5):
        ror.update(float(t), 100.0 + t)
    assert ror.update(50.0, 150.0) is None
    assert ror.update(51.0, 152.0) == pytest.approx(120.0)


# --- Artisan's pipeline -------------------------------------------------------------------------


def test_artisan_known_values_after_a_jump() -> None:
    # 1 s samples, span 4 s (4 samples back), a jump from 0 to 6 at t = 10.
    artisan = ArtisanRateOfRise(4.0, 1.0)
    values = [artisan.update(float(t), 0.0 if t < 10 else 6.0) for t in range(12)]
    assert values[0] is None
    assert values[9] == pytest.approx(0.0)
    # t = 10: smoothed T = (3*6 + 2*0 + 1*0) / 6 = 3; the older end (t = 4..8) is 0 at mean time
    # 6, so RoR = 3 / 4 s * 60 = 45; decay average with three earlier zeros: 4 * 45 / 10 = 18.
    assert values[10] == pytest.approx(18.0)
    # t = 11: T = (3*6 + 2*6 + 0) / 6 = 5, older end 0 at t = 7: 5 / 4 * 60 = 75;
    # (3 * 45 + 4 * 75) / 10 = 43.5.
    assert values[11] == pytest.approx(43.5)


@pytest.mark.parametrize("interval", [1.0, 2.0, 3.0])
def test_artisan_is_exact_on_a_ramp_after_its_start(interval: float) -> None:
    artisan = ArtisanRateOfRise(20.0)  # the interval is taken from the samples
    values = [artisan.update(k * interval, 80.0 + 0.25 * k * interval) for k in range(60)]
    # The first two smoothed temperatures reach before the first sample (the grid is clamped
    # there); once neither end nor the RoR average holds them, every value is exact.
    first_exact = round(20.0 / interval) + 2 + 2 + 3
    assert values[first_exact - 1] != pytest.approx(15.0, abs=1e-9)
    for value in values[first_exact:]:
        assert value == pytest.approx(15.0, abs=1e-9)


@settings(max_examples=40)
@given(st.lists(st.floats(min_value=1.0, max_value=3.0), min_size=60, max_size=80))
def test_artisan_is_exact_on_a_ramp_at_irregular_times(spacing: list[float]) -> None:
    times = list(accumulate(spacing, initial=0.0))
    artisan = ArtisanRateOfRise(20.0, 2.0)
    values = [artisan.update(t, 100.0 - 0.1 * t) for t in times]
    # Exact once neither the temperature grid (4 s), the older end (10 + 2 samples back) nor
    # the RoR average (3 more) reaches the start, where the grid is clamped to the first sample.
    checked = 0
    for t, value in zip(times, values, strict=True):
        if t > 4.0 + 15 * 3.0:
            assert value == pytest.approx(-6.0, abs=1e-9)
            checked += 1
    assert checked > 0


def test_artisan_counts_samples_not_seconds() -> None:
    # The same span covers 10 samples at 2 s: the lag is longer at 2 s than at 1 s.
    def lag(interval: float) -> float:
        artisan = ArtisanRateOfRise(20.0, interval)
        t = 0.0
        value: float | None = None
        while t <= 300:
            value = artisan.update(t, 0.001 * t * t)  # slope 0.12 t deg/min
            t += interval
        assert value is not None
        return (t - interval) - value / 0.12

    # Half the span, the temperature average's mean age (2/3 sample), the RoR average's (1
    # sample), and interval^2 / span from averaging the older end of a curving line.
    assert lag(1.0) == pytest.approx(10.0 + 2 / 3 + 1.0 + 1 / 20, abs=1e-6)
    assert lag(2.0) == pytest.approx(10.0 + 4 / 3 + 2.0 + 4 / 20, abs=1e-6)


def test_artisan_through_rate_of_rise_and_reset() -> None:
    times = [float(t) for t in range(40)]
    temps = [100.0 + (t * t) / 50 for t in times]
    direct = ArtisanRateOfRise(30.0)
    expected = [direct.update(t, y) for t, y in zip(times, temps, strict=True)]
    assert ror_series(times, temps, 30.0, "artisan") == expected
    ror = RateOfRise(30.0, "artisan")
    for t, y in zip(times, temps, strict=True):
        ror.update(t, y)
    ror.reset()
    assert ror.value is None
    assert ror.update(100.0, 50.0) is None
    assert ror.update(101.0, 51.0) is not None


def test_artisan_ignores_repeated_samples_and_checks_its_settings() -> None:
    artisan = ArtisanRateOfRise(20.0, 1.0)
    for t in range(30):
        artisan.update(float(t), float(t))
    value = artisan.value
    assert value == pytest.approx(60.0)
    assert artisan.update(29.0, 500.0) == value
    assert artisan.update(10.0, -500.0) == value
    with pytest.raises(ValueError, match="span"):
        ArtisanRateOfRise(0.0)
    with pytest.raises(ValueError, match="interval"):
        ArtisanRateOfRise(20.0, 0.0)
    with pytest.raises(ValueError, match="at least one"):
        ArtisanRateOfRise(20.0, ror_samples=0)


def test_artisan_older_end_never_takes_the_newest_sample() -> None:
    # Span equal to the interval: one sample back, no room for neighbours around it.
    artisan = ArtisanRateOfRise(1.0, 1.0, temp_samples=1, ror_samples=1)
    values = [artisan.update(float(t), float(t * t)) for t in range(6)]
    assert values[5] == pytest.approx((25 - 16) * 60.0)
    assert math.isfinite(values[1] or math.nan)
