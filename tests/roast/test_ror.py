"""Tests for roastctl.roast.ror: rate of rise on a time-based window."""

from __future__ import annotations

import math
from itertools import accumulate

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roastctl.config import TrackerConfig
from roastctl.roast.ror import (
    RateOfRise,
    RorMethod,
    WindowMethod,
    ror_series,
    slope_per_minute,
    smooth_slope_per_minute,
)

#: The methods that are a plain function of the samples in the window.
METHODS: tuple[WindowMethod, ...] = ("least_squares", "two_point")
#: The time-window methods the live estimator offers.
LIVE_METHODS: tuple[RorMethod, ...] = ("smooth", "least_squares", "two_point")


def bean_temp(t: float) -> float:
    """A smooth BT-like curve: fast rise that flattens, with a gentle wobble."""
    return 210.0 - 130.0 * math.exp(-t / 280.0) + 3.0 * math.sin(t / 90.0)


def grid(step: float, end: float) -> list[float]:
    return [i * step for i in range(round(end / step) + 1)]


# --- slope_per_minute ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_exact_ramp_slope(method: WindowMethod) -> None:
    times = [0.0, 1.0, 2.0, 3.0, 4.0]
    temps = [100.0 + 2.0 * t for t in times]  # 2 deg/s
    assert slope_per_minute(times, temps, method) == pytest.approx(120.0, abs=1e-9)


@pytest.mark.parametrize("method", METHODS)
def test_falling_ramp_gives_negative_slope(method: WindowMethod) -> None:
    times = [10.0, 12.5, 15.0]
    temps = [200.0 - 0.5 * (t - 10.0) for t in times]
    assert slope_per_minute(times, temps, method) == pytest.approx(-30.0, abs=1e-9)


def test_window_slope_defaults_to_least_squares() -> None:
    times = [0.0, 1.0, 2.0, 3.0]
    temps = [0.0, 0.0, 6.0, 6.0]
    # LS: sxy / sxx = 12 / 5 = 2.4 deg/s; two point: 6 / 3 = 2 deg/s.
    assert slope_per_minute(times, temps) == pytest.approx(144.0)
    assert slope_per_minute(times, temps, "two_point") == pytest.approx(120.0)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("times", "temps"),
    [
        ([], []),
        ([5.0], [100.0]),
        ([5.0, 5.0], [100.0, 110.0]),
        ([5.0, 5.0, 5.0], [100.0, 110.0, 120.0]),
        ([1.0, 2.0], [100.0]),  # mismatched lengths
    ],
)
def test_slope_undefined(method: WindowMethod, times: list[float], temps: list[float]) -> None:
    assert slope_per_minute(times, temps, method) is None


@pytest.mark.parametrize(
    ("times", "temps"),
    [([], []), ([5.0], [100.0]), ([5.0, 5.0], [100.0, 110.0]), ([1.0, 2.0], [100.0])],
)
def test_smooth_slope_undefined(times: list[float], temps: list[float]) -> None:
    assert smooth_slope_per_minute(times, temps, 5.0) is None


def test_live_default_is_smooth_as_in_the_config() -> None:
    assert RateOfRise(30.0).method == "smooth"
    assert TrackerConfig().ror_method == "smooth"
    assert TrackerConfig().ror_span_s == 30.0


ramp_params = st.tuples(
    st.floats(min_value=-5.0, max_value=5.0),  # slope, deg/s
    st.floats(min_value=0.0, max_value=300.0),  # offset, deg
    st.floats(min_value=0.0, max_value=1000.0),  # first time, s
    st.lists(st.floats(min_value=0.05, max_value=4.0), min_size=1, max_size=40),  # spacing
)


@settings(max_examples=60)
@given(ramp_params, st.floats(min_value=5.0, max_value=120.0), st.sampled_from(LIVE_METHODS))
def test_exact_linear_ramp_at_random_spacing(
    params: tuple[float, float, float, list[float]], span: float, method: RorMethod
) -> None:
    slope, offset, start, gaps = params
    times = list(accumulate(gaps, initial=start))
    temps = [offset + slope * (t - start) for t in times]
    expected = slope * 60.0
    if method != "smooth":
        window = slope_per_minute(
            times, temps, "two_point" if method == "two_point" else "least_squares"
        )
        assert window == pytest.approx(expected, rel=1e-6, abs=1e-6)
    ror = RateOfRise(span, method)
    assert ror.update(times[0], temps[0]) is None
    for t, y in zip(times[1:], temps[1:], strict=True):
        value = ror.update(t, y)
        # Gaps are shorter than the span, so the window always holds two samples.
        assert value is not None
        assert value == pytest.approx(expected, rel=1e-6, abs=1e-6)


# --- RateOfRise ---------------------------------------------------------------------------------


@pytest.mark.parametrize("span", [0, -1.0])
def test_span_must_be_positive(span: float) -> None:
    with pytest.raises(ValueError, match="span"):
        RateOfRise(span)


@pytest.mark.parametrize("method", LIVE_METHODS)
def test_defined_from_the_second_sample(method: RorMethod) -> None:
    ror = RateOfRise(30.0, method)
    assert ror.value is None
    assert ror.update(0.0, 100.0) is None
    assert ror.value is None
    assert ror.update(1.0, 101.0) == pytest.approx(60.0)
    assert ror.value == pytest.approx(60.0)


def test_repeated_and_out_of_order_samples_are_ignored() -> None:
    ror = RateOfRise(30.0)
    ror.update(0.0, 100.0)
    first = ror.update(2.0, 102.0)
    assert first == pytest.approx(60.0)
    # A repeated time with a wild value, and an older time: neither changes anything.
    assert ror.update(2.0, 500.0) == first
    assert ror.update(1.0, -500.0) == first
    # The next real sample continues the ramp as if the ignored ones never came.
    assert ror.update(4.0, 104.0) == pytest.approx(60.0, abs=1e-9)


def test_repeated_second_sample_keeps_value_undefined() -> None:
    ror = RateOfRise(30.0)
    ror.update(5.0, 100.0)
    assert ror.update(5.0, 120.0) is None
    assert ror.update(6.0, 101.0) == pytest.approx(60.0)


@pytest.mark.parametrize("method", LIVE_METHODS)
def test_window_is_time_based_and_a_step_ages_out(method: RorMethod) -> None:
    span = 30.0
    ror = RateOfRise(span, method)
    for t in range(0, 61):
        assert ror.update(float(t), 100.0) in (None, 0.0)
    # A step of +10 at t = 61, then flat.
    values = {t: ror.update(float(t), 110.0) for t in range(61, 100)}
    assert values[61] is not None
    assert values[61] != 0
    assert values[90] is not None
    assert values[90] != 0  # the window [60, 90] still holds the 100 at t = 60
    # From t = 91 the window [61, 91] holds only the new level: the step has aged out.
    for t in range(91, 100):
        assert values[t] == pytest.approx(0.0, abs=1e-9)


def test_window_does_not_depend_on_sample_count() -> None:
    # The same 30 s span whether it holds 301 samples or 4.
    dense = RateOfRise(30.0, "two_point")
    for t in grid(0.1, 100.0):
        dense.update(t, 0.0 if t < 50.0 else 30.0)
    sparse = RateOfRise(30.0, "two_point")
    for t in grid(10.0, 100.0):
        sparse.update(t, 0.0 if t < 50.0 else 30.0)
    # At t = 100 both windows start at 70, after the step: flat.
    assert dense.value == pytest.approx(0.0, abs=1e-9)
    assert sparse.value == pytest.approx(0.0, abs=1e-9)


def test_gap_longer_than_span_leaves_one_sample_and_no_value() -> None:
    ror = RateOfRise(10.0)
    ror.update(0.0, 100.0)
    ror.update(1.0, 101.0)
    assert ror.update(50.0, 150.0) is None
    assert ror.update(51.0, 152.0) == pytest.approx(120.0)


def test_reset_clears_samples_and_value() -> None:
    ror = RateOfRise(30.0)
    ror.update(0.0, 100.0)
    ror.update(1.0, 110.0)
    assert ror.value is not None
    ror.reset()
    assert ror.value is None
    # Old samples are gone: one new sample is not enough, and earlier times are accepted again.
    assert ror.update(0.5, 50.0) is None
    assert ror.update(1.5, 51.0) == pytest.approx(60.0)


# --- poll-rate independence ---------------------------------------------------------------------


def ror_by_time(step: float, end: float, signal: str, method: RorMethod) -> dict[float, float]:
    times = grid(step, end)
    temps = [bean_temp(t) if signal == "curve" else 80.0 + 0.25 * t for t in times]
    series = ror_series(times, temps, 30.0, method)
    return {t: v for t, v in zip(times, series, strict=True) if v is not None}


@pytest.mark.parametrize("method", LIVE_METHODS)
def test_linear_ramp_ror_is_the_same_at_any_poll_rate(method: RorMethod) -> None:
    fast = ror_by_time(0.5, 600.0, "ramp", method)
    slow = ror_by_time(2.0, 600.0, "ramp", method)
    common = sorted(set(fast) & set(slow))
    assert len(common) == 300  # every slow time from t = 2 s on
    for t in common:
        assert fast[t] == pytest.approx(15.0, abs=1e-9)
        assert slow[t] == pytest.approx(fast[t], abs=1e-9)


@pytest.mark.parametrize("method", LIVE_METHODS)
def test_curve_ror_agrees_across_poll_rates(method: RorMethod) -> None:
    fast = ror_by_time(0.5, 900.0, "curve", method)
    slow = ror_by_time(2.0, 900.0, "curve", method)
    common = sorted(set(fast) & set(slow))
    assert len(common) == 450
    worst = max(abs(fast[t] - slow[t]) for t in common)
    assert worst < 1.0
    # The comparison is not vacuous: the RoR itself changes a lot over the roast.
    assert fast[2.0] - fast[900.0] > 15.0


def test_curve_ror_tracks_the_true_derivative_with_half_span_lag() -> None:
    fast = ror_by_time(0.5, 900.0, "curve", "least_squares")
    h = 1e-3
    for t in (120.0, 300.0, 600.0, 900.0):
        centre = t - 15.0  # a full 30 s window is centred half a span back
        true = (bean_temp(centre + h) - bean_temp(centre - h)) / (2 * h) * 60.0
        assert fast[t] == pytest.approx(true, abs=0.1)


# --- ror_series and noise -----------------------------------------------------------------------


samples = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=400).map(lambda n: n * 0.25),
        st.floats(min_value=0.0, max_value=250.0),
    ),
    max_size=60,
)


@settings(max_examples=60)
@given(samples, st.sampled_from([5.0, 10.0, 30.0]), st.sampled_from((*LIVE_METHODS, "artisan")))
def test_ror_series_equals_live_values(
    data: list[tuple[float, float]], span: float, method: RorMethod
) -> None:
    times = [t for t, _ in data]
    temps = [y for _, y in data]
    live = RateOfRise(span, method)
    expected = [live.update(t, y) for t, y in data]
    assert ror_series(times, temps, span, method) == expected


@settings(max_examples=60)
@given(samples, st.sampled_from([5.0, 10.0, 30.0]), st.sampled_from(LIVE_METHODS))
def test_live_value_is_the_slope_over_the_time_window(
    data: list[tuple[float, float]], span: float, method: RorMethod
) -> None:
    ror = RateOfRise(span, method)
    accepted: list[tuple[float, float]] = []
    for t, y in data:
        value = ror.update(t, y)
        if accepted and t <= accepted[-1][0]:
            continue  # ignored by the tracker as well
        reach = span
        if method == "smooth" and accepted:
            reach += 0.5 * (t - accepted[-1][0])  # half an interval of slack against jitter
        accepted.append((t, y))
        window = [(s, v) for s, v in accepted if s >= t - reach - 1e-9]
        window_times = [s for s, _ in window]
        window_temps = [v for _, v in window]
        if method == "smooth":
            expected = smooth_slope_per_minute(window_times, window_temps, span * 0.375)
        else:
            expected = slope_per_minute(
                window_times,
                window_temps,
                "two_point" if method == "two_point" else "least_squares",
            )
        if expected is None:
            assert value is None
        else:
            assert value == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_least_squares_is_less_noisy_than_two_point_on_quantised_ramp() -> None:
    true_slope = 9.0  # deg/min
    times = grid(1.0, 900.0)
    temps = [float(round(50.3 + true_slope / 60.0 * t)) for t in times]

    def rms_error(method: RorMethod) -> float:
        series = ror_series(times, temps, 30.0, method)
        errors = [
            (v - true_slope) ** 2
            for t, v in zip(times, series, strict=True)
            if t >= 30.0 and v is not None
        ]
        assert len(errors) == len(times) - 30
        return math.sqrt(sum(errors) / len(errors))

    least_squares = rms_error("least_squares")
    two_point = rms_error("two_point")
    assert least_squares < two_point
    assert least_squares < 0.5 * two_point


def test_smooth_window_holds_a_steady_count_when_timestamps_jitter() -> None:
    # Readings every 1 s with up to 1.5 ms of jitter: a window of exactly 30 s holds 30 or 31
    # samples by turns (as the least-squares window does); with half an interval of slack the
    # smooth window always holds 31.
    def counts(method: RorMethod) -> set[int]:
        ror = RateOfRise(30.0, method)
        seen = set()
        for k in range(120):
            jitter = ((k % 7) - 3) * 0.0005  # 7 does not divide 30: the window's ends differ
            ror.update(k + jitter, 100.0 + 0.15 * k)
            if k >= 40:
                seen.add(len(ror._times))
        return seen

    assert counts("least_squares") == {30, 31}
    assert counts("smooth") == {31}
