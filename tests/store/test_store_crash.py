"""Kill -9 of a `roastctl serve` mid-roast: after a restart the roast is there, interrupted.

The server runs on the simulator in real time (speed 1) and samples 10 times a second, so "at most
one second of samples missing" is measured against the wall clock of the kill.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest
from mcp.client import Client
from test_cli import run

from roastctl.logs.record import RecordStatus
from roastctl.store.database import RoastStore
from support import free_port, wait_until_listening


async def _heat_up(port: int, server: subprocess.Popen[str]) -> None:
    await wait_until_listening(port, server)
    async with Client(f"http://127.0.0.1:{port}/mcp") as client:
        for tool, arguments in (
            ("start_roaster", {}),
            ("set_heat", {"percent": 100}),
            ("set_roast_info", {"bean": "Crash test"}),
        ):
            result = await client.call_tool(tool, arguments)
            assert not result.is_error, result.content


@pytest.mark.anyio
async def test_kill_9_mid_roast_keeps_the_roast_up_to_the_last_second(tmp_path: Path) -> None:
    store_path = tmp_path / "roasts.sqlite3"
    port = free_port()
    env = {
        **os.environ,
        "ROASTCTL_STORE__PATH": str(store_path),
        "ROASTCTL_TRACKER__SAMPLING_INTERVAL_S": "0.1",
        "ROASTCTL_HARDWARE__DRIVER": "simulator",
    }
    with subprocess.Popen(
        [sys.executable, "-m", "roastctl", "serve", "--http", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as server:
        try:
            await _heat_up(port, server)
            await anyio.sleep(3.0)  # three seconds of roasting in real time
            killed_at = datetime.now(UTC)
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=10)
        finally:
            if server.poll() is None:
                server.kill()
    assert server.returncode == -signal.SIGKILL
    store = RoastStore(store_path)  # the restart: recovery runs on open
    try:
        (recovered,) = store.recovered
        record = store.get_roast(recovered.id)
    finally:
        store.close()
    assert record.status is RecordStatus.INTERRUPTED
    assert record.bean == "Crash test"
    assert len(record.samples) >= 25  # about 10 per second
    last_sample_at = record.started_utc + timedelta(seconds=record.samples[-1].time_s)
    missing = (killed_at - last_sample_at).total_seconds()
    assert missing <= 1.0, f"{missing:.2f} s of samples lost"
    assert record.samples[-1].heat_percent == 100
    history = run("history", "--json", env={**env})
    assert history.returncode == 0, history.stderr
    (line,) = json.loads(history.stdout)
    assert (line["id"], line["status"]) == (recovered.id, "interrupted")
