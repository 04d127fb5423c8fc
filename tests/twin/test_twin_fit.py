"""Calibration: deterministic, and it moves the parameters towards what made the data."""

from __future__ import annotations

from twin_support import synthetic_inputs

from roastctl.physics.param_sets import builtin_model
from roastctl.twin.fit import fit_model, objective

NAMES = ("heater_power_w", "drum_bean_conductance_w_per_k", "bt_probe_tau_s")


def _truth_and_logs() -> tuple[float, list]:  # type: ignore[type-arg]
    truth = builtin_model("generic").with_values({"heater_power_w": 1500.0})
    return 1500.0, [synthetic_inputs(truth, 180.0), synthetic_inputs(truth, 250.0)]


def test_calibration_is_deterministic() -> None:
    _, logs = _truth_and_logs()
    start = builtin_model("generic")
    first = fit_model(start, logs, names=NAMES, max_evaluations=25)
    second = fit_model(start, logs, names=NAMES, max_evaluations=25)
    assert first.model == second.model
    assert first.objective_c == second.objective_c
    assert first.evaluations == second.evaluations == 25


def test_calibration_lowers_the_error_and_finds_the_heater_power() -> None:
    power, logs = _truth_and_logs()
    start = builtin_model("generic")
    result = fit_model(start, logs, names=("heater_power_w",), max_evaluations=40)
    assert result.objective_c < 0.2 * result.start_objective_c
    assert abs(result.model.physics.heater_power_w - power) < 30.0
    assert objective(result.model, logs) == result.objective_c
