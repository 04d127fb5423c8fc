"""The roast-history tools over MCP: list_roasts, get_roast, export_roast, set_roast_info."""

from __future__ import annotations

import ast
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp.client import Client

from roastctl.agents.recipe import run_scripted_roast
from roastctl.clock import ManualClock
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.server import create_server
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore
from support import simulated_session, tool_text


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def kept(tmp_path: Path, clock: ManualClock) -> tuple[RoastSessionManager, SimulatedRoaster]:
    """A store holding one finished simulated roast, and a session recording the next."""
    store = RoastStore(tmp_path / "roasts.sqlite3")
    manager, sim, _ = simulated_session(store, clock)
    manager.start_session()
    run_scripted_roast(manager, sim)
    manager.stop_cooling()
    manager.new_roast()
    return manager, sim


@pytest.fixture
async def client(
    kept: tuple[RoastSessionManager, SimulatedRoaster],
) -> AsyncIterator[Client]:
    manager, sim = kept
    async with Client(create_server(manager, simulator=sim), raise_exceptions=True) as c:
        yield c
    manager.stop_session()
    assert manager.store is not None
    manager.store.close()


async def call(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, tool_text(result)
    content: dict[str, Any] | None = result.structured_content
    assert content is not None
    return content


@pytest.mark.anyio
async def test_list_roasts_shows_the_finished_and_the_current_roast(client: Client) -> None:
    listed = await call(client, "list_roasts", {})
    assert listed["total"] == 2
    current, finished = listed["roasts"]
    assert current["status"] == "recording"
    assert finished["status"] == "complete"
    assert {"CHARGE", "FC_START", "DROP"} <= set(finished["events"])
    assert 15.0 <= finished["dtr_percent"] <= 25.0
    assert finished["samples"] > 600
    paged = await call(client, "list_roasts", {"limit": 1, "offset": 1})
    assert [r["id"] for r in paged["roasts"]] == [finished["id"]]


@pytest.mark.anyio
async def test_get_roast_returns_events_and_a_thinned_curve(client: Client) -> None:
    finished = (await call(client, "list_roasts", {}))["roasts"][1]
    detail = await call(client, "get_roast", {"roast_id": finished["id"], "max_points": 100})
    assert len(detail["points"]) <= 100
    assert len(detail["points"]) >= 50
    events = {e["type"]: e for e in detail["events"]}
    assert events["CHARGE"]["time_s"] == 0.0
    assert events["DROP"]["time_s"] > events["FC_START"]["time_s"] > 0
    assert events["DROP"]["source"] == "command"
    assert detail["points"][0]["time_s"] < 0  # preheat comes before CHARGE


@pytest.mark.anyio
async def test_a_missing_roast_is_a_clear_refusal(client: Client) -> None:
    result = await client.call_tool("get_roast", {"roast_id": 999})
    assert result.is_error
    assert "no roast with id 999" in tool_text(result)
    assert "list_roasts" in tool_text(result)


@pytest.mark.anyio
async def test_export_roast_gives_a_file_artisan_reads(
    client: Client, kept: tuple[RoastSessionManager, SimulatedRoaster]
) -> None:
    finished = (await call(client, "list_roasts", {}))["roasts"][1]
    alog = await call(client, "export_roast", {"roast_id": finished["id"]})
    profile = ast.literal_eval(alog["content"])
    # One sample per recorded time: of two at one time (right after a command) the later stands.
    store = kept[0].store
    assert store is not None
    recorded_times = {s.time_s for s in store.get_roast(finished["id"]).samples}
    assert len(profile["timex"]) == len(recorded_times) <= finished["samples"]
    assert profile["timeindex"][0] >= 0
    as_json = await call(client, "export_roast", {"roast_id": finished["id"], "format": "json"})
    assert json.loads(as_json["content"])["timex"] == profile["timex"]
    as_csv = await call(client, "export_roast", {"roast_id": finished["id"], "format": "csv"})
    assert as_csv["content"].splitlines()[1].startswith("Time1\tTime2\tET\tBT\tEvent")


@pytest.mark.anyio
async def test_set_roast_info_describes_the_current_roast(
    client: Client, kept: tuple[RoastSessionManager, SimulatedRoaster]
) -> None:
    manager, _sim = kept
    line = await call(
        client, "set_roast_info", {"bean": "Colombia Huila", "batch_g": 225, "notes": "agent"}
    )
    assert (line["bean"], line["batch_g"]) == ("Colombia Huila", 225.0)
    assert line["id"] == manager.roast_id
    refused = await client.call_tool("set_roast_info", {"batch_g": -1})
    assert refused.is_error
    empty = await client.call_tool("set_roast_info", {})
    assert empty.is_error
    assert "needs at least one of" in tool_text(empty)
    assert manager.store is not None
    commands = manager.store.commands(line["id"])
    assert commands[-1].command == "set_roast_info"
    assert commands[-1].caller == "agent"


@pytest.mark.anyio
async def test_roast_properties_are_set_and_read_back_over_mcp(
    client: Client, kept: tuple[RoastSessionManager, SimulatedRoaster]
) -> None:
    manager, _sim = kept
    manager.set_roast_info(density_g_per_l=705.0, batch_number=3)  # through the session
    line = await call(
        client,
        "set_roast_info",
        {
            "cupping_notes": "stone fruit",
            "flavors": {"Acidity": 7.0, "Sweetness": 8.5},
            "ambient_temp_c": 19.5,
            "ambient_humidity_percent": 40,
            "whole_color": 68,
            "color_system": "Tonino",
            "bean_size_min": 16,
            "bean_size_max": 18,
        },
    )
    detail = await call(client, "get_roast", {"roast_id": line["id"], "max_points": 2})
    properties = detail["properties"]
    assert properties["cupping_notes"] == "stone fruit"
    assert properties["flavors"] == {"Acidity": 7.0, "Sweetness": 8.5}
    assert (properties["density_g_per_l"], properties["batch_number"]) == (705.0, 3)
    assert (properties["ambient_temp_c"], properties["ambient_humidity_percent"]) == (19.5, 40.0)
    assert (properties["bean_size_min"], properties["bean_size_max"]) == (16, 18)
    assert properties["ground_color"] is None
    refused = await client.call_tool("set_roast_info", {"ambient_pressure_hpa": 5000})
    assert refused.is_error
    assert "ambient_pressure_hpa" in tool_text(refused)
    assert manager.store is not None
    assert manager.store.get_roast(line["id"]).properties.ambient_pressure_hpa is None
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    density = tools["set_roast_info"].input_schema["properties"]["density_g_per_l"]
    assert "100" in json.dumps(density)
    assert "1500" in json.dumps(density)
