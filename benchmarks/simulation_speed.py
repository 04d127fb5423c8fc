"""How fast the simulator runs a roast, and what one poll step costs.

Prints:
* simulated seconds per wall second for a complete scripted roast (preheat, roast, cooling) stepped
  by hand at the default 1 s sampling interval (the fastest deterministic mode, used by tests);
* the same through ``roastctl simulate``'s path: the background polling thread on a scaled clock;
* the cost of one poll step (device read + tracker update), of one ``get_status`` snapshot, and of
  both together, as median and 99th percentile over the roasting phase.

Run: ``.venv/bin/python benchmarks/simulation_speed.py``
"""

from __future__ import annotations

import statistics
import time

from roastctl.agents.recipe import run_scripted_roast
from roastctl.clock import ManualClock, ScaledClock
from roastctl.config import ServerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.session.manager import RoastSessionManager


def scripted_roast(speed: float | None) -> tuple[float, float, int]:
    """Run the scripted roast: stepped by hand (``speed=None``) or threaded on a scaled clock."""
    clock: ManualClock | ScaledClock = ManualClock() if speed is None else ScaledClock(speed)
    sim = SimulatedRoaster(clock=clock)
    manager = RoastSessionManager(
        sim, ServerConfig(), clock=clock, background_polling=speed is not None
    )
    manager.start_session()
    start_sim = clock.monotonic()
    start = time.perf_counter()
    final = run_scripted_roast(manager, sim)
    wall = time.perf_counter() - start
    manager.stop_session()
    return clock.monotonic() - start_sim, wall, final.connection.samples


def poll_costs(samples: int = 2000) -> tuple[list[float], list[float]]:
    clock = ManualClock()
    sim = SimulatedRoaster(clock=clock)
    manager = RoastSessionManager(sim, ServerConfig(), clock=clock, background_polling=False)
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(100)
    while (manager.get_status().sensors or None) and manager.get_status().sensors.env_temp_c < 190:  # type: ignore[union-attr]
        clock.advance(1.0)
        manager.poll_once()
    sim.charge()
    polls: list[float] = []
    statuses: list[float] = []
    for _ in range(samples):
        clock.advance(0.5)
        t0 = time.perf_counter()
        manager.poll_once()
        t1 = time.perf_counter()
        manager.get_status()
        t2 = time.perf_counter()
        polls.append(t1 - t0)
        statuses.append(t2 - t1)
    manager.stop_session()
    return polls, statuses


def _p99(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.99) - 1]


def main() -> None:
    sim_s, wall_s, samples = scripted_roast(None)
    print(
        f"stepped roast:  {sim_s:7.0f} simulated s in {wall_s:6.2f} wall s "
        f"= {sim_s / wall_s:8.0f} simulated s per wall s ({samples} samples)"
    )
    for speed in (1000.0, 5000.0):
        sim_s, wall_s, samples = scripted_roast(speed)
        print(
            f"threaded x{speed:<5.0f}: {sim_s:7.0f} simulated s in {wall_s:6.2f} wall s "
            f"= {sim_s / wall_s:8.0f} simulated s per wall s ({samples} samples)"
        )
    polls, statuses = poll_costs()
    both = [a + b for a, b in zip(polls, statuses, strict=True)]
    rows = (
        ("poll_once (read + tracker)", polls),
        ("get_status", statuses),
        ("poll step + status", both),
    )
    for name, values in rows:
        median_us = statistics.median(values) * 1e6
        print(
            f"{name:28s} median {median_us:7.1f} us   p99 {_p99(values) * 1e6:7.1f} us"
            f"   (n={len(values)}, 2 Hz samples over a 17-min roast)"
        )


if __name__ == "__main__":
    main()
