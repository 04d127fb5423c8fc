"""A calibrated parameter file runs the simulator: ``[simulator] model_file``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from roastctl.config import SimulatorConfig, load_config
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.errors import ConfigError
from roastctl.physics.param_sets import builtin_model, load_model, save_model


def _stronger_hottop(path: Path) -> Path:
    """Write the shipped model with a 1450 W heater (1200 W shipped) as a calibrated file."""
    save_model(builtin_model("hottop").with_values({"heater_power_w": 1450.0}), path)
    return path


def test_simulator_runs_the_file_it_is_given(tmp_path: Path) -> None:
    path = _stronger_hottop(tmp_path / "mine.toml")
    roaster = SimulatedRoaster(SimulatorConfig(model_file=path))
    assert roaster.physics.params == load_model(path).physics
    assert roaster.physics.params.heater_power_w == 1450.0
    default = SimulatedRoaster(SimulatorConfig())
    assert default.physics.params == builtin_model("hottop").physics


def test_a_missing_or_bad_file_is_refused_at_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROASTCTL_SIMULATOR__MODEL_FILE", str(tmp_path / "absent.toml"))
    with pytest.raises(ConfigError) as missing:
        load_config()
    assert "absent.toml" in str(missing.value)
    assert "roastctl calibrate" in str(missing.value)
    bad = tmp_path / "bad.toml"
    bad.write_text("[physics]\nheater_power_w = 5000\n", encoding="utf-8")
    monkeypatch.setenv("ROASTCTL_SIMULATOR__MODEL_FILE", str(bad))
    with pytest.raises(ConfigError) as out_of_range:
        load_config()
    assert "heater_power_w = 5000 W is outside 800-2000 W" in str(out_of_range.value)


def _simulate(env: dict[str, str]) -> dict[str, object]:
    script = Path(sys.executable).with_name("roastctl")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "roastctl"]
    done = subprocess.run(
        [*command, "simulate", "--speed", "1000", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _first_crack_s(result: dict[str, object]) -> float:
    events = result["events"]
    assert isinstance(events, dict)
    return float(events["FC_START"]["time_s"])


def test_roastctl_simulate_roasts_on_the_calibrated_machine(tmp_path: Path) -> None:
    path = _stronger_hottop(tmp_path / "mine.toml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROASTCTL_SIMULATOR__")}
    nominal = _simulate(env)
    stronger = _simulate({**env, "ROASTCTL_SIMULATOR__MODEL_FILE": str(path)})
    # 1450 W against the shipped 1200 W: the same script reaches first crack minutes sooner.
    assert _first_crack_s(stronger) < _first_crack_s(nominal) - 60.0
