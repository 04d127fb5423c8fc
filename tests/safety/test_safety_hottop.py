"""The supervisor on the real driver and a virtual Hottop over a pseudo-terminal.

The session runs its own polling and safety threads on a clock sped up 4x, so 3 s of roaster
time are 0.75 s of real time; limits below are in roaster (clock) seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from roastctl.clock import ScaledClock
from roastctl.errors import SafetyInterlockError
from roastctl.hottop.driver import HottopRoaster
from roastctl.hottop.emulator import Mode, VirtualHottop
from roastctl.models import SafetyRule
from roastctl.session.manager import RoastSessionManager
from support import wait_for

SPEED = 4.0


@pytest.fixture
def clock() -> ScaledClock:
    return ScaledClock(SPEED)


@pytest.fixture
def hottop(clock: ScaledClock, tmp_path: Path) -> Iterator[VirtualHottop]:
    with VirtualHottop(clock=clock, link_path=tmp_path / "hottop", seed=4) as emulator:
        yield emulator


@pytest.fixture
def manager(
    hottop: VirtualHottop, clock: ScaledClock, tmp_path: Path
) -> Iterator[RoastSessionManager]:
    roaster = HottopRoaster(str(tmp_path / "hottop"), clock=clock, timeout_s=0.05)
    session = RoastSessionManager(roaster, clock=clock)
    session.start_session()
    session.start_roaster()
    session.set_heat(80)
    wait_for(lambda: hottop.state.outputs.heat_percent == 80, clock, 5.0)
    yield session
    session.stop_session()


def stale_fault(manager: RoastSessionManager) -> bool:
    return any(f.rule is SafetyRule.STALE_DATA for f in manager.get_status().safety.faults)


def test_an_unplugged_hottop_latches_stale_data_and_never_resumes_heat(
    manager: RoastSessionManager, hottop: VirtualHottop, clock: ScaledClock
) -> None:
    hottop.unplug()
    unplugged_at = clock.monotonic()
    wait_for(lambda: stale_fault(manager), clock, 8.0)
    took = clock.monotonic() - unplugged_at
    assert 2.5 <= took <= 6.0  # the 3 s limit from the newest frame, plus 0.75 s real slack
    status = manager.get_status()
    assert not status.connection.connected
    assert status.safety.heat_allowed is False
    # Plugged back in, the driver reconnects and takes control again: with heat 0, not the 80 %
    # it was asked for before the cable came out.
    hottop.replug()
    wait_for(lambda: hottop.state.mode is Mode.PC_CONTROL, clock, 15.0)
    wait_for(lambda: manager.get_status().connection.connected, clock, 15.0)
    control_frames = hottop.state.control_frames
    wait_for(lambda: hottop.state.control_frames >= control_frames + 8, clock, 10.0)
    assert hottop.state.outputs.heat_percent == 0
    assert hottop.state.outputs.solenoid_open  # its watchdog ejected, and that is kept
    assert manager.clear_fault() == [SafetyRule.STALE_DATA]
    with pytest.raises(SafetyInterlockError, match="door open"):
        manager.set_heat(30)
    manager.stop_cooling()  # the door closes for the next batch
    wait_for(lambda: not hottop.state.outputs.solenoid_open, clock, 5.0)
    wait_for(lambda: manager.get_status().safety.heat_allowed, clock, 5.0)
    manager.start_roaster()
    manager.set_heat(30)  # only an explicit command brings the heat back
    wait_for(lambda: hottop.state.outputs.heat_percent == 30, clock, 5.0)


def test_a_silent_hottop_link_cuts_the_heat(
    manager: RoastSessionManager, hottop: VirtualHottop, clock: ScaledClock
) -> None:
    hottop.silence(30)  # the port stays open, the status frames stop: a frozen link
    silent_at = clock.monotonic()
    wait_for(lambda: stale_fault(manager), clock, 8.0)
    assert 2.5 <= clock.monotonic() - silent_at <= 6.0
    # The roaster still hears our control frames: they now carry heat 0.
    wait_for(lambda: hottop.state.outputs.heat_percent == 0, clock, 3.0)
    assert hottop.state.ejections == 0  # cut by us, not by the roaster's own watchdog
    assert not manager.get_status().connection.connected
