"""Start-up of ``roastctl serve`` beside a bare MCP server with one tool, both over real stdio.

Each server is launched as a fresh process and driven by the official MCP client over stdio; the
time runs from just before the spawn to the answer of ``tools/list`` (the client connects and
initialises first). ``roastctl serve`` runs on the simulator defaults with a store of its own in a
temporary folder (``ROASTCTL_STORE__PATH``). The two are launched in turn, ``--runs`` times each
after one untimed launch of each (which writes the bytecode caches and warms the disk cache).

Bytecode is cached for both, as for an installed package, in a temporary ``PYTHONPYCACHEPREFIX``:
with ``PYTHONDONTWRITEBYTECODE`` set (as in some shells and containers) an editable install would
compile every roastctl module from source at each start while the SDK's were compiled when it
was installed, which measures the compiler rather than the start-up.

Prints, for both: the median and the spread (min to max); the difference of the medians and
whether it is within the 0.1 s goal; and the time of ``import roastctl``, ``import
roastctl.cli.main`` and, as the floor both servers share, ``import mcp.server``, each timed in a
fresh process (median of ``--runs``).

Run: ``.venv/bin/python benchmarks/startup.py [--runs 7]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters

#: The goal: ``roastctl serve`` answers ``tools/list`` at most this much later than the bare server.
GOAL_S = 0.1

# The SDK's own server class, as roastctl.mcp.server builds its server, with a single tool.
_BARE_SERVER = '''
from mcp.server import MCPServer

server = MCPServer("bare")


@server.tool()
def ping() -> str:
    """Answer pong."""
    return "pong"


server.run()
'''

# Prints the seconds one import takes in this fresh process.
_IMPORT_TIMER = """
import importlib, sys, time
started = time.perf_counter()
importlib.import_module(sys.argv[1])
print(time.perf_counter() - started)
"""


def _clean_env(folder: Path) -> dict[str, str]:
    """The environment without the caller's roastctl settings: simulator defaults, a temp store.

    Bytecode is written to and read from ``folder`` (see the module's docstring).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROASTCTL_")}
    env["ROASTCTL_STORE__PATH"] = str(folder / "roasts.sqlite3")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    return env


async def time_to_tools_list(params: StdioServerParameters, expected_tools: int) -> float:
    """Spawn the server, connect, list its tools; return the seconds from spawn to the answer."""
    started = time.perf_counter()
    async with Client(params) as client:
        tools = await client.list_tools()
        elapsed = time.perf_counter() - started
    if len(tools.tools) < expected_tools:
        raise SystemExit(f"{params.args}: {len(tools.tools)} tools, expected {expected_tools}+")
    return elapsed


def import_seconds(module: str, env: dict[str, str], runs: int) -> list[float]:
    """Time ``import module`` in ``runs`` fresh processes."""
    times = []
    for _ in range(runs):
        result = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", _IMPORT_TIMER, module],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            env=env,
        )
        times.append(float(result.stdout.strip().splitlines()[-1]))
    return times


def _line(label: str, times: list[float]) -> str:
    return (
        f"{label:<32} median {statistics.median(times) * 1e3:7.1f} ms"
        f"   spread {min(times) * 1e3:7.1f} .. {max(times) * 1e3:7.1f} ms   (n={len(times)})"
    )


async def main() -> None:
    """Launch both servers in turn, then time the imports; print the figures and the verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed launches of each server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = _clean_env(Path(folder))
        bare = StdioServerParameters(command=sys.executable, args=["-c", _BARE_SERVER], env=env)
        roastctl = StdioServerParameters(
            command=sys.executable, args=["-m", "roastctl", "serve"], env=env
        )
        await time_to_tools_list(bare, 1)  # untimed: bytecode and disk caches
        await time_to_tools_list(roastctl, 1)
        bare_times: list[float] = []
        roastctl_times: list[float] = []
        for _ in range(args.runs):  # in turn, so a busy moment of the machine hits both alike
            bare_times.append(await time_to_tools_list(bare, 1))
            roastctl_times.append(await time_to_tools_list(roastctl, 1))
        print("spawn to tools/list answer over stdio:")
        print(_line("  bare MCPServer, one tool", bare_times))
        print(_line("  roastctl serve (simulator)", roastctl_times))
        difference = statistics.median(roastctl_times) - statistics.median(bare_times)
        verdict = "met" if difference <= GOAL_S else "NOT met"
        print(
            f"  difference of the medians      {difference * 1e3:7.1f} ms"
            f"   goal <= {GOAL_S * 1e3:.0f} ms: {verdict}"
        )
        print("import in a fresh process:")
        for module in ("roastctl", "roastctl.cli.main", "mcp.server"):
            print(_line(f"  import {module}", import_seconds(module, env, args.runs)))


if __name__ == "__main__":
    anyio.run(main)
