"""``roastctl serve`` keeps recording through a store another process holds locked for 7 s.

A real server process on the simulator (real time, 10 samples a second), the official MCP client
over HTTP, and a second process holding the store's write lock, as a long ``roastctl import``
does. Afterwards every sample the server counted is in the store.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp.client import Client

from roastctl.store.database import RoastStore
from support import serve_http, tool_text

HOLD_S = 7.0
LOCK_HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
"""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def status(client: Client) -> dict[str, Any]:
    result = await client.call_tool("get_roast_status", {})
    assert not result.is_error, tool_text(result)
    content: dict[str, Any] | None = result.structured_content
    assert content is not None
    return content


@pytest.mark.anyio
async def test_serve_records_every_sample_through_a_7_s_lock(tmp_path: Path) -> None:
    store_path = tmp_path / "roasts.sqlite3"
    env = {
        **os.environ,
        "ROASTCTL_STORE__PATH": str(store_path),
        "ROASTCTL_TRACKER__SAMPLING_INTERVAL_S": "0.1",
        "ROASTCTL_HARDWARE__DRIVER": "simulator",
    }
    async with serve_http(env=env) as server, Client(server.url) as client:
        assert not (await client.call_tool("start_roaster", {})).is_error
        holder = subprocess.Popen(
            [sys.executable, "-c", LOCK_HOLDER, str(store_path), str(HOLD_S)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        began = time.monotonic()
        info = await client.call_tool("set_roast_info", {"bean": "Lock test"})
        assert not info.is_error, tool_text(info)
        assert time.monotonic() - began < 3.0
        while (await status(client))["store"]["state"] != "failing":
            assert time.monotonic() - began < HOLD_S, "the store never showed failing"
            await anyio.sleep(0.1)
        failing = (await status(client))["store"]
        assert "locked" in failing["last_error"]
        assert failing["pending"] > 0
        holder.communicate(timeout=HOLD_S + 10)
        assert holder.returncode == 0
        while (await status(client))["store"]["state"] != "ok":
            assert time.monotonic() - began < HOLD_S + 10, "the store never caught up"
            await anyio.sleep(0.1)
        counted = (await status(client))["samples"]
        await anyio.sleep(1.5)  # every sample is committed within a second
    assert counted > 10 * HOLD_S  # it sampled all through the lock
    reader = RoastStore(store_path, recover=False)
    try:
        (line,) = reader.list_roasts()
        assert line.samples >= counted
        assert line.bean == "Lock test"
    finally:
        reader.close()
