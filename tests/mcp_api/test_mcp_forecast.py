"""The forecast over MCP: ``get_roast_status`` and the status resource carry it; ``what_if`` asks.

A simulated roast is stepped by hand (ManualClock + poll_once) past CHARGE and 90 s in, at heat
70 %, then read through the official MCP client: in memory, and once over real stdio (the server
process steps its own roast the same way before it serves). ``what_if`` must answer from the live
estimate without sending anything to the roaster, and refuse bad values naming them.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import pytest
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters
from mcp.types import CallToolResult, TextResourceContents

from roastctl.access.principal import Principal
from roastctl.access.roles import OBSERVER_TOOLS, Role
from roastctl.access.server_access import McpAccess
from roastctl.clock import ManualClock
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.server import STATUS_URI, create_server
from roastctl.mcp.views import FORECAST_VIEW_OMITS, ForecastView
from roastctl.models import RoastForecast
from roastctl.session.manager import RoastSessionManager
from support import preheat_and_charge, run_until, tool_text

pytestmark = pytest.mark.anyio

OBSERVER = McpAccess(launch=Principal(Role.OBSERVER))
#: The heat the roast runs at when the questions are asked: room to go down and up.
ROAST_HEAT = 70
#: Seconds after CHARGE the questions are asked.
ASK_AT_S = 90.0
#: The roaster commands a what-if must never send.
COMMANDS = (
    "set_heat",
    "set_fan",
    "start_drum",
    "stop_drum",
    "drop_beans",
    "start_cooling",
    "stop_cooling",
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def roasting(started: RoastSessionManager, clock: ManualClock) -> RoastSessionManager:
    """A roast 90 s past CHARGE at heat 70 %, fan 0 %."""
    preheat_and_charge(started, clock)
    started.set_heat(ROAST_HEAT)
    run_until(
        started, clock, lambda s: (s.metrics.roast_elapsed_s or 0.0) >= ASK_AT_S, forecast=True
    )
    return started


@pytest.fixture
def sent(sim: SimulatedRoaster, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every command the roaster receives from now on, by name."""
    received: list[str] = []

    def spy(name: str, original: Callable[..., None]) -> Callable[..., None]:
        def command(*args: Any, **kwargs: Any) -> None:
            received.append(name)
            original(*args, **kwargs)

        return command

    for name in COMMANDS:
        monkeypatch.setattr(sim, name, spy(name, getattr(sim, name)))
    return received


@pytest.fixture
async def client(roasting: RoastSessionManager, sim: SimulatedRoaster) -> AsyncIterator[Client]:
    async with Client(create_server(roasting, simulator=sim), raise_exceptions=True) as c:
        yield c


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, tool_text(result)
    content: dict[str, Any] | None = result.structured_content
    assert content is not None
    return content


def assert_bt_ahead(forecast: dict[str, Any]) -> None:
    """BT 60/120/180 s ahead, each inside its own 80 % interval."""
    for ahead in (60, 120, 180):
        name = f"bt_in_{ahead}s_c"
        low, value, high = forecast[name + "_low"], forecast[name], forecast[name + "_high"]
        assert None not in (low, value, high), name
        assert low <= value <= high, (name, low, value, high)


# --------------------------------------------------------------------- the status
async def test_get_roast_status_carries_the_forecast_without_its_curve(client: Client) -> None:
    status = structured(await client.call_tool("get_roast_status", {}))
    forecast = status["forecast"]
    assert forecast["state"] == "ok", forecast
    assert forecast["reason"] is None
    assert (forecast["heat_percent"], forecast["fan_percent"]) == (ROAST_HEAT, 0)
    assert_bt_ahead(forecast)
    # Rising at 70 % heat 90 s in: BT goes up, and first crack is ahead, later than dry end.
    assert forecast["bt_in_60s_c"] < forecast["bt_in_120s_c"] < forecast["bt_in_180s_c"]
    assert 0 < forecast["dry_end_in_s"] < forecast["first_crack_in_s"]
    assert forecast["first_crack_in_s_low"] <= forecast["first_crack_in_s"]
    assert forecast["first_crack_in_s"] <= forecast["first_crack_in_s_high"]
    assert forecast["first_crack_bt_basis"] in ("history", "config", "model")
    assert forecast["drop_in_s"] is None  # no first crack yet: no drop time
    assert forecast["heater_power_factor"] is not None
    assert "curve" not in forecast


async def test_the_status_resource_carries_the_whole_forecast(
    client: Client, roasting: RoastSessionManager
) -> None:
    first = (await client.read_resource(STATUS_URI)).contents[0]
    assert isinstance(first, TextResourceContents)
    snapshot = json.loads(first.text)
    forecast = snapshot["forecast"]
    assert forecast["state"] == "ok"
    assert_bt_ahead(forecast)
    curve = forecast["curve"]
    assert curve[0]["in_s"] == 0
    assert curve[-1]["in_s"] >= 180
    at_60 = next(point for point in curve if point["in_s"] == 60)
    assert at_60["bean_temp_c"] == forecast["bt_in_60s_c"]
    tool = structured(await client.call_tool("get_roast_status", {}))["forecast"]
    assert tool["bt_in_120s_c"] == forecast["bt_in_120s_c"]


def test_the_status_view_has_every_forecast_number() -> None:
    """A field added to RoastForecast must reach get_roast_status, or be left out on purpose."""
    assert set(ForecastView.model_fields) == set(RoastForecast.model_fields) - FORECAST_VIEW_OMITS


async def test_the_status_forecast_is_null_when_the_session_is_off(
    manager: RoastSessionManager, sim: SimulatedRoaster
) -> None:
    async with Client(create_server(manager, simulator=sim), raise_exceptions=True) as c:
        status = structured(await c.call_tool("get_roast_status", {}))
        assert status["session_active"] is False
        assert status["forecast"] is None


# --------------------------------------------------------------------- what_if
async def test_what_if_heat_down_or_up_moves_bt_and_sends_nothing(
    client: Client, sim: SimulatedRoaster, sent: list[str], record_property: Any
) -> None:
    timings: list[float] = []

    async def ask(arguments: dict[str, Any]) -> tuple[dict[str, Any], str]:
        start = time.perf_counter()
        result = await client.call_tool("what_if", arguments)
        timings.append((time.perf_counter() - start) * 1000.0)
        return structured(result), tool_text(result)

    cooler, cooler_text = await ask({"heat_percent": 0})
    hotter, hotter_text = await ask({"heat_percent": 100})
    held = cooler["holding"]
    assert held["state"] == "ok"
    assert held["heat_percent"] == ROAST_HEAT
    assert_bt_ahead(cooler["forecast"])
    assert_bt_ahead(hotter["forecast"])
    for ahead in (60, 120, 180):
        name = f"bt_in_{ahead}s_c"
        assert cooler["forecast"][name] < held[name] < hotter["forecast"][name], name
    # The curve runs to the horizon; at its end, heat 0 is below holding, heat 100 above.
    end = cooler["forecast"]["curve"][-1]
    assert end["in_s"] == cooler["horizon_s"] == 180
    assert end["bean_temp_c"] < held["curve"][-1]["bean_temp_c"]
    assert hotter["forecast"]["curve"][-1]["bean_temp_c"] > held["curve"][-1]["bean_temp_c"]
    # More heat brings first crack sooner.
    assert hotter["forecast"]["first_crack_in_s"] < held["first_crack_in_s"]
    assert hotter["schedule"] == [{"at_s": 0.0, "heat_percent": 100, "fan_percent": None}]
    assert (hotter["forecast"]["heat_percent"], hotter["forecast"]["fan_percent"]) == (100, 0)
    # The text compares both at the horizon and gives the ETAs.
    assert "heat 0 % now" in cooler_text
    assert "holding" in cooler_text
    assert "BT in 180 s" in hotter_text
    assert "First crack" in hotter_text
    assert "Nothing was sent" in hotter_text
    # Read-only: the roaster got no command, and still runs as it did.
    assert sent == []
    actuators = sim.actuators()
    assert (actuators.heat_percent, actuators.fan_percent) == (ROAST_HEAT, 0)
    # Latency is the benchmark's business; here it is only recorded.
    record_property("what_if_ms", [round(ms, 1) for ms in timings])


async def test_what_if_follows_a_schedule_to_a_longer_horizon(client: Client) -> None:
    answer = structured(
        await client.call_tool(
            "what_if",
            {
                "fan_percent": 30,
                "changes": [{"at_s": 120, "heat_percent": 40}, {"at_s": 60, "heat_percent": 100}],
                "horizon_s": 300,
            },
        )
    )
    assert answer["horizon_s"] == 300
    assert [change["at_s"] for change in answer["schedule"]] == [0, 60, 120]  # sorted
    curve = answer["forecast"]["curve"]
    assert curve[-1]["in_s"] == 300
    assert all(p["bean_temp_low_c"] <= p["bean_temp_c"] <= p["bean_temp_high_c"] for p in curve)
    assert answer["forecast"]["curve"] != answer["holding"]["curve"]
    # The forecast ends on the schedule's last settings; holding keeps today's.
    assert (answer["forecast"]["heat_percent"], answer["forecast"]["fan_percent"]) == (40, 30)
    assert (answer["holding"]["heat_percent"], answer["holding"]["fan_percent"]) == (ROAST_HEAT, 0)


async def test_what_if_with_no_change_is_the_holding_forecast(client: Client) -> None:
    answer = structured(await client.call_tool("what_if", {}))
    assert answer["schedule"] == []
    assert answer["forecast"] == answer["holding"]


#: Bad what-if arguments, and what the refusal must name.
BAD_WHAT_IFS: list[tuple[dict[str, Any], tuple[str, ...]]] = [
    ({"horizon_s": 5}, ("horizon_s", "10")),
    ({"horizon_s": 1201}, ("horizon_s", "1200")),
    ({"horizon_s": 10**400}, ("horizon_s", "1200")),
    ({"heat_percent": 55}, ("heat 55", "steps of 10", "50 and 60")),
    ({"heat_percent": 110}, ("heat 110", "0-100")),
    ({"fan_percent": 105}, ("fan 105", "0-100")),
    ({"fan_percent": 15}, ("fan 15", "steps of 10")),
    ({"heat_percent": "50"}, ("heat", "50")),
    ({"changes": [{"at_s": 10, "heat_percent": 50}] * 21}, ("changes", "20", "21")),
    (
        {"fan_percent": 10, "changes": [{"at_s": 10, "heat_percent": 50}] * 20},
        ("21 changes", "at most 20"),
    ),
    ({"changes": [{"at_s": 300, "heat_percent": 50}]}, ("at_s 300", "horizon (180 s)")),
    ({"changes": [{"at_s": -1, "heat_percent": 50}]}, ("at_s", "0")),
    ({"changes": [{"at_s": 30}]}, ("neither heat_percent nor fan_percent",)),
    ({"changes": [{"at_s": 30, "heat_percent": 45}]}, ("heat 45", "steps of 10")),
    ({"changes": [{"at_s": 30, "heat": 50}]}, ("heat", "Extra inputs are not permitted")),
    ({"heat": 50}, ("unknown argument(s) heat", "heat_percent")),
]


async def test_bad_what_ifs_are_refused_naming_the_value_and_change_nothing(
    client: Client, sim: SimulatedRoaster, sent: list[str]
) -> None:
    failures = []
    for arguments, named in BAD_WHAT_IFS:
        result = await client.call_tool("what_if", arguments)
        text = tool_text(result)
        shown = str(arguments)[:80]
        if not result.is_error:
            failures.append(f"{shown} was answered")
        missing = [part for part in named if part not in text]
        if missing:
            failures.append(f"{shown}: {missing} not in {text[:400]!r}")
        if "unexpectedly" in text or len(text) > 1500:  # a huge value is not echoed whole
            failures.append(f"{shown}: {text[:400]!r}")
    assert not failures, "\n".join(failures)
    assert sent == []
    assert sim.actuators().heat_percent == ROAST_HEAT


async def test_what_if_is_refused_without_a_session_or_before_the_estimate_settles(
    manager: RoastSessionManager, sim: SimulatedRoaster, clock: ManualClock, sent: list[str]
) -> None:
    async with Client(create_server(manager, simulator=sim), raise_exceptions=True) as c:
        off = await c.call_tool("what_if", {"heat_percent": 50})
        assert off.is_error
        assert "start_session" in tool_text(off)
        manager.start_session()  # one sample so far: the estimate is still settling
        early = await c.call_tool("what_if", {"heat_percent": 50})
        assert early.is_error
        text = tool_text(early)
        assert "what_if has no answer now" in text
        assert "settling" in text
        assert "forecast.state ok" in text
        status = structured(await c.call_tool("get_roast_status", {}))
        assert status["forecast"]["state"] == "warming_up"
        assert status["forecast"]["bt_in_60s_c"] is None
        # Once the estimate has settled it answers (before CHARGE: BT ahead, no ETAs).
        run_until(
            manager,
            clock,
            lambda s: s.forecast is not None and s.forecast.state == "ok",
            forecast=True,
        )
        ready = await c.call_tool("what_if", {"fan_percent": 50})
        assert structured(ready)["forecast"]["state"] == "ok"
        assert "No ETAs before CHARGE" in tool_text(ready)
    assert sent == []


async def test_what_if_refuses_once_the_beans_are_out(
    client: Client, roasting: RoastSessionManager, clock: ManualClock
) -> None:
    roasting.drop_beans()
    clock.advance(1.0)
    roasting.poll_once()
    refused = await client.call_tool("what_if", {"heat_percent": 0})
    assert refused.is_error
    assert "beans are out" in tool_text(refused)


async def test_an_observer_may_ask_what_if(
    roasting: RoastSessionManager, sim: SimulatedRoaster, sent: list[str]
) -> None:
    assert "what_if" in OBSERVER_TOOLS
    server = create_server(roasting, simulator=sim, access=OBSERVER)
    async with Client(server, raise_exceptions=True) as c:
        assert "what_if" in {tool.name for tool in (await c.list_tools()).tools}
        answer = structured(await c.call_tool("what_if", {"heat_percent": 100}))
        assert answer["forecast"]["heat_percent"] == 100
    assert sent == []


# --------------------------------------------------------------------- over real stdio
#: A server process that steps its own roast by hand to 90 s past CHARGE at heat 70 %, then
#: serves it over stdio with the clock standing still (nothing moves while the test asks).
STDIO_SERVER = """
from roastctl.clock import ManualClock
from roastctl.config import ServerConfig, SimulatorConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.server import run_stdio
from roastctl.session.manager import RoastSessionManager

clock = ManualClock()
sim = SimulatedRoaster(SimulatorConfig(seed=7, bean_variance_c=0.0), clock)
manager = RoastSessionManager(
    sim, ServerConfig(timezone="UTC"), clock=clock, background_polling=False
)


def step_until(done):
    for _ in range(3600):
        status = manager.get_status()
        if done(status):
            return
        clock.advance(1.0)
        manager.poll_once()
    raise SystemExit("the roast did not get there")


manager.start_session()
manager.start_roaster()
manager.set_heat(100)
step_until(lambda s: s.sensors is not None and s.sensors.env_temp_c >= 190.0)
sim.charge()
manager.set_heat(70)
step_until(lambda s: (s.metrics.roast_elapsed_s or 0.0) >= 90.0)
run_stdio(manager, simulator=sim)
"""


async def test_over_real_stdio_the_status_forecasts_and_what_if_answers(
    record_property: Any,
) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-c", STDIO_SERVER])
    with anyio.fail_after(60):
        async with Client(params, raise_exceptions=True) as c:
            forecast = structured(await c.call_tool("get_roast_status", {}))["forecast"]
            assert forecast["state"] == "ok"
            assert_bt_ahead(forecast)
            start = time.perf_counter()
            cooler = structured(await c.call_tool("what_if", {"heat_percent": 0}))
            record_property("what_if_stdio_ms", round((time.perf_counter() - start) * 1000, 1))
            hotter = structured(await c.call_tool("what_if", {"heat_percent": 100}))
            held = cooler["holding"]
            assert cooler["forecast"]["bt_in_180s_c"] < held["bt_in_180s_c"]
            assert hotter["forecast"]["bt_in_180s_c"] > held["bt_in_180s_c"]
            refused = await c.call_tool("what_if", {"horizon_s": 5})
            assert refused.is_error
            assert "horizon_s" in tool_text(refused)
            after = structured(await c.call_tool("get_roast_status", {}))
            assert after["roaster"]["heat_percent"] == ROAST_HEAT  # nothing was sent
