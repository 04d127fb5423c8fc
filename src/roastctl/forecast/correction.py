"""A learned correction of the model's forecast: what the physics gets wrong, by BT and roast time.

Run ahead from a good estimate, the roaster model still errs in a pattern: on real Hottop roasts
it forecasts a little high just after the turning point and low through the middle of drying
(docs/forecast.md shows the table). No per-roast constant removes that (a heater multiple, a
probe offset, a bean-contact multiple were all tried as extra filter states); it is the model's
structure. A correction learned from recorded roasts does:

    BT(now + h) = model BT(h) + min(h, cap) x (sum_i a_i hat_i(BT now) + sum_j b_j hat_j(t now))

where ``hat`` are the linear-interpolation (tent) weights of the filtered BT over
:data:`BT_KNOTS_C` and of the time since CHARGE over :data:`TIME_KNOTS_S`: a rate (degC/s) that
varies smoothly with where the roast is, applied in proportion to the look ahead and held from
``cap`` seconds on (it is fitted on 120 s errors; beyond that it would be extrapolated).

:func:`fit_correction` fits the 13 rates by least squares with a ridge (a handful of roasts must
not overfit), each roast weighing the same. The rows come from replaying recorded roasts through
the live estimator (:mod:`roastctl.forecast.correction_rows`). The package ships the correction
fitted on real Hottop roasts for the ``hottop`` model; ``roastctl forecast-fit`` fits one on a
user's own logs, named by ``[forecast] correction_file``.
"""

from __future__ import annotations

import bisect
import functools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from roastctl.errors import RoasterError
from roastctl.files.toml_text import toml_float, toml_value
from roastctl.files.write import write_text_atomically
from roastctl.forecast.matrix import solve

__all__ = [
    "BT_KNOTS_C",
    "CAP_S",
    "RIDGE",
    "TIME_KNOTS_S",
    "CorrectionFileError",
    "CorrectionRow",
    "ForecastCorrection",
    "builtin_correction",
    "fit_correction",
    "load_correction",
    "save_correction",
]

#: BT knots (degC) of the correction's BT part: the span of a roast from TP to the drop.
BT_KNOTS_C: tuple[float, ...] = (100.0, 120.0, 140.0, 160.0, 180.0, 200.0)
#: Time-since-CHARGE knots (s): two-minute spacing over a 13-minute roast.
TIME_KNOTS_S: tuple[float, ...] = (60.0, 180.0, 300.0, 420.0, 540.0, 660.0, 780.0)
#: The look ahead (s) the correction is fitted on, and from which it is held constant.
CAP_S = 120.0
#: Ridge penalty on the rates (in the units of the normal equations, rows weighted so each
#: roast sums to 1): without it three roasts give a worse forecast than no correction.
RIDGE = 0.1

#: Package data: the correction fitted on the shared real Hottop roasts for the hottop model.
_HOTTOP_RESOURCE = "hottop_correction.toml"


class CorrectionFileError(RoasterError):
    """A forecast correction file cannot be read; the message names the file and the problem."""

    code = "correction_file_error"


@dataclass(frozen=True, slots=True)
class CorrectionRow:
    """One training example: where the roast stood, and how far the model's forecast was off."""

    bean_temp_c: float
    """Filtered BT when the forecast was made (degC)."""
    since_charge_s: float
    """Seconds since CHARGE when it was made."""
    ahead_s: float
    """How far ahead the forecast looked (s)."""
    error_c: float
    """Recorded BT minus the model's forecast BT at that look ahead (degC)."""


@dataclass(frozen=True, slots=True)
class ForecastCorrection:
    """The learned rates (degC/s) at the BT and time knots."""

    bt_rates: tuple[float, ...]
    time_rates: tuple[float, ...]
    bt_knots_c: tuple[float, ...] = BT_KNOTS_C
    time_knots_s: tuple[float, ...] = TIME_KNOTS_S
    cap_s: float = CAP_S
    fit: Mapping[str, str | float | int | list[str]] = field(default_factory=dict)
    """What it was fitted on (free-form, kept in the file's ``[fit]`` table)."""

    def __post_init__(self) -> None:
        if len(self.bt_rates) != len(self.bt_knots_c) or len(self.time_rates) != len(
            self.time_knots_s
        ):
            raise ValueError("one rate per knot is needed")

    def rate_c_per_s(self, bean_temp_c: float, since_charge_s: float) -> float:
        """Return the correction's rate (degC/s) for a roast at this BT and time since CHARGE."""
        rate = 0.0
        for weight, value in zip(_hat(bean_temp_c, self.bt_knots_c), self.bt_rates, strict=True):
            rate += weight * value
        for weight, value in zip(
            _hat(since_charge_s, self.time_knots_s), self.time_rates, strict=True
        ):
            rate += weight * value
        return rate

    def offset_c(self, ahead_s: float, rate_c_per_s: float) -> float:
        """Return the correction (degC) ``ahead_s`` seconds ahead at ``rate_c_per_s``."""
        return min(max(ahead_s, 0.0), self.cap_s) * rate_c_per_s


def _hat(value: float, knots: Sequence[float]) -> list[float]:
    """Return the tent weights of ``value`` over ``knots`` (flat beyond the ends); they sum to 1."""
    weights = [0.0] * len(knots)
    if value <= knots[0]:
        weights[0] = 1.0
    elif value >= knots[-1]:
        weights[-1] = 1.0
    else:
        index = bisect.bisect_right(knots, value) - 1
        share = (value - knots[index]) / (knots[index + 1] - knots[index])
        weights[index] = 1.0 - share
        weights[index + 1] = share
    return weights


def fit_correction(
    rows_by_roast: Sequence[Sequence[CorrectionRow]],
    *,
    ridge: float = RIDGE,
    fit: Mapping[str, str | float | int | list[str]] | None = None,
) -> ForecastCorrection:
    """Fit the rates to the rows of several roasts, each roast weighing the same.

    Raises:
        ValueError: no roast has a row.

    """
    size = len(BT_KNOTS_C) + len(TIME_KNOTS_S)
    normal = [[0.0] * size for _ in range(size)]
    target = [0.0] * size
    used = 0
    for rows in rows_by_roast:
        if not rows:
            continue
        used += 1
        weight = 1.0 / len(rows)
        for row in rows:
            ahead = min(row.ahead_s, CAP_S)
            x = [
                w * ahead
                for w in (
                    *_hat(row.bean_temp_c, BT_KNOTS_C),
                    *_hat(row.since_charge_s, TIME_KNOTS_S),
                )
            ]
            for i in range(size):
                xi = weight * x[i]
                if xi == 0.0:
                    continue
                target[i] += xi * row.error_c
                for j in range(size):
                    normal[i][j] += xi * x[j]
    if used == 0:
        raise ValueError(
            "no roast gave a training row: each needs CHARGE and DROP marks, heater and fan "
            "channels and at least two minutes after its turning point"
        )
    for i in range(size):
        normal[i][i] += ridge
    rates = solve(normal, target)
    split = len(BT_KNOTS_C)
    return ForecastCorrection(
        bt_rates=tuple(rates[:split]), time_rates=tuple(rates[split:]), fit=dict(fit or {})
    )


def builtin_correction(model_name: str) -> ForecastCorrection | None:
    """Return the shipped correction for a built-in model, None if there is none for it."""
    if model_name != "hottop":
        return None
    return _from_text(_hottop_text(), _HOTTOP_RESOURCE)


@functools.cache
def _hottop_text() -> str:
    """Return the shipped correction file, read once: every Hottop session loads it."""
    return resources.files("roastctl.forecast").joinpath(_HOTTOP_RESOURCE).read_text("utf-8")


def load_correction(path: Path | str) -> ForecastCorrection:
    """Read a correction file written by :func:`save_correction` (``roastctl forecast-fit``).

    Raises:
        CorrectionFileError: the file cannot be read, is not TOML, or lacks a value.

    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CorrectionFileError(
            f"{path}: cannot be read ({exc.strerror or exc}); give a file written by "
            "'roastctl forecast-fit'"
        ) from None
    return _from_text(text, str(path))


def _from_text(text: str, where: str) -> ForecastCorrection:
    try:
        data = tomllib.loads(text)
        table = data["correction"]
        return ForecastCorrection(
            bt_rates=tuple(float(v) for v in table["bt_rates_c_per_s"]),
            time_rates=tuple(float(v) for v in table["time_rates_c_per_s"]),
            bt_knots_c=tuple(float(v) for v in table["bt_knots_c"]),
            time_knots_s=tuple(float(v) for v in table["time_knots_s"]),
            cap_s=float(table["cap_s"]),
            fit=dict(data.get("fit", {})),
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise CorrectionFileError(
            f"{where}: not a forecast correction ({type(exc).__name__}: {exc}); write one with "
            "'roastctl forecast-fit LOG...'"
        ) from None


def save_correction(correction: ForecastCorrection, path: Path | str) -> None:
    """Write ``correction`` as TOML (atomically)."""

    def floats(values: Sequence[float]) -> str:
        return "[" + ", ".join(toml_float(v) for v in values) + "]"

    lines = [
        "[correction]",
        f"bt_knots_c = {floats(correction.bt_knots_c)}",
        f"bt_rates_c_per_s = {floats(correction.bt_rates)}",
        f"time_knots_s = {floats(correction.time_knots_s)}",
        f"time_rates_c_per_s = {floats(correction.time_rates)}",
        f"cap_s = {toml_float(correction.cap_s)}",
    ]
    if correction.fit:
        lines += ["", "[fit]"]
        for key, value in correction.fit.items():
            lines.append(f"{key} = {toml_value(value)}")
    write_text_atomically(Path(path), "\n".join(lines) + "\n")
