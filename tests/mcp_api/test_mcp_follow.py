"""Following over MCP, through the official client: bounds in the schema, honest annotations,
refusals that name the value, and a roast the server follows while the agent only reads."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp.client import Client
from mcp.types import TextResourceContents

from roastctl.clock import ManualClock
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.server import STATUS_URI, create_server
from roastctl.session.manager import RoastSessionManager
from support import preheat_and_charge, run_until, simulated_session, tool_text

pytestmark = pytest.mark.anyio

#: A short designed curve, as an agent sends it.
WAYPOINTS = [
    {"at_s": 0, "bt_c": None},
    {"at_s": 90, "bt_c": 100},
    {"at_s": 240, "bt_c": 150},
    {"until_s": 300, "ror_c_per_min": 12},
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def session() -> Iterator[tuple[RoastSessionManager, SimulatedRoaster, ManualClock]]:
    """A started session with the forecast on: following plans on the live estimate."""
    manager, sim, clock = simulated_session(None)
    manager.start_session()
    yield manager, sim, clock
    manager.stop_session()


@pytest.fixture
async def client(
    session: tuple[RoastSessionManager, SimulatedRoaster, ManualClock],
) -> AsyncIterator[Client]:
    manager, sim, _ = session
    async with Client(create_server(manager, simulator=sim), raise_exceptions=True) as c:
        yield c


async def following_of(client: Client) -> dict[str, Any] | None:
    result = await client.call_tool("get_roast_status", {})
    assert not result.is_error
    assert result.structured_content is not None
    following: dict[str, Any] | None = result.structured_content["following"]
    return following


async def test_the_schemas_carry_the_bounds_and_the_annotations_are_honest(
    client: Client,
) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    follow = tools["follow_reference"]
    assert follow.annotations is not None
    assert follow.annotations.destructive_hint is True  # it moves the heater
    for name, destructive in (
        ("resume_following", True),
        ("pause_following", False),
        ("stop_following", False),
    ):
        hints = tools[name].annotations
        assert hints is not None
        assert hints.destructive_hint is destructive, name
    schema = follow.input_schema
    assert not schema.get("required")
    properties = schema["properties"]

    def branch(name: str) -> dict[str, Any]:
        return next(b for b in properties[name]["anyOf"] if b.get("type") != "null")

    assert branch("roast_id")["minimum"] == 1
    assert (branch("waypoints")["minItems"], branch("waypoints")["maxItems"]) == (2, 50)
    hold = branch("hold_ror_after_first_crack")
    assert (hold["minimum"], hold["maximum"]) == (-30, 60)
    definitions = schema["$defs"]
    bt = next(b for b in definitions["BtWaypoint"]["properties"]["bt_c"]["anyOf"] if "minimum" in b)
    assert (bt["minimum"], bt["maximum"]) == (20, 240)
    ror = definitions["RorStretch"]["properties"]["ror_c_per_min"]
    assert (ror["minimum"], ror["maximum"]) == (-30, 60)
    assert definitions["BtWaypoint"]["properties"]["at_s"]["maximum"] == 1800


async def test_refusals_name_the_value_and_change_nothing(client: Client, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.alog"
    for arguments, words in (
        ({}, "exactly one of roast_id, path, waypoints; got none"),
        ({"roast_id": 3, "path": "x.alog"}, "got roast_id, path"),
        ({"path": str(missing)}, f"'{missing}' could not be read as a roast"),
        ({"roast_id": 3}, "reference roast 3 cannot be read: roasts are not being kept"),
        (
            {"waypoints": [{"at_s": 0, "bt_c": None}, {"at_s": 300, "bt_c": 400}]},
            "less than or equal to 240",
        ),
        (
            {"waypoints": [{"at_s": 200, "bt_c": 120}, {"at_s": 100, "bt_c": 150}]},
            "point 2 of the designed curve is at 100.0 s; times must rise",
        ),
        ({"path": "x.alog", "fan": [[0, 50]]}, "send them with waypoints"),
        ({"waypoints": WAYPOINTS, "hold_ror": 5}, "unknown argument(s) hold_ror"),
    ):
        refused = await client.call_tool("follow_reference", arguments)
        assert refused.is_error, arguments
        assert words in tool_text(refused), tool_text(refused)
        assert await following_of(client) is None
    resumed = await client.call_tool("resume_following", {})
    assert resumed.is_error
    assert "no reference is set" in tool_text(resumed)
    stopped = await client.call_tool("stop_following", {})
    assert not stopped.is_error
    assert stopped.structured_content is not None
    assert "no reference was set" in stopped.structured_content["done"]


async def test_the_server_follows_while_the_agent_only_reads(
    client: Client, session: tuple[RoastSessionManager, SimulatedRoaster, ManualClock]
) -> None:
    manager, _, clock = session
    answer = await client.call_tool(
        "follow_reference",
        {"waypoints": WAYPOINTS, "events": {"DRY_END": 240}, "fan": [[0, 0], [60, 20]]},
    )
    assert not answer.is_error, tool_text(answer)
    assert answer.structured_content is not None
    assert answer.structured_content["following"]["state"] == "waiting_for_charge"
    assert "from CHARGE on" in answer.structured_content["done"]
    preheat_and_charge(manager, clock)
    run_until(manager, clock, lambda s: (s.metrics.roast_elapsed_s or 0) >= 120, limit_s=130)
    following = await following_of(client)
    assert following is not None
    assert following["state"] == "following"
    assert following["reference"] == "designed curve"
    assert following["next_event"] == "DRY_END"
    assert following["target_bt_c"] is not None
    assert following["deviation_c"] is not None
    assert following["heat_changes"] >= 1
    assert following["fan_source"] == "reference"
    resource = await client.read_resource(STATUS_URI)
    (contents,) = resource.contents
    assert isinstance(contents, TextResourceContents)
    assert json.loads(contents.text)["following"]["state"] == "following"
    paused = await client.call_tool("pause_following", {})
    assert not paused.is_error
    assert paused.structured_content is not None
    assert paused.structured_content["following"]["state"] == "paused"
    resumed = await client.call_tool("resume_following", {})
    assert not resumed.is_error
    assert resumed.structured_content is not None
    assert resumed.structured_content["following"]["state"] == "following"
    stopped = await client.call_tool("stop_following", {})
    assert not stopped.is_error
    assert await following_of(client) is None
