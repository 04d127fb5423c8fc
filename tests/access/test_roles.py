"""Roles over MCP, in one place: the tool list an observer sees and what it may call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from mcp.client import Client

from roastctl.access.principal import Principal
from roastctl.access.roles import OBSERVER_TOOLS, Role, may_call_tool, role_from_scopes
from roastctl.access.server_access import McpAccess
from roastctl.clock import ManualClock
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.server import create_server
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore
from support import tool_text

OBSERVER = McpAccess(launch=Principal(Role.OBSERVER))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def operator_client(
    started: RoastSessionManager, sim: SimulatedRoaster
) -> AsyncIterator[Client]:
    async with Client(create_server(started, simulator=sim), raise_exceptions=True) as c:
        yield c


@pytest.fixture
async def observer_client(
    started: RoastSessionManager, sim: SimulatedRoaster
) -> AsyncIterator[Client]:
    server = create_server(started, simulator=sim, access=OBSERVER)
    async with Client(server, raise_exceptions=True) as c:
        yield c


def test_scopes_map_to_roles() -> None:
    assert role_from_scopes(["roaster:read", "roaster:control"]) is Role.OPERATOR
    assert role_from_scopes(["roaster:read"]) is Role.OBSERVER
    assert role_from_scopes(["roaster:control"]) is None  # control without read is not a role
    assert role_from_scopes([]) is None


@pytest.mark.anyio
async def test_observer_tools_are_exactly_the_read_only_ones(operator_client: Client) -> None:
    listed = (await operator_client.list_tools()).tools
    read_only = {t.name for t in listed if t.annotations and t.annotations.read_only_hint}
    assert read_only == OBSERVER_TOOLS
    assert all(may_call_tool(Role.OPERATOR, t.name) for t in listed)


@pytest.mark.anyio
async def test_an_observer_sees_only_what_it_may_call(observer_client: Client) -> None:
    names = {t.name for t in (await observer_client.list_tools()).tools}
    assert names == OBSERVER_TOOLS


async def _state(client: Client) -> dict[str, Any]:
    result = await client.call_tool("get_roast_status", {})
    assert not result.is_error
    content = result.structured_content
    assert content is not None
    return {k: content[k] for k in ("roaster", "events", "safety", "phase")}


CONTROL_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("set_heat", {"percent": 50}),
    ("set_fan", {"percent": 50}),
    ("start_roaster", {}),
    ("stop_roaster", {}),
    ("drop_beans", {}),
    ("set_drop_target", {"dtr_percent": 20}),
    ("clear_drop_target", {}),
    ("follow_reference", {"roast_id": 1}),
    ("pause_following", {}),
    ("resume_following", {}),
    ("stop_following", {}),
    ("start_cooling", {}),
    ("stop_cooling", {}),
    ("report_first_crack", {}),
    ("mark_event", {"event": "CHARGE"}),
    ("start_session", {}),
    ("stop_session", {}),
    ("emergency_stop", {}),
    ("clear_fault", {}),
    ("charge_beans", {}),
    ("set_roast_info", {"title": "x"}),
]


@pytest.mark.anyio
async def test_an_observer_is_refused_every_control_tool_and_nothing_changes(
    observer_client: Client,
    operator_client: Client,
    started: RoastSessionManager,
    clock: ManualClock,
) -> None:
    listed = {t.name for t in (await operator_client.list_tools()).tools}
    assert {name for name, _ in CONTROL_CALLS} == listed - OBSERVER_TOOLS
    await operator_client.call_tool("start_roaster", {})
    await operator_client.call_tool("set_heat", {"percent": 30})
    clock.advance(1.0)
    started.poll_once()
    before = await _state(observer_client)
    for name, arguments in CONTROL_CALLS:
        refused = await observer_client.call_tool(name, arguments)
        assert refused.is_error, name
        text = tool_text(refused)
        assert text.startswith(f"{name} refused: this connection has the observer role"), text
        assert "Nothing was changed" in text
        assert "roastctl token create --role operator" in text
    assert await _state(observer_client) == before


@pytest.mark.anyio
async def test_refusals_and_commands_are_kept_with_the_role(
    sim: SimulatedRoaster, clock: ManualClock, config: Any, tmp_path: Any
) -> None:
    store = RoastStore(tmp_path / "roasts.sqlite3")
    session = RoastSessionManager(sim, config, clock=clock, background_polling=False, store=store)
    session.start_session()
    try:
        observer = create_server(session, simulator=sim, access=OBSERVER)
        async with Client(observer, raise_exceptions=True) as watcher:
            await watcher.call_tool("set_heat", {"percent": 70})
        async with Client(create_server(session, simulator=sim), raise_exceptions=True) as agent:
            await agent.call_tool("start_roaster", {})
        roast_id = session.roast_id
        assert roast_id is not None
    finally:
        session.stop_session()
    commands = store.commands(roast_id)
    store.close()
    refused = [c for c in commands if c.command == "set_heat"]
    assert len(refused) == 1
    assert refused[0].refused
    assert refused[0].role == "observer"
    assert refused[0].arguments == {"percent": 70}
    assert "observer role" in refused[0].result
    started_drum = [c for c in commands if c.command == "start_roaster"]
    assert [(c.role, c.refused, c.caller) for c in started_drum] == [("operator", False, "agent")]


@pytest.mark.anyio
async def test_observer_calls_do_not_keep_the_dead_man_alive(
    started: RoastSessionManager, sim: SimulatedRoaster, clock: ManualClock
) -> None:
    started.safety.dead_man_s = 30.0
    async with Client(create_server(started, simulator=sim), raise_exceptions=True) as agent:
        await agent.call_tool("start_roaster", {})
        await agent.call_tool("set_heat", {"percent": 60})
    observer = create_server(started, simulator=sim, access=OBSERVER)
    async with Client(observer, raise_exceptions=True) as watcher:
        for _ in range(8):  # 40 s of observer polling, no operator call
            clock.advance(5.0)
            started.poll_once()
            await watcher.call_tool("get_roast_status", {})
        status = (await watcher.call_tool("get_roast_status", {})).structured_content
    assert status is not None
    assert [f["fault"] for f in status["safety"]["faults"]] == ["dead_man"]
    assert status["roaster"]["heat_percent"] == 0
