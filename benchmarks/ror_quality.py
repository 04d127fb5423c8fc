"""Rate-of-rise noise and lag: Artisan's default method beside ours, on the simulator and real logs.

Prints, for each method:

* on the simulator (whole-degree readings as a Hottop reports them, with and without 0.3 deg C of
  probe noise before the rounding; 1 s and 2 s sampling): the noise and the step lag;
* on every real Hottop log in ``../shared/data/roasts/hottop__*.alog``: the median and the range
  (min-max) across logs of the noise and the alignment lag, the number of logs where the method
  has less noise than Artisan's at no more lag, and the medians per sampling interval;
* per log, Artisan's method beside the default.

``src/roastctl/lab/ror_quality.py`` and ``docs/ror.md`` define noise (deg C/min, RMS of the
per-sample second difference from TP + 60 s to FCs) and the two lags (s).

Run: ``.venv/bin/python benchmarks/ror_quality.py``
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from pathlib import Path

from roastctl.config import TrackerConfig
from roastctl.lab.ror_quality import EstimatorFactory, LogCase, Quality, SimulatorCase, log_series
from roastctl.logs.load import load_recorded_roast
from roastctl.roast.ror import ArtisanRateOfRise, RateOfRise, RorMethod

ROASTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "roasts"
INTERVALS_S = (1.0, 2.0)
PROBE_NOISE_C = 0.3
ARTISAN = "artisan (20 s)"


def _ours(span_s: float, method: RorMethod) -> EstimatorFactory:
    return lambda: RateOfRise(span_s, method)


def candidates() -> dict[str, EstimatorFactory]:
    """Artisan's default live RoR, the earlier methods, and ``smooth`` at three spans."""
    default = TrackerConfig()
    return {
        ARTISAN: ArtisanRateOfRise,
        "two_point 30 s": _ours(30.0, "two_point"),
        "least_squares 30 s": _ours(30.0, "least_squares"),
        "least_squares 23 s": _ours(23.0, "least_squares"),
        "smooth 24 s": _ours(24.0, "smooth"),
        f"smooth {default.ror_span_s:.0f} s (default)": _ours(
            default.ror_span_s, default.ror_method
        ),
        "smooth 36 s": _ours(36.0, "smooth"),
    }


def _fmt(value: float | None, digits: int = 3) -> str:
    return "   -  " if value is None else f"{value:6.{digits}f}"


def _spread(values: Sequence[float], digits: int = 3) -> str:
    low, high = min(values), max(values)
    return f"{statistics.median(values):6.{digits}f} [{low:.{digits}f}-{high:.{digits}f}]"


def simulator_table(methods: dict[str, EstimatorFactory]) -> None:
    """Noise and step lag on the simulated roast."""
    cases = {
        (interval, probe): SimulatorCase(interval, noise_c=probe)
        for interval in INTERVALS_S
        for probe in (0.0, PROBE_NOISE_C)
    }
    print("Simulator: noise (deg C/min) on whole-degree readings, step lag (s) of a 100 -> 50 %")
    print("heat step 5 min after CHARGE (noise-free readings).")
    header = f"{'method':28s}"
    for interval in INTERVALS_S:
        header += f" | {interval:.0f} s: noise +0.3 C   lag"
    print(header)
    for name, factory in methods.items():
        row = f"{name:28s}"
        for interval in INTERVALS_S:
            clean = cases[(interval, 0.0)]
            noisy = cases[(interval, PROBE_NOISE_C)]
            row += (
                f" | {_fmt(clean.noise(factory))} {_fmt(noisy.noise(factory))}"
                f" {_fmt(clean.step_lag(factory), 2)}"
            )
        print(row)
    print()


def _bucket(case: LogCase) -> float:
    """The log's sampling interval to the nearest 0.5 s."""
    return round(case.series.interval_s * 2) / 2


def _better(ours: Quality, theirs: Quality) -> bool:
    """Less noise at no more lag."""
    if ours.noise is None or ours.lag_s is None or theirs.noise is None or theirs.lag_s is None:
        return False
    return ours.noise < theirs.noise and ours.lag_s <= theirs.lag_s


def real_logs_table(methods: dict[str, EstimatorFactory]) -> None:
    """Noise and alignment lag on every real Hottop log."""
    paths = sorted(ROASTS.glob("hottop__*.alog"))
    if not paths:
        print(f"no real Hottop logs in {ROASTS}")
        return
    cases: list[tuple[str, LogCase]] = []
    for path in paths:
        series = log_series(load_recorded_roast(path))
        if series is None:
            print(f"skipped (no CHARGE..FCs/DROP stretch): {path.name}")
            continue
        cases.append((path.name, LogCase(series)))
    results: dict[str, list[Quality]] = {
        name: [case.quality(factory) for _, case in cases] for name, factory in methods.items()
    }
    intervals = sorted({_bucket(case) for _, case in cases})
    counts = {i: sum(1 for _, case in cases if _bucket(case) == i) for i in intervals}
    print(f"Real Hottop logs ({len(cases)} of {len(paths)}): noise (deg C/min), alignment lag (s),")
    print("median [min-max] across logs; 'better' = logs with less noise than Artisan's method at")
    print("no more lag; then noise and lag medians per sampling interval (number of logs).")
    header = f"{'method':28s} | {'noise':20s} | {'lag':20s} | better"
    for interval in intervals:
        header += f" | {f'{interval:g} s ({counts[interval]})':11s}"
    print(header)
    base = results[ARTISAN]
    for name, qualities in results.items():
        noises = [q.noise for q in qualities if q.noise is not None]
        lags = [q.lag_s for q in qualities if q.lag_s is not None]
        better = sum(_better(q, b) for q, b in zip(qualities, base, strict=True))
        row = f"{name:28s} | {_spread(noises)} | {_spread(lags, 2):20s}"
        row += f" | {better:2d}/{len(qualities)}"
        for interval in intervals:
            group = [
                q for q, (_, c) in zip(qualities, cases, strict=True) if _bucket(c) == interval
            ]
            noise = statistics.median(q.noise for q in group if q.noise is not None)
            lag = statistics.median(q.lag_s for q in group if q.lag_s is not None)
            row += f" | {noise:.3f} {lag:5.2f}"
        print(row)
    print()
    default = next(name for name in methods if name.endswith("(default)"))
    print(f"Per log: {ARTISAN} beside {default} (noise / lag).")
    for (file, case), ours, theirs in zip(cases, results[default], base, strict=True):
        print(
            f"  {file[8:56]:48s} {case.series.interval_s:3.1f} s  artisan {_fmt(theirs.noise)} /"
            f" {_fmt(theirs.lag_s, 2)}   default {_fmt(ours.noise)} / {_fmt(ours.lag_s, 2)}"
        )


def main() -> None:
    methods = candidates()
    simulator_table(methods)
    real_logs_table(methods)


if __name__ == "__main__":
    main()
