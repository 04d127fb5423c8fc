"""First crack follows the model's probe: calibration measures the trigger from the FCs marks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from twin_support import synthetic_inputs

from roastctl.clock import ManualClock
from roastctl.config import SimulatorConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.physics.param_sets import (
    DEFAULT_FIRST_CRACK_C,
    TwinModel,
    TwinParamsError,
    builtin_model,
    load_model,
    save_model,
)
from roastctl.twin.drive import ReplayInputs, replay
from roastctl.twin.fit import estimate_first_crack_temp, fit_model

TRUE_FIRST_CRACK_C = 205.0


def _truth() -> TwinModel:
    generic = builtin_model("generic")
    return dataclasses.replace(generic, first_crack_temp_c=TRUE_FIRST_CRACK_C)


def _logs() -> list[ReplayInputs]:
    truth = _truth()
    return [synthetic_inputs(truth, 200.0), synthetic_inputs(truth, 240.0)]


def test_estimate_on_the_true_model_gives_its_first_crack_temperature() -> None:
    logs = _logs()
    assert all(log.first_crack_index is not None for log in logs)
    estimate = estimate_first_crack_temp(_truth(), logs)
    assert estimate is not None
    # The mark sits on the first 2 s sample after the crack: at most a fraction of a degree late.
    assert estimate == pytest.approx(TRUE_FIRST_CRACK_C, abs=1.0)


def test_fit_moves_the_trigger_from_the_start_value_to_the_marks() -> None:
    start = builtin_model("generic")
    assert start.first_crack_temp_c == DEFAULT_FIRST_CRACK_C
    result = fit_model(start, _logs(), names=("heater_power_w",), max_evaluations=15)
    assert result.model.first_crack_temp_c == pytest.approx(TRUE_FIRST_CRACK_C, abs=1.5)
    again = fit_model(start, _logs(), names=("heater_power_w",), max_evaluations=15)
    assert again.model == result.model, "the measured trigger is deterministic too"


def test_logs_without_marks_keep_the_start_trigger() -> None:
    unmarked = [dataclasses.replace(log, first_crack_index=None) for log in _logs()]
    assert estimate_first_crack_temp(_truth(), unmarked) is None
    result = fit_model(
        builtin_model("generic"), unmarked, names=("heater_power_w",), max_evaluations=5
    )
    assert result.model.first_crack_temp_c == DEFAULT_FIRST_CRACK_C


def test_fit_can_leave_the_trigger_alone() -> None:
    result = fit_model(
        builtin_model("generic"),
        _logs(),
        names=("heater_power_w",),
        max_evaluations=5,
        fit_first_crack=False,
    )
    assert result.model.first_crack_temp_c == DEFAULT_FIRST_CRACK_C


def test_fitted_hottop_cracks_at_the_bt_real_hottops_show() -> None:
    """Real Hottop logs mark FCs at a median BT of ~182 deg C; the fitted model must agree."""
    hottop = builtin_model("hottop")
    inputs = synthetic_inputs(hottop)
    result = replay(inputs, hottop)
    assert result.first_crack_s is not None
    index = next(i for i, t in enumerate(inputs.times_s) if t >= result.first_crack_s)
    assert 176.0 <= result.bean_temps_c[index] <= 190.0
    # The bean mass runs ahead of the lagging, stem-cooled probe: the trigger sits above 196.
    assert hottop.first_crack_temp_c > DEFAULT_FIRST_CRACK_C


def test_simulator_uses_the_model_trigger_unless_configured() -> None:
    def trigger(config: SimulatorConfig) -> float:
        sim = SimulatedRoaster(config, ManualClock())
        sim.connect()
        sim.start_drum()
        sim.charge()
        return sim.physics.snapshot().first_crack_temp_c

    hottop = builtin_model("hottop").first_crack_temp_c
    assert trigger(SimulatorConfig(model="hottop", bean_variance_c=0.0)) == hottop
    assert trigger(SimulatorConfig(model="reference", bean_variance_c=0.0)) == 196.0
    configured = SimulatorConfig(model="hottop", bean_variance_c=0.0, first_crack_temp_c=200.0)
    assert trigger(configured) == 200.0


def test_trigger_round_trips_and_is_range_checked(tmp_path: Path) -> None:
    model = dataclasses.replace(builtin_model("hottop"), first_crack_temp_c=207.125)
    path = tmp_path / "model.toml"
    save_model(model, path)
    assert load_model(path).first_crack_temp_c == 207.125
    path.write_text("[beans]\nfirst_crack_temp_c = 260.0\n", encoding="utf-8")
    with pytest.raises(TwinParamsError, match=r"first_crack_temp_c = 260.0 must be .* 170-230"):
        load_model(path)
    path.write_text("[physics]\n", encoding="utf-8")
    assert load_model(path).first_crack_temp_c == DEFAULT_FIRST_CRACK_C, "older files load"
