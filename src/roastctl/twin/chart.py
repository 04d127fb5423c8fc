"""Recorded against simulated BT and ET of a replay, as a PNG chart (needs the ``plot`` extra)."""

from __future__ import annotations

import math
from pathlib import Path

from roastctl.plot import COLOURS, two_panel_chart
from roastctl.twin.check import TwinCheck
from roastctl.twin.drive import ReplayInputs, ReplayResult

__all__ = ["render_twin_png"]


def render_twin_png(
    inputs: ReplayInputs,
    result: ReplayResult,
    check: TwinCheck,
    path: Path | str,
    *,
    width_px: int = 1400,
    height_px: int = 900,
) -> Path:
    """Draw recorded (solid) and simulated (dashed) BT/ET, heat and fan below; return the path.

    Raises:
        PlotError: matplotlib is not installed.

    """
    minutes = [t / 60.0 for t in inputs.times_s]
    with two_panel_chart(path, width_px, height_px) as (top, bottom):
        top.plot(minutes, _gaps(inputs.bean_temps_c), color=COLOURS["bt"], lw=2.0, label="BT log")
        top.plot(
            minutes, result.bean_temps_c, color=COLOURS["bt"], lw=1.5, ls="--", label="BT twin"
        )
        top.plot(minutes, _gaps(inputs.env_temps_c), color=COLOURS["et"], lw=1.5, label="ET log")
        top.plot(minutes, result.env_temps_c, color=COLOURS["et"], lw=1.2, ls="--", label="ET twin")
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
