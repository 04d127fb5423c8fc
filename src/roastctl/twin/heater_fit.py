"""How strong one roast's heater behaved: the heater-power scale that best explains its log.

A Hottop's element is a resistor on the mains, so its power follows the square of the line
voltage: 110 V against 120 V is 16 % less heat.  Roast logs do not record the voltage (nor the
bean density or the room), so an open-loop replay runs every log at the model's one heater
power.  :func:`fit_heater_scale` asks, after the fact, at what multiple of that power the model
reproduces a given log best.  It is a diagnostic, not a prediction: the scale comes from the
roast it explains.  A log that replays well at a scale far from 1 differed from the model in
how much heat it got, not in how it answered that heat.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from roastctl.physics.param_sets import TwinModel
from roastctl.twin.check import rmse
from roastctl.twin.drive import ReplayInputs, replay

__all__ = ["HEATER_SCALE_RANGE", "HeaterFit", "fit_heater_scale", "with_heater_scale"]

#: Heater-power multiples searched: a 120 V element on 100-137 V, wider than any mains supply
#: strays, so a log pressed against an end differs from the model in more than its voltage.
HEATER_SCALE_RANGE = (0.7, 1.3)

#: The search stops once the bracket is this narrow (a multiple of the heater power).
_TOLERANCE = 0.002

#: 1 / golden ratio: each step keeps this share of the bracket.
_INVERSE_PHI = (math.sqrt(5.0) - 1.0) / 2.0


@dataclass(frozen=True, slots=True)
class HeaterFit:
    """The heater-power multiple that replays one log best, and the error there."""

    scale: float
    """Heater power the roast behaved as if it had, over the model's (1 = as modelled)."""
    bt_rmse_c: float
    """BT RMSE from CHARGE to DROP replayed at that power (degC)."""


def with_heater_scale(model: TwinModel, scale: float) -> TwinModel:
    """Return ``model`` with its heater power multiplied by ``scale``."""
    return model.with_values({"heater_power_w": model.physics.heater_power_w * scale})


def fit_heater_scale(inputs: ReplayInputs, model: TwinModel) -> HeaterFit:
    """Return the heater-power multiple in :data:`HEATER_SCALE_RANGE` that fits ``inputs`` best.

    Golden-section search on the BT RMSE of the open-loop replay; more heat moves the whole
    curve up and earlier, so the error has one minimum in the range (or sits at an end).
    """

    def bt_error(scale: float) -> float:
        value = rmse(
            replay(inputs, with_heater_scale(model, scale)).bean_temps_c, inputs.bean_temps_c
        )
        return math.inf if value is None or not math.isfinite(value) else value

    low, high = HEATER_SCALE_RANGE
    inner_low = high - _INVERSE_PHI * (high - low)
    inner_high = low + _INVERSE_PHI * (high - low)
    error_low, error_high = bt_error(inner_low), bt_error(inner_high)
    while high - low > _TOLERANCE:
        if error_low <= error_high:
            high, inner_high, error_high = inner_high, inner_low, error_low
            inner_low = high - _INVERSE_PHI * (high - low)
            error_low = bt_error(inner_low)
        else:
            low, inner_low, error_low = inner_low, inner_high, error_high
            inner_high = low + _INVERSE_PHI * (high - low)
            error_high = bt_error(inner_high)
    # The ends are never evaluated inside the loop; a log that wants more (or less) than the
    # range allows is reported at the end it presses against.
    candidates = [(error_low, inner_low), (error_high, inner_high)]
    candidates += [(bt_error(end), end) for end in HEATER_SCALE_RANGE]
    error, scale = min(candidates)
    return HeaterFit(scale=scale, bt_rmse_c=error)
