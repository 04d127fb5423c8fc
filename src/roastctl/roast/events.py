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
    #: A fall whose onset lies within this many seconds of the first sample ever seen is put on
    #: the first sample: the recording started with the charge (a late start, or a RoasTime log
    #: whose data begins at CHARGE), and the slow probe only shows the fall a few seconds later.
    start_slack_s: float = 0.0


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
        self._first: tuple[int, float] | None = None
        self.found: int | None = None

    def update(self, index: int, time_s: float, temp: float | None) -> int | None:
        """Feed sample ``index``; return the event's sample index when first detected."""
        if self.found is not None or temp is None:
            return None
        rule = self.rule
        history = self._history
        if self._first is None:
            self._first = (index, time_s)
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
        onset = self._onset(peak_index, peak_time)
        first = self._first
        if first is not None and rule.start_slack_s > 0:
            onset_time = next((item[1] for item in history if item[0] == onset), peak_time)
            if min(onset_time, peak_time) - first[1] <= rule.start_slack_s:
                onset = first[0]
        self.found = onset
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
    CHARGE, and the minimum inside 30-175 deg C (Artisan checks 50-150 live, but cold
    charges on a Hottop turn at 45-50 deg C and a popcorn popper charged at 190 deg C turns at
    157 deg C). The TP is the *last* sample at the minimum, as Artisan's search places it: on
    whole-degree data the minimum lasts several samples (a plateau) and Artisan's TP is its end.
    When BT never falls below its value at CHARGE (beans loaded cold, an air roaster), the TP is
    the CHARGE sample itself, which is also where Artisan puts it.
    """

    def __init__(
        self,
        charge_time_s: float,
        *,
        min_rise_c: float = 2.0,
        min_after_charge_s: float = 20.0,
        band_c: tuple[float, float] = (30.0, 175.0),
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
        if self._min is None or temp <= self._min[1]:
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


def find_turning_point(
    times: Sequence[float], bean_temps: Sequence[float | None], start: int, end: int | None = None
) -> int | None:
    """Artisan's offline TP search: the last sample holding the lowest BT in ``[start, end)``.

    ``end`` is FCs, else DROP, else the end of the data (Artisan's range). ``None`` without a
    positive reading in the range.
    """
    stop = len(times) if end is None else min(end, len(times))
    best: tuple[int, float] | None = None
    for index in range(max(start, 0), stop):
        temp = bean_temps[index]
        if temp is None or temp <= 0:
            continue
        if best is None or temp <= best[1]:
            best = (index, temp)
    return None if best is None else best[0]


def find_dry_end(
    bean_temps: Sequence[float | None], threshold_c: float, tp_index: int, end: int
) -> int | None:
    """Artisan's ``findDryEnd``: the sample whose BT is closest to ``threshold_c``.

    The search runs backwards from ``end - 1`` (FCs, else DROP) down to the TP; on a tie the
    latest sample wins, as Artisan's backward search with a strict comparison keeps it.
    """
    best: tuple[int, float] | None = None
    for index in range(min(end, len(bean_temps)) - 1, tp_index - 1, -1):
        temp = bean_temps[index]
        if temp is None:
            continue
        distance = abs(temp - threshold_c)
        if best is None or distance < best[1]:
            best = (index, distance)
    return None if best is None else best[0]


class CoolingControlDetector:
    """DROP from the controls: the heater goes to 0 and the fan to (nearly) full.

    That is what Artisan's Hottop DROP button sends (``heater(0);fan(10)``), and what a Hottop log
    shows at the drop while its BT probe barely moves. Artisan logs the change as a ramp over a
    few samples; the event is back-dated to the first sample of the heater's fall to 0, or, when
    the heater was already off, of the fan's rise to full (then the operator may have set the
    controls a while before pressing DROP: the log holds nothing closer to the drop).
    """

    #: Samples a control may stand still and still count as one ramp with the other control.
    RAMP_PAUSE = 1

    def __init__(self, *, fan_min_percent: float = 90.0) -> None:
        self.fan_min_percent = fan_min_percent
        self._heat_ramp: int | None = None
        self._fan_ramp: int | None = None
        self._heat_still = 0
        self._fan_still = 0
        self._previous: tuple[float, float] | None = None
        self.found: int | None = None

    def update(self, index: int, heat: float | None, fan: float | None) -> int | None:
        """Feed sample ``index``'s heater and fan %; return the DROP index when first seen."""
        if self.found is not None or heat is None or fan is None:
            return None
        previous = self._previous
        self._previous = (heat, fan)
        if previous is None:
            return None
        self._heat_ramp, self._heat_still = self._ramp(
            self._heat_ramp, self._heat_still, index, previous[0] - heat
        )
        self._fan_ramp, self._fan_still = self._ramp(
            self._fan_ramp, self._fan_still, index, fan - previous[1]
        )
        cooling = heat <= 0.0 and fan >= self.fan_min_percent
        was_cooling = previous[0] <= 0.0 and previous[1] >= self.fan_min_percent
        if cooling and not was_cooling:
            start = self._heat_ramp if self._heat_ramp is not None else self._fan_ramp
            self.found = index if start is None else start
            return self.found
        return None

    @classmethod
    def _ramp(
        cls, start: int | None, still: int, index: int, step: float
    ) -> tuple[int | None, int]:
        """Follow one control's ramp: where it began, and for how many samples it has not moved.

        ``step`` is the change towards cooling (heater down, fan up); a move the other way ends
        the ramp, and so does standing still for more than ``RAMP_PAUSE`` samples.
        """
        if step > 0:
            return (index if start is None else start), 0
        if step < 0 or still + 1 > cls.RAMP_PAUSE:
            return None, still + 1
        return start, still + 1


def detect_heating_start(
    times: Sequence[float],
    bean_temps: Sequence[float | None],
    *,
    min_rise_c: float = 15.0,
    within_s: float = 120.0,
) -> int | None:
    """Offline CHARGE for a roast without a charge fall (beans loaded cold, an air roaster).

    The last sample before BT starts a sustained rise: from there BT climbs at least
    ``min_rise_c`` within ``within_s`` and never falls back below the start. ``None`` if BT never
    rises like that. Only usable on a whole log: live, a later charge fall may still come.
    """
    valid = [(i, t, y) for i, (t, y) in enumerate(zip(times, bean_temps, strict=True)) if y]
    for position, (index, time_s, temp) in enumerate(valid):
        rise_end = None
        for later in valid[position + 1 :]:
            if later[1] - time_s > within_s:
                break
            if later[2] < temp - ONSET_TOLERANCE_C:
                rise_end = None
                break
            if later[2] >= temp + min_rise_c:
                rise_end = later
                break
        if rise_end is None:
            continue
        # Back up over a flat start: the onset is the last sample within tolerance of the start.
        onset = index
        for later in valid[position + 1 :]:
            if later[2] > temp + ONSET_TOLERANCE_C:
                break
            onset = later[0]
        return onset
    return None


#: FCs estimate: BT at which first crack is assumed when the file has no FCs mark. The median BT
#: at the FCs marks of the shared logs is 182-186 deg C on Hottops, 173 on the Skywalker, 187 on
#: the Bullet and 205 on an SR800; see docs/analytics.md for the estimate's error.
DEFAULT_FCS_TEMP_C = 185.0


def estimate_first_crack(
    bean_temps: Sequence[float | None], start: int, threshold_c: float, end: int | None = None
) -> int | None:
    """Estimate FCs: the first sample from ``start`` with BT at ``threshold_c`` (as autoFCs).

    First crack is heard, not measured: the BT it happens at varies by roaster, probe and bean
    (a median 169-205 deg C across the shared logs), so this is a rough estimate only.
    """
    stop = len(bean_temps) if end is None else min(end, len(bean_temps))
    for index in range(max(start, 0), stop):
        temp = bean_temps[index]
        if temp is not None and temp >= threshold_c:
            return index
    return None
