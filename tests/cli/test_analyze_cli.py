"""``roastctl analyze`` as a user runs it: a subprocess on real logs and on a broken file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "roasts"
SKYWALKER = FIXTURES / "skywalker__scottjames__roast_25-11-16_1235.alog"
ROASTIME = FIXTURES / "bullet-roastime__rockpyer__87e603aa-4aaf-4cd8-9717-e32c408d336f.json"


def _analyze(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "roastctl", "analyze", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_table_of_a_real_roast() -> None:
    run = _analyze(SKYWALKER)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""  # not a terminal: no progress bar
    lines = run.stdout.splitlines()
    assert lines[0] == f"== {SKYWALKER}"
    charge = next(line for line in lines if line.startswith("CHARGE"))
    # detected, the file's mark, and what the statistics use
    assert " ".join(charge.split()) == "CHARGE 00:00 125.3 C 00:00 125.3 C 00:00 125.3 C [mark]"
    fcs = next(line for line in lines if line.startswith("FCs"))
    assert "(estimated)" in fcs
    assert "08:30 166.8 C" in fcs  # the file's FCs mark
    dtr = next(line for line in lines if line.startswith("DTR"))
    assert " ".join(dtr.split()) == "DTR 22.0 % 22.0 %"  # ours, Artisan's
    total = next(line for line in lines if line.startswith("total  "))
    assert " ".join(total.split()) == "total 10:54 10:54"


def test_json_one_object_per_roast() -> None:
    run = _analyze(SKYWALKER, ROASTIME, "--json")
    assert run.returncode == 0, run.stderr
    objects = [json.loads(line) for line in run.stdout.splitlines()]
    assert [Path(o["file"]).name for o in objects] == [SKYWALKER.name, ROASTIME.name]
    first = objects[0]
    assert first["detected"]["CHARGE"]["index"] == 8
    assert first["detected"]["TP"]["time_s"] == 66.0
    assert first["detected"]["FC_START"]["estimated"] is True
    assert first["marked"]["FC_START"]["time_s"] == 510.0
    assert first["marked"]["FC_END"]["time_s"] == 592.5
    assert first["artisan_computed"]["TP_time"] == 66.0
    assert first["artisan_computed"]["dtr_percent"] == 22.02
    assert first["statistics"]["dtr_percent"] == 22.0
    assert first["statistics"]["basis"]["DROP"] == "mark"
    assert objects[1]["artisan_computed"] is None
    assert objects[1]["detected"]["DROP"]["source"] == "end of recording"


def test_a_broken_file_is_named_and_the_others_still_analyzed(tmp_path: Path) -> None:
    broken = tmp_path / "broken.alog"
    broken.write_text("{'timex': [0, 1, 2], 'temp2': [", encoding="utf-8")
    run = _analyze(broken, SKYWALKER)
    assert run.returncode == 1
    assert f"roastctl analyze: {broken}: " in run.stderr
    assert "1 of 2 file(s) could not be analyzed" in run.stderr
    assert f"== {SKYWALKER}" in run.stdout
    assert "DTR" in run.stdout


def test_a_broken_file_in_json_mode_gets_an_error_object(tmp_path: Path) -> None:
    broken = tmp_path / "empty.json"
    broken.write_text("{}", encoding="utf-8")
    run = _analyze(broken, SKYWALKER, "--json")
    assert run.returncode == 1
    objects = [json.loads(line) for line in run.stdout.splitlines()]
    assert objects[0]["file"] == str(broken)
    assert str(broken) in objects[0]["error"]
    assert objects[1]["detected"]["CHARGE"]["index"] == 8


def test_a_missing_file() -> None:
    run = _analyze(FIXTURES / "no-such-roast.alog")
    assert run.returncode == 1
    assert "no-such-roast.alog: no such file" in run.stderr
    assert run.stdout == ""
