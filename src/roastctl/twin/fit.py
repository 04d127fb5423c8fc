"""Calibration: fit the twin's parameters to recorded roasts by open-loop replay.

The objective is the mean over logs of ``BT RMSE + et_weight x ET RMSE`` (degC): every log
counts the same whatever its sampling rate or length, and BT, the probe a roaster steers by,
dominates.  The search is a bounded pattern search (compass search): each parameter in turn
is moved up and down by a step in a normalised coordinate (logarithmic for magnitudes), a move
is kept when it lowers the objective, and the step halves when a full sweep finds nothing.  It
needs no derivatives, tolerates the kinks that thresholds (evaporation onset, first crack) put
in the objective, never leaves the bounds and uses no randomness, so the same logs and settings
always give the same parameters.

The first-crack temperature is not searched: it is measured.  For every log with an FCs mark,
:func:`estimate_first_crack_temp` replays the model to the mark and takes the bean-mass
temperature at which the model's BT probe would read what the real one read there; the median
over logs is the model's first-crack temperature.  The fit sets it from the start model and
again each time the search step halves, so the search always sees a trigger that matches the
probe it is fitting.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from roastctl.physics.param_sets import (
    DEFAULT_ET_WEIGHT,
    FIRST_CRACK_RANGE_C,
    FIT_SPECS,
    ParamSpec,
    TwinModel,
    TwinParamsError,
    spec,
)
from roastctl.twin.check import rmse
from roastctl.twin.drive import ReplayInputs, replay, replay_until

__all__ = [
    "DEFAULT_ET_WEIGHT",
    "FitResult",
    "estimate_first_crack_temp",
    "fit_model",
    "objective",
]

#: First step of the search, as a fraction of each parameter's normalised range.
_FIRST_STEP = 0.125


@dataclass(frozen=True, slots=True)
class FitResult:
    """The outcome of :func:`fit_model`."""

    model: TwinModel
    """The fitted model."""
    objective_c: float
    """Final objective (degC)."""
    start_objective_c: float
    """Objective of the starting model (degC)."""
    evaluations: int
    """How many times the logs were replayed."""
    fitted: tuple[str, ...]
    """Names of the parameters that were free."""


def objective(
    model: TwinModel, logs: Sequence[ReplayInputs], et_weight: float = DEFAULT_ET_WEIGHT
) -> float:
    """Return the mean over ``logs`` of BT RMSE + ``et_weight`` x ET RMSE (degC)."""
    if not logs:
        raise TwinParamsError("no logs to fit; give at least one roast log with heater/fan data")
    total = 0.0
    for inputs in logs:
        result = replay(inputs, model)
        bt = rmse(result.bean_temps_c, inputs.bean_temps_c)
        et = rmse(result.env_temps_c, inputs.env_temps_c)
        value = (bt or 0.0) + et_weight * (et or 0.0)
        # A model that runs away (NaN / inf) is simply a very bad candidate.
        total += value if math.isfinite(value) else 1e9
    return total / len(logs)


def estimate_first_crack_temp(model: TwinModel, logs: Sequence[ReplayInputs]) -> float | None:
    """Return the bean-mass first-crack temperature ``model`` needs to match the logs' FCs marks.

    Each log with an FCs mark is replayed to the mark.  Where the simulated BT misses the
    recorded one, the bean-mass temperature is shifted by the miss divided by how much the
    probe moves per degree of bean mass (stem loss and the bean share of what it senses), so
    the estimate is the temperature at which this model's probe reads the recorded first-crack
    BT, not the temperature of a model that happens to run hot or cold on that log.  The median
    over logs keeps a few odd roasts from moving it; the result is clamped to the range the
    simulator accepts.  None when no log has an FCs mark with a BT reading.
    """
    p = model.physics
    # dBT/dT_bean of a covered probe at steady state (see RoasterPhysics' probe model).
    gain = (1.0 - p.bt_probe_stem_loss) * p.bt_probe_bean_weight
    if gain <= 0.0:
        return None
    temps: list[float] = []
    for inputs in logs:
        index = inputs.first_crack_index
        recorded = inputs.bean_temps_c[index] if index is not None else None
        if index is None or recorded is None:
            continue
        physics = replay_until(inputs, model, index)
        bean = physics.bean_mass_temp_c
        if bean is None or not math.isfinite(bean) or not math.isfinite(physics.bean_probe_c):
            continue
        temps.append(bean + (recorded - physics.bean_probe_c) / gain)
    if not temps:
        return None
    low, high = FIRST_CRACK_RANGE_C
    return min(max(statistics.median(temps), low), high)


def _to_unit(s: ParamSpec, value: float) -> float:
    value = min(max(value, s.lower), s.upper)
    if s.log_scale:
        return math.log(value / s.lower) / math.log(s.upper / s.lower)
    return (value - s.lower) / (s.upper - s.lower)


def _from_unit(s: ParamSpec, u: float) -> float:
    u = min(max(u, 0.0), 1.0)
    if s.log_scale:
        return s.lower * math.exp(u * math.log(s.upper / s.lower))
    return s.lower + u * (s.upper - s.lower)


def fit_model(
    start: TwinModel,
    logs: Sequence[ReplayInputs],
    *,
    names: Sequence[str] | None = None,
    max_evaluations: int = 400,
    min_step: float = 1.0 / 256.0,
    et_weight: float = DEFAULT_ET_WEIGHT,
    fit_first_crack: bool = True,
    progress: Callable[[int, float], None] | None = None,
) -> FitResult:
    """Fit the parameters ``names`` (default: all of :data:`FIT_SPECS`) of ``start`` to ``logs``.

    Args:
        start: model to start from; parameters not fitted keep its values.
        logs: prepared replays (see :func:`~roastctl.twin.drive.prepare_replay`).
        names: the parameters to fit.
        max_evaluations: budget of objective evaluations (each replays every log once).
        min_step: stop once the step falls below this fraction of a parameter's range.
        et_weight: weight of the ET RMSE in the objective.
        fit_first_crack: set the first-crack temperature from the logs' FCs marks
            (:func:`estimate_first_crack_temp`); it keeps the start model's value when this is
            False or no log has a mark.
        progress: called with (evaluations, best objective) after each improvement.

    Raises:
        TwinParamsError: no logs, an unknown name, or a budget below 1.

    """
    if max_evaluations < 1:
        raise TwinParamsError(
            f"max_evaluations is {max_evaluations}; it must be at least 1 (400 fits well)"
        )
    specs = [spec(n) for n in names] if names is not None else list(FIT_SPECS)
    point = [_to_unit(s, start.value(s.name)) for s in specs]
    first_crack = start.first_crack_temp_c

    def model_at(u: Sequence[float]) -> TwinModel:
        moved = start.with_values({s.name: _from_unit(s, x) for s, x in zip(specs, u, strict=True)})
        return dataclasses.replace(moved, first_crack_temp_c=first_crack)

    start_value = objective(start, logs, et_weight)
    evaluations = 1

    def measure_first_crack(model: TwinModel) -> tuple[TwinModel, float] | None:
        """Re-measure the first-crack temperature on ``model``; None if it stays as it is."""
        nonlocal first_crack, evaluations
        if not fit_first_crack or evaluations >= max_evaluations:
            return None
        measured = estimate_first_crack_temp(model, logs)
        if measured is None or measured == first_crack:
            return None
        first_crack = measured
        moved = dataclasses.replace(model, first_crack_temp_c=measured)
        evaluations += 1
        return moved, objective(moved, logs, et_weight)

    best_model = model_at(point)
    best = start_value
    remeasured = measure_first_crack(best_model)
    if remeasured is not None:
        best_model, best = remeasured
    step = _FIRST_STEP
    while step >= min_step and evaluations < max_evaluations:
        improved = False
        for index in range(len(specs)):
            for direction in (1.0, -1.0):
                if evaluations >= max_evaluations:
                    break
                trial = list(point)
                trial[index] = min(max(trial[index] + direction * step, 0.0), 1.0)
                if trial[index] == point[index]:
                    continue
                candidate = model_at(trial)
                value = objective(candidate, logs, et_weight)
                evaluations += 1
                if value < best:
                    best, best_model, point = value, candidate, trial
                    improved = True
                    if progress is not None:
                        progress(evaluations, best)
                    break  # keep this direction's gain; move on to the next parameter
        if not improved:
            step /= 2.0
            # The probe has settled to a new optimum: move the trigger to match it, and let the
            # finer steps fit the rest around the new first crack.
            remeasured = measure_first_crack(best_model)
            if remeasured is not None:
                best_model, best = remeasured
    return FitResult(
        model=best_model,
        objective_c=best,
        start_objective_c=start_value,
        evaluations=evaluations,
        fitted=tuple(s.name for s in specs),
    )
