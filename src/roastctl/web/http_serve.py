"""Serving the HTTP app under uvicorn: roastctl keeps the signals, and shutdown is bounded.

uvicorn on its own takes SIGINT and SIGTERM for itself and, when asked to stop, waits for every
open connection to close before the app's lifespan ends. A dashboard page holding ``GET /events``
open therefore kept the process, and the heater, going for as long as the page stayed open. Here
:func:`~roastctl.session.shutdown.safe_on_exit` keeps the signals (the heater goes off at once), the
server only takes the request to stop, and at shutdown :class:`ClosingStreams` tells every open
request that its client went away, so streams end cleanly and the process exits within a few
seconds whatever clients are connected. Requests still running after :data:`GRACEFUL_SHUTDOWN_S`
are cancelled.
"""

from __future__ import annotations

import socket
from collections.abc import Generator
from contextlib import contextmanager

import anyio
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Seconds open requests get to finish once shutdown has begun before they are cancelled.
GRACEFUL_SHUTDOWN_S = 3

_DISCONNECT: Message = {"type": "http.disconnect"}
_END_OF_BODY: Message = {"type": "http.response.body", "body": b"", "more_body": False}


class ClosingStreams:
    """ASGI middleware: once :meth:`close` is called, open HTTP requests read a disconnect.

    Streaming responses (the dashboard's server-sent events, the MCP SDK's SSE streams) listen
    for ``http.disconnect`` and stop on it; a response left unfinished that way is completed
    here, so the client sees the stream end rather than a broken connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app
        self._closing: anyio.Event | None = None

    def _event(self) -> anyio.Event:
        # Made on first use, inside the event loop, which is where anyio events must be made.
        if self._closing is None:
            self._closing = anyio.Event()
        return self._closing

    def close(self) -> None:
        """Tell every open and future request that its client is gone (call in the loop)."""
        self._event().set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one connection scope; HTTP requests learn of the shutdown as a disconnect."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        closing = self._event()
        started = finished = False

        async def receive_until_closing() -> Message:
            if closing.is_set():
                return _DISCONNECT
            message = _DISCONNECT
            async with anyio.create_task_group() as group:

                async def read() -> None:
                    nonlocal message
                    message = await receive()
                    group.cancel_scope.cancel()

                async def wait_for_closing() -> None:
                    await closing.wait()
                    group.cancel_scope.cancel()

                group.start_soon(read)
                group.start_soon(wait_for_closing)
            return message

        async def watch_send(message: Message) -> None:
            nonlocal started, finished
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finished = True
            await send(message)

        await self.app(scope, receive_until_closing, watch_send)
        if closing.is_set() and started and not finished:
            await send(_END_OF_BODY)  # the stream stopped for the shutdown: end it properly


class RoastctlServer(uvicorn.Server):
    """A uvicorn server that leaves signals to its caller and closes open streams at shutdown."""

    def __init__(self, config: uvicorn.Config, streams: ClosingStreams) -> None:
        """Serve ``config``'s app; ``streams`` is the middleware to close at shutdown."""
        super().__init__(config)
        self.streams = streams

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """Install no signal handlers: :func:`~roastctl.session.shutdown.safe_on_exit` owns them."""
        yield

    def request_exit(self) -> None:
        """Ask the server to stop (safe in a signal handler); a second request forces it."""
        if self.should_exit:
            self.force_exit = True
        self.should_exit = True

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """End open streams first, then uvicorn's shutdown (bounded by the graceful timeout)."""
        self.streams.close()
        await super().shutdown(sockets)


def http_server(
    app: ASGIApp, host: str, port: int, *, ws_max_size: int | None = None
) -> RoastctlServer:
    """Return a server for ``app`` on ``host``:``port``; ``run()`` it inside ``safe_on_exit``.

    ``ws_max_size`` caps the bytes of one WebSocket message uvicorn buffers (default: its own).
    """
    streams = ClosingStreams(app)
    extra: dict[str, int] = {} if ws_max_size is None else {"ws_max_size": ws_max_size}
    config = uvicorn.Config(
        streams,
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        **extra,  # type: ignore[arg-type]
    )
    return RoastctlServer(config, streams)


__all__ = ["GRACEFUL_SHUTDOWN_S", "ClosingStreams", "RoastctlServer", "http_server"]
