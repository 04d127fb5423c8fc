"""Fixtures: a manual clock, a seeded simulator and a session stepped by hand."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from roastctl.clock import ManualClock
from roastctl.config import ServerConfig, SimulatorConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.session.manager import RoastSessionManager


@pytest.fixture(autouse=True, scope="session")
def _throwaway_roast_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The roastctl processes tests start keep their roasts in a temporary store, not the user's."""
    previous = os.environ.get("ROASTCTL_STORE__PATH")
    os.environ["ROASTCTL_STORE__PATH"] = str(tmp_path_factory.mktemp("store") / "roasts.sqlite3")
    yield
    if previous is None:
        del os.environ["ROASTCTL_STORE__PATH"]
    else:
        os.environ["ROASTCTL_STORE__PATH"] = previous


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sim(clock: ManualClock) -> SimulatedRoaster:
    return SimulatedRoaster(SimulatorConfig(seed=7, bean_variance_c=0.0), clock)


@pytest.fixture
def config() -> ServerConfig:
    return ServerConfig(timezone="UTC")


@pytest.fixture
def manager(
    sim: SimulatedRoaster, clock: ManualClock, config: ServerConfig
) -> Iterator[RoastSessionManager]:
    """A session with no polling thread: tests step it with clock.advance + poll_once."""
    session = RoastSessionManager(sim, config, clock=clock, background_polling=False)
    yield session
    session.stop_session()


@pytest.fixture
def started(manager: RoastSessionManager) -> RoastSessionManager:
    manager.start_session()
    return manager
