"""Following never outranks the safety supervisor: each unsafe case happens and is prevented.

The roasts run on the simulator, stepped by hand (ManualClock + poll_once), following a short
designed curve. Each test makes one unsafe case happen while the server follows and shows the
heat stays off (or is cut), following stops and says why, and nothing brings it back by itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from roastctl.clock import ManualClock
from roastctl.control.reference import DesignedCurve, Waypoint
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.errors import FaultActiveError, InvalidCommandError
from roastctl.models import FollowState, RoastStatus, SafetyRule
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore
from support import preheat_and_charge, run_until, simulated_session

#: A designed roast the follower reaches with the heat between 20 and 80 %, changing it often.
GENTLE = DesignedCurve(
    points=(Waypoint(0.0, None), Waypoint(90.0, 100.0), Waypoint(300.0, 150.0)), name="gentle"
)

Session = tuple[RoastSessionManager, SimulatedRoaster, ManualClock]


def heat(roaster: SimulatedRoaster) -> float:
    return roaster.actuators().heat_percent


def elapsed(status: RoastStatus) -> float:
    return status.metrics.roast_elapsed_s or 0.0


def run_for(manager: RoastSessionManager, clock: ManualClock, seconds: float) -> RoastStatus:
    """Step ``seconds`` clock seconds, one poll per second."""
    for _ in range(int(seconds)):
        clock.advance(1.0)
        manager.poll_once()
    return manager.get_status(forecast=False)


def follow_state(manager: RoastSessionManager) -> tuple[FollowState, str]:
    following = manager.get_status(forecast=False).following
    assert following is not None
    return following.state, following.reason or ""


@pytest.fixture
def followed() -> Iterator[Session]:
    """Beans charged, the server following GENTLE for 30 s with the heat on."""
    manager, roaster, clock = simulated_session(None)
    manager.start_session()
    manager.follow_profile(GENTLE)
    preheat_and_charge(manager, clock)
    run_for(manager, clock, 30)
    assert follow_state(manager)[0] is FollowState.FOLLOWING
    assert heat(roaster) > 0
    yield manager, roaster, clock
    manager.stop_session()


def test_following_never_heats_a_stopped_drum(followed: Session) -> None:
    manager, roaster, clock = followed
    manager.stop_roaster()  # the heater goes off with the drum
    assert heat(roaster) == 0
    run_for(manager, clock, 10)  # the follower's next decision wants heat: refused
    state, reason = follow_state(manager)
    assert state is FollowState.STOPPED
    assert "drum is stopped" in reason
    run_for(manager, clock, 30)
    assert heat(roaster) == 0


def test_following_stops_at_the_drop_and_never_heats_after_it(followed: Session) -> None:
    manager, roaster, clock = followed
    manager.drop_beans()
    assert follow_state(manager) == (FollowState.STOPPED, "the beans were dropped")
    run_for(manager, clock, 30)
    assert heat(roaster) == 0
    with pytest.raises(InvalidCommandError, match="following is stopped, not paused"):
        manager.resume_following()
    with pytest.raises(InvalidCommandError, match="already dropped"):
        manager.follow_profile(GENTLE)


def test_following_never_heats_while_a_fault_is_latched(followed: Session) -> None:
    manager, roaster, clock = followed
    manager.set_heat(0)  # the agent takes the heat off (following pauses)...
    manager.resume_following()  # ...and hands it back at once
    with manager._state_lock:  # a fault latched without any action carried out yet
        manager.safety.emergency_stop()
    run_for(manager, clock, 20)
    state, reason = follow_state(manager)
    assert state is FollowState.STOPPED
    assert "emergency_stop" in reason
    assert heat(roaster) == 0
    with pytest.raises(FaultActiveError, match="following is refused: safety fault latched"):
        manager.follow_profile(GENTLE)


def test_an_emergency_stop_stops_following_at_once(followed: Session) -> None:
    manager, roaster, clock = followed
    assert manager.emergency_stop() == []
    state, reason = follow_state(manager)  # before any further sample
    assert state is FollowState.STOPPED
    assert reason.startswith("emergency stop")
    assert heat(roaster) == 0
    run_for(manager, clock, 20)
    assert heat(roaster) == 0
    assert follow_state(manager)[0] is FollowState.STOPPED


def test_a_stale_probe_stops_following_and_cuts_the_heat(followed: Session) -> None:
    manager, roaster, clock = followed
    roaster.freeze_readings()
    status = manager.get_status(forecast=False)
    while not status.safety.faults:
        clock.advance(0.25)  # the safety thread's tick
        manager.check_safety()
        status = manager.get_status(forecast=False)
    assert [f.rule for f in status.safety.faults] == [SafetyRule.STALE_DATA]
    assert heat(roaster) == 0
    state, reason = follow_state(manager)
    assert state is FollowState.STOPPED
    assert "stale_data" in reason
    roaster.freeze_readings(False)
    run_for(manager, clock, 20)
    assert manager.clear_fault() == [SafetyRule.STALE_DATA]
    run_for(manager, clock, 20)
    assert heat(roaster) == 0  # nothing brings the heat back by itself
    assert follow_state(manager)[0] is FollowState.STOPPED


def test_the_dead_man_cuts_the_heat_while_following(followed: Session) -> None:
    manager, roaster, clock = followed
    manager.use_dead_man_default(30.0)  # armed, as `roastctl serve` arms it
    status = run_until(manager, clock, lambda s: bool(s.safety.faults), limit_s=40, forecast=False)
    # Following sent heat changes all along, yet none of them counted as the agent's call.
    assert status.following is not None
    assert status.following.heat_changes > 0
    assert [f.rule for f in status.safety.faults] == [SafetyRule.DEAD_MAN]
    assert heat(roaster) == 0
    state, reason = follow_state(manager)
    assert state is FollowState.STOPPED
    assert "dead_man" in reason
    run_for(manager, clock, 20)
    assert heat(roaster) == 0


def test_a_restart_never_resumes_following(tmp_path: Path) -> None:
    store = RoastStore(tmp_path / "roasts.sqlite3")
    manager, roaster, clock = simulated_session(store)
    manager.start_session()
    manager.follow_profile(GENTLE)
    preheat_and_charge(manager, clock)
    run_for(manager, clock, 20)
    manager.stop_session()  # drops and cools the hot beans, heater 0
    state, reason = follow_state(manager)
    assert state is FollowState.STOPPED
    assert reason == "the session was stopped"
    manager.start_session()
    assert manager.get_status(forecast=False).following is None
    manager.start_roaster()
    run_for(manager, clock, 30)
    assert heat(roaster) == 0
    manager.stop_session()
    # A new server on the same store starts with nothing to follow either.
    again, roaster2, clock2 = simulated_session(store)
    again.start_session()
    again.start_roaster()
    run_for(again, clock2, 30)
    assert again.get_status(forecast=False).following is None
    assert heat(roaster2) == 0
    again.stop_session()


def test_following_commands_are_the_followers_not_the_agents(tmp_path: Path) -> None:
    store = RoastStore(tmp_path / "roasts.sqlite3")
    manager, _, clock = simulated_session(store)
    manager.start_session()
    roast_id = manager.roast_id
    assert roast_id is not None
    manager.follow_profile(GENTLE)
    preheat_and_charge(manager, clock)
    run_for(manager, clock, 40)
    manager.stop_session()
    followers = [c for c in store.commands(roast_id) if c.caller == "follower"]
    assert followers
    assert {c.command for c in followers} <= {"set_heat", "set_fan"}
    assert all("following gentle at" in c.result for c in followers)
