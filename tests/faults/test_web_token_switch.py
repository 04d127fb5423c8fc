"""The first token protects a server that started without one, at once, over real HTTP.

A ``roastctl serve --http`` process starts with no token (this machine only, no login). The moment
``roastctl token create`` writes the first token, the dashboard and ``/mcp`` both need one, with
each token's role, without a restart; with every token revoked, the server is this machine's again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2 as httpx
import pytest
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from support import MCP_HTTP_HEADERS, MCP_INITIALIZE, HttpServer, serve_http, tool_text


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = dict(os.environ)
    environment["ROASTCTL_STORE__PATH"] = str(tmp_path / "roasts.sqlite3")
    environment.pop("ROASTCTL_AUTH__TOKENS_PATH", None)  # beside the store
    return environment


def roastctl(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "roastctl", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def create_token(env: dict[str, str], role: str, name: str) -> str:
    out = roastctl(env, "token", "create", "--role", role, "--name", name)
    return next(line for line in out.splitlines() if line.startswith("rct_"))


def base(server: HttpServer) -> str:
    return f"http://127.0.0.1:{server.port}"


def initialize(server: HttpServer, token: str | None = None) -> httpx.Response:
    headers = dict(MCP_HTTP_HEADERS)
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(server.url, json=MCP_INITIALIZE, headers=headers, timeout=10)


@asynccontextmanager
async def connect(url: str, token: str) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        create_mcp_http_client(headers=headers) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


def _seconds_until_the_end(lines: Iterator[str], limit_s: float = 10.0) -> float:
    """Read a stream until the server ends it; return how long that took."""
    started = time.monotonic()
    try:
        for _ in lines:
            assert time.monotonic() - started < limit_s, "the stream is still open"
    except httpx.RemoteProtocolError:
        pass  # ended mid-stream: the server closed the connection
    return time.monotonic() - started


@pytest.mark.anyio
async def test_the_first_token_switches_authentication_on_at_once(env: dict[str, str]) -> None:
    async with serve_http("--speed", "20", env=env) as server:
        url = base(server)
        # Started without tokens: this machine is the operator, no login.
        assert httpx.get(url + "/api/status", timeout=10).status_code == 200
        assert initialize(server).status_code == 200

        with httpx.stream("GET", url + "/events", timeout=10) as stream:
            lines = stream.iter_lines()
            assert next(line for line in lines if line.startswith("event: "))
            created = roastctl(env, "token", "create", "--role", "operator", "--name", "kitchen")
            ended_after = _seconds_until_the_end(lines)
        assert ended_after < 5  # the stream let in without a token ends too
        assert "first token" in created
        assert "without a restart" in created
        operator = next(line for line in created.splitlines() if line.startswith("rct_"))
        observer = create_token(env, "observer", "phone")

        # At once, with no restart: nothing without a token, on either front end.
        status = httpx.get(url + "/api/status", timeout=10)
        assert status.status_code == 401, status.text
        page = httpx.get(url + "/", headers={"Accept": "text/html"}, timeout=10)
        assert page.status_code == 303
        assert page.headers["location"] == "/login"
        heat = httpx.post(url + "/api/control/heat", json={"percent": 50}, timeout=10)
        assert heat.status_code == 401
        refused = initialize(server)
        assert refused.status_code == 401, refused.text
        assert "Bearer" in refused.headers["www-authenticate"]
        assert initialize(server, "rct_not-a-token").status_code == 401

        # Each token with its role.
        bearer = {"Authorization": f"Bearer {observer}"}
        assert httpx.get(url + "/api/status", headers=bearer, timeout=10).status_code == 200
        drum = httpx.post(url + "/api/control/drum", json={"on": True}, headers=bearer, timeout=10)
        assert drum.status_code == 403
        assert "observer role" in drum.json()["error"]
        async with connect(server.url, observer) as client:
            tools = {tool.name for tool in (await client.list_tools()).tools}
            assert "set_heat" not in tools
            result = await client.call_tool("set_heat", {"percent": 50})
            assert result.is_error
            assert "observer role" in tool_text(result)
        async with connect(server.url, operator) as client:
            result = await client.call_tool("start_roaster", {})
            assert not result.is_error, tool_text(result)
        with httpx.Client(base_url=url, timeout=10) as browser:
            login = browser.post("/login", data={"token": operator})
            assert login.status_code == 303
            assert browser.get("/api/status").json()["operator"] is True

        # Every token revoked: the server is this machine's again, as it started.
        roastctl(env, "token", "revoke", "kitchen")
        roastctl(env, "token", "revoke", "phone")
        assert httpx.get(url + "/api/status", timeout=10).status_code == 200
        assert initialize(server).status_code == 200


@pytest.mark.anyio
async def test_a_damaged_token_file_shuts_the_door(env: dict[str, str], tmp_path: Path) -> None:
    """Unreadable tokens must not leave the server open: every request is refused, saying why."""
    async with serve_http("--speed", "20", env=env) as server:
        url = base(server)
        assert httpx.get(url + "/api/status", timeout=10).status_code == 200
        (tmp_path / "tokens.json").write_text("{not json")
        answer = httpx.get(url + "/api/status", timeout=10)
        assert answer.status_code == 503
        assert "tokens.json" in answer.json()["error"]
        assert initialize(server).status_code == 503
        heat = httpx.post(url + "/api/control/heat", json={"percent": 50}, timeout=10)
        assert heat.status_code == 503
