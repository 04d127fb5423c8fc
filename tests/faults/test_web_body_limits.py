"""Oversized dashboard bodies are refused before they are read, over real HTTP.

The process that serves the pages also runs the safety supervisor: an unauthenticated client must
not be able to make it buffer hundreds of megabytes. Every dashboard route refuses a body over
its cap with 413, from ``Content-Length`` before reading anything, or while counting the bytes of a
chunked body; nothing changes on the roaster.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from roastctl.access.principal import Principal
from roastctl.access.roles import Role
from roastctl.access.server_access import McpAccess
from roastctl.access.tokens import TokenFile
from roastctl.web.body_limit import MAX_BODY_BYTES
from support import serve_http
from web_support import LiveServer, live_server

#: What a client declares or streams in these tests: far beyond any dashboard body.
HUGE = 512 * 1024 * 1024
#: The most a chunked test streams before it gives up waiting for the refusal.
STREAM_LIMIT = 4 * 1024 * 1024


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def open_server(tmp_path: Path) -> Iterator[LiveServer]:
    """No tokens: this machine is the operator."""
    with live_server(tmp_path / "roasts.sqlite3", speed=20.0) as live:
        yield live


@pytest.fixture
def token_server(tmp_path: Path) -> Iterator[LiveServer]:
    """Tokens exist: /login is where a browser starts."""
    tokens = TokenFile(tmp_path / "tokens.json")
    tokens.create(Role.OPERATOR, "bootstrap")
    access = McpAccess(launch=Principal(Role.OBSERVER), tokens=tokens)
    with live_server(tmp_path / "roasts.sqlite3", speed=20.0, access=access) as live:
        yield live


def _connect(server: LiveServer) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=5)
    return connection


def _status_line(connection: socket.socket) -> tuple[int, bytes]:
    """Read the response head; return its status code and the head."""
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = connection.recv(4096)
        if not chunk:
            break
        head += chunk
    return int(head.split(b" ", 2)[1]), head


def _declared(server: LiveServer, method: str, path: str, extra: str = "") -> tuple[int, bytes]:
    """Send only the head of a request declaring ``HUGE`` bytes; return the answer."""
    with _connect(server) as connection:
        connection.sendall(
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}"
            f"Content-Length: {HUGE}\r\n\r\n".encode()
        )
        return _status_line(connection)


def _streamed(server: LiveServer, path: str, content_type: str) -> tuple[int, int]:
    """Stream a chunked body until the server answers; return (status, bytes sent)."""
    chunk = b"x" * 1024
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    with _connect(server) as connection:
        connection.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        sent = 0
        connection.setblocking(False)
        while sent < STREAM_LIMIT:
            try:
                connection.sendall(frame)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
            try:
                if connection.recv(1, socket.MSG_PEEK):
                    break
            except BlockingIOError:
                continue
        connection.setblocking(True)
        connection.settimeout(5)
        status, _ = _status_line(connection)
        return status, sent


def test_login_refuses_a_huge_declared_body_without_reading_it(token_server: LiveServer) -> None:
    status, head = _declared(
        token_server, "POST", "/login", "Content-Type: application/x-www-form-urlencoded\r\n"
    )
    assert status == 413, head
    assert str(HUGE).encode() in head or b"application/json" in head


def test_login_refuses_a_chunked_body_once_it_passes_the_cap(token_server: LiveServer) -> None:
    started = time.monotonic()
    status, sent = _streamed(token_server, "/login", "application/x-www-form-urlencoded")
    assert status == 413
    assert sent < STREAM_LIMIT  # refused while streaming, not after the end
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/control/heat"),
        ("POST", "/api/control/emergency-stop"),
        ("POST", "/logout"),
        ("GET", "/api/status"),
        ("GET", "/"),
    ],
)
def test_every_dashboard_route_caps_its_body(
    open_server: LiveServer, method: str, path: str
) -> None:
    before = open_server.status()
    status, head = _declared(open_server, method, path, "Content-Type: application/json\r\n")
    assert status == 413, head
    after = open_server.status()
    assert after["faults"] == before["faults"]  # the e-stop did not run
    assert after["heat_percent"] == before["heat_percent"]


def test_a_chunked_control_body_is_cut_off_and_changes_nothing(open_server: LiveServer) -> None:
    status, sent = _streamed(open_server, "/api/control/heat", "application/json")
    assert status == 413
    assert sent < STREAM_LIMIT
    assert open_server.status()["heat_percent"] == 0


def test_the_refusal_names_the_size_the_cap_and_what_to_send(open_server: LiveServer) -> None:
    answer = open_server.post(
        "/api/control/heat", content=b'{"percent": 10, "pad": "' + b"x" * MAX_BODY_BYTES + b'"}'
    )
    assert answer.status_code == 413
    message = answer.json()["error"]
    assert str(MAX_BODY_BYTES) in message
    assert "bytes" in message
    assert '{"percent": 50}' in message or "send" in message
    assert open_server.status()["heat_percent"] == 0


def test_bodies_within_the_cap_still_work(open_server: LiveServer) -> None:
    answer = open_server.post("/api/control/drum", {"on": True})
    assert answer.status_code == 200, answer.text


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.anyio
async def test_a_serve_process_stays_small_under_a_huge_upload() -> None:
    """``roastctl serve --http``: 64 MiB streamed at a control route, memory barely moves."""
    async with serve_http("--speed", "20") as running:
        before = _rss_kib(running.process.pid)
        with socket.create_connection(("127.0.0.1", running.port), timeout=5) as connection:
            connection.sendall(
                b"POST /api/control/heat HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            frame = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"
            sent = 0
            try:
                while sent < 64 * 1024 * 1024:
                    connection.sendall(frame)
                    sent += 0x10000
            except (BrokenPipeError, ConnectionResetError):
                pass
            if sent >= 64 * 1024 * 1024:
                connection.sendall(b"0\r\n\r\n")
            head = connection.recv(4096)
        grown_kib = _rss_kib(running.process.pid) - before
    assert grown_kib < 16 * 1024, f"the server grew by {grown_kib} KiB"
    assert head.split(b" ", 2)[1] == b"413", head[:200]
    assert sent < 64 * 1024 * 1024
