"""Control commands: each does exactly what it says, and bad input changes nothing."""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from roastctl.clock import ManualClock
from roastctl.config import HardwareConfig, ServerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.errors import BeansNotAddedError, InvalidCommandError
from roastctl.models import EventSource, RoastEventType
from roastctl.session.manager import RoastSessionManager
from support import preheat_and_charge, run_until


def _state(sim: SimulatedRoaster) -> tuple[int, int, bool, bool, bool]:
    r = sim.read_sensors()
    return r.heat_percent, r.fan_percent, r.drum_on, r.door_open, r.cooling_on


def test_heat_and_fan_reach_the_roaster(
    started: RoastSessionManager, sim: SimulatedRoaster
) -> None:
    started.start_roaster()
    started.set_heat(70)
    started.set_fan(30)
    assert _state(sim)[:3] == (70, 30, True)


@pytest.mark.parametrize("bad", [105, -10, 55, 50.5, "50", True, None, math.nan, math.inf])
def test_invalid_heat_is_refused_and_changes_nothing(
    started: RoastSessionManager, sim: SimulatedRoaster, bad: object
) -> None:
    started.start_roaster()
    started.set_heat(40)
    before = _state(sim)
    with pytest.raises(InvalidCommandError, match=r"heat.*Allowed: 0-100 % in steps of 10"):
        started.set_heat(bad)  # type: ignore[arg-type]
    assert _state(sim) == before


@pytest.mark.parametrize("bad", [110, -1, 35, 12.5, "x"])
def test_invalid_fan_is_refused_and_changes_nothing(
    started: RoastSessionManager, sim: SimulatedRoaster, bad: object
) -> None:
    started.set_fan(20)
    before = _state(sim)
    with pytest.raises(InvalidCommandError, match="fan"):
        started.set_fan(bad)  # type: ignore[arg-type]
    assert _state(sim) == before


def test_heat_step_follows_config(sim: SimulatedRoaster, clock: ManualClock) -> None:
    config = ServerConfig(hardware=HardwareConfig(heat_step_percent=5))
    manager = RoastSessionManager(sim, config, clock=clock, background_polling=False)
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(55)
    assert _state(sim)[0] == 55
    with pytest.raises(InvalidCommandError, match="steps of 5"):
        manager.set_heat(57)
    manager.stop_session()


def test_heat_refused_while_the_drum_is_stopped(
    started: RoastSessionManager, sim: SimulatedRoaster
) -> None:
    with pytest.raises(InvalidCommandError, match=r"drum is stopped.*start_roaster\(\)"):
        started.set_heat(50)
    assert _state(sim)[0] == 0
    started.set_heat(0)  # switching the heater off is always allowed


def test_stop_roaster_stops_drum_and_heater(
    started: RoastSessionManager, sim: SimulatedRoaster
) -> None:
    started.start_roaster()
    started.set_heat(90)
    started.stop_roaster()
    heat, _, drum, _, _ = _state(sim)
    assert (heat, drum) == (0, False)
    with pytest.raises(InvalidCommandError):
        started.set_heat(10)


def test_drop_runs_the_full_sequence_and_marks_drop(
    started: RoastSessionManager, sim: SimulatedRoaster, clock: ManualClock
) -> None:
    preheat_and_charge(started, clock)
    run_until(started, clock, lambda s: (s.metrics.roast_elapsed_s or 0) >= 300)
    event = started.drop_beans()
    assert _state(sim) == (0, 100, True, True, True)
    assert event is not None
    assert event.type is RoastEventType.DROP
    assert event.source is EventSource.COMMAND
    assert event.elapsed_s == pytest.approx(300, abs=1.5)
    status = started.get_status()
    assert status.metrics.drop_s == event.elapsed_s
    assert status.timestamps.drop_utc == event.timestamp
    # The door edge that follows is not a second DROP.
    run_until(
        started,
        clock,
        lambda s: (s.sensors.monotonic_s if s.sensors else 0) > event.monotonic_s + 10,
    )
    assert [e.type for e in started.get_status().events].count(RoastEventType.DROP) == 1
    assert not sim.beans_in_drum


def test_drop_before_charge_moves_hardware_but_marks_nothing(
    started: RoastSessionManager, sim: SimulatedRoaster
) -> None:
    assert started.drop_beans() is None
    assert _state(sim)[3] is True  # door opened
    assert started.get_status().events == ()


def test_cooling_start_and_stop(started: RoastSessionManager, sim: SimulatedRoaster) -> None:
    started.drop_beans()
    started.start_cooling()
    assert _state(sim)[1:] == (100, True, True, True)
    started.stop_cooling()
    assert _state(sim) == (0, 0, False, False, False)  # door closed for the next batch


def test_report_first_crack_backdated_with_recorded_bt(
    started: RoastSessionManager, clock: ManualClock
) -> None:
    preheat_and_charge(started, clock)
    run_until(started, clock, lambda s: (s.metrics.roast_elapsed_s or 0) >= 500)
    now = clock.now()
    heard = now - timedelta(seconds=20)
    event = started.report_first_crack(heard)
    bt_then = started.tracker.interpolate(started.tracker.wall_to_monotonic(heard))
    assert bt_then is not None
    assert event.timestamp == heard
    assert event.bean_temp_c == pytest.approx(bt_then[0], abs=0.01)
    status = started.get_status()
    assert status.metrics.first_crack_s == pytest.approx(480, abs=1.0)
    assert status.metrics.development_time_s == pytest.approx(20, abs=1.0)
    assert status.timestamps.first_crack_utc == heard
    # A second report moves first crack; the given temperature wins over the recorded one.
    moved = started.report_first_crack(now - timedelta(seconds=10), temp_c=195.0)
    assert moved.bean_temp_c == 195.0
    assert started.get_status().metrics.first_crack_s == pytest.approx(490, abs=1.0)


def test_report_first_crack_refusals_change_nothing(
    started: RoastSessionManager, clock: ManualClock
) -> None:
    with pytest.raises(BeansNotAddedError, match="CHARGE"):
        started.report_first_crack(clock.now())
    preheat_and_charge(started, clock)
    run_until(started, clock, lambda s: (s.metrics.roast_elapsed_s or 0) >= 60)
    before = started.get_status().events
    naive = datetime(2026, 1, 1, 8, 30)
    with pytest.raises(InvalidCommandError, match="no timezone"):
        started.report_first_crack(naive)
    with pytest.raises(InvalidCommandError, match="future"):
        started.report_first_crack(clock.now() + timedelta(minutes=5))
    with pytest.raises(InvalidCommandError, match="before CHARGE"):
        started.report_first_crack(clock.now() - timedelta(minutes=30))
    with pytest.raises(InvalidCommandError, match="150-250"):
        started.report_first_crack(clock.now(), temp_c=392.0)  # deg F by mistake
    assert started.get_status().events == before
    started.report_first_crack(clock.now().astimezone(UTC))  # a valid one still works after


def test_mark_event_manual_charge_wins(started: RoastSessionManager, clock: ManualClock) -> None:
    status = preheat_and_charge(started, clock)
    auto = next(e for e in status.events if e.type is RoastEventType.CHARGE)
    run_until(started, clock, lambda s: (s.metrics.roast_elapsed_s or 0) >= 120)
    marked = started.mark_event("charge", auto.timestamp + timedelta(seconds=5))
    assert marked.source is EventSource.MANUAL
    status = started.get_status()
    charges = [e for e in status.events if e.type is RoastEventType.CHARGE]
    assert charges == [marked]
    assert status.metrics.roast_elapsed_s == pytest.approx(115, abs=1.5)


def test_mark_event_rejects_unknown_and_tp(started: RoastSessionManager) -> None:
    with pytest.raises(InvalidCommandError, match="allowed: CHARGE"):
        started.mark_event("SECOND_CRACK")
    with pytest.raises(InvalidCommandError):
        started.mark_event(RoastEventType.TURNING_POINT)


def test_heat_refused_after_drop_until_cooling_ends(
    started: RoastSessionManager, sim: SimulatedRoaster
) -> None:
    started.start_roaster()
    started.set_heat(80)
    started.drop_beans()
    with pytest.raises(InvalidCommandError, match=r"dropped.*stop_cooling\(\)"):
        started.set_heat(50)
    assert _state(sim)[0] == 0
    started.set_heat(0)  # off is always allowed
    started.stop_cooling()
    started.start_roaster()
    started.set_heat(50)  # the next batch's preheat
    assert _state(sim)[0] == 50


def test_emergency_stop_is_safe_state_and_latches(
    started: RoastSessionManager, sim: SimulatedRoaster
) -> None:
    started.start_roaster()
    started.set_heat(100)
    assert started.emergency_stop() == []
    assert _state(sim) == (0, 100, True, True, True)
    with pytest.raises(InvalidCommandError, match="emergency stop"):
        started.set_heat(100)
    with pytest.raises(InvalidCommandError, match="emergency_stop"):
        started.new_roast()
    assert started.clear_fault() == ["emergency_stop"]  # the drum is cold: nothing persists
    started.new_roast()
    started.set_heat(20)
    assert _state(sim)[0] == 20


class _SlowHeat(SimulatedRoaster):
    """set_heat blocks until released: a command stuck on a slow link."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock=clock)
        self.entered = threading.Event()
        self.release = threading.Event()

    def set_heat(self, percent: int) -> None:
        if percent > 0:
            self.entered.set()
            self.release.wait(5)
        super().set_heat(percent)


def test_emergency_stop_does_not_wait_for_a_stuck_command_and_wins(clock: ManualClock) -> None:
    device = _SlowHeat(clock)
    manager = RoastSessionManager(device, clock=clock, background_polling=False)
    manager.start_session()
    manager.start_roaster()
    worker = threading.Thread(target=manager.set_heat, args=(100,))
    worker.start()
    assert device.entered.wait(5)  # set_heat(100) holds the command lock inside the device
    started = time.monotonic()
    assert manager.emergency_stop() == []
    assert time.monotonic() - started < 1.0  # did not queue behind the stuck command
    device.release.set()  # the stuck heat command now lands on the roaster...
    worker.join(5)
    assert device.read_sensors().heat_percent == 0  # ...and is switched straight back off
    manager.stop_session()


def test_emergency_stop_reports_what_failed(clock: ManualClock) -> None:
    sim = SimulatedRoaster(clock=clock)  # never connected: the device refuses every command
    manager = RoastSessionManager(sim, clock=clock, background_polling=False)
    failures = manager.emergency_stop()
    assert len(failures) == 2
    assert failures[0].startswith("heater off failed")
    assert "connect" in failures[0]


def test_first_crack_reported_now_with_an_older_newest_sample(
    started: RoastSessionManager, clock: ManualClock
) -> None:
    preheat_and_charge(started, clock)
    run_until(started, clock, lambda s: (s.metrics.roast_elapsed_s or 0) >= 500)
    newest = started.get_status().sensors
    assert newest is not None
    clock.advance(8.0)  # no poll since: the newest sample is 8 s old, yet "now" is no future
    event = started.report_first_crack(clock.now())
    assert event.monotonic_s == newest.monotonic_s
    with pytest.raises(InvalidCommandError, match="in the future"):
        started.report_first_crack(clock.now() + timedelta(seconds=30))
