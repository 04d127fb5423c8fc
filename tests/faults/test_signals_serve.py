"""Signals to ``roastctl serve --http`` while clients hold connections open.

A real ``roastctl serve --http`` process drives a virtual Hottop on a pseudo-terminal owned by the
test (or the simulator); a client holds the dashboard's ``GET /events`` stream open, and then the
process gets SIGTERM, SIGINT or SIGHUP. The rule: heater 0 reaches the roaster within a control
period whatever connections are open, then the streams are closed and the process exits within a
few seconds. The dead-man is switched off (``dead_man_s = 0``), so nothing else would cut the heat.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
import httpx2 as httpx
import pytest
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client

from roastctl.clock import SystemClock
from roastctl.hottop.emulator import VirtualHottop
from support import free_port, tool_text

#: The Hottop driver sends the whole state every 0.25 s and a command at once; heater 0 must be
#: on the wire within about one such period of the signal (with room for a loaded test machine).
HEAT_OFF_LIMIT_S = 1.0
#: From the signal to the process's exit, with streams still open.
EXIT_LIMIT_S = 6.0
SIGNALS = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP]


@dataclass
class Served:
    """A running ``roastctl serve --http``: its process, URL and log file."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def post(self, path: str, body: object) -> httpx.Response:
        """POST JSON to the dashboard's control API."""
        return httpx.post(self.url + path, json=body, timeout=10)

    def text(self) -> str:
        """The server's log so far."""
        return self.log.read_text(errors="replace")


@dataclass
class OpenStream:
    """A client holding ``GET /events`` open on a thread of its own."""

    url: str
    opened: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)
    error: str | None = None

    def run(self) -> None:
        try:
            with httpx.stream("GET", self.url + "/events", timeout=30) as response:
                for _chunk in response.iter_raw():
                    self.opened.set()
        except Exception as exc:  # kept: a stream must end cleanly, not break
            self.error = repr(exc)
        finally:
            self.ended.set()


@contextmanager
def serve_http(tmp_path: Path, env: dict[str, str]) -> Iterator[Served]:
    """Run ``roastctl serve --http`` on a free port until the block ends (killed if still up)."""
    port = free_port()
    log = tmp_path / "serve.log"
    environment = {
        **os.environ,
        "ROASTCTL_STORE__PATH": str(tmp_path / "roasts.sqlite3"),
        "ROASTCTL_AUTH__TOKENS_PATH": str(tmp_path / "tokens.json"),
        "ROASTCTL_SAFETY__DEAD_MAN_S": "0",
        **env,
    }
    environment.pop("ROASTCTL_CONFIG", None)
    command = [sys.executable, "-m", "roastctl", "--verbose", "serve", "--http"]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*command, "--port", str(port)], stdin=subprocess.DEVNULL, stderr=sink, env=environment
        )
    try:
        served = Served(process, f"http://127.0.0.1:{port}", log)
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"serve exited early: {served.text()[-2000:]}"
            assert time.monotonic() < deadline, f"serve never listened: {served.text()[-2000:]}"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        yield served
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def open_stream(served: Served) -> tuple[OpenStream, threading.Thread]:
    """Open the dashboard's live stream and wait until its first bytes arrived."""
    stream = OpenStream(served.url)
    thread = threading.Thread(target=stream.run, name="events-client", daemon=True)
    thread.start()
    assert stream.opened.wait(10), "the /events stream did not open"
    return stream, thread


def wait_for(condition: object, limit_s: float, what: str) -> float:
    """Poll ``condition()`` every millisecond; return the seconds it took; fail after limit."""
    start = time.monotonic()
    while not condition():  # type: ignore[operator]
        elapsed = time.monotonic() - start
        assert elapsed < limit_s, f"{what}: not within {limit_s} s"
        time.sleep(0.001)
    return time.monotonic() - start


@pytest.mark.parametrize("signum", SIGNALS, ids=[s.name for s in SIGNALS])
def test_a_signal_with_a_stream_open_cuts_the_heat_on_the_wire_at_once_and_exits(
    tmp_path: Path, signum: signal.Signals
) -> None:
    link = tmp_path / "hottop"
    # The roaster's own watchdog is long: only the server's heater 0 can switch the heat off.
    with VirtualHottop(clock=SystemClock(), link_path=link, watchdog_s=60.0, seed=3) as hottop:
        env = {"ROASTCTL_HARDWARE__DRIVER": "hottop", "ROASTCTL_HARDWARE__PORT": str(link)}
        with serve_http(tmp_path, env) as served:
            assert served.post("/api/control/drum", {"on": True}).status_code == 200
            assert served.post("/api/control/heat", {"percent": 100}).status_code == 200
            wait_for(lambda: hottop.state.outputs.heat_percent == 100, 10, "heat 100 on the wire")
            stream, reader = open_stream(served)

            sent = time.monotonic()
            served.process.send_signal(signum)
            heat_off_s = wait_for(
                lambda: hottop.state.outputs.heat_percent == 0, EXIT_LIMIT_S, "heater 0"
            )
            try:
                served.process.wait(timeout=EXIT_LIMIT_S)
            except subprocess.TimeoutExpired:
                pytest.fail(f"serve still running {EXIT_LIMIT_S} s after {signum.name}")
            exit_s = time.monotonic() - sent
            reader.join(timeout=5)
            log = served.text()
    assert heat_off_s < HEAT_OFF_LIMIT_S, f"heater 0 took {heat_off_s:.2f} s; log: {log[-2000:]}"
    assert exit_s < EXIT_LIMIT_S, log[-2000:]
    assert stream.ended.is_set(), "the /events stream was left open"
    assert stream.error is None, f"the /events stream broke instead of ending: {stream.error}"
    assert f"{signum.name} received: leaving the roaster safe" in log
    assert "session stopped" in log
    assert served.process.returncode == 130, log[-2000:]


@dataclass
class McpSession:
    """An official MCP client over streamable HTTP that drives the roaster and then stays."""

    url: str
    ready: threading.Event = field(default_factory=threading.Event)
    failure: str | None = None

    def run(self) -> None:
        anyio.run(self._hold)

    async def _hold(self) -> None:
        try:
            async with Client(streamable_http_client(self.url + "/mcp")) as client:
                for name, arguments in (("start_roaster", {}), ("set_heat", {"percent": 100})):
                    result = await client.call_tool(name, arguments)
                    assert not result.is_error, tool_text(result)
                self.ready.set()
                await anyio.sleep(60)  # an agent that keeps its session open
        except BaseException as exc:  # the server going away ends it
            if not self.ready.is_set():
                self.failure = repr(exc)
        finally:
            self.ready.set()


def shutdown_actions(store: Path) -> list[tuple[datetime, str]]:
    """The roast store's safety log entries of the shutdown rule, with their times."""
    with closing(sqlite3.connect(store)) as db:
        rows = db.execute(
            "SELECT at_utc, message FROM safety_log WHERE rule = 'shutdown' ORDER BY id"
        ).fetchall()
    return [(datetime.fromisoformat(at), message) for at, message in rows]


def test_every_kind_of_open_connection_still_lets_a_signal_stop_the_heat_and_the_process(
    tmp_path: Path,
) -> None:
    """The general rule, on the simulator: an agent's MCP session (which set the heat), the
    dashboard's stream, an idle keep-alive connection and a half-sent request, all open at once."""
    env = {"ROASTCTL_HARDWARE__DRIVER": "simulator"}
    with serve_http(tmp_path, env) as served:
        agent = McpSession(served.url)
        threading.Thread(target=agent.run, name="mcp-agent", daemon=True).start()
        assert agent.ready.wait(20), "the MCP agent did not connect"
        assert agent.failure is None, agent.failure
        stream, reader = open_stream(served)
        with (
            httpx.Client(base_url=served.url) as keep_alive,
            socket.create_connection(("127.0.0.1", int(served.url.rsplit(":", 1)[1]))) as partial,
        ):
            assert keep_alive.get("/api/status").json()["heat_percent"] == 100
            partial.sendall(b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished

            signalled = datetime.now(UTC)
            sent = time.monotonic()
            served.process.send_signal(signal.SIGTERM)
            try:
                served.process.wait(timeout=EXIT_LIMIT_S)
            except subprocess.TimeoutExpired:
                pytest.fail(f"serve still running {EXIT_LIMIT_S} s after SIGTERM")
            exit_s = time.monotonic() - sent
        reader.join(timeout=5)
        log = served.text()
    assert exit_s < EXIT_LIMIT_S, log[-2000:]
    assert stream.ended.is_set(), "the /events stream was left open"
    assert stream.error is None, f"the /events stream broke instead of ending: {stream.error}"
    ((at, message),) = shutdown_actions(tmp_path / "roasts.sqlite3")
    assert message.startswith("SIGTERM received: heater off"), message
    assert (at - signalled).total_seconds() < HEAT_OFF_LIMIT_S, (at, signalled)
    assert served.process.returncode == 130, log[-2000:]


@dataclass
class InsistentAgent:
    """An MCP agent that heats, and after the signal tries to restart the session and heat."""

    url: str
    heating: threading.Event = field(default_factory=threading.Event)
    go: threading.Event = field(default_factory=threading.Event)
    accepted_after_signal: list[str] = field(default_factory=list)
    ended_by: str | None = None

    def run(self) -> None:
        anyio.run(self._drive)

    async def _call(self, client: Client, name: str, arguments: dict[str, Any]) -> bool:
        result = await client.call_tool(name, arguments)
        return not result.is_error

    async def _drive(self) -> None:
        try:
            async with Client(streamable_http_client(self.url + "/mcp")) as client:
                assert await self._call(client, "start_roaster", {})
                assert await self._call(client, "set_heat", {"percent": 100})
                self.heating.set()
                for _ in range(2000):  # as fast as it can, before and after the signal
                    for name, arguments in (
                        ("start_session", {}),
                        ("start_roaster", {}),
                        ("set_heat", {"percent": 100}),
                    ):
                        signalled = self.go.is_set()
                        if await self._call(client, name, arguments) and signalled:
                            self.accepted_after_signal.append(name)
        except BaseException as exc:  # the server going away ends it
            self.ended_by = repr(exc)
        finally:
            self.heating.set()


def test_after_a_signal_no_request_turns_the_heat_back_on(tmp_path: Path) -> None:
    link = tmp_path / "hottop"
    with VirtualHottop(clock=SystemClock(), link_path=link, watchdog_s=60.0, seed=3) as hottop:
        env = {"ROASTCTL_HARDWARE__DRIVER": "hottop", "ROASTCTL_HARDWARE__PORT": str(link)}
        with serve_http(tmp_path, env) as served:
            agent = InsistentAgent(served.url)
            threading.Thread(target=agent.run, name="insistent-agent", daemon=True).start()
            assert agent.heating.wait(20)
            wait_for(lambda: hottop.state.outputs.heat_percent == 100, 10, "heat 100 on the wire")
            served.process.send_signal(signal.SIGTERM)
            agent.go.set()
            wait_for(lambda: hottop.state.outputs.heat_percent == 0, HEAT_OFF_LIMIT_S, "heater 0")
            heat_seen = []
            deadline = time.monotonic() + EXIT_LIMIT_S
            while served.process.poll() is None and time.monotonic() < deadline:
                heat_seen.append(hottop.state.outputs.heat_percent)
                time.sleep(0.005)
            assert served.process.poll() is not None, "serve did not exit"
            log = served.text()
    assert max(heat_seen, default=0) == 0, log[-2000:]
    assert "set_heat" not in agent.accepted_after_signal, agent.accepted_after_signal
