"""Recorded against simulated BT and ET of a replay, as a PNG chart (needs the ``plot`` extra).

With a heater diagnostic (``twin-check --fit-heater``) the chart also shows BT replayed at the
heater power that fits the log best, so the reader sees how much of the miss that one number
explains.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from roastctl.roast.plot import COLOURS, two_panel_chart
from roastctl.twin.check import TwinCheck
from roastctl.twin.drive import ReplayInputs, ReplayResult
from roastctl.twin.heater_fit import HeaterFit

__all__ = ["TwinSeries", "render_twin_png", "twin_series"]


@dataclass(frozen=True, slots=True)
class TwinSeries:
    """One line of the temperature panel."""

    label: str
    """Legend text."""
    values: list[float]
    """Temperature at each sample (degC); NaN leaves a gap."""
    colour: str
    """Matplotlib colour."""
    width: float
    """Line width (points)."""
    style: str
    """Matplotlib line style: solid for recorded, dashed for simulated, dotted for the fit."""


def twin_series(
    inputs: ReplayInputs,
    result: ReplayResult,
    heater: tuple[HeaterFit, ReplayResult] | None = None,
) -> list[TwinSeries]:
    """Return the temperature panel's lines.

    Recorded BT and ET are solid, simulated ones dashed; when ``heater`` gives a heater fit and
    the replay at its power, BT at that power is dotted.
    """
    series = [
        TwinSeries("BT log", _gaps(inputs.bean_temps_c), COLOURS["bt"], 2.0, "-"),
        TwinSeries("BT twin", list(result.bean_temps_c), COLOURS["bt"], 1.5, "--"),
        TwinSeries("ET log", _gaps(inputs.env_temps_c), COLOURS["et"], 1.5, "-"),
        TwinSeries("ET twin", list(result.env_temps_c), COLOURS["et"], 1.2, "--"),
    ]
    if heater is not None:
        fitted, scaled = heater
        series.append(
            TwinSeries(
                f"BT twin at {fitted.scale:.2f} x heater (RMSE {fitted.bt_rmse_c:.1f})",
                list(scaled.bean_temps_c),
                COLOURS["bt"],
                1.2,
                ":",
            )
        )
    return series


def render_twin_png(
    inputs: ReplayInputs,
    result: ReplayResult,
    check: TwinCheck,
    path: Path | str,
    *,
    heater: tuple[HeaterFit, ReplayResult] | None = None,
    width_px: int = 1400,
    height_px: int = 900,
) -> Path:
    """Draw the lines of :func:`twin_series` with heat and fan below; return the path.

    Raises:
        PlotError: matplotlib is not installed.

    """
    minutes = [t / 60.0 for t in inputs.times_s]
    with two_panel_chart(path, width_px, height_px) as (top, bottom):
        for line in twin_series(inputs, result, heater):
            top.plot(
                minutes,
                line.values,
                color=line.colour,
                lw=line.width,
                ls=line.style,
                label=line.label,
            )
        if inputs.first_crack_index is not None:
            top.axvline(minutes[inputs.first_crack_index], color="grey", lw=0.8, ls=":")
        top.set_ylabel("deg C")
        top.grid(alpha=0.3)
        top.legend(loc="lower right")
        et_text = "n/a" if check.et_rmse_c is None else f"{check.et_rmse_c:.1f}"
        top.set_title(
            f"{inputs.name}: BT RMSE {check.bt_rmse_c:.1f} deg C, ET RMSE {et_text} deg C",
            loc="left",
            fontsize=11,
        )
        bottom.step(minutes, inputs.heat_percent, where="post", color=COLOURS["heat"], label="heat")
        bottom.step(minutes, inputs.fan_percent, where="post", color=COLOURS["fan"], label="fan")
        bottom.set_ylim(-5, 105)
        bottom.set_ylabel("%")
        bottom.set_xlabel("minutes from CHARGE")
        bottom.grid(alpha=0.3)
        bottom.legend(loc="upper right")
    return Path(path)


def _gaps(values: tuple[float | None, ...]) -> list[float]:
    """Missing values as NaN, which matplotlib leaves as gaps in a line."""
    return [math.nan if v is None else v for v in values]
