"""Tests for roastctl.roast.phases: Artisan phase times, shares, DTR and MM:SS."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roastctl.models import RoastPhase
from roastctl.roast.phases import PhaseTimes, compute_phases, format_mmss


def test_finished_roast_uses_drop_as_end() -> None:
    result = compute_phases(dry_end_s=300, first_crack_s=540, drop_s=660, now_s=900)
    assert result == PhaseTimes(
        phase=RoastPhase.DROPPED,
        total_s=660,
        drying_s=300,
        maillard_s=240,
        development_s=120,
        drying_percent=45.5,
        maillard_percent=36.4,
        development_percent=18.2,
    )


def test_live_roast_in_development_uses_now_as_end() -> None:
    result = compute_phases(dry_end_s=300, first_crack_s=540, drop_s=None, now_s=600)
    assert result.phase is RoastPhase.DEVELOPMENT
    assert result.total_s == 600
    assert result.drying_s == 300
    assert result.maillard_s == 240
    assert result.development_s == 60
    assert result.development_percent == 10.0  # the DTR
    assert result.drying_percent == 50.0
    assert result.maillard_percent == 40.0


def test_not_charged_has_no_times() -> None:
    result = compute_phases(dry_end_s=300, first_crack_s=540, drop_s=660, now_s=None)
    assert result == PhaseTimes(phase=RoastPhase.NOT_CHARGED)
    assert result.total_s is None
    assert result.drying_s is None
    assert result.development_percent is None


def test_before_dry_end_drying_is_everything_so_far() -> None:
    result = compute_phases(dry_end_s=None, first_crack_s=None, drop_s=None, now_s=120)
    assert result.phase is RoastPhase.DRYING
    assert result.total_s == 120
    assert result.drying_s == 120
    assert result.drying_percent == 100.0
    assert result.maillard_s is None
    assert result.development_s is None
    assert result.maillard_percent is None
    assert result.development_percent is None


def test_after_dry_end_maillard_runs_to_now() -> None:
    result = compute_phases(dry_end_s=300, first_crack_s=None, drop_s=None, now_s=400)
    assert result.phase is RoastPhase.MAILLARD
    assert result.drying_s == 300
    assert result.maillard_s == 100
    assert result.development_s is None
    assert result.drying_percent == 75.0
    assert result.maillard_percent == 25.0


def test_at_charge_shares_are_undefined() -> None:
    result = compute_phases(dry_end_s=None, first_crack_s=None, drop_s=None, now_s=0)
    assert result.phase is RoastPhase.DRYING
    assert result.total_s == 0
    assert result.drying_s == 0
    assert result.drying_percent is None


def test_negative_now_is_treated_as_charge() -> None:
    result = compute_phases(dry_end_s=None, first_crack_s=None, drop_s=None, now_s=-3)
    assert result.total_s == 0
    assert result.drying_s == 0


def test_first_crack_after_now_is_clamped() -> None:
    result = compute_phases(dry_end_s=300, first_crack_s=620, drop_s=None, now_s=600)
    assert result.total_s == 600
    assert result.maillard_s == 300  # not 320: FC cannot lie beyond the end
    assert result.development_s == 0
    assert result.development_percent == 0.0


def test_dry_end_after_drop_is_clamped() -> None:
    result = compute_phases(dry_end_s=700, first_crack_s=None, drop_s=650, now_s=800)
    assert result.phase is RoastPhase.DROPPED
    assert result.total_s == 650
    assert result.drying_s == 650
    assert result.maillard_s == 0
    assert result.drying_percent == 100.0


events = st.tuples(
    st.floats(min_value=60.0, max_value=400.0),  # dry end
    st.floats(min_value=0.0, max_value=400.0),  # dry end -> first crack
    st.floats(min_value=0.0, max_value=300.0),  # first crack -> drop
)


@given(events)
def test_phases_add_up_to_the_total(times: tuple[float, float, float]) -> None:
    dry, to_fc, to_drop = times
    result = compute_phases(
        dry_end_s=dry, first_crack_s=dry + to_fc, drop_s=dry + to_fc + to_drop, now_s=None
    )
    assert result.phase is RoastPhase.NOT_CHARGED
    result = compute_phases(
        dry_end_s=dry, first_crack_s=dry + to_fc, drop_s=dry + to_fc + to_drop, now_s=2000.0
    )
    assert result.drying_s is not None
    assert result.maillard_s is not None
    assert result.development_s is not None
    assert result.total_s is not None
    total = result.drying_s + result.maillard_s + result.development_s
    assert total == pytest.approx(result.total_s)
    shares = [result.drying_percent, result.maillard_percent, result.development_percent]
    assert all(share is not None and 0.0 <= share <= 100.0 for share in shares)
    assert sum(share for share in shares if share is not None) == pytest.approx(100.0, abs=0.15)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "00:00"),
        (65, "01:05"),
        (754.9, "12:34"),
        (-5, "-00:05"),
        (-65.5, "-01:05"),
        (59.999, "00:59"),
        (3600, "60:00"),
        (6000, "100:00"),
        (None, None),
    ],
)
def test_format_mmss(seconds: float | None, text: str | None) -> None:
    assert format_mmss(seconds) == text
