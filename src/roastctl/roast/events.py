"""Event detectors: pure, incremental, and the same code for live samples and recorded logs.

Each detector is fed one sample at a time (``update``) and answers with the index of the sample
the event belongs to, which may be earlier than the newest one (the event is back-dated). Offline
helpers run the same detectors over whole series, so a live roast and its log give the same events.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

#: A probe cannot really fall faster than this; a faster "fall" is a glitch or a reset, not beans.
MAX_PLAUSIBLE_FALL_C_PER_MIN = 1500.0
#: The last pre-charge sample is the last one within this distance of the pre-charge trend line.
ONSET_TOLERANCE_C = 1.0


@dataclass(frozen=True, slots=True)
class FallRule:
    """What counts as a sharp fall of BT: the signature of cold beans hitting the probe."""

    min_start_c: float = 77.0
    min_drop_c: float = 10.0
    min_rate_c_per_min: float = 30.0
    window_s: float = 20.0


def _fit_line(times: Sequence[float], temps: Sequence[float]) -> tuple[float, float] | None:
    """Least-squares line ``temp = a + b * time``; ``None`` if the times do not spread."""
    count = len(times)
    if count < 2:
        return None
    mean_t = sum(times) / count
    mean_y = sum(temps) / count
    sxx = sum((t - mean_t) ** 2 for t in times)
    if sxx <= 0:
        return None
    sxy = sum((t - mean_t) * (y - mean_y) for t, y in zip(times, temps, strict=True))
    slope = sxy / sxx
    return mean_y - slope * mean_t, slope


class SharpFallDetector:
    """Finds the first sharp fall of a temperature and back-dates it to where the fall began.

    A fall counts when, within ``window_s``, the temperature drops at least ``min_drop_c`` below
    its highest value (which must be at least ``min_start_c``) at ``min_rate_c_per_min`` or faster,
    and is still falling at the newest sample. One big step is not enough on its own: the sample
    before the newest must already be below the high point. A slow cool-down (preheat with the heat
    off) is slower than the rate and never counts; a glitch faster than any probe can fall neither.

    The event goes on the last sample that still follows the pre-fall trend: the high point for a
    rising or flat curve, later than it when the curve was already drifting down before the fall.
    """

    def __init__(self, rule: FallRule) -> None:
        self.rule = rule
        self._history: deque[tuple[int, float, float]] = deque()
        self.found: int | None = None

    def update(self, index: int, time_s: float, temp: float | None) -> int | None:
        """Feed sample ``index``; return the event's sample index when first detected."""
        if self.found is not None or temp is None:
            return None
        rule = self.rule
        history = self._history
        # Keep twice the window: the trend before the high point is fitted over one window.
        while history and history[0][1] < time_s - 2 * rule.window_s:
            history.popleft()
        history.append((index, time_s, temp))
        recent = [item for item in history if item[1] >= time_s - rule.window_s]
        if len(recent) < 3:
            return None
        peak_pos = max(range(len(recent) - 1), key=lambda k: (recent[k][2], recent[k][0]))
        peak_index, peak_time, peak_temp = recent[peak_pos]
        previous_temp = recent[-2][2]
        drop = peak_temp - temp
        if peak_temp < rule.min_start_c or drop < rule.min_drop_c:
            return None
        if not (
            temp < previous_temp < peak_temp
            or (temp < previous_temp and peak_pos < len(recent) - 2)
        ):
            return None
        rate = drop / (time_s - peak_time) * 60.0
        if rate < rule.min_rate_c_per_min:
            return None
        steps = zip(recent[peak_pos:], recent[peak_pos + 1 :], strict=False)
        if any(
            (a[2] - b[2]) / (b[1] - a[1]) * 60.0 > MAX_PLAUSIBLE_FALL_C_PER_MIN for a, b in steps
        ):
            return None
        self.found = self._onset(peak_index, peak_time)
        return self.found

    def _onset(self, peak_index: int, peak_time: float) -> int:
        """Return the last sample on the trend that led up to the high point."""
        before = [
            item for item in self._history if peak_time - self.rule.window_s <= item[1] <= peak_time
        ]
        line = _fit_line([item[1] for item in before], [item[2] for item in before])
        if line is None:
            return peak_index
        intercept, slope = line
        onset = peak_index
        for index, time_s, temp in self._history:
            if index <= peak_index:
                continue
            if temp < intercept + slope * time_s - ONSET_TOLERANCE_C:
                break
            onset = index
        return onset


class TurningPointDetector:
    """The turning point: the lowest BT after CHARGE, confirmed once BT has clearly turned up.

    Confirmation needs BT ``min_rise_c`` above the minimum, at least ``min_after_charge_s`` after
    CHARGE, and the minimum inside 30-150 deg C (Artisan checks 50-150 live, but cold
    charges on a Hottop turn at 45-50 deg C). The TP is the first
    sample at the minimum, as Artisan's search places it.
    """

    def __init__(
        self,
        charge_time_s: float,
        *,
        min_rise_c: float = 2.0,
        min_after_charge_s: float = 20.0,
        band_c: tuple[float, float] = (30.0, 150.0),
    ) -> None:
        self.charge_time_s = charge_time_s
        self.min_rise_c = min_rise_c
        self.min_after_charge_s = min_after_charge_s
        self.band_c = band_c
        self._min: tuple[int, float] | None = None
        self.found: tuple[int, float] | None = None

    def update(self, index: int, time_s: float, temp: float | None) -> tuple[int, float] | None:
        """Feed sample ``index`` (after CHARGE); return (index, BT) of the TP when confirmed."""
        if self.found is not None or temp is None:
            return None
        if self._min is None or temp < self._min[1]:
            self._min = (index, temp)
            return None
        low, high = self.band_c
        if (
            time_s - self.charge_time_s >= self.min_after_charge_s
            and temp >= self._min[1] + self.min_rise_c
            and low < self._min[1] < high
        ):
            self.found = self._min
            return self.found
        return None


def detect_charge(
    times: Sequence[float], bean_temps: Sequence[float | None], rule: FallRule | None = None
) -> int | None:
    """Return the sample index of CHARGE in a recorded series, or ``None`` if there is none."""
    detector = SharpFallDetector(rule or FallRule())
    for index, (time_s, temp) in enumerate(zip(times, bean_temps, strict=True)):
        found = detector.update(index, time_s, temp)
        if found is not None:
            return found
    return None


def detect_turning_point(
    times: Sequence[float], bean_temps: Sequence[float | None], charge_index: int
) -> tuple[int, float] | None:
    """Return (index, BT) of the turning point after ``charge_index``, or ``None``."""
    detector = TurningPointDetector(times[charge_index])
    for index in range(charge_index, len(times)):
        found = detector.update(index, times[index], bean_temps[index])
        if found is not None:
            return found
    return None
