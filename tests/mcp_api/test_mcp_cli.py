"""``roastctl serve --http`` and ``roastctl demo`` as a user runs them: real subprocesses."""

from __future__ import annotations

import pytest
from mcp.client import Client
from test_cli import run

from support import serve_http


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
    async with serve_http("--speed", "50") as server, Client(server.url) as client:
        result = await client.call_tool("get_roast_status", {})
        assert not result.is_error
        assert result.structured_content is not None
        assert result.structured_content["session_active"] is True
        assert result.structured_content["driver"] == "simulator"
        refused = await client.call_tool("set_heat", {"percent": 40})  # drum is stopped
        assert refused.is_error
    assert server.stdout == ""  # logs and notices go to stderr only
    assert server.url in server.stderr


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
