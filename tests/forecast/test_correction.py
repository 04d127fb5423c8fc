"""The learned correction: its shape, its fit, its file, and learning it from real logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from roastctl.config import ForecastConfig, HardwareConfig, ServerConfig
from roastctl.forecast.correction import (
    BT_KNOTS_C,
    CAP_S,
    TIME_KNOTS_S,
    CorrectionFileError,
    CorrectionRow,
    ForecastCorrection,
    builtin_correction,
    fit_correction,
    load_correction,
    save_correction,
)
from roastctl.forecast.correction_rows import correction_rows
from roastctl.logs.load import load_recorded_roast
from roastctl.physics.param_sets import builtin_model
from roastctl.session.live_forecast import forecast_correction
from support import roast_file, run


def known() -> ForecastCorrection:
    return ForecastCorrection(
        bt_rates=(0.02, 0.01, 0.0, -0.01, -0.03, 0.04),
        time_rates=(-0.05, 0.02, 0.02, 0.0, 0.0, 0.01, 0.02),
    )


def test_the_rate_interpolates_between_knots_and_holds_beyond_them() -> None:
    correction = known()
    # Halfway between the 100 and 120 degC knots, and exactly on the 180 s knot.
    assert correction.rate_c_per_s(110.0, 180.0) == pytest.approx(0.015 + 0.02)
    assert correction.rate_c_per_s(50.0, 0.0) == pytest.approx(0.02 - 0.05)
    assert correction.rate_c_per_s(260.0, 2000.0) == pytest.approx(0.04 + 0.02)
    # It grows with the look ahead up to the cap and is held after it.
    assert correction.offset_c(60.0, 0.01) == pytest.approx(0.6)
    assert correction.offset_c(600.0, 0.01) == pytest.approx(CAP_S * 0.01)
    assert correction.offset_c(-5.0, 0.01) == 0.0


def test_one_rate_per_knot_is_required() -> None:
    with pytest.raises(ValueError, match="one rate per knot"):
        ForecastCorrection(bt_rates=(0.0,), time_rates=(0.0,) * len(TIME_KNOTS_S))


def test_the_fit_recovers_the_rates_that_made_the_rows() -> None:
    truth = known()
    rows = [
        CorrectionRow(bt, t, CAP_S, CAP_S * truth.rate_c_per_s(bt, t))
        for bt in range(90, 215, 5)
        for t in range(30, 800, 30)
    ]
    fitted = fit_correction([rows[::2], rows[1::2]], ridge=1e-9)
    for bt, t in ((105.0, 90.0), (150.0, 400.0), (195.0, 700.0)):
        assert fitted.rate_c_per_s(bt, t) == pytest.approx(truth.rate_c_per_s(bt, t), abs=1e-6)


def test_the_ridge_keeps_a_fit_on_few_rows_small() -> None:
    rows = [[CorrectionRow(150.0, 300.0, CAP_S, 30.0)]]
    loose = fit_correction(rows, ridge=1e-9)
    tight = fit_correction(rows)
    assert abs(tight.rate_c_per_s(150.0, 300.0)) < abs(loose.rate_c_per_s(150.0, 300.0))


def test_a_fit_without_rows_is_refused_with_what_a_log_needs() -> None:
    with pytest.raises(ValueError, match="CHARGE and DROP marks"):
        fit_correction([[], []])


def test_a_correction_file_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    original = ForecastCorrection(
        bt_rates=known().bt_rates, time_rates=known().time_rates, fit={"logs": ["a.alog"]}
    )
    save_correction(original, path)
    loaded = load_correction(path)
    assert loaded.bt_rates == original.bt_rates
    assert loaded.time_rates == original.time_rates
    assert loaded.bt_knots_c == BT_KNOTS_C
    assert loaded.cap_s == CAP_S
    assert loaded.fit["logs"] == ["a.alog"]


def test_a_bad_correction_file_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[correction]\nbt_knots_c = [1.0]\n")
    with pytest.raises(CorrectionFileError, match=r"broken\.toml.*forecast-fit"):
        load_correction(path)
    with pytest.raises(CorrectionFileError, match=r"missing\.toml: cannot be read"):
        load_correction(tmp_path / "missing.toml")


def test_the_hottop_model_ships_a_correction_and_the_simulator_uses_none() -> None:
    shipped = builtin_correction("hottop")
    assert shipped is not None
    logs = shipped.fit["logs"]
    assert isinstance(logs, list)
    assert len(logs) >= 20
    assert builtin_correction("generic") is None
    hottop = ServerConfig(hardware=HardwareConfig(driver="hottop"))
    assert forecast_correction(hottop, builtin_model("hottop")) is not None
    # The simulator runs the model itself: the model's real-world error does not exist there.
    assert forecast_correction(ServerConfig(), builtin_model("hottop")) is None


def test_a_configured_correction_file_replaces_the_shipped_one(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    save_correction(known(), path)
    config = ServerConfig(
        hardware=HardwareConfig(driver="hottop"), forecast=ForecastConfig(correction_file=path)
    )
    chosen = forecast_correction(config, builtin_model("hottop"))
    assert chosen is not None
    assert chosen.bt_rates == known().bt_rates


def test_rows_come_from_a_real_hottop_log_replayed_through_the_estimator() -> None:
    roast = load_recorded_roast(roast_file("hottop__hamade__Kenya"))
    rows = correction_rows(roast, builtin_model("hottop"))
    assert len(rows) > 20
    assert all(row.ahead_s == CAP_S for row in rows)
    assert rows[0].since_charge_s < rows[-1].since_charge_s
    # From the turning point (BT near 90-100 degC) to two minutes before the drop.
    assert 70.0 < rows[0].bean_temp_c < 130.0 < rows[-1].bean_temp_c
    # The model is not perfect, but it is not wild: the errors are degrees, not tens.
    assert max(abs(row.error_c) for row in rows) < 20.0


def test_a_log_without_marks_gives_no_rows() -> None:
    roast = load_recorded_roast(roast_file("hottop__hypersprite__20-04-10"))
    assert correction_rows(roast, builtin_model("hottop")) == []


def test_forecast_fit_writes_a_correction_the_server_reads(tmp_path: Path) -> None:
    output = tmp_path / "learned.toml"
    kenya = roast_file("hottop__hamade__Kenya")
    sumatra = roast_file("hottop__hamade__Sumatra")
    result = run("forecast-fit", str(kenya), str(sumatra), "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout
    assert "from 2 roasts" in result.stdout
    learned = load_correction(output)
    assert learned.fit["model"] == "hottop"
    assert learned.fit["logs"] == [kenya.name, sumatra.name]


def test_forecast_fit_says_which_logs_it_could_not_use(tmp_path: Path) -> None:
    output = tmp_path / "learned.toml"
    unmarked = roast_file("hottop__hypersprite__20-04-10")
    result = run("forecast-fit", str(unmarked), "-o", str(output))
    assert result.returncode == 2
    assert "not used" in result.stdout
    assert "nothing was written" in result.stderr
    assert not output.exists()
