"""``roastctl serve --http`` and ``roastctl demo`` as a user runs them: real subprocesses."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import anyio
import pytest
from mcp.client import Client

from test_cli import run


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_demo_runs_a_whole_roast_through_mcp() -> None:
    result = run("demo", "--speed", "200")  # samples every 5 ms real: robust on a busy machine
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    for event in ("CHARGE", "TP", "DRY_END", "FC_START", "DROP"):
        assert f"\n{event}" in out
    assert "manual" in out
    assert "command" in out
    assert "MCP tool calls" in out
    assert "DTR reached" not in out
    dtr = float(out.split("DTR ")[1].split("%")[0])
    assert 19.5 <= dtr <= 24.0


@pytest.mark.anyio
async def test_serve_http_answers_and_stops_cleanly() -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "roastctl", "serve", "--http", "--port", str(port), "--speed", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                assert server.poll() is None, server.communicate()[1]
                assert time.monotonic() < deadline, "server did not start listening"
                await anyio.sleep(0.05)
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            result = await client.call_tool("get_roast_status", {})
            assert not result.is_error
            assert result.structured_content is not None
            assert result.structured_content["session_active"] is True
            assert result.structured_content["driver"] == "simulator"
            refused = await client.call_tool("set_heat", {"percent": 40})  # drum is stopped
            assert refused.is_error
    finally:
        server.terminate()
        stdout, stderr = server.communicate(timeout=10)
    assert stdout == ""  # logs and notices go to stderr only
    assert f"http://127.0.0.1:{port}/mcp" in stderr


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
