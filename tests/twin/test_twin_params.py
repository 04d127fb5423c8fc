"""The twin's parameter files: shipped models, TOML round trip, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from roastctl.physics.model import PhysicsParams
from roastctl.physics.param_sets import (
    FIT_SPECS,
    MODEL_NAMES,
    TwinParamsError,
    builtin_model,
    load_model,
    model_to_toml,
    save_model,
)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_shipped_models_load(name: str) -> None:
    model = builtin_model(name)
    assert model.physics.heater_power_w > 0
    assert load_model(name) == model


def test_reference_model_is_the_hand_tuned_set() -> None:
    assert builtin_model("reference").physics == PhysicsParams.hottop()


def test_fitted_hottop_values_sit_inside_their_bounds() -> None:
    model = builtin_model("hottop")
    for spec in FIT_SPECS:
        assert spec.lower <= model.value(spec.name) <= spec.upper, spec.name
    assert model.fit["logs"], "the shipped file names the logs it was fitted on"


def test_toml_round_trip_is_exact(tmp_path: Path) -> None:
    model = builtin_model("hottop").with_values(
        {"heater_power_w": 1234.5678901234, "charge_drum_offset_c": -12.25}
    )
    path = tmp_path / "model.toml"
    save_model(model, path)
    loaded = load_model(path)
    assert loaded.physics == model.physics
    assert loaded.charge_drum_offset_c == model.charge_drum_offset_c
    assert model_to_toml(loaded) == model_to_toml(model)


def test_out_of_range_value_names_value_range_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[physics]\nheater_power_w = 5000.0\n", encoding="utf-8")
    with pytest.raises(TwinParamsError, match=r"heater_power_w = 5000 W is outside 800-2000 W"):
        load_model(path)


def test_unknown_key_is_refused_with_the_allowed_names(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[physics]\nheater_watts = 1300.0\n", encoding="utf-8")
    with pytest.raises(TwinParamsError, match=r"unknown \[physics\] key\(s\) heater_watts"):
        load_model(path)


def test_unknown_model_name_lists_the_choices() -> None:
    with pytest.raises(TwinParamsError, match="reference, hottop, generic"):
        builtin_model("bullet")
