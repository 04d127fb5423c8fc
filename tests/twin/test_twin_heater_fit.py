"""The heater-strength diagnostic: which multiple of the model's heater power explains a log."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
from twin_support import synthetic_roast, write_alog

from roastctl.cli import main
from roastctl.devices.param_sets import TwinModel, builtin_model
from roastctl.twin.check import check_replay
from roastctl.twin.drive import prepare_replay
from roastctl.twin.heater_fit import HEATER_SCALE_RANGE, fit_heater_scale

ROASTS = Path(__file__).resolve().parents[3] / "shared" / "data" / "roasts"


def _with_heater(model: TwinModel, scale: float) -> TwinModel:
    return model.with_values({"heater_power_w": model.physics.heater_power_w * scale})


def test_a_weaker_heater_is_found_and_explains_the_log() -> None:
    model = builtin_model("hottop")
    inputs = prepare_replay(synthetic_roast(_with_heater(model, 0.88)), "weak")
    assert check_replay(inputs, model).bt_rmse_c > 5.0
    fitted = fit_heater_scale(inputs, model)
    assert fitted.scale == pytest.approx(0.88, abs=0.005)
    assert fitted.bt_rmse_c < 0.3


def test_the_model_own_log_needs_no_change() -> None:
    model = builtin_model("hottop")
    fitted = fit_heater_scale(prepare_replay(synthetic_roast(model), "own"), model)
    assert fitted.scale == pytest.approx(1.0, abs=0.005)
    assert fitted.bt_rmse_c < 0.3


def test_a_log_beyond_the_range_is_reported_at_its_end() -> None:
    model = builtin_model("hottop")
    inputs = prepare_replay(synthetic_roast(_with_heater(model, 1.6)), "strong")
    fitted = fit_heater_scale(inputs, model)
    assert fitted.scale == HEATER_SCALE_RANGE[1]
    assert fitted.bt_rmse_c > 1.0


def test_twin_check_reports_the_heater_multiple(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = builtin_model("hottop")
    log = write_alog(synthetic_roast(_with_heater(model, 0.9)), tmp_path / "weak.alog")
    assert main(["twin-check", str(log), "--fit-heater"]) == 0
    table = capsys.readouterr().out
    assert "heater x" in table
    assert "     0.90 " in table
    assert main(["twin-check", str(log), "--fit-heater", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    row = report["logs"][0]
    assert row["heater_fit"]["scale"] == pytest.approx(0.9, abs=0.01)
    assert row["heater_fit"]["bt_rmse_c"] < row["bt_rmse_c"]
    assert report["median_bt_rmse_at_fitted_heater_c"] == row["heater_fit"]["bt_rmse_c"]
    assert main(["twin-check", str(log), "--json"]) == 0
    assert "heater_fit" not in json.loads(capsys.readouterr().out)["logs"][0]


@pytest.mark.skipif(not ROASTS.is_dir(), reason=f"shared roast logs not present at {ROASTS}")
def test_real_logs_differ_mostly_in_heater_strength(capsys: pytest.CaptureFixture[str]) -> None:
    logs = sorted(str(p) for p in ROASTS.glob("hottop__*"))
    assert main(["twin-check", *logs, "--fit-heater", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    scales = [row["heater_fit"]["scale"] for row in report["logs"]]
    # The shipped model sits in the middle of the machines it was fitted to ...
    assert 0.97 <= statistics.median(scales) <= 1.03
    # ... which ran at 80-120 % of its power: line voltage, which no log records.
    assert 0.78 <= min(scales) <= 0.9
    assert 1.1 <= max(scales) <= 1.2
    assert report["median_bt_rmse_at_fitted_heater_c"] < 0.6 * report["median_bt_rmse_c"]
