"""``roastctl serve --http`` serves the dashboard at ``/`` next to MCP, as a user runs it."""

from __future__ import annotations

import subprocess
import sys

import anyio
import httpx2 as httpx
import pytest

from support import free_port, wait_until_listening


@pytest.mark.anyio
async def test_serve_http_serves_the_dashboard_and_says_where() -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "roastctl", "serve", "--http", "--port", str(port), "--speed", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        await wait_until_listening(port, server)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            page = await client.get("/")
            assert page.status_code == 200
            assert 'id="chart"' in page.text
            status = (await client.get("/api/status")).json()
            assert status["session_active"] is True
            assert status["operator"] is True
            await anyio.sleep(0.3)
            curve = (await client.get("/api/curve")).json()
            assert curve["points"], "the running session's samples reach the dashboard"
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=10)  # drains stderr while the server exits
    assert f"dashboard at http://127.0.0.1:{port}/" in stderr
    assert f"http://127.0.0.1:{port}/mcp" in stderr
    assert "access: no tokens, so this machine only, as operator" in stderr


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
