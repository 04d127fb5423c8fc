"""Dashboard rules that need no running roast: who may drive, and a session without a store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.testclient import TestClient

from roastctl.access.server_access import McpAccess
from roastctl.clock import ManualClock
from roastctl.config import ServerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.session.manager import RoastSessionManager
from roastctl.web import dashboard_routes
from roastctl.web.access_gate import DashboardGate
from roastctl.web.routes import CONTROLS_START, live_page


@pytest.fixture
def session() -> Iterator[RoastSessionManager]:
    clock = ManualClock()
    config = ServerConfig(timezone="UTC")
    manager = RoastSessionManager(
        SimulatedRoaster(config.simulator, clock), config, clock=clock, background_polling=False
    )
    manager.start_session()
    manager.poll_once()
    yield manager
    manager.stop_session()


def client_from(manager: RoastSessionManager, host: str) -> TestClient:
    """A client whose requests arrive from ``host`` (the ASGI scope's client address)."""
    app = Starlette(
        routes=dashboard_routes(manager),
        middleware=[Middleware(DashboardGate, access=McpAccess())],
    )
    return TestClient(app, base_url="http://127.0.0.1:8765", client=(host, 50000))


@pytest.mark.parametrize("host", ["192.168.1.20", "10.0.0.5", "fe80::1", "testclient"])
def test_other_machines_may_watch_but_not_drive(session: RoastSessionManager, host: str) -> None:
    client = client_from(session, host)
    page = client.get("/")
    assert page.status_code == 200
    assert 'id="estop"' not in page.text
    assert 'id="heat-set"' not in page.text
    assert client.get("/api/status").json()["operator"] is False
    for name, body in (("drum", {"on": True}), ("emergency-stop", None), ("heat", {"percent": 0})):
        answer = client.post(f"/api/control/{name}", json=body)
        assert answer.status_code == 403, name
        assert "observer role" in answer.json()["error"]
    assert session.get_status().roaster_running is False
    assert not session.safety.status(heating=False).faults  # the stop did not happen


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_this_machine_drives(session: RoastSessionManager, host: str) -> None:
    client = client_from(session, host)
    assert 'id="estop"' in client.get("/").text
    assert client.get("/api/status").json()["operator"] is True
    answer = client.post("/api/control/drum", json={"on": True})
    assert answer.status_code == 200, answer.text
    session.poll_once()
    assert session.get_status().roaster_running is True


def test_a_watchers_page_has_no_controls_at_all() -> None:
    watcher = live_page(operator=False)
    assert CONTROLS_START not in watcher
    assert "/api/control" not in watcher
    assert "<script" in watcher  # the chart still works
    assert 'data-operator="true"' in live_page(operator=True)


def test_a_session_without_a_store_serves_an_empty_history(session: RoastSessionManager) -> None:
    client = client_from(session, "127.0.0.1")
    assert client.get("/api/roasts").json() == {"roasts": [], "kept": False}
    missing = client.get("/api/roasts/1")
    assert missing.status_code == 404
    assert "no roast store" in missing.json()["error"]


def test_a_command_without_a_session_says_what_to_do(session: RoastSessionManager) -> None:
    session.stop_session()
    answer = client_from(session, "127.0.0.1").post("/api/control/fan", json={"percent": 20})
    assert answer.status_code == 409
    assert "start_session" in answer.json()["error"]


@pytest.mark.parametrize("name", ["evil.example", "evil.example:8765", "192.168.1.20:8765"])
def test_without_tokens_only_local_host_names_are_answered(
    session: RoastSessionManager, name: str
) -> None:
    client = client_from(session, "127.0.0.1")
    for method, path in (("GET", "/"), ("GET", "/api/status"), ("POST", "/api/control/drum")):
        answer = client.request(method, path, headers={"Host": name}, json={"on": True})
        assert answer.status_code == 421, (method, path)
        assert "only answers to 127.0.0.1, localhost or [::1]" in answer.json()["error"]
    assert session.get_status().roaster_running is False
    for local in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765", "LOCALHOST"):
        assert client.get("/api/status", headers={"Host": local}).status_code == 200
