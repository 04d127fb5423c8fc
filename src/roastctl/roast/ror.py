"""Rate of rise (RoR): how fast a temperature climbs, in degrees per minute.

Every method here is causal (a value uses only the samples up to the newest one, so it can run
live, sample by sample) and uses the samples' real timestamps, so irregular or missing samples
are handled. ``docs/ror.md`` describes the methods and their measured noise and lag.

* ``smooth`` (default): the smoothest linear estimate over the last ``span`` seconds that is exact
  on straight and on uniformly curving (quadratic) temperature curves, with its delay fixed at
  3/8 of the span (11.25 s for 30 s). "Smoothest" means: among all weightings of the samples in
  the window that meet those conditions, the one whose weights change least from one sample to the
  next (the smallest sum of squared second differences). Such weights pass little sample-to-sample
  noise, which is what makes whole-degree readings look choppy. See :func:`smooth_weights`.
* ``least_squares``: the slope of the straight line fitted to every sample in the last ``span``
  seconds. Whole-degree quantisation noise averages out over the window; the lag is half the span.
* ``two_point``: (newest - oldest) / elapsed over the span; noisier for the same span, the same
  lag.
* ``artisan``: Artisan's default live RoR (:class:`ArtisanRateOfRise`), kept as the reference the
  others are measured against.

``least_squares``, ``two_point`` and ``smooth`` work on *time*, never on a sample count, so a value
does not depend on the sampling interval; ``artisan`` counts samples, as Artisan does.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Literal, Protocol

RorMethod = Literal["smooth", "least_squares", "two_point", "artisan"]
#: The methods that are a plain function of the samples in the time window.
WindowMethod = Literal["least_squares", "two_point"]

#: The ``smooth`` method's delay as a fraction of its span.
SMOOTH_LAG_FRACTION = 0.375

#: Artisan's defaults (``tgraphcanvas.__init__``): the delta span, the temperature decay-average
#: window ("curvefilter" 3), the RoR decay-average window (round(deltaBTfilter 7 / 2) = 4) and the
#: number of samples averaged at the older end of the two-point slope.
ARTISAN_SPAN_S = 20.0
ARTISAN_TEMP_SAMPLES = 3
ARTISAN_ROR_SAMPLES = 4
ARTISAN_OLDER_END_SAMPLES = 5


class RorEstimator(Protocol):
    """What every live RoR computation offers (:class:`RateOfRise`, :class:`ArtisanRateOfRise`)."""

    value: float | None

    def update(self, time_s: float, temp: float) -> float | None:
        """Add a sample and return the new RoR (deg/min), or ``None`` if not yet defined."""
        ...

    def reset(self) -> None:
        """Forget all samples."""
        ...


def slope_per_minute(
    times: Sequence[float], temps: Sequence[float], method: WindowMethod = "least_squares"
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


def _solve_pentadiagonal(n: int, rhs: list[list[float]]) -> list[list[float]]:
    """Solve ``Q x = b`` for each ``b`` in ``rhs``, Q = D2' D2 of a zero-padded second difference.

    Q is the symmetric positive definite band matrix with 6 on the diagonal, -4 beside it and 1
    two off it (the squared second difference of weights that are zero outside the window). It is
    factorised as L D L' in O(n).
    """
    diag = [0.0] * n
    low1 = [0.0] * n  # L[i + 1, i]
    low2 = [0.0] * n  # L[i + 2, i]
    for i in range(n):
        d = 6.0
        if i >= 1:
            d -= low1[i - 1] * low1[i - 1] * diag[i - 1]
        if i >= 2:
            d -= low2[i - 2] * low2[i - 2] * diag[i - 2]
        diag[i] = d
        if i + 1 < n:
            off = -4.0
            if i >= 1:
                off -= low1[i - 1] * low2[i - 1] * diag[i - 1]
            low1[i] = off / d
        if i + 2 < n:
            low2[i] = 1.0 / d
    solutions = []
    for b in rhs:
        x = list(b)
        for i in range(n):
            if i >= 1:
                x[i] -= low1[i - 1] * x[i - 1]
            if i >= 2:
                x[i] -= low2[i - 2] * x[i - 2]
        for i in range(n):
            x[i] /= diag[i]
        for i in range(n - 1, -1, -1):
            if i + 1 < n:
                x[i] -= low1[i] * x[i + 1]
            if i + 2 < n:
                x[i] -= low2[i] * x[i + 2]
        solutions.append(x)
    return solutions


def _solve3(m: list[list[float]], b: list[float]) -> list[float] | None:
    """Solve a 3x3 system by Cramer's rule; ``None`` if it is singular."""
    (a, b1, c), (d, e, f), (g, h, k) = m
    det = a * (e * k - f * h) - b1 * (d * k - f * g) + c * (d * h - e * g)
    scale = max(abs(v) for row in m for v in row)
    if scale == 0 or abs(det) <= 1e-12 * scale**3:
        return None
    x0 = (b[0] * (e * k - f * h) - b1 * (b[1] * k - f * b[2]) + c * (b[1] * h - e * b[2])) / det
    x1 = (a * (b[1] * k - f * b[2]) - b[0] * (d * k - f * g) + c * (d * b[2] - b[1] * g)) / det
    x2 = (a * (e * b[2] - b[1] * h) - b1 * (d * b[2] - b[1] * g) + b[0] * (d * h - e * g)) / det
    return [x0, x1, x2]


def smooth_weights(ages: Sequence[float], lag_s: float) -> list[float] | None:
    """Return the ``smooth`` method's weights: RoR (deg/min) = sum(weight_i * temp_i).

    ``ages`` are the samples' ages in seconds (newest minus each sample's time), in time order.
    The weights minimise sum((w[i-1] - 2 w[i] + w[i+1])^2) over the zero-padded sequence, subject to

    * sum(w_i) = 0: a constant temperature gives 0;
    * sum(w_i * age_i) = -60: a ramp of r deg/s gives 60 r deg/min, exactly;
    * sum(w_i * age_i^2) = -120 * lag: on a quadratic curve the result is exactly the curve's
      slope ``lag`` seconds before the newest sample.

    Weights that vary slowly from sample to sample turn sample-to-sample noise into little
    sample-to-sample change of the RoR. ``None`` when fewer than three samples, or too few distinct
    times, are given.
    """
    n = len(ages)
    if n < 3:
        return None
    extent = max(ages) - min(ages)
    if extent <= 0:
        return None
    # Solve in ages scaled to the window, so the 3x3 system is well conditioned at any span.
    scaled = [a / extent for a in ages]
    ones = [1.0] * n
    squares = [u * u for u in scaled]
    basis = [ones, scaled, squares]
    inv = _solve_pentadiagonal(n, basis)
    gram = [[sum(r * c for r, c in zip(row, col, strict=True)) for col in inv] for row in basis]
    targets = [0.0, -60.0 / extent, -120.0 * lag_s / (extent * extent)]
    multipliers = _solve3(gram, targets)
    if multipliers is None:
        return None
    return [sum(m * inv[k][i] for k, m in enumerate(multipliers)) for i in range(n)]


def smooth_slope_per_minute(
    times: Sequence[float], temps: Sequence[float], lag_s: float
) -> float | None:
    """Return the ``smooth`` RoR of a window of samples, with a delay of ``lag_s`` seconds.

    The delay is capped at half the time the samples cover (a window that is still filling, e.g.
    just after CHARGE, is weighted symmetrically rather than extrapolated). With two samples this
    is the two-point slope; ``None`` with fewer, or all at one time.
    """
    count = len(times)
    if count < 2 or count != len(temps):
        return None
    if count == 2:
        return slope_per_minute(times, temps, "two_point")
    newest = times[-1]
    ages = [newest - t for t in times]
    lag = min(lag_s, (ages[0] - ages[-1]) / 2.0)
    weights = smooth_weights(ages, lag)
    if weights is None:
        return None
    # The weights sum to zero: measuring from the newest temperature changes nothing but the
    # rounding error, which then scales with the change in the window, not with the temperature.
    newest_temp = temps[-1]
    return sum(w * (y - newest_temp) for w, y in zip(weights, temps, strict=True))


class ArtisanRateOfRise:
    """Artisan's default live RoR (``tgraphcanvas.sample_processing``), as a reference method.

    Per sample, following the Artisan notes (``docs/ror.md``):

    1. The temperature is decay-averaged over ``temp_samples`` (3) points: the raw trail is
       resampled at the sampling interval back from the newest time (linear interpolation) and
       weighted 1, 2, 3 (newest heaviest).
    2. RoR = (T_now - T_then) / (t_now - t_then) * 60 on those smoothed temperatures, where the
       older end is the mean of ``older_end_samples`` (5) smoothed samples centred on the one
       ``round(span / interval)`` samples back (fewer near the start of the series; the newest
       sample is never part of it), and t_then their mean time.
    3. The RoR is decay-averaged over the last ``ror_samples`` (4) values, weights 1..4.

    Artisan's display rules (RoR limits, the curve hidden for the first samples after CHARGE) are
    not applied: they hide values, they do not compute them. ``interval_s`` is the sampling
    interval; ``None`` takes the median gap of the samples seen so far (as Artisan uses its own
    configured interval, it counts samples, not seconds).
    """

    def __init__(
        self,
        span_s: float = ARTISAN_SPAN_S,
        interval_s: float | None = None,
        *,
        temp_samples: int = ARTISAN_TEMP_SAMPLES,
        ror_samples: int = ARTISAN_ROR_SAMPLES,
        older_end_samples: int = ARTISAN_OLDER_END_SAMPLES,
    ) -> None:
        if span_s <= 0:
            raise ValueError(f"RoR span must be > 0 s, got {span_s!r}")
        if interval_s is not None and interval_s <= 0:
            raise ValueError(f"sampling interval must be > 0 s, got {interval_s!r}")
        if min(temp_samples, ror_samples, older_end_samples) < 1:
            raise ValueError("the filter windows must hold at least one sample")
        self.span_s = span_s
        self.interval_s = interval_s
        self.temp_samples = temp_samples
        self.ror_samples = ror_samples
        self.older_end_samples = older_end_samples
        self._raw: deque[tuple[float, float]] = deque()
        self._smoothed: deque[tuple[float, float]] = deque()
        self._rors: deque[float] = deque(maxlen=ror_samples)
        self._gaps: deque[float] = deque(maxlen=15)
        self.value: float | None = None

    def reset(self) -> None:
        """Forget all samples."""
        self._raw.clear()
        self._smoothed.clear()
        self._rors.clear()
        self._gaps.clear()
        self.value = None

    def _interval(self) -> float:
        if self.interval_s is not None:
            return self.interval_s
        gaps = sorted(self._gaps)
        return gaps[len(gaps) // 2]

    def _raw_at(self, time_s: float) -> float:
        """Interpolate the raw trail linearly at ``time_s`` (clamped to the first sample)."""
        raw = self._raw
        if time_s <= raw[0][0]:
            return raw[0][1]
        index = len(raw) - 1
        while raw[index - 1][0] > time_s:
            index -= 1
        (t0, y0), (t1, y1) = raw[index - 1], raw[index]
        return y0 + (y1 - y0) * (time_s - t0) / (t1 - t0)

    def update(self, time_s: float, temp: float) -> float | None:
        """Add a sample and return the new RoR (deg/min), or ``None`` if not yet defined."""
        if self._raw and time_s <= self._raw[-1][0]:
            return self.value  # a repeated or out-of-order sample adds no information
        if self._raw:
            self._gaps.append(time_s - self._raw[-1][0])
        self._raw.append((time_s, temp))
        if len(self._raw) < 2:
            self._smoothed.append((time_s, temp))
            return None
        interval = self._interval()
        samples = max(1, round(self.span_s / interval))
        # 1. Temperature: decay average on a regular grid ending at the newest time.
        count = min(self.temp_samples, len(self._raw))
        total = 0.0
        for k in range(count):  # k = 0 is the newest grid point, weight ``count``
            total += (count - k) * self._raw_at(time_s - k * interval)
        self._smoothed.append((time_s, total / (count * (count + 1) / 2)))
        # Keep what the grid and the older end can reach.
        while len(self._raw) > 2 and self._raw[1][0] <= time_s - self.temp_samples * interval:
            self._raw.popleft()
        keep = samples + 1 + self.older_end_samples // 2
        while len(self._smoothed) > keep:
            self._smoothed.popleft()
        # 2. Two-point slope with the older end averaged over its neighbours.
        smoothed = self._smoothed
        newest = len(smoothed) - 1
        then = max(0, newest - samples)
        half = min(self.older_end_samples // 2, then, newest - 1 - then)
        half = max(half, 0)
        older = [smoothed[i] for i in range(then - half, then + half + 1)]
        t_then = sum(t for t, _ in older) / len(older)
        y_then = sum(y for _, y in older) / len(older)
        now_t, now_y = smoothed[newest]
        if now_t <= t_then:
            return self.value
        self._rors.append((now_y - y_then) / (now_t - t_then) * 60.0)
        # 3. RoR decay average, newest heaviest.
        weights = range(1, len(self._rors) + 1)
        self.value = sum(w * r for w, r in zip(weights, self._rors, strict=True)) / sum(weights)
        return self.value


class RateOfRise:
    """Live RoR over a sliding time window (``artisan``: Artisan's sample-based pipeline)."""

    def __init__(
        self, span_s: float, method: RorMethod = "smooth", *, lag_s: float | None = None
    ) -> None:
        """``lag_s`` sets the ``smooth`` method's delay (default: 3/8 of ``span_s``)."""
        if span_s <= 0:
            raise ValueError(f"RoR span must be > 0 s, got {span_s!r}")
        if lag_s is not None and not 0 < lag_s <= span_s / 2:
            raise ValueError(f"RoR lag must be in (0, span / 2], got {lag_s!r}")
        self.span_s = span_s
        self.method: RorMethod = method
        self.lag_s = span_s * SMOOTH_LAG_FRACTION if lag_s is None else lag_s
        self._artisan = ArtisanRateOfRise(span_s) if method == "artisan" else None
        self._times: deque[float] = deque()
        self._temps: deque[float] = deque()
        self.value: float | None = None

    def reset(self) -> None:
        """Forget all samples, e.g. at CHARGE, so the window never mixes two regimes."""
        self._times.clear()
        self._temps.clear()
        if self._artisan is not None:
            self._artisan.reset()
        self.value = None

    def update(self, time_s: float, temp: float) -> float | None:
        """Add a sample and return the new RoR (deg/min), or ``None`` if not yet defined."""
        if self._times and time_s <= self._times[-1]:
            return self.value  # a repeated or out-of-order sample adds no information
        reach = self.span_s
        if self.method == "smooth" and self._times:
            # Half a sampling interval of slack: a window of exactly span_s / interval gaps would
            # hold one sample more or less as timestamps jitter by a millisecond, and each such
            # flip nudges the RoR. With the slack the count is the nearest whole number.
            reach += 0.5 * (time_s - self._times[-1])
        self._times.append(time_s)
        self._temps.append(temp)
        # Keep samples within the span of the newest one: the window is time-based.
        while self._times and self._times[0] < time_s - reach - 1e-9:
            self._times.popleft()
            self._temps.popleft()
        if self._artisan is not None:
            self.value = self._artisan.update(time_s, temp)
        elif self.method == "smooth":
            self.value = smooth_slope_per_minute(self._times, self._temps, self.lag_s)
        else:
            method: WindowMethod = "two_point" if self.method == "two_point" else "least_squares"
            self.value = slope_per_minute(list(self._times), list(self._temps), method)
        return self.value


def ror_series(
    times: Sequence[float],
    temps: Sequence[float],
    span_s: float,
    method: RorMethod = "smooth",
) -> list[float | None]:
    """Return the live RoR at every sample of a recorded series (the same values as live)."""
    ror = RateOfRise(span_s, method)
    return [ror.update(t, y) for t, y in zip(times, temps, strict=True)]
