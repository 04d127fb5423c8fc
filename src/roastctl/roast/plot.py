"""A roast as a PNG chart, drawn the way Artisan draws it.

BT, ET and RoR over time, heat and fan below, event markers and phase bands. Needs the ``plot``
extra (matplotlib).

The chart's time axis counts from CHARGE (from the first sample when there is none). The RoR is
recomputed from the recorded BT with the configured method, from CHARGE on, the same values the
live tracker shows.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from roastctl.errors import RoasterError
from roastctl.files.write import write_bytes_atomically
from roastctl.logs.record import RecordSample, RoastRecord
from roastctl.models import RoastEventType
from roastctl.roast.phases import development_ratio, format_mmss
from roastctl.roast.ror import RorMethod, ror_series

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Colours close to Artisan's defaults, so the chart reads as roasters expect.
COLOURS = {
    "bt": "#0a5c90",
    "et": "#cc0f50",
    "ror": "#4a7bd4",
    "heat": "#d35400",
    "fan": "#2e8b57",
}
PHASE_COLOURS = ("#e8f4e8", "#fbf2dc", "#f8e3d8")  # drying, Maillard, development
EVENT_LABELS = {
    RoastEventType.CHARGE: "CHARGE",
    RoastEventType.TURNING_POINT: "TP",
    RoastEventType.DRY_END: "DRY",
    RoastEventType.FIRST_CRACK_START: "FCs",
    RoastEventType.FIRST_CRACK_END: "FCe",
    RoastEventType.SECOND_CRACK_START: "SCs",
    RoastEventType.SECOND_CRACK_END: "SCe",
    RoastEventType.DROP: "DROP",
    RoastEventType.COOL: "COOL",
}
#: RoR values outside this band are the charge spike or cooling, not the roast (Artisan hides
#: them the same way).
ROR_SHOWN_C_PER_MIN = (-10.0, 45.0)


class PlotError(RoasterError):
    """The chart cannot be drawn (no samples, or matplotlib missing)."""

    code = "plot_error"


@dataclass(frozen=True, slots=True)
class PlotSummary:
    """What went into a chart, for the caller and for tests."""

    path: Path
    width_px: int
    height_px: int
    samples: int
    events: tuple[str, ...]
    phases: tuple[str, ...]
    dtr_percent: float | None


def render_roast_png(
    record: RoastRecord,
    path: Path | str,
    *,
    ror_span_s: float = 30.0,
    ror_method: RorMethod = "smooth",
    width_px: int = 1600,
    height_px: int = 1000,
) -> PlotSummary:
    """Draw ``record`` into a PNG at ``path`` (written atomically); return what was drawn."""
    samples = [s for s in record.samples if s.bean_temp_c is not None]
    if len(samples) < 2:
        raise PlotError(f"roast {record.id or record.uuid} has no curve to draw (< 2 samples)")
    charge = record.event(RoastEventType.CHARGE)
    origin = charge.time_s if charge is not None else samples[0].time_s
    minutes = [(s.time_s - origin) / 60.0 for s in samples]
    with two_panel_chart(path, width_px, height_px) as (top, bottom):
        phases = _phase_bands(top, record, origin)
        _temperatures(top, samples, minutes)
        _rate_of_rise(top, samples, minutes, origin, ror_span_s, ror_method)
        _controls(bottom, samples, minutes)
        events = _event_markers(top, bottom, record, origin)
        dtr = development_ratio({e.type.value: e.time_s for e in record.events})
        top.set_title(_title(record, dtr), loc="left", fontsize=13)
        bottom.set_xlabel("minutes from CHARGE" if charge is not None else "minutes")
    return PlotSummary(
        path=Path(path),
        width_px=width_px,
        height_px=height_px,
        samples=len(samples),
        events=events,
        phases=phases,
        dtr_percent=dtr,
    )


@contextmanager
def two_panel_chart(path: Path | str, width_px: int, height_px: int) -> Iterator[tuple[Axes, Axes]]:
    """Give the block a chart's two panels; write the PNG to ``path`` (atomically) after it.

    The top panel (three quarters) is for temperatures, the bottom one for heat and fan; they
    share the time axis. Raises :class:`PlotError` when matplotlib is not installed.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display needed: this runs on servers and in tests
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise PlotError(
            "charts need matplotlib: pip install 'roastctl[plot]' (or pip install matplotlib)"
        ) from exc
    dpi = 100
    figure, (top, bottom) = plt.subplots(
        2,
        1,
        sharex=True,
        figsize=(width_px / dpi, height_px / dpi),
        dpi=dpi,
        gridspec_kw={"height_ratios": (3, 1)},
    )
    try:
        yield top, bottom
        figure.tight_layout()
        write_bytes_atomically(path, _png_bytes(figure))
    finally:
        plt.close(figure)


def _png_bytes(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _temperatures(axes: Axes, samples: list[RecordSample], minutes: list[float]) -> None:
    env = [s.env_temp_c for s in samples]
    axes.plot(
        minutes, _gaps([s.bean_temp_c for s in samples]), color=COLOURS["bt"], lw=2.0, label="BT"
    )
    if any(value is not None for value in env):
        axes.plot(minutes, _gaps(env), color=COLOURS["et"], linewidth=1.5, label="ET")
    axes.set_ylabel("deg C")
    axes.grid(True, alpha=0.3)
    axes.legend(loc="upper left")


def _rate_of_rise(
    axes: Axes,
    samples: list[RecordSample],
    minutes: list[float],
    origin: float,
    span_s: float,
    method: RorMethod,
) -> None:
    start = next((i for i, s in enumerate(samples) if s.time_s >= origin), 0)
    times = [s.time_s for s in samples[start:]]
    temps = [float(s.bean_temp_c or 0.0) for s in samples[start:]]
    low, high = ROR_SHOWN_C_PER_MIN
    ror = [
        value if value is not None and low <= value <= high else None
        for value in ror_series(times, temps, span_s, method)
    ]
    right = axes.twinx()
    right.plot(minutes[start:], _gaps(ror), color=COLOURS["ror"], linewidth=1.2, label="BT RoR")
    right.set_ylabel("RoR, deg C/min")
    right.set_ylim(low, high)
    right.legend(loc="upper right")


def _controls(axes: Axes, samples: list[RecordSample], minutes: list[float]) -> None:
    heat = [s.heat_percent for s in samples]
    fan = [s.fan_percent for s in samples]
    if any(value is not None for value in heat):
        axes.step(minutes, _gaps(heat), where="post", color=COLOURS["heat"], label="heat %")
    if any(value is not None for value in fan):
        axes.step(minutes, _gaps(fan), where="post", color=COLOURS["fan"], label="fan %")
    axes.set_ylim(-5, 105)
    axes.set_ylabel("%")
    axes.grid(True, alpha=0.3)
    if any(v is not None for v in heat + fan):
        axes.legend(loc="upper left")


def _phase_bands(axes: Axes, record: RoastRecord, origin: float) -> tuple[str, ...]:
    """Shade drying, Maillard and development between the events that bound them."""
    times = {e.type: (e.time_s - origin) / 60.0 for e in record.events}
    bounds = (
        ("drying", RoastEventType.CHARGE, RoastEventType.DRY_END),
        ("maillard", RoastEventType.DRY_END, RoastEventType.FIRST_CRACK_START),
        ("development", RoastEventType.FIRST_CRACK_START, RoastEventType.DROP),
    )
    drawn = []
    for (name, start, end), colour in zip(bounds, PHASE_COLOURS, strict=True):
        if start in times and end in times and times[end] > times[start]:
            axes.axvspan(times[start], times[end], color=colour, zorder=0)
            drawn.append(name)
    return tuple(drawn)


def _event_markers(top: Axes, bottom: Axes, record: RoastRecord, origin: float) -> tuple[str, ...]:
    drawn = []
    for event in sorted(record.events, key=lambda e: e.time_s):
        label = EVENT_LABELS.get(event.type)
        if label is None:
            continue
        at = (event.time_s - origin) / 60.0
        for axes in (top, bottom):
            axes.axvline(at, color="#555555", linestyle="--", linewidth=0.8)
        temp = f" {event.bean_temp_c:.0f}" if event.bean_temp_c is not None else ""
        top.annotate(
            f"{label} {format_mmss(event.time_s - origin)}{temp}",
            xy=(at, 1.0),
            xycoords=("data", "axes fraction"),
            rotation=90,
            va="top",
            ha="right",
            fontsize=9,
        )
        drawn.append(label)
    return tuple(drawn)


def _gaps(values: Sequence[float | None]) -> list[float]:
    """Missing values as NaN, which matplotlib leaves as gaps in a line."""
    return [math.nan if value is None else float(value) for value in values]


def _title(record: RoastRecord, dtr: float | None) -> str:
    name = record.bean or record.title or f"roast {record.id or record.uuid[:8]}"
    parts = [name, f"{record.started_utc:%Y-%m-%d %H:%M} UTC"]
    if record.batch_g:
        parts.append(f"{record.batch_g:g} g")
    if dtr is not None:
        parts.append(f"DTR {dtr:.1f} %")
    return "  ·  ".join(parts)


__all__ = ["PlotError", "PlotSummary", "render_roast_png", "two_panel_chart"]
