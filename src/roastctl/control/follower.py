"""Following a reference: model-predictive heater control on the live twin estimate.

Every ``decision_s`` seconds the follower takes the roaster model standing at the live estimate
(:meth:`roastctl.forecast.estimator.TwinEstimator.physics_at_estimate`: element, drum, beans,
probes and the heater multiple it has learned) and plans the heater for the next
``horizon_s`` seconds so the predicted BT lies on the reference:

* The plan is nine blocks of constant heat (moves at 0, 10, 25, 45, 70, 100, 140, 190 and 250 s
  from now), over five minutes.
* The model is run once holding today's heat and once per block with that block's heat moved,
  which gives how each block's heat moves BT at every later time (a linearisation, renewed at
  every decision, so the model's nonlinearity costs little).
* The blocks' heats minimise the squared BT error over the horizon, from the reference's
  turning point to its DROP, plus a penalty on moving the heat, within 0-100 %.
* Only the first block is sent, rounded to the heater's step; the next decision starts over
  from the new estimate. That is what makes it a feedback controller: a twin that is off (a
  weaker heater, a heavier batch) is corrected every few seconds.

Why this and not a PID: the Hottop's element lags BT by a minute or more. A PID on BT cuts the
heat when BT runs above the reference after the charge and, with the element cold, BT stalls
far below it a minute later (Artisan's issue #1124). The plan sees that stall coming, because
the model knows the element's heat capacity.

The follower only decides; the session manager sends the heat through the safety supervisor,
which outranks it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from roastctl.control.reference import Reference
from roastctl.controls import ControlRange
from roastctl.forecast.matrix import solve
from roastctl.physics.model import Actuators, RoasterPhysics

__all__ = ["FollowerTuning", "HeatDecision", "ProfileFollower"]


@dataclass(frozen=True, slots=True)
class FollowerTuning:
    """How the follower plans; the defaults are the ones the benchmark measured."""

    #: Seconds between heat decisions: at most one heat change per decision.
    decision_s: float = 5.0
    #: How far ahead each plan looks (s). Five minutes: a heat cut now shows as a deficit the
    #: full heat of later minutes cannot make up only that far ahead.
    horizon_s: float = 300.0
    #: Where the plan's blocks of constant heat begin (s from now).
    block_starts_s: tuple[float, ...] = (0.0, 10.0, 25.0, 45.0, 70.0, 100.0, 140.0, 190.0, 250.0)
    #: Spacing of the predicted BT points the plan is scored on (s).
    step_s: float = 2.0
    #: Weight on moving the heat between blocks, in (deg C)^2 per (percent)^2.
    move_weight: float = 0.02
    #: When a plan counts on full heat later, it is made again as if the heater gave this share
    #: less, and the larger first heat is sent (0 switches it off).
    saturation_margin: float = 0.1
    #: Heat moved in each block to measure its effect (percent).
    probe_percent: float = 20.0
    #: Seconds after the reference's turning point over which BT errors come to count fully:
    #: the dip at the turning point is the probe meeting cold beans, which differs between
    #: roasters, and chasing it costs heat the rest of the roast needs.
    weight_ramp_s: float = 240.0
    #: The follower aims this far below the bean temperature limit at most (deg C).
    limit_margin_c: float = 5.0


@dataclass(frozen=True, slots=True)
class HeatDecision:
    """One decision: the heat to send and what the plan expects."""

    heat_percent: int
    #: The heat the plan wanted before rounding to the heater's step.
    planned_percent: float


class ProfileFollower:
    """Plans the heater so BT follows a :class:`Reference`; one per followed roast.

    ``bt_limit_c`` is the supervisor's bean temperature limit: the follower never aims at a BT
    within ``limit_margin_c`` of it, whatever the reference says.
    """

    def __init__(
        self,
        reference: Reference,
        heat_range: ControlRange,
        *,
        bt_limit_c: float = 220.0,
        tuning: FollowerTuning | None = None,
    ) -> None:
        self.reference = reference
        self.heat_range = heat_range
        self.tuning = tuning or FollowerTuning()
        self.bt_limit_c = bt_limit_c
        self._next_decision_s: float | None = None
        #: (first-crack elapsed s, BT there, RoR to hold) once asked to hold a RoR after FC.
        self._ror_hold: tuple[float, float, float] | None = None

    # ----------------------------------------------------------------- the target
    def target_bt(self, elapsed_s: float) -> float:
        """Return the BT the follower aims at, ``elapsed_s`` after CHARGE."""
        hold = self._ror_hold
        if hold is not None and elapsed_s >= hold[0]:
            aim = hold[1] + hold[2] * (elapsed_s - hold[0]) / 60.0
        else:
            aim = self.reference.bt_at(elapsed_s)
        return min(aim, self.bt_limit_c - self.tuning.limit_margin_c)

    def hold_ror_from(self, elapsed_s: float, bean_temp_c: float, ror_c_per_min: float) -> None:
        """From ``elapsed_s`` on, aim at BT rising ``ror_c_per_min`` from ``bean_temp_c``."""
        self._ror_hold = (elapsed_s, bean_temp_c, ror_c_per_min)

    @property
    def holding_ror(self) -> bool:
        """Whether the follower holds a RoR instead of following the reference."""
        return self._ror_hold is not None

    # ----------------------------------------------------------------- deciding
    def due(self, elapsed_s: float) -> bool:
        """Whether a decision is due ``elapsed_s`` after CHARGE."""
        return self._next_decision_s is None or elapsed_s >= self._next_decision_s - 1e-6

    def decide(
        self,
        *,
        elapsed_s: float,
        physics: RoasterPhysics,
        heat_percent: float,
        fan_at: Callable[[float], float],
        bean_temp_c: float | None = None,
    ) -> HeatDecision:
        """Plan the heater from ``physics`` (changed: a copy of the estimate) and decide.

        ``heat_percent`` is the heat now; ``fan_at(elapsed s)`` the fan the plan assumes from
        now on; ``bean_temp_c`` today's BT reading (its gap to the model's probe is carried as
        a constant offset over the horizon, which removes any steady tracking error).
        """
        tuning = self.tuning
        self._next_decision_s = elapsed_s + tuning.decision_s
        recorded = self.reference.heat_at(elapsed_s)
        if elapsed_s < self.reference.track_from_s and recorded is not None:
            # Before the turning point the estimate of the cold beans is still settling and
            # its plans swing; the heat the reference roast was charged with is the better bet.
            heat = self._rounded(recorded)
            return HeatDecision(heat_percent=heat, planned_percent=recorded)
        offset = 0.0 if bean_temp_c is None else bean_temp_c - physics.bean_probe_c
        times = _grid(tuning.horizon_s, tuning.step_s)
        weights = [self._weight(elapsed_s + t) for t in times]
        targets = [self.target_bt(elapsed_s + t) - offset for t in times]
        base, effects = self._linearised(physics, times, heat_percent, fan_at, elapsed_s, 1.0)
        plan = self._plan(base, effects, targets, weights, heat_percent)
        margin = tuning.saturation_margin
        if margin > 0.0 and max(plan[1:]) >= self.heat_range.maximum - 0.5:
            # The plan counts on full heat later: whether full heat will be enough is the one
            # thing a twin that is a little off gets wrong, and a heat cut now cannot be made
            # up then. Plan again as if the heater gave ``margin`` less, and send the more.
            weak_base, weak_effects = self._linearised(
                physics, times, heat_percent, fan_at, elapsed_s, 1.0 - margin
            )
            cautious = self._plan(weak_base, weak_effects, targets, weights, heat_percent)
            plan = max(plan, cautious, key=lambda blocks: blocks[0])
        heat = self._rounded(plan[0])
        return HeatDecision(heat_percent=heat, planned_percent=plan[0])

    def _linearised(
        self,
        physics: RoasterPhysics,
        times: list[float],
        heat_percent: float,
        fan_at: Callable[[float], float],
        elapsed_s: float,
        heater_scale: float,
    ) -> tuple[list[float], list[list[float]]]:
        """Return BT holding today's heat, and each block's effect on it per percent of heat.

        ``heater_scale`` is the share of the commanded heat the model is given. ``physics`` is
        left where it started.
        """
        tuning = self.tuning
        blocks = tuning.block_starts_s
        start = physics.snapshot()
        base = _run(
            physics,
            times,
            _moved_heat(heat_percent, 0.0, 0.0, 0.0),
            fan_at,
            elapsed_s,
            heater_scale,
        )
        effects: list[list[float]] = []
        probe = tuning.probe_percent if heat_percent <= 50.0 else -tuning.probe_percent
        for index, block_start in enumerate(blocks):
            block_end = blocks[index + 1] if index + 1 < len(blocks) else tuning.horizon_s + 1.0
            physics.restore(start)
            moved = _run(
                physics,
                times,
                _moved_heat(heat_percent, block_start, block_end, probe),
                fan_at,
                elapsed_s,
                heater_scale,
            )
            effects.append([(m - b) / probe for m, b in zip(moved, base, strict=True)])
        physics.restore(start)
        return base, effects

    def _weight(self, elapsed_s: float) -> float:
        reference = self.reference
        if elapsed_s < reference.track_from_s or elapsed_s > reference.drop_s:
            return 0.0
        ramp = self.tuning.weight_ramp_s
        if ramp <= 0.0:
            return 1.0
        return min(1.0, 0.05 + (elapsed_s - reference.track_from_s) / ramp)

    def _plan(
        self,
        base: list[float],
        effects: list[list[float]],
        targets: list[float],
        weights: list[float],
        heat_now: float,
    ) -> list[float]:
        """Return the blocks' heats: weighted least squares with a move penalty, in 0-100 %."""
        size = len(effects)
        low, high = float(self.heat_range.minimum), float(self.heat_range.maximum)
        fixed: dict[int, float] = {}
        plan = [heat_now] * size
        for _ in range(size + 1):
            free = [k for k in range(size) if k not in fixed]
            if not free:
                break
            # Residual with the fixed blocks at their bounds and the free ones at today's heat.
            residual = [
                r - b - sum(effects[k][t] * (fixed[k] - heat_now) for k in fixed)
                for t, (b, r) in enumerate(zip(base, targets, strict=True))
            ]
            normal = [[0.0] * len(free) for _ in free]
            right = [0.0] * len(free)
            for i, ki in enumerate(free):
                ei = effects[ki]
                right[i] = sum(w * e * r for w, e, r in zip(weights, ei, residual, strict=True))
                for j, kj in enumerate(free):
                    ej = effects[kj]
                    normal[i][j] = sum(w * a * b for w, a, b in zip(weights, ei, ej, strict=True))
            self._add_move_penalty(normal, right, free, fixed, heat_now)
            steps = solve(normal, right)
            for i, k in enumerate(free):
                plan[k] = heat_now + steps[i]
            for k in fixed:
                plan[k] = fixed[k]
            outside = [k for k in free if not low <= plan[k] <= high]
            if not outside:
                break
            for k in outside:
                fixed[k] = min(max(plan[k], low), high)
        return [min(max(u, low), high) for u in plan]

    def _add_move_penalty(
        self,
        normal: list[list[float]],
        right: list[float],
        free: list[int],
        fixed: dict[int, float],
        heat_now: float,
    ) -> None:
        """Add move_weight x the sum of squared heat moves between blocks, the first from now.

        The unknowns are steps x_k = u_k - heat_now; the moves are x_0 and x_k - x_(k-1), so the
        penalty is move_weight x (D x)^2 with D the difference operator: D^T D is tridiagonal.
        """
        size = len(free) + len(fixed)
        penalty = _difference_gram(size, self.tuning.move_weight)
        for i, k in enumerate(free):
            for j, other in enumerate(free):
                normal[i][j] += penalty[k][other]
            normal[i][i] += 1e-9  # keeps blocks past the reference's DROP defined
            right[i] -= sum(penalty[k][f] * (value - heat_now) for f, value in fixed.items())

    def _rounded(self, percent: float) -> int:
        step = self.heat_range.step
        low = self.heat_range.minimum
        value = low + round((percent - low) / step) * step
        return int(min(max(value, low), self.heat_range.maximum))


def _difference_gram(size: int, weight: float) -> list[list[float]]:
    """Return weight x D^T D for the first-difference operator D with x_(-1) = 0."""
    gram = [[0.0] * size for _ in range(size)]
    for k in range(size):
        gram[k][k] += weight
        if k > 0:
            gram[k - 1][k - 1] += weight
            gram[k - 1][k] -= weight
            gram[k][k - 1] -= weight
    return gram


def _moved_heat(
    heat_percent: float, start_s: float, end_s: float, moved: float
) -> Callable[[float], float]:
    """Return the heat schedule holding ``heat_percent``, moved by ``moved`` in one block."""

    def heat_at(t: float) -> float:
        return heat_percent + (moved if start_s <= t < end_s else 0.0)

    return heat_at


def _grid(horizon_s: float, step_s: float) -> list[float]:
    count = int(horizon_s / step_s + 1e-9)
    return [step_s * (i + 1) for i in range(count)]


def _run(
    physics: RoasterPhysics,
    times: list[float],
    heat_at: Callable[[float], float],
    fan_at: Callable[[float], float],
    elapsed_s: float,
    heater_scale: float = 1.0,
) -> list[float]:
    """Run ``physics`` over ``times`` (s from now, evenly spaced); return its BT probe there.

    The model gets ``heater_scale`` x the scheduled heat.
    """
    bts: list[float] = []
    now = 0.0
    for t in times:
        heat = heater_scale * heat_at(now)
        actuators = Actuators(heat, fan_at(elapsed_s + now), True, False, False)
        physics.advance(t - now, actuators)
        bts.append(physics.bean_probe_c)
        now = t
    return bts
