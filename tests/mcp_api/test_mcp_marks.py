"""Second crack and COOL over a real MCP client: mark_event, stop_cooling, status, get_roast."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from mcp.client import Client

from roastctl.clock import ManualClock
from roastctl.mcp.server import create_server
from roastctl.mcp.tools import EventResult, StatusView
from roastctl.models import RoastStatus
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore
from support import preheat_and_charge, run_until, simulated_session, tool_text

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def session(
    tmp_path: Path, clock: ManualClock
) -> AsyncIterator[tuple[Client, RoastSessionManager]]:
    """A recording session on the simulator, and an MCP client connected to its server."""
    store = RoastStore(tmp_path / "roasts.sqlite3")
    manager, sim, _ = simulated_session(store, clock)
    manager.start_session()
    async with Client(create_server(manager, simulator=sim), raise_exceptions=True) as client:
        yield client, manager
    manager.stop_session()
    store.close()


async def call(client: Client, tool: str, arguments: dict[str, Any] | None = None) -> Any:
    result = await client.call_tool(tool, arguments or {})
    assert not result.is_error, tool_text(result)
    return result.structured_content


async def refused(
    client: Client, manager: RoastSessionManager, arguments: dict[str, Any], *expected: str
) -> None:
    """mark_event with ``arguments`` is an error naming ``expected``; the time line is unchanged."""
    before = manager.get_status().events
    result = await client.call_tool("mark_event", arguments)
    message = tool_text(result)
    assert result.is_error, message
    for words in expected:
        assert words in message
    assert manager.get_status().events == before


def elapsed_at_least(seconds: float) -> Callable[[RoastStatus], bool]:
    return lambda s: (s.metrics.roast_elapsed_s or 0) >= seconds


async def mark(client: Client, event: str) -> EventResult:
    return EventResult.model_validate(await call(client, "mark_event", {"event": event}))


async def test_second_crack_and_cool_over_mcp(
    session: tuple[Client, RoastSessionManager], clock: ManualClock
) -> None:
    client, manager = session
    preheat_and_charge(manager, clock)
    run_until(manager, clock, elapsed_at_least(400))
    await refused(client, manager, {"event": "SC_START"}, "needs FC_START first", "FC_START")
    await mark(client, "FC_START")
    run_until(manager, clock, elapsed_at_least(550))
    second = await mark(client, "SC_START")
    assert (second.event.type, second.event.source) == ("SC_START", "manual")
    run_until(manager, clock, elapsed_at_least(575))
    end = await mark(client, "SC_END")
    assert end.event.elapsed_s > second.event.elapsed_s
    run_until(manager, clock, elapsed_at_least(590))
    await call(client, "drop_beans")
    before_drop = (clock.now() - timedelta(seconds=30)).isoformat().replace("+00:00", "Z")
    await refused(
        client, manager, {"event": "COOL", "timestamp": before_drop}, "before DROP", "COOL"
    )
    safety = manager.config.safety
    run_until(
        manager,
        clock,
        lambda s: (
            s.sensors is not None
            and s.sensors.bean_temp_c < safety.release_temp_c - 10
            and s.sensors.env_temp_c < safety.env_release_temp_c - 10
        ),
        limit_s=900,
    )
    await call(client, "stop_cooling")

    status = StatusView.model_validate(await call(client, "get_roast_status"))
    events = {e.type: e for e in status.events}
    assert [e.type for e in status.events][-4:] == ["SC_START", "SC_END", "DROP", "COOL"]
    assert events["COOL"].source == "command"
    assert events["COOL"].elapsed_s > events["DROP"].elapsed_s

    roast_id = manager.roast_id
    assert roast_id is not None
    detail = await call(client, "get_roast", {"roast_id": roast_id, "max_points": 50})
    kept = {e["type"]: e for e in detail["events"]}
    assert {"SC_START", "SC_END", "COOL"} <= set(kept)
    assert kept["COOL"]["source"] == "command"
    assert kept["SC_START"]["time_s"] == pytest.approx(second.event.elapsed_s, abs=0.01)
