"""Rate of rise (RoR): how fast a temperature climbs, in degrees per minute.

Both methods work on *time*, never on a sample count, so the result does not depend on the
sampling interval. A value is defined as soon as the window holds two samples at different times.

* ``least_squares`` (default): the slope of the straight line fitted to every sample in the last
  ``span`` seconds. Whole-degree quantisation noise averages out over the window; the lag is about
  half the span.
* ``two_point``: (newest - oldest) / elapsed over the span, Artisan's default method; noisier for
  the same span, the same lag.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Literal

RorMethod = Literal["least_squares", "two_point"]


def slope_per_minute(
    times: Sequence[float], temps: Sequence[float], method: RorMethod = "least_squares"
) -> float | None:
    """Return the rate of rise of ``temps`` over ``times`` in degrees per minute.

    ``None`` when fewer than two samples, or all at one time, are given.
    """
    count = len(times)
    if count < 2 or count != len(temps):
        return None
    if method == "two_point":
        elapsed = times[-1] - times[0]
        return None if elapsed <= 0 else (temps[-1] - temps[0]) / elapsed * 60.0
    # Centre on the mean time: the sums stay small and exact enough for long sessions.
    mean_t = sum(times) / count
    mean_y = sum(temps) / count
    sxx = 0.0
    sxy = 0.0
    for t, y in zip(times, temps, strict=True):
        dt = t - mean_t
        sxx += dt * dt
        sxy += dt * (y - mean_y)
    return None if sxx <= 0 else sxy / sxx * 60.0


class RateOfRise:
    """Live RoR over a sliding time window."""

    def __init__(self, span_s: float, method: RorMethod = "least_squares") -> None:
        if span_s <= 0:
            raise ValueError(f"RoR span must be > 0 s, got {span_s!r}")
        self.span_s = span_s
        self.method: RorMethod = method
        self._times: deque[float] = deque()
        self._temps: deque[float] = deque()
        self.value: float | None = None

    def reset(self) -> None:
        """Forget all samples, e.g. at CHARGE, so the window never mixes two regimes."""
        self._times.clear()
        self._temps.clear()
        self.value = None

    def update(self, time_s: float, temp: float) -> float | None:
        """Add a sample and return the new RoR (deg/min), or ``None`` if not yet defined."""
        if self._times and time_s <= self._times[-1]:
            return self.value  # a repeated or out-of-order sample adds no information
        self._times.append(time_s)
        self._temps.append(temp)
        # Keep samples within the span of the newest one: the window is time-based.
        while self._times and self._times[0] < time_s - self.span_s - 1e-9:
            self._times.popleft()
            self._temps.popleft()
        self.value = slope_per_minute(list(self._times), list(self._temps), self.method)
        return self.value


def ror_series(
    times: Sequence[float],
    temps: Sequence[float],
    span_s: float,
    method: RorMethod = "least_squares",
) -> list[float | None]:
    """Return the live RoR at every sample of a recorded series (the same values as live)."""
    ror = RateOfRise(span_s, method)
    return [ror.update(t, y) for t, y in zip(times, temps, strict=True)]
