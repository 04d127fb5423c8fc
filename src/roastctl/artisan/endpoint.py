"""The WebSocket endpoint Artisan connects to: data replies, event pushes, commands.

One :class:`ArtisanEndpoint` serves every connection at ``/artisan`` (``/artisan/<token>``) on
the same app and port as the dashboard. Each connection runs four tasks:

* the reader answers ``getData`` at once from ``manager.get_status(forecast=False)`` (Artisan
  waits 0.5 s) and hands commands to the command worker, so a slow command never delays a reply;
* the command worker carries out commands one by one as the caller ``artisan``, with the
  connection's role; the emergency stop skips the queue and has threads of its own;
* the watcher pushes CHARGE, the events and DROP once each as they appear on the time line (a
  connection made mid-roast gets those already there, in order), and drops the connection once
  its token is revoked (or the first token appears on a server started without any);
* the sender writes what the others queue. The queue is bounded and each write has a deadline:
  a client that stops reading is dropped instead of holding anything up.

Limits: a message over :data:`~roastctl.artisan.protocol.MAX_MESSAGE_BYTES` closes the
connection with 1009; more than ``max_messages_per_s`` messages in a second closes it with 1008;
malformed JSON or an unknown command gets an error reply and the connection stays.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from roastctl.access.caller import Caller, calling_as
from roastctl.access.principal import Principal
from roastctl.access.roles import Role, may_control, refusal_text
from roastctl.access.server_access import McpAccess
from roastctl.artisan.admission import Admission, admit
from roastctl.artisan.channels import channel_data
from roastctl.artisan.commands import (
    MessageRefused,
    carry_out,
    command_params,
    command_spec,
    parse_message,
)
from roastctl.artisan.protocol import (
    CLOSE_POLICY,
    CLOSE_TOO_BIG,
    DEFAULT_PATH,
    MAX_MESSAGE_BYTES,
    PUSH_REFUSED,
    PUSHED_EVENTS,
    REQUEST_COMMAND,
    TOKEN_QUERY,
    CommandSpec,
    data_reply,
    error_reply,
    event_push,
    push,
    refused_push,
)
from roastctl.errors import RoasterError
from roastctl.models import RoastEventType
from roastctl.session.manager import RoastSessionManager

logger = logging.getLogger(__name__)

#: The command log's caller for everything Artisan does.
ARTISAN_CALLER = "artisan"


@dataclass(frozen=True, slots=True)
class ArtisanLimits:
    """What one connection may cost the server."""

    max_message_bytes: int = MAX_MESSAGE_BYTES
    max_messages_per_s: int = 50
    #: Messages waiting to be sent; one more drops the client (it is not reading).
    send_queue: int = 64
    #: Seconds one write may take before the client is dropped.
    send_timeout_s: float = 5.0
    #: Commands waiting to be carried out; one more is refused as busy.
    command_queue: int = 8
    #: Real seconds between two looks at the time line for events to push.
    watch_interval_s: float = 0.1
    #: Real seconds between two checks that the connection's token is still good.
    admission_interval_s: float = 1.0


class _Gone(RoasterError):
    """The client went away: end the connection quietly."""


class _Closing(RoasterError):
    """End the connection with ``close_code`` and ``reason``."""

    def __init__(self, close_code: int, reason: str) -> None:
        super().__init__(reason)
        self.close_code = close_code
        self.reason = reason


def _short(text: str) -> str:
    """Cut ``text`` to a close reason's 123 bytes (RFC 6455); the full reason goes in a push."""
    data = text.encode("utf-8")[:120]
    return data.decode("utf-8", "ignore")


class ArtisanEndpoint:
    """Artisan's WebSocket endpoint for one session manager (module docstring)."""

    def __init__(
        self,
        manager: RoastSessionManager,
        access: McpAccess | None = None,
        *,
        path: str = DEFAULT_PATH,
        limits: ArtisanLimits | None = None,
    ) -> None:
        """Serve ``manager`` at ``/<path>``; ``access`` says who may connect (default: loopback)."""
        self.manager = manager
        self.access = access or McpAccess()
        self.path = path.strip("/")
        self.limits = limits or ArtisanLimits()
        # The emergency stop gets threads of its own: stuck commands cannot hold it up.
        self._stop_limiter = anyio.CapacityLimiter(4)

    def routes(self) -> list[BaseRoute]:
        """Return the WebSocket routes: ``/<path>`` and ``/<path>/<token>``."""
        return [
            WebSocketRoute(f"/{self.path}", self.serve),
            WebSocketRoute(f"/{self.path}/{{token}}", self.serve),
        ]

    async def serve(self, websocket: WebSocket) -> None:
        """Serve one Artisan connection until it closes or is dropped."""
        token = websocket.path_params.get("token") or websocket.query_params.get(TOKEN_QUERY)
        client = websocket.client
        admission = admit(
            self.access,
            token=token,
            client_host=client.host if client is not None else None,
            host_header=websocket.headers.get("host", ""),
            origin=websocket.headers.get("origin"),
        )
        await websocket.accept()
        if admission.principal is None:
            # Said in a push (the close reason is short), then closed: Artisan logs both.
            refused = push(PUSH_REFUSED, {"command": "connect", "reason": admission.reason})
            await _send_json(websocket, refused)
            await websocket.close(CLOSE_POLICY, _short(admission.reason))
            return
        await _Connection(self, websocket, admission).run()


class _Connection:
    """One Artisan connection's tasks and state."""

    def __init__(
        self, endpoint: ArtisanEndpoint, websocket: WebSocket, admission: Admission
    ) -> None:
        self.endpoint = endpoint
        self.manager = endpoint.manager
        self.limits = endpoint.limits
        self.websocket = websocket
        self.admission = admission
        principal = admission.principal or Principal(Role.OBSERVER)  # admitted: never None
        self.caller = Caller(ARTISAN_CALLER, principal)
        self.outbox: MemoryObjectSendStream[dict[str, Any]]
        self.outbox_out: MemoryObjectReceiveStream[dict[str, Any]]
        self.outbox, self.outbox_out = anyio.create_memory_object_stream(self.limits.send_queue)
        self.commands: MemoryObjectSendStream[tuple[object, CommandSpec, dict[str, Any]]]
        self.commands_out: MemoryObjectReceiveStream[tuple[object, CommandSpec, dict[str, Any]]]
        self.commands, self.commands_out = anyio.create_memory_object_stream(
            self.limits.command_queue
        )
        self.arrivals: deque[float] = deque()
        self.pushed: set[tuple[int, RoastEventType]] = set()

    async def run(self) -> None:
        """Serve the connection until the client leaves or a limit ends it."""
        closing: _Closing | None = None
        gone = False
        try:
            async with (
                self.outbox,
                self.outbox_out,
                self.commands,
                self.commands_out,
                anyio.create_task_group() as group,
            ):
                group.start_soon(self._sender)
                group.start_soon(self._command_worker)
                group.start_soon(self._watcher)
                await self._reader(group)
        except* _Closing as caught:
            first = caught.exceptions[0]
            closing = first if isinstance(first, _Closing) else None
        except* _Gone:
            gone = True
        if closing is not None and not gone:
            logger.info("artisan connection closed (%d): %s", closing.close_code, closing.reason)
            with (
                anyio.move_on_after(1.0),
                contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect),
            ):
                await self.websocket.close(closing.close_code, _short(closing.reason))

    # ------------------------------------------------------------------ sending

    def send(self, message: dict[str, Any]) -> None:
        """Queue ``message``; a full queue means the client stopped reading: drop it."""
        try:
            self.outbox.send_nowait(message)
        except anyio.WouldBlock:
            raise _Closing(
                CLOSE_POLICY,
                f"more than {self.limits.send_queue} messages wait for this client: it does "
                "not read them",
            ) from None

    async def _sender(self) -> None:
        async for message in self.outbox_out:
            with anyio.move_on_after(self.limits.send_timeout_s) as scope:
                try:
                    await _send_json(self.websocket, message)
                except (WebSocketDisconnect, OSError, RuntimeError):
                    raise _Gone("the client went away") from None
            if scope.cancelled_caught:
                raise _Closing(
                    CLOSE_POLICY,
                    f"a message waited over {self.limits.send_timeout_s:g} s: the client "
                    "does not read",
                )

    # ------------------------------------------------------------------ reading

    async def _reader(self, group: TaskGroup) -> None:
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                group.cancel_scope.cancel()
                return
            text = message.get("text")
            if text is None:
                raw = message.get("bytes") or b""
                size = len(raw)
            else:
                size = len(text.encode("utf-8"))
            if size > self.limits.max_message_bytes:
                raise _Closing(
                    CLOSE_TOO_BIG,
                    f"a message of {size} bytes is over the {self.limits.max_message_bytes} "
                    "bytes allowed",
                )
            self._count_arrival()
            if text is None:
                text = raw.decode("utf-8", "replace")
            await self._handle(text)

    def _count_arrival(self) -> None:
        now = time.monotonic()
        self.arrivals.append(now)
        while self.arrivals and self.arrivals[0] <= now - 1.0:
            self.arrivals.popleft()
        if len(self.arrivals) > self.limits.max_messages_per_s:
            raise _Closing(
                CLOSE_POLICY,
                f"more than {self.limits.max_messages_per_s} messages a second",
            )

    async def _handle(self, text: str) -> None:
        request_id: object = None
        name: object = None
        try:
            message = parse_message(text)
            request_id = message.get("id")
            name = message.get("command")
            if name == REQUEST_COMMAND:
                await self._answer_data(request_id)
                return
            spec = command_spec(name)
            params = message.get("params")
            self._check_role(spec, params)
            checked = self._checked_params(spec, params)
            if spec.name == "emergencyStop":
                await self._emergency_stop(request_id)
                return
            try:
                self.commands.send_nowait((request_id, spec, checked))
            except anyio.WouldBlock:
                raise MessageRefused(
                    f"{spec.name} refused: {self.limits.command_queue} commands are still "
                    "waiting to be carried out; send it again in a moment. Nothing was changed."
                ) from None
        except MessageRefused as exc:
            self._refuse(request_id, name, str(exc))

    def _check_role(self, spec: CommandSpec, params: object) -> None:
        principal = self.caller.principal
        if may_control(principal.role):
            return
        reason = refusal_text(f"artisan {spec.name}", principal.role)
        self._record_refusal(spec.name, params, reason)
        raise MessageRefused(reason)

    def _checked_params(self, spec: CommandSpec, params: object) -> dict[str, Any]:
        try:
            return command_params(spec, params)
        except MessageRefused as exc:
            self._record_refusal(spec.name, params, str(exc))
            raise

    def _record_refusal(self, name: str, params: object, reason: str) -> None:
        arguments = params if isinstance(params, dict) else {"params": repr(params)[:80]}
        with calling_as(self.caller):
            self.manager.record_refusal(f"artisan {name}", arguments, reason)

    def _refuse(self, request_id: object, name: object, reason: str) -> None:
        command = name if isinstance(name, str) else "?"
        if request_id is None:
            self.send(refused_push(command[:60], reason))
        else:
            self.send(error_reply(request_id, reason))

    async def _answer_data(self, request_id: object) -> None:
        status = await anyio.to_thread.run_sync(lambda: self.manager.get_status(forecast=False))
        self.send(data_reply(request_id, channel_data(status)))

    # ------------------------------------------------------------------ commands

    async def _command_worker(self) -> None:
        async for request_id, spec, params in self.commands_out:

            def run(spec: CommandSpec = spec, params: dict[str, Any] = params) -> object:
                with calling_as(self.caller):  # set on the worker thread: the log reads it there
                    return carry_out(self.manager, spec, params)

            try:
                await anyio.to_thread.run_sync(run)
            except RoasterError as exc:
                self._refuse(request_id, spec.name, str(exc))
                continue
            if request_id is not None:
                self.send({"id": request_id, "result": "ok"})

    async def _emergency_stop(self, request_id: object) -> None:
        def run() -> list[str]:
            with calling_as(self.caller):
                return self.manager.emergency_stop()

        failures = await anyio.to_thread.run_sync(run, limiter=self.endpoint._stop_limiter)
        if request_id is not None:
            self.send({"id": request_id, "result": "ok", "failures": failures})

    # ------------------------------------------------------------------ pushing

    async def _watcher(self) -> None:
        next_check = time.monotonic() + self.limits.admission_interval_s
        access = self.endpoint.access
        while True:
            status = await anyio.to_thread.run_sync(lambda: self.manager.get_status(forecast=False))
            for event in sorted(status.events, key=lambda e: e.monotonic_s):
                key = (status.roast_number, event.type)
                if event.type not in PUSHED_EVENTS or key in self.pushed:
                    continue
                message = event_push(event.type)
                if message is not None:
                    self.pushed.add(key)
                    self.send(message)
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + self.limits.admission_interval_s
                still = await anyio.to_thread.run_sync(self.admission.still_admitted, access)
                if not still:
                    raise _Closing(
                        CLOSE_POLICY,
                        "the access for this connection changed (token revoked, or tokens now "
                        "needed): connect again with a valid token",
                    )
            await anyio.sleep(self.limits.watch_interval_s)


async def _send_json(websocket: WebSocket, message: dict[str, Any]) -> None:
    await websocket.send_text(json.dumps(message, allow_nan=False))


def artisan_routes(
    manager: RoastSessionManager,
    access: McpAccess | None = None,
    *,
    limits: ArtisanLimits | None = None,
) -> list[BaseRoute]:
    """Return the Artisan endpoint's routes for ``manager`` (put them before the MCP mount)."""
    return ArtisanEndpoint(manager, access, limits=limits).routes()


__all__ = ["ARTISAN_CALLER", "ArtisanEndpoint", "ArtisanLimits", "artisan_routes"]
