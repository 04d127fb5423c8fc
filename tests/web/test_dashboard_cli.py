"""``roastctl serve --http`` serves the dashboard at ``/`` next to MCP, as a user runs it."""

from __future__ import annotations

import anyio
import httpx2 as httpx
import pytest

from support import serve_http


@pytest.mark.anyio
async def test_serve_http_serves_the_dashboard_and_says_where() -> None:
    async with serve_http("--speed", "50") as server:
        base = f"http://127.0.0.1:{server.port}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            page = await client.get("/")
            assert page.status_code == 200
            assert 'id="chart"' in page.text
            status = (await client.get("/api/status")).json()
            assert status["session_active"] is True
            assert status["operator"] is True
            await anyio.sleep(0.3)
            curve = (await client.get("/api/curve")).json()
            assert curve["points"], "the running session's samples reach the dashboard"
    assert f"dashboard at {base}/" in server.stderr
    assert server.url in server.stderr
    assert "access: no tokens, so this machine only, as operator" in server.stderr


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
