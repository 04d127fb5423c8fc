"""MCP arguments at the edges: emergency_stop takes anything, ids and offsets have declared bounds.

* ``emergency_stop`` is never refused for its arguments, whatever JSON they are (an object, a
  string, a list, a megabyte), and the log keeps a bounded summary of what was ignored.
* Every integer argument that reaches the roast store is bounded in the tool's schema: a roast id
  or offset of 2^63 or more (beyond SQLite's integers) is a range error naming the bound, never
  "failed unexpectedly".
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from mcp import types
from mcp.client import Client
from mcp.types import CallToolResult

from roastctl.clock import ManualClock
from roastctl.config import ServerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.server import create_server
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore
from support import MCP_HTTP_HEADERS, MCP_INITIALIZE, tool_text
from web_support import live_server

#: A log line about ignored arguments stays this short, whatever came in.
LOG_LINE_MAX = 500
MEGABYTE = "x" * 1_000_000

#: Arguments emergency_stop must accept and ignore: every JSON kind, and big ones.
ANY_ARGUMENTS: list[Any] = [
    None,
    {},
    {"reason": "smoke"},
    {"reason": MEGABYTE},
    "stop now",
    MEGABYTE,
    [1, 2, 3],
    [MEGABYTE] * 3,
    42,
    -1.5,
    True,
    {"nested": [{"deeper": [MEGABYTE]}]},
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def stored(sim: SimulatedRoaster, clock: ManualClock, tmp_path: Path) -> RoastSessionManager:
    """A session heating at 100 % that records into a real SQLite store (one roast so far)."""
    store = RoastStore(tmp_path / "roasts.sqlite3")
    manager = RoastSessionManager(
        sim, ServerConfig(timezone="UTC"), clock=clock, background_polling=False, store=store
    )
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(100)
    for _ in range(5):
        clock.advance(1.0)
        manager.poll_once()
    return manager


@pytest.fixture
async def client(stored: RoastSessionManager, sim: SimulatedRoaster) -> AsyncIterator[Client]:
    async with Client(create_server(stored, simulator=sim), raise_exceptions=True) as c:
        yield c
    stored.stop_session()


async def call_raw(client: Client, name: str, arguments: Any) -> CallToolResult:
    """Send ``tools/call`` with ``arguments`` as they are (the typed client insists on a dict)."""
    params = {"name": name, "arguments": arguments}
    request = types.Request[dict[str, Any], str](method="tools/call", params=params)
    return await client.session.send_request(request, CallToolResult)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "arguments",
    ANY_ARGUMENTS,
    ids=lambda a: type(a).__name__ + (f"-{len(str(a))}" if len(str(a)) > 100 else ""),
)
async def test_emergency_stop_accepts_and_ignores_any_arguments_and_logs_a_bounded_line(
    client: Client,
    sim: SimulatedRoaster,
    arguments: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        result = await call_raw(client, "emergency_stop", arguments)
    assert not result.is_error, tool_text(result)[:500]
    reading = sim.read_sensors()
    assert (reading.heat_percent, reading.door_open, reading.cooling_on) == (0, True, True)
    long = [r.getMessage()[:200] for r in caplog.records if len(r.getMessage()) > LOG_LINE_MAX]
    assert long == []
    if arguments not in (None, {}):
        (ignored,) = [r.getMessage() for r in caplog.records if "(ignored)" in r.getMessage()]
        assert type(arguments).__name__ in ignored  # says what came, without all of it


BEYOND_SQLITE = 2**63
ROAST_ID_MAX = BEYOND_SQLITE - 1
#: (tool, arguments, the argument named in the refusal): integers the store would choke on.
OUT_OF_RANGE: list[tuple[str, dict[str, Any], str]] = [
    ("get_roast", {"roast_id": BEYOND_SQLITE}, "roast_id"),
    ("get_roast", {"roast_id": 2**64}, "roast_id"),
    ("get_roast", {"roast_id": 10**300}, "roast_id"),
    ("export_roast", {"roast_id": BEYOND_SQLITE}, "roast_id"),
    ("export_roast", {"roast_id": 10**300, "format": "csv"}, "roast_id"),
    ("list_roasts", {"offset": BEYOND_SQLITE}, "offset"),
    ("list_roasts", {"offset": 10**300}, "offset"),
    ("get_roast", {"roast_id": 1, "max_points": BEYOND_SQLITE}, "max_points"),
    ("get_roast", {"roast_id": 1, "max_points": int("9" * 4000)}, "max_points"),
    ("get_roast_curve", {"since_s": BEYOND_SQLITE}, "since_s"),
    ("get_roast_curve", {"since_s": -BEYOND_SQLITE}, "since_s"),
    ("get_roast_curve", {"since_s": 10**400}, "since_s"),
    ("get_roast_curve", {"last_n": BEYOND_SQLITE}, "last_n"),
    ("get_roast_curve", {"max_points": BEYOND_SQLITE}, "max_points"),
    ("get_roast_curve", {"max_points": int("9" * 4000)}, "max_points"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "arguments", "name"),
    OUT_OF_RANGE,
    ids=[f"{t}-{n}-{len(str(a[n]))}digits" for t, a, n in OUT_OF_RANGE],
)
async def test_huge_ids_and_offsets_are_range_errors_naming_the_bound(
    client: Client, tool: str, arguments: dict[str, Any], name: str
) -> None:
    result = await client.call_tool(tool, arguments)
    text = tool_text(result)
    assert result.is_error
    assert "unexpectedly" not in text, text[:600]
    assert name in text, text[:600]
    assert any(word in text for word in ("less than or equal to", "greater than or", "between"))
    assert len(text) < 1000  # the huge value is not echoed whole


@pytest.mark.anyio
async def test_the_largest_roast_id_is_simply_not_found(client: Client) -> None:
    result = await client.call_tool("get_roast", {"roast_id": ROAST_ID_MAX})
    assert result.is_error
    assert f"no roast with id {ROAST_ID_MAX}" in tool_text(result)


@pytest.mark.anyio
async def test_every_integer_argument_of_every_tool_declares_its_bounds(client: Client) -> None:
    """The general rule: every integer or number argument has both bounds in the schema."""
    unbounded = []
    for tool in (await client.list_tools()).tools:
        for name, schema in tool.input_schema.get("properties", {}).items():
            kinds = [schema.get("type")] + [s.get("type") for s in schema.get("anyOf", [])]
            bounds = [schema, *schema.get("anyOf", [])]
            if {"integer", "number"} & set(kinds):
                has_max = any("maximum" in b or "exclusiveMaximum" in b for b in bounds)
                has_min = any("minimum" in b or "exclusiveMinimum" in b for b in bounds)
                if not (has_max and has_min):
                    unbounded.append(f"{tool.name}.{name}")
    assert unbounded == []


def _rpc_result(answer: httpx.Response) -> dict[str, Any]:
    """The JSON-RPC message of an answer sent as JSON or as one server-sent event."""
    text = answer.text
    if answer.headers.get("content-type", "").startswith("text/event-stream"):
        text = next(line[6:] for line in text.splitlines() if line.startswith("data: "))
    message: dict[str, Any] = json.loads(text)
    return message


def test_over_real_http_the_edges_hold(tmp_path: Path) -> None:
    """The same edges through the streamable HTTP endpoint, with raw JSON the client would not
    send: string arguments to emergency_stop, ids past 2^63, max_points with thousands of digits."""
    with live_server(tmp_path / "roasts.sqlite3") as server:
        url = server.url + "/mcp"
        headers = dict(MCP_HTTP_HEADERS)
        opened = httpx.post(url, json=MCP_INITIALIZE, headers=headers, timeout=10)
        assert opened.status_code == 200, opened.text
        headers |= {
            "mcp-session-id": opened.headers["mcp-session-id"],
            "mcp-protocol-version": "2025-06-18",
        }
        ready = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        httpx.post(url, json=ready, headers=headers, timeout=10)

        def call(arguments_json: str, name: str) -> httpx.Response:
            raw = (
                '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":'
                f'{{"name":"{name}","arguments":{arguments_json}}}}}'
            )
            return httpx.post(url, content=raw, headers=headers, timeout=10)

        stop = _rpc_result(call('"stop now"', "emergency_stop"))
        assert stop["result"]["isError"] is False, stop
        assert server.simulator.actuators().heat_percent == 0

        for arguments, bound in (
            (f'{{"roast_id":{2**64}}}', str(ROAST_ID_MAX)),
            (f'{{"roast_id":1,"max_points":{"9" * 4000}}}', "2000"),
        ):
            tool = "get_roast"
            answer = _rpc_result(call(arguments, tool))["result"]
            text = answer["content"][0]["text"]
            assert answer["isError"] is True
            assert f"less than or equal to {bound}" in text, text[:400]
            assert "unexpectedly" not in text

        # Past Python's 4300 digits the JSON itself is refused, saying so; nothing runs.
        refused = call(f'{{"roast_id":1,"max_points":{"9" * 5000}}}', "get_roast")
        assert refused.status_code == 400
        assert "number out of range" in _rpc_result(refused)["error"]["message"]
