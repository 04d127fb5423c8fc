"""Drop targets over MCP, through the official client: bounds in the schema, refusals that name
the value, and a roast the server drops by itself while the agent only reads the status."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from mcp.client import Client

from roastctl.clock import ManualClock
from roastctl.config import ServerConfig, SimulatorConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.server import create_server
from roastctl.session.manager import RoastSessionManager
from support import START, preheat_and_charge, run_until, tool_text

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def session() -> Iterator[tuple[RoastSessionManager, SimulatedRoaster, ManualClock]]:
    """A started session without the forecast (not needed here, and costly per sample)."""
    clock = ManualClock(start=START)
    sim = SimulatedRoaster(SimulatorConfig(seed=7, bean_variance_c=0.0), clock)
    config = ServerConfig.model_validate({"timezone": "UTC", "forecast": {"enabled": False}})
    manager = RoastSessionManager(sim, config, clock=clock, background_polling=False)
    manager.start_session()
    yield manager, sim, clock
    manager.stop_session()


@pytest.fixture
async def client(
    session: tuple[RoastSessionManager, SimulatedRoaster, ManualClock],
) -> AsyncIterator[Client]:
    manager, sim, _ = session
    async with Client(create_server(manager, simulator=sim), raise_exceptions=True) as c:
        yield c


async def status_of(client: Client) -> dict[str, Any]:
    result = await client.call_tool("get_roast_status", {})
    assert not result.is_error
    content: dict[str, Any] | None = result.structured_content
    assert content is not None
    return content


async def test_the_schema_carries_the_bounds_and_the_tool_is_destructive(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    tool = tools["set_drop_target"]
    assert tool.annotations is not None
    assert tool.annotations.destructive_hint is True
    properties = tool.input_schema["properties"]
    for name, low, high in (("dtr_percent", 5, 40), ("bt_c", 150, 240), ("development_s", 10, 600)):
        branch = next(b for b in properties[name]["anyOf"] if b.get("type") != "null")
        assert (branch["minimum"], branch["maximum"]) == (low, high), name
    assert "required" not in tool.input_schema or not tool.input_schema["required"]
    assert "clear_drop_target" in tools


async def test_refusals_name_the_value_and_change_nothing(client: Client) -> None:
    for arguments, words in (
        ({"dtr_percent": 50}, "dtr_percent 50 % is out of range. Allowed: 5-40 %"),
        ({}, "exactly one of dtr_percent, bt_c, development_s"),
        ({"dtr_percent": 20, "development_s": 60}, "got dtr_percent=20.0, development_s=60.0"),
        ({"dtr": 20}, "unknown argument(s) dtr"),
    ):
        refused = await client.call_tool("set_drop_target", arguments)
        assert refused.is_error, arguments
        assert words in tool_text(refused), tool_text(refused)
        assert (await status_of(client))["drop_target"] is None


async def test_the_server_drops_on_the_target_while_the_agent_only_reads(
    client: Client, session: tuple[RoastSessionManager, SimulatedRoaster, ManualClock]
) -> None:
    manager, sim, clock = session
    preheat_and_charge(manager, clock, charge_at_env_c=180.0)
    manager.set_heat(80)
    answer = await client.call_tool("set_drop_target", {"development_s": 45})
    assert not answer.is_error, tool_text(answer)
    assert answer.structured_content is not None
    assert answer.structured_content["drop_target"]["state"] == "waiting_for_first_crack"
    run_until(manager, clock, lambda s: sim.first_crack_time() is not None, limit_s=900)
    heard = sim.first_crack_time()
    assert heard is not None
    reported = await client.call_tool("report_first_crack", {"timestamp": heard.isoformat()})
    assert not reported.is_error
    armed = (await status_of(client))["drop_target"]
    assert armed["state"] == "armed"
    assert armed["drop_in_s"] is not None
    assert 0 < armed["drop_in_s"] <= 45
    run_until(manager, clock, lambda s: s.metrics.drop_s is not None, limit_s=60)
    status = await status_of(client)
    done = status["drop_target"]
    assert done["state"] == "done"
    assert done["dropped_by"] == "target"
    assert abs(done["achieved"] - 45.0) <= 1.0
    assert [e["source"] for e in status["events"] if e["type"] == "DROP"] == ["target"]
    assert status["roaster"]["door_open"] is True
    assert status["roaster"]["heat_percent"] == 0
    late = await client.call_tool("set_drop_target", {"dtr_percent": 20})
    assert late.is_error
    assert "already dropped" in tool_text(late)
    cleared = await client.call_tool("clear_drop_target", {})
    assert not cleared.is_error
    assert cleared.structured_content is not None
    assert "cleared" in cleared.structured_content["done"]
    assert (await status_of(client))["drop_target"] is None
