"""Numbers are numbers on every front end: a boolean or a numeric string is refused, not coerced.

``batch_g: true`` was stored as 1.0 g and ``roast_id: "1"`` was read as roast 1 over MCP, while the
dashboard refuses ``{"percent": true}``. Over the official MCP client (in memory) and at the
session itself, the wrong type is refused with the field named, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp.client import Client

from roastctl.clock import ManualClock
from roastctl.errors import InvalidCommandError
from roastctl.mcp.server import create_server
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore
from support import simulated_session, tool_text


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def session(tmp_path: Path, clock: ManualClock) -> Iterator[RoastSessionManager]:
    store = RoastStore(tmp_path / "roasts.sqlite3")
    manager, _, _ = simulated_session(store, clock)
    manager.start_session()
    manager.poll_once()
    yield manager
    manager.stop_session()
    store.close()


@pytest.fixture
async def client(session: RoastSessionManager) -> AsyncIterator[Client]:
    async with Client(create_server(session)) as connected:
        yield connected


def _batch(session: RoastSessionManager) -> float | None:
    store = session.store
    roast_id = session.roast_id
    assert store is not None
    assert roast_id is not None
    store.flush()
    return store.summary(roast_id).batch_g


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "arguments", "field"),
    [
        ("set_roast_info", {"batch_g": True}, "batch_g"),
        ("set_roast_info", {"roasted_g": False}, "roasted_g"),
        ("set_roast_info", {"batch_g": "220"}, "batch_g"),
        ("get_roast", {"roast_id": "1"}, "roast_id"),
        ("get_roast", {"roast_id": True}, "roast_id"),
        ("get_roast", {"roast_id": 1, "max_points": "50"}, "max_points"),
        ("export_roast", {"roast_id": "1"}, "roast_id"),
        ("list_roasts", {"limit": "5"}, "limit"),
        ("list_roasts", {"offset": True}, "offset"),
    ],
)
async def test_mcp_refuses_booleans_and_strings_where_numbers_are_expected(
    client: Client, session: RoastSessionManager, tool: str, arguments: dict[str, Any], field: str
) -> None:
    result = await client.call_tool(tool, arguments)
    assert result.is_error, tool_text(result)
    assert field in tool_text(result)
    assert _batch(session) is None  # nothing was stored


@pytest.mark.anyio
async def test_mcp_still_takes_whole_and_decimal_numbers(
    client: Client, session: RoastSessionManager
) -> None:
    for grams in (220, 220.5):
        result = await client.call_tool("set_roast_info", {"batch_g": grams})
        assert not result.is_error, tool_text(result)
        assert _batch(session) == grams
    roast_id = session.roast_id
    result = await client.call_tool("get_roast", {"roast_id": roast_id, "max_points": 50})
    assert not result.is_error, tool_text(result)


@pytest.mark.parametrize("value", [True, False])
def test_the_session_refuses_a_boolean_weight(session: RoastSessionManager, value: bool) -> None:
    with pytest.raises(InvalidCommandError, match="batch_g"):
        session.set_roast_info(batch_g=value)
    assert _batch(session) is None
