"""The forecast as the page gets it: trimmed to what it draws and shows, placed on wall time."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from roastctl.clock import ManualClock
from roastctl.config import ServerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.models import (
    FirstCrackBasis,
    ForecastPoint,
    ForecastState,
    RoastForecast,
    SensorReading,
)
from roastctl.session.manager import RoastSessionManager
from roastctl.web.dashboard_status import dashboard_status
from roastctl.web.forecast_view import forecast_view
from support import preheat_and_charge, run_until

WALL = datetime(2026, 1, 1, 8, 10, tzinfo=UTC)


def _sensors(monotonic_s: float) -> SensorReading:
    return SensorReading(
        timestamp=WALL,
        monotonic_s=monotonic_s,
        bean_temp_c=123.04,
        env_temp_c=200.0,
        heat_percent=100,
        fan_percent=0,
        drum_on=True,
        door_open=False,
        cooling_on=False,
    )


def _forecast(state: ForecastState = ForecastState.OK, **fields: object) -> RoastForecast:
    curve = tuple(
        ForecastPoint(
            in_s=float(k * 10),
            bean_temp_c=123.04 + k * 2.345,
            bean_temp_low_c=123.04 + k * 2.0,
            bean_temp_high_c=123.04 + k * 2.7,
            bean_ror_c_per_min=14.07,
        )
        for k in range(19)
    )
    values: dict[str, object] = {
        "state": state,
        "as_of_s": 1784.0,
        "heat_percent": 100,
        "fan_percent": 0,
        "first_crack_in_s": 254.83,
        "first_crack_in_s_low": 195.21,
        "first_crack_in_s_high": 313.27,
        "first_crack_bt_c": 177.64,
        "first_crack_bt_basis": FirstCrackBasis.HISTORY,
        "first_crack_history_roasts": 4,
        "dry_end_in_s": 108.04,
        "heater_power_factor": 1.04321,
        "heater_power_factor_std": 0.03876,
        "bean_mass_temp_c": 147.3,
        "moisture_percent": 9.2,
        "curve": curve,
    }
    values.update(fields)
    return RoastForecast.model_validate(values)


def test_the_page_gets_the_curve_as_rows_and_the_readouts_rounded() -> None:
    view = forecast_view(_forecast(), _sensors(1784.0))
    assert view is not None
    assert view["state"] == "ok"
    assert view["as_of_wall_s"] == WALL.timestamp()
    assert view["curve"][0] == (0.0, 123.0, 123.0, 123.0)
    assert view["curve"][1] == (10.0, 125.4, 125.0, 125.7)
    assert len(view["curve"]) == 19
    assert view["first_crack_in_s"] == 254.8
    assert (view["first_crack_in_s_low"], view["first_crack_in_s_high"]) == (195.2, 313.3)
    assert view["first_crack_bt_c"] == 177.6
    assert view["first_crack_bt_basis"] == "history"
    assert view["first_crack_history_roasts"] == 4
    assert view["drop_in_s"] is None  # null stays null, never a made-up number
    assert view["heater_power_factor"] == 1.043
    assert view["heater_power_factor_std"] == 0.039
    # What the page does not use stays on the server: the RoR column, the estimates.
    assert "bean_mass_temp_c" not in view
    assert "moisture_percent" not in view
    assert "bt_in_60s_c" not in view


def test_the_trimmed_forecast_is_a_fraction_of_the_full_one() -> None:
    forecast = _forecast()
    full = len(json.dumps(forecast.model_dump(mode="json"), separators=(",", ":")))
    trimmed = len(json.dumps(forecast_view(forecast, _sensors(1784.0)), separators=(",", ":")))
    assert trimmed < full / 2, (trimmed, full)
    assert trimmed < 1200


def test_a_forecast_made_before_the_newest_sample_is_placed_at_its_own_time() -> None:
    view = forecast_view(_forecast(), _sensors(1786.5))
    assert view is not None
    assert view["as_of_wall_s"] == WALL.timestamp() - 2.5


def test_a_forecast_that_is_not_ok_sends_no_curve_and_its_reason() -> None:
    reason = "the estimate is settling on the roaster: 30 s more"
    view = forecast_view(_forecast(ForecastState.WARMING_UP, reason=reason), _sensors(1784.0))
    assert view is not None
    assert view["state"] == "warming_up"
    assert view["reason"] == reason
    assert view["curve"] == []


def test_no_forecast_and_no_reading_give_nulls() -> None:
    assert forecast_view(None, _sensors(1.0)) is None
    view = forecast_view(_forecast(), None)
    assert view is not None
    assert view["as_of_wall_s"] is None


def test_the_dashboard_status_of_a_simulated_roast_carries_the_forecast() -> None:
    clock = ManualClock()
    config = ServerConfig(timezone="UTC")
    manager = RoastSessionManager(
        SimulatedRoaster(config.simulator, clock), config, clock=clock, background_polling=False
    )
    manager.start_session()
    try:
        preheat_and_charge(manager, clock)
        status = run_until(
            manager, clock, lambda s: (s.metrics.roast_elapsed_s or 0) >= 120, forecast=True
        )
        view = dashboard_status(manager, status)
        forecast = view["forecast"]
        assert forecast["state"] == "ok"
        assert status.sensors is not None
        assert status.forecast is not None
        # The forecast may be a few samples old ([forecast] refresh_s): it sits at its own sample.
        lag = status.sensors.monotonic_s - status.forecast.as_of_s
        assert 0.0 <= lag < manager.config.forecast.refresh_s
        expected = status.sensors.timestamp.timestamp() - lag
        assert forecast["as_of_wall_s"] == pytest.approx(expected, abs=0.002)
        assert [row[0] for row in forecast["curve"]] == [10.0 * k for k in range(19)]
        assert forecast["first_crack_bt_basis"] == "model"
        json.dumps(view)  # JSON-ready as it is
    finally:
        manager.stop_session()
