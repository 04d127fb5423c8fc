"""``roastctl forecast-fit``: learn the forecast's correction from a user's own roast logs.

Each log is replayed through the live estimator as a session would read it, the model run two
minutes ahead from the estimate every ten seconds from the turning point, and the correction of
:mod:`roastctl.forecast.correction` fitted to how far the recorded BT was from it. The file it
writes is what ``[forecast] correction_file`` names.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from roastctl.errors import RoasterError
from roastctl.physics.param_sets import MODEL_NAMES, TwinModel, builtin_model, load_model

__all__ = ["FORECAST_FIT_COMMAND", "add_forecast_fit_command", "run_forecast_fit"]

FORECAST_FIT_COMMAND = "forecast-fit"


def add_forecast_fit_command(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    """Register forecast-fit on the CLI's subcommands."""
    fit = commands.add_parser(
        FORECAST_FIT_COMMAND,
        help="learn the forecast's correction from your own roast logs",
        description="Replay each log (CHARGE and DROP marked, heater and fan recorded) through "
        "the live estimator and fit the forecast's correction to how far the model's two-minute "
        "forecast was from the recorded BT. Set [forecast] correction_file to the output.",
    )
    fit.add_argument("files", type=Path, nargs="+", metavar="FILE")
    fit.add_argument("-o", "--output", type=Path, required=True, help="TOML to write")
    fit.add_argument(
        "--model",
        default="hottop",
        help=f"{' or '.join(MODEL_NAMES)} or a TOML file from calibrate (default hottop)",
    )


def run_forecast_fit(args: argparse.Namespace, out: TextIO) -> int:
    """Fit and write the correction; return the exit status (1 if a log gave no rows)."""
    # Loaded here: the estimator and the log readers are needed by this command only.
    from roastctl.forecast.correction import fit_correction, save_correction
    from roastctl.forecast.correction_rows import correction_rows
    from roastctl.logs.load import load_recorded_roast

    model = _model(args.model)
    rows_by_roast = []
    unusable = 0
    for path in args.files:
        rows = correction_rows(load_recorded_roast(path), model)
        if not rows:
            unusable += 1
            out.write(f"{path}: not used: it needs CHARGE and DROP marks and heater/fan channels\n")
            continue
        out.write(f"{path}: {len(rows)} forecasts\n")
        rows_by_roast.append(rows)
    if not rows_by_roast:
        raise RoasterError("no log gave a forecast to learn from; nothing was written")
    correction = fit_correction(
        rows_by_roast,
        fit={"model": model.name, "logs": [path.name for path in args.files]},
    )
    save_correction(correction, args.output)
    out.write(f"wrote {args.output} from {len(rows_by_roast)} roasts\n")
    return 1 if unusable else 0


def _model(name: str) -> TwinModel:
    if name in MODEL_NAMES:
        return builtin_model(name)
    return load_model(Path(name))
