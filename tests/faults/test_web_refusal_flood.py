"""An observer cannot fill the disk with refusals, over MCP or the dashboard, over real HTTP.

Each refusal by role is kept in the roast's command log, with its arguments. An observer token that
calls a control tool in a loop with huge arguments (or presses the dashboard's buttons) must leave
bounded, summarised rows, and only so many of them per caller; the rest are counted, not stored.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from roastctl.access.principal import Principal
from roastctl.access.refusal_log import ARGUMENTS_JSON_MAX, REFUSAL_BURST
from roastctl.access.roles import Role
from roastctl.access.server_access import McpAccess
from roastctl.access.tokens import TokenFile
from roastctl.store.database import CommandRecord
from support import tool_text
from web_support import LiveServer, live_server

#: Characters of the argument each flooding call sends.
BIG = 200_000
#: Calls per flood: more than a burst.
CALLS = 40


@dataclass
class Site:
    server: LiveServer
    store_path: Path
    observer: str
    operator: str


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    tokens = TokenFile(tmp_path / "tokens.json")
    operator, _ = tokens.create(Role.OPERATOR, "agent")
    observer, _ = tokens.create(Role.OBSERVER, "phone")
    access = McpAccess(launch=Principal(Role.OBSERVER), tokens=tokens)
    store_path = tmp_path / "roasts.sqlite3"
    # Real time: the flood comes faster than the refusal budget refills.
    with live_server(store_path, speed=1.0, access=access) as live:
        yield Site(live, store_path, observer, operator)


@asynccontextmanager
async def connect(server: LiveServer, token: str) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        create_mcp_http_client(headers=headers) as http,
        Client(streamable_http_client(server.url + "/mcp", http_client=http)) as client,
    ):
        yield client


def _refusals(site: Site, token_name: str) -> list[CommandRecord]:
    store = site.server.manager.store
    roast_id = site.server.manager.roast_id
    assert store is not None
    assert roast_id is not None
    store.flush()
    return [c for c in store.commands(roast_id) if c.refused and c.token_name == token_name]


def _disk_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


@pytest.mark.anyio
async def test_an_observer_flooding_mcp_with_huge_arguments_leaves_small_bounded_rows(
    site: Site,
) -> None:
    before = _disk_bytes(site.store_path)
    async with connect(site.server, site.observer) as client:
        for _ in range(CALLS):
            result = await client.call_tool("set_heat", {"percent": 50, "note": "x" * BIG})
            assert result.is_error
            assert "observer role" in tool_text(result)
    kept = _refusals(site, "phone")
    grown = _disk_bytes(site.store_path) - before
    assert 1 <= len(kept) <= REFUSAL_BURST + 2  # a burst, plus what refilled meanwhile
    for row in kept:
        assert len(json.dumps(row.arguments)) <= ARGUMENTS_JSON_MAX
        assert row.arguments["percent"] == 50  # small values are kept as they were
        assert f"{BIG} characters" in row.arguments["note"]  # the original size is noted
        assert row.arguments["_original_bytes"] > BIG
    assert grown < 1_000_000, f"the store grew by {grown} bytes"
    sensors = site.server.manager.get_status().sensors
    assert sensors is not None
    assert sensors.heat_percent == 0  # and nothing changed


def test_an_observer_pressing_dashboard_buttons_in_a_loop_is_kept_within_budget(
    site: Site,
) -> None:
    bearer = {"Authorization": f"Bearer {site.observer}"}
    for _ in range(CALLS):
        answer = httpx.post(
            site.server.url + "/api/control/heat", json={"percent": 50}, headers=bearer, timeout=10
        )
        assert answer.status_code == 403
    kept = _refusals(site, "phone")
    assert 1 <= len(kept) <= REFUSAL_BURST + 2
    assert all(row.caller == "dashboard" for row in kept)


@pytest.mark.anyio
async def test_one_callers_flood_does_not_silence_another(site: Site) -> None:
    async with connect(site.server, site.observer) as client:
        for _ in range(CALLS):
            await client.call_tool("set_heat", {"percent": 50})
    async with connect(site.server, site.operator) as client:
        result = await client.call_tool("set_heat", {"percent": 50})  # refused: the drum is off
        assert result.is_error
    assert len(_refusals(site, "agent")) == 1
