"""Resources, change notifications (both protocol eras), the prompt and the HTTP transport."""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import AsyncIterator

import anyio
import pytest
import uvicorn
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPDeprecationWarning, MCPError
from mcp.shared.subscriptions import ResourceUpdated
from mcp.types import (
    ReadResourceResult,
    ResourceUpdatedNotification,
    ServerNotification,
    TextContent,
    TextResourceContents,
)

import roastctl
from roastctl.clock import ManualClock
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.server import (
    CURVE_RESOURCE_MAX_POINTS,
    CURVE_URI,
    HEALTH_URI,
    STATUS_URI,
    ServerBundle,
    build_http_app,
    create_bundle,
    publish_if_new_sample,
    run_status_sampler,
)
from roastctl.models import RoastStatus
from roastctl.session.manager import RoastSessionManager
from support import run_until

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def bundle(started: RoastSessionManager, sim: SimulatedRoaster) -> ServerBundle:
    return create_bundle(started, simulator=sim)


@pytest.fixture
async def client(bundle: ServerBundle) -> AsyncIterator[Client]:
    async with Client(bundle.mcp, raise_exceptions=True) as c:
        yield c


def json_of(result: ReadResourceResult) -> object:
    (content,) = result.contents
    assert isinstance(content, TextResourceContents)
    assert content.mime_type == "application/json"
    return json.loads(content.text)


def step(manager: RoastSessionManager, clock: ManualClock, seconds: float = 1.0) -> None:
    clock.advance(seconds)
    assert manager.poll_once() is not None


# --------------------------------------------------------------------- resources
async def test_status_resource_is_the_full_snapshot(
    client: Client, started: RoastSessionManager
) -> None:
    data = json_of(await client.read_resource(STATUS_URI))
    status = RoastStatus.model_validate(data)
    assert status.session_active
    assert status.connection.driver == "simulator"
    assert status.sensors is not None
    assert status.sensors == started.get_status().sensors


async def test_health_resource(client: Client, started: RoastSessionManager) -> None:
    data = json_of(await client.read_resource(HEALTH_URI))
    assert isinstance(data, dict)
    assert data["server"] == {"name": "roastctl", "version": roastctl.__version__}
    assert data["driver"] == "simulator"
    assert data["roaster"]["simulated"] is True
    assert (data["session_active"], data["connected"], data["stale"]) == (True, True, False)
    assert data["last_sample_age_s"] == 0.0
    assert data["config"]["heat"] == "0-100 % in steps of 10"
    assert data["config"]["fan"] == "0-100 % in steps of 10"
    assert data["config"]["development_target_percent"] == [15.0, 25.0]


async def test_health_resource_shows_stale_data(
    client: Client, started: RoastSessionManager, clock: ManualClock
) -> None:
    clock.advance(30)  # no poll: the newest sample grows old
    data = json_of(await client.read_resource(HEALTH_URI))
    assert isinstance(data, dict)
    assert (data["last_sample_age_s"], data["stale"]) == (30.0, True)


async def test_curve_resource_is_thinned(
    client: Client, started: RoastSessionManager, clock: ManualClock
) -> None:
    run_until(started, clock, lambda s: s.connection.samples > 2 * CURVE_RESOURCE_MAX_POINTS)
    data = json_of(await client.read_resource(CURVE_URI))
    assert isinstance(data, dict)
    assert data["roast_number"] == 1
    assert data["time_origin"] == "first_sample"
    assert len(data["points"]) == CURVE_RESOURCE_MAX_POINTS
    assert data["points"][-1]["time_s"] == pytest.approx(2 * CURVE_RESOURCE_MAX_POINTS, abs=2)


async def test_an_unknown_resource_is_a_protocol_error(client: Client) -> None:
    with pytest.raises(MCPError):
        await client.read_resource("roaster://nope")


async def test_the_prompt_describes_a_safe_roast(client: Client) -> None:
    prompt = await client.get_prompt("roast_coffee", {"target_dtr_percent": "18"})
    (message,) = prompt.messages
    assert isinstance(message.content, TextContent)
    body = message.content.text
    assert "DTR) of 18 %" in body
    for must in ("start_roaster", "report_first_crack", "drop_beans", "stop_cooling"):
        assert must in body
    assert "emergency_stop" in body
    assert "drum stopped" in body


# --------------------------------------------------------------------- notifications
async def test_listen_delivers_status_updates_after_a_poll(
    client: Client, bundle: ServerBundle, started: RoastSessionManager, clock: ManualClock
) -> None:
    await publish_if_new_sample(bundle)  # the baseline
    async with client.listen(resource_subscriptions=[STATUS_URI]) as subscription:
        assert not await publish_if_new_sample(bundle)  # nothing new, nothing sent
        step(started, clock)
        assert await publish_if_new_sample(bundle)
        with anyio.fail_after(2):
            event = await subscription.__anext__()
        assert event == ResourceUpdated(uri=STATUS_URI)


async def test_the_sampler_publishes_when_samples_grow(
    client: Client, bundle: ServerBundle, started: RoastSessionManager, clock: ManualClock
) -> None:
    async with (
        client.listen(resource_subscriptions=[STATUS_URI, CURVE_URI]) as subscription,
        anyio.create_task_group() as tg,
    ):
        tg.start_soon(run_status_sampler, bundle, 0.01)
        step(started, clock)
        seen: set[str] = set()
        with anyio.fail_after(2):
            while len(seen) < 2:
                event = await subscription.__anext__()
                assert isinstance(event, ResourceUpdated)
                seen.add(event.uri)
        assert seen == {STATUS_URI, CURVE_URI}
        tg.cancel_scope.cancel()


async def test_legacy_subscribe_delivers_resource_updated(
    bundle: ServerBundle, started: RoastSessionManager, clock: ManualClock
) -> None:
    received: list[str] = []

    async def on_message(message: ServerNotification | Exception) -> None:
        if isinstance(message, ResourceUpdatedNotification):
            received.append(str(message.params.uri))

    async with Client(
        bundle.mcp, mode="legacy", raise_exceptions=True, message_handler=on_message
    ) as c:
        with pytest.warns(MCPDeprecationWarning):
            await c.subscribe_resource(STATUS_URI)
        assert bundle.legacy.count(STATUS_URI) == 1
        step(started, clock)
        assert await publish_if_new_sample(bundle)
        with anyio.fail_after(2):
            while not received:
                await anyio.sleep(0.01)
        assert received == [STATUS_URI]

        with pytest.warns(MCPDeprecationWarning):
            await c.unsubscribe_resource(STATUS_URI)
        step(started, clock)
        assert await publish_if_new_sample(bundle)
        await anyio.sleep(0.05)
        assert received == [STATUS_URI]

        with pytest.warns(MCPDeprecationWarning), pytest.raises(MCPError, match="roaster://"):
            await c.subscribe_resource("roaster://nope")


async def test_legacy_subscribers_are_forgotten_when_they_disconnect(
    bundle: ServerBundle,
) -> None:
    async with Client(bundle.mcp, mode="legacy", raise_exceptions=True) as c:
        for _ in range(2):  # the same connection counts once
            with pytest.warns(MCPDeprecationWarning):
                await c.subscribe_resource(STATUS_URI)
        assert bundle.legacy.count(STATUS_URI) == 1
    assert bundle.legacy.count(STATUS_URI) == 0


# --------------------------------------------------------------------- HTTP
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_http_app_serves_mcp_and_stops_the_session_at_shutdown(
    manager: RoastSessionManager, sim: SimulatedRoaster
) -> None:
    app = build_http_app(manager, simulator=sim, sampler_interval_s=0.05)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve)
        with anyio.fail_after(5):
            while not server.started:
                await anyio.sleep(0.01)
        assert manager.is_active()  # the lifespan started the session
        async with Client(f"http://127.0.0.1:{port}/mcp") as c:
            assert c.server_info is not None
            assert c.server_info.version == roastctl.__version__
            await c.call_tool("start_roaster", {})
            result = await c.call_tool("set_heat", {"percent": 70})
            assert not result.is_error
            data = json_of(await c.read_resource(STATUS_URI))
            assert isinstance(data, dict)
            assert data["sensors"]["heat_percent"] == 70
        server.should_exit = True
    assert not manager.is_active()  # shutdown stopped the session: heater off
    sim.connect()
    assert sim.read_sensors().heat_percent == 0


# --------------------------------------------------------------------- stdio
STDIO_SERVER = """
from roastctl.clock import ScaledClock
from roastctl.config import ServerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.server import run_stdio
from roastctl.session.manager import RoastSessionManager

clock = ScaledClock(10.0)
sim = SimulatedRoaster(None, clock)
run_stdio(RoastSessionManager(sim, ServerConfig(timezone="UTC"), clock=clock), simulator=sim)
"""


async def test_stdio_server_starts_a_session_and_keeps_stdout_clean() -> None:
    params = StdioServerParameters(command=sys.executable, args=["-c", STDIO_SERVER])
    with anyio.fail_after(20):
        async with Client(params, raise_exceptions=True) as c:
            assert c.server_info is not None
            assert c.server_info.version == roastctl.__version__
            first = await c.call_tool("get_roast_status", {})
            assert first.structured_content is not None
            assert first.structured_content["session_active"] is True
            await anyio.sleep(0.3)  # a real poller at 10x speed: more samples arrive
            second = await c.call_tool("get_roast_status", {})
            assert second.structured_content is not None
            assert second.structured_content["samples"] > first.structured_content["samples"]
