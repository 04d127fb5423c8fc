"""Phase times, percentages and the development time ratio, by Artisan's definitions.

All times are seconds since CHARGE. ``end`` is DROP once it happened, otherwise "now", so the same
function serves a finished roast and a live one (Artisan's DEV% LCD does the same while roasting).

* drying = DRY END - CHARGE; maillard = FCs - DRY END; development = end - FCs
* percentages are of end - CHARGE; DTR = development / (end - CHARGE) x 100
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from roastctl.models import RoastPhase


@dataclass(frozen=True, slots=True)
class PhaseTimes:
    """Durations (s) and shares (%) of the roast phases so far."""

    phase: RoastPhase
    total_s: float | None = None
    drying_s: float | None = None
    maillard_s: float | None = None
    development_s: float | None = None
    drying_percent: float | None = None
    maillard_percent: float | None = None
    development_percent: float | None = None


def _share(part: float | None, total: float) -> float | None:
    return None if part is None or total <= 0 else round(part / total * 100.0, 1)


def compute_phases(
    *,
    dry_end_s: float | None,
    first_crack_s: float | None,
    drop_s: float | None,
    now_s: float | None,
) -> PhaseTimes:
    """Return phase times; ``now_s`` is seconds since CHARGE, ``None`` when not charged."""
    if now_s is None:
        return PhaseTimes(phase=RoastPhase.NOT_CHARGED)
    end = drop_s if drop_s is not None else max(now_s, 0.0)
    # An event marked after ``end`` (a clock skew in a report) cannot shorten the phase before it.
    dry = None if dry_end_s is None else min(dry_end_s, end)
    fcs = None if first_crack_s is None else min(first_crack_s, end)
    if drop_s is not None:
        phase = RoastPhase.DROPPED
    elif fcs is not None:
        phase = RoastPhase.DEVELOPMENT
    elif dry is not None:
        phase = RoastPhase.MAILLARD
    else:
        phase = RoastPhase.DRYING
    drying = dry if dry is not None else (end if fcs is None else None)
    maillard: float | None = None
    if dry is not None:
        maillard = (fcs if fcs is not None else end) - dry
    development = None if fcs is None else end - fcs
    return PhaseTimes(
        phase=phase,
        total_s=end,
        drying_s=drying,
        maillard_s=maillard,
        development_s=development,
        drying_percent=_share(drying, end),
        maillard_percent=_share(maillard, end),
        development_percent=_share(development, end),
    )


def format_mmss(seconds: float | None) -> str | None:
    """Format seconds as MM:SS (``-00:05`` for negative values; minutes may exceed 59)."""
    if seconds is None:
        return None
    if not math.isfinite(seconds):
        return None
    whole = int(abs(seconds))
    sign = "-" if seconds < 0 and whole else ""
    return f"{sign}{whole // 60:02d}:{whole % 60:02d}"


def format_mmss_rounded(seconds: float | None) -> str | None:
    """Format seconds as MM:SS rounded to the nearest second (Artisan's event times are whole)."""
    return None if seconds is None or not math.isfinite(seconds) else format_mmss(round(seconds))


def development_ratio(events: Mapping[str, float]) -> float | None:
    """DTR % from event times by name (``None`` without CHARGE, FC_START and DROP in order)."""
    charge, first_crack, drop = (events.get(k) for k in ("CHARGE", "FC_START", "DROP"))
    if charge is None or first_crack is None or drop is None:
        return None
    if not charge <= first_crack <= drop or drop == charge:
        return None
    return round((drop - first_crack) / (drop - charge) * 100.0, 1)
