"""Session lifecycle: start, stop, idempotency, the polling thread and its guarantees."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from roastctl.clock import ManualClock, ScaledClock
from roastctl.config import ServerConfig, SimulatorConfig, TrackerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.errors import RoasterConnectionError, RoasterNotConnectedError
from roastctl.models import SensorReading
from roastctl.session.manager import RoastSessionManager
from support import preheat_and_charge


def _pollers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "roastctl-poller" and t.is_alive()]


def _threaded(
    speed: float = 100.0, interval: float = 1.0
) -> tuple[RoastSessionManager, SimulatedRoaster]:
    clock = ScaledClock(speed)
    sim = SimulatedRoaster(SimulatorConfig(seed=3), clock)
    config = ServerConfig(tracker=TrackerConfig(sampling_interval_s=interval))
    return RoastSessionManager(sim, config, clock=clock), sim


def test_start_session_connects_and_activates(
    manager: RoastSessionManager, sim: SimulatedRoaster
) -> None:
    assert not manager.is_active()
    manager.start_session()
    assert manager.is_active()
    assert sim.is_connected()
    assert manager.get_status().sensors is not None  # first sample taken at start


def test_start_session_is_idempotent(manager: RoastSessionManager) -> None:
    manager.start_session()
    manager.start_session()
    assert manager.get_status().roast_number == 1


def test_stop_session_is_idempotent_and_safe_before_start(
    manager: RoastSessionManager, sim: SimulatedRoaster
) -> None:
    manager.stop_session()  # never started: nothing happens
    manager.start_session()
    manager.stop_session()
    manager.stop_session()
    assert not manager.is_active()
    assert not sim.is_connected()


def test_start_stop_repeatable_without_leaking_pollers() -> None:
    manager, _ = _threaded()
    before = len(_pollers())
    for _ in range(5):
        manager.start_session()
        assert len(_pollers()) == before + 1
        manager.stop_session()
        assert len(_pollers()) == before


def test_polling_thread_samples_in_background() -> None:
    manager, _ = _threaded(speed=200.0)
    manager.start_session()
    try:
        deadline = time.monotonic() + 5
        while manager.get_status().connection.samples < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert manager.get_status().connection.samples >= 20
    finally:
        manager.stop_session()


def test_stop_session_switches_heater_off(
    started: RoastSessionManager, sim: SimulatedRoaster
) -> None:
    started.start_roaster()
    started.set_heat(80)
    assert sim.read_sensors().heat_percent == 80
    started.stop_session()
    sim.connect()
    assert sim.read_sensors().heat_percent == 0


def test_commands_before_start_are_refused(manager: RoastSessionManager) -> None:
    with pytest.raises(RoasterNotConnectedError, match="start_session"):
        manager.set_heat(50)
    with pytest.raises(RoasterNotConnectedError):
        manager.drop_beans()
    with pytest.raises(RoasterNotConnectedError):
        manager.new_roast()


def test_commands_after_stop_are_refused(started: RoastSessionManager) -> None:
    started.stop_session()
    with pytest.raises(RoasterNotConnectedError):
        started.set_fan(50)


class _FailingConnect(SimulatedRoaster):
    def connect(self) -> None:
        raise RoasterConnectionError("port /dev/ttyUSB9 not found; check the cable")


def test_connect_failure_leaves_session_inactive(clock: ManualClock) -> None:
    manager = RoastSessionManager(
        _FailingConnect(clock=clock), clock=clock, background_polling=False
    )
    with pytest.raises(RoasterConnectionError, match="ttyUSB9"):
        manager.start_session()
    assert not manager.is_active()
    assert _pollers() == [] or all(t.daemon for t in _pollers())


def test_restart_starts_a_new_roast(manager: RoastSessionManager, clock: ManualClock) -> None:
    manager.start_session()
    preheat_and_charge(manager, clock)
    assert manager.get_status().metrics.roast_elapsed_s is not None
    manager.stop_session()
    manager.start_session()
    status = manager.get_status()
    assert status.roast_number == 2
    assert status.events == ()
    assert status.metrics.roast_elapsed_s is None


def test_new_roast_without_restart(started: RoastSessionManager, clock: ManualClock) -> None:
    preheat_and_charge(started, clock)
    started.new_roast()
    status = started.get_status()
    assert status.roast_number == 2
    assert status.events == ()
    assert status.session_active


class _Flaky(SimulatedRoaster):
    """Raises on every third read."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock=clock)
        self.reads = 0

    def read_sensors(self) -> SensorReading:
        self.reads += 1
        if self.reads % 3 == 0:
            raise RoasterConnectionError("frame checksum mismatch")
        return super().read_sensors()


def test_polling_survives_a_device_that_raises() -> None:
    clock = ScaledClock(500.0)
    flaky = _Flaky(clock)  # type: ignore[arg-type]
    manager = RoastSessionManager(flaky, clock=clock)
    manager.start_session()
    try:
        deadline = time.monotonic() + 5
        while flaky.reads < 30 and time.monotonic() < deadline:
            time.sleep(0.01)
        status = manager.get_status()
        assert len(_pollers()) >= 1
        assert status.connection.poll_errors >= 9
        assert "checksum" in (status.connection.last_error or "")
        assert status.connection.samples >= 18  # the good reads kept coming
    finally:
        manager.stop_session()


class _Hanging(SimulatedRoaster):
    """A device whose reads hang (a USB adapter gone wrong) until released."""

    def __init__(self) -> None:
        super().__init__(clock=ScaledClock(1.0))
        self.release = threading.Event()
        self.hang = False

    def read_sensors(self) -> SensorReading:
        if self.hang:
            self.release.wait(10)
        return super().read_sensors()


def test_stop_returns_within_two_seconds_when_the_device_hangs() -> None:
    device = _Hanging()
    manager = RoastSessionManager(
        device, ServerConfig(tracker=TrackerConfig(sampling_interval_s=0.1))
    )
    manager.start_session()
    device.hang = True
    time.sleep(0.3)  # let the poller enter the hanging read
    started = time.monotonic()
    manager.stop_session()
    took = time.monotonic() - started
    device.release.set()
    assert took < 2.8
    assert not manager.is_active()


def test_status_never_waits_for_a_hanging_device() -> None:
    device = _Hanging()
    manager = RoastSessionManager(
        device, ServerConfig(tracker=TrackerConfig(sampling_interval_s=0.1))
    )
    manager.start_session()
    try:
        device.hang = True
        time.sleep(0.3)
        started = time.monotonic()
        manager.get_status()
        assert time.monotonic() - started < 0.5
    finally:
        device.release.set()
        manager.stop_session()


class _SlowReads(SimulatedRoaster):
    """Each read costs 0.3 s of clock time, as a slow serial read would; counts reads."""

    def __init__(self, clock: ManualClock, limit: int) -> None:
        super().__init__(clock=clock)
        self.manual = clock
        self.times: list[float] = []
        self.limit = limit
        self.enough = threading.Event()

    def read_sensors(self) -> SensorReading:
        self.manual.advance(0.3)
        reading = super().read_sensors()
        self.times.append(reading.monotonic_s)
        if len(self.times) >= self.limit:
            self.enough.set()
        return reading


def test_no_drift_over_ten_thousand_samples() -> None:
    clock = ManualClock()
    device = _SlowReads(clock, limit=10_001)
    manager = RoastSessionManager(device, clock=clock)  # background thread on a manual clock
    manager.start_session()
    assert device.enough.wait(60)
    manager.stop_session()
    times = device.times[1:10_001]  # the first read happens in start_session itself
    first = times[0]
    # Deadlines are start + k x interval: a 0.3 s read does not push later samples back.
    assert times[-1] - first == pytest.approx(9_999 * 1.0, abs=0.01)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert max(gaps) == pytest.approx(1.0, abs=1e-6)
    assert min(gaps) == pytest.approx(1.0, abs=1e-6)
