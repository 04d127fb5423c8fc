"""A client that stops reading is dropped; the session and the endpoint go on."""

from __future__ import annotations

import json
from typing import Any, cast

import anyio
import pytest
from starlette.websockets import WebSocket

from roastctl.artisan.endpoint import ArtisanEndpoint, ArtisanLimits
from roastctl.artisan.protocol import CLOSE_POLICY
from roastctl.clock import ManualClock
from roastctl.session.manager import RoastSessionManager


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class StuckClient:
    """A WebSocket whose client sends requests but never reads: every write hangs."""

    def __init__(self, requests: int) -> None:
        self.path_params: dict[str, str] = {}
        self.query_params: dict[str, str] = {}
        self.headers = {"host": "127.0.0.1:8765"}
        self.client = type("Address", (), {"host": "127.0.0.1", "port": 50000})()
        self.requests = requests
        self.closed: tuple[int, str] | None = None
        self.sent = 0

    async def accept(self) -> None:
        return None

    async def receive(self) -> dict[str, Any]:
        if self.requests > 0:
            self.requests -= 1
            return {"type": "websocket.receive", "text": json.dumps({"command": "getData"})}
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send_text(self, text: str) -> None:
        self.sent += 1
        await anyio.sleep_forever()  # the client's buffers are full: the write never completes

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.closed = (code, reason or "")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("requests", "why"),
    [(3, "does not read"), (40, "messages wait for this client")],
)
async def test_a_client_that_never_reads_is_dropped_and_the_session_goes_on(
    started: RoastSessionManager, clock: ManualClock, requests: int, why: str
) -> None:
    limits = ArtisanLimits(send_queue=8, send_timeout_s=0.3)
    endpoint = ArtisanEndpoint(started, limits=limits)
    stuck = StuckClient(requests)
    with anyio.fail_after(5):
        await endpoint.serve(cast(WebSocket, stuck))
    assert stuck.closed is not None
    assert stuck.closed[0] == CLOSE_POLICY
    assert why in stuck.closed[1]
    assert stuck.sent == 1  # the first write hung; nothing else was attempted meanwhile
    clock.advance(1.0)
    assert started.poll_once() is not None  # the session never waited for the client
