"""Artisan's live projection: the anchor the forecast is measured against.

Artisan projects the BT as a straight line, BT now + RoR x time ahead, with the *unsmoothed*
RoR (``tgraphcanvas.updateProjection``, projection mode 0), and estimates the time to DRY or
FCs as (target - BT) / RoR (``getPhasesLCDsData``); see ../shared/docs/artisan.md, section 2.4,
and ../shared/docs/control-and-forecast.md, "Projection". Its RoR is a two-point slope over
``deltaBTspan`` (20 s by default). Here the slope is taken between the newest sample and the
newest one at least the span before it, on the BT as read: Artisan's light smoothing of the
temperatures it takes the slope of (a 3-sample decay average, the older end averaged over a few
neighbours) and its quadratic mode (off by default) are left out, so this is the plain rule a
roaster watching Artisan's projection line and phase LCDs follows.

Units are deg C and seconds; the RoR here is deg C per second (Artisan shows per minute).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

#: Artisan's ``deltaBTspan``: the seconds one RoR value covers.
ARTISAN_DELTA_SPAN_S = 20.0


def artisan_ror_c_per_s(
    times_s: Sequence[float],
    bean_temps_c: Sequence[float],
    span_s: float = ARTISAN_DELTA_SPAN_S,
) -> float | None:
    """Return the BT slope (deg C/s) over the last ``span_s`` seconds of the samples.

    ``times_s`` and ``bean_temps_c`` run in parallel, oldest first, times not decreasing. The
    slope is (BT now - BT then) / (t now - t then), where "then" is the newest sample at or
    before t now - ``span_s``; ``None`` while no sample is that old yet.
    """
    if len(times_s) != len(bean_temps_c):
        raise ValueError(
            f"times_s has {len(times_s)} samples and bean_temps_c {len(bean_temps_c)}; give "
            "one BT per time"
        )
    if not (math.isfinite(span_s) and span_s > 0.0):
        raise ValueError(f"span_s {span_s!r} must be a positive number of seconds (Artisan: 20)")
    if not times_s:
        return None
    t_now = float(times_s[-1])
    # The newest sample at or before t_now - span_s: bisect on the (sorted) times.
    then = bisect.bisect_right(times_s, t_now - span_s) - 1
    if then < 0:
        return None
    t_then = float(times_s[then])
    if t_now <= t_then:
        return None
    return (float(bean_temps_c[-1]) - float(bean_temps_c[then])) / (t_now - t_then)


def artisan_projected_bt(bean_temp_c: float, ror_c_per_s: float, ahead_s: float) -> float:
    """Return Artisan's linear projection: the BT ``ahead_s`` seconds on at this RoR."""
    return bean_temp_c + ror_c_per_s * ahead_s


def artisan_time_to(target_c: float, bean_temp_c: float, ror_c_per_s: float) -> float | None:
    """Return the seconds until the BT reaches ``target_c`` at this RoR, as Artisan's LCDs do.

    0 when the BT is at or above the target already; ``None`` when the BT is not rising (a
    falling or flat RoR never gets there, and Artisan then shows no estimate).
    """
    if bean_temp_c >= target_c:
        return 0.0
    if ror_c_per_s <= 0.0:
        return None
    return (target_c - bean_temp_c) / ror_c_per_s


__all__ = [
    "ARTISAN_DELTA_SPAN_S",
    "artisan_projected_bt",
    "artisan_ror_c_per_s",
    "artisan_time_to",
]
