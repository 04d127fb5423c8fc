"""Safety over MCP: faults in the status, clear_fault, and the dead-man over real stdio."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters

from roastctl.clock import ManualClock
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.server import HEALTH_URI, create_server
from roastctl.session.manager import RoastSessionManager
from support import tool_text


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(started: RoastSessionManager, sim: SimulatedRoaster) -> AsyncIterator[Client]:
    async with Client(create_server(started, simulator=sim), raise_exceptions=True) as c:
        yield c


async def status(client: Client) -> dict[str, Any]:
    result = await client.call_tool("get_roast_status", {})
    content: dict[str, Any] | None = result.structured_content
    assert content is not None
    return content


@pytest.mark.anyio
async def test_an_emergency_stop_is_a_fault_the_agent_sees_and_clears(
    client: Client, started: RoastSessionManager, clock: ManualClock
) -> None:
    await client.call_tool("start_roaster", {})
    await client.call_tool("set_heat", {"percent": 100})
    stopped = await client.call_tool("emergency_stop", {})
    assert not stopped.is_error
    safety = (await status(client))["safety"]
    assert safety["state"] == "fault"
    assert [f["fault"] for f in safety["faults"]] == ["emergency_stop"]
    assert "below 180" in safety["faults"][0]["clears_when"]
    assert safety["last_action"].startswith("emergency_stop: emergency stop carried out")
    refused = await client.call_tool("set_heat", {"percent": 50})
    assert refused.is_error
    assert "emergency_stop" in tool_text(refused)
    assert "clear_fault" in tool_text(refused)
    clock.advance(1.0)
    started.poll_once()
    cleared = await client.call_tool("clear_fault", {"fault": "emergency_stop"})
    assert not cleared.is_error
    assert cleared.structured_content is not None
    assert cleared.structured_content["faults"] == []
    assert cleared.structured_content["state"] == "ok"


@pytest.mark.anyio
async def test_clear_fault_is_refused_while_the_roaster_is_hot(
    client: Client, started: RoastSessionManager, sim: SimulatedRoaster, clock: ManualClock
) -> None:
    await client.call_tool("emergency_stop", {})
    sim.override_probes(bean_c=205.0)  # a hot drum after the stop
    clock.advance(1.0)
    started.poll_once()
    refused = await client.call_tool("clear_fault", {})
    assert refused.is_error
    assert "BT 205.0 deg C is not yet below 180" in tool_text(refused)
    assert "nothing was cleared" in tool_text(refused)
    assert [f["fault"] for f in (await status(client))["safety"]["faults"]] == ["emergency_stop"]


@pytest.mark.anyio
async def test_clear_fault_names_the_faults_it_knows(client: Client) -> None:
    refused = await client.call_tool("clear_fault", {"fault": "overheat"})
    assert refused.is_error
    assert "dead_man" in tool_text(refused)
    nothing = await client.call_tool("clear_fault", {"fault": "dead_man"})
    assert nothing.is_error
    assert "no dead_man fault is latched" in tool_text(nothing)


@pytest.mark.anyio
async def test_an_over_temperature_trip_shows_in_status_and_health(
    client: Client, started: RoastSessionManager, sim: SimulatedRoaster, clock: ManualClock
) -> None:
    await client.call_tool("start_roaster", {})
    await client.call_tool("set_heat", {"percent": 100})
    sim.override_probes(bean_c=221.0)  # a probe reading the limit
    clock.advance(1.0)
    started.poll_once()
    current = await status(client)
    assert current["roaster"]["heat_percent"] == 0
    assert current["roaster"]["door_open"] is True
    assert [f["fault"] for f in current["safety"]["faults"]] == ["bean_over_temperature"]
    health = await client.read_resource(HEALTH_URI)
    body = health.contents[0]
    assert "bean_over_temperature" in getattr(body, "text", "")


def _serve(dead_man_s: int, speed: int) -> StdioServerParameters:
    # Only the test store's path is kept: the server must never write to the user's own store.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ROASTCTL_") or k == "ROASTCTL_STORE__PATH"
    }
    env["ROASTCTL_SAFETY__DEAD_MAN_S"] = str(dead_man_s)
    return StdioServerParameters(
        command=sys.executable, args=["-m", "roastctl", "serve", "--speed", str(speed)], env=env
    )


@pytest.mark.anyio
async def test_an_agent_that_goes_silent_over_stdio_has_its_heat_cut() -> None:
    # 30 roaster seconds at 20x are 1.5 s of real time.
    async with Client(_serve(dead_man_s=30, speed=20)) as client:
        await client.call_tool("start_roaster", {})
        await client.call_tool("set_heat", {"percent": 60})
        first = await status(client)
        assert first["safety"]["dead_man_seconds_left"] is not None
        assert 25 <= first["safety"]["dead_man_seconds_left"] <= 30
        # Busy: status calls every 0.25 s real (5 roaster s) keep the heat on.
        for _ in range(12):
            await anyio.sleep(0.25)
            alive = await status(client)
            assert alive["safety"]["faults"] == [], alive["safety"]
        assert alive["roaster"]["heat_percent"] == 60
        # Silent for 2.5 s real (50 roaster s): the dead-man cuts the heat.
        silent_from = time.monotonic()
        await anyio.sleep(2.5)
        after = await status(client)
        assert time.monotonic() - silent_from >= 2.5
        assert [f["fault"] for f in after["safety"]["faults"]] == ["dead_man"]
        assert after["roaster"]["heat_percent"] == 0
        assert "no agent call for" in after["safety"]["faults"][0]["message"]
        cleared = await client.call_tool("clear_fault", {})
        assert not cleared.is_error
        resumed = await client.call_tool("set_heat", {"percent": 60})
        assert not resumed.is_error
