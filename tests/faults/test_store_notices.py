"""A crash's notice and the store's health reach every front end; history sees a dead recorder.

The notice is in the status itself, so ``get_roast_status`` (the official MCP client), the
``roaster://status`` resource and the dashboard all show it. ``roastctl history`` (a real CLI
process) shows a roast whose recording process is gone as interrupted, and a live one as
recording.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp.client import Client

from roastctl.clock import ManualClock
from roastctl.config import ServerConfig, SimulatorConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.server import create_server
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore
from roastctl.web.dashboard_status import dashboard_status
from support import START, tool_text


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def restarted(tmp_path: Path, clock: ManualClock) -> tuple[RoastSessionManager, int]:
    """A session started on a store whose last roast a crash left recording."""
    path = tmp_path / "roasts.sqlite3"
    crashed = RoastStore(path)
    lost = crashed.begin_roast(
        started_utc=START, roaster="Hottop", driver="hottop", sampling_interval_s=1.0
    )
    crashed.close()  # the row stays "recording", as after kill -9 (this process's own pid)
    sim = SimulatedRoaster(SimulatorConfig(seed=7, bean_variance_c=0.0), clock)
    manager = RoastSessionManager(
        sim,
        ServerConfig(timezone="UTC"),
        clock=clock,
        background_polling=False,
        store=RoastStore(path),
    )
    manager.start_session()
    return manager, lost


@pytest.fixture
async def client(restarted: tuple[RoastSessionManager, int]) -> AsyncIterator[Client]:
    manager, _lost = restarted
    async with Client(create_server(manager), raise_exceptions=True) as c:
        yield c
    manager.stop_session()
    assert manager.store is not None
    manager.store.close()


@pytest.mark.anyio
async def test_get_roast_status_carries_the_crash_notice_and_the_store_health(
    client: Client, restarted: tuple[RoastSessionManager, int]
) -> None:
    _manager, lost = restarted
    result = await client.call_tool("get_roast_status", {})
    assert not result.is_error, tool_text(result)
    content: dict[str, Any] | None = result.structured_content
    assert content is not None
    assert any(
        f"roast {lost} " in notice and "interrupted" in notice for notice in content["notices"]
    )
    assert content["store"]["state"] == "ok"
    assert content["store"]["dropped"] == 0


def test_the_dashboard_status_carries_the_crash_notice_and_the_store_health(
    restarted: tuple[RoastSessionManager, int],
) -> None:
    manager, lost = restarted
    view = dashboard_status(manager, manager.get_status())
    assert any(f"roast {lost} " in notice for notice in view["notices"])
    assert view["store"]["state"] == "ok"
    manager.stop_session()
    assert manager.store is not None
    manager.store.close()


RECORDER = """
import sys
from datetime import UTC, datetime
from roastctl.store.database import RoastStore
store = RoastStore(sys.argv[1])
roast_id = store.begin_roast(
    started_utc=datetime.now(UTC), roaster="Hottop", driver="hottop", sampling_interval_s=1.0
)
print(roast_id, flush=True)
sys.stdin.readline()
"""


def history(path: Path) -> dict[int, str]:
    env = {**os.environ, "ROASTCTL_STORE__PATH": str(path)}
    done = subprocess.run(
        [sys.executable, "-m", "roastctl", "history", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return {int(line["id"]): str(line["status"]) for line in json.loads(done.stdout)}


def test_history_shows_a_roast_whose_recorder_died_as_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "roasts.sqlite3"
    recorder = subprocess.Popen(
        [sys.executable, "-c", RECORDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert recorder.stdout is not None
        roast_id = int(recorder.stdout.readline())
        assert history(path)[roast_id] == "recording"  # alive: never taken for a crash
    finally:
        recorder.send_signal(signal.SIGKILL)
        recorder.communicate(timeout=10)
    assert history(path)[roast_id] == "interrupted"
    reader = RoastStore(path, recover=False)
    assert reader.summary(roast_id).status.value == "interrupted"
    reader.close()


def test_a_roast_recorded_on_another_machine_is_never_taken_for_a_crash(tmp_path: Path) -> None:
    """A pid names a process only on its own host: a shared store's other hosts are left alone."""
    path = tmp_path / "roasts.sqlite3"
    writer = RoastStore(path)
    elsewhere = writer.begin_roast(
        started_utc=START, roaster="Hottop", driver="hottop", sampling_interval_s=1.0
    )
    here = writer.begin_roast(
        started_utc=START, roaster="Hottop", driver="hottop", sampling_interval_s=1.0
    )
    dead_pid = 2**22 + 12345  # above Linux's pid_max: no such process
    writer._now_sync(
        lambda db: db.execute(
            "UPDATE roasts SET owner_pid = ?, owner_host = CASE id WHEN ? THEN 'other-host' "
            "ELSE owner_host END",
            (dead_pid, elsewhere),
        ).close(),
        1.0,
    )
    writer.close()
    reader = RoastStore(path, recover=False)
    assert reader.summary(elsewhere).status.value == "recording"
    assert reader.summary(here).status.value == "interrupted"
    reader.close()
    recovering = RoastStore(path)
    assert [roast.id for roast in recovering.recovered] == [here]
    recovering.close()
