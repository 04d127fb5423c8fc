"""The live twin: the roaster model's hidden state and heater power, estimated from every sample.

:class:`TwinEstimator` is an extended Kalman filter on the roaster model
(:class:`~roastctl.physics.model.RoasterPhysics`). Its state is the model's seven continuous
states that matter within a roast (heater element, drum air, drum metal, bean mass, BT probe, ET
probe, bean water) plus one parameter: the heater-power multiple, the one unknown that dominates
the model's error on real roasts (a Hottop's element follows the square of the line voltage, and
logs ran at 0.82-1.18 x the model's heater). Each sample it

1. predicts: steps the model from the previous sample with the settings that held since
   (heat, fan, drum, door, stirrer, as the roaster reported them), and carries the covariance
   through a Jacobian taken by finite differences on the model itself;
2. corrects with the BT and ET readings, one scalar update each.

Why this method (docs/forecast.md has the figures): the model is a few hundred lines of
explicit physics that no one should rewrite twice, so the filter drives the model as it is;
with eight states a finite-difference Jacobian costs nine short model runs, well under a
millisecond for a 1-2 s sample, where an unscented filter needs seventeen and a moving-horizon
fit re-simulates the whole roast. The same estimator runs on the simulator, the replay driver
and the Hottop, because all it reads are :class:`~roastctl.models.SensorReading` objects.

The beans: a charge is seen only after BT has fallen for a while, so :meth:`TwinEstimator.charge`
goes back to the state it held at the charge's time, puts the batch in there, and reads the
later samples again. After the drop it stops: nothing is left to estimate for that roast.

Divergence: when BT stays far outside what the estimate expects (a probe fault, a replay that
jumps), the estimate restarts from the readings and says ``diverged`` until it has followed the
roaster for a settling time again, rather than forecasting from a state it no longer believes.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from dataclasses import dataclass

from roastctl.forecast.matrix import Matrix, diagonal, sandwich
from roastctl.models import ForecastState, SensorReading
from roastctl.physics.model import Actuators, Beans, PhysicsParams, PhysicsState, RoasterPhysics
from roastctl.physics.param_sets import TwinModel
from roastctl.physics.warm_start import put_at_readings

__all__ = [
    "HIDDEN_STATES",
    "EstimatorTuning",
    "TwinEstimator",
    "actuators_of",
]

#: The model states the filter estimates, in the order of its state vector; the heater-power
#: multiple follows them.
HIDDEN_STATES: tuple[str, ...] = (
    "element_c",
    "air_c",
    "drum_c",
    "drum_beans_c",
    "bt_probe_c",
    "et_probe_c",
    "drum_water_kg",
)
_HEATER = len(HIDDEN_STATES)
_SIZE = _HEATER + 1
_BT = HIDDEN_STATES.index("bt_probe_c")
_ET = HIDDEN_STATES.index("et_probe_c")
_BEANS = HIDDEN_STATES.index("drum_beans_c")
_WATER = HIDDEN_STATES.index("drum_water_kg")

#: Finite-difference steps of the Jacobian, per state (degC, kg of water, heater multiple):
#: large enough to stand above rounding, small against how far the states move in a sample.
_PERTURBATION: tuple[float, ...] = (0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1e-4, 0.01)


@dataclass(frozen=True, slots=True)
class EstimatorTuning:
    """How much the estimator trusts the model against the probes; docs/forecast.md says why."""

    substep_s: float = 1.0
    """Integration step of the model inside the filter (s); 1 s moves BT by tenths of a degree
    against the 0.1 s of the simulator and makes the filter ten times cheaper."""
    process_noise_per_s: tuple[float, ...] = (20.0, 2.0, 0.5, 0.5, 0.1, 1.0, 1e-8, 1e-4)
    """Variance each state gains per second beyond the model (element, air, drum, beans, BT
    probe, ET probe in degC^2/s; water in kg^2/s; heater multiple in 1/s)."""
    initial_sd: tuple[float, ...] = (5.0, 5.0, 15.0, 3.0, 1.0, 3.0, 0.003, 0.15)
    """Standard deviation of each state at a (re)start: the drum metal is not measured at all."""
    bt_noise_c2: float = 0.3
    """Variance of a BT reading (degC^2): whole-degree rounding and probe noise."""
    et_noise_c2: float = 2.0
    """Variance of an ET reading (degC^2): the ET probe sits in turbulent air."""
    heater_factor_range: tuple[float, float] = (0.6, 1.5)
    """Heater-power multiples the estimate is kept within: a 120 V element on 93-147 V."""
    warm_up_s: float = 30.0
    """Seconds of samples after a (re)start before the estimate counts as following."""
    divergence_c: float = 12.0
    """A BT innovation beyond this (degC) and beyond five standard deviations is a strike."""
    divergence_strikes: int = 3
    """Consecutive strikes that make the estimate restart from the readings."""
    settle_s: float = 60.0
    """Seconds without a strike after a divergence before the numbers come back."""
    max_gap_s: float = 30.0
    """A gap between samples longer than this (s) restarts the estimate: too much happened."""
    reseat_at_charge: bool = True
    """Put the machine where the model was calibrated to stand at a charge, at the charge.

    Right for a real roaster, whose preheat the model follows only roughly; wrong for the
    simulator, which is the model and whose preheat the estimate follows exactly."""
    jacobian_reuse_s: float = 5.0
    """How long (s) the step's Jacobian is reused while the step and settings stay the same."""
    charge_lookback_s: float = 180.0
    """How far back (s) a late-detected charge can be put in: the samples kept to read again."""


def actuators_of(reading: SensorReading) -> Actuators:
    """Return the settings the roaster reported with ``reading``, as the model takes them."""
    return Actuators(
        heat_percent=float(reading.heat_percent),
        fan_percent=float(reading.fan_percent),
        drum_on=reading.drum_on,
        door_open=reading.door_open,
        cooling_on=reading.cooling_on,
    )


@dataclass(frozen=True, slots=True)
class _Filter:
    """Everything the filter holds between samples (immutable, so a checkpoint is a reference)."""

    time_s: float
    mean: tuple[float, ...]
    covariance: tuple[tuple[float, ...], ...]
    physics: PhysicsState
    """The model's full state at the mean (masses, exotherm, ... that the filter does not move)."""
    actuators: Actuators
    """The settings reported with the last sample: they hold until the next one."""
    started_s: float
    """When the estimate last (re)started."""
    last_strike_s: float | None
    strikes: int
    diverged: bool


class TwinEstimator:
    """Extended Kalman filter on the roaster model; feed it every reading with :meth:`observe`."""

    def __init__(
        self,
        model: TwinModel,
        *,
        ambient_c: float = 22.0,
        tuning: EstimatorTuning | None = None,
        batch_moisture: float = 0.11,
    ) -> None:
        """Prepare an estimator for a roaster behaving like ``model`` in a room at ``ambient_c``."""
        self.model = model
        self.tuning = tuning or EstimatorTuning()
        if len(self.tuning.process_noise_per_s) != _SIZE or len(self.tuning.initial_sd) != _SIZE:
            raise ValueError(f"process_noise_per_s and initial_sd need {_SIZE} values each")
        self.ambient_c = ambient_c
        self.batch_moisture = batch_moisture
        self._params = dataclasses.replace(model.physics, max_substep_s=self.tuning.substep_s)
        self._params_by_factor: dict[float, PhysicsParams] = {}
        self._scratch: dict[float, RoasterPhysics] = {}
        self._kept_jacobian: tuple[object, float, Matrix] | None = None
        self._filter: _Filter | None = None
        self._history: deque[tuple[SensorReading, _Filter]] = deque()
        self._charged = False
        self._charge_mass_kg = model.physics.reference_batch_kg
        self._over = False
        self._restart_reason: str | None = None

    # ------------------------------------------------------------------ feeding it

    def reset(self) -> None:
        """Forget everything: the next reading starts a new estimate (a new roast)."""
        self._filter = None
        self._kept_jacobian = None
        self._history.clear()
        self._charged = False
        self._charge_mass_kg = self.model.physics.reference_batch_kg
        self._over = False
        self._restart_reason = None

    def observe(self, reading: SensorReading) -> None:
        """Take one sample: predict to its time with the settings that held, then correct."""
        if self._over:
            return
        current = self._filter
        if current is None:
            self._filter = self._start(reading, diverged=False)
        else:
            gap = reading.monotonic_s - current.time_s
            if gap <= 0.0:
                return  # a repeated or older sample tells the filter nothing new
            if gap > self.tuning.max_gap_s:
                self._restart_reason = f"no sample for {gap:.0f} s"
                self._filter = self._start(reading, diverged=True)
            else:
                self._filter = self._correct(self._predict(current, gap), reading)
        self._remember(reading)

    def charge(self, at_s: float, mass_kg: float) -> None:
        """Put a batch of ``mass_kg`` in the drum at session time ``at_s`` (a detected CHARGE).

        The samples since ``at_s`` were read with an empty drum; the estimate goes back to the
        last sample at or before ``at_s``, charges there, and reads the later samples again.
        """
        if self._charged or self._over:
            return
        self._charged = True
        self._charge_mass_kg = mass_kg
        if self._filter is None:
            return  # the batch goes in with the first reading (see _start)
        kept = list(self._history)
        index = max((i for i, (r, _) in enumerate(kept) if r.monotonic_s <= at_s), default=None)
        if index is None:
            newest = kept[-1][0] if kept else None
            self._filter = self._with_batch(self._filter, mass_kg, newest)
            return
        base = self._with_batch(kept[index][1], mass_kg, kept[index][0])
        self._history = deque(kept[: index + 1])
        self._history[-1] = (kept[index][0], base)
        self._filter = base
        for reading, _ in kept[index + 1 :]:
            gap = reading.monotonic_s - self._filter.time_s
            self._filter = self._correct(self._predict(self._filter, gap), reading)
            self._history.append((reading, self._filter))

    def finish(self) -> None:
        """Stop estimating until :meth:`reset`: the beans are out."""
        self._over = True

    # ------------------------------------------------------------------ what it knows

    @property
    def charged(self) -> bool:
        """Whether a batch is in the estimate's drum."""
        return self._charged

    @property
    def state(self) -> ForecastState:
        """Whether the estimate follows the roaster now."""
        current = self._filter
        if self._over:
            return ForecastState.ROAST_OVER
        if current is None:
            return ForecastState.WARMING_UP
        if current.diverged:
            return ForecastState.DIVERGED
        if current.time_s - current.started_s < self.tuning.warm_up_s:
            return ForecastState.WARMING_UP
        return ForecastState.OK

    @property
    def reason(self) -> str | None:
        """Why the estimate is not following, in words; None when it is."""
        state = self.state
        current = self._filter
        if state is ForecastState.OK:
            return None
        if state is ForecastState.ROAST_OVER:
            return "the beans are out: nothing is left to forecast for this roast"
        if current is None:
            return "no sample yet"
        if state is ForecastState.DIVERGED:
            why = self._restart_reason or "the readings left what the model explains"
            settled = current.time_s - (current.last_strike_s or current.started_s)
            wait = max(0.0, self.tuning.settle_s - settled)
            return f"{why}; the estimate restarted and settles for another {wait:.0f} s"
        wait = max(0.0, self.tuning.warm_up_s - (current.time_s - current.started_s))
        return f"the estimate is settling on the roaster: {wait:.0f} s more"

    @property
    def time_s(self) -> float | None:
        """Session time of the last sample read (s), None before any."""
        return None if self._filter is None else self._filter.time_s

    @property
    def actuators(self) -> Actuators | None:
        """The settings reported with the last sample."""
        return None if self._filter is None else self._filter.actuators

    @property
    def bt_probe_c(self) -> float | None:
        """The filtered BT probe reading (degC): the reading with its noise taken out."""
        return None if self._filter is None else self._filter.mean[_BT]

    @property
    def heater_factor(self) -> float | None:
        """Heater power the roaster behaves as having, over the model's (1 = as modelled)."""
        return None if self._filter is None else self._filter.mean[_HEATER]

    @property
    def heater_factor_std(self) -> float | None:
        """Standard deviation of :attr:`heater_factor`."""
        return self._std(_HEATER)

    @property
    def bean_mass_temp_c(self) -> float | None:
        """Estimated bean-mass temperature (degC), None with no batch in the drum."""
        if self._filter is None or not self._charged or self._filter.physics.drum_dry_kg <= 0.0:
            return None
        return self._filter.mean[_BEANS]

    @property
    def bean_mass_temp_std_c(self) -> float | None:
        """Standard deviation of :attr:`bean_mass_temp_c`."""
        return None if self.bean_mass_temp_c is None else self._std(_BEANS)

    @property
    def moisture_fraction(self) -> float | None:
        """Estimated wet-basis moisture of the batch (0-1), None with no batch in the drum."""
        current = self._filter
        if current is None or not self._charged:
            return None
        dry = current.physics.drum_dry_kg
        water = max(0.0, current.mean[_WATER])
        return None if dry <= 0.0 else water / (dry + water)

    def physics_at_estimate(self, heater_factor: float | None = None) -> RoasterPhysics | None:
        """Return a model standing at the estimate, ready to be run ahead; None before any sample.

        ``heater_factor`` replaces the estimated heater multiple (to see what its uncertainty
        does to a forecast).
        """
        current = self._filter
        if current is None:
            return None
        factor = current.mean[_HEATER] if heater_factor is None else heater_factor
        return self._physics(current.mean, current.physics, factor)

    # ------------------------------------------------------------------ the filter

    def _std(self, index: int) -> float | None:
        if self._filter is None:
            return None
        return math.sqrt(max(0.0, self._filter.covariance[index][index]))

    def _start(self, reading: SensorReading, *, diverged: bool) -> _Filter:
        """Return a fresh estimate put at the readings (a start, or a restart after trouble)."""
        previous = self._filter
        physics = RoasterPhysics(self._params, self.ambient_c)
        if previous is not None:
            physics.restore(dataclasses.replace(previous.physics, time_s=reading.monotonic_s))
        put_at_readings(
            physics, self.model, reading.bean_temp_c, reading.env_temp_c, reading.heat_percent
        )
        if self._charged and physics.snapshot().drum_dry_kg <= 0.0:
            physics.charge(self._beans(self._charge_mass_kg))
        snapshot = physics.snapshot()
        if snapshot.drum_dry_kg > 0.0:
            # The probe lags the beans and reads low; the beans sit above it on the way up.
            snapshot = dataclasses.replace(snapshot, drum_beans_c=reading.bean_temp_c)
        factor = 1.0 if previous is None else previous.mean[_HEATER]
        mean = (*(float(getattr(snapshot, name)) for name in HIDDEN_STATES), factor)
        sd = self.tuning.initial_sd
        return _Filter(
            time_s=reading.monotonic_s,
            mean=mean,
            covariance=_frozen(diagonal([s * s for s in sd])),
            physics=snapshot,
            actuators=actuators_of(reading),
            started_s=reading.monotonic_s,
            last_strike_s=reading.monotonic_s if diverged else None,
            strikes=0,
            diverged=diverged,
        )

    def _beans(self, mass_kg: float) -> Beans:
        return Beans(
            mass_kg=mass_kg,
            moisture_fraction=self.batch_moisture,
            first_crack_temp_c=self.model.first_crack_temp_c,
        )

    def _with_batch(self, state: _Filter, mass_kg: float, reading: SensorReading | None) -> _Filter:
        """Return ``state`` with a batch at room temperature just charged into its drum.

        The machine is put where the model was calibrated to stand at a charge
        (:func:`~roastctl.physics.warm_start.put_at_readings` at ``reading``): a preheat the
        model follows only roughly leaves the unmeasured drum metal wherever its errors took it,
        and on real Hottop roasts that costs more than it teaches. What the preheat taught
        about the heater (its multiple and that multiple's variance) is kept.
        """
        physics = self._physics(state.mean, state.physics, state.mean[_HEATER])
        if physics.beans_in_drum:
            return state
        if reading is not None and self.tuning.reseat_at_charge:
            put_at_readings(
                physics, self.model, reading.bean_temp_c, reading.env_temp_c, reading.heat_percent
            )
        physics.charge(self._beans(mass_kg))
        snapshot = physics.snapshot()
        mean = [float(getattr(snapshot, name)) for name in HIDDEN_STATES] + [state.mean[_HEATER]]
        sd = self.tuning.initial_sd
        covariance = diagonal([s * s for s in sd])
        covariance[_HEATER][_HEATER] = state.covariance[_HEATER][_HEATER]
        return dataclasses.replace(
            state, mean=tuple(mean), covariance=_frozen(covariance), physics=snapshot
        )

    def _physics(
        self,
        mean: tuple[float, ...] | list[float],
        base: PhysicsState,
        factor: float,
        *,
        scratch: bool = False,
    ) -> RoasterPhysics:
        """Return a model at ``mean`` (the rest of its state from ``base``), heater x ``factor``.

        With ``scratch`` the model is one this estimator keeps per heater multiple and puts at
        the state again on every call (the filter's own runs, a dozen per sample); otherwise it
        is a new one the caller may keep.
        """
        if scratch:
            physics = self._scratch.get(round(factor, 6))
            if physics is None:
                if len(self._scratch) > 8:
                    self._scratch.clear()
                physics = RoasterPhysics(self._params_for(factor), base.ambient_c)
                self._scratch[round(factor, 6)] = physics
        else:
            physics = RoasterPhysics(self._params_for(factor), base.ambient_c)
        values = dict(zip(HIDDEN_STATES, mean, strict=False))
        values["drum_water_kg"] = max(0.0, values["drum_water_kg"])
        physics.restore(dataclasses.replace(base, **values))
        return physics

    def _params_for(self, factor: float) -> PhysicsParams:
        key = round(factor, 6)
        params = self._params_by_factor.get(key)
        if params is None:
            if len(self._params_by_factor) > 64:
                self._params_by_factor.clear()
            params = dataclasses.replace(
                self._params, heater_power_w=self._params.heater_power_w * key
            )
            self._params_by_factor[key] = params
        return params

    def _run(
        self, mean: tuple[float, ...] | list[float], base: PhysicsState, gap: float, act: Actuators
    ) -> tuple[list[float], PhysicsState]:
        physics = self._physics(mean, base, mean[_HEATER], scratch=True)
        physics.advance(gap, act)
        after = physics.snapshot()
        return [float(getattr(after, name)) for name in HIDDEN_STATES] + [mean[_HEATER]], after

    def _predict(self, state: _Filter, gap: float) -> _Filter:
        """Step the estimate ``gap`` seconds with the settings that held; grow its covariance."""
        moved, after = self._run(state.mean, state.physics, gap, state.actuators)
        jacobian = self._jacobian(state, gap, moved)
        covariance = sandwich(jacobian, [list(row) for row in state.covariance])
        for index, noise in enumerate(self.tuning.process_noise_per_s):
            covariance[index][index] += noise * gap
        return dataclasses.replace(
            state,
            time_s=state.time_s + gap,
            mean=tuple(moved),
            covariance=_frozen(covariance),
            physics=after,
        )

    def _jacobian(self, state: _Filter, gap: float, moved: list[float]) -> Matrix:
        """Return the step's Jacobian: taken again, or the last one while it still holds.

        The model changes its sensitivities over tens of seconds, not from one sample to the
        next; with the same step (to a tenth of a second) and settings, and for at most
        ``jacobian_reuse_s``, the last Jacobian stands (eight model runs saved per sample).
        """
        empty = state.physics.drum_dry_kg <= 0.0
        # A real roaster's sample intervals jitter by milliseconds; the Jacobian does not care.
        key = (round(gap, 1), state.actuators, empty)
        kept = self._kept_jacobian
        if (
            kept is not None
            and kept[0] == key
            and state.time_s - kept[1] < self.tuning.jacobian_reuse_s
        ):
            return kept[2]
        jacobian: Matrix = [[0.0] * _SIZE for _ in range(_SIZE)]
        for column in range(_SIZE):
            if empty and column in (_BEANS, _WATER):
                # No beans: their states neither move nor move anything else.
                jacobian[column][column] = 1.0
                continue
            nudged = list(state.mean)
            nudged[column] += _PERTURBATION[column]
            result, _ = self._run(nudged, state.physics, gap, state.actuators)
            for row in range(_SIZE):
                jacobian[row][column] = (result[row] - moved[row]) / _PERTURBATION[column]
        self._kept_jacobian = (key, state.time_s, jacobian)
        return jacobian

    def _correct(self, state: _Filter, reading: SensorReading) -> _Filter:
        """Fold the BT and ET readings into the estimate; watch for divergence."""
        mean = list(state.mean)
        covariance = [list(row) for row in state.covariance]
        strike = False
        for index, measured, noise in (
            (_BT, reading.bean_temp_c, self.tuning.bt_noise_c2),
            (_ET, reading.env_temp_c, self.tuning.et_noise_c2),
        ):
            spread = covariance[index][index] + noise
            innovation = measured - mean[index]
            if index == _BT and (
                abs(innovation) > self.tuning.divergence_c
                and innovation * innovation > 25.0 * spread
            ):
                strike = True
            column = [covariance[row][index] for row in range(_SIZE)]
            gain = [value / spread for value in column]
            for row in range(_SIZE):
                mean[row] += gain[row] * innovation
                for other in range(_SIZE):
                    covariance[row][other] -= gain[row] * column[other]
        low, high = self.tuning.heater_factor_range
        mean[_HEATER] = min(max(mean[_HEATER], low), high)
        mean[_WATER] = max(0.0, mean[_WATER])
        strikes = state.strikes + 1 if strike else 0
        corrected = dataclasses.replace(
            state,
            mean=tuple(mean),
            covariance=_frozen(covariance),
            actuators=actuators_of(reading),
            strikes=strikes,
        )
        if strikes >= self.tuning.divergence_strikes:
            self._restart_reason = (
                f"BT {reading.bean_temp_c:.1f} degC is {abs(reading.bean_temp_c - mean[_BT]):.0f}"
                " degC from what the model expects"
            )
            self._filter = corrected
            return self._start(reading, diverged=True)
        if strike:
            return dataclasses.replace(corrected, last_strike_s=reading.monotonic_s)
        if (
            corrected.diverged
            and corrected.last_strike_s is not None
            and reading.monotonic_s - corrected.last_strike_s >= self.tuning.settle_s
        ):
            return dataclasses.replace(corrected, diverged=False)
        return corrected

    def _remember(self, reading: SensorReading) -> None:
        if self._filter is None:
            return
        self._history.append((reading, self._filter))
        horizon = reading.monotonic_s - self.tuning.charge_lookback_s
        while self._history and self._history[0][0].monotonic_s < horizon:
            self._history.popleft()


def _frozen(matrix: Matrix) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(row) for row in matrix)
