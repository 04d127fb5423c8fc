"""Tests for roastctl.config: defaults, sources and their precedence, and error messages."""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from roastctl.config import CONFIG_ENV_VAR, ServerConfig, load_config
from roastctl.errors import ConfigError


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Start every test without any ROASTCTL_* variable and in an empty directory."""
    for name in list(os.environ):
        if name.upper().startswith("ROASTCTL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def write_toml(tmp_path: Path, text: str, name: str = "roastctl.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.code == "config_error"
    return str(info.value)


# --- defaults -----------------------------------------------------------------------------------


def test_defaults_need_no_hardware() -> None:
    config = load_config()
    assert config.hardware.driver == "simulator"
    assert config.hardware.port is None
    assert config.tracker.sampling_interval_s == 1.0
    assert config.hardware.heat_step_percent == 10
    assert config.timezone == "local"
    assert config.local_zone() is None


def test_defaults_do_not_depend_on_load_config() -> None:
    assert ServerConfig() == load_config()


# --- environment --------------------------------------------------------------------------------


def test_env_override_with_nested_delimiter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROASTCTL_TRACKER__SAMPLING_INTERVAL_S", "2")
    config = load_config()
    assert config.tracker.sampling_interval_s == 2.0
    # Other keys of the same section keep their defaults.
    assert config.tracker.ror_span_s == 30.0


def test_env_override_of_top_level_and_literal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROASTCTL_TIMEZONE", "UTC")
    monkeypatch.setenv("ROASTCTL_TRACKER__ROR_METHOD", "two_point")
    config = load_config()
    assert config.timezone == "UTC"
    assert config.tracker.ror_method == "two_point"


# --- TOML file ----------------------------------------------------------------------------------


def test_toml_file_via_path(tmp_path: Path) -> None:
    path = write_toml(
        tmp_path,
        "[tracker]\nsampling_interval_s = 3\nror_span_s = 40\n[hardware]\nheat_step_percent = 5\n",
    )
    config = load_config(path)
    assert config.tracker.sampling_interval_s == 3.0
    assert config.tracker.ror_span_s == 40.0
    assert config.hardware.heat_step_percent == 5
    # A str path works as well as a Path.
    assert load_config(str(path)) == config


def test_toml_file_via_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_toml(tmp_path, 'timezone = "UTC"\n[simulator]\nseed = 42\n')
    monkeypatch.setenv(CONFIG_ENV_VAR, str(path))
    config = load_config()
    assert config.timezone == "UTC"
    assert config.simulator.seed == 42


def test_path_argument_beats_config_env_var(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_env = write_toml(tmp_path, "[simulator]\nseed = 1\n", "env.toml")
    from_arg = write_toml(tmp_path, "[simulator]\nseed = 2\n", "arg.toml")
    monkeypatch.setenv(CONFIG_ENV_VAR, str(from_env))
    assert load_config(from_arg).simulator.seed == 2


def test_path_is_not_remembered_between_calls(tmp_path: Path) -> None:
    path = write_toml(tmp_path, "[simulator]\nseed = 7\n")
    assert load_config(path).simulator.seed == 7
    # The path applies to that one call only, also for settings built directly afterwards.
    assert ServerConfig().simulator.seed == 1
    assert load_config().simulator.seed == 1


def test_path_is_not_remembered_after_an_error(tmp_path: Path) -> None:
    bad = write_toml(tmp_path, "[tracker]\nsampling_interval_s = 20\n")
    config_error(bad)
    assert load_config().tracker.sampling_interval_s == 1.0


def test_env_beats_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_toml(tmp_path, "[tracker]\nsampling_interval_s = 3\n")
    monkeypatch.setenv("ROASTCTL_TRACKER__SAMPLING_INTERVAL_S", "2")
    assert load_config(path).tracker.sampling_interval_s == 2.0


def test_toml_section_merges_with_env_key_of_same_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_toml(tmp_path, '[tracker]\nror_span_s = 40\nror_method = "two_point"\n')
    monkeypatch.setenv("ROASTCTL_TRACKER__SAMPLING_INTERVAL_S", "2")
    tracker = load_config(path).tracker
    assert tracker.sampling_interval_s == 2.0  # from the environment
    assert tracker.ror_span_s == 40.0  # from the file, same section
    assert tracker.ror_method == "two_point"
    assert tracker.dry_end_temp_c == 150.0  # default


# --- invalid values -----------------------------------------------------------------------------


def test_out_of_range_env_value_names_key_value_range_and_env_var(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ROASTCTL_TRACKER__SAMPLING_INTERVAL_S", "20")
    message = config_error()
    assert "tracker.sampling_interval_s" in message
    assert "20" in message
    assert "10" in message
    assert "ROASTCTL_TRACKER__SAMPLING_INTERVAL_S" in message


def test_out_of_range_toml_value_names_key_value_and_range(tmp_path: Path) -> None:
    path = write_toml(tmp_path, "[tracker]\nsampling_interval_s = 0.01\n")
    message = config_error(path)
    assert "tracker.sampling_interval_s" in message
    assert "0.01" in message
    assert "0.1" in message


def test_every_bad_key_is_reported(tmp_path: Path) -> None:
    path = write_toml(
        tmp_path, "[tracker]\nsampling_interval_s = 20\n[hardware]\nheat_step_percent = 7\n"
    )
    message = config_error(path)
    assert "tracker.sampling_interval_s" in message
    assert "hardware.heat_step_percent" in message


def test_literal_value_lists_allowed_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROASTCTL_HARDWARE__DRIVER", "serial")
    message = config_error()
    assert "hardware.driver" in message
    assert "serial" in message
    for allowed in ("simulator", "hottop", "replay"):
        assert allowed in message


def test_unparseable_env_number_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROASTCTL_TRACKER__ROR_SPAN_S", "thirty")
    message = config_error()
    assert "tracker.ror_span_s" in message
    assert "thirty" in message


def test_unknown_key_in_section_refused(tmp_path: Path) -> None:
    path = write_toml(tmp_path, "[tracker]\nsampling_intervall_s = 2\n")
    message = config_error(path)
    assert "tracker.sampling_intervall_s" in message
    assert "unknown key" in message


def test_unknown_top_level_key_refused(tmp_path: Path) -> None:
    path = write_toml(tmp_path, 'timezon = "UTC"\n')
    message = config_error(path)
    assert "timezon" in message
    assert "unknown key" in message


def test_unknown_nested_env_key_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROASTCTL_HARDWARE__BAUDRATE", "9600")
    message = config_error()
    assert "hardware.baudrate" in message
    assert "unknown key" in message
    assert "ROASTCTL_HARDWARE__BAUDRATE" in message


def test_invalid_timezone_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROASTCTL_TIMEZONE", "Mars/Base")
    message = config_error()
    assert "timezone" in message
    assert "Mars/Base" in message
    assert "ROASTCTL_TIMEZONE" in message


@pytest.mark.parametrize("name", ["../../etc/passwd", "", "/etc/localtime"])
def test_timezone_that_is_not_an_iana_key_refused(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROASTCTL_TIMEZONE", name)
    assert "timezone" in config_error()


def test_valid_iana_timezone_accepted(tmp_path: Path) -> None:
    path = write_toml(tmp_path, 'timezone = "Europe/Berlin"\n')
    config = load_config(path)
    assert config.timezone == "Europe/Berlin"
    zone = config.local_zone()
    assert isinstance(zone, ZoneInfo)
    assert zone.key == "Europe/Berlin"


def test_heat_step_not_allowed_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROASTCTL_HARDWARE__HEAT_STEP_PERCENT", "7")
    message = config_error()
    assert "hardware.heat_step_percent" in message
    assert "7" in message
    assert "(1, 2, 5, 10, 20, 25)" in message


def test_heat_step_allowed_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROASTCTL_HARDWARE__HEAT_STEP_PERCENT", "5")
    assert load_config().hardware.heat_step_percent == 5


@pytest.mark.parametrize(("low", "high"), [(30, 20), (20, 20)])
def test_development_target_min_not_below_max_refused(low: int, high: int, tmp_path: Path) -> None:
    path = write_toml(
        tmp_path,
        f"[tracker]\ndevelopment_target_min_percent = {low}\n"
        f"development_target_max_percent = {high}\n",
    )
    message = config_error(path)
    assert "development_target_min_percent" in message
    assert "development_target_max_percent" in message
    assert "must be above" in message


def test_development_target_min_above_default_max_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ROASTCTL_TRACKER__DEVELOPMENT_TARGET_MIN_PERCENT", "25")
    assert "development_target_min_percent" in config_error()


def test_development_target_ordered_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROASTCTL_TRACKER__DEVELOPMENT_TARGET_MIN_PERCENT", "18")
    monkeypatch.setenv("ROASTCTL_TRACKER__DEVELOPMENT_TARGET_MAX_PERCENT", "22")
    tracker = load_config().tracker
    assert (tracker.development_target_min_percent, tracker.development_target_max_percent) == (
        18.0,
        22.0,
    )


# --- file problems ------------------------------------------------------------------------------


def test_missing_config_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "roastctl.toml"
    message = config_error(missing)
    assert str(missing) in message
    assert "does not exist" in message


def test_missing_config_file_from_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "absent.toml"
    monkeypatch.setenv(CONFIG_ENV_VAR, str(missing))
    message = config_error()
    assert str(missing) in message
    assert CONFIG_ENV_VAR in message


def test_malformed_toml_refused(tmp_path: Path) -> None:
    path = write_toml(tmp_path, "[tracker\nsampling_interval_s = \n")
    message = config_error(path)
    assert str(path) in message
    assert "not valid TOML" in message


def test_misspelt_environment_variable_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROASTCTL_TIMEZON", "UTC")
    message = config_error()
    assert "ROASTCTL_TIMEZON" in message
    assert "docs/configuration.md" in message
