"""MCP latency with the official client over real stdio (``roastctl serve`` as a subprocess).

Prints:
* start-up: spawn to a completed first ``get_roast_status`` (the client connects and initialises),
  median of 5 starts;
* ``get_roast_status`` round trip, median and p99 over 500 sequential calls;
* ``emergency_stop`` round trip while 12 ``get_roast_status`` calls are in flight and the server
  polls the roaster 10 times a second, median and max of 20 tries (each from full heat, checked to
  end with the heater at 0 and the fault latched), beside the same calls' status round trips.

Run: ``.venv/bin/python benchmarks/mcp_latency.py``
"""

from __future__ import annotations

import os
import statistics
import time

import anyio
from mcp.client import Client

from roastctl.agents.demo import server_parameters

CALLS = 500
IN_FLIGHT = 12
TRIES = 20


def _p99(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.99) - 1)]


async def startup() -> float:
    started = time.perf_counter()
    async with Client(server_parameters(1.0)) as client:
        await client.call_tool("get_roast_status", {})
        return time.perf_counter() - started


async def round_trips() -> tuple[list[float], list[float], list[float]]:
    async with Client(server_parameters(1.0)) as client:
        await client.call_tool("start_roaster", {})
        await client.call_tool("set_heat", {"percent": 100})
        status_times = []
        for _ in range(CALLS):
            t0 = time.perf_counter()
            await client.call_tool("get_roast_status", {})
            status_times.append(time.perf_counter() - t0)
        estop_times: list[float] = []
        busy_times: list[float] = []
        for _ in range(TRIES):

            async def status_call() -> None:
                t0 = time.perf_counter()
                await client.call_tool("get_roast_status", {})
                busy_times.append(time.perf_counter() - t0)

            async with anyio.create_task_group() as group:
                for _ in range(IN_FLIGHT):
                    group.start_soon(status_call)
                await anyio.sleep(0)  # let the status requests go out first
                t0 = time.perf_counter()
                result = await client.call_tool("emergency_stop", {})
                estop_times.append(time.perf_counter() - t0)
                assert not result.is_error
                assert result.structured_content is not None
                assert result.structured_content["roaster"]["heat_percent"] == 0
            status = await client.call_tool("get_roast_status", {})
            assert status.structured_content is not None
            assert status.structured_content["safety"]["faults"][0]["fault"] == "emergency_stop"
            # Ready for the next try: the drum is cold, so the fault clears.
            await client.call_tool("clear_fault", {})
            await client.call_tool("stop_cooling", {})
            await client.call_tool("start_roaster", {})
            await client.call_tool("set_heat", {"percent": 100})
        return status_times, estop_times, busy_times


async def main() -> None:
    os.environ["ROASTCTL_TRACKER__SAMPLING_INTERVAL_S"] = "0.1"  # the server polls at 10 Hz
    starts = [await startup() for _ in range(5)]
    print(
        f"start-up to first status:     median {statistics.median(starts) * 1e3:7.1f} ms"
        f"   (n={len(starts)})"
    )
    status_times, estop_times, busy_times = await round_trips()
    print(
        f"get_roast_status round trip:  median {statistics.median(status_times) * 1e3:7.2f} ms"
        f"   p99 {_p99(status_times) * 1e3:7.2f} ms   (n={len(status_times)})"
    )
    estop_median_ms = statistics.median(estop_times) * 1e3
    print(
        f"emergency_stop, {IN_FLIGHT} in flight: median {estop_median_ms:7.2f} ms"
        f"   max {max(estop_times) * 1e3:7.2f} ms   (n={len(estop_times)})"
    )
    print(
        f"  status calls in those bursts: median {statistics.median(busy_times) * 1e3:7.2f} ms"
        f"   max {max(busy_times) * 1e3:7.2f} ms   (n={len(busy_times)})"
    )


if __name__ == "__main__":
    anyio.run(main)
