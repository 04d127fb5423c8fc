"""Forecasts from the live estimate: BT ahead, dry end, first crack and the drop, with intervals.

The model is run ahead from the estimate holding the current settings (or a what-if schedule).
Intervals are 80 % (10th to 90th percentile) and come from two sources, added in quadrature:

* the heater-power multiple's uncertainty: a second run at one standard deviation more heat
  shows how far the curve moves per standard deviation;
* the model's own error, which grows with the look ahead, a little slower than in proportion:
  :data:`MODEL_ERROR_AT_60S_C` a minute ahead, times (look ahead / 60 s) ^
  :data:`MODEL_ERROR_GROWTH`, set so that the intervals hold the truth about 80 % of the time at
  60, 120 and 180 s on real Hottop roasts (``benchmarks/forecast_accuracy.py``).

Event times come from where the forecast BT curve crosses the event's BT. The first-crack BT is
itself uncertain (where operators hear it varies by several degrees); its 10th and 90th
percentile (:class:`~roastctl.forecast.first_crack.FirstCrackReference`) widen that interval.
The drop is timed for the development target once first crack is marked: the roast time at
which development would be that share of the whole, ``FCs / (1 - DTR)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from roastctl.forecast.correction import CAP_S, ForecastCorrection
from roastctl.forecast.estimator import TwinEstimator
from roastctl.forecast.first_crack import FirstCrackReference
from roastctl.forecast.rollout import Trajectory, run_ahead
from roastctl.models import ForecastPoint, ForecastState, RoastForecast, SettingChange

__all__ = [
    "CURVE_STEP_S",
    "LOOK_AHEAD_S",
    "MAX_LOOK_AHEAD_S",
    "MODEL_ERROR_AT_60S_C",
    "MODEL_ERROR_GROWTH",
    "RoastProgress",
    "RoastTargets",
    "make_forecast",
]

#: The standard normal quantile of 90 %: +-1.2816 standard deviations hold 80 %.
_Z80 = 1.2816

#: Standard deviation of the model's BT forecast error a minute ahead (degC), and how it grows
#: with the look ahead (an exponent of the look ahead in minutes); from the forecast benchmark on
#: the shared Hottop roasts (docs/forecast.md).
MODEL_ERROR_AT_60S_C = 1.5
MODEL_ERROR_GROWTH = 0.6

#: The BT look-aheads the status names (s).
LOOK_AHEAD_S = (60.0, 120.0, 180.0)

#: Longest look ahead for an event (s): beyond 20 minutes a roast is not going where it is.
MAX_LOOK_AHEAD_S = 1200.0

#: Spacing of the curve handed to the dashboard (s).
CURVE_STEP_S = 10.0

#: How far past the latest first-crack BT the look ahead runs, so its interval has an end (degC).
_PAST_TARGET_C = 1.0

#: Slowest forecast rise that still times an event (degC/s): flatter, and a degree is minutes.
_MIN_RISE_C_PER_S = 0.005


@dataclass(frozen=True, slots=True)
class RoastProgress:
    """Where the roast stands, from the tracker's marks."""

    elapsed_s: float | None
    """Seconds since CHARGE; None before it."""
    dry_end_reached: bool = False
    first_crack_elapsed_s: float | None = None
    """Seconds from CHARGE to the FCs mark; None before it is marked."""
    dropped: bool = False


@dataclass(frozen=True, slots=True)
class RoastTargets:
    """What the forecast times: the dry-end BT, first crack and the development target."""

    dry_end_bt_c: float
    first_crack: FirstCrackReference
    development_percent: float
    """Development time ratio (%) the drop is timed for."""


def make_forecast(
    estimator: TwinEstimator,
    progress: RoastProgress,
    targets: RoastTargets,
    *,
    schedule: Sequence[SettingChange] = (),
    curve_horizon_s: float = LOOK_AHEAD_S[-1],
    correction: ForecastCorrection | None = None,
) -> RoastForecast:
    """Return the forecast from the estimate now, holding the settings or following ``schedule``.

    With a ``correction`` (and a batch in) the model's curve is corrected by it
    (:mod:`roastctl.forecast.correction`).
    """
    actuators = estimator.actuators
    as_of = estimator.time_s or 0.0
    heat = round(actuators.heat_percent) if actuators else 0
    fan = round(actuators.fan_percent) if actuators else 0
    # Under a schedule the forecast ends on its last settings: report those, not today's.
    for change in sorted(schedule, key=lambda change: change.at_s):
        heat = heat if change.heat_percent is None else change.heat_percent
        fan = fan if change.fan_percent is None else change.fan_percent
    state = ForecastState.ROAST_OVER if progress.dropped else estimator.state
    physics = estimator.physics_at_estimate()
    if state is not ForecastState.OK or physics is None or actuators is None:
        reason = (
            "the beans are out: nothing is left to forecast for this roast"
            if progress.dropped
            else estimator.reason
        )
        return RoastForecast(
            state=state, reason=reason, as_of_s=as_of, heat_percent=heat, fan_percent=fan
        )
    charged = estimator.charged and progress.elapsed_s is not None
    rate = 0.0
    filtered = estimator.bt_probe_c
    if correction is not None and charged and filtered is not None:
        rate = correction.rate_c_per_s(filtered, progress.elapsed_s or 0.0)
    fc = targets.first_crack
    stop_at: float | None = None
    horizon = max(curve_horizon_s, LOOK_AHEAD_S[-1])
    drop_in: float | None = None
    if charged and progress.first_crack_elapsed_s is None:
        # The run may stop once the corrected curve is surely past the latest target.
        stop_at = max(fc.high_c, fc.bean_temp_c) + _PAST_TARGET_C - min(0.0, CAP_S * rate)
        horizon = MAX_LOOK_AHEAD_S
    elif charged and progress.first_crack_elapsed_s is not None and progress.elapsed_s is not None:
        share = targets.development_percent / 100.0
        drop_at = progress.first_crack_elapsed_s / (1.0 - share)
        drop_in = max(0.0, drop_at - progress.elapsed_s)
        horizon = min(MAX_LOOK_AHEAD_S, max(horizon, drop_in))
    central = run_ahead(
        physics,
        actuators,
        horizon,
        schedule=schedule,
        stop_at_c=stop_at,
        min_horizon_s=max(curve_horizon_s, LOOK_AHEAD_S[-1]),
    )
    # The heater's share of the spread compares two uncorrected runs.
    spread = _Spread(estimator, central, schedule, max(curve_horizon_s, LOOK_AHEAD_S[-1]))
    if correction is not None and rate != 0.0:
        central = central.shifted(lambda ahead: correction.offset_c(ahead, rate))
    values: dict[str, object] = {}
    for ahead in LOOK_AHEAD_S:
        name = f"bt_in_{ahead:.0f}s_c"
        bt = central.at(ahead)
        if bt is not None:
            half = _Z80 * spread.sd(ahead)
            values[name] = round(bt, 1)
            values[name + "_low"] = round(bt - half, 1)
            values[name + "_high"] = round(bt + half, 1)
    if charged and not progress.dry_end_reached:
        values.update(
            _event("dry_end", central, spread, targets.dry_end_bt_c, targets.dry_end_bt_c)
        )
        values["dry_end_bt_c"] = targets.dry_end_bt_c
    if charged:
        values["first_crack_bt_c"] = round(fc.bean_temp_c, 1)
        values["first_crack_bt_basis"] = fc.basis
        values["first_crack_history_roasts"] = fc.roasts
        if progress.first_crack_elapsed_s is None:
            values.update(
                _event("first_crack", central, spread, fc.low_c, fc.high_c, fc.bean_temp_c)
            )
    if drop_in is not None:
        values["drop_in_s"] = round(drop_in, 1)
        drop_bt = central.at(drop_in)
        values["drop_bt_c"] = None if drop_bt is None else round(drop_bt, 1)
        values["drop_development_percent"] = targets.development_percent
    moisture = estimator.moisture_fraction
    bean = estimator.bean_mass_temp_c
    bean_sd = estimator.bean_mass_temp_std_c
    factor = estimator.heater_factor
    factor_sd = estimator.heater_factor_std
    return RoastForecast(
        state=state,
        as_of_s=as_of,
        heat_percent=heat,
        fan_percent=fan,
        heater_power_factor=None if factor is None else round(factor, 3),
        heater_power_factor_std=None if factor_sd is None else round(factor_sd, 3),
        bean_mass_temp_c=None if bean is None else round(bean, 1),
        bean_mass_temp_std_c=None if bean_sd is None else round(bean_sd, 1),
        moisture_percent=None if moisture is None else round(moisture * 100.0, 2),
        curve=_curve(central, spread, curve_horizon_s),
        **values,
    )


class _Spread:
    """The forecast's standard deviation along its curve: heater uncertainty and model error.

    The run at one standard deviation more heat goes only as far as ``heater_horizon_s``;
    beyond it the heater's share grows on in proportion to the look ahead. Far ahead the
    model's own error dominates, and the second run would double the cost of a long look ahead.
    """

    def __init__(
        self,
        estimator: TwinEstimator,
        central: Trajectory,
        schedule: Sequence[SettingChange],
        heater_horizon_s: float,
    ) -> None:
        self._central = central
        self._shifted: Trajectory | None = None
        factor = estimator.heater_factor
        factor_sd = estimator.heater_factor_std
        actuators = estimator.actuators
        if factor is not None and factor_sd is not None and factor_sd > 0.0 and actuators:
            physics = estimator.physics_at_estimate(factor + factor_sd)
            if physics is not None:
                horizon = min(central.horizon_s, heater_horizon_s)
                self._shifted = run_ahead(physics, actuators, horizon, schedule=schedule)

    def sd(self, in_s: float) -> float:
        """Return the forecast BT's standard deviation ``in_s`` seconds ahead (degC)."""
        model = MODEL_ERROR_AT_60S_C * math.pow(max(in_s, 0.0) / 60.0, MODEL_ERROR_GROWTH)
        return math.hypot(model, self._heater(in_s))

    def _heater(self, in_s: float) -> float:
        shifted = self._shifted
        if shifted is None:
            return 0.0
        end = shifted.horizon_s
        at = min(in_s, end)
        moved = shifted.at(at)
        central = self._central.at(at)
        if moved is None or central is None:
            return 0.0
        share = moved - central
        return share if in_s <= end or end <= 0.0 else share * in_s / end


def _event(
    name: str,
    central: Trajectory,
    spread: _Spread,
    low_c: float,
    high_c: float,
    target_c: float | None = None,
) -> dict[str, object]:
    """Return ``<name>_in_s`` with its interval: when the curve reaches the event's BT."""
    target = low_c if target_c is None else target_c
    at = central.reaches(target)
    if at is None:
        return {}
    rise = (central.ror_c_per_min(at) or 0.0) / 60.0
    out: dict[str, object] = {f"{name}_in_s": round(at, 1)}
    if rise < _MIN_RISE_C_PER_S:
        return out
    # BT uncertainty at the crossing moves it by sd / slope; the event BT's own spread by
    # where the curve meets its 10th and 90th percentile. Both are 80 % half-widths.
    bt_half = _Z80 * spread.sd(at) / rise
    early = central.reaches(low_c)
    late = central.reaches(high_c)
    early_half = 0.0 if early is None else at - early
    out[f"{name}_in_s_low"] = round(max(0.0, at - math.hypot(bt_half, early_half)), 1)
    if late is not None:
        out[f"{name}_in_s_high"] = round(at + math.hypot(bt_half, late - at), 1)
    return out


def _curve(central: Trajectory, spread: _Spread, horizon_s: float) -> tuple[ForecastPoint, ...]:
    points: list[ForecastPoint] = []
    ahead = 0.0
    while ahead <= min(horizon_s, central.horizon_s) + 1e-9:
        bt = central.at(ahead)
        if bt is None:
            break
        half = _Z80 * spread.sd(ahead)
        ror = central.ror_c_per_min(ahead)
        points.append(
            ForecastPoint(
                in_s=ahead,
                bean_temp_c=round(bt, 1),
                bean_temp_low_c=round(bt - half, 1),
                bean_temp_high_c=round(bt + half, 1),
                bean_ror_c_per_min=None if ror is None else round(ror, 1),
            )
        )
        ahead += CURVE_STEP_S
    return tuple(points)
