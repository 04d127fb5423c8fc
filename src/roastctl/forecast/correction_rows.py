"""Training rows for the forecast correction: a recorded roast replayed through the live estimator.

The recording is read as a live session reads a roaster: every sample, from the first (the
preheat tells the estimator about the heater), with the heater and fan the log recorded, the
batch put in at the CHARGE mark. From the turning point to two minutes before DROP, every
``every_s`` seconds, the model is run ahead :data:`~roastctl.forecast.correction.CAP_S` seconds
from the estimate holding the settings, and the row keeps how far the recorded BT then was from
it. Nothing is learned from the roast being forecast: the rows only ever train other roasts'
corrections.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from roastctl.forecast.correction import CAP_S, CorrectionRow
from roastctl.forecast.estimator import TwinEstimator
from roastctl.forecast.rollout import Trajectory, run_ahead
from roastctl.logs.record import RecordedRoast
from roastctl.models import RoastEventType, SensorReading
from roastctl.physics.param_sets import TwinModel

__all__ = ["correction_rows"]

#: How long after CHARGE the turning point is looked for (s).
_TURNING_SEARCH_S = 240.0
#: Batch mass (kg) when a log does not record one: the Hottop's usual load.
_DEFAULT_BATCH_KG = 0.22
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def correction_rows(
    roast: RecordedRoast, model: TwinModel, *, every_s: float = 10.0
) -> list[CorrectionRow]:
    """Return the forecast errors of ``model``'s estimate along ``roast`` (empty if unusable).

    A roast is unusable without CHARGE and DROP marks or without heater and fan channels.
    """
    charge = roast.marks.get(RoastEventType.CHARGE)
    drop = roast.marks.get(RoastEventType.DROP)
    if charge is None or drop is None or roast.heater_percent is None or roast.fan_percent is None:
        return []
    times = roast.times
    charge_s, drop_s = times[charge], times[drop]
    turning_s = _turning_point(roast, charge, charge_s)
    recorded = Trajectory(
        times_s=tuple(t for t, bt in zip(times, roast.bean_temps, strict=True) if bt is not None),
        bean_temps_c=tuple(bt for bt in roast.bean_temps if bt is not None),
    )
    estimator = TwinEstimator(model)
    mass = (roast.batch_mass_g / 1000.0) if roast.batch_mass_g else _DEFAULT_BATCH_KG
    rows: list[CorrectionRow] = []
    next_row_s = turning_s
    heat = fan = 0.0
    for index, time_s in enumerate(times):
        if time_s > drop_s:
            break
        heat = _held(roast.heater_percent[index], heat)
        fan = _held(roast.fan_percent[index], fan)
        bean = roast.bean_temps[index]
        if bean is None:
            continue
        env = roast.env_temps[index]
        estimator.observe(
            SensorReading(
                timestamp=_EPOCH + timedelta(seconds=time_s),
                monotonic_s=time_s,
                bean_temp_c=bean,
                env_temp_c=bean if env is None else env,
                heat_percent=round(heat),
                fan_percent=round(fan),
                drum_on=True,
                door_open=False,
                cooling_on=False,
            )
        )
        if index >= charge and not estimator.charged:
            estimator.charge(charge_s, mass)
        if time_s < next_row_s or time_s + CAP_S > drop_s:
            continue
        next_row_s = time_s + every_s
        physics = estimator.physics_at_estimate()
        actuators = estimator.actuators
        filtered = estimator.bt_probe_c
        if physics is None or actuators is None or filtered is None:
            continue
        forecast = run_ahead(physics, actuators, CAP_S).at(CAP_S)
        truth = recorded.at(time_s + CAP_S)
        if forecast is None or truth is None:
            continue
        rows.append(
            CorrectionRow(
                bean_temp_c=filtered,
                since_charge_s=time_s - charge_s,
                ahead_s=CAP_S,
                error_c=truth - forecast,
            )
        )
    return rows


def _held(value: float | None, last: float) -> float:
    """Return the recorded setting, or the last one over a gap."""
    return last if value is None else min(max(value, 0.0), 100.0)


def _turning_point(roast: RecordedRoast, charge: int, charge_s: float) -> float:
    """Return the time of the lowest BT within the first minutes after CHARGE."""
    best_s, best_bt = charge_s, float("inf")
    for time_s, bean in zip(roast.times[charge:], roast.bean_temps[charge:], strict=True):
        if time_s - charge_s > _TURNING_SEARCH_S:
            break
        if bean is not None and bean < best_bt:
            best_s, best_bt = time_s, bean
    return best_s
