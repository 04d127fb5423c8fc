"""Open-loop replay and the twin-check metrics."""

from __future__ import annotations

import dataclasses
import math

import pytest
from twin_support import synthetic_roast

from roastctl.models import RoastEventType
from roastctl.physics.param_sets import builtin_model
from roastctl.twin.check import check_replay, crossing_time, rmse
from roastctl.twin.drive import TwinDataError, prepare_replay


def test_a_log_made_by_the_model_replays_with_no_error() -> None:
    model = builtin_model("hottop")
    inputs = prepare_replay(synthetic_roast(model), "own")
    check = check_replay(inputs, model)
    assert check.bt_rmse_c < 1e-9
    assert check.et_rmse_c is not None
    assert check.et_rmse_c < 1e-9
    assert check.t150_error_s == pytest.approx(0.0, abs=1e-9)


def test_another_model_shows_its_error() -> None:
    inputs = prepare_replay(synthetic_roast(builtin_model("hottop")), "own")
    check = check_replay(inputs, builtin_model("generic"))
    assert check.bt_rmse_c > 2.0
    assert check.t150_error_s is not None


def test_more_heater_power_reaches_150_sooner() -> None:
    model = builtin_model("hottop")
    inputs = prepare_replay(synthetic_roast(model), "own")
    stronger = model.with_values({"heater_power_w": model.physics.heater_power_w * 1.2})
    check = check_replay(inputs, stronger)
    assert check.t150_error_s is not None
    assert check.t150_error_s < -10.0


def test_crossing_time_starts_after_the_charge_dip() -> None:
    times = [0.0, 10.0, 20.0, 30.0, 40.0]
    temps: list[float | None] = [180.0, 90.0, 120.0, None, 160.0]
    # 180 at charge is above 150 but comes before the minimum; the rise crosses between 20-40 s.
    assert crossing_time(times, temps, 150.0) == pytest.approx(35.0)
    assert crossing_time(times, [100.0, 90.0, 95.0, 99.0, 100.0], 150.0) is None


def test_rmse_skips_missing_samples() -> None:
    assert rmse([1.0, 2.0, 3.0], [1.0, None, 7.0]) == pytest.approx(math.sqrt(8.0))
    assert rmse([1.0], [None]) is None


def test_late_drop_is_trimmed_to_the_bt_peak() -> None:
    roast = synthetic_roast(builtin_model("hottop"))
    count = len(roast.times)
    # The beans left at the last sample; the button was pressed 60 s later as BT fell.
    times = roast.times + [roast.times[-1] + 2.0 * (i + 1) for i in range(30)]
    peak = roast.bean_temps[-1]
    assert peak is not None
    late = dataclasses.replace(
        roast,
        times=times,
        bean_temps=roast.bean_temps + [peak - 1.0 * (i + 1) for i in range(30)],
        env_temps=roast.env_temps + [None] * 30,
        heater_percent=(roast.heater_percent or []) + [0.0] * 30,
        fan_percent=(roast.fan_percent or []) + [100.0] * 30,
        marks={**roast.marks, RoastEventType.DROP: count + 29},
    )
    inputs = prepare_replay(late, "late")
    assert inputs.drop_trimmed
    assert len(inputs.times_s) == count


def test_log_without_heater_channel_is_refused_with_the_reason() -> None:
    roast = dataclasses.replace(synthetic_roast(builtin_model("generic")), heater_percent=None)
    with pytest.raises(TwinDataError, match="no heater/fan channels"):
        prepare_replay(roast, "bare.alog")


def test_log_without_drop_is_refused_with_the_reason() -> None:
    roast = synthetic_roast(builtin_model("generic"))
    roast = dataclasses.replace(roast, marks={RoastEventType.CHARGE: 0})
    with pytest.raises(TwinDataError, match=r"needs CHARGE and DROP marks .*DROP=None"):
        prepare_replay(roast, "nodrop.alog")


def test_an_early_charge_mark_moves_to_where_bt_starts_to_fall() -> None:
    roast = synthetic_roast(builtin_model("hottop"))
    # Shift the curve 20 s (10 samples) later: BT holds its charge reading after the mark.
    held = [roast.bean_temps[0]] * 10
    late = dataclasses.replace(
        roast,
        bean_temps=held + roast.bean_temps[:-10],
        env_temps=[roast.env_temps[0]] * 10 + roast.env_temps[:-10],
    )
    inputs = prepare_replay(late, "late")
    # The replay starts at the BT peak where the fall begins: the held samples are skipped.
    assert len(roast.times) - 12 <= len(inputs.times_s) <= len(roast.times) - 10
    first, third = inputs.bean_temps_c[0], inputs.bean_temps_c[2]
    assert first is not None
    assert third is not None
    assert third < first


def test_a_cold_start_gives_the_room_temperature() -> None:
    roast = synthetic_roast(builtin_model("hottop"))
    cold = dataclasses.replace(
        roast,
        times=[-4.0, -2.0, *roast.times],
        bean_temps=[18.0, 19.0, *roast.bean_temps],
        env_temps=[18.5, 20.0, *roast.env_temps],
        heater_percent=[0.0, 0.0, *(roast.heater_percent or [])],
        fan_percent=[0.0, 0.0, *(roast.fan_percent or [])],
        marks={event: index + 2 for event, index in roast.marks.items()},
    )
    assert prepare_replay(cold, "cold").ambient_c == 18.0
    assert prepare_replay(roast, "warm").ambient_c == 22.0
