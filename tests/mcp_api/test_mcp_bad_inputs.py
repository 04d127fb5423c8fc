"""Bad input to every tool: always a readable tool error, never a crash, and nothing changes."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp.client import Client
from mcp.types import CallToolResult, TextContent

from roastctl.clock import ManualClock
from roastctl.config import ServerConfig, SimulatorConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.server import create_server
from roastctl.session.manager import RoastSessionManager

VALID_TS = "2026-01-01T08:00:00Z"

#: (tool, arguments) that must each be refused. Wrong types, out of range, missing and extra.
#: (NaN and infinity are absent: JSON cannot carry them; the client sends them as null.)
BAD_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("get_roast_status", {"verbose": True}),
    ("get_roast_curve", {"last_n": 0}),
    ("get_roast_curve", {"last_n": 5001}),
    ("get_roast_curve", {"last_n": "10"}),
    ("get_roast_curve", {"last_n": 2.5}),
    ("get_roast_curve", {"last_n": True}),
    ("get_roast_curve", {"max_points": 1}),
    ("get_roast_curve", {"max_points": 2001}),
    ("get_roast_curve", {"since_s": "soon"}),
    ("get_roast_curve", {"since_s": [1]}),
    ("get_roast_curve", {"n": 10}),
    *(
        (tool, args)
        for tool in ("set_heat", "set_fan")
        for args in (
            {},
            {"percent": None},
            {"percent": "50"},
            {"percent": "fifty"},
            {"percent": True},
            {"percent": 50.5},
            {"percent": -10},
            {"percent": 110},
            {"percent": 1000},
            {"percent": 55},
            {"percent": [50]},
            {"percent": {"value": 50}},
            {"level": 50},
            {"percent": 50, "ramp": 5},
        )
    ),
    ("start_roaster", {"speed": 1}),
    ("stop_roaster", {"now": True}),
    ("drop_beans", {"confirm": True}),
    ("start_cooling", {"fan": 100}),
    ("stop_cooling", {"x": None}),
    ("report_first_crack", {}),
    ("report_first_crack", {"timestamp": None}),
    ("report_first_crack", {"timestamp": 1767254400}),
    ("report_first_crack", {"timestamp": ""}),
    ("report_first_crack", {"timestamp": "x" * 100}),
    ("report_first_crack", {"timestamp": "2026-01-01T08:00:00"}),
    ("report_first_crack", {"timestamp": "not a time"}),
    ("report_first_crack", {"timestamp": VALID_TS, "temperature_c": "hot"}),
    ("report_first_crack", {"timestamp": VALID_TS, "temperature_c": 400}),
    ("report_first_crack", {"timestamp": VALID_TS, "confidence": 0.9}),
    ("mark_event", {}),
    ("mark_event", {"event": "charge"}),
    ("mark_event", {"event": "TP"}),
    ("mark_event", {"event": 1}),
    ("mark_event", {"event": None}),
    ("mark_event", {"event": "CHARGE", "timestamp": 5}),
    ("mark_event", {"event": "CHARGE", "timestamp": "noon"}),
    ("mark_event", {"event": "CHARGE", "note": "x"}),
    ("start_session", {"driver": "hottop"}),
    ("stop_session", {"force": True}),
    ("charge_beans", {}),
    ("charge_beans", {"mass_g": "200"}),
    ("charge_beans", {"mass_g": 10}),
    ("charge_beans", {"mass_g": 260}),
    ("charge_beans", {"mass_g": None}),
    ("charge_beans", {"mass_g": 200, "origin": "Kenya"}),
    ("first_crack_heard", {"reset": True}),
    ("what_if", {"horizon_s": 5}),
    ("what_if", {"horizon_s": "long"}),
    ("what_if", {"heat_percent": 55}),
    ("what_if", {"fan_percent": 105}),
    ("what_if", {"heat_percent": 50, "apply": True}),
    ("what_if", {"changes": [{"at_s": 1, "heat_percent": 50}] * 21}),
    ("what_if", {"changes": [{"at_s": 500, "heat_percent": 50}]}),
    ("what_if", {"changes": [{"at_s": 1}]}),
    ("what_if", {"changes": "heat 50 now"}),
    ("set_temperature", {"celsius": 200}),
    ("", {}),
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def busy(started: RoastSessionManager) -> RoastSessionManager:
    """A running roaster with non-default settings, so any change would show."""
    started.start_roaster()
    started.set_heat(40)
    started.set_fan(20)
    return started


@pytest.fixture
async def client(busy: RoastSessionManager, sim: SimulatedRoaster) -> AsyncIterator[Client]:
    async with Client(create_server(busy, simulator=sim), raise_exceptions=True) as c:
        yield c


def text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def state(manager: RoastSessionManager, sim: SimulatedRoaster) -> tuple[Any, ...]:
    status = manager.get_status()
    r = sim.read_sensors()
    events = tuple((e.type, e.monotonic_s, e.source) for e in status.events)
    return (
        r.heat_percent,
        r.fan_percent,
        r.drum_on,
        r.door_open,
        r.cooling_on,
        sim.beans_in_drum,
        status.session_active,
        status.roast_number,
        events,
    )


BY_TOOL: dict[str, list[dict[str, Any]]] = {}
for _tool, _arguments in BAD_CALLS:
    BY_TOOL.setdefault(_tool, []).append(_arguments)


@pytest.mark.anyio
@pytest.mark.parametrize("tool", sorted(BY_TOOL))
async def test_bad_input_is_a_tool_error_and_changes_nothing(
    client: Client, busy: RoastSessionManager, sim: SimulatedRoaster, tool: str
) -> None:
    failures = []
    for arguments in BY_TOOL[tool]:
        before = state(busy, sim)
        result = await client.call_tool(tool, arguments)
        message = text(result)
        if not result.is_error:
            failures.append(f"{tool}({arguments}) was accepted: {result.structured_content}")
        elif message.rstrip() == f"Error executing tool {tool}":
            failures.append(f"{tool}({arguments}) crashed (sanitized error)")
        elif state(busy, sim) != before:
            failures.append(f"{tool}({arguments}) changed the state")
    assert not failures, "\n".join(failures)


@pytest.mark.anyio
async def test_unknown_arguments_are_named_with_the_accepted_ones(client: Client) -> None:
    result = await client.call_tool("set_heat", {"percent": 50, "ramp": 5})
    assert result.is_error
    assert "unknown argument(s) ramp" in text(result)
    assert "It takes percent" in text(result)


@pytest.mark.anyio
async def test_emergency_stop_is_never_refused_for_its_arguments(
    client: Client, sim: SimulatedRoaster
) -> None:
    result = await client.call_tool("emergency_stop", {"reason": "smoke", "level": [1]})
    assert not result.is_error, text(result)
    r = sim.read_sensors()
    assert (r.heat_percent, r.door_open) == (0, True)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=2)
    ),
    max_leaves=4,
)


def allowed(value: object, step: int) -> int | None:
    """The percent the manager accepts for ``value``, or None if it must be refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return None
    number = int(value)
    return number if 0 <= number <= 100 and number % step == 0 else None


@pytest.mark.parametrize("tool", ["set_heat", "set_fan"])
def test_any_json_value_for_a_percent_is_applied_exactly_or_refused(
    clock: ManualClock, tool: str
) -> None:
    sim = SimulatedRoaster(SimulatorConfig(seed=3), clock)
    manager = RoastSessionManager(
        sim, ServerConfig(timezone="UTC"), clock=clock, background_polling=False
    )
    manager.start_session()
    manager.start_roaster()
    index = 0 if tool == "set_heat" else 1
    try:
        with (
            start_blocking_portal() as portal,
            portal.wrap_async_context_manager(
                Client(create_server(manager, simulator=sim), raise_exceptions=True)
            ) as client,
        ):

            @settings(
                max_examples=75,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
                database=None,
            )
            @given(value=JSON_VALUES)
            def check(value: object) -> None:
                before = state(manager, sim)
                result = portal.call(client.call_tool, tool, {"percent": value})
                expected = allowed(value, 10)
                if expected is None:
                    assert result.is_error, f"{tool}({value!r}) accepted"
                    assert state(manager, sim) == before
                else:
                    assert not result.is_error, text(result)
                    assert state(manager, sim)[index] == expected

            check()
    finally:
        manager.stop_session()
