"""The page's view of a :class:`~roastctl.models.RoastForecast`: the curve to draw and the ETAs.

The full forecast is about 3 KB and the status goes to the page several times a second, so the
page gets only what it draws and shows: the curve as ``[in_s, BT, low, high]`` rows, the first
crack, drop and dry-end ETAs, and the heater estimate. The curve starts at the forecast's sample;
``as_of_wall_s`` places it on the page's time axis (wall seconds, like the feed's samples).
"""

from __future__ import annotations

from typing import Any

from roastctl.models import ForecastState, RoastForecast, SensorReading

#: One curve point as sent to the page: seconds ahead, BT, its 10th and 90th percentiles (°C).
CurveRow = tuple[float, float, float, float]


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def forecast_view(
    forecast: RoastForecast | None, sensors: SensorReading | None
) -> dict[str, Any] | None:
    """Return the forecast's readouts and curve as JSON-ready data; ``None`` without a forecast.

    ``sensors`` (the newest reading) maps the forecast's session-clock time to wall time. The
    curve is sent only when the state is ``ok``: otherwise the page shows ``reason`` instead.
    """
    if forecast is None:
        return None
    ok = forecast.state is ForecastState.OK
    curve: list[CurveRow] = []
    if ok:
        curve = [
            (
                round(p.in_s, 1),
                round(p.bean_temp_c, 1),
                round(p.bean_temp_low_c, 1),
                round(p.bean_temp_high_c, 1),
            )
            for p in forecast.curve
        ]
    as_of_wall_s = None
    if sensors is not None:
        # The forecast is usually made at the newest sample; any gap is counted in clock seconds.
        offset = forecast.as_of_s - sensors.monotonic_s
        as_of_wall_s = round(sensors.timestamp.timestamp() + offset, 3)
    basis = forecast.first_crack_bt_basis
    return {
        "state": forecast.state.value,
        "reason": forecast.reason,
        "as_of_wall_s": as_of_wall_s,
        "first_crack_in_s": _r(forecast.first_crack_in_s),
        "first_crack_in_s_low": _r(forecast.first_crack_in_s_low),
        "first_crack_in_s_high": _r(forecast.first_crack_in_s_high),
        "first_crack_bt_c": _r(forecast.first_crack_bt_c),
        "first_crack_bt_basis": None if basis is None else basis.value,
        "first_crack_history_roasts": forecast.first_crack_history_roasts,
        "drop_in_s": _r(forecast.drop_in_s),
        "drop_bt_c": _r(forecast.drop_bt_c),
        "drop_development_percent": _r(forecast.drop_development_percent),
        "dry_end_in_s": _r(forecast.dry_end_in_s),
        "heater_power_factor": _r(forecast.heater_power_factor, 3),
        "heater_power_factor_std": _r(forecast.heater_power_factor_std, 3),
        "curve": curve,
    }


__all__ = ["CurveRow", "forecast_view"]
