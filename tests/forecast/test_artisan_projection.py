"""Artisan's projection: the two-point RoR over 20 s, the linear BT line, the time to a target."""

from __future__ import annotations

import pytest

from roastctl.forecast.artisan_projection import (
    artisan_projected_bt,
    artisan_ror_c_per_s,
    artisan_time_to,
)


def test_the_ror_is_the_slope_over_the_last_20_seconds() -> None:
    times = [float(t) for t in range(0, 41, 2)]
    temps = [100.0 + 0.5 * t for t in times]
    assert artisan_ror_c_per_s(times, temps) == pytest.approx(0.5)


def test_the_older_end_is_the_newest_sample_at_or_before_the_span() -> None:
    # Samples at 0, 7, 14, 21, 28 s: 28 - 20 = 8, so the older end is the one at 7 s.
    times = [0.0, 7.0, 14.0, 21.0, 28.0]
    temps = [100.0, 110.0, 150.0, 160.0, 170.0]
    assert artisan_ror_c_per_s(times, temps) == pytest.approx((170.0 - 110.0) / 21.0)
    # Exactly the span back counts as "at or before".
    assert artisan_ror_c_per_s([0.0, 10.0, 20.0], [100.0, 101.0, 104.0]) == pytest.approx(0.2)


def test_only_what_is_before_the_newest_sample_counts() -> None:
    times = [0.0, 10.0, 20.0, 30.0]
    temps = [100.0, 200.0, 102.0, 104.0]
    assert artisan_ror_c_per_s(times, temps, span_s=10.0) == pytest.approx(0.2)
    assert artisan_ror_c_per_s(times, temps, span_s=30.0) == pytest.approx(4.0 / 30.0)


def test_too_little_history_gives_none() -> None:
    assert artisan_ror_c_per_s([], []) is None
    assert artisan_ror_c_per_s([0.0], [100.0]) is None
    assert artisan_ror_c_per_s([0.0, 5.0, 19.0], [100.0, 101.0, 102.0]) is None


def test_a_falling_bt_gives_a_negative_ror() -> None:
    assert artisan_ror_c_per_s([0.0, 20.0], [200.0, 190.0]) == pytest.approx(-0.5)


def test_bad_samples_or_span_are_named() -> None:
    with pytest.raises(ValueError, match="2 samples and bean_temps_c 1"):
        artisan_ror_c_per_s([0.0, 1.0], [100.0])
    with pytest.raises(ValueError, match="span_s 0"):
        artisan_ror_c_per_s([0.0, 1.0], [100.0, 101.0], span_s=0.0)


def test_the_projection_is_linear() -> None:
    assert artisan_projected_bt(180.0, 0.15, 60.0) == pytest.approx(189.0)
    assert artisan_projected_bt(180.0, 0.15, 0.0) == 180.0
    assert artisan_projected_bt(180.0, -0.1, 30.0) == pytest.approx(177.0)


def test_the_time_to_a_target() -> None:
    assert artisan_time_to(196.0, 180.0, 0.2) == pytest.approx(80.0)
    assert artisan_time_to(196.0, 196.0, 0.2) == 0.0
    assert artisan_time_to(196.0, 200.0, -0.1) == 0.0  # already past it
    assert artisan_time_to(196.0, 180.0, 0.0) is None
    assert artisan_time_to(196.0, 180.0, -0.1) is None
