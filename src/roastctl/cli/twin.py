"""The digital-twin commands: ``roastctl calibrate`` and ``roastctl twin-check``.

``calibrate`` fits the simulator's physical parameters to recorded roasts and writes them as
TOML; ``twin-check`` replays recorded roasts open-loop through a model and reports how far the
simulated BT and ET stray from the recording.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from roastctl.errors import RoasterError
from roastctl.physics.param_sets import (
    DEFAULT_ET_WEIGHT,
    FIT_SPECS,
    MODEL_NAMES,
    TwinModel,
    load_model,
    save_model,
)

# The replay and fitting code (roastctl.twin) loads only when calibrate or twin-check runs:
# building the parser for every other command must not pay for it.
if TYPE_CHECKING:
    from roastctl.twin.check import TwinCheck
    from roastctl.twin.drive import ReplayInputs
    from roastctl.twin.heater_fit import HeaterFit

TWIN_COMMANDS = frozenset({"calibrate", "twin-check"})


def add_twin_commands(commands: Any, default_model: str = "hottop") -> None:  # noqa: ANN401 - argparse's private subparsers type
    """Register calibrate and twin-check on the CLI's subcommands."""
    calibrate = commands.add_parser(
        "calibrate",
        help="fit the simulator's physics to recorded roasts",
        description="Replay each log open-loop (its heater and fan from CHARGE to DROP) and "
        "fit thermal masses, heater power, fan and casing losses, probe lags, charge state "
        "and batch-mass dependence to its BT and ET. Deterministic.",
    )
    calibrate.add_argument("files", type=Path, nargs="+", metavar="FILE")
    calibrate.add_argument("-o", "--output", type=Path, required=True, help="TOML to write")
    calibrate.add_argument(
        "--start",
        default="generic",
        help=f"model to start from: {' or '.join(MODEL_NAMES)} or a TOML file (default generic)",
    )
    calibrate.add_argument(
        "--evaluations",
        type=_count,
        default=400,
        help="fit budget: replays of the whole set (default 400)",
    )
    calibrate.add_argument(
        "--et-weight",
        type=_weight,
        default=DEFAULT_ET_WEIGHT,
        help=f"weight of ET error against BT error, 0-10 (default {DEFAULT_ET_WEIGHT})",
    )
    calibrate.add_argument("--name", default="calibrated", help="model name stored in the file")
    calibrate.add_argument("--json", action="store_true", help="print JSON")
    check = commands.add_parser(
        "twin-check",
        help="replay recorded roasts through the simulator and report its error",
        description="For each log: BT and ET RMSE from CHARGE to DROP, the error in the time "
        "BT reaches 150 deg C and in BT at first crack, open-loop.",
    )
    check.add_argument("files", type=Path, nargs="+", metavar="FILE")
    check.add_argument(
        "--model",
        default=default_model,
        help=f"{' or '.join(MODEL_NAMES)} or a TOML file from calibrate (default {default_model})",
    )
    check.add_argument("--json", action="store_true", help="print JSON")
    check.add_argument(
        "--chart-dir", type=Path, help="also write <log>.twin.png charts into this folder"
    )
    check.add_argument(
        "--fit-heater",
        action="store_true",
        help="also find, per log, the multiple of the model's heater power that replays it "
        "best, and the BT RMSE there (a diagnostic: logs do not record the line voltage)",
    )


def run_twin_command(args: argparse.Namespace, out: TextIO) -> int:
    """Run calibrate or twin-check; return the exit status."""
    if args.command == "calibrate":
        return _run_calibrate(args, out)
    return _run_check(args, out)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError(f"{value} is outside 1-100000 (400 fits well)")
    return value


def _weight(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 10.0:
        raise argparse.ArgumentTypeError(f"{value} is outside 0-10 (0.3 weighs BT first)")
    return value


def _load_logs(files: list[Path]) -> list[ReplayInputs]:
    from roastctl.twin.drive import TwinDataError, load_replay

    logs: list[ReplayInputs] = []
    for path in files:
        try:
            logs.append(load_replay(path))
        except TwinDataError as exc:
            sys.stderr.write(f"roastctl: skipped {exc}\n")
    if not logs:
        raise TwinDataError(
            "none of the files can be replayed; give roast logs with heater/fan channels and "
            "CHARGE and DROP marks (Artisan .alog from a Hottop, or a split-key-roast log)"
        )
    return logs


def _run_calibrate(args: argparse.Namespace, out: TextIO) -> int:
    from roastctl.twin.check import compare
    from roastctl.twin.drive import replay
    from roastctl.twin.fit import fit_model

    logs = _load_logs(args.files)
    start = load_model(args.start)
    result = fit_model(start, logs, max_evaluations=args.evaluations, et_weight=args.et_weight)
    fit_info: dict[str, str | float | int | list[str]] = {
        "logs": [log.name for log in logs],
        "start": str(args.start),
        "evaluations": result.evaluations,
        "et_weight": args.et_weight,
        "objective_c": round(result.objective_c, 4),
    }
    model = TwinModel(
        name=args.name,
        physics=result.model.physics,
        charge_drum_offset_c=result.model.charge_drum_offset_c,
        first_crack_temp_c=result.model.first_crack_temp_c,
        fit=fit_info,
    )
    save_model(model, args.output)
    checks = [compare(log, replay(log, model)) for log in logs]
    params = [
        {
            "name": s.name,
            "value": model.value(s.name),
            "unit": s.unit,
            "start": start.value(s.name),
            "meaning": s.meaning,
        }
        for s in FIT_SPECS
    ]
    if args.json:
        payload = {
            "output": str(args.output),
            "objective_c": result.objective_c,
            "start_objective_c": result.start_objective_c,
            "evaluations": result.evaluations,
            "parameters": params,
            "first_crack_temp_c": model.first_crack_temp_c,
            "logs": [asdict(check) for check in checks],
        }
        out.write(json.dumps(payload, indent=2) + "\n")
        return 0
    out.write(
        f"fitted {len(FIT_SPECS)} parameters on {len(logs)} log(s) in {result.evaluations} "
        f"replays: objective {result.start_objective_c:.2f} -> {result.objective_c:.2f} deg C\n"
    )
    for row in params:
        out.write(
            f"  {row['name']:34} {row['value']:>11.5g} {row['unit']:5} "
            f"(start {row['start']:.5g})  {row['meaning']}\n"
        )
    out.write(
        f"  {'first_crack_temp_c':34} {model.first_crack_temp_c:>11.5g} degC  (start "
        f"{start.first_crack_temp_c:.5g})  bean mass at first crack, from the FCs marks\n"
    )
    _write_table(checks, out)
    out.write(f"wrote {args.output}\n")
    return 0


def _run_check(args: argparse.Namespace, out: TextIO) -> int:
    from roastctl.twin.check import compare
    from roastctl.twin.drive import ReplayResult, replay
    from roastctl.twin.heater_fit import fit_heater_scale, with_heater_scale

    model = load_model(args.model)
    logs = _load_logs(args.files)
    checks: list[TwinCheck] = []
    heater_fits: list[HeaterFit] = []
    charts: list[str] = []
    for log in logs:
        result = replay(log, model)
        check = compare(log, result)
        checks.append(check)
        heater: tuple[HeaterFit, ReplayResult] | None = None
        if args.fit_heater:
            fitted = fit_heater_scale(log, model)
            heater_fits.append(fitted)
            heater = (fitted, replay(log, with_heater_scale(model, fitted.scale)))
        if args.chart_dir is not None:
            from roastctl.twin.chart import render_twin_png

            args.chart_dir.mkdir(parents=True, exist_ok=True)
            target = args.chart_dir / f"{Path(log.name).stem}.twin.png"
            charts.append(str(render_twin_png(log, result, check, target, heater=heater)))
    median = statistics.median(check.bt_rmse_c for check in checks)
    if args.json:
        rows = [asdict(check) for check in checks]
        payload: dict[str, object] = {"model": model.name, "median_bt_rmse_c": median}
        if heater_fits:
            for row, fitted in zip(rows, heater_fits, strict=True):
                row["heater_fit"] = asdict(fitted)
            payload["median_bt_rmse_at_fitted_heater_c"] = statistics.median(
                fitted.bt_rmse_c for fitted in heater_fits
            )
        payload["logs"] = rows
        payload["charts"] = charts
        out.write(json.dumps(payload, indent=2) + "\n")
        return 0
    out.write(f"model {model.name}, open-loop replay from CHARGE to DROP\n")
    _write_table(checks, out, heater_fits)
    for chart in charts:
        out.write(f"wrote {chart}\n")
    return 0


def _write_table(
    checks: list[TwinCheck], out: TextIO, heater_fits: Sequence[HeaterFit] = ()
) -> None:
    heater_head = f" {'heater x':>8} {'BT there':>8}" if heater_fits else ""
    out.write(
        f"  {'log':48} {'BT RMSE':>8} {'ET RMSE':>8} {'t150 err':>9} {'FCs err':>8}{heater_head}\n"
    )
    for index, check in enumerate(checks):
        et = "-" if check.et_rmse_c is None else f"{check.et_rmse_c:.1f}"
        t150 = "-" if check.t150_error_s is None else f"{check.t150_error_s:+.0f} s"
        fcs = "-" if check.fcs_temp_error_c is None else f"{check.fcs_temp_error_c:+.1f}"
        heater = ""
        if heater_fits:
            fitted = heater_fits[index]
            heater = f" {fitted.scale:8.2f} {fitted.bt_rmse_c:8.1f}"
        out.write(
            f"  {check.name[:48]:48} {check.bt_rmse_c:8.1f} {et:>8} {t150:>9} {fcs:>8}{heater}\n"
        )
    median = statistics.median(check.bt_rmse_c for check in checks)
    out.write(f"  median BT RMSE {median:.1f} deg C over {len(checks)} log(s)\n")
    if heater_fits:
        at_fit = statistics.median(fitted.bt_rmse_c for fitted in heater_fits)
        out.write(
            f"  median BT RMSE at each log's best heater power {at_fit:.1f} deg C (heater x: "
            "the multiple of the model's power that replays the log best)\n"
        )


__all__ = ["TWIN_COMMANDS", "RoasterError", "add_twin_commands", "run_twin_command"]
