"""What each entry point loads: checked in a fresh interpreter through ``sys.modules``, not timing.

Every command pays for the modules it imports at start; ones only another command needs (the MCP
client, the charts, the HTTP server, the twin's fitting code, the dashboard) must stay out.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Prints which of the named modules (argv[2:]) are loaded after importing argv[1].
_PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(name for name in sys.argv[2:] if name in sys.modules)))
"""

#: Loaded by neither ``import roastctl`` nor the CLI before a command runs.
NEVER_AT_START = (
    "mcp.client",  # only roastctl demo drives a server through the client
    "matplotlib",  # only the chart commands draw
    "numpy",
    "uvicorn",  # only roastctl serve --http serves HTTP
    "roastctl.agents.demo",
    "roastctl.roast.plot",
    "roastctl.twin.chart",
    "roastctl.web.routes",  # the dashboard
)

#: Also kept out of ``import roastctl``: its public names are the session, the roaster and config.
NOT_IN_THE_LIBRARY = (
    *NEVER_AT_START,
    "mcp",
    "starlette",
    "roastctl.cli",
    "roastctl.mcp",
    "roastctl.twin",
    "roastctl.web",
    "roastctl.agents.recipe",
    "roastctl.devices.replay",  # ReplayRoaster is exported, and loaded on first use
    "roastctl.logs.load",  # every roast-file reader
)

#: Kept out of the CLI until their command runs (calibrate and twin-check; simulate).
NOT_IN_THE_CLI = (
    *NEVER_AT_START,
    "mcp",
    "starlette",
    "roastctl.mcp",
    "roastctl.web",
    "roastctl.twin.check",
    "roastctl.twin.drive",
    "roastctl.twin.fit",
    "roastctl.twin.heater_fit",
    "roastctl.agents.recipe",
    "roastctl.roast.analysis",  # with every roast-file reader: only when roastctl analyze runs
    "roastctl.logs.load",  # every roast-file reader: import, plot, analyze, replay, the twin
)

#: The MCP server over stdio needs neither the dashboard nor its HTTP gate.
NOT_IN_THE_STDIO_SERVER = (
    "roastctl.logs.load",  # the roast-file readers: import and plot commands, the replay driver
    "roastctl.web.routes",
    "roastctl.web.access_gate",
    "roastctl.agents.demo",
    "roastctl.twin.fit",
    "matplotlib",
    "numpy",
)


def loaded_after(module: str, watched: tuple[str, ...]) -> list[str]:
    """Import ``module`` in a fresh interpreter; return which of ``watched`` it loaded."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, module, *watched],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded: list[str] = json.loads(result.stdout)
    return loaded


@pytest.mark.parametrize(
    ("module", "kept_out"),
    [
        ("roastctl", NOT_IN_THE_LIBRARY),
        ("roastctl.cli.main", NOT_IN_THE_CLI),
        ("roastctl.mcp.server", NOT_IN_THE_STDIO_SERVER),
    ],
)
def test_entry_point_loads_only_what_it_needs(module: str, kept_out: tuple[str, ...]) -> None:
    assert loaded_after(module, kept_out) == []


def test_the_probe_sees_what_an_import_loads() -> None:
    # The same probe must report a module that is loaded, or the checks above prove nothing.
    assert loaded_after("roastctl.agents.demo", ("mcp.client", "roastctl.errors")) == [
        "mcp.client",
        "roastctl.errors",
    ]


def test_dashboard_routes_load_on_first_use() -> None:
    # roastctl.web keeps exporting dashboard_routes although the package no longer loads it.
    code = "from roastctl.web import dashboard_routes; print(dashboard_routes.__module__)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "roastctl.web.routes"
