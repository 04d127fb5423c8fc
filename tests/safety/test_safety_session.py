"""The supervisor inside the session, on the simulator: each unsafe case happens and is stopped.

Time is a :class:`ManualClock` stepped by the test (one poll per clock second, as the default
sampling interval), so "within one sample" and "within 3 s" are exact.
"""

from __future__ import annotations

import threading
import time

import pytest

from roastctl.agents.recipe import run_scripted_roast
from roastctl.clock import ManualClock
from roastctl.config import SafetyConfig, ServerConfig, SimulatorConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.errors import FaultActiveError, InvalidCommandError, SafetyInterlockError
from roastctl.models import (
    EventSource,
    RoastEventType,
    RoastStatus,
    SafetyEventKind,
    SafetyRule,
)
from roastctl.session.manager import RoastSessionManager
from support import preheat_and_charge, run_until


def make_manager(
    clock: ManualClock, **safety: object
) -> tuple[RoastSessionManager, SimulatedRoaster]:
    sim = SimulatedRoaster(SimulatorConfig(seed=7, bean_variance_c=0.0), clock)
    config = ServerConfig(timezone="UTC", safety=SafetyConfig.model_validate(safety))
    return RoastSessionManager(sim, config, clock=clock, background_polling=False), sim


def step(manager: RoastSessionManager, clock: ManualClock, seconds: float = 1.0) -> RoastStatus:
    clock.advance(seconds)
    manager.poll_once()
    return manager.get_status()


def safe_state(sim: SimulatedRoaster) -> tuple[float, bool, bool, bool, float]:
    """Heat, door, drum, stirrer, fan as the simulated machine really has them."""
    now = sim.actuators()
    return (now.heat_percent, now.door_open, now.drum_on, now.cooling_on, now.fan_percent)


def heat(sim: SimulatedRoaster) -> float:
    return sim.actuators().heat_percent


DROPPED = (0.0, True, True, True, 100.0)


def faults(status: RoastStatus) -> list[SafetyRule]:
    return [fault.rule for fault in status.safety.faults]


# ----------------------------------------------------------------- a normal roast
def test_a_normal_roast_trips_nothing(clock: ManualClock) -> None:
    manager, sim = make_manager(clock)
    manager.start_session()
    try:
        final = run_scripted_roast(manager, sim)
    finally:
        manager.stop_session()
    assert final.metrics.development_time_percent is not None
    kinds = {(e.kind, e.rule) for e in final.safety.events}
    assert not [k for k in kinds if k[0] in (SafetyEventKind.FAULT, SafetyEventKind.REFUSAL)]
    assert final.safety.faults == ()
    drop = next(e for e in final.events if e.type is RoastEventType.DROP)
    assert drop.source is not EventSource.SAFETY


# ----------------------------------------------------------------- over-temperature
def test_a_runaway_roast_is_dropped_within_one_sample_at_the_bean_limit(
    clock: ManualClock,
) -> None:
    manager, sim = make_manager(clock)
    manager.start_session()
    preheat_and_charge(manager, clock)
    manager.set_fan(0)  # full heat, no airflow, and an agent that never drops
    status = manager.get_status()
    while status.sensors is not None and status.sensors.bean_temp_c < 220.0:
        assert heat(sim) == 100
        status = step(manager, clock)
    # The poll that saw BT >= 220 already ran the drop sequence.
    assert status.sensors is not None
    assert status.sensors.bean_temp_c >= 220.0
    assert safe_state(sim) == DROPPED
    assert faults(status) == [SafetyRule.BEAN_OVER_TEMPERATURE]
    drop = next(e for e in status.events if e.type is RoastEventType.DROP)
    assert drop.source is EventSource.SAFETY
    assert drop.bean_temp_c is not None
    assert drop.bean_temp_c >= 220.0
    assert status.safety.last_action is not None
    assert status.safety.last_action.rule is SafetyRule.BEAN_OVER_TEMPERATURE
    with pytest.raises(FaultActiveError, match="bean_over_temperature"):
        manager.set_heat(50)
    with pytest.raises(FaultActiveError):
        manager.new_roast()
    # Cooling: the fault clears only once BT is below 180 deg C.
    with pytest.raises(SafetyInterlockError, match="not yet below 180"):
        manager.clear_fault()
    status = run_until(
        manager, clock, lambda s: s.sensors is not None and s.sensors.bean_temp_c < 180.0
    )
    assert manager.clear_fault() == [SafetyRule.BEAN_OVER_TEMPERATURE]
    with pytest.raises(SafetyInterlockError, match="the beans were dropped"):
        manager.set_heat(50)  # still after the drop until cooling ends
    manager.stop_cooling()
    manager.new_roast()
    manager.start_roaster()
    manager.set_heat(50)
    assert heat(sim) == 50
    manager.stop_session()


def test_the_environment_limit_trips_on_its_own(clock: ManualClock) -> None:
    manager, sim = make_manager(clock, env_temp_limit_c=200.0, env_release_temp_c=150.0)
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(100)
    status = run_until(manager, clock, lambda s: bool(s.safety.faults), limit_s=1800)
    assert faults(status) == [SafetyRule.ENV_OVER_TEMPERATURE]
    assert status.sensors is not None
    assert 200.0 <= status.sensors.env_temp_c < 202.0
    assert safe_state(sim) == DROPPED
    assert status.events == ()  # nothing was charged: no DROP on the time line
    manager.stop_session()


def test_the_warning_band_shows_in_the_status_before_the_limit(clock: ManualClock) -> None:
    manager, _sim = make_manager(clock, warning_band_c=15.0)
    manager.start_session()
    preheat_and_charge(manager, clock)
    manager.set_fan(0)

    def warns_on_beans(status: RoastStatus) -> bool:
        return any(w.startswith("BT") for w in status.safety.warnings)

    status = run_until(manager, clock, warns_on_beans)
    assert status.safety.state == "warning"
    assert not status.safety.faults  # a warning, not yet a trip
    assert status.sensors is not None
    assert 205.0 <= status.sensors.bean_temp_c < 206.0
    assert next(w for w in status.safety.warnings if w.startswith("BT")).startswith("BT 205")
    manager.stop_session()


def test_the_environment_warning_band_shows_before_its_limit(clock: ManualClock) -> None:
    # ET's band, made the nearer one by a lower ET limit (230: band from 215): it warns on ET
    # first, whichever model's probes the simulator has.
    manager, _sim = make_manager(
        clock, warning_band_c=15.0, env_temp_limit_c=230.0, env_release_temp_c=200.0
    )
    manager.start_session()
    preheat_and_charge(manager, clock)
    manager.set_fan(0)
    status = run_until(manager, clock, lambda s: s.safety.state != "ok")
    assert status.safety.state == "warning"
    assert not status.safety.faults
    assert status.safety.warnings[0].startswith("ET 215")
    assert status.sensors is not None
    assert 215.0 <= status.sensors.env_temp_c < 216.0
    manager.stop_session()


# ----------------------------------------------------------------- stale and frozen data
def test_a_device_that_freezes_while_heating_has_its_heat_cut_within_three_seconds(
    clock: ManualClock,
) -> None:
    manager, sim = make_manager(clock)
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(80)
    for _ in range(30):
        step(manager, clock)
    sim.freeze_readings()
    frozen_at = clock.monotonic()  # the newest fresh reading was taken just now
    status = manager.get_status()
    while not status.safety.faults:
        assert heat(sim) == 80
        clock.advance(0.25)  # the safety thread's tick
        manager.check_safety()
        status = manager.get_status()
    took = clock.monotonic() - frozen_at
    assert 3.0 < took <= 3.25
    assert heat(sim) == 0
    assert faults(status) == [SafetyRule.STALE_DATA]
    assert not status.connection.connected  # a frozen device is never reported healthy
    assert not status.connection.data_fresh
    with pytest.raises(SafetyInterlockError, match="no fresh reading"):
        manager.clear_fault()
    sim.freeze_readings(False)
    step(manager, clock)
    assert manager.get_status().connection.connected
    assert manager.clear_fault() == [SafetyRule.STALE_DATA]
    assert heat(sim) == 0  # nothing restores the heat by itself
    manager.stop_session()


def test_an_unplugged_roaster_gets_heat_zero_as_soon_as_it_is_back(clock: ManualClock) -> None:
    manager, sim = make_manager(clock)
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(60)
    step(manager, clock)
    sim.unplug()
    for _ in range(4):
        step(manager, clock)  # reads fail; after 3 s the fault latches, the cut cannot land
    status = manager.get_status()
    assert faults(status) == [SafetyRule.STALE_DATA]
    assert status.connection.poll_errors == 4
    assert not status.connection.connected
    assert heat(sim) == 60  # the cable is out: nothing reaches the heater
    sim.replug()
    manager.check_safety()  # the next tick: the cut is retried until it lands
    assert heat(sim) == 0
    manager.stop_session()


def test_stale_data_refuses_new_heat(clock: ManualClock) -> None:
    manager, sim = make_manager(clock)
    manager.start_session()
    manager.start_roaster()
    sim.freeze_readings()
    step(manager, clock, 5.0)
    with pytest.raises(SafetyInterlockError, match="heat waits for fresh data"):
        manager.set_heat(50)
    assert heat(sim) == 0
    manager.stop_session()


# ----------------------------------------------------------------- dead-man
def test_an_agent_that_goes_silent_has_its_heat_cut(clock: ManualClock) -> None:
    manager, sim = make_manager(clock)
    manager.start_session()
    preheat_and_charge(manager, clock)
    manager.use_dead_man_default(30.0)  # armed, as `roastctl serve` arms it; counts from now
    for _ in range(29):
        step(manager, clock)
        assert heat(sim) == 100
    status = step(manager, clock)
    assert heat(sim) == 0
    assert faults(status) == [SafetyRule.DEAD_MAN]
    assert status.safety.dead_man_seconds_left is None
    assert sim.beans_in_drum  # the beans stay: only the heat is cut
    assert manager.clear_fault() == [SafetyRule.DEAD_MAN]
    manager.set_heat(70)  # the agent is back and resumes
    assert heat(sim) == 70
    manager.stop_session()


def test_the_dead_man_is_off_for_the_python_api_by_default(clock: ManualClock) -> None:
    manager, sim = make_manager(clock)
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(40)
    for _ in range(600):
        step(manager, clock)
    assert heat(sim) == 40
    assert manager.get_status().safety.limits is not None
    assert manager.get_status().safety.limits.dead_man_s is None  # type: ignore[union-attr]
    manager.use_dead_man_default(60.0)  # what `roastctl serve` does
    for _ in range(60):
        step(manager, clock)
    assert heat(sim) == 0
    manager.stop_session()


# ----------------------------------------------------------------- interlocks
def test_heat_after_drop_is_refused_and_logged(clock: ManualClock) -> None:
    manager, sim = make_manager(clock)
    manager.start_session()
    preheat_and_charge(manager, clock)
    manager.drop_beans()
    with pytest.raises(SafetyInterlockError, match="the beans were dropped") as refused:
        manager.set_heat(80)
    assert "stop_cooling()" in str(refused.value)
    assert heat(sim) == 0
    refusal = manager.get_status().safety.events[-1]
    assert (refusal.kind, refusal.rule) == (SafetyEventKind.REFUSAL, SafetyRule.AFTER_DROP)
    manager.stop_cooling()
    manager.start_roaster()
    manager.set_heat(80)  # the next batch's preheat
    assert heat(sim) == 80
    manager.stop_session()


def test_heat_during_cooling_is_refused(clock: ManualClock) -> None:
    manager, sim = make_manager(clock)
    manager.start_session()
    manager.start_roaster()
    manager.start_cooling()
    with pytest.raises(SafetyInterlockError, match="cooling is running"):
        manager.set_heat(30)
    assert heat(sim) == 0
    manager.stop_session()


def test_a_drop_at_the_roaster_panel_also_locks_the_heat(clock: ManualClock) -> None:
    manager, sim = make_manager(clock)
    manager.start_session()
    preheat_and_charge(manager, clock)
    run_until(manager, clock, lambda s: (s.metrics.roast_elapsed_s or 0) > 400)
    sim.drop_beans()  # the operator pressed the roaster's own eject button
    sim.set_heat(100)  # and, by mistake, the heat
    status = run_until(manager, clock, lambda s: s.metrics.drop_s is not None, limit_s=10)
    step(manager, clock)
    assert heat(sim) == 0
    assert status.safety.heat_allowed is False
    manager.stop_session()


def test_fan_off_cap_after_first_crack(clock: ManualClock) -> None:
    manager, sim = make_manager(clock, fan_off_heat_cap_percent=40)
    manager.start_session()
    preheat_and_charge(manager, clock)
    manager.set_fan(0)
    manager.report_first_crack(clock.now())
    with pytest.raises(SafetyInterlockError, match="capped at 40 %"):
        manager.set_heat(100)  # 100 % is already on: raising or keeping it above 40 is refused
    manager.set_heat(40)
    manager.set_fan(30)
    manager.set_heat(90)
    with pytest.raises(SafetyInterlockError, match="fan 0 % refused"):
        manager.set_fan(0)
    assert (heat(sim), sim.read_sensors().fan_percent) == (90, 30)
    manager.stop_session()


# ----------------------------------------------------------------- emergency stop
def test_emergency_stop_from_every_state(clock: ManualClock) -> None:
    manager, sim = make_manager(clock)
    problems = manager.emergency_stop()  # no session at all: still accepted, and honest
    assert [p.split(" (")[0] for p in problems] == ["heater off failed", "drop sequence failed"]
    assert "not connected" in problems[0]
    assert faults(manager.get_status()) == [SafetyRule.EMERGENCY_STOP]
    with pytest.raises(FaultActiveError):
        manager.start_session()  # watched, not a new roast, until the fault is cleared

    def heating() -> None:
        manager.start_roaster()
        manager.set_heat(100)

    def idle() -> None:
        pass

    for prepare in (idle, manager.start_roaster, heating, manager.start_cooling):
        clock.advance(1.0)
        manager.poll_once()
        manager.clear_fault()
        manager.stop_cooling()
        manager.new_roast()
        prepare()
        assert manager.emergency_stop() == []
        assert safe_state(sim) == DROPPED
        assert faults(manager.get_status()) == [SafetyRule.EMERGENCY_STOP]
    manager.stop_session()


class _StuckDevice(SimulatedRoaster):
    """Every command blocks until released: a device that stopped answering."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(SimulatorConfig(seed=3), clock)
        self.release = threading.Event()
        self.stuck = False

    def set_heat(self, percent: int) -> None:
        if self.stuck:
            self.release.wait(10)
        super().set_heat(percent)


def test_emergency_stop_answers_within_a_second_on_a_stuck_device(clock: ManualClock) -> None:
    device = _StuckDevice(clock)
    manager = RoastSessionManager(device, ServerConfig(), clock=clock, background_polling=False)
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(90)
    device.stuck = True
    started = time.monotonic()
    problems = manager.emergency_stop()
    took = time.monotonic() - started
    assert took < 2.0
    assert problems == [
        "the roaster did not confirm within 1 s (slow device); the steps are still being "
        "sent and heat stays refused"
    ]
    status = manager.get_status()
    assert faults(status) == [SafetyRule.EMERGENCY_STOP]
    assert status.safety.heat_allowed is False
    device.release.set()
    deadline = time.monotonic() + 5
    while not device.read_sensors().door_open:  # the steps land once the device answers
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert heat(device) == 0
    manager.stop_session()


# ----------------------------------------------------------------- safe shutdown
def test_stopping_mid_roast_drops_and_cools_hot_beans(clock: ManualClock) -> None:
    manager, sim = make_manager(clock)
    manager.start_session()
    preheat_and_charge(manager, clock)
    run_until(manager, clock, lambda s: (s.metrics.roast_elapsed_s or 0) > 300)
    status = manager.get_status()
    manager.stop_session()
    assert safe_state(sim) == DROPPED
    assert status.safety.faults == ()
    (shutdown,) = [e for e in manager.safety.events if e.rule is SafetyRule.SHUTDOWN]
    assert shutdown.message == "the session was stopped: heater off, drop and cool"


def test_stopping_before_charge_only_switches_the_heat_off(clock: ManualClock) -> None:
    manager, sim = make_manager(clock)
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(100)
    for _ in range(60):
        step(manager, clock)
    manager.stop_session("test over")
    assert heat(sim) == 0
    assert not sim.actuators().door_open  # no beans: no reason to open the door
    shutdown = [e for e in manager.safety.events if e.rule is SafetyRule.SHUTDOWN]
    assert [e.message for e in shutdown] == ["test over: heater off"]


def test_a_fault_survives_a_session_restart(clock: ManualClock) -> None:
    manager, _sim = make_manager(clock)
    manager.start_session()
    manager.emergency_stop()
    manager.stop_session()
    with pytest.raises(FaultActiveError, match="emergency_stop"):
        manager.start_session()  # connected and watched, but no new roast while it is latched
    manager.start_roaster()
    with pytest.raises(InvalidCommandError, match="emergency_stop"):
        manager.set_heat(10)
    manager.stop_session()
