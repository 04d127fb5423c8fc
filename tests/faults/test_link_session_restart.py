"""A session restart in every roaster state: interlocks follow the roaster, faults stay latched.

``stop_session`` + ``start_session`` is what an agent does between batches. It must not wash
away what keeps the roaster safe: heat into an open door or a cooling drum stays refused because
the roaster reports the door open or the stirrer running, whatever the session remembers, and a
latched fault outlives the restart (``start_session`` refuses the new roast until it is cleared).
The simulator runs on a :class:`ManualClock` stepped by the test.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable

import anyio
import pytest
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters

from roastctl.clock import ManualClock
from roastctl.config import ServerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.errors import FaultActiveError, SafetyInterlockError
from roastctl.mcp.server import create_server
from roastctl.models import RoastStatus, SafetyRule
from roastctl.session.manager import RoastSessionManager
from support import preheat_and_charge, run_until, simulated_session, tool_text


def make(clock: ManualClock) -> tuple[RoastSessionManager, SimulatedRoaster]:
    manager, sim, _ = simulated_session(None, clock)
    return manager, sim


def step(manager: RoastSessionManager, clock: ManualClock, seconds: float = 1.0) -> RoastStatus:
    clock.advance(seconds)
    manager.poll_once()
    return manager.get_status()


def faults(manager: RoastSessionManager) -> list[SafetyRule]:
    return [fault.rule for fault in manager.get_status().safety.faults]


# ----------------------------------------------------------------- the roaster states
def preheat(manager: RoastSessionManager, sim: SimulatedRoaster, clock: ManualClock) -> None:
    manager.start_roaster()
    manager.set_heat(100)
    run_until(manager, clock, lambda s: s.sensors is not None and s.sensors.env_temp_c >= 150)


def roasting(manager: RoastSessionManager, sim: SimulatedRoaster, clock: ManualClock) -> None:
    preheat_and_charge(manager, clock)
    step(manager, clock, 30.0)


def dropped(manager: RoastSessionManager, sim: SimulatedRoaster, clock: ManualClock) -> None:
    roasting(manager, sim, clock)
    manager.drop_beans()
    step(manager, clock)


def e_stopped(manager: RoastSessionManager, sim: SimulatedRoaster, clock: ManualClock) -> None:
    preheat(manager, sim, clock)
    manager.emergency_stop()
    step(manager, clock)


def faulted(manager: RoastSessionManager, sim: SimulatedRoaster, clock: ManualClock) -> None:
    roasting(manager, sim, clock)
    sim.override_probes(bean_c=225.0)  # a runaway: the supervisor drops and latches a fault
    step(manager, clock)
    sim.override_probes()


Setup = Callable[[RoastSessionManager, SimulatedRoaster, ManualClock], None]

#: Each state, whether heat may come back after a restart, and the fault it leaves latched.
STATES: dict[str, tuple[Setup, bool, SafetyRule | None]] = {
    "preheat": (preheat, True, None),
    "roasting": (roasting, False, None),  # stop_session drops the hot beans itself
    "dropped and cooling": (dropped, False, None),
    "emergency-stopped": (e_stopped, False, SafetyRule.EMERGENCY_STOP),
    "faulted": (faulted, False, SafetyRule.BEAN_OVER_TEMPERATURE),
}


@pytest.mark.parametrize("name", STATES)
def test_a_restart_keeps_every_interlock_and_every_fault(clock: ManualClock, name: str) -> None:
    setup, heat_may_return, fault = STATES[name]
    manager, sim = make(clock)
    manager.start_session()
    try:
        setup(manager, sim, clock)
        latched = faults(manager)
        manager.stop_session()
        clock.advance(1.0)
        if fault is None:
            manager.start_session()
        else:
            with pytest.raises(FaultActiveError) as refused:
                manager.start_session()
            message = str(refused.value)
            assert fault.value in message  # names the fault, what clears it and what to do
            assert "clears when" in message
            assert "clear_fault" in message
            assert "new_roast" in message
        assert faults(manager) == latched  # a restart never clears a latched fault
        assert manager.is_active()  # the roaster is watched either way
        step(manager, clock)
        assert sim.actuators().heat_percent == 0  # nothing brought the heat back by itself
        if heat_may_return:
            manager.set_heat(100)  # door closed, stirrer off, drum on: heat is legitimate
            assert sim.actuators().heat_percent == 100
        else:
            with pytest.raises((SafetyInterlockError, FaultActiveError)):
                manager.set_heat(100)
            assert sim.actuators().heat_percent == 0
            assert manager.get_status().safety.heat_allowed is False
    finally:
        manager.stop_session()


@pytest.mark.parametrize("name", ["emergency-stopped", "faulted"])
def test_clearing_the_fault_after_a_restart_still_keeps_heat_out_of_an_open_door(
    clock: ManualClock, name: str
) -> None:
    setup, _, fault = STATES[name]
    manager, sim = make(clock)
    manager.start_session()
    try:
        setup(manager, sim, clock)
        manager.stop_session()
        with pytest.raises(FaultActiveError):
            manager.start_session()
        run_until(manager, clock, lambda s: s.sensors is not None and s.sensors.bean_temp_c < 170)
        assert manager.clear_fault() == [fault]
        assert sim.actuators().door_open  # the roaster still reports the door open
        with pytest.raises(SafetyInterlockError, match="door"):
            manager.set_heat(100)
        assert sim.actuators().heat_percent == 0
        manager.new_roast()  # the fault is cleared: the roast can begin
        assert manager.get_status().safety.faults == ()
    finally:
        manager.stop_session()


def test_the_next_batch_sequence_is_safe(clock: ManualClock) -> None:
    manager, sim = make(clock)
    manager.start_session()
    try:
        dropped(manager, sim, clock)
        manager.stop_session()
        manager.start_session()
        run_until(manager, clock, lambda s: s.sensors is not None and s.sensors.bean_temp_c < 55)
        manager.stop_cooling()  # the beans are cool: door closed, stirrer, fan and drum off
        step(manager, clock)
        manager.start_roaster()
        manager.set_heat(100)
        assert sim.actuators().heat_percent == 100
    finally:
        manager.stop_session()


def test_interlocks_follow_the_roaster_even_for_a_new_server(clock: ManualClock) -> None:
    """A new process knows nothing of the last one: the roaster's readings are what counts."""
    first, sim = make(clock)
    first.start_session()
    dropped(first, sim, clock)
    first.stop_session()
    second = RoastSessionManager(
        sim, ServerConfig(timezone="UTC"), clock=clock, background_polling=False
    )
    second.start_session()
    try:
        step(second, clock)
        second.start_roaster()
        with pytest.raises(SafetyInterlockError, match="door"):
            second.set_heat(100)
        assert sim.actuators().heat_percent == 0
        status = second.get_status().safety
        assert status.heat_allowed is False
        assert status.heat_refused_because is not None
    finally:
        second.stop_session()


# ----------------------------------------------------------------- through the MCP client
@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(started: RoastSessionManager, sim: SimulatedRoaster) -> AsyncIterator[Client]:
    async with Client(create_server(started, simulator=sim), raise_exceptions=True) as c:
        yield c


@pytest.mark.anyio
async def test_the_restart_the_stop_session_tool_suggests_keeps_heat_out(
    client: Client, started: RoastSessionManager, sim: SimulatedRoaster, clock: ManualClock
) -> None:
    preheat_and_charge(started, clock)
    assert not (await client.call_tool("drop_beans", {})).is_error
    step(started, clock)
    assert not (await client.call_tool("stop_session", {})).is_error
    assert not (await client.call_tool("start_session", {})).is_error
    step(started, clock)
    refused = await client.call_tool("set_heat", {"percent": 100})
    assert refused.is_error
    assert "door" in tool_text(refused)
    assert sim.actuators().heat_percent == 0
    stop_text = next(t for t in (await client.list_tools()).tools if t.name == "stop_session")
    assert stop_text.description is not None
    assert "stop_cooling" in stop_text.description


@pytest.mark.anyio
async def test_start_session_refuses_a_new_roast_while_a_fault_is_latched(
    client: Client, started: RoastSessionManager, sim: SimulatedRoaster, clock: ManualClock
) -> None:
    await client.call_tool("start_roaster", {})
    await client.call_tool("emergency_stop", {})
    step(started, clock)
    number = started.get_status().roast_number
    await client.call_tool("stop_session", {})
    refused = await client.call_tool("start_session", {})
    assert refused.is_error
    assert "emergency_stop" in tool_text(refused)
    assert "clear_fault" in tool_text(refused)
    assert started.get_status().roast_number == number  # no new roast was opened


STDIO_SERVER = """
from roastctl.clock import ScaledClock
from roastctl.config import ServerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.server import run_stdio
from roastctl.session.manager import RoastSessionManager

clock = ScaledClock(10.0)
sim = SimulatedRoaster(None, clock)
run_stdio(RoastSessionManager(sim, ServerConfig(timezone="UTC"), clock=clock), simulator=sim)
"""


@pytest.mark.anyio
async def test_a_restart_over_real_stdio_keeps_heat_out_of_an_open_door() -> None:
    params = StdioServerParameters(command=sys.executable, args=["-c", STDIO_SERVER])
    with anyio.fail_after(30):
        async with Client(params, raise_exceptions=True) as c:
            for tool in ("start_roaster", "drop_beans", "stop_session", "start_session"):
                done = await c.call_tool(tool, {})
                assert not done.is_error, tool_text(done)
            await anyio.sleep(0.3)  # a few samples at 10x speed
            refused = await c.call_tool("set_heat", {"percent": 100})
            assert refused.is_error
            assert "door open" in tool_text(refused)
            status = await c.call_tool("get_roast_status", {})
            assert status.structured_content is not None
            assert status.structured_content["safety"]["heat_allowed"] is False
