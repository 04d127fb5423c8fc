"""The fitted Hottop model still roasts like a drum roaster: dip, TP, slowing rise, crack bump."""

from __future__ import annotations

import pytest
from twin_support import STEP_S, synthetic_inputs

from roastctl.physics.param_sets import TwinModel, builtin_model
from roastctl.twin.drive import ReplayInputs, replay


@pytest.fixture(scope="module")
def hottop() -> TwinModel:
    return builtin_model("hottop")


@pytest.fixture(scope="module")
def inputs(hottop: TwinModel) -> ReplayInputs:
    return synthetic_inputs(hottop)


def _at(series: tuple[float, ...], seconds: float) -> float:
    return series[round(seconds / STEP_S)]


def test_charge_dip_and_turning_point(hottop: TwinModel, inputs: ReplayInputs) -> None:
    bt = replay(inputs, hottop).bean_temps_c
    low = min(range(len(bt)), key=bt.__getitem__)
    assert bt[0] - bt[low] > 60.0, "cold beans pull the probe far below the charge reading"
    assert 40.0 <= inputs.times_s[low] <= 150.0, "turning point within the first 2.5 minutes"
    assert 60.0 <= bt[low] <= 120.0


def test_rise_slows_through_drying(hottop: TwinModel, inputs: ReplayInputs) -> None:
    bt = replay(inputs, hottop).bean_temps_c
    early = _at(bt, 180.0) - _at(bt, 120.0)
    late = _at(bt, 420.0) - _at(bt, 360.0)
    assert early > late > 0.0, "rate of rise declines but stays positive"


def test_first_crack_adds_a_bump(hottop: TwinModel, inputs: ReplayInputs) -> None:
    result = replay(inputs, hottop)
    assert result.first_crack_s is not None
    assert 360.0 <= result.first_crack_s <= 660.0
    no_exotherm = hottop.with_values({"exotherm_energy_j_per_kg": 0.0})
    flat = replay(inputs, no_exotherm)
    after = result.first_crack_s + 60.0
    assert _at(result.bean_temps_c, after) - _at(flat.bean_temps_c, after) > 0.3
    before = result.first_crack_s - 10.0
    assert _at(result.bean_temps_c, before) == pytest.approx(_at(flat.bean_temps_c, before))


def test_bigger_batch_roasts_slower(hottop: TwinModel) -> None:
    small = replay(synthetic_inputs(hottop, 150.0), hottop).bean_temps_c
    large = replay(synthetic_inputs(hottop, 280.0), hottop).bean_temps_c
    assert _at(small, 480.0) > _at(large, 480.0)
