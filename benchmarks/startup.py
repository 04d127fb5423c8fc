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
whether it is within the 0.1 s goal, and the differences within each round; the same for the
server's CPU time up to the answer (user and system, from ``/proc``, Linux), which a busy machine
disturbs far less than the wall time; and the time of ``import roastctl``, ``import
roastctl.cli.main`` and, as the floor both servers share, ``import mcp.server``, each in a fresh
process, once per round.

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

#: Imports timed in a fresh process: the library, the command line, and the SDK both servers load.
IMPORTS = ("roastctl", "roastctl.cli.main", "mcp.server")

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


def _server_cpu_seconds() -> float:
    """CPU seconds (user and system, all threads) used so far by this process's one child.

    Read from ``/proc/<pid>/stat`` (Linux), in clock ticks (usually 10 ms). The server is the only
    child while it runs: the import timings run in between, each to its end.
    """
    me = os.getpid()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # a process that ended meanwhile
        fields = text[text.rfind(")") + 2 :].split()  # after "pid (comm) "
        if int(fields[1]) == me:
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    raise SystemExit("the server process was not found under /proc")


async def time_to_tools_list(
    params: StdioServerParameters, expected_tool: str
) -> tuple[float, float]:
    """Spawn the server, connect, list its tools; return the seconds from spawn to the answer.

    Returns the wall time and the server's CPU time up to the answer.
    """
    started = time.perf_counter()
    async with Client(params) as client:
        tools = await client.list_tools()
        elapsed = time.perf_counter() - started
        cpu = _server_cpu_seconds()
    names = [tool.name for tool in tools.tools]
    if expected_tool not in names:
        raise SystemExit(f"{params.args}: no {expected_tool!r} among the tools {names}")
    return elapsed, cpu


def import_seconds(module: str, env: dict[str, str]) -> float:
    """Time ``import module`` in a fresh process."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", _IMPORT_TIMER, module],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=env,
    )
    return float(result.stdout.strip().splitlines()[-1])


def _line(label: str, times: list[float]) -> str:
    return (
        f"{label:<34} median {statistics.median(times) * 1e3:7.1f} ms"
        f"   spread {min(times) * 1e3:7.1f} .. {max(times) * 1e3:7.1f} ms   (n={len(times)})"
    )


async def main() -> None:
    """Launch both servers and time the imports, in rounds; print the figures and the verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed launches of each server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = _clean_env(Path(folder))
        bare = StdioServerParameters(command=sys.executable, args=["-c", _BARE_SERVER], env=env)
        roastctl = StdioServerParameters(
            command=sys.executable, args=["-m", "roastctl", "serve"], env=env
        )
        await time_to_tools_list(bare, "ping")  # untimed: bytecode and disk caches
        await time_to_tools_list(roastctl, "get_roast_status")
        bare_times: list[tuple[float, float]] = []
        roastctl_times: list[tuple[float, float]] = []
        imports: dict[str, list[float]] = {module: [] for module in IMPORTS}
        # Everything once per round, so a busy moment of the (shared) machine hits all alike.
        for _ in range(args.runs):
            bare_times.append(await time_to_tools_list(bare, "ping"))
            roastctl_times.append(await time_to_tools_list(roastctl, "get_roast_status"))
            for module, times in imports.items():
                times.append(import_seconds(module, env))
    for index, kind in enumerate(("wall", "server CPU")):
        bare_kind = [times[index] for times in bare_times]
        roastctl_kind = [times[index] for times in roastctl_times]
        print(f"spawn to tools/list answer over stdio, {kind} time:")
        print(_line("  bare MCPServer, one tool", bare_kind))
        print(_line("  roastctl serve (simulator)", roastctl_kind))
        difference = statistics.median(roastctl_kind) - statistics.median(bare_kind)
        paired = [ours - theirs for ours, theirs in zip(roastctl_kind, bare_kind, strict=True)]
        print(
            f"  difference of the medians        {difference * 1e3:7.1f} ms"
            f"   goal <= {GOAL_S * 1e3:.0f} ms: {'met' if difference <= GOAL_S else 'NOT met'}"
        )
        print(_line("  difference within each round", paired))
    print("import in a fresh process:")
    for module, times in imports.items():
        print(_line(f"  import {module}", times))


if __name__ == "__main__":
    anyio.run(main)
