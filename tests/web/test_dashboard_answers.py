"""What the dashboard's control routes answer: the state after the command, one status per kind
of refusal, and the same strictness about bodies as MCP about arguments.

The session is stepped by hand (a manual clock, no polling thread), so an answer can only show the
state after a command if the route itself reads the roaster after it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.testclient import TestClient

from roastctl.access.server_access import McpAccess
from roastctl.clock import ManualClock
from roastctl.config import ServerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.errors import RoasterConnectionError
from roastctl.models import SensorReading
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore
from roastctl.web import dashboard_routes
from roastctl.web.access_gate import DashboardGate


@pytest.fixture
def session(tmp_path: Path) -> Iterator[RoastSessionManager]:
    clock = ManualClock()
    config = ServerConfig(timezone="UTC")
    store = RoastStore(tmp_path / "roasts.sqlite3")
    manager = RoastSessionManager(
        SimulatedRoaster(config.simulator, clock),
        config,
        clock=clock,
        background_polling=False,
        store=store,
    )
    manager.start_session()
    manager.poll_once()
    yield manager
    manager.stop_session()
    store.close()


@pytest.fixture
def client(session: RoastSessionManager) -> TestClient:
    app = Starlette(
        routes=dashboard_routes(session),
        middleware=[Middleware(DashboardGate, access=McpAccess())],
    )
    return TestClient(app, base_url="http://127.0.0.1:8765", client=("127.0.0.1", 50000))


def _post(client: TestClient, name: str, body: object = None) -> tuple[int, dict[str, Any]]:
    answer = client.post(f"/api/control/{name}", json=body)
    data: dict[str, Any] = answer.json()
    return answer.status_code, data


def _heat_up(client: TestClient, session: RoastSessionManager) -> None:
    assert _post(client, "drum", {"on": True})[0] == 200
    assert _post(client, "heat", {"percent": 100})[0] == 200
    session.poll_once()
    sensors = session.get_status().sensors
    assert sensors is not None
    assert sensors.heat_percent == 100


# ------------------------------------------------------------- the state after the command
def test_the_emergency_stop_answers_with_the_heat_off_and_the_door_open(
    client: TestClient, session: RoastSessionManager
) -> None:
    _heat_up(client, session)
    status, answer = _post(client, "emergency-stop")
    assert status == 200
    assert answer["status"]["heat_percent"] == 0
    assert answer["status"]["door_open"] is True
    assert answer["status"]["cooling_on"] is True


@pytest.mark.parametrize(
    ("name", "body", "key", "value"),
    [
        ("heat", {"percent": 60}, "heat_percent", 60),
        ("fan", {"percent": 30}, "fan_percent", 30),
        ("cooling", {"on": True}, "cooling_on", True),
        ("drop", None, "door_open", True),
    ],
)
def test_every_control_answers_with_the_reading_after_it(
    client: TestClient,
    session: RoastSessionManager,
    name: str,
    body: object,
    key: str,
    value: object,
) -> None:
    assert _post(client, "drum", {"on": True})[0] == 200
    session.poll_once()
    status, answer = _post(client, name, body)
    assert status == 200, answer
    assert answer["status"][key] == value


# ------------------------------------------------------------- one status per kind of refusal
def test_first_crack_before_charge_is_a_state_refusal(client: TestClient) -> None:
    status, answer = _post(client, "first-crack")
    assert status == 409, answer
    assert "needs CHARGE first" in answer["error"]
    assert "did not carry out" not in answer["error"]


def test_refusals_map_to_statuses_by_kind(
    client: TestClient, session: RoastSessionManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bad value: 400.
    assert _post(client, "heat", {"percent": 45})[0] == 400
    # The roaster's state forbids it (the drum is off): 409.
    status, answer = _post(client, "heat", {"percent": 50})
    assert status == 409, answer
    assert "drum" in answer["error"]
    # A latched fault: 409.
    _post(client, "emergency-stop")
    status, answer = _post(client, "heat", {"percent": 50})
    assert status == 409
    assert "emergency" in answer["error"].lower()

    # The roaster did not do it: 502.
    def unplugged(percent: int) -> None:
        raise RoasterConnectionError("the serial port went away")

    monkeypatch.setattr(session.hardware, "set_fan", unplugged)
    status, answer = _post(client, "fan", {"percent": 20})
    assert status == 502
    assert "serial port went away" in answer["error"]
    # No session: 409.
    session.stop_session()
    assert _post(client, "fan", {"percent": 20})[0] == 409


# ------------------------------------------------------------- bodies as strict as MCP arguments
@pytest.mark.parametrize(
    ("name", "body", "named"),
    [
        ("heat", {"percent": 50, "force": True}, "'force'"),
        ("fan", {"percent": 20, "Percent": 30}, "'Percent'"),
        ("drum", {"on": True, "speed": 2}, "'speed'"),
        ("drop", {"now": True}, "'now'"),
        ("first-crack", {"temp_c": 200}, "'temp_c'"),
        ("clear-fault", {"all": True}, "'all'"),
    ],
)
def test_unknown_keys_are_refused_naming_the_key_and_the_allowed_ones(
    client: TestClient, session: RoastSessionManager, name: str, body: object, named: str
) -> None:
    before = session.get_status().sensors
    status, answer = _post(client, name, body)
    assert status == 400, answer
    assert named in answer["error"]
    assert "allowed" in answer["error"]
    session.poll_once()
    after = session.get_status().sensors
    assert before is not None
    assert after is not None
    assert (after.heat_percent, after.fan_percent, after.drum_on, after.door_open) == (
        before.heat_percent,
        before.fan_percent,
        before.drum_on,
        before.door_open,
    )


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("heat", {"percent": True}),
        ("fan", {"percent": False}),
        ("heat", {"percent": "50"}),
        ("drum", {"on": 1}),
        ("cooling", {"on": "true"}),
    ],
)
def test_values_of_the_wrong_type_are_refused(client: TestClient, name: str, body: object) -> None:
    status, answer = _post(client, name, body)
    assert status == 400, answer
    assert "error" in answer


def test_deeply_nested_json_is_a_clear_refusal(client: TestClient) -> None:
    answer = client.post(
        "/api/control/heat",
        content=b"[" * 2000 + b"]" * 2000,  # within the body cap
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert "nested" in answer.json()["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/curve?max_points=" + "9" * 5000,
        "/api/curve?max_points=%C2%B2",  # a superscript two: a digit to str.isdigit
        "/api/roasts?limit=" + "9" * 5000,
        "/api/roasts?offset=" + "9" * 5000,
        "/api/roasts/1?max_points=" + "9" * 5000,
    ],
)
def test_huge_or_odd_numbers_in_queries_are_clear_refusals(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 400, answer.text
    message = answer.json()["error"]
    assert "whole number" in message
    assert len(message) < 400  # the value is named, not echoed in full


@pytest.mark.parametrize(
    "path", ["/api/roasts/" + "9" * 5000, "/api/roasts/" + str(2**63), "/roasts/" + "9" * 5000]
)
def test_roast_ids_beyond_any_roast_are_not_found(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code in (400, 404), answer.text


class _StuckDevice(SimulatedRoaster):
    """Once stuck, commands and readings block until released: a device that stopped answering."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(ServerConfig(timezone="UTC").simulator, clock)
        self.release = threading.Event()
        self.stuck = False

    def set_heat(self, percent: int) -> None:
        if self.stuck:
            self.release.wait(10)
        super().set_heat(percent)

    def read_sensors(self) -> SensorReading:
        if self.stuck:
            self.release.wait(10)
        return super().read_sensors()


def test_the_emergency_stop_answers_at_once_on_a_stuck_device_without_reading_it() -> None:
    """The fresh reading for the answer is skipped when the roaster did not confirm the stop."""
    clock = ManualClock()
    device = _StuckDevice(clock)
    manager = RoastSessionManager(
        device, ServerConfig(timezone="UTC"), clock=clock, background_polling=False
    )
    manager.start_session()
    manager.poll_once()
    app = Starlette(
        routes=dashboard_routes(manager),
        middleware=[Middleware(DashboardGate, access=McpAccess())],
    )
    client = TestClient(app, base_url="http://127.0.0.1:8765", client=("127.0.0.1", 50000))
    try:
        assert _post(client, "drum", {"on": True})[0] == 200
        assert _post(client, "heat", {"percent": 90})[0] == 200
        device.stuck = True
        started = time.monotonic()
        status, answer = _post(client, "emergency-stop")
        took = time.monotonic() - started
        assert status == 200
        assert took < 3.0
        assert "did not confirm" in answer["failures"][0]
        assert answer["status"]["heat_allowed"] is False
    finally:
        device.release.set()
        manager.stop_session()
