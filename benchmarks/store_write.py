"""The roast store's cost: per-sample writes, durability lag, and size per roast-hour.

Prints:
* the cost of handing one sample to the store (what the poller pays), median and p99;
* the writer's throughput in committed samples per second;
* durability lag: from handing a sample over until another connection can read it, for samples
  arriving 10 times a second (the commit interval is 0.5 s);
* a poll step of a simulated session with and without a store, median;
* the file size per roast-hour at 1 sample/s (every column filled, events, commands).

Run: ``.venv/bin/python benchmarks/store_write.py``
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from roastctl.clock import ManualClock
from roastctl.config import ServerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.logs.record import RecordEvent, RecordSample
from roastctl.models import RoastEventType
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore

HOUR_SAMPLES = 3600


def _sample(i: int) -> RecordSample:
    return RecordSample(
        float(i), 150.0 + i % 50 / 7, 200.0 + i % 30 / 3, 80, 30, True, False, False
    )


def _p99(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.99) - 1)]


def enqueue_and_throughput(folder: Path) -> tuple[list[float], float]:
    store = RoastStore(folder / "throughput.sqlite3")
    roast_id = store.begin_roast(
        started_utc=datetime.now(UTC), roaster="bench", driver="simulator", sampling_interval_s=1
    )
    costs = []
    started = time.perf_counter()
    for i in range(20_000):
        t0 = time.perf_counter()
        store.add_sample(roast_id, i, _sample(i))
        costs.append(time.perf_counter() - t0)
    store.flush(60)
    rate = 20_000 / (time.perf_counter() - started)
    store.close()
    return costs, rate


def durability_lag(folder: Path) -> list[float]:
    path = folder / "lag.sqlite3"
    store = RoastStore(path)
    roast_id = store.begin_roast(
        started_utc=datetime.now(UTC), roaster="bench", driver="simulator", sampling_interval_s=0.1
    )
    reader = sqlite3.connect(path)
    lags = []
    for i in range(100):
        handed = time.perf_counter()
        store.add_sample(roast_id, i, _sample(i))
        while (
            reader.execute(
                "SELECT COUNT(*) FROM samples WHERE roast_id = ? AND seq = ?", (roast_id, i)
            ).fetchone()[0]
            == 0
        ):
            time.sleep(0.002)
        lags.append(time.perf_counter() - handed)
        time.sleep(max(0.0, 0.1 - (time.perf_counter() - handed)))
    reader.close()
    store.close()
    return lags


def poll_cost(store: RoastStore | None) -> float:
    clock = ManualClock()
    sim = SimulatedRoaster(clock=clock)
    manager = RoastSessionManager(
        sim, ServerConfig(), clock=clock, background_polling=False, store=store
    )
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(50)  # an empty drum at full heat would reach the safety limit
    costs = []
    for _ in range(2000):
        clock.advance(1.0)
        t0 = time.perf_counter()
        manager.poll_once()
        costs.append(time.perf_counter() - t0)
    manager.stop_session()
    return statistics.median(costs)


def size_per_hour(folder: Path) -> int:
    path = folder / "hour.sqlite3"
    store = RoastStore(path)
    roast_id = store.begin_roast(
        started_utc=datetime.now(UTC), roaster="bench", driver="simulator", sampling_interval_s=1
    )
    for i in range(HOUR_SAMPLES):
        store.add_sample(roast_id, i, _sample(i))
        if i % 60 == 0:
            store.add_command(
                roast_id,
                "set_heat",
                {"percent": 80},
                "ok",
                refused=False,
                caller="agent",
                at_utc=datetime.now(UTC),
            )
    store.set_events(
        roast_id,
        tuple(
            RecordEvent(kind, float(i * 100), 150.0, "auto")
            for i, kind in enumerate(RoastEventType)
        ),
    )
    store.finish_roast(roast_id, ended_utc=datetime.now(UTC))
    store.close()  # checkpoints the WAL into the file
    return path.stat().st_size


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        costs, rate = enqueue_and_throughput(folder)
        print(
            f"hand a sample to the store:  median {statistics.median(costs) * 1e6:6.2f} us"
            f"   p99 {_p99(costs) * 1e6:6.2f} us   (n={len(costs)})"
        )
        print(f"writer throughput:           {rate:,.0f} samples/s committed")
        lags = durability_lag(folder)
        print(
            f"durable (readable) after:    median {statistics.median(lags) * 1e3:6.1f} ms"
            f"   max {max(lags) * 1e3:6.1f} ms   (n={len(lags)}, 10 samples/s)"
        )
        without = poll_cost(None)
        store = RoastStore(folder / "session.sqlite3")
        with_store = poll_cost(store)
        store.close()
        print(
            f"session poll step:           median {without * 1e6:6.1f} us without a store, "
            f"{with_store * 1e6:6.1f} us with one"
        )
        size = size_per_hour(folder)
        print(
            f"size per roast-hour:         {size / 1024:,.0f} KiB at 1 sample/s "
            f"({size / HOUR_SAMPLES:.0f} bytes per sample, events and commands included)"
        )


if __name__ == "__main__":
    main()
