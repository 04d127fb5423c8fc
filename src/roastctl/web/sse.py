"""The live stream at ``/events``: server-sent events fed from :class:`~roastctl.web.feed.LiveFeed`.

Events:

* ``snapshot``: the whole current roast, thinned for display, with the status. Sent first, and
  again whenever a new roast begins.
* ``samples``: the samples that arrived since the last event, every one of them.
* ``status``: the readouts, when they changed (at most a few times a second).

Every ``snapshot`` and ``samples`` event carries ``id: <roast>:<index>`` (the last sample's
index). A browser that reconnects sends it back as ``Last-Event-ID`` and gets exactly the samples
it missed, from the feed's stored copy, instead of a new snapshot. A comment line goes out when
nothing else did for a while, so proxies and the browser keep the connection open.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import anyio.to_thread

from roastctl.session.manager import RoastSessionManager
from roastctl.web.dashboard_status import dashboard_status
from roastctl.web.feed import FeedPoint, FeedView, LiveFeed

#: Real seconds between two looks for new samples.
POLL_INTERVAL_S = 0.25
#: Real seconds of silence after which a keep-alive comment is sent.
HEARTBEAT_S = 10.0
#: Points in a snapshot: enough for a sharp chart, small enough to send at once.
SNAPSHOT_MAX_POINTS = 1500
#: Samples per ``samples`` event when a reconnect has many to catch up on.
CHUNK = 1000
#: Milliseconds the browser waits before reconnecting.
RETRY_MS = 1000


def parse_cursor(text: str | None) -> tuple[int, int] | None:
    """Read ``<roast>:<index>`` (a ``Last-Event-ID``); ``None`` when absent or malformed."""
    if not text:
        return None
    roast, _, index = text.partition(":")
    try:
        return int(roast), int(index)
    except ValueError:
        return None


def format_event(event: str, data: object, event_id: str | None = None) -> str:
    """Encode one server-sent event (data as compact JSON on one line)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _rows(points: tuple[FeedPoint, ...]) -> list[list[Any]]:
    return [list(p.row()) for p in points]


class EventStream:
    """One client's stream; iterate it for the encoded events."""

    def __init__(
        self,
        feed: LiveFeed,
        manager: RoastSessionManager,
        cursor: tuple[int, int] | None,
        *,
        poll_interval_s: float = POLL_INTERVAL_S,
        heartbeat_s: float = HEARTBEAT_S,
        clock: Callable[[], float] = anyio.current_time,
    ) -> None:
        """Stream ``feed``; ``cursor`` is where a reconnecting client left off."""
        self.feed = feed
        self.manager = manager
        self.cursor = cursor
        self.poll_interval_s = poll_interval_s
        self.heartbeat_s = heartbeat_s
        self._clock = clock

    def _status_event(self, view: FeedView) -> str:
        return format_event("status", dashboard_status(self.manager, view.status))

    async def __aiter__(self) -> AsyncIterator[str]:
        """Yield the stream: the start (snapshot or catch-up), then new samples and status."""
        yield f"retry: {RETRY_MS}\n\n"
        roast, last = self.cursor if self.cursor is not None else (None, None)
        view = await anyio.to_thread.run_sync(self.feed.after, roast, last)
        if view is None:
            view = await anyio.to_thread.run_sync(self.feed.snapshot, SNAPSHOT_MAX_POINTS)
            yield self._snapshot_event(view)
        else:
            for chunk in self._sample_events(view):
                yield chunk
        last_status = self._status_event(view)
        yield last_status
        roast, last = view.roast_number, view.last_index
        quiet_since = self._clock()
        while True:
            await anyio.sleep(self.poll_interval_s)
            view = await anyio.to_thread.run_sync(self.feed.after, roast, last)
            sent = False
            if view is None:  # a new roast began: start the page over
                view = await anyio.to_thread.run_sync(self.feed.snapshot, SNAPSHOT_MAX_POINTS)
                yield self._snapshot_event(view)
                sent = True
            elif view.points:
                for chunk in self._sample_events(view):
                    yield chunk
                sent = True
            roast, last = view.roast_number, view.last_index
            status = self._status_event(view)
            if status != last_status:
                last_status = status
                yield status
                sent = True
            now = self._clock()
            if sent:
                quiet_since = now
            elif now - quiet_since >= self.heartbeat_s:
                quiet_since = now
                yield ": keep-alive\n\n"

    def _snapshot_event(self, view: FeedView) -> str:
        data = {"roast_number": view.roast_number, "points": _rows(view.points)}
        return format_event("snapshot", data, f"{view.roast_number}:{view.last_index}")

    def _sample_events(self, view: FeedView) -> list[str]:
        events = []
        points = view.points
        for start in range(0, len(points), CHUNK):
            chunk = points[start : start + CHUNK]
            data = {"roast_number": view.roast_number, "points": _rows(chunk)}
            events.append(format_event("samples", data, f"{view.roast_number}:{chunk[-1].index}"))
        return events


__all__ = ["EventStream", "format_event", "parse_cursor"]
