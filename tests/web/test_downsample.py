"""Min/max thinning: the drawn curve keeps its ends and every extreme; stored data is untouched."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roastctl.web.downsample import min_max_indices


def test_short_curves_are_kept_whole() -> None:
    assert min_max_indices([[1.0, 2.0, 3.0]], 10) == [0, 1, 2]
    assert min_max_indices([], 10) == []


def test_a_spike_between_even_picks_survives() -> None:
    bt = [100.0 + k * 0.01 for k in range(12_000)]
    ror: list[float | None] = [None] * 100 + [10.0] * 11_900
    ror[7_777] = 45.0  # one sample's RoR spike
    bt[5_003] = 20.0  # one sample's dip
    before = (list(bt), list(ror))
    picks = min_max_indices([bt, ror], 1500)
    assert len(picks) <= 1500
    assert picks[0] == 0
    assert picks[-1] == 11_999
    assert 7_777 in picks
    assert 5_003 in picks
    assert picks == sorted(set(picks))
    assert (bt, ror) == before  # choosing indices never changes the data


def test_too_few_points_for_a_bucket_thin_evenly() -> None:
    picks = min_max_indices([[float(k) for k in range(100)]] * 3, 4)
    assert picks == [0, 33, 66, 99]


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        min_max_indices([[1.0]], 1)
    with pytest.raises(ValueError, match="differ in length"):
        min_max_indices([[1.0, 2.0], [1.0]], 5)


@given(
    st.lists(st.floats(-50, 300, allow_nan=False), min_size=1, max_size=400),
    st.integers(2, 120),
)
def test_every_extreme_and_both_ends_survive(values: list[float], max_points: int) -> None:
    other = [math.sin(k / 7) for k in range(len(values))]
    picks = min_max_indices([values, other], max_points)
    assert len(picks) <= max(max_points, 0) or len(values) <= max_points
    assert len(picks) <= max_points
    assert picks[0] == 0
    assert picks[-1] == len(values) - 1
    assert picks == sorted(set(picks))
    if max_points >= 6:  # room for one bucket of extremes
        shown = [values[k] for k in picks]
        assert max(shown) == max(values)
        assert min(shown) == min(values)
