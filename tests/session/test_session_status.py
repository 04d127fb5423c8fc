"""get_status: one consistent snapshot, honest about the data's age, safe under concurrency."""

from __future__ import annotations

import json
import threading
import time
from zoneinfo import ZoneInfo

import pytest

from roastctl.clock import ManualClock, ScaledClock
from roastctl.config import SafetyConfig, ServerConfig, SimulatorConfig, TrackerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.errors import InvalidCommandError, RoasterConnectionError, RoasterError
from roastctl.models import RoastEventType, RoastPhase, RoastStatus, SensorReading
from roastctl.session.manager import RoastSessionManager
from support import preheat_and_charge, run_until


def test_status_before_start(manager: RoastSessionManager) -> None:
    status = manager.get_status()
    assert not status.session_active
    assert status.sensors is None
    assert not status.connection.connected
    assert status.metrics.phase is RoastPhase.NOT_CHARGED


def test_status_after_start_has_readings_and_connection(
    started: RoastSessionManager, clock: ManualClock
) -> None:
    clock.advance(1.0)
    started.poll_once()
    status = started.get_status()
    assert status.session_active
    assert status.connection.connected
    assert status.sensors is not None
    assert status.sensors.bean_temp_c == pytest.approx(22.0, abs=3.0)  # a cold roaster
    assert status.connection.samples == 2
    assert status.connection.last_sample_age_s == 0.0
    assert status.connection.roaster_info is not None
    assert status.connection.roaster_info.simulated


def test_data_age_grows_when_readings_stop(
    started: RoastSessionManager, clock: ManualClock
) -> None:
    clock.advance(7.5)  # no poll: the newest reading is 7.5 s old and says so
    assert started.get_status().connection.last_sample_age_s == pytest.approx(7.5)


def test_status_during_roast(started: RoastSessionManager, clock: ManualClock) -> None:
    preheat_and_charge(started, clock)
    status = run_until(started, clock, lambda s: (s.metrics.roast_elapsed_s or 0) >= 90)
    metrics = status.metrics
    assert metrics.phase is RoastPhase.DRYING
    assert metrics.roast_elapsed_display == "01:30"
    assert metrics.rate_of_rise_c_per_min is not None
    assert metrics.rate_of_rise_c_per_min > 0
    assert metrics.turning_point_s is not None
    assert 30 <= metrics.turning_point_s <= 110
    assert status.timestamps.t0_utc is not None
    assert metrics.development_time_percent is None  # no first crack yet


def test_local_timestamps_use_the_configured_zone(
    sim: SimulatedRoaster, clock: ManualClock
) -> None:
    manager = RoastSessionManager(
        sim, ServerConfig(timezone="America/New_York"), clock=clock, background_polling=False
    )
    manager.start_session()
    preheat_and_charge(manager, clock)
    stamps = manager.get_status().timestamps
    assert stamps.t0_utc is not None
    assert stamps.t0_local is not None
    assert stamps.t0_local == stamps.t0_utc
    assert stamps.t0_local.tzinfo == ZoneInfo("America/New_York")
    manager.stop_session()


def test_status_serialises_to_json(started: RoastSessionManager, clock: ManualClock) -> None:
    preheat_and_charge(started, clock)
    data = json.loads(started.get_status().model_dump_json())
    assert data["metrics"]["phase"] == "drying"
    assert data["events"][0]["type"] == "CHARGE"
    assert data["timestamps"]["t0_utc"].endswith("Z") or data["timestamps"]["t0_utc"].endswith(
        "+00:00"
    )


def test_status_is_immutable(started: RoastSessionManager) -> None:
    status = started.get_status()
    with pytest.raises(ValueError, match="frozen"):
        status.session_active = False  # type: ignore[misc]


class _Broken(SimulatedRoaster):
    def read_sensors(self) -> SensorReading:
        raise RoasterConnectionError("no frames for 4 s")


def test_status_reports_poll_errors(clock: ManualClock) -> None:
    manager = RoastSessionManager(_Broken(clock=clock), clock=clock, background_polling=False)
    manager.start_session()
    manager.poll_once()
    status = manager.get_status()
    assert status.sensors is None
    assert status.connection.poll_errors == 2
    assert status.connection.last_error == "RoasterConnectionError: no frames for 4 s"
    manager.stop_session()


def _consistent(status: RoastStatus) -> None:
    """Invariants that a torn snapshot (read half before, half after an update) would break."""
    types = [e.type for e in status.events]
    metrics = status.metrics
    assert (RoastEventType.CHARGE in types) == (metrics.roast_elapsed_s is not None)
    assert (RoastEventType.DROP in types) == (metrics.phase is RoastPhase.DROPPED)
    assert (RoastEventType.FIRST_CRACK_START in types) == (metrics.first_crack_s is not None)
    assert (RoastEventType.DROP in types) == (status.timestamps.drop_utc is not None)
    if status.sensors is not None:
        assert status.connection.last_sample_utc == status.sensors.timestamp
    assert status.connection.samples >= (1 if status.sensors else 0)


def test_concurrent_status_reads_while_roasting() -> None:
    # Four threads hammer the status; at 150x the safety stale limit of 10 clock s is 67 ms of
    # real time, which the poller meets even while it competes with them for the interpreter.
    clock = ScaledClock(150.0)
    sim = SimulatedRoaster(SimulatorConfig(seed=5), clock)
    config = ServerConfig(
        tracker=TrackerConfig(sampling_interval_s=0.5), safety=SafetyConfig(stale_after_s=10.0)
    )
    manager = RoastSessionManager(sim, config, clock=clock)
    manager.start_session()
    errors: list[BaseException] = []
    reads = [0]
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                _consistent(manager.get_status())
                reads[0] += 1
            except BaseException as exc:  # collected and re-raised in the main thread
                errors.append(exc)
                return

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for thread in readers:
        thread.start()
    try:
        manager.start_roaster()
        manager.set_heat(100)
        deadline = time.monotonic() + 60

        def env_temp() -> float:
            sensors = manager.get_status().sensors
            return sensors.env_temp_c if sensors else 0.0

        def elapsed() -> float:
            return manager.get_status().metrics.roast_elapsed_s or 0.0

        while env_temp() < 190:
            assert time.monotonic() < deadline
            time.sleep(0.005)
        sim.charge()
        while elapsed() < 200:
            assert time.monotonic() < deadline
            manager.set_fan(20)  # commands interleave with polling and reads
            time.sleep(0.005)
        manager.report_first_crack(clock.now())
        manager.drop_beans()
    finally:
        stop.set()
        for thread in readers:
            thread.join(5)
        manager.stop_session()
    assert not errors, errors[0]
    assert reads[0] > 100
    assert not any(t.is_alive() for t in readers)


def test_commands_and_status_from_many_threads_do_not_deadlock(
    started: RoastSessionManager,
) -> None:
    started.start_roaster()
    failures: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(200):
                if i % 3 == 0:
                    started.set_heat((n * 10 + i) % 110 // 10 * 10)
                elif i % 3 == 1:
                    started.set_fan(i % 11 * 10)
                else:
                    started.get_status()
                    started.poll_once()
        except RoasterError as exc:  # no refusal is expected here
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not any(t.is_alive() for t in threads), "deadlock: a worker never finished"
    assert not failures


def test_get_curve_of_the_current_roast(started: RoastSessionManager, clock: ManualClock) -> None:
    preheat_and_charge(started, clock)
    run_until(started, clock, lambda s: (s.metrics.roast_elapsed_s or 0) >= 60)
    curve = started.get_curve(since_s=0)
    assert curve[0].time_s == 0
    assert curve[-1].time_s == pytest.approx(60, abs=1)
    assert curve[-1].heat_percent == 100
    assert len(started.get_curve(max_points=5)) == 5
    with pytest.raises(InvalidCommandError, match="last_n"):
        started.get_curve(last_n=0)
