"""Artisan's WebSocket endpoint under load: reply latency and push delay during a roast.

A simulated roast runs on a sped-up clock (``SPEED`` roaster seconds per real second, one sample
per roaster second, so the session samples ``SPEED`` times a second: a heavier load than a real
Hottop's 1 Hz) behind ``roastctl serve --http --artisan``'s app (dashboard, MCP and the Artisan
endpoint, served by uvicorn on a free port). ``CLIENTS`` Artisan-like clients (deflate, the ``id``
request/response cycle) each ask for data once a real second for ``POLL_S`` seconds while the
roast passes CHARGE, DRY END, FCs and DROP.

Reported: request -> reply latency p50/p99/max over all requests (goal p99 <= 50 ms, Artisan
waits 500 ms), and for each push the delay from the event's detection to its arrival at each
client, in real milliseconds (goal: within one sample, 1000 ms on a real roaster).

Run: ``.venv/bin/python benchmarks/artisan_endpoint.py``
"""

from __future__ import annotations

import json
import socket
import statistics
import threading
import time

import anyio
import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from roastctl.access.server_access import McpAccess
from roastctl.artisan.endpoint import artisan_routes
from roastctl.artisan.protocol import MAX_MESSAGE_BYTES, REQUEST_COMMAND
from roastctl.clock import ScaledClock
from roastctl.config import ServerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.server import build_http_app
from roastctl.models import RoastEventType
from roastctl.session.manager import RoastSessionManager
from roastctl.web import dashboard_routes

SPEED = 20.0
CLIENTS = 5
POLL_S = 90.0
CHARGE_AT_ET_C = 180.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Client:
    """An Artisan-like client: requests at 1 Hz, pushes noted with their arrival clock time."""

    def __init__(self, ws: ClientConnection, clock: ScaledClock) -> None:
        self.ws = ws
        self.clock = clock
        self.latencies_ms: list[float] = []
        self.pushes: list[tuple[str, float]] = []
        self.missed = 0
        self._waiting: dict[int, anyio.Event] = {}

    async def read(self) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            if "id" in message:
                event = self._waiting.pop(message["id"], None)
                if event is not None:
                    event.set()
            else:
                name = message.get("data", {}).get("event") or message["pushMessage"]
                self.pushes.append((name, self.clock.monotonic()))

    async def poll(self, until: float) -> None:
        request_id = 0
        while time.monotonic() < until:
            request_id += 1
            got = self._waiting[request_id] = anyio.Event()
            start = time.perf_counter()
            await self.ws.send(json.dumps({"command": REQUEST_COMMAND, "id": request_id}))
            with anyio.move_on_after(0.5):
                await got.wait()
            if got.is_set():
                self.latencies_ms.append((time.perf_counter() - start) * 1000)
            else:
                self.missed += 1
            await anyio.sleep(1.0 - (time.perf_counter() - start) % 1.0)


def drive_roast(manager: RoastSessionManager, roaster: SimulatedRoaster, stop: float) -> None:
    """Preheat, charge, mark first crack when BT says so, drop two minutes later."""
    manager.start_roaster()
    manager.set_heat(100)
    manager.set_fan(30)
    phase = "preheat"
    fc_at: float | None = None
    while time.monotonic() < stop and phase != "done":
        status = manager.get_status(forecast=False)
        bt = status.sensors.bean_temp_c if status.sensors else 0.0
        et = status.sensors.env_temp_c if status.sensors else 0.0
        kinds = {event.type for event in status.events}
        if phase == "preheat" and et >= CHARGE_AT_ET_C:
            roaster.charge()
            manager.set_heat(80)
            phase = "roast"
        elif phase == "roast" and RoastEventType.FIRST_CRACK_START not in kinds and bt >= 196:
            manager.mark_event(RoastEventType.FIRST_CRACK_START)
            fc_at = manager.clock.monotonic()
            manager.set_heat(40)
        elif fc_at is not None and manager.clock.monotonic() - fc_at >= 120:
            manager.drop_beans()
            phase = "done"
        time.sleep(0.05)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run() -> None:
    config = ServerConfig.model_validate({"timezone": "UTC"})
    clock = ScaledClock(SPEED)
    roaster = SimulatedRoaster(config.simulator, clock)
    manager = RoastSessionManager(roaster, config, clock=clock)
    access = McpAccess()
    routes = [*artisan_routes(manager, access), *dashboard_routes(manager)]
    app = build_http_app(manager, simulator=roaster, routes=routes, access=access)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws_max_size=2 * MAX_MESSAGE_BYTES
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        await anyio.sleep(0.05)
    until = time.monotonic() + POLL_S
    clients: list[Client] = []
    try:
        async with anyio.create_task_group() as group:
            for _ in range(CLIENTS):
                ws = await connect(f"ws://127.0.0.1:{port}/artisan", compression="deflate")
                client = Client(ws, clock)
                clients.append(client)
                group.start_soon(client.read)
                group.start_soon(client.poll, until)
            await anyio.to_thread.run_sync(drive_roast, manager, roaster, until)
            await anyio.sleep(max(0.0, until - time.monotonic()) + 1.0)
            for client in clients:
                await client.ws.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    report(manager, clients)


def report(manager: RoastSessionManager, clients: list[Client]) -> None:
    latencies = [ms for client in clients for ms in client.latencies_ms]
    missed = sum(client.missed for client in clients)
    print(f"Artisan endpoint: {CLIENTS} clients at 1 Hz for {POLL_S:g} s, clock x{SPEED:g}")
    print(
        f"  requests answered {len(latencies)}, missed (> 500 ms) {missed}; latency ms "
        f"p50 {statistics.median(latencies):.1f}  p99 {percentile(latencies, 0.99):.1f}  "
        f"max {max(latencies):.1f}   (goal p99 <= 50)"
    )
    status = manager.get_status(forecast=False)
    detected = {event.type: event.detected_monotonic_s for event in status.events}
    names = {
        "startRoasting": RoastEventType.CHARGE,
        "colorChangeEvent": RoastEventType.DRY_END,
        "firstCrackBeginningEvent": RoastEventType.FIRST_CRACK_START,
        "firstCrackEndEvent": RoastEventType.FIRST_CRACK_END,
        "endRoasting": RoastEventType.DROP,
    }
    by_push: dict[str, list[float]] = {}
    for client in clients:
        for name, arrived in client.pushes:
            kind = names.get(name)
            if kind in detected:
                by_push.setdefault(name, []).append((arrived - detected[kind]) / SPEED * 1000)
    for name, delays in by_push.items():
        print(
            f"  push {name:<26} to {len(delays)} clients: delay ms median "
            f"{statistics.median(delays):.0f}  max {max(delays):.0f}   (goal <= 1000: one sample)"
        )
    counts = {name: len(delays) for name, delays in by_push.items()}
    assert all(count == CLIENTS for count in counts.values()), f"pushes not once each: {counts}"
    manager.stop_session()


def main() -> None:
    anyio.run(run)


if __name__ == "__main__":
    main()
