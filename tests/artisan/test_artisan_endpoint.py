"""Artisan's WebSocket endpoint end to end: a real server, an Artisan-like client, a roast."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from artisan_support import ArtisanServer, artisan_client, artisan_server
from roastctl.access.principal import Principal
from roastctl.access.roles import Role
from roastctl.access.server_access import McpAccess
from roastctl.access.tokens import TokenFile
from roastctl.artisan.endpoint import ArtisanLimits
from roastctl.artisan.protocol import (
    CHANNEL_NODES,
    CLOSE_POLICY,
    CLOSE_TOO_BIG,
    MAX_MESSAGE_BYTES,
    PUSH_CHARGE,
    PUSH_DROP,
    PUSH_EVENT,
)
from roastctl.models import RoastEventType, RoastStatus
from support import preheat_and_charge, run_until


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ArtisanServer]:
    with artisan_server(tmp_path / "roasts.sqlite3") as running:
        yield running


def has(kind: RoastEventType) -> Any:
    return lambda status: any(event.type is kind for event in status.events)


async def tick(server: ArtisanServer) -> None:
    """One more sample, a second later."""

    def step() -> None:
        server.clock.advance(1.0)
        server.manager.poll_once()

    await anyio.to_thread.run_sync(step)


async def step_until(server: ArtisanServer, done: Any) -> RoastStatus:
    """Move the roast (on a worker thread: the client keeps reading meanwhile)."""
    return await anyio.to_thread.run_sync(
        lambda: run_until(server.manager, server.clock, done, limit_s=1800)
    )


def audit(server: ArtisanServer) -> list[tuple[str, bool, str, str | None, str | None]]:
    roast_id = server.manager.roast_id
    assert roast_id is not None
    server.store.flush()
    return [
        (c.command, c.refused, c.caller, c.role, c.token_name)
        for c in server.store.commands(roast_id)
    ]


EXPECTED_ROAST = [
    {"pushMessage": PUSH_CHARGE},
    {"pushMessage": PUSH_EVENT, "data": {"event": "colorChangeEvent"}},
    {"pushMessage": PUSH_EVENT, "data": {"event": "firstCrackBeginningEvent"}},
    {"pushMessage": PUSH_EVENT, "data": {"event": "firstCrackEndEvent"}},
    {"pushMessage": PUSH_DROP},
]


@pytest.mark.anyio
async def test_data_requests_are_answered_within_artisans_timeout_without_nulls(
    server: ArtisanServer,
) -> None:
    async with artisan_client(server.ws_url) as artisan:
        assert "PerMessageDeflate" in str(artisan.ws.protocol.extensions)
        await tick(server)
        for _ in range(20):
            data = await artisan.request()
            assert set(data) <= set(CHANNEL_NODES)
            assert {"BT", "ET", "heat", "fan"} <= set(data)
            assert None not in data.values()
            assert "targetBT" not in data  # nothing followed
        assert max(artisan.latencies_s) < 0.5


@pytest.mark.anyio
async def test_a_roast_pushes_each_event_once_in_order_also_to_a_late_artisan(
    server: ArtisanServer,
) -> None:
    manager = server.manager
    async with artisan_client(server.ws_url) as early:
        await anyio.to_thread.run_sync(lambda: preheat_and_charge(manager, server.clock))
        assert await early.wait_pushes(1) == EXPECTED_ROAST[:1]
        await step_until(server, has(RoastEventType.DRY_END))
        assert await early.wait_pushes(2) == EXPECTED_ROAST[:2]
        await step_until(server, lambda s: (s.sensors.bean_temp_c if s.sensors else 0) > 196)
        await anyio.to_thread.run_sync(lambda: manager.mark_event(RoastEventType.FIRST_CRACK_START))
        assert await early.wait_pushes(3) == EXPECTED_ROAST[:3]
        async with artisan_client(server.ws_url) as late:
            # Connected mid-roast: what is on the line already, once, in order.
            assert await late.wait_pushes(3) == EXPECTED_ROAST[:3]
            await step_until(server, lambda s: (s.metrics.development_time_s or 0) > 30)
            await anyio.to_thread.run_sync(
                lambda: manager.mark_event(RoastEventType.FIRST_CRACK_END)
            )
            await step_until(server, lambda s: (s.metrics.development_time_s or 0) > 60)
            drop = await early.command("drop")  # Artisan's DROP button
            assert (await early.answer(drop))["result"] == "ok"
            assert await early.wait_pushes(5) == EXPECTED_ROAST
            assert await late.wait_pushes(5) == EXPECTED_ROAST
            # Requests kept being answered between the pushes, on the same socket.
            assert (await late.request())["BT"] > 150
            await anyio.sleep(0.5)  # several more looks at the line: nothing pushed twice
            assert early.pushes == EXPECTED_ROAST
            assert late.pushes == EXPECTED_ROAST
    async with artisan_client(server.ws_url) as after:
        # Connected once the roast is over: it is not replayed (CHARGE and DROP at once).
        await after.request()
        await anyio.sleep(0.3)
        assert after.pushes == []


@pytest.mark.anyio
async def test_commands_are_carried_out_and_logged_as_the_caller_artisan(
    server: ArtisanServer,
) -> None:
    manager = server.manager
    await tick(server)
    async with artisan_client(server.ws_url) as artisan:
        for name, params in (
            ("drum", {"on": True}),
            ("setHeat", {"value": 70.0}),  # sliders send floats
            ("setFan", {"value": 38.0}),  # rounded to the fan's 10 % step
        ):
            answer = await artisan.answer(await artisan.command(name, params))
            assert answer == {"id": answer["id"], "result": "ok"}, (name, answer)
        await tick(server)
        data = await artisan.request()
        assert (data["heat"], data["fan"]) == (70, 40)
        for on in (True, False):
            answer = await artisan.answer(await artisan.command("cooling", {"on": on}))
            assert answer["result"] == "ok", answer
        stop = await artisan.command("emergencyStop")
        assert (await artisan.answer(stop))["failures"] == []
    state = manager.get_status(forecast=False).safety
    assert any(fault.rule == "emergency_stop" for fault in state.faults), state
    rows = audit(server)
    assert [row[0] for row in rows] == [
        "start_roaster",
        "set_heat",
        "set_fan",
        "start_cooling",
        "stop_cooling",
        "emergency_stop",
    ]
    assert {row[1:] for row in rows} == {(False, "artisan", "operator", None)}


@pytest.mark.anyio
async def test_a_refused_command_says_why_and_changes_nothing(server: ArtisanServer) -> None:
    await tick(server)
    async with artisan_client(server.ws_url) as artisan:
        drum_off = await artisan.answer(await artisan.command("setHeat", {"value": 50.0}))
        assert "drum" in drum_off["error"].lower()
        await artisan.answer(await artisan.command("drum", {"on": True}))
        too_hot = await artisan.answer(await artisan.command("setHeat", {"value": 150.0}))
        assert "150" in too_hot["error"]
        assert "0-100" in too_hot["error"]
        not_a_flag = await artisan.answer(await artisan.command("drum", {"on": "yes"}))
        assert "true or false" in not_a_flag["error"]
        # Without an id (Artisan awaits no reply) the refusal comes as a push.
        await artisan.command("setFan", {"value": "high"}, with_id=False)
        (pushed,) = await artisan.wait_pushes(1)
        assert pushed["pushMessage"] == "refused"
        assert pushed["data"]["command"] == "setFan"
        assert "high" in pushed["data"]["reason"]
        await tick(server)
        data = await artisan.request()
        assert (data["heat"], data["fan"]) == (0, 0)
    refused = [row for row in audit(server) if row[1]]
    assert [(row[0], row[2]) for row in refused] == [
        ("set_heat", "artisan"),
        ("set_heat", "artisan"),
        ("artisan drum", "artisan"),
        ("set_fan", "artisan"),
    ]


@pytest.mark.anyio
async def test_malformed_json_and_unknown_commands_get_an_error_and_the_connection_stays(
    server: ArtisanServer,
) -> None:
    async with artisan_client(server.ws_url) as artisan:
        await artisan.ws.send("{not json")
        await artisan.ws.send("[1, 2]")
        unknown = await artisan.command("setControlParams", {"burner": 70})
        error = (await artisan.answer(unknown))["error"]
        assert "unknown command 'setControlParams'" in error
        assert "setHeat" in error
        pushes = await artisan.wait_pushes(2)
        assert "not JSON" in pushes[0]["data"]["reason"]
        assert "JSON object" in pushes[1]["data"]["reason"]
        await artisan.request()  # still served
        assert artisan.closed is None


@pytest.mark.anyio
async def test_a_huge_message_closes_the_connection_with_1009(server: ArtisanServer) -> None:
    async with artisan_client(server.ws_url) as artisan:
        await artisan.ws.send(json.dumps({"command": "getData", "pad": "x" * MAX_MESSAGE_BYTES}))
        closed = await artisan.wait_closed()
    assert closed.rcvd is not None
    assert closed.rcvd.code == CLOSE_TOO_BIG
    async with artisan_client(server.ws_url) as other:  # the server goes on
        await other.request()


@pytest.mark.anyio
async def test_a_flood_is_cut_off_and_another_artisan_does_not_notice(
    server: ArtisanServer,
) -> None:
    await tick(server)
    async with artisan_client(server.ws_url) as calm, artisan_client(server.ws_url) as flood:
        message = json.dumps({"command": "getData", "id": 0})
        with contextlib.suppress(ConnectionClosed):  # it may be cut off while still sending
            for _ in range(400):
                await flood.ws.send(message)
        closed = await flood.wait_closed()
        assert closed.rcvd is not None
        assert closed.rcvd.code == CLOSE_POLICY
        assert "messages a second" in closed.rcvd.reason
        for _ in range(5):
            assert "BT" in await calm.request()


def token_access(tmp_path: Path) -> tuple[McpAccess, str, str]:
    tokens = TokenFile(tmp_path / "tokens.json")
    operator, _ = tokens.create(Role.OPERATOR, "artisan-laptop")
    observer, _ = tokens.create(Role.OBSERVER, "wall-screen")
    return McpAccess(launch=Principal(Role.OBSERVER), tokens=tokens), operator, observer


@pytest.mark.anyio
async def test_with_tokens_the_url_carries_one_and_an_observer_reads_but_cannot_command(
    tmp_path: Path,
) -> None:
    access, operator, observer = token_access(tmp_path)
    with artisan_server(tmp_path / "roasts.sqlite3", access=access) as server:
        await tick(server)
        async with artisan_client(f"{server.ws_url}/{observer}") as watcher:
            assert "BT" in await watcher.request()
            refused = await watcher.answer(await watcher.command("drum", {"on": True}))
            assert "observer" in refused["error"]
            assert observer not in refused["error"]
        async with artisan_client(f"{server.ws_url}?token={operator}") as driver:
            ok = await driver.answer(await driver.command("drum", {"on": True}))
            assert ok["result"] == "ok"
        assert audit(server) == [
            ("artisan drum", True, "artisan", "observer", "wall-screen"),
            ("start_roaster", False, "artisan", "operator", "artisan-laptop"),
        ]


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["", "/not-a-token", "?token=wrong"])
async def test_a_missing_or_wrong_token_is_refused_without_echoing_it(
    tmp_path: Path, path: str
) -> None:
    access, operator, _ = token_access(tmp_path)
    with artisan_server(tmp_path / "roasts.sqlite3", access=access) as server:
        async with artisan_client(server.ws_url + path) as stranger:
            closed = await stranger.wait_closed()
            assert closed.rcvd is not None
            assert closed.rcvd.code == CLOSE_POLICY
            (refusal,) = stranger.pushes
            reason = refusal["data"]["reason"]
            assert "token" in reason
            for secret in ("not-a-token", "wrong", operator):
                assert secret not in reason
                assert secret not in closed.rcvd.reason


@pytest.mark.anyio
async def test_without_tokens_a_web_page_may_not_connect(server: ArtisanServer) -> None:
    async with connect(server.ws_url, origin="https://example.com") as page:  # type: ignore[arg-type]
        refusal = json.loads(await page.recv())
        assert refusal["pushMessage"] == "refused"
        with pytest.raises(ConnectionClosed) as closed:
            await page.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == CLOSE_POLICY


@pytest.mark.anyio
async def test_a_revoked_token_ends_the_connection(tmp_path: Path) -> None:
    access, operator, _ = token_access(tmp_path)
    limits = ArtisanLimits(admission_interval_s=0.1)
    with artisan_server(tmp_path / "roasts.sqlite3", access=access, limits=limits) as server:
        async with artisan_client(f"{server.ws_url}/{operator}") as artisan:
            await artisan.request()
            assert access.tokens is not None
            access.tokens.revoke("artisan-laptop")
            closed = await artisan.wait_closed()
            assert closed.rcvd is not None
            assert closed.rcvd.code == CLOSE_POLICY
            assert operator not in closed.rcvd.reason


@pytest.mark.anyio
async def test_an_artisan_that_drops_its_connection_reconnects_and_resumes(
    server: ArtisanServer,
) -> None:
    # Artisan reconnects by itself after a network blip: the roast goes on meanwhile, unchanged
    # by the lost client, and the new connection is answered and gets the time line once.
    manager = server.manager
    async with artisan_client(server.ws_url) as first:
        await anyio.to_thread.run_sync(lambda: preheat_and_charge(manager, server.clock))
        assert await first.wait_pushes(1) == EXPECTED_ROAST[:1]
        first.ws.transport.abort()  # gone without a close frame, as a pulled cable
    heat_before = manager.get_status(forecast=False).sensors
    assert heat_before is not None
    await step_until(server, has(RoastEventType.DRY_END))  # the roast went on while away
    status = manager.get_status(forecast=False)
    assert status.sensors is not None
    assert status.sensors.heat_percent == heat_before.heat_percent
    assert status.connection.poll_errors == 0
    async with artisan_client(server.ws_url) as again:
        assert (await again.request())["BT"] > 0
        assert await again.wait_pushes(2) == EXPECTED_ROAST[:2]
        await anyio.sleep(0.3)
        assert again.pushes == EXPECTED_ROAST[:2]  # once each, not again
