"""Thinning a long curve for display: min/max buckets that keep every peak and dip.

A 20-minute roast at 10 Hz has 12,000 samples, far more than a chart has pixels. Even thinning
(every n-th sample) can step over a short RoR spike or the turning point; min/max bucketing keeps,
in each bucket, the samples where each chosen series is lowest and highest, plus the first and the
last sample, so the drawn shape matches the full curve. It only chooses indices: the stored
samples are never touched.
"""

from __future__ import annotations

from collections.abc import Sequence

#: A column of values, one per sample; ``None`` where the value is unknown (RoR before CHARGE).
Column = Sequence[float | None]


def min_max_indices(columns: Sequence[Column], max_points: int) -> list[int]:
    """Return sorted sample indices to draw, at most ``max_points`` of them.

    ``columns`` are equally long series over the same samples (BT, ET, RoR, say). When they are
    no longer than ``max_points`` every index is returned. Otherwise the first and last index are
    always kept and the rest is split into buckets; each bucket contributes the index of the
    minimum and of the maximum of every column (ignoring ``None``), so the global extremes of
    every column survive.
    """
    if max_points < 2:
        raise ValueError(f"max_points must be at least 2, got {max_points}")
    if not columns:
        return []
    length = len(columns[0])
    for column in columns[1:]:
        if len(column) != length:
            raise ValueError(
                f"columns differ in length ({len(column)} vs {length}); pass one value per sample"
            )
    if length <= max_points:
        return list(range(length))
    per_bucket = 2 * len(columns)
    buckets = (max_points - 2) // per_bucket
    if buckets == 0:  # too few points for one bucket of extremes: thin evenly instead
        last = length - 1
        return sorted({round(k * last / (max_points - 1)) for k in range(max_points)})
    inner = length - 2  # the first and last sample are kept outright
    keep = {0, length - 1}
    for bucket in range(buckets):
        start = 1 + bucket * inner // buckets
        stop = 1 + (bucket + 1) * inner // buckets
        for column in columns:
            keep.update(_extremes(column, start, stop))
    return sorted(keep)


def _extremes(column: Column, start: int, stop: int) -> tuple[int, ...]:
    """Return the indices of the smallest and largest known value in ``column[start:stop]``."""
    low = high = -1
    low_value = high_value = 0.0
    for index in range(start, stop):
        value = column[index]
        if value is None:
            continue
        if low < 0 or value < low_value:
            low, low_value = index, value
        if high < 0 or value > high_value:
            high, high_value = index, value
    return () if low < 0 else (low, high)


__all__ = ["Column", "min_max_indices"]
