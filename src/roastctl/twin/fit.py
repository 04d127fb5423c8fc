"""Calibration: fit the twin's parameters to recorded roasts by open-loop replay.

The objective is the mean over logs of ``BT RMSE + et_weight x ET RMSE`` (degC): every log
counts the same whatever its sampling rate or length, and BT, the probe a roaster steers by,
dominates.  The search is a bounded pattern search (compass search): each parameter in turn
is moved up and down by a step in a normalised coordinate (logarithmic for magnitudes), a move
is kept when it lowers the objective, and the step halves when a full sweep finds nothing.  It
needs no derivatives, tolerates the kinks that thresholds (evaporation onset, first crack) put
in the objective, never leaves the bounds and uses no randomness, so the same logs and settings
always give the same parameters.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from roastctl.twin.check import rmse
from roastctl.twin.drive import ReplayInputs, replay
from roastctl.twin.params import FIT_SPECS, ParamSpec, TwinModel, TwinParamsError, spec

__all__ = ["DEFAULT_ET_WEIGHT", "FitResult", "fit_model", "objective"]

#: Weight of the ET error in the objective: ET matters for safety limits but is the noisier,
#: more installation-dependent probe.
DEFAULT_ET_WEIGHT = 0.3

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

    def model_at(u: Sequence[float]) -> TwinModel:
        return start.with_values({s.name: _from_unit(s, x) for s, x in zip(specs, u, strict=True)})

    best_model = model_at(point)
    best = objective(best_model, logs, et_weight)
    start_value = best
    evaluations = 1
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
    return FitResult(
        model=best_model,
        objective_c=best,
        start_objective_c=start_value,
        evaluations=evaluations,
        fitted=tuple(s.name for s in specs),
    )
