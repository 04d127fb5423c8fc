"""The history commands as a user runs them, and a kept roast replayed through `roastctl serve`."""

from __future__ import annotations

import ast
import itertools
import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters

from roastctl.logs.artisan_check import check_artisan_profile
from support import run


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    store = tmp_path_factory.mktemp("cli-store") / "roasts.sqlite3"
    return {**os.environ, "ROASTCTL_STORE__PATH": str(store)}


@pytest.fixture(scope="module")
def simulated(env: dict[str, str]) -> dict[str, Any]:
    result = run("simulate", "--speed", "1000", "--json", env=env)
    assert result.returncode == 0, result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


@pytest.fixture(scope="module")
def exported(
    simulated: dict[str, Any], env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    target = tmp_path_factory.mktemp("export") / "roast.alog"
    result = run(
        "export", str(simulated["roast_id"]), "--format", "alog", "-o", str(target), env=env
    )
    assert result.returncode == 0, result.stderr
    return target


def test_a_simulated_roast_is_in_the_history(
    simulated: dict[str, Any], env: dict[str, str]
) -> None:
    result = run("history", "--json", env=env)
    assert result.returncode == 0, result.stderr
    lines = {line["id"]: line for line in json.loads(result.stdout)}
    line = lines[simulated["roast_id"]]
    assert line["status"] == "complete"
    assert line["dtr_percent"] == pytest.approx(simulated["dtr_percent"], abs=0.2)
    table = run("history", env=env)
    assert f"{simulated['roast_id']:>4}  " in table.stdout
    assert "complete" in table.stdout


def test_show_prints_the_events(simulated: dict[str, Any], env: dict[str, str]) -> None:
    result = run("show", str(simulated["roast_id"]), env=env)
    assert result.returncode == 0, result.stderr
    for event in ("CHARGE", "TP", "DRY_END", "FC_START", "DROP"):
        assert f"  {event}" in result.stdout
    assert "DTR" in result.stdout
    whole = json.loads(run("show", str(simulated["roast_id"]), "--json", env=env).stdout)
    assert len(whole["samples"]) == simulated["samples"]


def test_export_writes_an_artisan_profile(exported: Path, simulated: dict[str, Any]) -> None:
    profile = ast.literal_eval(exported.read_text(encoding="utf-8"))
    assert check_artisan_profile(profile) == []
    # One sample per instant: the state recorded right after DROP shares the DROP sample's time.
    assert all(later > earlier for earlier, later in itertools.pairwise(profile["timex"]))
    assert simulated["samples"] - 1 <= len(profile["timex"]) <= simulated["samples"]
    assert profile["timeindex"][0] >= 0  # CHARGE
    assert profile["timeindex"][6] > profile["timeindex"][2] > 0  # DROP after FCs


def test_import_brings_it_back_exactly(
    exported: Path, simulated: dict[str, Any], env: dict[str, str], tmp_path: Path
) -> None:
    elsewhere = {**env, "ROASTCTL_STORE__PATH": str(tmp_path / "other.sqlite3")}
    result = run("import", str(exported), env=elsewhere)
    assert result.returncode == 0, result.stderr
    assert "imported as roast" in result.stdout
    new_id = int(result.stdout.split("imported as roast ")[1].split()[0])
    original = json.loads(run("show", str(simulated["roast_id"]), "--json", env=env).stdout)
    imported = json.loads(run("show", str(new_id), "--json", env=elsewhere).stdout)
    assert imported["status"] == "imported"
    # The export leaves out a sample at the time of the next one (the later state stands).
    distinct = [
        sample
        for sample, following in zip(
            original["samples"], [*original["samples"][1:], None], strict=True
        )
        if following is None or following["time_s"] != sample["time_s"]
    ]
    assert len(imported["samples"]) == len(distinct)
    for mine, theirs in zip(imported["samples"], distinct, strict=True):
        assert mine["bean_temp_c"] == theirs["bean_temp_c"]
        assert mine["env_temp_c"] == theirs["env_temp_c"]
        assert mine["heat_percent"] == theirs["heat_percent"]
    kinds = {e["type"] for e in imported["events"]}
    assert {"CHARGE", "DRY_END", "FC_START", "DROP"} <= kinds
    assert imported["uuid"] == original["uuid"]
    again = run("import", str(exported), env=env)  # the store it came from has it
    assert again.returncode == 1
    assert f"already in the store as roast {simulated['roast_id']}" in again.stdout
    assert "Traceback" not in again.stderr


def test_bad_requests_are_named(env: dict[str, str], tmp_path: Path) -> None:
    missing = run("show", "9999", env=env)
    assert missing.returncode == 2
    assert "no roast with id 9999" in missing.stderr
    junk = tmp_path / "junk.alog"
    junk.write_text("{'timex': 'not a list'")
    bad = run("import", str(junk), env=env)
    assert bad.returncode == 1
    assert str(junk) in bad.stdout
    zero = run("show", "0", env=env)
    assert zero.returncode == 2
    assert "must be 1 or more" in zero.stderr


@pytest.mark.anyio
async def test_a_kept_roast_replays_through_serve(exported: Path, env: dict[str, str]) -> None:
    replay_env = {
        **env,
        "ROASTCTL_HARDWARE__DRIVER": "replay",
        "ROASTCTL_HARDWARE__REPLAY_FILE": str(exported),
    }
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "roastctl", "serve", "--speed", "200"], env=replay_env
    )
    async with Client(params) as client:
        seen: set[str] = set()
        with anyio.fail_after(60):
            while "DROP" not in seen:
                result = await client.call_tool("get_roast_status", {})
                assert result.structured_content is not None
                status = result.structured_content
                seen = {event["type"] for event in status["events"]}
                assert status["safety"]["faults"] == []
                await anyio.sleep(0.05)
        assert {"CHARGE", "TP", "DRY_END", "DROP"} <= seen
        assert status["driver"] == "replay"
