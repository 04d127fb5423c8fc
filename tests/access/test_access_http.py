"""Roles and tokens as a user meets them: ``roastctl token`` and ``roastctl serve`` processes,
the official MCP client over real HTTP and stdio."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2 as httpx
import pytest
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from roastctl.access.roles import OBSERVER_TOOLS
from support import MCP_HTTP_HEADERS, MCP_INITIALIZE, HttpServer, free_port, serve_http, tool_text

ROASTCTL = (sys.executable, "-m", "roastctl")
#: Every interface: what a user types to reach the server from a phone.
ANY_ADDRESS = "0.0.0.0"  # noqa: S104 - the point of these tests


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Site:
    """A folder with its own roast store and token file, and the env that points there."""

    folder: Path
    env: dict[str, str]

    def roastctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "roastctl", *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env=self.env,
        )

    def create_token(self, role: str, name: str) -> str:
        result = self.roastctl("token", "create", "--role", role, "--name", name)
        assert result.returncode == 0, result.stderr
        token = next(line for line in result.stdout.splitlines() if line.startswith("rct_"))
        return token


@pytest.fixture
def site(tmp_path: Path) -> Site:
    env = dict(os.environ)
    env["ROASTCTL_STORE__PATH"] = str(tmp_path / "roasts.sqlite3")
    env.pop("ROASTCTL_AUTH__TOKENS_PATH", None)  # default: beside the store
    return Site(tmp_path, env)


@pytest.fixture
async def server(site: Site) -> AsyncIterator[HttpServer]:
    async with serve_http("--speed", "20", env=site.env, verbose=True) as running:
        yield running
    (site.folder / "server.log").write_text(running.stdout + running.stderr)


@asynccontextmanager
async def connect(url: str, token: str | None) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    async with (
        create_mcp_http_client(headers=headers) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


def _initialize(url: str, token: str | None) -> httpx.Response:
    headers = dict(MCP_HTTP_HEADERS)
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(url, json=MCP_INITIALIZE, headers=headers, timeout=10)


async def _state(client: Client) -> dict[str, Any]:
    result = await client.call_tool("get_roast_status", {})
    assert not result.is_error, tool_text(result)
    content = result.structured_content
    assert content is not None
    return {k: content[k] for k in ("roaster", "events", "phase", "session_active")}


def _stable(state: dict[str, Any]) -> dict[str, Any]:
    roaster = dict(state["roaster"])
    for moving in ("bean_temp_c", "env_temp_c", "sample_age_s", "timestamp"):
        roaster.pop(moving, None)
    return {**state, "roaster": roaster}


@pytest.fixture
def tokens(site: Site) -> dict[str, str]:
    return {
        "operator": site.create_token("operator", "agent"),
        "observer": site.create_token("observer", "phone"),
        "revoked": site.create_token("operator", "old-laptop"),
    }


@pytest.mark.anyio
async def test_tokens_decide_who_may_do_what_over_http(
    site: Site, tokens: dict[str, str], server: HttpServer
) -> None:
    # No token, a wrong token: 401 with the protected-resource metadata to find out more.
    for token in (None, "rct_not-a-token", tokens["operator"] + "x"):
        refused = _initialize(server.url, token)
        assert refused.status_code == 401, token
        challenge = refused.headers["www-authenticate"]
        assert challenge.startswith("Bearer")
        assert "resource_metadata=" in challenge
    metadata = httpx.get(
        f"http://127.0.0.1:{server.port}/.well-known/oauth-protected-resource/mcp", timeout=10
    ).json()
    assert metadata["resource"] == server.url
    assert metadata["scopes_supported"] == ["roaster:read"]

    # A token revoked while the server runs is refused from then on.
    assert _initialize(server.url, tokens["revoked"]).status_code == 200
    revoked = site.roastctl("token", "revoke", "old-laptop")
    assert revoked.returncode == 0, revoked.stderr
    assert _initialize(server.url, tokens["revoked"]).status_code == 401

    async with connect(server.url, tokens["operator"]) as operator:
        listed = {t.name for t in (await operator.list_tools()).tools}
        assert "set_heat" in listed
        started = await operator.call_tool("start_roaster", {})
        assert not started.is_error, tool_text(started)
        heated = await operator.call_tool("set_heat", {"percent": 30})
        assert not heated.is_error, tool_text(heated)

        async with connect(server.url, tokens["observer"]) as observer:
            seen = {t.name for t in (await observer.list_tools()).tools}
            assert seen == OBSERVER_TOOLS
            before = _stable(await _state(observer))
            assert before["roaster"]["heat_percent"] == 30
            for name in sorted(listed - OBSERVER_TOOLS):
                arguments: dict[str, Any] = {"percent": 80} if name == "set_heat" else {}
                refused_call = await observer.call_tool(name, arguments)
                assert refused_call.is_error, name
                assert "observer role" in tool_text(refused_call), name
            after = _stable(await _state(observer))
            assert after == before
            history = await observer.call_tool("list_roasts", {})
            assert not history.is_error

        stopped = await operator.call_tool("emergency_stop", {})
        assert not stopped.is_error, tool_text(stopped)

    # The audit trail: every control command and refusal with its role and token name.
    expected = {
        ("start_roaster", 0, "operator", "agent"),
        ("set_heat", 0, "operator", "agent"),
        ("set_heat", 1, "observer", "phone"),
        ("emergency_stop", 1, "observer", "phone"),
        ("emergency_stop", 0, "operator", "agent"),
    }
    rows = await _commands_once_kept(site.folder / "roasts.sqlite3", expected)
    assert ("start_roaster", 0, "operator", "agent") in rows
    assert ("set_heat", 0, "operator", "agent") in rows
    assert ("set_heat", 1, "observer", "phone") in rows
    assert ("emergency_stop", 1, "observer", "phone") in rows
    assert ("emergency_stop", 0, "operator", "agent") in rows
    assert not any(role is None for _, _, role, _ in rows)

    # The same trail as the user reads it.
    audit = site.roastctl("audit", "1")
    assert audit.returncode == 0, audit.stderr
    lines = audit.stdout.splitlines()
    [by_agent] = [line for line in lines if "set_heat(percent=30)" in line]
    assert "agent/operator/agent" in by_agent
    assert "REFUSED" not in by_agent
    [by_phone] = [line for line in lines if "set_heat(percent=80)" in line]
    assert "agent/observer/phone" in by_phone
    assert "REFUSED: set_heat refused: this connection has the observer role" in by_phone
    as_json = json.loads(site.roastctl("audit", "1", "--json").stdout)
    assert {"command": "emergency_stop", "role": "operator", "token_name": "agent"}.items() <= {
        k: v for k, v in as_json[-1].items() if k in ("command", "role", "token_name")
    }.items()
    unknown = site.roastctl("audit", "99")
    assert unknown.returncode == 2
    assert "no roast with id 99" in unknown.stderr


async def _commands_once_kept(
    database: Path, expected: set[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """The store's command rows, once ``expected`` are in (the writer commits every 0.5 s)."""
    deadline = time.monotonic() + 10.0
    while True:
        connection = sqlite3.connect(database)
        try:
            rows = connection.execute(
                "SELECT command, refused, role, token_name FROM commands ORDER BY id"
            ).fetchall()
        finally:
            connection.close()
        if expected <= set(rows) or time.monotonic() > deadline:
            return rows
        await anyio.sleep(0.1)


@pytest.mark.anyio
async def test_no_token_reaches_the_logs(site: Site, tokens: dict[str, str]) -> None:
    async with serve_http("--speed", "20", env=site.env, verbose=True) as server:
        async with connect(server.url, tokens["operator"]) as operator:
            await operator.call_tool("get_roast_status", {})
        async with connect(server.url, tokens["observer"]) as observer:
            await observer.call_tool("set_heat", {"percent": 10})
        assert _initialize(server.url, tokens["revoked"] + "x").status_code == 401
    logs = server.stdout + server.stderr
    assert "DEBUG" in logs  # the server ran with -v: the most talkative it gets
    assert "access: a bearer token is required (3 active in" in logs
    for token in tokens.values():
        assert token not in logs
        assert token[len("rct_") :][:12] not in logs
    listing = site.roastctl("token", "list", "--json")
    assert listing.returncode == 0
    assert all(token not in listing.stdout for token in tokens.values())
    assert '"name": "phone"' in listing.stdout


def test_listening_beyond_loopback_needs_a_token(site: Site) -> None:
    refused = site.roastctl("serve", "--http", "--host", ANY_ADDRESS, "--port", str(free_port()))
    assert refused.returncode == 2
    assert "refusing to listen on 0.0.0.0" in refused.stderr
    assert "roastctl token create --role operator" in refused.stderr
    assert not (site.folder / "roasts.sqlite3").exists()  # nothing started


@pytest.mark.anyio
async def test_with_a_token_another_address_is_served_and_guarded(site: Site) -> None:
    operator = site.create_token("operator", "agent")
    async with serve_http("--host", ANY_ADDRESS, "--speed", "20", env=site.env) as running:
        assert _initialize(running.url, None).status_code == 401
        async with connect(running.url, operator) as client:
            assert (await _state(client))["session_active"] is True


@pytest.mark.anyio
async def test_a_stdio_observer_may_only_read(site: Site) -> None:
    parameters = StdioServerParameters(
        command=sys.executable,
        args=["-m", "roastctl", "serve", "--role", "observer", "--speed", "20"],
        env=site.env,
    )
    async with Client(parameters) as client:
        assert {t.name for t in (await client.list_tools()).tools} == OBSERVER_TOOLS
        refused = await client.call_tool("start_roaster", {})
        assert refused.is_error
        assert "observer role" in tool_text(refused)
        assert (await _state(client))["roaster"]["drum_on"] is False


def test_role_is_for_stdio_only(site: Site) -> None:
    refused = site.roastctl("serve", "--http", "--role", "observer", "--port", str(free_port()))
    assert refused.returncode == 2
    assert "--role observer applies to stdio only" in refused.stderr


def test_token_commands_explain_mistakes(site: Site) -> None:
    site.create_token("observer", "phone")
    duplicate = site.roastctl("token", "create", "--role", "observer", "--name", "phone")
    assert duplicate.returncode == 2
    assert "already exists" in duplicate.stderr
    unknown = site.roastctl("token", "revoke", "tablet")
    assert unknown.returncode == 2
    assert "no token named 'tablet' (tokens: phone)" in unknown.stderr
    listing = site.roastctl("token", "list")
    assert "phone" in listing.stdout
    assert "observer" in listing.stdout
    assert "active" in listing.stdout
