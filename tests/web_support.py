"""A real dashboard server for tests: uvicorn on a free port, a sped-up simulated roaster."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp

from roastctl.access.server_access import McpAccess
from roastctl.clock import ManualClock, ScaledClock
from roastctl.config import ForecastConfig, ServerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.server import build_http_app
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore
from roastctl.web import dashboard_routes
from roastctl.web.access_gate import DashboardGate
from support import free_port


@dataclass
class LiveServer:
    """A running server: its URL, and the session and simulator behind it."""

    url: str
    manager: RoastSessionManager
    simulator: SimulatedRoaster

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET ``path`` over real HTTP."""
        return httpx.get(self.url + path, timeout=10, **kwargs)

    def post(self, path: str, body: object = None, **kwargs: Any) -> httpx.Response:
        """POST JSON to ``path`` over real HTTP."""
        return httpx.post(self.url + path, json=body, timeout=10, **kwargs)

    def status(self) -> dict[str, Any]:
        """The dashboard's readouts."""
        answer = self.get("/api/status")
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()
        return data


def wait(condition: Callable[[], bool], limit_s: float, what: str) -> None:
    """Wait (real seconds) until ``condition()``; fail naming ``what``."""
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {limit_s} s"
        time.sleep(0.05)


@contextmanager
def serving(app: ASGIApp, name: str) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port in a thread; yield its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    try:
        wait(lambda: server.started, 20, "the server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def live_server(
    store_path: Path,
    *,
    speed: float = 60.0,
    sampling_interval_s: float = 1.0,
    access: McpAccess | None = None,
) -> Iterator[LiveServer]:
    """Serve MCP and the dashboard over real HTTP on 127.0.0.1 until the block ends.

    ``access`` sets who may do what (default: no tokens, this machine is the operator).
    """
    config = ServerConfig.model_validate(
        {"timezone": "UTC", "tracker": {"sampling_interval_s": sampling_interval_s}}
    )
    clock = ScaledClock(speed)
    simulator = SimulatedRoaster(config.simulator, clock)
    store = RoastStore(store_path)
    manager = RoastSessionManager(simulator, config, clock=clock, store=store)
    app = build_http_app(
        manager, simulator=simulator, routes=dashboard_routes(manager), access=access
    )
    try:
        with serving(app, "dashboard-test-server") as url:
            yield LiveServer(url, manager, simulator)
    finally:
        store.close()


@dataclass
class SteppedServer:
    """A dashboard over real HTTP whose session moves only when the test steps it."""

    url: str
    manager: RoastSessionManager
    clock: ManualClock


@contextmanager
def stepped_server(store: RoastStore | None = None) -> Iterator[SteppedServer]:
    """Serve the dashboard (no MCP) over real HTTP for a simulated session on a manual clock.

    ``store`` keeps the roasts (and lists them on the page); none by default.

    No polling thread: the test moves the roast with ``clock.advance`` and ``poll_once()``
    (``tests/support.py``'s ``run_until``), so what the page shows is known exactly. The forecast
    is made at every sample, so it starts where the live curve ends.
    """
    clock = ManualClock()
    config = ServerConfig(timezone="UTC", forecast=ForecastConfig(refresh_s=0.0))
    manager = RoastSessionManager(
        SimulatedRoaster(config.simulator, clock),
        config,
        clock=clock,
        background_polling=False,
        store=store,
    )
    manager.start_session()
    app = Starlette(
        routes=dashboard_routes(manager),
        middleware=[Middleware(DashboardGate, access=McpAccess())],
    )
    try:
        with serving(app, "dashboard-stepped-server") as url:
            yield SteppedServer(url, manager, clock)
    finally:
        manager.stop_session()


def charge(server: LiveServer, *, env_c: float = 180.0, limit_s: float = 30.0) -> None:
    """Drum on, full heat until ET reaches ``env_c``, pour the beans, wait for CHARGE."""
    assert server.post("/api/control/drum", {"on": True}).status_code == 200
    assert server.post("/api/control/heat", {"percent": 100}).status_code == 200
    wait(
        lambda: (server.status()["env_temp_c"] or 0.0) >= env_c,
        limit_s,
        f"ET did not reach {env_c} deg C",
    )
    server.simulator.charge()
    wait(lambda: server.status()["charge_wall_s"] is not None, limit_s, "no CHARGE")


def sse_events(response: httpx.Response) -> Iterator[tuple[str | None, str, Any]]:
    """Yield events (id, event, data) from an open SSE response as they come; skip comments."""
    event_id: str | None = None
    name = "message"
    for line in response.iter_lines():
        if line.startswith(":") or line.startswith("retry:"):
            continue
        if line.startswith("id: "):
            event_id = line[4:]
        elif line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            yield event_id, name, json.loads(line[6:])
            event_id, name = None, "message"


def read_events(response: httpx.Response, count: int) -> list[tuple[str | None, str, Any]]:
    """Read the next ``count`` events from an open SSE response."""
    return list(itertools.islice(sse_events(response), count))


@contextmanager
def headless_chromium() -> Iterator[Any]:
    """Start headless Chromium under WebDriver; skip (or fail with ``REQUIRE_BROWSER_TESTS=1``)
    when Chromium or chromedriver is missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if not (browser and chromedriver):
        reason = "headless Chromium is not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
            pytest.fail(f"{reason}, and REQUIRE_BROWSER_TESTS=1 requires it")
        pytest.skip(reason)
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    options.add_argument("--window-size=1280,1000")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(options=options, service=webdriver.ChromeService(chromedriver))
    chrome.set_page_load_timeout(20)
    try:
        yield chrome
    finally:
        chrome.quit()


def element_text(chrome: Any, element_id: str) -> str:
    """Return an element's text, read in one script call (the page may replace the element
    between two WebDriver calls); empty when it is not there."""
    script = "const e = document.getElementById(arguments[0]); return e ? e.innerText : '';"
    return str(chrome.execute_script(script, element_id)).strip()
