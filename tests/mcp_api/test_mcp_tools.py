"""Every MCP tool through a real (in-memory) MCP client: what it does, and what it refuses."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from datetime import timedelta, timezone
from typing import Any

import anyio
import anyio.to_thread
import pytest
from mcp.client import Client
from mcp.types import CallToolResult, TextContent

from roastctl.clock import ManualClock
from roastctl.config import ServerConfig, SimulatorConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.server import create_server
from roastctl.mcp.tools import CommandResult, CurveView, EventResult, StatusView
from roastctl.models import RoastEventType
from roastctl.session.manager import RoastSessionManager
from support import run_until

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(started: RoastSessionManager, sim: SimulatedRoaster) -> AsyncIterator[Client]:
    async with Client(create_server(started, simulator=sim), raise_exceptions=True) as c:
        yield c


def text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def state(manager: RoastSessionManager) -> tuple[Any, ...]:
    """Everything a refused call must leave alone: actuators, session and the time line."""
    status = manager.get_status()
    try:
        r = manager.hardware.read_sensors()
        actuators: tuple[Any, ...] = (
            r.heat_percent,
            r.fan_percent,
            r.drum_on,
            r.door_open,
            r.cooling_on,
        )
    except Exception:
        actuators = ("disconnected",)
    events = tuple((e.type, e.monotonic_s, e.source, e.bean_temp_c) for e in status.events)
    return (*actuators, status.session_active, status.roast_number, events)


async def call_ok(client: Client, name: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    result = await client.call_tool(name, args or {})
    assert not result.is_error, text(result)
    content = result.structured_content
    assert isinstance(content, dict)
    return content


async def refused(
    client: Client,
    manager: RoastSessionManager,
    name: str,
    args: dict[str, Any],
    *expected: str,
) -> str:
    """Call a tool that must refuse: is_error, the text says ``expected``, nothing changed."""
    before = state(manager)
    result = await client.call_tool(name, args)
    message = text(result)
    assert result.is_error, message
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"
    assert state(manager) == before
    return message


async def preheat_and_charge(
    client: Client, manager: RoastSessionManager, clock: ManualClock
) -> None:
    """Through the tools: drum on, full heat to ET 190, charge 200 g, wait for CHARGE."""
    await call_ok(client, "start_roaster")
    await call_ok(client, "set_heat", {"percent": 100})
    run_until(manager, clock, lambda s: s.sensors is not None and s.sensors.env_temp_c >= 190)
    await call_ok(client, "charge_beans", {"mass_g": 200})
    run_until(manager, clock, lambda s: s.metrics.roast_elapsed_s is not None, limit_s=60)


# --------------------------------------------------------------------- status and curve
async def test_get_roast_status_reports_the_live_snapshot(
    client: Client, started: RoastSessionManager
) -> None:
    status = StatusView.model_validate(await call_ok(client, "get_roast_status"))
    assert status.session_active
    assert status.roast_number == 1
    assert status.connected
    assert status.driver == "simulator"
    assert status.roaster is not None
    assert status.roaster.heat_percent == 0
    assert status.phase.value == "not_charged"


async def test_get_roast_status_without_a_session_says_so(
    manager: RoastSessionManager, sim: SimulatedRoaster
) -> None:
    async with Client(create_server(manager, simulator=sim), raise_exceptions=True) as c:
        status = StatusView.model_validate(await call_ok(c, "get_roast_status"))
    assert not status.session_active
    assert status.roaster is None


async def test_get_roast_curve_filters_and_thins(
    client: Client, started: RoastSessionManager, clock: ManualClock
) -> None:
    await preheat_and_charge(client, started, clock)
    run_until(started, clock, lambda s: (s.metrics.roast_elapsed_s or 0) >= 120)
    curve = CurveView.model_validate(await call_ok(client, "get_roast_curve"))
    assert curve.time_origin == "CHARGE"
    assert curve.points[0].time_s < 0 <= curve.points[-1].time_s
    last = CurveView.model_validate(await call_ok(client, "get_roast_curve", {"last_n": 10}))
    assert len(last.points) == 10
    assert last.points[-1] == curve.points[-1]
    since = CurveView.model_validate(await call_ok(client, "get_roast_curve", {"since_s": 60.0}))
    assert all(p.time_s >= 60 for p in since.points)
    thin = CurveView.model_validate(await call_ok(client, "get_roast_curve", {"max_points": 5}))
    assert len(thin.points) == 5
    assert (thin.points[0], thin.points[-1]) == (curve.points[0], curve.points[-1])
    assert thin.points[-1].bean_ror_c_per_min is not None


async def test_get_roast_curve_before_charge_counts_from_the_first_sample(client: Client) -> None:
    curve = CurveView.model_validate(await call_ok(client, "get_roast_curve"))
    assert curve.time_origin == "first_sample"
    assert curve.points[0].time_s == 0


async def test_get_roast_curve_refuses_out_of_range_arguments(
    client: Client, started: RoastSessionManager
) -> None:
    await refused(client, started, "get_roast_curve", {"last_n": 0}, "last_n", "1")
    await refused(client, started, "get_roast_curve", {"max_points": 1}, "max_points", "2")


# --------------------------------------------------------------------- heat and fan
async def test_set_heat_sets_the_heater_after_the_drum_starts(
    client: Client, started: RoastSessionManager
) -> None:
    await call_ok(client, "start_roaster")
    result = CommandResult.model_validate(await call_ok(client, "set_heat", {"percent": 60}))
    assert result.roaster is not None
    assert (result.roaster.heat_percent, result.roaster.drum_on) == (60, True)
    assert started.hardware.read_sensors().heat_percent == 60


async def test_set_heat_refuses_a_value_off_the_step(
    client: Client, started: RoastSessionManager
) -> None:
    await call_ok(client, "start_roaster")
    await refused(
        client,
        started,
        "set_heat",
        {"percent": 55},
        "heat 55 %",
        "steps of 10",
        "nearest allowed values are 50 and 60",
    )


async def test_set_heat_refuses_out_of_range(client: Client, started: RoastSessionManager) -> None:
    await call_ok(client, "start_roaster")
    await refused(client, started, "set_heat", {"percent": 110}, "110", "0-100 %")


async def test_set_heat_refuses_a_stopped_drum(
    client: Client, started: RoastSessionManager
) -> None:
    await refused(client, started, "set_heat", {"percent": 50}, "drum is stopped", "start_roaster")


async def test_set_heat_zero_is_allowed_with_the_drum_stopped(client: Client) -> None:
    await call_ok(client, "set_heat", {"percent": 0})


async def test_control_tools_refuse_after_stop_session(
    client: Client, started: RoastSessionManager
) -> None:
    await call_ok(client, "stop_session")
    calls: list[tuple[str, dict[str, Any]]] = [
        ("set_heat", {"percent": 0}),
        ("set_fan", {"percent": 20}),
        ("start_roaster", {}),
        ("stop_roaster", {}),
        ("drop_beans", {}),
        ("start_cooling", {}),
        ("stop_cooling", {}),
        ("mark_event", {"event": "CHARGE"}),
        ("report_first_crack", {"timestamp": "2026-01-01T08:00:00Z"}),
    ]
    for name, args in calls:
        await refused(client, started, name, args, "no active session", "start_session")


async def test_set_fan_sets_the_fan(client: Client, started: RoastSessionManager) -> None:
    result = CommandResult.model_validate(await call_ok(client, "set_fan", {"percent": 30}))
    assert result.roaster is not None
    assert result.roaster.fan_percent == 30


async def test_set_fan_refuses_a_value_off_the_step(
    client: Client, started: RoastSessionManager
) -> None:
    await refused(
        client, started, "set_fan", {"percent": 35}, "fan 35 %", "steps of 10", "30 and 40"
    )


# --------------------------------------------------------------------- drum, drop, cooling
async def test_start_and_stop_roaster(client: Client, started: RoastSessionManager) -> None:
    result = CommandResult.model_validate(await call_ok(client, "start_roaster"))
    assert result.roaster is not None
    assert result.roaster.drum_on
    await call_ok(client, "set_heat", {"percent": 80})
    stopped = CommandResult.model_validate(await call_ok(client, "stop_roaster"))
    assert stopped.roaster is not None
    assert (stopped.roaster.drum_on, stopped.roaster.heat_percent) == (False, 0)


async def test_drop_before_charge_opens_the_door_but_marks_nothing(
    client: Client, started: RoastSessionManager
) -> None:
    result = CommandResult.model_validate(await call_ok(client, "drop_beans"))
    assert "no beans were charged" in result.done
    assert result.roaster is not None
    assert result.roaster.door_open
    assert started.get_status().events == ()


async def test_cooling_starts_and_stops(client: Client) -> None:
    started_cooling = CommandResult.model_validate(await call_ok(client, "start_cooling"))
    assert started_cooling.roaster is not None
    assert (started_cooling.roaster.cooling_on, started_cooling.roaster.fan_percent) == (True, 100)
    stopped = CommandResult.model_validate(await call_ok(client, "stop_cooling"))
    assert stopped.roaster is not None
    assert (stopped.roaster.cooling_on, stopped.roaster.fan_percent) == (False, 0)
    assert (stopped.roaster.door_open, stopped.roaster.drum_on) == (False, False)


# --------------------------------------------------------------------- a whole roast
async def test_a_whole_roast_through_the_tools(
    client: Client, started: RoastSessionManager, sim: SimulatedRoaster, clock: ManualClock
) -> None:
    heard = await call_ok(client, "first_crack_heard")
    assert heard == {"heard": False, "first_crack_utc": None}
    await preheat_and_charge(client, started, clock)
    await call_ok(client, "set_fan", {"percent": 30})
    run_until(started, clock, lambda s: sim.first_crack_time() is not None, limit_s=1200)
    heard = await call_ok(client, "first_crack_heard")
    assert heard["heard"] is True
    report = EventResult.model_validate(
        await call_ok(client, "report_first_crack", {"timestamp": heard["first_crack_utc"]})
    )
    assert report.event.type == "FC_START"
    assert report.event.source == "manual"
    assert report.phase.value == "development"
    run_until(started, clock, lambda s: (s.metrics.development_time_percent or 0) >= 20)
    dropped = CommandResult.model_validate(await call_ok(client, "drop_beans"))
    assert "DROP marked" in dropped.done
    status = StatusView.model_validate(await call_ok(client, "get_roast_status"))
    assert [e.type for e in status.events][-1] == "DROP"
    assert status.development_time_percent == pytest.approx(20, abs=1)
    # Cooling ends once the roaster is below the release temperatures (BT 180, ET 220 deg C).
    run_until(started, clock, lambda s: s.sensors is not None and s.sensors.bean_temp_c < 180)
    await call_ok(client, "stop_cooling")


# --------------------------------------------------------------------- events
async def test_report_first_crack_refused_before_charge(
    client: Client, started: RoastSessionManager
) -> None:
    await refused(
        client,
        started,
        "report_first_crack",
        {"timestamp": "2026-01-01T08:00:00Z"},
        "needs CHARGE first",
    )


async def test_report_first_crack_refuses_a_naive_timestamp(
    client: Client, started: RoastSessionManager, clock: ManualClock
) -> None:
    await preheat_and_charge(client, started, clock)
    message = await refused(
        client,
        started,
        "report_first_crack",
        {"timestamp": "2026-01-01T08:10:00"},
        "'2026-01-01T08:10:00'",
        "no timezone",
        "2026-11-24T10:15:30Z",
        "Nothing was recorded",
    )
    assert "2026-01-01T08:10:00+00:00" in message


@pytest.mark.parametrize("bad", ["yesterday", "10:15", "2026-13-01T00:00:00Z", " "])
async def test_report_first_crack_refuses_a_malformed_timestamp(
    client: Client, started: RoastSessionManager, clock: ManualClock, bad: str
) -> None:
    await preheat_and_charge(client, started, clock)
    await refused(client, started, "report_first_crack", {"timestamp": bad}, "timestamp")


async def test_report_first_crack_refuses_a_future_time_and_an_odd_temperature(
    client: Client, started: RoastSessionManager, clock: ManualClock
) -> None:
    await preheat_and_charge(client, started, clock)
    future = (clock.now() + timedelta(minutes=5)).isoformat()
    await refused(client, started, "report_first_crack", {"timestamp": future}, "future")
    now = clock.now().isoformat()
    await refused(
        client,
        started,
        "report_first_crack",
        {"timestamp": now, "temperature_c": 120.0},
        "temperature_c",
        "150",
    )


async def test_report_first_crack_accepts_an_offset_and_a_temperature(
    client: Client, started: RoastSessionManager, clock: ManualClock
) -> None:
    await preheat_and_charge(client, started, clock)
    run_until(started, clock, lambda s: (s.metrics.roast_elapsed_s or 0) >= 30)
    when = (clock.now() - timedelta(seconds=10)).astimezone(timezone(timedelta(hours=2)))
    result = EventResult.model_validate(
        await call_ok(
            client,
            "report_first_crack",
            {"timestamp": when.isoformat(), "temperature_c": 196.5},
        )
    )
    assert result.event.bean_temp_c == 196.5
    assert result.event.elapsed_s == pytest.approx(20, abs=1.5)


async def test_mark_event_marks_charge_now_and_dry_end_at_a_time(
    client: Client, started: RoastSessionManager, clock: ManualClock
) -> None:
    run_until(started, clock, lambda s: s.connection.samples >= 5)
    charge = EventResult.model_validate(await call_ok(client, "mark_event", {"event": "CHARGE"}))
    assert (charge.event.type, charge.event.source) == ("CHARGE", "manual")
    run_until(started, clock, lambda s: s.connection.samples >= 20)
    at = (clock.now() - timedelta(seconds=5)).isoformat().replace("+00:00", "Z")
    dry = EventResult.model_validate(
        await call_ok(client, "mark_event", {"event": "DRY_END", "timestamp": at})
    )
    assert dry.event.type == "DRY_END"
    assert dry.event.elapsed_s == pytest.approx(10, abs=1.5)


async def test_mark_event_refuses_before_charge_and_unknown_events(
    client: Client, started: RoastSessionManager
) -> None:
    await refused(client, started, "mark_event", {"event": "FC_END"}, "needs CHARGE first")
    await refused(client, started, "mark_event", {"event": "TP"}, "CHARGE", "DRY_END")
    await refused(
        client,
        started,
        "mark_event",
        {"event": "CHARGE", "timestamp": "2026-01-01 08:00"},
        "no timezone",
    )


# --------------------------------------------------------------------- session
async def test_start_session_is_idempotent_and_a_restart_begins_a_new_roast(
    client: Client, started: RoastSessionManager
) -> None:
    again = await call_ok(client, "start_session")
    assert again["session_active"] is True
    assert again["roast_number"] == 1
    assert "already active" in again["done"]
    stopped = await call_ok(client, "stop_session")
    assert (stopped["session_active"], stopped["connected"]) == (False, False)
    assert (await call_ok(client, "stop_session"))["done"].startswith("no session was active")
    restarted = await call_ok(client, "start_session")
    assert (restarted["session_active"], restarted["roast_number"]) == (True, 2)
    assert restarted["roaster_model"] == "Simulated Hottop KN-8828B-2K+"


async def test_stop_session_switches_the_heater_off(
    client: Client, started: RoastSessionManager, sim: SimulatedRoaster
) -> None:
    await call_ok(client, "start_roaster")
    await call_ok(client, "set_heat", {"percent": 90})
    await call_ok(client, "stop_session")
    sim.connect()
    assert sim.read_sensors().heat_percent == 0


async def test_a_manager_failure_becomes_an_actionable_tool_error(
    client: Client, started: RoastSessionManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise OSError("serial port vanished")

    monkeypatch.setattr(started, "start_cooling", broken)
    await refused(
        client,
        started,
        "start_cooling",
        {},
        "start_cooling failed unexpectedly",
        "OSError: serial port vanished",
        "emergency_stop",
    )


# --------------------------------------------------------------------- simulator tools
async def test_charge_beans_refuses_a_second_batch(
    client: Client, started: RoastSessionManager, sim: SimulatedRoaster
) -> None:
    await call_ok(client, "charge_beans", {"mass_g": 150})
    assert sim.beans_in_drum
    await refused(client, started, "charge_beans", {"mass_g": 150}, "already in the drum")


async def test_charge_beans_refuses_a_mass_out_of_range(
    client: Client, started: RoastSessionManager, sim: SimulatedRoaster
) -> None:
    await refused(client, started, "charge_beans", {"mass_g": 20}, "mass_g", "50")
    await refused(client, started, "charge_beans", {"mass_g": 300}, "mass_g", "250")
    assert not sim.beans_in_drum


async def test_simulator_tools_exist_only_with_a_simulator(started: RoastSessionManager) -> None:
    async with Client(create_server(started), raise_exceptions=True) as c:
        names = {tool.name for tool in (await c.list_tools()).tools}
        assert not {"charge_beans", "first_crack_heard"} & names
        result = await c.call_tool("charge_beans", {"mass_g": 100})
        assert result.is_error


# --------------------------------------------------------------------- emergency stop
async def test_emergency_stop_switches_off_and_drops(
    client: Client, started: RoastSessionManager, clock: ManualClock
) -> None:
    await preheat_and_charge(client, started, clock)
    result = await call_ok(client, "emergency_stop")
    assert (result["heat_off"], result["drop_sequence_sent"]) == (True, True)
    assert result["roaster"]["heat_percent"] == 0
    assert result["roaster"]["door_open"] is True
    run_until(started, clock, lambda s: RoastEventType.DROP in {e.type for e in s.events})
    assert (await call_ok(client, "emergency_stop"))["heat_off"] is True  # repeatable


async def test_emergency_stop_without_a_connection_says_so(
    client: Client, started: RoastSessionManager
) -> None:
    await call_ok(client, "stop_session")
    result = await client.call_tool("emergency_stop", {})
    assert result.is_error
    assert "EMERGENCY STOP INCOMPLETE" in text(result)
    assert "not connected" in text(result)


class BlockingRoaster(SimulatedRoaster):
    """A simulator whose set_fan hangs until released: a command stuck in the device."""

    def __init__(self, config: SimulatorConfig, clock: ManualClock) -> None:
        super().__init__(config, clock)
        self.entered = threading.Event()
        self.release = threading.Event()

    def set_fan(self, percent: int) -> None:
        self.entered.set()
        assert self.release.wait(5), "test did not release the blocked command"
        super().set_fan(percent)


async def test_emergency_stop_does_not_wait_behind_other_calls(clock: ManualClock) -> None:
    roaster = BlockingRoaster(SimulatorConfig(seed=7), clock)
    manager = RoastSessionManager(
        roaster, ServerConfig(timezone="UTC"), clock=clock, background_polling=False
    )
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(100)
    server = create_server(manager, simulator=roaster)
    statuses: list[CallToolResult] = []
    try:
        async with Client(server, raise_exceptions=True) as c, anyio.create_task_group() as tg:

            async def status() -> None:
                statuses.append(await c.call_tool("get_roast_status", {}))

            async def stuck_fan() -> None:
                await c.call_tool("set_fan", {"percent": 30})

            tg.start_soon(stuck_fan)  # holds the manager's command lock inside the device
            assert await anyio.to_thread.run_sync(roaster.entered.wait, 5)
            for _ in range(12):
                tg.start_soon(status)
            # Every default worker thread busy too: the e-stop has its own.
            limiter = anyio.to_thread.current_default_thread_limiter()
            borrowers = [object() for _ in range(int(limiter.available_tokens))]
            for borrower in borrowers:
                await limiter.acquire_on_behalf_of(borrower)
            try:
                with anyio.fail_after(2):
                    result = await c.call_tool("emergency_stop", {})
            finally:
                for borrower in borrowers:
                    limiter.release_on_behalf_of(borrower)
            assert not result.is_error, text(result)
            reading = roaster.read_sensors()
            assert (reading.heat_percent, reading.door_open, reading.drum_on) == (0, True, True)
            roaster.release.set()
        assert len(statuses) == 12
        assert not any(r.is_error for r in statuses)
        assert roaster.read_sensors().heat_percent == 0
    finally:
        roaster.release.set()
        manager.stop_session()
