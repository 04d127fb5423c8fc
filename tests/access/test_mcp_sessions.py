"""Idle MCP sessions expire: a real ``roastctl serve --http`` with ``[http] mcp_session_idle_s``.

Each streamable-HTTP session holds memory in the server (about 37 kB each: 2000 left behind took
it from 75 to 148 MB). A session nobody has used for the idle time is closed and its id answers
404, so a client that vanished without a DELETE costs nothing for long; a session in use never
expires, however long the roast.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from pydantic import ValidationError

from roastctl.config import HttpConfig, ServerConfig
from support import HttpServer, serve_http

IDLE_S = 1.0
ACCEPT = {"Accept": "application/json, text/event-stream"}
VERSION = "2025-06-18"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[HttpServer]:
    env = {**os.environ, "ROASTCTL_STORE__PATH": str(tmp_path / "roasts.sqlite3")}
    env["ROASTCTL_AUTH__TOKENS_PATH"] = str(tmp_path / "tokens.json")
    env["ROASTCTL_HTTP__MCP_SESSION_IDLE_S"] = str(IDLE_S)
    env.pop("ROASTCTL_CONFIG", None)
    async with serve_http("--speed", "20", env=env) as running:
        yield running


def _rpc(method: str, request_id: int | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if request_id is not None:
        message["id"] = request_id
    if method == "initialize":
        message["params"] = {
            "protocolVersion": VERSION,
            "capabilities": {},
            "clientInfo": {"name": "idle", "version": "1"},
        }
    return message


def open_session(client: httpx.Client, url: str) -> str:
    """Initialize a session over raw HTTP (as a client that then vanishes would); return its id."""
    answer = client.post(url, json=_rpc("initialize", 1), headers=ACCEPT)
    assert answer.status_code == 200, answer.text
    session = answer.headers["mcp-session-id"]
    headers = {**ACCEPT, "mcp-session-id": session, "mcp-protocol-version": VERSION}
    assert client.post(url, json=_rpc("notifications/initialized"), headers=headers).is_success
    return session


def ping(client: httpx.Client, url: str, session: str) -> int:
    """Send ``ping`` in ``session``; return the HTTP status (404 once the session is gone)."""
    headers = {**ACCEPT, "mcp-session-id": session, "mcp-protocol-version": VERSION}
    return client.post(url, json=_rpc("ping", 7), headers=headers).status_code


@pytest.mark.anyio
async def test_idle_sessions_expire_and_busy_ones_stay(server: HttpServer) -> None:
    with httpx.Client(timeout=10) as client:
        abandoned = [open_session(client, server.url) for _ in range(20)]
        busy = open_session(client, server.url)
        assert ping(client, server.url, abandoned[0]) == 200
        deadline = time.monotonic() + 4 * IDLE_S
        while time.monotonic() < deadline:  # the busy client calls well within the idle time
            assert ping(client, server.url, busy) == 200
            time.sleep(IDLE_S / 4)
        assert [ping(client, server.url, s) for s in abandoned] == [404] * len(abandoned)
        assert ping(client, server.url, busy) == 200


def test_sessions_expire_by_default_within_minutes() -> None:
    http = ServerConfig().http
    assert http.mcp_session_idle_s is not None
    assert 60 <= http.mcp_session_idle_s <= 3600
    assert http.mcp_max_sessions is not None


@pytest.mark.parametrize("value", [0, -1, 0.5, 10**9])
def test_an_idle_time_out_of_range_is_refused_naming_the_range(value: float) -> None:
    with pytest.raises(ValidationError, match="mcp_session_idle_s"):
        HttpConfig(mcp_session_idle_s=value)
