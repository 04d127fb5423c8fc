"""An Artisan-like WebSocket client, and a real server with the Artisan endpoint.

:class:`ArtisanClient` behaves as Artisan's ``wsport`` does: it connects with ``deflate`` and
pings, sends ``getData`` requests carrying an ``id`` and waits 0.5 s for the reply with the same
``id``, and reads pushes (messages without an ``id``) from the same socket as they come. Commands
are sent without waiting, as Artisan's sliders and buttons send them.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from roastctl.access.server_access import McpAccess
from roastctl.artisan.endpoint import ArtisanLimits, artisan_routes
from roastctl.artisan.protocol import REQUEST_COMMAND, ROASTER_ID
from roastctl.clock import ManualClock
from roastctl.config import ServerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore
from roastctl.web import dashboard_routes
from roastctl.web.access_gate import DashboardGate
from web_support import serving

#: Artisan's ``request_timeout``: a reply later than this is lost.
REQUEST_TIMEOUT_S = 0.5


@dataclass
class ArtisanServer:
    """The endpoint over real HTTP for a simulated session that moves only when stepped."""

    url: str
    manager: RoastSessionManager
    clock: ManualClock
    store: RoastStore

    @property
    def ws_url(self) -> str:
        """The endpoint's WebSocket address."""
        return self.url.replace("http://", "ws://") + "/artisan"


@contextmanager
def artisan_server(
    store_path: Path,
    *,
    access: McpAccess | None = None,
    limits: ArtisanLimits | None = None,
) -> Iterator[ArtisanServer]:
    """Serve the Artisan endpoint beside the dashboard (behind its gate) for a stepped session."""
    clock = ManualClock()
    config = ServerConfig(timezone="UTC")
    store = RoastStore(store_path)
    manager = RoastSessionManager(
        SimulatedRoaster(config.simulator, clock),
        config,
        clock=clock,
        background_polling=False,
        store=store,
    )
    manager.start_session()
    gate_access = access or McpAccess()
    app = Starlette(
        routes=[
            *artisan_routes(manager, gate_access, limits=limits),
            *dashboard_routes(manager),
        ],
        middleware=[Middleware(DashboardGate, access=gate_access)],
    )
    try:
        with serving(app, "artisan-test-server") as url:
            yield ArtisanServer(url, manager, clock, store)
    finally:
        manager.stop_session()
        store.close()


@dataclass
class ArtisanClient:
    """One Artisan-like connection (module docstring)."""

    ws: ClientConnection
    pushes: list[dict[str, Any]] = field(default_factory=list)
    #: Replies to messages with an id nobody waits for (command acknowledgements, errors).
    answers: dict[Any, dict[str, Any]] = field(default_factory=dict)
    latencies_s: list[float] = field(default_factory=list)
    closed: ConnectionClosed | None = None
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _waiting: dict[Any, anyio.Event] = field(default_factory=dict)
    _arrived: anyio.Event = field(default_factory=anyio.Event)

    async def read_all(self) -> None:
        """Read every message as Artisan's reader does, until the connection closes."""
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                if "id" in message:
                    self.answers[message["id"]] = message
                    waiting = self._waiting.pop(message["id"], None)
                    if waiting is not None:
                        waiting.set()
                else:
                    self.pushes.append(message)
                self._arrived.set()
                self._arrived = anyio.Event()
        except ConnectionClosed as exc:
            self.closed = exc
        self._arrived.set()

    async def request(self) -> dict[str, Any]:
        """Ask for data as Artisan does; return the reply's data; fail if it misses 0.5 s."""
        request_id = next(self._ids)
        got = self._waiting[request_id] = anyio.Event()
        start = time.perf_counter()
        await self.ws.send(
            json.dumps({"command": REQUEST_COMMAND, "id": request_id, "roasterID": ROASTER_ID})
        )
        with anyio.move_on_after(REQUEST_TIMEOUT_S):
            await got.wait()
        took = time.perf_counter() - start
        assert got.is_set(), f"request {request_id} not answered within {REQUEST_TIMEOUT_S} s"
        self.latencies_s.append(took)
        reply = self.answers.pop(request_id)
        assert "data" in reply, reply
        data: dict[str, Any] = reply["data"]
        return data

    async def command(
        self, name: str, params: dict[str, Any] | None = None, *, with_id: bool = True
    ) -> int | None:
        """Send a command as Artisan's buttons do (with an id, not waited for); return the id."""
        message: dict[str, Any] = {"command": name, "roasterID": ROASTER_ID}
        if params is not None:
            message["params"] = params
        request_id = next(self._ids) if with_id else None
        if request_id is not None:
            message["id"] = request_id
        await self.ws.send(json.dumps(message))
        return request_id

    async def answer(self, request_id: Any, limit_s: float = 5.0) -> dict[str, Any]:
        """Wait for the answer to the message with ``request_id`` (a command's ok or error)."""
        with anyio.fail_after(limit_s):
            while request_id not in self.answers:
                await self._arrived.wait()
        return self.answers.pop(request_id)

    async def wait_pushes(self, count: int, limit_s: float = 5.0) -> list[dict[str, Any]]:
        """Wait until ``count`` pushes have arrived in all; return them all."""
        with anyio.fail_after(limit_s):
            while len(self.pushes) < count and self.closed is None:
                await self._arrived.wait()
        return list(self.pushes)

    async def wait_closed(self, limit_s: float = 5.0) -> ConnectionClosed:
        """Wait until the server closes the connection; return how."""
        with anyio.fail_after(limit_s):
            while self.closed is None:
                await self._arrived.wait()
        return self.closed


@asynccontextmanager
async def artisan_client(url: str) -> AsyncIterator[ArtisanClient]:
    """Connect as Artisan does (deflate, pings every 20 s) and read in the background."""
    async with (
        connect(url, compression="deflate", ping_interval=20, open_timeout=5) as ws,
        anyio.create_task_group() as group,
    ):
        client = ArtisanClient(ws)
        group.start_soon(client.read_all)
        try:
            yield client
        finally:
            group.cancel_scope.cancel()
