"""How good a rate-of-rise method is: its noise and its lag, and the roasts they are measured on.

Definitions (``docs/ror.md`` has the reasoning and the measured figures):

* **Noise** (:func:`noise`): the root mean square of the RoR's second difference per sample,
  ``r[i+1] - 2 r[i] + r[i-1]`` in deg C/min, over every sample ``i`` whose three samples lie in the
  roast's steady stretch and have a value. The steady stretch runs from 60 s after the turning point
  (the lowest BT in the first 3 minutes after CHARGE) to first crack. A smooth curve has a second
  difference near zero, so what remains is the sample-to-sample jitter a roaster sees. The figure
  depends on the sampling interval: compare methods at the same interval.
* **Step lag** (:func:`step_lag`, on the simulator): the simulator roasts twice, identically except
  for a step in heater power at a known time. The difference of the two RoR curves is the RoR's
  response to the step alone. The lag is the time that response takes to reach half the true
  response (the difference of the probe's exact derivatives, 120 s after the step) minus the time
  the true response takes to get there. It is measured on the probe's readings without noise or
  rounding, so it is the method's own delay.
* **Alignment lag** (:func:`alignment_lag`, on real logs, which have no clean step): the time
  shift that best aligns the RoR with a zero-phase reference RoR (:func:`zero_phase_reference`,
  centred, so it has no delay of its own): the shift with the least RMS difference over the steady
  stretch, found to 0.05 s.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from roastctl.clock import ManualClock
from roastctl.config import SimulatorConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.logs.record import RecordedRoast
from roastctl.models import RoastEventType
from roastctl.roast.ror import RorEstimator

#: Makes a fresh live RoR estimator (one per series).
EstimatorFactory = Callable[[], RorEstimator]

#: The steady stretch starts this long after the turning point...
STRETCH_AFTER_TP_S = 60.0
#: ...and the turning point is looked for this long after CHARGE.
TP_SEARCH_S = 180.0
#: Without an FCs mark a log's stretch ends this long before its DROP mark.
END_BEFORE_DROP_S = 90.0
#: Half-width of the zero-phase reference RoR on real logs.
REFERENCE_HALF_WIDTH_S = 20.0
#: Range of shifts the alignment lag is searched over.
ALIGNMENT_RANGE_S = (-5.0, 40.0)
#: The step response is compared at half of its size this long after the step.
STEP_HORIZON_S = 120.0

#: The simulated roast: charge at ET 190 deg C, full heat and 20 % fan, then heat stepped to 50 %
#: five minutes after CHARGE (between the turning point and first crack).
SIM_CHARGE_ENV_C = 190.0
SIM_HEAT_PERCENT = 100
SIM_STEP_HEAT_PERCENT = 50
SIM_FAN_PERCENT = 20
SIM_STEP_S = 300.0
SIM_RESOLUTION_S = 0.1


def run(
    factory: EstimatorFactory, times: Sequence[float], temps: Sequence[float]
) -> list[float | None]:
    """Feed a series to a fresh estimator sample by sample; return its RoR at every sample."""
    estimator = factory()
    return [estimator.update(t, y) for t, y in zip(times, temps, strict=True)]


def noise(
    times: Sequence[float], ror: Sequence[float | None], start_s: float, end_s: float
) -> float | None:
    """Return the RMS of the per-sample second difference of ``ror`` within [start_s, end_s].

    Every sample ``i`` counts whose neighbours ``i - 1`` and ``i + 1`` are at or after ``start_s``
    and at or before ``end_s`` and all three have a value. Units: those of ``ror`` (deg C/min).
    ``None`` when no sample qualifies.
    """
    total = 0.0
    count = 0
    for i in range(1, len(times) - 1):
        if times[i - 1] < start_s or times[i + 1] > end_s:
            continue
        before, here, after = ror[i - 1], ror[i], ror[i + 1]
        if before is None or here is None or after is None:
            continue
        second = after - 2.0 * here + before
        total += second * second
        count += 1
    return math.sqrt(total / count) if count else None


def turning_point_s(
    times: Sequence[float], temps: Sequence[float], charge_s: float = 0.0
) -> float | None:
    """Return the time of the lowest temperature in the first 3 minutes after ``charge_s``."""
    best: tuple[float, float] | None = None
    for t, y in zip(times, temps, strict=True):
        if charge_s <= t <= charge_s + TP_SEARCH_S and (best is None or y < best[1]):
            best = (t, y)
    return None if best is None else best[0]


def derivative_per_minute(times: Sequence[float], temps: Sequence[float]) -> list[float | None]:
    """Return the central-difference derivative (deg/min); ``None`` at both ends."""
    count = len(times)
    out: list[float | None] = [None] * count
    for i in range(1, count - 1):
        out[i] = (temps[i + 1] - temps[i - 1]) / (times[i + 1] - times[i - 1]) * 60.0
    return out


def zero_phase_reference(
    times: Sequence[float], temps: Sequence[float], half_width_s: float = REFERENCE_HALF_WIDTH_S
) -> list[float | None]:
    """Return a centred RoR: the Hann-weighted least-squares slope over ``t +- half_width_s``.

    It looks as far ahead as back, so it has no delay (it cannot run live). ``None`` where the
    window is not covered to within 3 s at either side.
    """
    count = len(times)
    out: list[float | None] = [None] * count
    low = 0
    high = 0
    for i, t in enumerate(times):
        while times[low] < t - half_width_s:
            low += 1
        while high + 1 < count and times[high + 1] <= t + half_width_s:
            high += 1
        if t - times[low] < half_width_s - 3.0 or times[high] - t < half_width_s - 3.0:
            continue
        xs = times[low : high + 1]
        ys = temps[low : high + 1]
        weights = [0.5 + 0.5 * math.cos(math.pi * (x - t) / half_width_s) for x in xs]
        total = sum(weights)
        mean_t = sum(w * x for w, x in zip(weights, xs, strict=True)) / total
        mean_y = sum(w * y for w, y in zip(weights, ys, strict=True)) / total
        sxx = sum(w * (x - mean_t) ** 2 for w, x in zip(weights, xs, strict=True))
        sxy = sum(w * (x - mean_t) * (y - mean_y) for w, x, y in zip(weights, xs, ys, strict=True))
        out[i] = sxy / sxx * 60.0 if sxx > 0 else None
    return out


def _shifted(
    ref_times: Sequence[float], ref: Sequence[float | None], query: Sequence[float]
) -> list[float | None]:
    """``ref`` linearly interpolated at the ascending times ``query`` (``None`` outside)."""
    out: list[float | None] = []
    j = 0
    last = len(ref_times) - 1
    for q in query:
        if q < ref_times[0] or q > ref_times[last]:
            out.append(None)
            continue
        while j < last and ref_times[j + 1] < q:
            j += 1
        k = min(j + 1, last)
        a, b = ref[j], ref[k]
        if a is None or b is None:
            out.append(None)
        elif k == j or ref_times[k] == ref_times[j]:
            out.append(a)
        else:
            out.append(a + (b - a) * (q - ref_times[j]) / (ref_times[k] - ref_times[j]))
    return out


def _misfit(
    times: Sequence[float],
    ror: Sequence[float | None],
    ref_times: Sequence[float],
    ref: Sequence[float | None],
    start_s: float,
    end_s: float,
    shift_s: float,
) -> float | None:
    chosen = [i for i, t in enumerate(times) if start_s <= t <= end_s and ror[i] is not None]
    shifted = _shifted(ref_times, ref, [times[i] - shift_s for i in chosen])
    errors = [
        (value - r) ** 2
        for value, r in zip((ror[i] for i in chosen), shifted, strict=True)
        if value is not None and r is not None
    ]
    # Compare shifts only over nearly the same samples.
    if len(errors) < 0.9 * len(chosen) or not errors:
        return None
    return math.sqrt(sum(errors) / len(errors))


def alignment_lag(
    times: Sequence[float],
    ror: Sequence[float | None],
    ref_times: Sequence[float],
    ref: Sequence[float | None],
    start_s: float,
    end_s: float,
) -> tuple[float, float] | None:
    """Return (lag, RMS difference): the shift of ``ref`` that best matches ``ror``.

    ``ror(t)`` is compared with ``ref(t - lag)`` (``ref`` interpolated linearly) at every sample in
    [start_s, end_s]; the lag with the least RMS difference wins, searched from -5 to 40 s, first
    in 1 s steps, then in 0.05 s steps around the best. ``None`` when nothing overlaps.
    """
    low, high = ALIGNMENT_RANGE_S

    def best_of(shifts: Sequence[float]) -> tuple[float, float] | None:
        best: tuple[float, float] | None = None
        for shift in shifts:
            misfit = _misfit(times, ror, ref_times, ref, start_s, end_s, shift)
            if misfit is not None and (best is None or misfit < best[1]):
                best = (shift, misfit)
        return best

    coarse = best_of([low + k for k in range(round(high - low) + 1)])
    if coarse is None:
        return None
    centre = coarse[0]
    fine = best_of([centre + k * 0.05 for k in range(-20, 21) if low <= centre + k * 0.05 <= high])
    return fine if fine is not None else coarse


def _crossing(
    times: Sequence[float], values: Sequence[float | None], after_s: float, level: float
) -> float | None:
    """First time after ``after_s`` at which ``values`` reaches ``level`` (interpolated)."""
    previous: tuple[float, float] | None = None
    sign = 1.0 if level >= 0 else -1.0
    for t, v in zip(times, values, strict=True):
        if v is None:
            continue
        if t > after_s and sign * (v - level) >= 0:
            if previous is None or previous[0] < after_s:
                return t
            t0, v0 = previous
            return t0 + (level - v0) / (v - v0) * (t - t0) if v != v0 else t
        previous = (t, v)
    return None


def step_lag(
    times: Sequence[float],
    response: Sequence[float | None],
    true_times: Sequence[float],
    true_response: Sequence[float | None],
    step_s: float,
    horizon_s: float = STEP_HORIZON_S,
) -> float | None:
    """Return how much later ``response`` reaches half the true response than the truth does.

    ``response`` is the RoR's response to the step (stepped run minus steady run) at ``times``;
    ``true_response`` the same for the exact derivative at ``true_times``. The level is half the
    true response ``horizon_s`` after the step. ``None`` if either never gets there.
    """
    at_horizon = _shifted(true_times, true_response, [step_s + horizon_s])[0]
    if at_horizon is None or at_horizon == 0:
        return None
    level = 0.5 * at_horizon
    true_cross = _crossing(true_times, true_response, step_s, level)
    cross = _crossing(times, response, step_s, level)
    if true_cross is None or cross is None:
        return None
    return cross - true_cross


# --------------------------------------------------------------------------- the simulator


@dataclass(frozen=True, slots=True)
class SimulatedRoast:
    """A simulated roast sampled every ``SIM_RESOLUTION_S`` from CHARGE (t = 0)."""

    times: list[float]
    readings: list[float]
    """BT as the roaster reports it (whole degrees and probe noise, if configured)."""
    probe: list[float]
    """BT probe without noise or rounding."""
    first_crack_s: float | None
    step_s: float | None


def simulate_roast(
    *,
    step_s: float | None = SIM_STEP_S,
    whole_degrees: bool = True,
    noise_c: float = 0.0,
    seed: int = 1,
    after_first_crack_s: float = 60.0,
    until_s: float | None = None,
    max_roast_s: float = 1500.0,
) -> SimulatedRoast:
    """Roast on the simulator (no real time passes): preheat, charge, full heat, one heat step.

    The roast ends ``after_first_crack_s`` after first crack, or at ``until_s`` after CHARGE when
    given. Deterministic for a given seed. ``step_s=None`` gives the same roast without the step.
    """
    clock = ManualClock()
    config = SimulatorConfig(
        seed=seed, noise_c=noise_c, whole_degrees=whole_degrees, bean_variance_c=0.0
    )
    sim = SimulatedRoaster(config, clock)
    sim.connect()
    sim.start_drum()
    sim.set_fan(0)
    sim.set_heat(SIM_HEAT_PERCENT)
    while sim.read_sensors().env_temp_c < SIM_CHARGE_ENV_C:
        clock.advance(1.0)
    sim.charge()
    sim.set_fan(SIM_FAN_PERCENT)
    times: list[float] = []
    readings: list[float] = []
    probe: list[float] = []
    steps = 0
    stepped = False
    while True:
        elapsed = steps * SIM_RESOLUTION_S
        if step_s is not None and not stepped and elapsed >= step_s - 1e-9:
            sim.set_heat(SIM_STEP_HEAT_PERCENT)
            stepped = True
        reading = sim.read_sensors()
        times.append(round(elapsed, 6))
        readings.append(reading.bean_temp_c)
        probe.append(sim.physics.bean_probe_c)
        first_crack = sim.physics.first_crack_elapsed_s
        done = (
            elapsed >= until_s - 1e-9
            if until_s is not None
            else first_crack is not None and elapsed >= first_crack + after_first_crack_s
        )
        if done:
            return SimulatedRoast(times, readings, probe, first_crack, step_s)
        if elapsed > max_roast_s:
            raise RuntimeError(f"no first crack within {max_roast_s:.0f} s of CHARGE")
        steps += 1
        clock.advance(SIM_RESOLUTION_S)


@dataclass(frozen=True, slots=True)
class Quality:
    """Noise (deg C/min per sample) and lag (s) of one RoR method on one roast."""

    noise: float | None
    lag_s: float | None


class SimulatorCase:
    """The simulated roast (stepped and steady twins) sampled every ``interval_s``."""

    def __init__(
        self, interval_s: float, *, noise_c: float = 0.0, whole_degrees: bool = True, seed: int = 1
    ) -> None:
        every = round(interval_s / SIM_RESOLUTION_S)
        if every < 1 or abs(every * SIM_RESOLUTION_S - interval_s) > 1e-9:
            raise ValueError(f"interval must be a multiple of {SIM_RESOLUTION_S} s")
        self.interval_s = interval_s
        self.stepped = simulate_roast(noise_c=noise_c, whole_degrees=whole_degrees, seed=seed)
        self.steady = simulate_roast(
            step_s=None,
            noise_c=noise_c,
            whole_degrees=whole_degrees,
            seed=seed,
            until_s=self.stepped.times[-1],
        )
        self._every = every
        tp = turning_point_s(self.stepped.times, self.stepped.probe)
        first_crack = self.stepped.first_crack_s
        assert tp is not None  # noqa: S101 - a roast always has samples after CHARGE
        assert first_crack is not None  # noqa: S101 - the stepped roast ends after first crack
        self.start_s = tp + STRETCH_AFTER_TP_S
        self.end_s = first_crack
        true_stepped = derivative_per_minute(self.stepped.times, self.stepped.probe)
        true_steady = derivative_per_minute(self.steady.times, self.steady.probe)
        self._true_response = _difference(true_stepped, true_steady)

    def sampled(self, run_: SimulatedRoast, clean: bool = False) -> tuple[list[float], list[float]]:
        """Return the run's times and readings (or noise-free probe values) at the interval."""
        values = run_.probe if clean else run_.readings
        return run_.times[:: self._every], values[:: self._every]

    def noise(self, factory: EstimatorFactory) -> float | None:
        """Noise on the roaster's readings over the steady stretch."""
        times, temps = self.sampled(self.stepped)
        return noise(times, run(factory, times, temps), self.start_s, self.end_s)

    def step_lag(self, factory: EstimatorFactory) -> float | None:
        """Step lag on the noise-free probe readings."""
        times, stepped = self.sampled(self.stepped, clean=True)
        _, steady = self.sampled(self.steady, clean=True)
        response = _difference(run(factory, times, stepped), run(factory, times, steady))
        assert self.stepped.step_s is not None  # noqa: S101 - the stepped twin has a step
        return step_lag(
            times, response, self.stepped.times, self._true_response, self.stepped.step_s
        )

    def quality(self, factory: EstimatorFactory) -> Quality:
        """Noise and step lag."""
        return Quality(self.noise(factory), self.step_lag(factory))


def _difference(a: Sequence[float | None], b: Sequence[float | None]) -> list[float | None]:
    return [None if x is None or y is None else x - y for x, y in zip(a, b, strict=True)]


# --------------------------------------------------------------------------- real logs


@dataclass(frozen=True, slots=True)
class LogSeries:
    """A recorded roast's BT from CHARGE on, with its steady stretch."""

    times: list[float]
    temps: list[float]
    start_s: float
    end_s: float
    interval_s: float


def log_series(roast: RecordedRoast) -> LogSeries | None:
    """BT from CHARGE (or the first sample when unmarked), in seconds since CHARGE.

    The stretch ends at the FCs mark, or 90 s before the DROP mark; ``None`` without either or
    with too few samples.
    """
    charge = roast.marks.get(RoastEventType.CHARGE, 0)
    origin = roast.times[charge]
    pairs = [
        (roast.times[i] - origin, y)
        for i in range(charge, len(roast.times))
        if (y := roast.bean_temps[i]) is not None
    ]
    if len(pairs) < 10:
        return None
    times = [t for t, _ in pairs]
    temps = [y for _, y in pairs]
    first_crack = roast.marks.get(RoastEventType.FIRST_CRACK_START)
    drop = roast.marks.get(RoastEventType.DROP)
    if first_crack is not None and first_crack > charge:
        end = roast.times[first_crack] - origin
    elif drop is not None and drop > charge:
        end = roast.times[drop] - origin - END_BEFORE_DROP_S
    else:
        return None
    tp = turning_point_s(times, temps)
    if tp is None or tp + STRETCH_AFTER_TP_S >= end:
        return None
    gaps = sorted(b - a for a, b in pairwise(times))
    return LogSeries(times, temps, tp + STRETCH_AFTER_TP_S, end, gaps[len(gaps) // 2])


class LogCase:
    """A real log prepared once (its reference RoR), measured for any number of methods."""

    def __init__(self, series: LogSeries) -> None:
        self.series = series
        self.reference = zero_phase_reference(series.times, series.temps)

    def quality(self, factory: EstimatorFactory) -> Quality:
        """Noise and alignment lag over the log's steady stretch."""
        s = self.series
        ror = run(factory, s.times, s.temps)
        aligned = alignment_lag(s.times, ror, s.times, self.reference, s.start_s, s.end_s)
        return Quality(
            noise(s.times, ror, s.start_s, s.end_s), None if aligned is None else aligned[0]
        )
