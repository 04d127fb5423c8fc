"""USB outages on a virtual Hottop (real pyserial over a pseudo-terminal) mid-roast.

The Hottop ejects the beans by itself about a second after control frames stop (heater 0, door
open, drum and stirrer on). After any outage the server must assume the roaster acted on its own:
it never sends heat or a closed door by itself, records what happened, leaves cooling running,
and heat comes back only by an explicit command. Outages shorter than the watchdog, just longer
and long enough to trip the stale-data rule are each pulled for real. Everything runs on one
clock sped up 2x; times below are roaster (clock) seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from roastctl.clock import ScaledClock
from roastctl.errors import SafetyInterlockError
from roastctl.hottop.driver import HottopRoaster
from roastctl.hottop.emulator import Mode, VirtualHottop
from roastctl.models import EventSource, RoastEventType, RoastStatus, SafetyRule
from roastctl.session.manager import RoastSessionManager
from support import wait_for

SPEED = 2.0
#: Reopen attempts every 0.1-0.2 s, so the outage the roaster sees is the pull plus at most that.
BACKOFF_S = (0.1, 0.2)


@pytest.fixture
def clock() -> ScaledClock:
    return ScaledClock(SPEED)


@pytest.fixture
def hottop(clock: ScaledClock, tmp_path: Path) -> Iterator[VirtualHottop]:
    with VirtualHottop(clock=clock, link_path=tmp_path / "hottop", seed=15) as emulator:
        yield emulator


def roasting(
    hottop: VirtualHottop, clock: ScaledClock, tmp_path: Path, watchdog_s: float = 1.0
) -> RoastSessionManager:
    """A session at heat 100 with beans in the drum and CHARGE on the time line."""
    hottop.watchdog_s = watchdog_s
    roaster = HottopRoaster(
        str(tmp_path / "hottop"),
        clock=clock,
        timeout_s=0.05,
        backoff_s=BACKOFF_S,
        watchdog_s=watchdog_s,
    )
    manager = RoastSessionManager(roaster, clock=clock)
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(100)
    hottop.charge(200)
    wait_for(lambda: hottop.state.outputs.heat_percent == 100, clock, 5.0)
    wait_for(lambda: manager.get_status().connection.samples >= 3, clock, 10.0)
    manager.mark_event(RoastEventType.CHARGE)
    return manager


def pull_cable(hottop: VirtualHottop, clock: ScaledClock, seconds: float) -> None:
    hottop.unplug()
    clock.sleep(seconds)
    hottop.replug()


def settled(manager: RoastSessionManager, hottop: VirtualHottop, clock: ScaledClock) -> None:
    """Wait until the driver has taken control again and sent a few frames since."""
    wait_for(lambda: hottop.state.mode is Mode.PC_CONTROL, clock, 10.0)
    wait_for(lambda: manager.get_status().connection.connected, clock, 10.0)
    frames = hottop.state.control_frames
    wait_for(lambda: hottop.state.control_frames >= frames + 8, clock, 10.0)


def link_events(status: RoastStatus) -> list[str]:
    return [e.message for e in status.safety.events if e.rule is SafetyRule.LINK_LOST]


def test_an_outage_shorter_than_the_watchdog_never_brings_the_heat_back_by_itself(
    hottop: VirtualHottop, clock: ScaledClock, tmp_path: Path
) -> None:
    # A 2 s watchdog leaves a 0.3 s pull (plus the reopen) well inside it on a busy machine.
    manager = roasting(hottop, clock, tmp_path, watchdog_s=2.0)
    try:
        pull_cable(hottop, clock, 0.3)
        settled(manager, hottop, clock)
        state = hottop.state
        assert state.ejections == 0  # the roaster did not act on its own...
        assert state.beans_in_drum
        # ...but the server cannot know that while it is blind: heater 0, everything else as
        # the roaster reports it (drum on, door closed), until an explicit set_heat.
        out = state.outputs
        assert (out.heat_percent, out.drum_on, out.solenoid_open) == (0, True, False)
        status = manager.get_status()
        assert status.timestamps.drop_utc is None
        assert status.safety.faults == ()
        (message,) = link_events(status)
        assert "did not eject" in message
        assert "set_heat" in message
        manager.set_heat(60)  # the state is known again: an explicit command brings heat back
        wait_for(lambda: hottop.state.outputs.heat_percent == 60, clock, 5.0)
    finally:
        manager.stop_session()


@pytest.mark.parametrize("outage_s", [1.3, 2.0, 4.0])
def test_an_outage_past_the_watchdog_keeps_the_roasters_eject(
    hottop: VirtualHottop, clock: ScaledClock, tmp_path: Path, outage_s: float
) -> None:
    manager = roasting(hottop, clock, tmp_path)
    try:
        pull_cable(hottop, clock, outage_s)
        assert hottop.ejected.is_set()  # the roaster's own watchdog dropped the beans
        settled(manager, hottop, clock)
        out = hottop.state.outputs
        # Nothing of the old state is resent: heater 0, the door stays open, the drum, the
        # stirrer and the fan keep cooling the beans.
        assert (out.heat_percent, out.solenoid_open, out.drum_on, out.cooling_on) == (
            0,
            True,
            True,
            True,
        )
        assert out.main_fan_level == 10
        status = manager.get_status()
        drop = next(e for e in status.events if e.type is RoastEventType.DROP)
        assert drop.source is EventSource.WATCHDOG
        (message,) = link_events(status)
        assert "ejected" in message
        assert status.safety.heat_allowed is False
        with pytest.raises(SafetyInterlockError):
            manager.set_heat(100)
        assert hottop.state.outputs.heat_percent == 0
    finally:
        manager.stop_session()
