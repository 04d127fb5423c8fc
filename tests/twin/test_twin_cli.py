"""roastctl calibrate and twin-check end to end, on generated logs and on the real ones."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
from twin_support import synthetic_roast, write_alog

from roastctl.cli.main import main
from roastctl.physics.param_sets import builtin_model, load_model

ROASTS = Path(__file__).resolve().parents[3] / "shared" / "data" / "roasts"


def test_calibrate_then_twin_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    truth = builtin_model("generic").with_values({"heater_power_w": 1450.0})
    logs = [
        str(write_alog(synthetic_roast(truth, grams), tmp_path / f"r{grams:g}.alog"))
        for grams in (200.0, 240.0)
    ]
    params = tmp_path / "params.toml"
    assert main(["calibrate", *logs, "-o", str(params), "--evaluations", "12"]) == 0
    printed = capsys.readouterr().out
    assert "heater_power_w" in printed
    assert " W " in printed
    assert load_model(params).fit["evaluations"] == 12
    assert main(["twin-check", *logs, "--model", str(params), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [row["name"] for row in report["logs"]] == ["r200.alog", "r240.alog"]
    assert all(row["bt_rmse_c"] < 5.0 for row in report["logs"])
    assert report["median_bt_rmse_c"] == statistics.median(
        row["bt_rmse_c"] for row in report["logs"]
    )


def test_twin_check_writes_a_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    log = write_alog(synthetic_roast(builtin_model("hottop")), tmp_path / "own.alog")
    charts = tmp_path / "charts"
    assert main(["twin-check", str(log), "--chart-dir", str(charts)]) == 0
    chart = charts / "own.twin.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "own.alog" in capsys.readouterr().out


def test_unusable_log_gives_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roast = synthetic_roast(builtin_model("generic"))
    path = tmp_path / "bare.alog"
    write_alog(roast, path)
    text = path.read_text(encoding="utf-8").replace("'extratemp1'", "'unused1'")
    path.write_text(text, encoding="utf-8")
    assert main(["twin-check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bare.alog: no heater/fan channels" in err
    assert "none of the files can be replayed" in err


def test_bad_evaluation_budget_names_the_range(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["calibrate", "x.alog", "-o", "p.toml", "--evaluations", "0"])
    assert "0 is outside 1-100000" in capsys.readouterr().err


@pytest.mark.skipif(not ROASTS.is_dir(), reason=f"shared roast logs not present at {ROASTS}")
def test_shipped_hottop_model_tracks_the_real_logs(capsys: pytest.CaptureFixture[str]) -> None:
    logs = sorted(str(p) for p in ROASTS.glob("hottop__*"))
    assert main(["twin-check", *logs, "--model", "hottop", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["logs"]) >= 20
    assert report["median_bt_rmse_c"] <= 7.0
    generic = builtin_model("generic")
    assert generic.name == "generic"
    assert main(["twin-check", *logs, "--model", "generic", "--json"]) == 0
    untuned = json.loads(capsys.readouterr().out)
    assert untuned["median_bt_rmse_c"] > report["median_bt_rmse_c"]
