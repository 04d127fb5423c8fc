"""Cross-validated accuracy of the calibrated digital twin on real Hottop logs.

The Hottop logs in ``../shared/data/roasts`` that carry heater and fan channels and CHARGE and
DROP marks are sorted by name and dealt into four folds (log i goes to fold i mod 4), which
mixes the operators into every fold.  For each fold the model is calibrated, from the generic
parameters, on the other three folds and replayed open-loop on the held-out one.  The table
gives each log's held-out errors; the target is a median held-out BT RMSE of at most 6 degC.

The last two columns ask how much of each log's error is the heater strength on the day (logs
do not record the line voltage that sets it): the multiple of the fold model's heater power
that replays the log best, and the BT RMSE there.  That multiple is fitted on the held-out log
itself, so it is a diagnostic, not part of the prediction.

Run: ``.venv/bin/python benchmarks/twin_accuracy.py [--evaluations N] [--folds K]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from roastctl.physics.param_sets import builtin_model
from roastctl.twin.check import TwinCheck, check_replay
from roastctl.twin.drive import ReplayInputs, TwinDataError, load_replay
from roastctl.twin.fit import fit_model
from roastctl.twin.heater_fit import HeaterFit, fit_heater_scale

ROASTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "roasts"
TARGET_MEDIAN_BT_RMSE_C = 6.0


def usable_logs(folder: Path) -> list[ReplayInputs]:
    """Return the replayable Hottop logs in ``folder``, sorted by file name."""
    logs: list[ReplayInputs] = []
    for path in sorted(folder.glob("hottop__*")):
        try:
            logs.append(load_replay(path))
        except TwinDataError as exc:
            print(f"  skipped {exc}", file=sys.stderr)
    return logs


def run_fold(
    fold: int, folds: int, logs: list[ReplayInputs], evaluations: int
) -> list[tuple[int, TwinCheck, HeaterFit]]:
    """Fit on every fold but ``fold``; return the held-out checks and heater diagnostics."""
    train = [log for i, log in enumerate(logs) if i % folds != fold]
    test = [log for i, log in enumerate(logs) if i % folds == fold]
    model = fit_model(builtin_model("generic"), train, max_evaluations=evaluations).model
    return [(fold, check_replay(log, model), fit_heater_scale(log, model)) for log in test]


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:+.{digits}f}"


def main() -> int:
    """Run the cross-validation and print the table; exit 1 if the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=300, help="fit budget per fold")
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="folds fitted in parallel")
    args = parser.parse_args()
    if not ROASTS.is_dir():
        print(f"SKIP: no roast logs at {ROASTS} (the shared data set is not checked out)")
        return 0
    logs = usable_logs(ROASTS)
    if len(logs) < args.folds * 2:
        print(f"SKIP: only {len(logs)} replayable Hottop logs; need {args.folds * 2}")
        return 0
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = [
            pool.submit(run_fold, fold, args.folds, logs, args.evaluations)
            for fold in range(args.folds)
        ]
        rows = sorted(
            (row for future in futures for row in future.result()), key=lambda r: r[1].name
        )
    elapsed = time.perf_counter() - started
    print(f"{len(logs)} Hottop logs, {args.folds}-fold, {args.evaluations} evaluations per fit")
    print()
    print(
        "| log | fold | BT RMSE (C) | ET RMSE (C) | t150 error (s) | BT error at FCs (C) "
        "| heater x | BT RMSE there (C) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for fold, check, heater in rows:
        et = "-" if check.et_rmse_c is None else f"{check.et_rmse_c:.1f}"
        print(
            f"| {check.name} | {fold} | {check.bt_rmse_c:.1f} | {et} | "
            f"{_fmt(check.t150_error_s, 0)} | {_fmt(check.fcs_temp_error_c)} | "
            f"{heater.scale:.2f} | {heater.bt_rmse_c:.1f} |"
        )
    median_bt = statistics.median(check.bt_rmse_c for _, check, _ in rows)
    ets = [check.et_rmse_c for _, check, _ in rows if check.et_rmse_c is not None]
    scales = [heater.scale for _, _, heater in rows]
    print()
    print(f"median held-out BT RMSE: {median_bt:.2f} C (target <= {TARGET_MEDIAN_BT_RMSE_C} C)")
    if ets:
        print(f"median held-out ET RMSE: {statistics.median(ets):.2f} C")
    at_heater = statistics.median(heater.bt_rmse_c for _, _, heater in rows)
    print(
        f"median held-out BT RMSE at each log's best heater power: {at_heater:.2f} C "
        f"(heater x {min(scales):.2f}-{max(scales):.2f}, diagnostic only)"
    )
    print(f"time: {elapsed:.0f} s")
    return 0 if median_bt <= TARGET_MEDIAN_BT_RMSE_C else 1


if __name__ == "__main__":
    raise SystemExit(main())
