"""Hostile roast logs given to ``roastctl analyze``: each is named as unreadable, never a traceback.

Huge integers, deep nesting, binary bytes, a directory and an endless device, in every format the
readers understand (Artisan .alog and CSV, RoasTime JSON, split-key-roast logs).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import run

HUGE = "9" * 400  # an int beyond any float, within Python's 4300-digit limit

HOSTILE = {
    "huge.json": '{"beanTemperature": [' + HUGE + ', 2, 3], "drumTemperature": [1, 2, 3], '
    '"sampleRate": 1}',
    "huge.log": '{"events": [{"time": ' + HUGE + ', "config": {"bean_temp": 1}}]}',
    "huge.csv": "Date:01.01.2024\tUnit:C\tCHARGE:00:00\n"
    "Time1\tTime2\tET\tBT\tEvent\n" + HUGE + ":00\t\t150\t100\t\n",
    "deep.json": '{"timex": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "deep.alog": "{'timex': " + "[" * 100_000 + "]" * 100_000 + "}",
    "huge.alog": "{'timex': [0.0, 1.0], 'temp2': [1, "
    + "9" * 60
    + "], 'weight': [1e308, 0, 'Kg']}",
    "binary.alog": "\x00\x01\x02",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_log_is_named_not_a_traceback(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(HOSTILE[name], encoding="utf-8")

    result = run("analyze", str(path))

    assert "Traceback" not in result.stderr, result.stderr[-1500:]
    assert result.returncode in (0, 1), result.stderr
    assert str(path) in result.stderr + result.stdout


@pytest.mark.parametrize("target", ["folder.alog", "/dev/zero"])
def test_a_directory_or_device_is_not_read(tmp_path: Path, target: str) -> None:
    path = Path(target) if target.startswith("/") else tmp_path / target
    if not path.exists():
        path.mkdir()

    result = run("analyze", str(path))

    assert "Traceback" not in result.stderr
    assert "could not be analyzed" in result.stderr
