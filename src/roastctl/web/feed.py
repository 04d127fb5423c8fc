"""The live feed: the current roast's samples with stable indices, for the page and its stream.

The session's tracker holds the current roast's curve; this keeps a copy in which every sample
gets an index that never changes (the tracker may trim old pre-CHARGE samples, and its time axis
moves to CHARGE once the beans go in). A stream resumes from an index, so a browser that lost
its connection gets exactly the samples it missed. Times are wall-clock seconds (epoch) of the
session's clock; the page puts CHARGE at zero itself, so a point sent before CHARGE never needs
resending.

Reading is cheap: new samples are found with ``get_curve(last_n=k)`` and the newest timestamp
seen, and the whole curve is re-read only when the event list changes (RoR values near CHARGE are
recomputed then).
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from roastctl.models import CurvePoint, RoastStatus
from roastctl.session.manager import RoastSessionManager
from roastctl.web.downsample import min_max_indices

#: Real seconds between two looks at the session; readers asking sooner get the last look.
REFRESH_INTERVAL_S = 0.1
#: Samples asked for first when looking for new ones (doubled until the cursor is covered).
MIN_FETCH = 16

#: One sample as sent to the page: index, wall s, BT, ET, RoR, heat %, fan %.
Row = tuple[int, float, float, float, float | None, int, int]


@dataclass(frozen=True, slots=True)
class FeedPoint:
    """One sample of the current roast with its stable index."""

    index: int
    wall_s: float
    bean_c: float
    env_c: float
    ror: float | None
    heat: int
    fan: int

    def row(self) -> Row:
        """Return the compact form the page reads (a JSON list: a third of an object's size)."""
        return (
            self.index,
            self.wall_s,
            round(self.bean_c, 2),
            round(self.env_c, 2),
            self.ror,
            self.heat,
            self.fan,
        )


def _point(index: int, point: CurvePoint) -> FeedPoint:
    return FeedPoint(
        index=index,
        wall_s=round(point.timestamp.timestamp(), 3),
        bean_c=point.bean_temp_c,
        env_c=point.env_temp_c,
        ror=point.bean_ror_c_per_min,
        heat=point.heat_percent,
        fan=point.fan_percent,
    )


@dataclass(frozen=True, slots=True)
class FeedView:
    """What one reader got: the roast, its samples after a cursor, and the status with them."""

    roast_number: int
    points: tuple[FeedPoint, ...]
    status: RoastStatus
    last_index: int


class LiveFeed:
    """Follows the session's current roast; thread-safe."""

    def __init__(
        self,
        manager: RoastSessionManager,
        *,
        refresh_interval_s: float = REFRESH_INTERVAL_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Follow ``manager``; looks at it at most once per ``refresh_interval_s`` real seconds."""
        self.manager = manager
        self.refresh_interval_s = refresh_interval_s
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._points: list[FeedPoint] = []
        self._indices: list[int] = []  # the points' indices, for bisect
        self._roast_number = -1
        self._next_index = 0
        self._events_key: tuple[tuple[str, float], ...] = ()
        self._status: RoastStatus | None = None
        self._looked_at = -1e18

    # ----------------------------------------------------------------- reading the session
    def refresh(self, *, force: bool = False) -> RoastStatus:
        """Take in new samples (unless the last look is recent) and return the latest status."""
        with self._lock:
            now = self._monotonic()
            recent = now - self._looked_at < self.refresh_interval_s
            if self._status is not None and not force and recent:
                return self._status
            self._looked_at = now
            status = self.manager.get_status()
            if status.roast_number != self._roast_number:
                self._reset(status.roast_number)
            events_key = tuple((e.type.value, e.monotonic_s) for e in status.events)
            if events_key != self._events_key or not self._points:
                self._events_key = events_key
                self._reload()
            else:
                self._take_new()
            self._trim()
            self._status = status
            return status

    def _reset(self, roast_number: int) -> None:
        self._roast_number = roast_number
        self._points = []
        self._indices = []
        self._next_index = 0
        self._events_key = ()

    def _reload(self) -> None:
        """Re-read the whole curve (RoR near CHARGE changes); indices of kept samples stay."""
        by_wall = {p.wall_s: p.index for p in self._points}
        points: list[FeedPoint] = []
        for curve_point in self.manager.get_curve():
            wall = round(curve_point.timestamp.timestamp(), 3)
            index = by_wall.get(wall)
            if index is None:
                index = self._next_index
                self._next_index += 1
            points.append(_point(index, curve_point))
        self._points = points
        self._indices = [p.index for p in points]

    def _take_new(self) -> None:
        newest = self._points[-1].wall_s
        fetch = MIN_FETCH
        while True:
            curve = self.manager.get_curve(last_n=fetch)
            covered = len(curve) < fetch or curve[0].timestamp.timestamp() <= newest + 5e-4
            if covered:
                break
            fetch *= 2  # more arrived since the last look than were asked for
        for curve_point in curve:
            wall = round(curve_point.timestamp.timestamp(), 3)
            if wall <= newest:
                continue
            self._points.append(_point(self._next_index, curve_point))
            self._indices.append(self._next_index)
            self._next_index += 1

    def _trim(self) -> None:
        """Forget samples the tracker has trimmed (long pre-CHARGE waits), oldest first."""
        surplus = len(self._points) - self.manager.tracker.sample_count
        if surplus > 0:
            del self._points[:surplus]
            del self._indices[:surplus]

    # ----------------------------------------------------------------- answering readers
    def after(self, roast_number: int | None, last_index: int | None) -> FeedView | None:
        """Return the samples after ``last_index`` of roast ``roast_number``.

        ``None`` when that roast is no longer the current one (or was never given): the reader
        must start over with :meth:`snapshot`.
        """
        status = self.refresh()
        with self._lock:
            if roast_number != self._roast_number or last_index is None:
                return None
            start = bisect.bisect_right(self._indices, last_index)
            points = tuple(self._points[start:])
            return FeedView(self._roast_number, points, status, self._last_index())

    def snapshot(self, max_points: int | None = None) -> FeedView:
        """Return the whole current roast, thinned to ``max_points`` by min/max buckets."""
        status = self.refresh()
        with self._lock:
            points = self._points
            if max_points is not None:
                columns = (
                    [p.bean_c for p in points],
                    [p.env_c for p in points],
                    [p.ror for p in points],
                )
                chosen = tuple(points[k] for k in min_max_indices(columns, max_points))
            else:
                chosen = tuple(points)
            return FeedView(self._roast_number, chosen, status, self._last_index())

    def _last_index(self) -> int:
        return self._points[-1].index if self._points else -1


__all__ = ["FeedPoint", "FeedView", "LiveFeed", "Row"]
