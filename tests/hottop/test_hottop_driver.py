"""The Hottop driver through real pyserial against the virtual Hottop on a pty.

Both run on one ScaledClock (x5): the driver's cadence, the emulator's frame period and its ~1 s
eject watchdog all scale together, so a minute of roaster time takes twelve real seconds while the
watchdog still leaves 200 ms of real time for thread scheduling on a busy machine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from roastctl.clock import ScaledClock
from roastctl.config import SafetyConfig, ServerConfig
from roastctl.errors import RoasterConnectionError
from roastctl.hottop.driver import HottopRoaster
from roastctl.hottop.emulator import VirtualHottop
from roastctl.hottop.protocol import ControlFrame
from roastctl.session.manager import RoastSessionManager
from support import wait_for

SPEED = 5.0


@pytest.fixture
def clock() -> ScaledClock:
    return ScaledClock(SPEED)


@pytest.fixture
def hottop(clock: ScaledClock, tmp_path: Path) -> Iterator[VirtualHottop]:
    with VirtualHottop(clock=clock, link_path=tmp_path / "hottop", seed=1) as emulator:
        yield emulator


@pytest.fixture
def driver(hottop: VirtualHottop, clock: ScaledClock, tmp_path: Path) -> Iterator[HottopRoaster]:
    roaster = HottopRoaster(str(tmp_path / "hottop"), clock=clock, timeout_s=0.05)
    roaster.connect()
    yield roaster
    roaster.disconnect()


def test_readings_track_the_emulator(
    driver: HottopRoaster, hottop: VirtualHottop, clock: ScaledClock
) -> None:
    reading = driver.read_sensors()
    state = hottop.state
    assert abs(reading.bean_temp_c - state.bean_temp_c) <= 1.5
    assert abs(reading.env_temp_c - state.env_temp_c) <= 1.5
    assert driver.is_connected()
    age = driver.last_frame_age_s()
    assert age is not None
    assert age < 0.5


def test_commands_reach_the_wire_before_the_next_periodic_frame(
    driver: HottopRoaster, hottop: VirtualHottop, clock: ScaledClock
) -> None:
    # A long period: a command that arrives well within it was sent at once, not periodically.
    # (The emulator's watchdog is off here, or the 5 s gaps would eject.)
    hottop.watchdog_s = None
    driver.send_interval_s = 5.0
    driver.start_drum()
    wait_for(lambda: hottop.state.outputs.drum_on, clock, 2.0)
    took = []
    for heat in (40, 70, 0):

        def arrived(expected: int = heat) -> bool:
            return hottop.state.outputs.heat_percent == expected

        driver.set_heat(heat)
        took.append(wait_for(arrived, clock, 2.0))
    assert max(took) < 1.0
    driver.set_fan(60)
    wait_for(lambda: hottop.state.outputs.main_fan_level == 6, clock, 1.0)
    wait_for(lambda: driver.read_sensors().fan_percent == 60, clock, 2.0)
    assert driver.read_sensors().drum_on


def test_cadence_keeps_the_watchdog_quiet_for_a_minute(
    driver: HottopRoaster, hottop: VirtualHottop, clock: ScaledClock
) -> None:
    driver.start_drum()
    driver.set_heat(100)
    start_frames = hottop.state.control_frames
    time.sleep(60 / SPEED)
    state = hottop.state
    assert state.ejections == 0
    assert state.control_frames - start_frames >= 60 / driver.send_interval_s * 0.8
    assert state.outputs.heat_percent == 100
    assert state.env_temp_c > 27  # the roaster really heated (from 22 deg C, element lag)


def test_drop_and_cooling_sequences(
    driver: HottopRoaster, hottop: VirtualHottop, clock: ScaledClock
) -> None:
    driver.start_drum()
    driver.set_heat(80)
    driver.drop_beans()
    wait_for(lambda: hottop.state.outputs.solenoid_open, clock, 1.0)
    out = hottop.state.outputs
    assert (out.heat_percent, out.drum_on, out.cooling_on, out.main_fan_level) == (
        0,
        True,
        True,
        10,
    )
    driver.stop_cooling()
    wait_for(lambda: not hottop.state.outputs.cooling_on, clock, 1.0)
    out = hottop.state.outputs
    assert (out.solenoid_open, out.drum_on, out.main_fan_level, out.heat_percent) == (
        False,
        False,
        0,
        0,
    )


def test_drop_sequence_is_byte_exact_on_the_wire(
    driver: HottopRoaster, hottop: VirtualHottop, clock: ScaledClock
) -> None:
    driver.start_drum()
    driver.set_heat(60)
    driver.drop_beans()
    wait_for(lambda: hottop.state.outputs.solenoid_open, clock, 1.0)
    out = hottop.state.outputs
    seen = ControlFrame(
        heat_percent=out.heat_percent,
        fan_level=out.fan_level,
        main_fan_level=out.main_fan_level,
        solenoid_open=out.solenoid_open,
        drum_on=out.drum_on,
        cooling_on=out.cooling_on,
    ).encode()
    # Header and constants, heater 0, fan 0, main fan 10, door/drum/stirrer 1, checksum
    # (689 + 10 + 3) & 0xFF = 0xBE: the layout of the protocol notes, written out by hand.
    expected = bytes.fromhex("a596b0a001012400000000000a000000010101" + "00" * 16 + "be")
    assert seen == expected
    assert len(expected) == 36


def test_resync_under_corrupted_and_garbage_bytes(
    driver: HottopRoaster, hottop: VirtualHottop, clock: ScaledClock
) -> None:
    hottop.corrupt_checksums(10)
    hottop.garbage_every(0.3, 24)
    hottop.split_frames(True)
    time.sleep(10 / SPEED)
    stats = driver.link_stats()
    assert stats.bad_checksums > 0 or stats.discarded_bytes > 0
    assert driver.is_connected()
    age = driver.last_frame_age_s()
    assert age is not None
    assert age < 1.5


def test_unplug_goes_stale_and_replug_reconnects(
    driver: HottopRoaster, hottop: VirtualHottop, clock: ScaledClock
) -> None:
    hottop.unplug()
    took = wait_for(lambda: not driver.is_connected(), clock, 5.0)
    assert took <= driver.stale_after_s + 1.0
    with pytest.raises(RoasterConnectionError, match="link is down"):
        driver.read_sensors()
    hottop.replug()  # a new pty behind the same link path
    wait_for(driver.is_connected, clock, 30.0)
    assert driver.link_stats().reconnects >= 1
    driver.read_sensors()


def test_unpowered_roaster_is_reported_as_such(clock: ScaledClock, tmp_path: Path) -> None:
    with VirtualHottop(clock=clock, link_path=tmp_path / "off", powered=False):
        roaster = HottopRoaster(str(tmp_path / "off"), clock=clock, first_frame_timeout_s=0.3)
        with pytest.raises(RoasterConnectionError, match="no status frames"):
            roaster.connect()
        assert not roaster.is_connected()


def test_missing_port_is_a_clear_error(tmp_path: Path) -> None:
    roaster = HottopRoaster(str(tmp_path / "nope"))
    with pytest.raises(RoasterConnectionError, match="cannot open"):
        roaster.connect()


def test_disconnect_sends_heat_off(
    driver: HottopRoaster, hottop: VirtualHottop, clock: ScaledClock
) -> None:
    driver.start_drum()
    driver.set_heat(90)
    wait_for(lambda: hottop.state.outputs.heat_percent == 90, clock, 1.0)
    driver.disconnect()
    wait_for(lambda: hottop.state.outputs.heat_percent == 0, clock, 1.0)


def test_a_session_roasts_through_the_driver(
    driver: HottopRoaster, hottop: VirtualHottop, clock: ScaledClock
) -> None:
    manager = RoastSessionManager(driver, clock=clock)
    manager.start_session()
    try:
        manager.start_roaster()
        manager.set_heat(100)
        wait_for(lambda: hottop.state.outputs.heat_percent == 100, clock, 1.0)
        time.sleep(20 / SPEED)
        status = manager.get_status()
        assert status.connection.connected
        assert status.sensors is not None
        assert status.sensors.heat_percent == 100
        assert status.connection.poll_errors == 0
    finally:
        manager.stop_session()
    wait_for(lambda: hottop.state.outputs.heat_percent == 0, clock, 1.0)


def test_a_silent_roaster_goes_stale_within_three_seconds(
    driver: HottopRoaster, hottop: VirtualHottop, clock: ScaledClock
) -> None:
    hottop.silence(20)  # the port stays open, the frames stop: a frozen link
    took = wait_for(lambda: not driver.is_connected(), clock, 5.0)
    assert 2.0 <= took <= driver.stale_after_s + 1.0
    with pytest.raises(RoasterConnectionError, match="s old"):
        driver.read_sensors()


def test_a_complete_roast_through_the_session_on_the_virtual_hottop(tmp_path: Path) -> None:
    """Preheat, charge, CHARGE/TP/DRY END detected from whole-degree frames, FC, drop, cool.

    At 50x the emulator streams every 0.5 clock s (not 0.1) to spare the CPU, and its watchdog and
    the driver's staleness limit are 120 clock s (2.4 s real), so a thread stalled by a busy
    machine cannot fake a silent link; the tests above hold the real 1 s and 3 s limits. The
    waits read the status without the forecast, which a wait loop does not need.
    """
    clock = ScaledClock(50.0)
    link = tmp_path / "hottop"
    with VirtualHottop(
        clock=clock, link_path=link, frame_interval_s=0.5, watchdog_s=120.0, seed=2
    ) as hottop:
        roaster = HottopRoaster(str(link), clock=clock, timeout_s=0.05, stale_after_s=120.0)
        # The safety stale limit matches: 120 clock s (past the 10 s a user may set, so built
        # without validation) keeps a stalled test thread from tripping the supervisor.
        config = ServerConfig(safety=SafetyConfig.model_construct(stale_after_s=120.0))
        manager = RoastSessionManager(roaster, config, clock=clock)
        manager.start_session()
        try:
            manager.start_roaster()
            manager.set_heat(100)

            def sensors() -> tuple[float, float]:
                s = manager.get_status(forecast=False).sensors
                return (s.bean_temp_c, s.env_temp_c) if s else (0.0, 0.0)

            wait_for(lambda: sensors()[1] >= 185, clock, 1500)
            hottop.charge(220)
            wait_for(
                lambda: manager.get_status(forecast=False).metrics.roast_elapsed_s is not None,
                clock,
                60,
            )
            manager.set_fan(30)
            wait_for(lambda: sensors()[0] >= 182, clock, 1200)
            manager.report_first_crack(clock.now())
            wait_for(
                lambda: (
                    (manager.get_status(forecast=False).metrics.development_time_percent or 0) >= 20
                ),
                clock,
                600,
            )
            manager.drop_beans()
            wait_for(lambda: not hottop.state.beans_in_drum, clock, 30)
            status = manager.get_status()
        finally:
            manager.stop_session()
    kinds = [e.type.value for e in status.events]
    assert kinds[:3] == ["CHARGE", "TP", "DRY_END"]
    assert "FC_START" in kinds
    assert kinds[-1] == "DROP"
    metrics = status.metrics
    assert metrics.turning_point_s is not None
    assert 30 <= metrics.turning_point_s <= 120
    assert metrics.development_time_percent is not None
    assert 19 <= metrics.development_time_percent <= 24
    assert hottop.state.ejections == 0
    assert status.connection.poll_errors == 0
