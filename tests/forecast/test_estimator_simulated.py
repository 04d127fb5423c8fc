"""The live estimate on a simulated Hottop whose heater differs from the model's, unannounced."""

from __future__ import annotations

import pytest
from forecast_support import charged_and_roasting, hidden_heater_session

from roastctl.models import ForecastState, RoastForecast, RoastStatus
from support import run_until


def forecast_of(status: RoastStatus) -> RoastForecast:
    assert status.forecast is not None, "an active session has a forecast"
    return status.forecast


@pytest.mark.parametrize("factor", [0.85, 1.15])
def test_the_heater_multiple_is_found_and_bt_two_minutes_ahead_comes_true(factor: float) -> None:
    manager, _, clock = hidden_heater_session(factor)
    status = charged_and_roasting(manager, clock, seconds=240.0)
    forecast = forecast_of(status)
    assert forecast.state is ForecastState.OK
    assert forecast.heater_power_factor is not None
    assert forecast.heater_power_factor_std is not None
    # Told nothing, it finds the heater within a few percent; the multiple may drift (a mains
    # voltage does), so its standard deviation stays near a tenth.
    assert abs(forecast.heater_power_factor - factor) < 0.06
    assert forecast.heater_power_factor_std < 0.2
    predicted = forecast.bt_in_120s_c
    low, high = forecast.bt_in_120s_c_low, forecast.bt_in_120s_c_high
    assert predicted is not None
    assert low is not None
    assert high is not None
    assert low < predicted < high
    start = clock.monotonic()
    later = run_until(manager, clock, lambda s: clock.monotonic() - start >= 120.0, forecast=True)
    assert later.sensors is not None
    actual = later.sensors.bean_temp_c
    assert abs(predicted - actual) < 2.5, (predicted, actual)
    assert low <= actual <= high


def test_a_forecast_holds_every_number_it_promises_once_the_beans_are_in() -> None:
    manager, _, clock = hidden_heater_session(1.05)
    forecast = forecast_of(charged_and_roasting(manager, clock, seconds=150.0))
    for name in ("bt_in_60s_c", "bt_in_120s_c", "bt_in_180s_c"):
        value = getattr(forecast, name)
        assert getattr(forecast, name + "_low") <= value <= getattr(forecast, name + "_high")
    # 60 s ahead is surer than 180 s ahead.
    width_60 = forecast.bt_in_60s_c_high - forecast.bt_in_60s_c_low  # type: ignore[operator]
    width_180 = forecast.bt_in_180s_c_high - forecast.bt_in_180s_c_low  # type: ignore[operator]
    assert width_60 < width_180
    assert forecast.dry_end_in_s is not None
    assert forecast.dry_end_in_s > 0
    assert forecast.dry_end_bt_c == manager.config.tracker.dry_end_temp_c
    assert forecast.first_crack_in_s is not None
    assert forecast.first_crack_in_s_low is not None
    assert forecast.first_crack_in_s_high is not None
    assert forecast.first_crack_in_s_low <= forecast.first_crack_in_s
    assert forecast.first_crack_in_s <= forecast.first_crack_in_s_high
    assert forecast.dry_end_in_s < forecast.first_crack_in_s
    assert forecast.drop_in_s is None, "no drop time before first crack is known"
    assert forecast.bean_mass_temp_c is not None
    assert forecast.moisture_percent is not None
    assert 0.0 < forecast.moisture_percent < 11.0, "drying has begun"
    assert forecast.curve[0].in_s == 0.0
    assert forecast.curve[-1].in_s == 180.0


def test_before_charge_the_forecast_has_bt_but_no_roast_events() -> None:
    manager, _, clock = hidden_heater_session()
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(100)
    status = run_until(
        manager, clock, lambda s: forecast_of(s).state is ForecastState.OK, forecast=True
    )
    forecast = forecast_of(status)
    assert forecast.bt_in_60s_c is not None
    assert forecast.dry_end_in_s is None
    assert forecast.first_crack_in_s is None
    assert forecast.first_crack_bt_c is None
    assert forecast.drop_in_s is None


def test_a_probe_that_jumps_makes_the_forecast_say_so_and_go_null_then_come_back() -> None:
    manager, roaster, clock = hidden_heater_session(1.1)
    status = charged_and_roasting(manager, clock, seconds=200.0)
    assert status.sensors is not None
    heat_before = status.sensors.heat_percent
    jumped = status.sensors.bean_temp_c + 45.0
    roaster.override_probes(bean_c=jumped)
    status = run_until(
        manager,
        clock,
        lambda s: forecast_of(s).state is ForecastState.DIVERGED,
        limit_s=10.0,
        forecast=True,
    )
    forecast = forecast_of(status)
    assert forecast.bt_in_120s_c is None
    assert forecast.first_crack_in_s is None
    assert forecast.heater_power_factor is None
    assert forecast.reason is not None
    assert "restarted" in forecast.reason
    # The roast goes on untouched: no command came from the forecast.
    assert status.sensors is not None
    assert status.sensors.heat_percent == heat_before
    assert status.session_active
    roaster.override_probes(None, None)
    back = run_until(
        manager,
        clock,
        lambda s: forecast_of(s).state is ForecastState.OK,
        limit_s=240.0,
        forecast=True,
    )
    assert forecast_of(back).bt_in_120s_c is not None


def test_after_the_drop_the_forecast_says_the_roast_is_over() -> None:
    manager, _, clock = hidden_heater_session()
    charged_and_roasting(manager, clock, seconds=120.0)
    manager.drop_beans()
    status = run_until(
        manager, clock, lambda s: s.metrics.drop_s is not None, limit_s=10.0, forecast=True
    )
    forecast = forecast_of(status)
    assert forecast.state is ForecastState.ROAST_OVER
    assert forecast.bt_in_60s_c is None
    assert forecast.first_crack_in_s is None


def test_a_new_roast_restarts_the_estimate() -> None:
    manager, _, clock = hidden_heater_session()
    charged_and_roasting(manager, clock, seconds=60.0)
    manager.drop_beans()
    run_until(manager, clock, lambda s: s.metrics.drop_s is not None, limit_s=10.0, forecast=True)
    manager.new_roast()
    clock.advance(1.0)
    manager.poll_once()
    forecast = forecast_of(manager.get_status())
    assert forecast.state is ForecastState.WARMING_UP
    assert forecast.reason is not None
    assert "settling" in forecast.reason


def test_the_session_off_has_no_forecast_and_the_forecast_switched_off_has_none_either() -> None:
    from roastctl.config import ForecastConfig

    manager, _, _ = hidden_heater_session()
    assert manager.get_status().forecast is None
    off, _, clock = hidden_heater_session(forecast=ForecastConfig(enabled=False))
    status = charged_and_roasting(off, clock, seconds=30.0)
    assert status.forecast is None
