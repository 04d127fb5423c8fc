"""What a client sees before calling anything: names, schemas, bounds, annotations, metadata."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from mcp.client import Client
from mcp.types import Tool

import roastctl
from roastctl.clock import ManualClock
from roastctl.config import HardwareConfig, ServerConfig
from roastctl.controls import FAN_RANGE
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.server import CURVE_URI, HEALTH_URI, STATUS_URI, create_server
from roastctl.session.manager import FIRST_CRACK_TEMP_RANGE_C, RoastSessionManager

pytestmark = pytest.mark.anyio

#: tool -> (readOnly, destructive, idempotent); openWorld is False for every tool. Everything
#: that moves the heater, fan, drum or door is destructive: a client should confirm it.
ANNOTATIONS = {
    "get_roast_status": (True, False, True),
    "get_roast_curve": (True, False, True),
    "what_if": (True, False, True),
    "first_crack_heard": (True, False, True),
    "set_heat": (False, True, True),
    "set_fan": (False, True, True),
    "start_roaster": (False, True, True),
    "stop_roaster": (False, True, True),
    "drop_beans": (False, True, True),
    "set_drop_target": (False, True, True),
    "clear_drop_target": (False, False, True),
    "follow_reference": (False, True, True),
    "pause_following": (False, False, True),
    "resume_following": (False, True, True),
    "stop_following": (False, False, True),
    "start_cooling": (False, True, True),
    "stop_cooling": (False, True, True),
    "report_first_crack": (False, False, True),
    "mark_event": (False, False, True),
    "start_session": (False, False, True),
    "stop_session": (False, True, True),
    "emergency_stop": (False, True, True),
    "clear_fault": (False, False, True),
    "list_roasts": (True, False, True),
    "get_roast": (True, False, True),
    "export_roast": (True, False, True),
    "set_roast_info": (False, False, True),
    "charge_beans": (False, False, False),
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(manager: RoastSessionManager, sim: SimulatedRoaster) -> AsyncIterator[Client]:
    async with Client(create_server(manager, simulator=sim), raise_exceptions=True) as c:
        yield c


async def tools_of(client: Client) -> dict[str, Tool]:
    return {tool.name: tool for tool in (await client.list_tools()).tools}


def prop(tool: Tool, name: str) -> dict[str, Any]:
    schema: dict[str, Any] = tool.input_schema["properties"][name]
    if "anyOf" in schema:  # optional: the non-null branch carries the bounds
        schema = next(branch for branch in schema["anyOf"] if branch.get("type") != "null")
    return schema


async def test_every_tool_is_listed_with_its_annotations(client: Client) -> None:
    tools = await tools_of(client)
    assert set(tools) == set(ANNOTATIONS)
    for name, (read_only, destructive, idempotent) in ANNOTATIONS.items():
        hints = tools[name].annotations
        assert hints is not None, name
        assert hints.read_only_hint is read_only, name
        assert hints.destructive_hint is destructive, name
        assert hints.idempotent_hint is idempotent, name
        assert hints.open_world_hint is False, name
        assert hints.title, name


async def test_every_tool_has_a_name_description_and_output_schema(client: Client) -> None:
    for name, tool in (await tools_of(client)).items():
        assert re.fullmatch(r"[a-z][a-z0-9_]{2,63}", name)
        assert tool.description is not None
        assert len(tool.description) >= 80, name
        assert tool.output_schema is not None, name
        assert tool.output_schema["type"] == "object", name
        assert tool.output_schema["properties"], name
        assert tool.input_schema["type"] == "object", name


async def test_heat_and_fan_bounds_come_from_the_declared_ranges(
    client: Client, manager: RoastSessionManager
) -> None:
    tools = await tools_of(client)
    heat = prop(tools["set_heat"], "percent")
    assert heat["type"] == "integer"
    assert (
        (heat["minimum"], heat["maximum"], heat["multipleOf"])
        == (
            manager.heat_range.minimum,
            manager.heat_range.maximum,
            manager.heat_range.step,
        )
        == (0, 100, 10)
    )
    fan = prop(tools["set_fan"], "percent")
    assert fan["type"] == "integer"
    assert (fan["minimum"], fan["maximum"], fan["multipleOf"]) == (
        FAN_RANGE.minimum,
        FAN_RANGE.maximum,
        FAN_RANGE.step,
    )
    assert tools["set_heat"].input_schema["required"] == ["percent"]
    assert "0-100 % in steps of 10" in (tools["set_heat"].description or "")


async def test_the_heat_step_follows_the_config(sim: SimulatedRoaster, clock: ManualClock) -> None:
    config = ServerConfig(hardware=HardwareConfig(heat_step_percent=5))
    manager = RoastSessionManager(sim, config, clock=clock, background_polling=False)
    manager.start_session()
    try:
        async with Client(create_server(manager), raise_exceptions=True) as c:
            heat = prop((await tools_of(c))["set_heat"], "percent")
            assert heat["multipleOf"] == 5
            await c.call_tool("start_roaster", {})
            assert not (await c.call_tool("set_heat", {"percent": 55})).is_error
            refused = await c.call_tool("set_heat", {"percent": 57})
            assert refused.is_error
    finally:
        manager.stop_session()


async def test_other_argument_bounds(client: Client) -> None:
    tools = await tools_of(client)
    mass = prop(tools["charge_beans"], "mass_g")
    assert (mass["minimum"], mass["maximum"]) == (50, 250)
    curve = tools["get_roast_curve"]
    assert (prop(curve, "last_n")["minimum"], prop(curve, "last_n")["maximum"]) == (1, 5000)
    assert (prop(curve, "max_points")["minimum"], prop(curve, "max_points")["maximum"]) == (
        2,
        2000,
    )
    assert "required" not in curve.input_schema
    fc = prop(tools["report_first_crack"], "temperature_c")
    assert (fc["minimum"], fc["maximum"]) == FIRST_CRACK_TEMP_RANGE_C
    assert tools["report_first_crack"].input_schema["required"] == ["timestamp"]
    event = prop(tools["mark_event"], "event")
    # All of Artisan's marks but TP (computed): second crack and the end of cooling included.
    assert event["enum"] == [
        "CHARGE",
        "DRY_END",
        "FC_START",
        "FC_END",
        "SC_START",
        "SC_END",
        "DROP",
        "COOL",
    ]


#: Characters of a tool's output schema at most; a client keeps every one in its context.
OUTPUT_SCHEMA_MAX_CHARS = 8000
#: The status is the one tool an agent polls all roast long, and its forecast (BT ahead, first
#: crack and drop ETAs, each with an interval), the drop target and the reference it follows
#: (target BT, deviation, time ahead) are what it supervises by: worth the extra size.
OUTPUT_SCHEMA_ALLOWANCE = {"get_roast_status": 17000}


async def test_output_schemas_stay_compact(client: Client) -> None:
    for name, tool in (await tools_of(client)).items():
        limit = OUTPUT_SCHEMA_ALLOWANCE.get(name, OUTPUT_SCHEMA_MAX_CHARS)
        assert len(json.dumps(tool.output_schema)) < limit, name


async def test_server_identity_and_instructions(client: Client) -> None:
    info = client.server_info
    assert info is not None
    assert (info.name, info.version) == ("roastctl", roastctl.__version__)
    assert client.instructions is not None
    assert "emergency_stop" in client.instructions
    assert "forecast" in client.instructions
    assert "what_if" in client.instructions


async def test_resources_and_prompt_are_listed(client: Client) -> None:
    resources = {str(r.uri): r for r in (await client.list_resources()).resources}
    assert set(resources) == {STATUS_URI, HEALTH_URI, CURVE_URI}
    assert all(r.mime_type == "application/json" for r in resources.values())
    prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    assert set(prompts) == {"roast_coffee"}
    arguments = {a.name: a.required for a in prompts["roast_coffee"].arguments or []}
    assert arguments == {"target_dtr_percent": False, "batch_g": False}


async def test_legacy_clients_see_resource_subscriptions(
    manager: RoastSessionManager, sim: SimulatedRoaster
) -> None:
    async with Client(create_server(manager), mode="legacy", raise_exceptions=True) as c:
        assert c.protocol_version == "2025-11-25"
        resources = c.server_capabilities.resources
        assert resources is not None
        assert resources.subscribe is True
        assert {t.name for t in (await c.list_tools()).tools} == set(ANNOTATIONS) - {
            "charge_beans",
            "first_crack_heard",
        }
