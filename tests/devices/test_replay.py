"""The replay roaster: a recorded roast played as the roaster, on the injected clock."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from roastctl.clock import ManualClock, ScaledClock
from roastctl.config import ServerConfig, TrackerConfig
from roastctl.devices.replay import ReplayRoaster
from roastctl.errors import RoasterConnectionError, RoasterNotConnectedError
from roastctl.logs.file_errors import AlogError
from roastctl.logs.load import load_recorded_roast
from roastctl.logs.record import RecordedRoast
from roastctl.models import EventSource, RoastEvent, RoastEventType, SensorReading
from roastctl.physics.model import Actuators
from roastctl.session.manager import RoastSessionManager
from support import START, roast_file

E = RoastEventType

#: Samples every 2 s, so the recording ends at 12 s. FC_START is at 6 s and DROP at 8 s.
TIMES = [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
BEAN: list[float | None] = [150.0, 160.0, None, 180.0, 190.0, 191.0]
ENV: list[float | None] = [None, 220.0, None, 230.0, 232.0, 233.0]
HEATER: list[float | None] = [50.0, 60.4, None, 70.0, 40.0, 0.0]
FAN: list[float | None] = [10.0, 20.0, 30.0, 30.0, 30.0, 0.0]
END_S = 12.0
FC_S = 6.0
DROP_S = 8.0


def _recording(*, channels: bool = True, marks: bool = True) -> RecordedRoast:
    return RecordedRoast(
        times=list(TIMES),
        bean_temps=list(BEAN),
        env_temps=list(ENV),
        marks={E.CHARGE: 0, E.FIRST_CRACK_START: 3, E.DROP: 4} if marks else {},
        heater_percent=list(HEATER) if channels else None,
        fan_percent=list(FAN) if channels else None,
        sampling_interval_s=2.0,
        title="Synthetic",
    )


def _playing(
    *, channels: bool = True, start_at_s: float = 0.0, loop: bool = False
) -> tuple[ReplayRoaster, ManualClock]:
    clock = ManualClock()
    replay = ReplayRoaster(_recording(channels=channels), clock, start_at_s=start_at_s, loop=loop)
    replay.connect()
    return replay, clock


def _at(replay: ReplayRoaster, clock: ManualClock, position_s: float) -> SensorReading:
    """Advance the clock so playback is at ``position_s`` and read (positions only go forward)."""
    current = replay.position_s()
    assert current is not None
    clock.advance(position_s - current)
    return replay.read_sensors()


# --------------------------------------------------------------------- samples and time
@pytest.mark.parametrize(
    ("position_s", "bean", "env"),
    [
        (0.0, 150.0, 150.0),  # no ET recorded yet: BT stands in
        (1.999, 150.0, 150.0),  # a sample holds until the next one's time
        (2.0, 160.0, 220.0),
        (4.0, 160.0, 220.0),  # both probes missing: each holds its previous value
        (5.5, 160.0, 220.0),
        (6.0, 180.0, 230.0),
        (11.9, 191.0, 233.0),  # the last sample holds for one sampling interval
    ],
)
def test_reading_is_the_newest_sample_at_or_before_the_time_played(
    position_s: float, bean: float, env: float
) -> None:
    replay, clock = _playing()
    reading = _at(replay, clock, position_s)
    assert (reading.bean_temp_c, reading.env_temp_c) == (bean, env)


def test_every_reading_is_stamped_fresh_by_the_clock() -> None:
    replay, clock = _playing()
    clock.advance(0.5)
    first = replay.read_sensors()
    clock.advance(0.5)
    second = replay.read_sensors()
    # The same recorded sample, but live data to the session: new time, new stamp.
    assert first.bean_temp_c == second.bean_temp_c == 150.0
    assert (second.monotonic_s, second.timestamp) == (clock.monotonic(), clock.now())
    assert second.monotonic_s - first.monotonic_s == pytest.approx(0.5)
    assert second.timestamp - first.timestamp == timedelta(seconds=0.5)


def test_a_log_without_et_reports_bt_as_et() -> None:
    roast = _recording()
    bt_only = RecordedRoast(
        times=roast.times, bean_temps=roast.bean_temps, env_temps=[None] * len(roast.times)
    )
    clock = ManualClock()
    replay = ReplayRoaster(bt_only, clock)
    replay.connect()
    assert [(r.bean_temp_c, r.env_temp_c) for r in (_at(replay, clock, t) for t in TIMES)] == [
        (150.0, 150.0),
        (160.0, 160.0),
        (160.0, 160.0),
        (180.0, 180.0),
        (190.0, 190.0),
        (191.0, 191.0),
    ]


def test_the_speed_is_the_clocks() -> None:
    clock = ScaledClock(600.0)
    replay = ReplayRoaster(_recording(), clock)
    before = clock.now()
    replay.connect()
    after = clock.now()
    clock.sleep(6.5)  # about 11 ms of real time at 600x
    position = replay.position_s()
    assert position is not None
    assert position >= 6.5
    heard = replay.first_crack_time()
    assert heard is not None
    assert before + timedelta(seconds=FC_S) <= heard <= after + timedelta(seconds=FC_S)


# --------------------------------------------------------------------- heat, fan, commands
def test_heat_and_fan_come_from_the_log_channels_when_it_has_them() -> None:
    replay, clock = _playing()
    replay.set_heat(100)
    replay.set_fan(80)
    reading = _at(replay, clock, 2.0)
    assert (reading.heat_percent, reading.fan_percent) == (60, 20)  # 60.4 % as whole percent
    reading = _at(replay, clock, 4.0)
    assert (reading.heat_percent, reading.fan_percent) == (60, 30)  # a gap holds the last value
    assert replay.commanded() == Actuators(
        heat_percent=100.0, fan_percent=80.0, drum_on=False, door_open=False, cooling_on=False
    )


def test_without_channels_the_readings_show_the_commanded_heat_and_fan() -> None:
    replay, clock = _playing(channels=False)
    assert (replay.read_sensors().heat_percent, replay.read_sensors().fan_percent) == (0, 0)
    replay.set_heat(70)
    replay.set_fan(40)
    reading = _at(replay, clock, 3.0)
    assert (reading.heat_percent, reading.fan_percent) == (70, 40)


def test_commands_are_remembered_but_never_change_recorded_temperatures() -> None:
    clock = ManualClock()
    plain = ReplayRoaster(_recording(channels=False), clock)
    commanded = ReplayRoaster(_recording(channels=False), clock)
    plain.connect()
    commanded.connect()
    commanded.start_drum()
    commanded.set_heat(100)
    commanded.set_fan(0)
    for _ in range(5):  # 0 .. 7 s: before the drop
        ours, theirs = commanded.read_sensors(), plain.read_sensors()
        assert (ours.bean_temp_c, ours.env_temp_c) == (theirs.bean_temp_c, theirs.env_temp_c)
        assert ours.heat_percent == 100
        clock.advance(1.75)
    commanded.stop_drum()
    reading = commanded.read_sensors()
    assert reading.drum_on  # the recorded drum turns on
    assert reading.heat_percent == 0  # stop_drum switched the commanded heater off with it
    assert commanded.commanded() == Actuators(
        heat_percent=0.0, fan_percent=0.0, drum_on=False, door_open=False, cooling_on=False
    )


def test_start_and_stop_cooling_switch_the_stirrer() -> None:
    replay, clock = _playing(channels=False)
    replay.start_cooling()
    reading = _at(replay, clock, 1.0)
    assert (reading.cooling_on, reading.fan_percent, reading.door_open) == (True, 100, False)
    replay.stop_cooling()
    reading = replay.read_sensors()
    assert (reading.cooling_on, reading.fan_percent) == (False, 0)


@pytest.mark.parametrize(
    ("command", "value", "message"),
    [
        ("set_heat", 101, "heat 101 % is outside 0-100 in steps of 1"),
        ("set_heat", -5, "heat -5 % is outside 0-100"),
        ("set_heat", 50.5, "heat must be an int percent, got 50.5"),
        ("set_heat", True, "heat must be an int percent, got True"),
        ("set_fan", 55, "fan 55 % is outside 0-100 in steps of 10"),
        ("set_fan", 110, "fan 110 % is outside 0-100"),
    ],
)
def test_bad_values_raise_a_clear_error_and_change_nothing(
    command: str, value: object, message: str
) -> None:
    replay, clock = _playing(channels=False)
    replay.set_heat(30)
    replay.set_fan(20)
    clock.advance(1.0)
    before = (replay.commanded(), replay.read_sensors())
    with pytest.raises(ValueError, match=message):
        getattr(replay, command)(value)
    assert (replay.commanded(), replay.read_sensors()) == before


# --------------------------------------------------------------------- the drop
def test_from_the_drop_mark_on_the_door_is_open_stirrer_on_fan_full_heater_off() -> None:
    replay, clock = _playing()
    before = _at(replay, clock, 7.9)
    assert (before.door_open, before.cooling_on, before.heat_percent, before.fan_percent) == (
        False,
        False,
        70,
        30,
    )
    assert HEATER[4] == 40.0  # the log still shows the heater on at the DROP sample
    for position, bean in ((DROP_S, 190.0), (10.0, 191.0), (11.9, 191.0)):
        reading = _at(replay, clock, position)
        assert (reading.door_open, reading.cooling_on, reading.drum_on) == (True, True, True)
        assert (reading.heat_percent, reading.fan_percent) == (0, 100)
        assert reading.bean_temp_c == bean  # still the recorded curve


def test_without_a_drop_mark_the_door_stays_shut() -> None:
    clock = ManualClock()
    replay = ReplayRoaster(_recording(marks=False), clock)
    replay.connect()
    assert not _at(replay, clock, 11.0).door_open


def test_drop_beans_before_the_recorded_drop_opens_the_door_from_then_on() -> None:
    replay, clock = _playing()
    _at(replay, clock, 2.5)
    replay.drop_beans()
    for position in (2.5, 4.0, 6.0):
        reading = _at(replay, clock, position)
        assert (reading.door_open, reading.cooling_on, reading.fan_percent) == (True, True, 100)
        assert reading.heat_percent == 0
    assert reading.bean_temp_c == 180.0  # still the recorded curve


# --------------------------------------------------------------------- end, loop, start_at_s
def test_the_end_of_the_recording_is_a_lost_connection() -> None:
    replay, clock = _playing()
    assert _at(replay, clock, 11.99).bean_temp_c == 191.0
    assert replay.is_connected()
    clock.advance(0.01)
    assert not replay.is_connected()
    ended = (START + timedelta(seconds=END_S)).isoformat()
    with pytest.raises(RoasterConnectionError, match=re.escape(f"finished at {ended} (")):
        replay.read_sensors()
    with pytest.raises(RoasterConnectionError, match="finished"):
        replay.set_heat(0)


def test_connecting_again_after_the_end_replays_from_the_start() -> None:
    replay, clock = _playing()
    _at(replay, clock, 9.0)
    replay.set_heat(40)
    clock.advance(10.0)
    replay.connect()
    assert replay.is_connected()
    assert replay.position_s() == 0.0
    assert replay.read_sensors().bean_temp_c == 150.0
    assert replay.commanded().heat_percent == 0.0


def test_connect_is_idempotent_while_playing() -> None:
    replay, clock = _playing()
    clock.advance(5.0)
    replay.connect()
    assert replay.position_s() == 5.0


def test_loop_starts_over_as_a_new_batch() -> None:
    replay, clock = _playing(loop=True)
    _at(replay, clock, 3.0)
    replay.drop_beans()
    clock.advance(END_S - 3.0)  # the first time round ends exactly now
    assert replay.is_connected()
    reading = replay.read_sensors()
    assert reading.bean_temp_c == 150.0
    assert not reading.door_open  # the drop command belonged to the first batch
    assert replay.first_crack_time() is None
    clock.advance(FC_S)
    assert replay.first_crack_time() == START + timedelta(seconds=END_S + FC_S)
    clock.advance(DROP_S - FC_S)
    assert replay.read_sensors().door_open


def test_start_at_s_skips_into_the_recording() -> None:
    replay, clock = _playing(start_at_s=5.0)
    assert replay.read_sensors().bean_temp_c == 160.0  # the sample at 4 s (BT held from 2 s)
    assert replay.first_crack_time() is None
    clock.advance(1.0)
    assert replay.read_sensors().bean_temp_c == 180.0
    assert replay.first_crack_time() == START + timedelta(seconds=1.0)
    clock.advance(END_S - FC_S)
    ended = (START + timedelta(seconds=END_S - 5.0)).isoformat()
    with pytest.raises(RoasterConnectionError, match=re.escape(f"finished at {ended} (")):
        replay.read_sensors()


def test_a_loop_restarts_at_start_at_s() -> None:
    replay, clock = _playing(start_at_s=6.0, loop=True)
    assert _at(replay, clock, 10.0).bean_temp_c == 191.0
    clock.advance(2.0)  # 6 s played: back to 6 s into the log
    assert replay.position_s() == 6.0
    assert replay.read_sensors().bean_temp_c == 180.0


@pytest.mark.parametrize("start_at_s", [-1.0, END_S, 100.0, float("nan")])
def test_start_at_s_outside_the_recording_is_refused(start_at_s: float) -> None:
    with pytest.raises(ValueError, match=r"start_at_s .* is outside the recording"):
        ReplayRoaster(_recording(), ManualClock(), start_at_s=start_at_s)


# --------------------------------------------------------------------- first crack, lifecycle
def test_first_crack_is_heard_when_playback_reaches_the_mark() -> None:
    replay, clock = _playing()
    _at(replay, clock, FC_S - 0.01)
    assert replay.first_crack_time() is None
    clock.advance(0.01)
    assert replay.first_crack_time() == START + timedelta(seconds=FC_S)
    clock.advance(4.0)
    assert replay.first_crack_time() == START + timedelta(seconds=FC_S)


def test_no_first_crack_mark_means_none_is_heard() -> None:
    clock = ManualClock()
    replay = ReplayRoaster(_recording(marks=False), clock)
    replay.connect()
    clock.advance(11.0)
    assert replay.first_crack_time() is None


def test_reads_and_commands_need_a_connection() -> None:
    replay = ReplayRoaster(_recording(), ManualClock())
    assert not replay.is_connected()
    assert replay.position_s() is None
    assert replay.first_crack_time() is None
    with pytest.raises(RoasterNotConnectedError, match="connect"):
        replay.read_sensors()
    with pytest.raises(RoasterNotConnectedError, match="connect"):
        replay.set_heat(10)


def test_disconnect_stops_playback_and_is_idempotent() -> None:
    replay, clock = _playing()
    clock.advance(7.0)
    replay.disconnect()
    replay.disconnect()
    clock.advance(3.0)
    assert not replay.is_connected()
    assert replay.position_s() == 7.0
    assert replay.first_crack_time() == START + timedelta(seconds=FC_S)
    with pytest.raises(RoasterNotConnectedError):
        replay.read_sensors()


def test_roaster_info_names_the_recording() -> None:
    roast = _recording()
    replay = ReplayRoaster(roast, ManualClock())
    info = replay.get_roaster_info()
    assert (info.driver, info.simulated) == ("replay", True)
    assert "Synthetic" in info.model
    assert replay.recording is roast
    assert replay.path is None


def test_a_log_file_is_loaded_from_its_path(tmp_path: Path) -> None:
    log = tmp_path / "tiny.alog"
    log.write_text(
        repr(
            {
                "mode": "C",
                "title": "Tiny roast",
                "samplinginterval": 1.0,
                "timex": [0.0, 1.0, 2.0],
                "temp1": [200.0, 201.0, 202.0],
                "temp2": [100.0, 101.0, 102.0],
                "timeindex": [-1, 0, 1, 0, 0, 0, 0, 0],
            }
        ),
        encoding="utf-8",
    )
    clock = ManualClock()
    replay = ReplayRoaster(log, clock)
    assert replay.path == log
    assert replay.recording.title == "Tiny roast"
    assert replay.get_roaster_info().model == "Replay of tiny.alog (Tiny roast)"
    replay.connect()
    clock.advance(1.0)
    assert (replay.read_sensors().bean_temp_c, replay.read_sensors().env_temp_c) == (101.0, 201.0)
    assert replay.end_s == 3.0


def test_a_file_that_is_no_roast_log_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "notes.alog"
    junk.write_text("just some notes", encoding="utf-8")
    with pytest.raises(AlogError, match=r"notes\.alog"):
        ReplayRoaster(junk, ManualClock())


@pytest.mark.parametrize(
    ("times", "bean", "env", "message"),
    [
        ([], [], [], "no samples"),
        ([0.0, 2.0, 1.0], [1.0, 2.0, 3.0], [None] * 3, "comes before sample 1"),
        ([0.0, 1.0], [None, None], [None] * 2, "no bean temperature"),
        ([0.0, 1.0], [100.0, 101.0], [None], "env_temps has 1 values for 2 sample times"),
    ],
)
def test_a_broken_recording_is_refused(
    times: list[float], bean: list[float | None], env: list[float | None], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ReplayRoaster(RecordedRoast(times=times, bean_temps=bean, env_temps=env), ManualClock())


# --------------------------------------------------------------------- a real roast, end to end
#: Polls land this long after each recorded sample, so the session sees every sample exactly
#: once: Artisan's sample times jitter by a few ms around the nominal interval.
ALIGN_S = 0.05
#: Seconds of cooling played after the DROP mark before the roast is judged.
AFTER_DROP_S = 20.0


class WatchedReplay(ReplayRoaster):
    """A replay that records every command it gets: the session itself sends none here."""

    def __init__(self, recording: RecordedRoast, clock: ManualClock, *, start_at_s: float) -> None:
        super().__init__(recording, clock, start_at_s=start_at_s)
        self.commands: list[str] = []

    def set_heat(self, percent: int) -> None:
        self.commands.append(f"set_heat({percent})")
        super().set_heat(percent)

    def set_fan(self, percent: int) -> None:
        self.commands.append(f"set_fan({percent})")
        super().set_fan(percent)

    def stop_drum(self) -> None:
        self.commands.append("stop_drum")
        super().stop_drum()

    def drop_beans(self) -> None:
        self.commands.append("drop_beans")
        super().drop_beans()


@pytest.mark.parametrize(
    "prefix",
    [
        "hottop__hamade__Sumatra_Wet_Hulled_Lake_Tawar",  # 2 s sampling, deg C
        "hottop__hamade__Dona_Maria_GPT",  # 3 s sampling, deg C
    ],
)
def test_a_real_hottop_roast_replays_through_the_session(prefix: str) -> None:
    roast = load_recorded_roast(roast_file(prefix))
    marked = {event: roast.times[index] for event, index in roast.marks.items()}
    assert {E.CHARGE, E.DRY_END, E.FIRST_CRACK_START, E.DROP} <= marked.keys()
    interval = roast.sampling_interval_s
    assert interval is not None
    clock = ManualClock()
    start_at_s = roast.times[0] + ALIGN_S
    replay = WatchedReplay(roast, clock, start_at_s=start_at_s)
    tracker = (
        TrackerConfig(dry_end_temp_c=roast.dry_end_temp_c)
        if roast.dry_end_temp_c is not None
        else TrackerConfig()
    )
    manager = RoastSessionManager(
        replay,
        ServerConfig(timezone="UTC", tracker=tracker),
        clock=clock,
        background_polling=False,
    )
    origin = clock.monotonic()
    manager.start_session()
    reported: RoastEvent | None = None
    try:
        while (replay.position_s() or 0.0) < marked[E.DROP] + AFTER_DROP_S:
            clock.advance(interval)
            manager.poll_once()
            heard = replay.first_crack_time()
            if heard is not None and reported is None:
                reported = manager.report_first_crack(heard)
        status = manager.get_status()
        sent = list(replay.commands)  # before stop_session, which switches the heater off
    finally:
        manager.stop_session()

    def on_log(event_type: RoastEventType) -> float:
        """Where the session put an event, in seconds on the log's time axis."""
        event = next((e for e in status.events if e.type is event_type), None)
        assert event is not None, f"{event_type.value} missing from {status.events}"
        return event.monotonic_s - origin + start_at_s

    assert reported is not None
    assert abs(on_log(E.CHARGE) - marked[E.CHARGE]) <= interval
    assert abs(on_log(E.DRY_END) - marked[E.DRY_END]) <= interval
    assert on_log(E.FIRST_CRACK_START) == pytest.approx(marked[E.FIRST_CRACK_START], abs=1e-3)
    assert abs(on_log(E.DROP) - marked[E.DROP]) <= interval
    drop = next(e for e in status.events if e.type is E.DROP)
    assert drop.source is EventSource.AUTO  # seen on the roaster: the door the mark opened

    charge_s = marked[E.CHARGE]
    drying = marked[E.DRY_END] - charge_s
    maillard = marked[E.FIRST_CRACK_START] - marked[E.DRY_END]
    development = marked[E.DROP] - marked[E.FIRST_CRACK_START]
    total = marked[E.DROP] - charge_s
    metrics = status.metrics
    assert metrics.drying_time_s == pytest.approx(drying, abs=1.0)
    assert metrics.maillard_time_s == pytest.approx(maillard, abs=1.0)
    assert metrics.development_time_s == pytest.approx(development, abs=1.0)
    assert metrics.total_duration_s == pytest.approx(total, abs=1.0)
    assert metrics.drying_percent == pytest.approx(drying / total * 100, abs=0.5)
    assert metrics.maillard_percent == pytest.approx(maillard / total * 100, abs=0.5)
    assert metrics.development_time_percent == pytest.approx(development / total * 100, abs=0.5)

    assert status.safety.faults == ()
    assert status.safety.events == ()
    assert sent == []  # the supervisor never had to cut heat or drop
    assert status.connection.poll_errors == 0
    assert status.sensors is not None
    assert status.sensors.door_open
