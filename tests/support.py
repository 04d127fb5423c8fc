"""Shared test helpers: roast data on disk, readings from recorded logs, stepping a session."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest
from mcp.types import CallToolResult, TextContent

from roastctl.clock import Clock, ManualClock
from roastctl.config import ServerConfig, SimulatorConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.logs.record import RecordedRoast, RoastRecord
from roastctl.models import RoastStatus, SensorReading
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore

ROASTS_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "roasts"
START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def roasts_dir() -> Path:
    """Return the shared roast logs folder, or skip the test when this clone has none."""
    if not ROASTS_DIR.is_dir():
        pytest.skip(f"real roast logs not available: {ROASTS_DIR} does not exist (a user's clone)")
    return ROASTS_DIR


def roast_file(prefix: str) -> Path:
    """Return the one shared roast log whose name starts with ``prefix``."""
    matches = sorted(roasts_dir().glob(prefix + "*"))
    assert len(matches) == 1, f"{prefix!r} matches {matches}"
    return matches[0]


def readings(roast: RecordedRoast) -> Iterator[SensorReading]:
    """Yield the log's samples as live readings (missing ET is replaced by BT)."""
    for time_s, bean, env in zip(roast.times, roast.bean_temps, roast.env_temps, strict=True):
        if bean is None:
            continue
        yield SensorReading(
            timestamp=START + timedelta(seconds=time_s),
            monotonic_s=time_s,
            bean_temp_c=bean,
            env_temp_c=env if env is not None else bean,
            heat_percent=0,
            fan_percent=0,
            drum_on=True,
            door_open=False,
            cooling_on=False,
        )


def run_until(
    manager: RoastSessionManager,
    clock: ManualClock,
    done: Callable[[RoastStatus], bool],
    *,
    limit_s: float = 3600.0,
    step_s: float = 1.0,
    forecast: bool = False,
) -> RoastStatus:
    """Step time and poll until ``done(status)``; fail the test if it takes over ``limit_s``.

    The statuses carry the forecast only with ``forecast=True`` (it costs the model run ahead).
    """
    elapsed = 0.0
    while True:
        status = manager.get_status(forecast=forecast)
        if done(status):
            return status
        assert elapsed < limit_s, f"condition not met within {limit_s} s; last status {status}"
        clock.advance(step_s)
        manager.poll_once()
        elapsed += step_s


def preheat_and_charge(
    manager: RoastSessionManager, clock: ManualClock, *, charge_at_env_c: float = 190.0
) -> RoastStatus:
    """Drum on, full heat until ET reaches ``charge_at_env_c``, charge, wait for CHARGE."""
    roaster = manager.hardware
    manager.start_roaster()
    manager.set_heat(100)
    run_until(
        manager, clock, lambda s: s.sensors is not None and s.sensors.env_temp_c >= charge_at_env_c
    )
    roaster.charge()  # type: ignore[attr-defined]
    return run_until(manager, clock, lambda s: s.metrics.roast_elapsed_s is not None, limit_s=60)


def wait_for(condition: Callable[[], bool], clock: Clock, limit_s: float) -> float:
    """Poll until ``condition()``; return the clock seconds it took; fail after ``limit_s``."""
    start = clock.monotonic()
    while not condition():
        assert clock.monotonic() - start < limit_s, f"not within {limit_s} clock s"
        time.sleep(0.002)
    return clock.monotonic() - start


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_until_listening(
    port: int, server: subprocess.Popen[str], limit_s: float = 20.0
) -> None:
    """Wait until ``server`` accepts connections on ``port``; fail if it exits or takes too long."""
    deadline = time.monotonic() + limit_s
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            assert server.poll() is None, "the server exited before it listened"
            assert time.monotonic() < deadline, "the server did not start listening"
            await anyio.sleep(0.05)


def tool_text(result: CallToolResult) -> str:
    """The text of an MCP tool result (a refusal's message, say)."""
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


@dataclass
class HttpServer:
    """A ``roastctl serve --http`` process; ``stdout``/``stderr`` are filled once it has exited."""

    port: int
    process: subprocess.Popen[str]
    stdout: str = ""
    stderr: str = ""

    @property
    def url(self) -> str:
        """The MCP endpoint."""
        return f"http://127.0.0.1:{self.port}/mcp"


#: The headers a raw streamable-HTTP MCP request carries.
MCP_HTTP_HEADERS = {
    "Accept": "application/json, text/event-stream",
    "Content-Type": "application/json",
}
#: A raw MCP ``initialize`` request, for tests that speak HTTP below the client.
MCP_INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "roastctl-tests", "version": "1"},
    },
}


@asynccontextmanager
async def serve_http(
    *options: str, env: dict[str, str] | None = None, verbose: bool = False
) -> AsyncIterator[HttpServer]:
    """Run ``roastctl [-v] serve --http OPTIONS`` on a free port until the block ends.

    On the way out the server is stopped and its output read to the end (so a full pipe can
    never hold it up) into ``stdout`` and ``stderr``.
    """
    port = free_port()
    loud = ["-v"] if verbose else []
    process = subprocess.Popen(
        [sys.executable, "-m", "roastctl", *loud, "serve", "--http", *options, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    server = HttpServer(port, process)
    try:
        await wait_until_listening(port, process)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
        server.stdout, server.stderr = process.communicate(timeout=20)


def roastctl_command() -> list[str]:
    """The installed ``roastctl`` command, else ``python -m roastctl``."""
    script = Path(sys.executable).with_name("roastctl")
    if script.exists():
        return [str(script)]
    found = shutil.which("roastctl")
    return [found] if found else [sys.executable, "-m", "roastctl"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``roastctl ARGS`` in a fresh process and return what it printed."""
    return subprocess.run(
        [*roastctl_command(), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def simulated_session(
    store: RoastStore | None, clock: ManualClock | None = None, seed: int = 7
) -> tuple[RoastSessionManager, SimulatedRoaster, ManualClock]:
    """A session on the simulator (no bean variance, UTC), stepped by hand, kept in ``store``."""
    clock = clock or ManualClock(start=START)
    roaster = SimulatedRoaster(SimulatorConfig(seed=seed, bean_variance_c=0.0), clock)
    manager = RoastSessionManager(
        roaster, ServerConfig(timezone="UTC"), clock=clock, background_polling=False, store=store
    )
    return manager, roaster, clock


def scripted_roast_record(store: RoastStore, seed: int = 7) -> RoastRecord:
    """Run the scripted recipe's whole roast on the simulator; return it as the store keeps it."""
    from roastctl.agents.recipe import run_scripted_roast

    manager, roaster, _ = simulated_session(store, seed=seed)
    manager.start_session()
    roast_id = manager.roast_id
    assert roast_id is not None
    run_scripted_roast(manager, roaster)
    manager.stop_session()
    return store.get_roast(roast_id)
