"""An Artisan CSV works in every command that takes a roast file, as the .alog of the same roast."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from roastctl.cli.main import main
from roastctl.physics.param_sets import load_model
from simulated_files import RoastFiles, write_roast_files
from support import run


@pytest.fixture
def files(tmp_path: Path) -> RoastFiles:
    return write_roast_files(tmp_path)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "ROASTCTL_STORE__PATH": str(tmp_path / "store" / "roasts.sqlite3")}


def _imported(path: Path, env: dict[str, str]) -> dict[str, Any]:
    """Import ``path`` with ``roastctl import``; return the kept roast as ``show --json`` has it."""
    result = run("import", str(path), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{path}: imported as roast " in result.stdout
    roast_id = result.stdout.split("imported as roast ")[1].split()[0]
    shown = run("show", roast_id, "--json", env=env)
    assert shown.returncode == 0, shown.stderr
    kept: dict[str, Any] = json.loads(shown.stdout)
    return kept


def test_import_keeps_a_csv_with_the_samples_and_events_of_its_alog(
    files: RoastFiles, env: dict[str, str]
) -> None:
    from_alog = _imported(files.alog, env)
    from_csv = _imported(files.csv, env)

    assert len(from_csv["samples"]) == 331
    assert from_csv["samples"] == from_alog["samples"]
    assert from_csv["events"] == from_alog["events"]
    assert [e["type"] for e in from_csv["events"]] == ["CHARGE", "DRY_END", "FC_START", "DROP"]
    assert from_csv["status"] == "imported"


def test_import_refuses_a_file_of_no_known_format_and_keeps_nothing(
    tmp_path: Path, env: dict[str, str]
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\n", encoding="utf-8")

    result = run("import", str(path), env=env)

    assert result.returncode == 1
    assert f"{path}: not imported: {path}: not a roast log this program can read" in result.stdout
    assert json.loads(run("history", "--json", env=env).stdout) == []


def test_twin_check_replays_a_csv_as_its_alog(
    files: RoastFiles, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["twin-check", str(files.alog), str(files.csv), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    alog_row, csv_row = report["logs"]

    assert (alog_row["name"], csv_row["name"]) == ("simulated.alog", "simulated.csv")
    del alog_row["name"], csv_row["name"]
    assert csv_row == alog_row
    assert csv_row["bt_rmse_c"] < 1.0  # the roast was simulated by this very model


def test_calibrate_fits_on_a_csv_as_on_its_alog(
    files: RoastFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fitted = {}
    for path in (files.alog, files.csv):
        params = tmp_path / f"{path.suffix[1:]}.toml"
        assert main(["calibrate", str(path), "-o", str(params), "--evaluations", "3"]) == 0
        assert f"wrote {params}" in capsys.readouterr().out
        model = load_model(params)
        assert model.fit["logs"] == [path.name]
        fitted[path.suffix] = (model.physics, model.fit["objective_c"])

    assert fitted[".csv"] == fitted[".alog"]
