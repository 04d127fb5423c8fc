"""How close a model's open-loop replay comes to a recorded roast.

For each log: BT and ET root-mean-square error from CHARGE to DROP, the error in the time BT
first reaches 150 degC after the turning point, and the BT error at the recorded first-crack
mark.  Positive time errors mean the model is late; positive temperature errors mean it reads
high.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from roastctl.physics.param_sets import TwinModel
from roastctl.twin.drive import ReplayInputs, ReplayResult, replay

__all__ = ["MILESTONE_C", "TwinCheck", "check_replay", "crossing_time", "rmse"]

#: The BT milestone whose timing is compared (degC): mid-Maillard, well clear of the charge dip.
MILESTONE_C = 150.0


@dataclass(frozen=True, slots=True)
class TwinCheck:
    """Replay error of one log."""

    name: str
    """The log (file name)."""
    samples: int
    """Samples compared, CHARGE to DROP."""
    duration_s: float
    """CHARGE to DROP (s)."""
    bt_rmse_c: float
    """BT root-mean-square error (degC)."""
    et_rmse_c: float | None
    """ET root-mean-square error (degC); None if the log has no ET."""
    t150_error_s: float | None
    """Simulated minus recorded time of BT reaching 150 degC (s); None if either never does."""
    fcs_temp_error_c: float | None
    """Simulated minus recorded BT at the recorded FCs mark (degC); None if FCs is unmarked."""


def rmse(simulated: Sequence[float], recorded: Sequence[float | None]) -> float | None:
    """Return the RMS difference over the samples where ``recorded`` has a value."""
    total = 0.0
    count = 0
    for sim, rec in zip(simulated, recorded, strict=True):
        if rec is not None:
            total += (sim - rec) ** 2
            count += 1
    return math.sqrt(total / count) if count else None


def crossing_time(
    times: Sequence[float], temps: Sequence[float | None], level: float
) -> float | None:
    """Return when ``temps`` first rises through ``level`` after its minimum (interpolated).

    Starting from the minimum skips the charge: BT there reads the hot empty drum and can sit
    above the level before the beans pull it down.
    """
    known = [(t, v) for t, v in zip(times, temps, strict=True) if v is not None]
    if not known:
        return None
    low = min(range(len(known)), key=lambda i: known[i][1])
    for (t_a, v_a), (t_b, v_b) in zip(known[low:], known[low + 1 :], strict=False):
        if v_a < level <= v_b:
            return t_a + (t_b - t_a) * (level - v_a) / (v_b - v_a)
    return None


def check_replay(inputs: ReplayInputs, model: TwinModel) -> TwinCheck:
    """Replay ``inputs`` with ``model`` and measure the error."""
    return compare(inputs, replay(inputs, model))


def compare(inputs: ReplayInputs, result: ReplayResult) -> TwinCheck:
    """Measure the error of an existing replay ``result`` against its recording."""
    bt_rmse = rmse(result.bean_temps_c, inputs.bean_temps_c)
    et_rmse = rmse(result.env_temps_c, inputs.env_temps_c)
    recorded_t = crossing_time(inputs.times_s, inputs.bean_temps_c, MILESTONE_C)
    simulated_t = crossing_time(inputs.times_s, result.bean_temps_c, MILESTONE_C)
    t150 = simulated_t - recorded_t if recorded_t is not None and simulated_t is not None else None
    fcs_error: float | None = None
    fcs = inputs.first_crack_index
    if fcs is not None:
        recorded_fcs = inputs.bean_temps_c[fcs]
        if recorded_fcs is not None:
            fcs_error = result.bean_temps_c[fcs] - recorded_fcs
    return TwinCheck(
        name=inputs.name,
        samples=len(inputs.times_s),
        duration_s=inputs.times_s[-1],
        bt_rmse_c=bt_rmse if bt_rmse is not None else math.nan,
        et_rmse_c=et_rmse,
        t150_error_s=t150,
        fcs_temp_error_c=fcs_error,
    )
