"""What the live dashboard costs for a 20-minute roast sampled at 10 Hz (12,000 samples).

A simulated roast is stepped by hand (a manual clock, no polling thread) to 12,000 samples, then:

* the feed's first look (it copies the whole curve once, as after a server start or a new event);
* ``GET /api/curve`` thinned for display (min/max buckets to 1,500 points): time and payload;
* ``GET /api/curve?max_points=100000`` (every sample), for comparison;
* the initial event-stream backlog a new browser gets (snapshot + status): time and bytes;
* a reconnect after one minute away (600 missed samples, sent whole): time and bytes;
* the steady state: one new sample, then the feed's look and the ``samples`` + ``status`` events
  one client gets, averaged over 300 samples.

Times are wall-clock on this machine (medians of repeated runs where cheap enough).

Run: ``.venv/bin/python benchmarks/dashboard_load.py``
"""

from __future__ import annotations

import statistics
import time
from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import TypeVar

import anyio
from starlette.applications import Starlette
from starlette.testclient import TestClient

from roastctl.clock import ManualClock
from roastctl.config import ServerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.session.manager import RoastSessionManager
from roastctl.web.feed import LiveFeed
from roastctl.web.routes import Dashboard
from roastctl.web.sse import SNAPSHOT_MAX_POINTS, EventStream

T = TypeVar("T")

SAMPLES = 12_000
INTERVAL_S = 0.1
CHARGE_AT = 3_000  # samples of preheat before the beans go in


def build_roast() -> tuple[RoastSessionManager, ManualClock]:
    clock = ManualClock()
    config = ServerConfig.model_validate(
        {"timezone": "UTC", "tracker": {"sampling_interval_s": INTERVAL_S}}
    )
    roaster = SimulatedRoaster(config.simulator, clock)
    manager = RoastSessionManager(roaster, config, clock=clock, background_polling=False)
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(100)
    for k in range(SAMPLES):
        if k == CHARGE_AT:
            roaster.charge()
        if k == CHARGE_AT + 3_000:
            manager.set_heat(60)  # keep BT below the safety limit for the whole run
        clock.advance(INTERVAL_S)
        manager.poll_once()
    return manager, clock


def timed(action: Callable[[], T], repeat: int = 5) -> tuple[float, T]:
    """Median milliseconds of ``action`` over ``repeat`` runs, and its last result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


async def first_events(stream: EventStream, count: int) -> list[str]:
    events = []
    iterator: AsyncIterator[str] = stream.__aiter__()
    async for chunk in iterator:
        if chunk.startswith(("retry:", ":")):
            continue
        events.append(chunk)
        if len(events) >= count:
            break
    await iterator.aclose()  # type: ignore[attr-defined]
    return events


def main() -> None:
    start = time.perf_counter()
    manager, clock = build_roast()
    print(f"built a {SAMPLES}-sample roast in {time.perf_counter() - start:.1f} s")
    status = manager.get_status()
    held = manager.tracker.sample_count
    print(f"samples held for the roast: {held}, phase {status.metrics.phase.value}")

    feed = LiveFeed(manager, refresh_interval_s=0.0)
    ms, _ = timed(lambda: feed.refresh(force=True), repeat=1)
    print(f"feed: first look (copies the whole curve)        {ms:8.1f} ms")
    ms, _ = timed(lambda: feed.refresh(force=True), repeat=20)
    print(f"feed: a look with nothing new                     {ms:8.2f} ms")

    dashboard = Dashboard(manager, feed)
    client = TestClient(Starlette(routes=dashboard.routes()), client=("127.0.0.1", 5000))
    queries = ((f"thinned to {SNAPSHOT_MAX_POINTS}", None), ("every sample", 100_000))
    for label, max_points in queries:
        query = "" if max_points is None else f"?max_points={max_points}"
        ms, answer = timed(partial(client.get, "/api/curve" + query))
        body = answer.content
        points = len(answer.json()["points"])
        print(
            f"GET /api/curve, {label:<18} {ms:8.1f} ms  {len(body) / 1024:8.1f} KiB  "
            f"{points} points"
        )

    def backlog() -> list[str]:
        return anyio.run(first_events, EventStream(feed, manager, None), 2)

    ms, events = timed(backlog)
    size = sum(len(e) for e in events)
    print(f"SSE initial backlog (snapshot + status)           {ms:8.1f} ms  {size / 1024:8.1f} KiB")

    last = feed.snapshot().last_index
    for _ in range(600):  # one minute away at 10 Hz
        clock.advance(INTERVAL_S)
        manager.poll_once()
    cursor = (status.roast_number, last)

    def resume() -> list[str]:
        return anyio.run(first_events, EventStream(feed, manager, cursor), 2)

    ms, events = timed(resume)
    size = sum(len(e) for e in events)
    print(f"SSE resume after 1 min away (600 samples)         {ms:8.1f} ms  {size / 1024:8.1f} KiB")

    stream = EventStream(feed, manager, None)
    view = feed.snapshot()
    roast, last = view.roast_number, view.last_index
    costs = []
    sizes = []
    events_seen: set[tuple[object, ...]] = set()
    for _ in range(300):
        clock.advance(INTERVAL_S)
        manager.poll_once()
        begin = time.perf_counter()
        got = feed.after(roast, last)
        assert got is not None
        assert len(got.points) == 1
        chunks = [*stream._sample_events(got), stream._status_event(got)]
        events_seen.add(tuple(e.type for e in got.status.events))
        costs.append((time.perf_counter() - begin) * 1000)
        sizes.append(sum(len(c) for c in chunks))
        last = got.last_index
    print(
        f"SSE per new sample (look + samples + status)      {statistics.median(costs):8.2f} ms  "
        f"{statistics.median(sizes):8.0f} B   (p95 {sorted(costs)[284]:.2f} ms, "
        f"max {max(costs):.1f} ms; {len(events_seen) - 1} event-list changes re-read the curve)"
    )
    manager.stop_session()


if __name__ == "__main__":
    main()
