"""The ``roastctl`` command, run as a user runs it: the installed console script in a subprocess."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from support import run


@pytest.fixture(scope="module")
def simulated() -> tuple[dict[str, Any], float, str]:
    started = time.monotonic()
    result = run("simulate", "--speed", "1000", "--json")
    took = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), took, result.stderr


def test_simulate_finishes_in_a_few_seconds(simulated: tuple[dict[str, Any], float, str]) -> None:
    _, took, _ = simulated
    assert took < 15


def test_simulate_events_fall_in_hottop_ranges(
    simulated: tuple[dict[str, Any], float, str],
) -> None:
    summary, _, _ = simulated
    events = summary["events"]
    assert isinstance(events, dict)
    tp, dry, fcs, drop = events["TP"], events["DRY_END"], events["FC_START"], events["DROP"]
    assert events["CHARGE"]["time_s"] == 0
    # Real Hottop logs (22 with heater/fan channels) turn 36-62 s after CHARGE, median 53 s.
    assert 40 <= tp["time_s"] <= 100
    assert 80 <= tp["bean_temp_c"] <= 110
    assert 270 <= dry["time_s"] <= 360
    assert 480 <= fcs["time_s"] <= 660
    assert 600 <= drop["time_s"] <= 780
    assert summary["dtr_percent"] is not None
    assert 19.0 <= summary["dtr_percent"] <= 23.0
    phases = summary["phases"]
    assert isinstance(phases, dict)
    total = phases["drying_percent"] + phases["maillard_percent"] + phases["development_percent"]
    assert total == pytest.approx(100, abs=0.2)
    assert summary["samples"] > 500


def test_simulate_prints_progress_to_stderr(simulated: tuple[dict[str, Any], float, str]) -> None:
    _, _, stderr = simulated
    assert "BT" in stderr
    assert "RoR" in stderr
    assert "development" in stderr


def test_bad_config_fails_at_start_with_the_key_named(tmp_path: Path) -> None:
    bad = tmp_path / "roastctl.toml"
    bad.write_text("[tracker]\nsampling_interval_s = 60\n")
    result = run("--config", str(bad), "simulate", "--speed", "1000")
    assert result.returncode == 2
    assert "tracker.sampling_interval_s" in result.stderr
    assert "60" in result.stderr


def test_bad_speed_is_refused() -> None:
    result = run("simulate", "--speed", "-3")
    assert result.returncode == 2
    assert "speed" in result.stderr


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("roastctl ")
