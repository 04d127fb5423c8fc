"""The setup file against the real endpoint: every command it holds is carried out.

A server with the Artisan endpoint runs on a free loopback port over a simulated session on a
manual clock. The client connects where the written file points Artisan (host, port, path) and
sends each slider and button command as Artisan does: the action text filled in with a float,
its ``send(...)`` argument evaluated as Python, ``id`` and ``roasterID`` added.
"""

from __future__ import annotations

import ast
import gc
import itertools
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from starlette.applications import Starlette
from websockets.sync.client import ClientConnection, connect

from roastctl.access.server_access import McpAccess
from roastctl.artisan.endpoint import artisan_routes
from roastctl.artisan.protocol import DEFAULT_PATH, REQUEST_COMMAND
from roastctl.artisan.setup_file import build_settings
from roastctl.clock import ManualClock
from roastctl.config import ServerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.session.manager import RoastSessionManager
from web_support import serving

#: The order a roaster takes them in: heat needs the drum turning.
ORDER = ("drum on", "setFan", "setHeat", "cooling on", "cooling off", "drum off", "drop")
_ids = itertools.count(1)


@pytest.fixture
def session() -> Iterator[RoastSessionManager]:
    clock = ManualClock()
    config = ServerConfig(timezone="UTC")
    manager = RoastSessionManager(
        SimulatedRoaster(config.simulator, clock), config, clock=clock, background_polling=False
    )
    manager.start_session()
    manager.poll_once()
    try:
        yield manager
    finally:
        manager.stop_session()


@pytest.fixture
def artisan(session: RoastSessionManager) -> Iterator[tuple[ClientConnection, dict[str, Any]]]:
    app = Starlette(routes=artisan_routes(session, McpAccess()))
    with serving(app, "artisan-setup-live") as url:
        address = urlsplit(url)
        assert address.hostname is not None
        assert address.port is not None
        settings = build_settings(address.hostname, address.port, DEFAULT_PATH)
        socket = settings["WebSocket"]
        target = f"ws://{socket['host']}:{socket['port']}/{socket['path']}"
        with connect(target, open_timeout=5) as client:
            yield client, dict(settings)
    gc.collect()  # a connection's resources left unclosed show up in this test, not a later one


def ask(client: ClientConnection, message: dict[str, Any]) -> dict[str, Any]:
    """Send ``message`` as Artisan does (with an id and the machine id) and return its answer."""
    request_id = next(_ids)
    client.send(json.dumps({**message, "id": request_id, "roasterID": 0}))
    while True:
        answer = json.loads(client.recv(timeout=5))
        if answer.get("id") == request_id:
            assert isinstance(answer, dict)
            return answer


def file_messages(settings: dict[str, Any]) -> list[dict[str, Any]]:
    """Every command the file holds, as Artisan would send it (a slider at 70.0)."""
    texts = [(text, True) for text in settings["Sliders"]["slidercommands"] if text]
    texts += [(text, True) for text in settings["ExtraEventButtons"]["extraeventsactionstrings"]]
    texts += [(text, False) for text in settings["DefaultButtons"]["buttonactionstrings"] if text]
    messages = []
    for text, formatted in texts:
        filled = text.format(70.0) if formatted else text
        messages.append(ast.literal_eval(filled[len("send(") : -1]))
    return messages


def _key(message: dict[str, Any]) -> str:
    params = message.get("params", {})
    if "on" in params:
        return f"{message['command']} {'on' if params['on'] else 'off'}"
    return str(message["command"])


def test_artisan_gets_data_where_the_file_points_it(
    artisan: tuple[ClientConnection, dict[str, Any]],
) -> None:
    client, settings = artisan
    assert settings["WebSocket"]["request_data_command"] == REQUEST_COMMAND
    answer = ask(client, {"command": REQUEST_COMMAND})
    nodes = [node for node in settings["WebSocket"]["channel_nodes"] if node]
    assert {"BT", "ET"} <= set(answer["data"])
    assert set(answer["data"]) <= set(nodes)


def test_every_command_in_the_file_is_carried_out(
    artisan: tuple[ClientConnection, dict[str, Any]], session: RoastSessionManager
) -> None:
    client, settings = artisan
    unique = {json.dumps(m, sort_keys=True): m for m in file_messages(settings)}
    messages = sorted(
        unique.values(),
        key=lambda m: ORDER.index(_key(m)) if _key(m) in ORDER else len(ORDER),
    )
    assert [_key(m) for m in messages] == [*ORDER, "emergencyStop"]
    for message in messages:
        answer = ask(client, message)
        assert answer.get("result") == "ok", (message, answer)
        if _key(message) == "setHeat":
            session.poll_once()
            sensors = session.get_status(forecast=False).sensors
            assert sensors is not None
            assert (sensors.heat_percent, sensors.fan_percent) == (70, 70)
