"""Following a reference roast on a machine the follower does not know, beside Artisan's ways.

For each shared real Hottop roast with CHARGE and DROP marks, and each heater multiple 0.85 /
1.0 / 1.15, the plant is the simulator with its heater power scaled so and its masses, contacts
and probe lags each off by up to +/-15 % (seeded per run); whole-degree readings with 0.3 degC
noise, as a Hottop's. The follower's twin is the plain ``hottop`` model: it is told nothing.

Each run: drum on, full heat until ET reaches the reference's ET at CHARGE, ET held there to 15
minutes, the reference's batch charged, then one controller to the reference's DROP:

* ``follow``  -- the server follows the reference (``manager.follow_profile``), heat in 10 %
  steps, the fan replayed from the reference;
* ``replay``  -- open-loop replay of the recorded heater and fan settings by time (what
  Artisan's maintainers recommend to repeat a roast), heat in 1 % steps;
* ``pid``     -- Artisan's software PID with its Hottop KN-8828B-2K+ preset: Kp 36, Ki 0.01,
  Kd 5 on BT, 1 s cycle, P on error, D on measurement, integral clamped to 0-100, set value =
  the reference BT now, output an integer 0-100 %, fan replayed.

Printed per roast and over all runs: BT RMSE from the reference's DRY END to its DROP
(Artisan's "CM" window; DRY END where the log marks it, else where the reference crosses
150 degC) and from its TP to DROP, median and p90; runs with a safety fault (a forced drop at
the bean temperature limit or a latched fault); heat changes per minute; the follower's cost
per sample and per decision. The issue's goals are printed beside the figures.

Run: ``.venv/bin/python benchmarks/follow_reference.py [--only NAME] [--factors 1.0]
[--controllers follow,replay,pid] [--jobs 2]``
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import logging
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from roastctl.clock import ManualClock
from roastctl.config import HardwareConfig, SafetyConfig, ServerConfig, SimulatorConfig
from roastctl.control.follower import HeatDecision, ProfileFollower
from roastctl.control.reference import Reference, reference_from_file
from roastctl.controls import FAN_RANGE
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.errors import RoasterError
from roastctl.logs.load import find_roast_logs, load_roast_record
from roastctl.models import FollowState, RoastEventType
from roastctl.physics.model import PhysicsParams
from roastctl.physics.param_sets import builtin_model
from roastctl.session.manager import RoastSessionManager

logger = logging.getLogger(__name__)
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "roasts"
START = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
FACTORS = (0.85, 1.0, 1.15)
CONTROLLERS = ("follow", "replay", "pid")
#: Minutes from switching on to the charge, ET held at the reference's charge ET meanwhile.
PREHEAT_S = 15 * 60.0
#: Artisan's DRY END when the log does not mark it (its phases[1] default, deg C).
DRY_END_DEFAULT_C = 150.0
#: The plant parameters that are off by up to +/-15 %: masses, contacts and probe lags.
PERTURBED = (
    "element_heat_capacity_j_per_k",
    "air_heat_capacity_j_per_k",
    "drum_heat_capacity_j_per_k",
    "element_air_conductance_w_per_k",
    "element_drum_conductance_w_per_k",
    "element_bean_conductance_w_per_k",
    "air_drum_conductance_w_per_k",
    "drum_bean_conductance_w_per_k",
    "air_bean_conductance_w_per_k",
    "bt_probe_tau_s",
    "et_probe_tau_s",
)
SPREAD = 0.15
#: The full-heat and zero-heat runs that bound what any controller can reach.
BOUNDS = ("full", "off")
#: Runs whose floor is at most this (deg C, DRY->DROP) count as reachable.
REACHABLE_FLOOR_C = 1.0
GOALS = {"dry_median": 1.5, "dry_p90": 3.0, "tp_median": 2.5}


@dataclass(frozen=True, slots=True)
class RunResult:
    """One controller on one reference and one plant."""

    roast: str
    path: Path
    factor: float
    controller: str
    rmse_dry_c: float
    rmse_tp_c: float
    fault: str | None
    heat_changes_per_min: float
    sample_costs_ms: tuple[float, ...]
    #: Time of each of the follower's decisions (its plan), ms.
    decision_costs_ms: tuple[float, ...] = ()
    #: (s since CHARGE, BT) of every sample to the reference's DROP.
    bts: tuple[tuple[float, float], ...] = ()
    #: Share of the DRY->DROP window with the heat at 100 % and BT below the reference.
    saturated: float = 0.0


def plant_params(factor: float, seed: int) -> PhysicsParams:
    """The simulator's machine: the hottop twin, its heater x ``factor``, the rest off +/-15 %."""
    nominal = builtin_model("hottop").physics
    rng = random.Random(seed)
    changes: dict[str, float] = {
        name: getattr(nominal, name) * rng.uniform(1.0 - SPREAD, 1.0 + SPREAD) for name in PERTURBED
    }
    changes["heater_power_w"] = nominal.heater_power_w * factor
    return dataclasses.replace(nominal, **changes)


def session(
    params: PhysicsParams, seed: int, heat_step: int, *, bound: bool = False
) -> tuple[RoastSessionManager, SimulatedRoaster, ManualClock]:
    """A stepped session on the simulated plant; the forecast twin is the plain hottop model.

    A ``bound`` run (full or zero heat throughout) lifts the bean temperature limit to its
    highest setting, 240 degC, so a full-heat curve is not cut short by the forced drop.
    """
    clock = ManualClock(start=START)
    simulator = SimulatorConfig(seed=seed, bean_variance_c=0.0, whole_degrees=True, noise_c=0.3)
    roaster = SimulatedRoaster(simulator, clock, params=params)
    config = ServerConfig(
        timezone="UTC",
        simulator=simulator,
        hardware=HardwareConfig(heat_step_percent=heat_step),
        safety=SafetyConfig(bean_temp_limit_c=240.0 if bound else 220.0),
    )
    manager = RoastSessionManager(roaster, config, clock=clock, background_polling=False)
    return manager, roaster, clock


def step(manager: RoastSessionManager, clock: ManualClock) -> None:
    """Advance one sampling interval and take the sample."""
    clock.advance(manager.config.tracker.sampling_interval_s)
    manager.poll_once()


def preheat_and_charge(
    manager: RoastSessionManager, roaster: SimulatedRoaster, clock: ManualClock, ref: Reference
) -> float:
    """Full heat to the reference's charge ET, hold it to 15 minutes, charge; return CHARGE s."""
    manager.start_session()
    manager.start_roaster()
    manager.set_fan(_fan(ref.fan_at(0.0) or 0))
    target = ref.charge_env_c or 190.0
    manager.set_heat(100)
    started = clock.monotonic()
    reached = False
    while clock.monotonic() - started < PREHEAT_S:
        step(manager, clock)
        latest = manager.get_status(forecast=False).sensors
        env = latest.env_temp_c if latest is not None else 0.0
        reached = reached or env >= target
        if reached and int(clock.monotonic() - started) % 5 == 0:
            heat = min(100, max(0, round((target - env) * 8 + 30, -1)))
            heat = heat - heat % manager.heat_range.step
            if heat != manager.get_status(forecast=False).sensors.heat_percent:  # type: ignore[union-attr]
                manager.set_heat(int(heat))
    roaster.charge(mass_g=ref.batch_g or 220.0)
    return clock.monotonic()


def _fan(percent: float) -> int:
    step_ = FAN_RANGE.step
    return int(min(100, max(0, round(percent / step_) * step_)))


#: Every decision's time in this process (ms), appended by the timed ProfileFollower.decide.
DECISION_COSTS_MS: list[float] = []


def _timed(decide: Callable[..., HeatDecision]) -> Callable[..., HeatDecision]:
    """Wrap ProfileFollower.decide so each decision's time is kept (the benchmark's only hook)."""

    @functools.wraps(decide)
    def timed(*args: Any, **kwargs: Any) -> HeatDecision:
        began = time.perf_counter()
        try:
            return decide(*args, **kwargs)
        finally:
            DECISION_COSTS_MS.append((time.perf_counter() - began) * 1000.0)

    return timed


ProfileFollower.decide = _timed(ProfileFollower.decide)  # type: ignore[method-assign]


class ArtisanPid:
    """Artisan's PID as its Hottop preset runs it (Beauregard's improved beginner's PID)."""

    def __init__(self, kp: float = 36.0, ki: float = 0.01, kd: float = 5.0) -> None:
        self.kp, self.ki, self.kd = kp, ki, kd
        self.integral = 0.0
        self.last_input: float | None = None
        self.last_time: float | None = None

    def update(self, now_s: float, bt: float, sv: float) -> int:
        """Return the duty (integer 0-100) for this 1 s cycle."""
        dt = 1.0 if self.last_time is None else max(now_s - self.last_time, 1e-6)
        err = sv - bt
        self.integral = min(100.0, max(0.0, self.integral + self.ki * err * dt))
        derivative = 0.0 if self.last_input is None else (bt - self.last_input) / dt
        self.last_input, self.last_time = bt, now_s
        output = self.kp * err + self.integral - self.kd * derivative
        return round(min(100.0, max(0.0, output)))


def run_one(path: Path, factor: float, controller: str, seed: int) -> RunResult:
    """Run one controller on one reference and plant; return its figures."""
    ref = reference_from_file(path)
    params = plant_params(factor, seed)
    heat_step = 10 if controller == "follow" else 1
    manager, roaster, clock = session(params, seed, heat_step, bound=controller in BOUNDS)
    charged_at = preheat_and_charge(manager, roaster, clock, ref)
    costs: list[float] = []
    decisions_before = len(DECISION_COSTS_MS)
    bts: list[tuple[float, float]] = []
    heats: list[int] = []
    heat_changes = 0
    last_heat: int | None = None
    pid = ArtisanPid()
    fault: str | None = None
    if controller == "follow":
        manager.follow_profile(ref)
    while True:
        elapsed = clock.monotonic() - charged_at
        if elapsed > ref.drop_s:
            break
        began = time.perf_counter()
        status = manager.get_status(forecast=False)
        sensors = status.sensors
        if sensors is None:
            step(manager, clock)
            continue
        if controller == "replay":
            heat = ref.heat_at(elapsed)
            fan = ref.fan_at(elapsed)
            _send(manager, sensors.heat_percent, heat, sensors.fan_percent, fan)
        elif controller in ("full", "off"):
            heat = 100 if controller == "full" else 0
            _send(manager, sensors.heat_percent, heat, sensors.fan_percent, ref.fan_at(elapsed))
        elif controller == "pid":
            heat = pid.update(elapsed, sensors.bean_temp_c, ref.bt_at(elapsed))
            _send(manager, sensors.heat_percent, heat, sensors.fan_percent, ref.fan_at(elapsed))
        step(manager, clock)
        costs.append((time.perf_counter() - began) * 1000.0)
        status = manager.get_status(forecast=False)
        if status.sensors is not None:
            bts.append((status.sensors.monotonic_s - charged_at, status.sensors.bean_temp_c))
            heats.append(status.sensors.heat_percent)
            if last_heat is not None and status.sensors.heat_percent != last_heat:
                heat_changes += 1
            last_heat = status.sensors.heat_percent
        fault = fault or _fault(status)
        if status.events and any(e.type is RoastEventType.DROP for e in status.events):
            break
        following = status.following if controller == "follow" else None
        if following is not None and following.state is FollowState.STOPPED:
            fault = fault or f"following stopped: {following.reason}"
            break
    manager.stop_session()
    dry_from = _dry_from(ref)
    window = [
        (t, bt, heat)
        for (t, bt), heat in zip(bts, heats, strict=True)
        if dry_from <= t <= ref.drop_s
    ]
    saturated = sum(1 for t, bt, heat in window if heat >= 100 and bt < ref.bt_at(t) - 1.0)
    return RunResult(
        roast=path.name.removeprefix("hottop__").removesuffix(".alog")[:40],
        path=path,
        factor=factor,
        controller=controller,
        rmse_dry_c=_rmse(ref, bts, dry_from),
        rmse_tp_c=_rmse(ref, bts, ref.track_from_s),
        fault=fault,
        heat_changes_per_min=heat_changes / (ref.drop_s / 60.0),
        sample_costs_ms=tuple(costs),
        decision_costs_ms=tuple(DECISION_COSTS_MS[decisions_before:]),
        bts=tuple(bts),
        saturated=saturated / len(window) if window else 0.0,
    )


def _send(
    manager: RoastSessionManager, heat_now: int, heat: int | None, fan_now: int, fan: int | None
) -> None:
    if heat is not None:
        wanted = round(heat)
        if wanted != heat_now:
            try:
                manager.set_heat(wanted)
            except RoasterError as exc:  # refused by the supervisor: the run records the fault
                logger.info("set_heat refused: %s", exc)
    if fan is not None and _fan(fan) != fan_now:
        manager.set_fan(_fan(fan))


def _fault(status: object) -> str | None:
    safety = getattr(status, "safety", None)
    faults = getattr(safety, "faults", ()) if safety is not None else ()
    if faults:
        return "; ".join(str(getattr(f, "rule", f)) for f in faults)
    events = getattr(status, "events", ())
    for event in events:
        if event.type is RoastEventType.DROP and str(event.source) == "safety":
            return "forced drop at the bean temperature limit"
    return None


def _floor(high: RunResult, low: RunResult) -> tuple[float, float]:
    """The RMSE left where the reference lies outside the full-heat/zero-heat band."""
    ref = reference_from_file(high.path)
    with_heat_off = {round(t, 1): bt for t, bt in low.bts}
    outside: list[tuple[float, float]] = []
    for t, bt_full in high.bts:
        bt_off = with_heat_off.get(round(t, 1))
        if bt_off is None:
            continue
        aim = ref.bt_at(t)
        outside.append((t, max(0.0, aim - bt_full, bt_off - aim)))
    return (
        _window_rms(outside, _dry_from(ref), ref.drop_s),
        _window_rms(outside, ref.track_from_s, ref.drop_s),
    )


def _window_rms(errors: Sequence[tuple[float, float]], from_s: float, to_s: float) -> float:
    inside = [e * e for t, e in errors if from_s <= t <= to_s]
    return math.sqrt(sum(inside) / len(inside)) if inside else math.nan


def _dry_from(ref: Reference) -> float:
    """DRY END where the log marks it, else where the reference crosses 150 degC."""
    marked = ref.events_s.get(RoastEventType.DRY_END)
    if marked is not None:
        return marked
    found = ref.time_at_bt(DRY_END_DEFAULT_C)
    return ref.track_from_s if found is None else found


def _rmse(ref: Reference, bts: Sequence[tuple[float, float]], from_s: float) -> float:
    errors = [(bt - ref.bt_at(t)) ** 2 for t, bt in bts if from_s <= t <= ref.drop_s]
    return math.sqrt(sum(errors) / len(errors)) if errors else math.nan


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    index = (len(ordered) - 1) * q
    low = math.floor(index)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (index - low)


def references(data: Path, only: str | None) -> list[Path]:
    """The shared Hottop logs that make a reference (CHARGE and DROP marked)."""
    chosen: list[Path] = []
    for path in find_roast_logs(data):
        if not path.name.startswith("hottop__") or (only and only not in path.name):
            continue
        try:
            ref = reference_from_file(path)
        except RoasterError as exc:
            print(f"skipped {path.name}: {exc}", file=sys.stderr)
            continue
        marked = load_roast_record(path).event(RoastEventType.DROP) is not None
        if marked and ref.drop_s >= 300.0:
            chosen.append(path)
    return chosen


def _job(args: tuple[Path, float, str, int]) -> RunResult:
    return run_one(*args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--only", default=None)
    parser.add_argument("--factors", default=",".join(str(f) for f in FACTORS))
    parser.add_argument("--controllers", default=",".join(CONTROLLERS))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"no roast data at {args.data}", file=sys.stderr)
        return 2
    paths = references(args.data, args.only)
    factors = [float(f) for f in args.factors.split(",")]
    controllers = args.controllers.split(",")
    jobs = [
        (path, factor, controller, 1000 + index * 10 + f_index)
        for index, path in enumerate(paths)
        for f_index, factor in enumerate(factors)
        for controller in (*controllers, *BOUNDS)
    ]
    began = time.perf_counter()
    run: Callable[[tuple[Path, float, str, int]], RunResult] = _job
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(run, jobs))
    else:
        results = [run(job) for job in jobs]
    print(
        f"{len(paths)} references x {len(factors)} heater multiples x {len(controllers)} "
        f"controllers (+ full/zero heat bounds): {len(results)} runs in "
        f"{time.perf_counter() - began:.0f} s"
    )
    report(results, controllers)
    return 0


def floors(results: Sequence[RunResult]) -> dict[tuple[str, float], tuple[float, float]]:
    """Return (DRY->DROP, TP->DROP) RMSE floors per (roast, heater multiple).

    BT under any heat lies between BT at full heat and BT with the heat off (the fan as
    replayed), so the error left where the reference is outside that band is one no controller
    can avoid on that plant.
    """
    full = {(r.roast, r.factor): r for r in results if r.controller == "full"}
    off = {(r.roast, r.factor): r for r in results if r.controller == "off"}
    found: dict[tuple[str, float], tuple[float, float]] = {}
    for key, high in full.items():
        low = off.get(key)
        if low is None:
            continue
        found[key] = _floor(high, low)
    return found


def report(results: Sequence[RunResult], controllers: Sequence[str]) -> None:
    """Print per-run lines and the summary per controller."""
    bounds = floors(results)
    print(
        f"{'roast':<40} {'heater':>6} {'floor dry/tp':>14} "
        + " ".join(f"{c + ' dry/tp':>16}" for c in controllers)
    )
    keys = sorted({(r.roast, r.factor) for r in results})
    table = {(r.roast, r.factor, r.controller): r for r in results}
    for roast, factor in keys:
        cells = []
        for c in controllers:
            r = table.get((roast, factor, c))
            cells.append(
                f"{'-':>16}"
                if r is None
                else f"{r.rmse_dry_c:7.2f}/{r.rmse_tp_c:6.2f}{'!' if r.fault else ' '}"
            )
        floor = bounds.get((roast, factor), (math.nan, math.nan))
        print(f"{roast[:40]:<40} {factor:6.2f} {floor[0]:6.2f}/{floor[1]:6.2f}  " + " ".join(cells))
    print("('!': a safety fault in that run)")
    print()
    reachable = {key for key, (dry, _) in bounds.items() if dry <= REACHABLE_FLOOR_C}
    floor_dry = [dry for dry, _ in bounds.values()]
    floor_tp = [tp for _, tp in bounds.values()]
    print(
        f"floor   DRY->DROP median {statistics.median(floor_dry):5.2f} p90 "
        f"{_percentile(floor_dry, 0.9):5.2f} | TP->DROP median {statistics.median(floor_tp):5.2f}"
        f" | {len(reachable)} of {len(bounds)} runs reachable (floor <= {REACHABLE_FLOOR_C} degC)"
    )
    for c in controllers:
        mine = [r for r in results if r.controller == c]
        _summary(c, mine)
        _summary(
            f"{c} (reachable)", [r for r in mine if (r.roast, r.factor) in reachable], short=True
        )
    print(
        f"goals (follow): DRY->DROP median <= {GOALS['dry_median']} degC, p90 <= "
        f"{GOALS['dry_p90']} degC; TP->DROP median <= {GOALS['tp_median']} degC; no safety "
        "fault; <= 1/5 of the better anchor's median"
    )


def _summary(name: str, mine: Sequence[RunResult], *, short: bool = False) -> None:
    if not mine:
        return
    dry = [r.rmse_dry_c for r in mine if not math.isnan(r.rmse_dry_c)]
    tp = [r.rmse_tp_c for r in mine if not math.isnan(r.rmse_tp_c)]
    faults = [r for r in mine if r.fault]
    line = (
        f"{name:<18} DRY->DROP median {statistics.median(dry):5.2f} p90 "
        f"{_percentile(dry, 0.9):5.2f} | TP->DROP median {statistics.median(tp):5.2f} p90 "
        f"{_percentile(tp, 0.9):5.2f} | faults {len(faults)}/{len(mine)}"
    )
    if not short:
        changes = statistics.median(r.heat_changes_per_min for r in mine)
        costs = [x for r in mine for x in r.sample_costs_ms]
        decisions = [x for r in mine for x in r.decision_costs_ms]
        saturated = statistics.median(r.saturated for r in mine)
        line += (
            f" | heat changes/min median {changes:4.1f} | at full heat and below the reference "
            f"{saturated:.0%} of DRY->DROP (median) | cost/sample median "
            f"{statistics.median(costs):.2f} ms p99 {_percentile(costs, 0.99):.1f} ms"
        )
        if decisions:
            line += (
                f" | {len(decisions)} decisions: median {statistics.median(decisions):.1f} ms, "
                f"p99 {_percentile(decisions, 0.99):.1f} ms"
            )
    print(line)
    if not short:
        for r in faults:
            print(f"    fault: {r.roast} x{r.factor}: {r.fault}")


if __name__ == "__main__":
    raise SystemExit(main())
