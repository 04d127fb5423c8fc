"""Forecast accuracy on the shared real Hottop roasts, beside Artisan's projection in the same run.

Each shared Hottop log with CHARGE and DROP marks is replayed through the replay driver
(:class:`~roastctl.devices.replay.ReplayRoaster`) into a real session with a real SQLite store,
stepped sample by sample on a :class:`~roastctl.clock.ManualClock`. The session is never told
about first crack. The other shared Hottop logs are imported into that store first: they are the
user's history, from which the forecast learns its first-crack BT (the replayed log is left out).

At every sample the status's forecast is read and, side by side, Artisan's projection from the
same samples: BT + RoR x 120 s with RoR the BT slope over the last 20 s, and time to FCs =
(FCs target - BT) / RoR with the target the median FCs BT of the same history (what a background
roast would give Artisan).

Printed, per roast and as the median over roasts (the issue's goals beside them):

* BT 120 s ahead, from TP + 60 s to DROP - 120 s: RMSE per roast (goal <= 2.5 degC and <= half of
  Artisan's);
* first-crack time predicted 180 s and 60 s before the log's FCs mark: |error| per roast (goals
  <= 20 s and <= 6 s, and better than Artisan);
* how often the 80 % intervals held the truth (BT 60/120/180 s, first-crack time; goal 70-90 %);
* the estimator's cost per sample (median, p99; goal <= 2 ms), the time of a status read that
  makes the forecast, and the what-if latency (goal well under 100 ms).

Run: ``.venv/bin/python benchmarks/forecast_accuracy.py [--only NAME] [--data DIR]``
"""

from __future__ import annotations

import argparse
import gc
import itertools
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from roastctl.clock import ManualClock
from roastctl.config import ForecastConfig, HardwareConfig, ServerConfig
from roastctl.devices.replay import ReplayRoaster
from roastctl.forecast.artisan_projection import (
    artisan_projected_bt,
    artisan_ror_c_per_s,
    artisan_time_to,
)
from roastctl.forecast.correction import ForecastCorrection, fit_correction, save_correction
from roastctl.forecast.correction_rows import correction_rows
from roastctl.forecast.estimator import TwinEstimator
from roastctl.logs.load import load_recorded_roast, load_roast_record
from roastctl.logs.record import RecordedRoast
from roastctl.models import RoastEventType, RoastForecast, SensorReading, SettingChange
from roastctl.session.live_forecast import twin_model
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "roasts"
START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)

AHEAD_S = 120.0
LEADS_S = (180.0, 60.0)
GOAL_BT_RMSE_C = 2.5
GOAL_FC_ERROR_S = {180.0: 20.0, 60.0: 6.0}
GOAL_COVERAGE = (0.70, 0.90)
GOAL_ESTIMATOR_MS = 2.0
GOAL_WHAT_IF_MS = 100.0


@dataclass
class RoastResult:
    """What one replayed roast measured."""

    name: str
    bt_rmse_c: float | None = None
    artisan_bt_rmse_c: float | None = None
    fc_error_s: dict[float, float | None] = field(default_factory=dict)
    artisan_fc_error_s: dict[float, float | None] = field(default_factory=dict)
    own_fc_error_s: dict[float, float | None] = field(default_factory=dict)
    own_artisan_fc_error_s: dict[float, float | None] = field(default_factory=dict)
    perfect_fc_error_s: dict[float, float | None] = field(default_factory=dict)
    inside: dict[str, list[bool]] = field(default_factory=dict)
    estimator_s: list[float] = field(default_factory=list)
    status_s: list[float] = field(default_factory=list)
    what_if_s: list[float] = field(default_factory=list)
    heater_factor: float | None = None
    first_crack_bt_c: float | None = None
    target_c: float | None = None


def hottop_logs(folder: Path) -> dict[Path, RecordedRoast]:
    """Return the shared Hottop logs that have CHARGE and DROP marks."""
    found: dict[Path, RecordedRoast] = {}
    for path in sorted(folder.glob("hottop__*")):
        roast = load_recorded_roast(path)
        marks = roast.marks
        if RoastEventType.CHARGE in marks and RoastEventType.DROP in marks:
            found[path] = roast
    return found


def mark_time(roast: RecordedRoast, kind: RoastEventType) -> float | None:
    """Return the log time (s) of a mark, None if unmarked."""
    index = roast.marks.get(kind)
    return None if index is None else roast.times[index]


def bt_at(roast: RecordedRoast, time_s: float) -> float | None:
    """Return the log's BT at ``time_s`` (linear between samples), None outside it."""
    times = roast.times
    if time_s < times[0] or time_s > times[-1]:
        return None
    for index in range(1, len(times)):
        if times[index] >= time_s:
            before, after = roast.bean_temps[index - 1], roast.bean_temps[index]
            if before is None or after is None:
                return after if after is not None else before
            span = times[index] - times[index - 1]
            share = 0.0 if span <= 0.0 else (time_s - times[index - 1]) / span
            return before + (after - before) * share
    return None


def first_crack_bts(logs: dict[Path, RecordedRoast]) -> dict[Path, float]:
    """Return the BT at each log's FCs mark."""
    out: dict[Path, float] = {}
    for path, roast in logs.items():
        index = roast.marks.get(RoastEventType.FIRST_CRACK_START)
        if index is not None and roast.bean_temps[index] is not None:
            value = roast.bean_temps[index]
            assert value is not None
            out[path] = value
    return out


def rmse(errors: Sequence[float]) -> float | None:
    """Return the root mean square of ``errors``, None if there are none."""
    return math.sqrt(sum(e * e for e in errors) / len(errors)) if errors else None


def replay_one(
    path: Path,
    roast: RecordedRoast,
    history: list[Path],
    target_c: float | None,
    correction: ForecastCorrection | None,
) -> RoastResult:
    """Replay ``path`` into a session whose store holds ``history``; measure it.

    The forecast is made at every sample (``refresh_s`` 0) so that every status read is scored.
    """
    result = RoastResult(name=path.name, target_c=target_c)
    with tempfile.TemporaryDirectory() as folder:
        store = RoastStore(Path(folder) / "roasts.sqlite")
        try:
            for other in history:
                store.import_record(load_roast_record(other))
            clock = ManualClock(start=START)
            roaster = ReplayRoaster(roast, clock)
            forecast = ForecastConfig(refresh_s=0.0)
            if correction is not None:
                correction_file = Path(folder) / "correction.toml"
                save_correction(correction, correction_file)
                forecast = ForecastConfig(refresh_s=0.0, correction_file=correction_file)
            config = ServerConfig(
                hardware=HardwareConfig(driver="replay"), forecast=forecast, timezone="UTC"
            )
            manager = RoastSessionManager(
                roaster, config, clock=clock, background_polling=False, store=store
            )
            measure(manager, roaster, clock, roast, result)
        finally:
            store.close()
    return result


def measure(
    manager: RoastSessionManager,
    roaster: ReplayRoaster,
    clock: ManualClock,
    roast: RecordedRoast,
    result: RoastResult,
) -> None:
    """Step the replay to its end, reading the forecast and Artisan's projection at each sample."""
    steps = [b - a for a, b in zip(roast.times, roast.times[1:], strict=False) if b > a]
    interval = roast.sampling_interval_s or statistics.median(steps)
    origin = clock.monotonic()
    drop_at = mark_time(roast, RoastEventType.DROP)
    fcs_at = mark_time(roast, RoastEventType.FIRST_CRACK_START)
    assert drop_at is not None
    seen_t: list[float] = []
    seen_bt: list[float] = []
    readings: list[SensorReading] = []
    rows: list[tuple[float, float, RoastForecast, float | None]] = []
    leads_done: set[float] = set()
    manager.start_session()
    if roast.batch_mass_g:
        manager.set_roast_info(batch_g=roast.batch_mass_g)  # as the user enters it
    charge_s: float | None = None
    while roaster.is_connected():
        clock.advance(interval)
        reading = manager.poll_once()
        if reading is None:
            continue
        now = reading.monotonic_s - origin
        readings.append(reading)
        seen_t.append(now)
        seen_bt.append(reading.bean_temp_c)
        started = time.perf_counter()
        status = manager.get_status()
        result.status_s.append(time.perf_counter() - started)
        forecast = status.forecast
        charge = next((e for e in status.events if e.type is RoastEventType.CHARGE), None)
        if charge is not None:
            charge_s = charge.monotonic_s - origin
        if forecast is None:
            continue
        ror = artisan_ror_c_per_s(seen_t, seen_bt)
        rows.append((now, reading.bean_temp_c, forecast, ror))
        if forecast.heater_power_factor is not None:
            result.heater_factor = forecast.heater_power_factor
        if forecast.first_crack_bt_c is not None:
            result.first_crack_bt_c = forecast.first_crack_bt_c
        if fcs_at is not None and charge_s is not None:
            for lead in LEADS_S:
                if lead not in leads_done and now >= fcs_at - lead:
                    leads_done.add(lead)
                    time_what_if(manager, result)
                    score_first_crack(result, lead, now, fcs_at, forecast, reading, ror)
                    score_own_target(manager, result, lead, now, fcs_at, roast, reading, ror)
                    score_perfect_bt(result, lead, now, fcs_at, roast)
        if now > drop_at + 30.0:
            break
    manager.stop_session()
    score_bt(result, roast, rows, charge_s, drop_at, fcs_at)
    # Timed on a heap like a server's: the scored forecasts are let go first, so a collection
    # of this benchmark's own garbage is not charged to the estimator.
    rows.clear()
    gc.collect()
    mass_kg = (roast.batch_mass_g or 220.0) / 1000.0
    result.estimator_s = time_estimator(manager, readings, charge_s, origin, mass_kg)


def time_what_if(manager: RoastSessionManager, result: RoastResult) -> None:
    """Time what-if questions an agent would ask: heat down now, and a two-step schedule."""
    for schedule, horizon in (
        ((SettingChange(at_s=0.0, heat_percent=50),), 180.0),
        (
            (SettingChange(at_s=0.0, heat_percent=70), SettingChange(at_s=60.0, fan_percent=50)),
            600.0,
        ),
    ):
        started = time.perf_counter()
        manager.what_if(schedule, horizon)
        result.what_if_s.append(time.perf_counter() - started)


def score_first_crack(
    result: RoastResult,
    lead: float,
    now: float,
    fcs_at: float,
    forecast: RoastForecast,
    reading: SensorReading,
    ror: float | None,
) -> None:
    """Score the FC time forecast ``lead`` seconds before the mark, ours and Artisan's."""
    ours = forecast.first_crack_in_s
    result.fc_error_s[lead] = None if ours is None else abs(now + ours - fcs_at)
    low, high = forecast.first_crack_in_s_low, forecast.first_crack_in_s_high
    if low is not None and high is not None:
        result.inside.setdefault("first crack", []).append(now + low <= fcs_at <= now + high)
    theirs = None
    if result.target_c is not None and ror is not None:
        theirs = artisan_time_to(result.target_c, reading.bean_temp_c, ror)
    result.artisan_fc_error_s[lead] = None if theirs is None else abs(now + theirs - fcs_at)


def score_perfect_bt(
    result: RoastResult, lead: float, now: float, fcs_at: float, roast: RecordedRoast
) -> None:
    """Score a perfect BT forecast (the recorded BT itself) against the history's target.

    What is left is the error of the target alone: the floor no BT forecast can go below.
    """
    if result.target_c is None:
        return
    reached = next(
        (
            t
            for t, bt in zip(roast.times, roast.bean_temps, strict=True)
            if t >= now and bt is not None and bt >= result.target_c
        ),
        None,
    )
    result.perfect_fc_error_s[lead] = None if reached is None else abs(reached - fcs_at)


def score_own_target(
    manager: RoastSessionManager,
    result: RoastResult,
    lead: float,
    now: float,
    fcs_at: float,
    roast: RecordedRoast,
    reading: SensorReading,
    ror: float | None,
) -> None:
    """Score the FC time against the roast's own FCs BT: the forecast's share of the error.

    The median FCs BT of other roasts misses a roast's own by several degrees (operators hear
    first crack at different BTs); with the roast's own FCs BT as the target, what is left is
    how well the BT curve was forecast. Ours comes from the forecast curve ten minutes ahead
    (a what-if that changes nothing).
    """
    index = roast.marks[RoastEventType.FIRST_CRACK_START]
    own = roast.bean_temps[index]
    if own is None:
        return
    curve = manager.what_if((), 600.0).holding.curve
    crossing = next(
        (
            before.in_s
            + (after.in_s - before.in_s)
            * (own - before.bean_temp_c)
            / (after.bean_temp_c - before.bean_temp_c)
            for before, after in itertools.pairwise(curve)
            if before.bean_temp_c < own <= after.bean_temp_c
        ),
        0.0 if curve and curve[0].bean_temp_c >= own else None,
    )
    result.own_fc_error_s[lead] = None if crossing is None else abs(now + crossing - fcs_at)
    theirs = None if ror is None else artisan_time_to(own, reading.bean_temp_c, ror)
    result.own_artisan_fc_error_s[lead] = None if theirs is None else abs(now + theirs - fcs_at)


def score_bt(
    result: RoastResult,
    roast: RecordedRoast,
    rows: list[tuple[float, float, RoastForecast, float | None]],
    charge_s: float | None,
    drop_at: float,
    fcs_at: float | None,
) -> None:
    """Score BT 120 s ahead (TP + 60 s to DROP - 120 s) and the interval coverage."""
    if charge_s is None:
        return
    window = [(t, bt) for t, bt, _, _ in rows if charge_s < t < charge_s + 240.0]
    if not window:
        return
    tp_s = min(window, key=lambda row: row[1])[0]
    ours: list[float] = []
    theirs: list[float] = []
    for now, bt, forecast, ror in rows:
        if not tp_s + 60.0 <= now <= drop_at - AHEAD_S:
            continue
        truth = bt_at(roast, now + AHEAD_S)
        if truth is None:
            continue
        if forecast.bt_in_120s_c is not None:
            ours.append(forecast.bt_in_120s_c - truth)
        else:
            ours.append(math.nan)
        if ror is not None:
            theirs.append(artisan_projected_bt(bt, ror, AHEAD_S) - truth)
        for ahead in (60.0, 120.0, 180.0):
            name = f"bt_in_{ahead:.0f}s_c"
            low = getattr(forecast, name + "_low")
            high = getattr(forecast, name + "_high")
            later = bt_at(roast, now + ahead)
            if (
                low is not None
                and high is not None
                and later is not None
                and now + ahead <= drop_at
            ):
                result.inside.setdefault(f"BT {ahead:.0f} s", []).append(low <= later <= high)
    missing = sum(1 for e in ours if math.isnan(e))
    if missing:
        print(f"  {result.name}: {missing} samples in the window had no BT forecast")
    result.bt_rmse_c = rmse([e for e in ours if not math.isnan(e)])
    result.artisan_bt_rmse_c = rmse(theirs)
    del fcs_at


def time_estimator(
    manager: RoastSessionManager,
    readings: list[SensorReading],
    charge_s: float | None,
    origin: float,
    mass_kg: float,
) -> list[float]:
    """Time a fresh estimator over the session's readings (the batch put in at CHARGE)."""
    estimator = TwinEstimator(twin_model(manager.config))
    costs: list[float] = []
    for reading in readings:
        started = time.perf_counter()
        estimator.observe(reading)
        if (
            charge_s is not None
            and not estimator.charged
            and reading.monotonic_s - origin >= charge_s + 10.0
        ):
            estimator.charge(charge_s + origin, mass_kg)
        costs.append(time.perf_counter() - started)
    return costs


def row(result: RoastResult) -> str:
    """Return one roast's line of the table."""
    cells = [
        fmt(result.bt_rmse_c),
        fmt(result.artisan_bt_rmse_c),
        fmt(result.fc_error_s.get(180.0)),
        fmt(result.artisan_fc_error_s.get(180.0)),
        fmt(result.fc_error_s.get(60.0)),
        fmt(result.artisan_fc_error_s.get(60.0)),
        fmt(result.heater_factor),
        fmt(result.first_crack_bt_c),
    ]
    widths = (10, 8, 7, 6, 6, 6, 6, 6)
    return f"{result.name[:44]:44s} " + " ".join(
        f"{cell:>{width}s}" for cell, width in zip(cells, widths, strict=True)
    )


def fmt(value: float | None, unit: str = "") -> str:
    """Format a figure, '-' for none."""
    return "-" if value is None else f"{value:.2f}{unit}"


def median(values: Sequence[float | None]) -> float | None:
    """Return the median of the values that exist."""
    kept = [v for v in values if v is not None]
    return statistics.median(kept) if kept else None


def percentile(values: Sequence[float], share: float) -> float:
    """Return the ``share`` quantile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--only", default="", help="replay only logs whose name contains this")
    parser.add_argument(
        "--no-correction",
        dest="correction",
        action="store_false",
        help="forecast with the model alone, without the learned correction",
    )
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"no roast logs at {args.data}: this benchmark needs the shared Hottop logs")
        return 2
    logs = hottop_logs(args.data)
    fc_bts = first_crack_bts(logs)
    model = twin_model(ServerConfig())
    rows = {path: correction_rows(roast, model) for path, roast in logs.items()}
    results: list[RoastResult] = []
    print(f"{len(logs)} Hottop logs with CHARGE and DROP; each replayed with the others as history")
    print(
        f"{'roast':44s} {'BT120 ours':>10s} {'Artisan':>8s} {'FC@180':>7s} {'Art':>6s} "
        f"{'FC@60':>6s} {'Art':>6s} {'heater':>6s} {'FC BT':>6s}"
    )
    for path, roast in logs.items():
        if args.only not in path.name:
            continue
        history = [other for other in logs if other != path]
        others = [fc_bts[other] for other in history if other in fc_bts]
        target = statistics.median(others) if others else None
        # The correction is learned from the other roasts only, as a user's would be.
        correction = fit_correction([rows[other] for other in history]) if args.correction else None
        result = replay_one(path, roast, history, target, correction)
        results.append(result)
        print(row(result), flush=True)
    report(results)
    return 0


def report(results: list[RoastResult]) -> None:
    """Print the summary beside the goals."""
    ours = median([r.bt_rmse_c for r in results])
    theirs = median([r.artisan_bt_rmse_c for r in results])
    print()
    print(f"BT {AHEAD_S:.0f} s ahead, RMSE, median over {len(results)} roasts:")
    print(f"  roastctl {fmt(ours, ' degC')}   Artisan {fmt(theirs, ' degC')}")
    if ours is not None and theirs is not None:
        met = ours <= GOAL_BT_RMSE_C and ours <= theirs / 2.0
        print(
            f"  goal <= {GOAL_BT_RMSE_C} degC and <= half of Artisan's ({theirs / 2.0:.2f}): "
            f"{'met' if met else 'NOT met'}"
        )
    for lead in LEADS_S:
        mine = median([r.fc_error_s.get(lead) for r in results])
        art = median([r.artisan_fc_error_s.get(lead) for r in results])
        scored = sum(1 for r in results if lead in r.fc_error_s)
        misses = sum(1 for r in results if lead in r.fc_error_s and r.fc_error_s[lead] is None)
        print(
            f"first crack {lead:.0f} s before FCs, |error|, median over {scored} roasts: roastctl "
            f"{fmt(mine, ' s')} ({misses} without a forecast)   Artisan {fmt(art, ' s')}"
        )
        if mine is not None and art is not None:
            met = mine <= GOAL_FC_ERROR_S[lead] and mine < art
            print(
                f"  goal <= {GOAL_FC_ERROR_S[lead]:.0f} s and better than Artisan: "
                f"{'met' if met else 'NOT met'}"
            )
    for lead in LEADS_S:
        perfect = median([r.perfect_fc_error_s.get(lead) for r in results])
        print(
            f"  a perfect BT forecast (the recorded BT) with the same target, {lead:.0f} s before: "
            f"{fmt(perfect, ' s')} (the target's own share)"
        )
    for lead in LEADS_S:
        mine = median([r.own_fc_error_s.get(lead) for r in results])
        art = median([r.own_artisan_fc_error_s.get(lead) for r in results])
        print(
            f"  with each roast's own FCs BT as the target (the forecast's share), {lead:.0f} s "
            f"before: roastctl {fmt(mine, ' s')}   Artisan {fmt(art, ' s')}"
        )
    print("80 % intervals holding the truth:")
    names = sorted({name for r in results for name in r.inside})
    for name in names:
        flags = [flag for r in results for flag in r.inside.get(name, [])]
        share = sum(flags) / len(flags) if flags else math.nan
        low, high = GOAL_COVERAGE
        verdict = "met" if low <= share <= high else "NOT met"
        print(f"  {name:12s} {share:.0%} of {len(flags)} (goal {low:.0%}-{high:.0%}: {verdict})")
    costs = [c * 1000 for r in results for c in r.estimator_s]
    status = [c * 1000 for r in results for c in r.status_s]
    what_if = [c * 1000 for r in results for c in r.what_if_s]
    if costs:
        print(
            f"estimator per sample: median {statistics.median(costs):.2f} ms, p99 "
            f"{percentile(costs, 0.99):.2f} ms over {len(costs)} samples (goal <= "
            f"{GOAL_ESTIMATOR_MS} ms)"
        )
    if status:
        print(
            f"status read with the forecast: median {statistics.median(status):.1f} ms, p99 "
            f"{percentile(status, 0.99):.1f} ms"
        )
    if what_if:
        print(
            f"what_if: median {statistics.median(what_if):.1f} ms, max {max(what_if):.1f} ms over "
            f"{len(what_if)} questions (goal well under {GOAL_WHAT_IF_MS:.0f} ms)"
        )


if __name__ == "__main__":
    sys.exit(main())
