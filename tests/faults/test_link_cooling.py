"""stop_cooling while the roaster is hot: refused, cooling goes on, and it says when it may end.

Ending cooling stops the stirrer, the fan and the drum and closes the door. After the
over-temperature drop (BT 219 deg C) that would leave hot beans unstirred and a hot drum without
air, so it waits until BT is below ``safety.release_temp_c`` and ET below
``safety.env_release_temp_c``, on fresh data. The simulator runs on a stepped ManualClock.
"""

from __future__ import annotations

import pytest

from roastctl.clock import ManualClock
from roastctl.config import SafetyConfig, ServerConfig, SimulatorConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.errors import SafetyInterlockError
from roastctl.models import SafetyEventKind, SafetyRule
from roastctl.session.manager import RoastSessionManager
from support import preheat_and_charge, run_until, simulated_session

COOLING = (0.0, True, True, True, 100.0)  # heat, door, drum, stirrer, fan


def make(clock: ManualClock) -> tuple[RoastSessionManager, SimulatedRoaster]:
    manager, sim, _ = simulated_session(None, clock)
    return manager, sim


def outputs(sim: SimulatedRoaster) -> tuple[float, bool, bool, bool, float]:
    now = sim.actuators()
    return (now.heat_percent, now.door_open, now.drum_on, now.cooling_on, now.fan_percent)


def step(manager: RoastSessionManager, clock: ManualClock, seconds: float = 1.0) -> None:
    clock.advance(seconds)
    manager.poll_once()


def test_stop_cooling_right_after_the_over_temperature_drop_is_refused(
    clock: ManualClock,
) -> None:
    manager, sim = make(clock)
    manager.start_session()
    try:
        preheat_and_charge(manager, clock)
        sim.override_probes(bean_c=225.0)
        step(manager, clock)  # the supervisor drops the beans
        sim.override_probes(bean_c=219.0)
        step(manager, clock)
        assert outputs(sim) == COOLING
        with pytest.raises(SafetyInterlockError) as refused:
            manager.stop_cooling()
        message = str(refused.value)
        assert "BT 219.0 deg C" in message
        assert "below 180 deg C" in message  # when it will be allowed
        assert "safety.release_temp_c" in message
        assert outputs(sim) == COOLING  # nothing changed: stirrer, fan and drum keep going
        event = manager.get_status().safety.events[-1]
        assert (event.kind, event.rule) == (SafetyEventKind.REFUSAL, SafetyRule.BEANS_HOT)
        sim.override_probes()
        run_until(manager, clock, lambda s: s.sensors is not None and s.sensors.bean_temp_c < 180)
        manager.clear_fault()
        manager.stop_cooling()  # cool enough now
        assert outputs(sim) == (0.0, False, False, False, 0.0)
    finally:
        manager.stop_session()


@pytest.mark.parametrize(
    ("bean_c", "env_c", "allowed"),
    [
        (219.0, 200.0, False),
        (180.0, 150.0, False),  # at the limit is not below it
        (179.0, 150.0, True),
        (120.0, 230.0, False),  # a hot drum with cool beans: ET decides
        (120.0, 219.0, True),
        (40.0, 40.0, True),
    ],
)
def test_stop_cooling_waits_for_both_release_temperatures(
    clock: ManualClock, bean_c: float, env_c: float, allowed: bool
) -> None:
    manager, sim = make(clock)
    manager.start_session()
    try:
        manager.drop_beans()
        sim.override_probes(bean_c=bean_c, env_c=env_c)
        step(manager, clock)
        if allowed:
            manager.stop_cooling()
            assert not sim.actuators().cooling_on
        else:
            with pytest.raises(SafetyInterlockError, match="stop_cooling refused"):
                manager.stop_cooling()
            assert outputs(sim) == COOLING
    finally:
        manager.stop_session()


def test_stop_cooling_without_fresh_data_is_refused(clock: ManualClock) -> None:
    manager, sim = make(clock)
    manager.start_session()
    try:
        manager.drop_beans()
        sim.freeze_readings()
        step(manager, clock, 5.0)
        with pytest.raises(SafetyInterlockError, match="no fresh reading"):
            manager.stop_cooling()
        assert outputs(sim) == COOLING
    finally:
        manager.stop_session()


def test_the_release_limits_come_from_the_config(clock: ManualClock) -> None:
    sim = SimulatedRoaster(SimulatorConfig(seed=7, bean_variance_c=0.0), clock)
    config = ServerConfig(timezone="UTC", safety=SafetyConfig(release_temp_c=150.0))
    manager = RoastSessionManager(sim, config, clock=clock, background_polling=False)
    manager.start_session()
    try:
        manager.drop_beans()
        sim.override_probes(bean_c=160.0, env_c=100.0)
        step(manager, clock)
        with pytest.raises(SafetyInterlockError, match="below 150 deg C"):
            manager.stop_cooling()
    finally:
        manager.stop_session()
