"""The virtual Hottop, seen through a real pty and real pyserial, as a driver would see it.

Time runs on ScaledClock(5-80), so 60 s of roaster time take a second or two. Assertions about
time are made in clock seconds, with tens of real milliseconds of slack (or as rates over
seconds) so that a scheduling hiccup on a loaded machine, magnified by the speed-up, does not fail
them.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import serial

from roastctl.clock import Clock, ScaledClock, SystemClock
from roastctl.hottop.emulator import Mode, Outputs, VirtualHottop
from roastctl.hottop.protocol import (
    CONTROL_PREFIX,
    HEADER,
    ControlFrame,
    FrameReader,
    StatusFrame,
    checksum,
)

HEAT_ON = ControlFrame(
    heat_percent=100, fan_level=2, main_fan_level=3, solenoid_open=False, drum_on=True,
    cooling_on=False,
)  # fmt: skip
DROP = ControlFrame(
    heat_percent=0, fan_level=0, main_fan_level=10, solenoid_open=True, drum_on=True,
    cooling_on=True,
)  # fmt: skip


class Client:
    """A driver's view: pyserial on the port, a resyncing FrameReader, clock-stamped frames."""

    def __init__(self, port: str, clock: Clock) -> None:
        self.serial = serial.Serial(port, 115200, timeout=0.01)
        self.serial.reset_input_buffer()  # drop stale frames (docs/hottop-protocol.md §4.4)
        self.clock = clock
        self.reader = FrameReader()
        #: Reads that had to wait for data: one per write the emulator makes.
        self.wakes = 0
        self.backlog: list[tuple[float, bytes]] = []

    def read_frames(self, count: int, timeout: float = 2.0) -> list[tuple[float, bytes]]:
        """Read until ``count`` valid frames (or ``timeout`` real s); stamp each in clock time."""
        found = self.backlog
        deadline = time.monotonic() + timeout
        while len(found) < count and time.monotonic() < deadline:
            waiting = self.serial.in_waiting
            data = self.serial.read(waiting or 1)
            if data and not waiting:
                self.wakes += 1
            now = self.clock.monotonic()
            found += [(now, frame) for frame in self.reader.feed(data)]
        # One read can bring several frames; keep the extra ones for the next call.
        self.backlog = found[count:]
        return found[:count]

    def wait_status(
        self, predicate: Callable[[StatusFrame], bool], timeout: float = 2.0
    ) -> tuple[float, StatusFrame]:
        """Return the first status frame that satisfies ``predicate`` and when it arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, raw in self.read_frames(1, timeout=deadline - time.monotonic()):
                status = StatusFrame.decode(raw)
                if predicate(status):
                    return at, status
        pytest.fail("no status frame matched within the timeout")

    def send(self, frame: ControlFrame | bytes) -> None:
        self.serial.write(frame.encode() if isinstance(frame, ControlFrame) else frame)

    def close(self) -> None:
        self.serial.close()


HottopFactory = Callable[..., tuple[VirtualHottop, ScaledClock]]
ClientFactory = Callable[[str, Clock], Client]


@pytest.fixture
def make_hottop() -> Iterator[HottopFactory]:
    """Start virtual Hottops on a ScaledClock; all are stopped at the end of the test."""
    made: list[VirtualHottop] = []

    def factory(speed: float = 10.0, **kwargs: object) -> tuple[VirtualHottop, ScaledClock]:
        clock = ScaledClock(speed)
        hottop = VirtualHottop(clock=clock, seed=1, **kwargs)  # type: ignore[arg-type]
        hottop.start()
        made.append(hottop)
        return hottop, clock

    yield factory
    for hottop in made:
        hottop.stop()


@pytest.fixture
def clients() -> Iterator[ClientFactory]:
    opened: list[Client] = []

    def factory(port: str, clock: Clock) -> Client:
        client = Client(port, clock)
        opened.append(client)
        return client

    yield factory
    for client in opened:
        client.close()


def wait_until(predicate: Callable[[], bool], timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("condition not reached within the timeout")
        time.sleep(0.002)


def is_ejected(outputs: Outputs) -> bool:
    """Heater 0, door open, drum and stirrer on, main fan 10 (byte 11 is left alone)."""
    return (
        outputs.heat_percent == 0
        and outputs.solenoid_open
        and outputs.drum_on
        and outputs.cooling_on
        and outputs.main_fan_level == 10
    )


def with_checksum(frame: bytearray) -> bytes:
    frame[35] = checksum(frame)
    return bytes(frame)


# --------------------------------------------------------------------- the status stream
def test_status_frames_stream_at_the_cadence_and_decode(
    make_hottop: HottopFactory, clients: ClientFactory
) -> None:
    hottop, clock = make_hottop(speed=10)
    client = clients(hottop.port, clock)
    assert len(client.read_frames(1)) == 1  # in step with the stream
    sent_before, start = hottop.state.frames_sent, clock.monotonic()
    client.wakes = 0
    frames = client.read_frames(30)
    assert len(frames) == 30
    state = hottop.state
    emulator_rate = (state.frames_sent - sent_before) / (state.clock_s - start)
    for _, raw in frames:
        assert raw[:2] == HEADER
        assert raw[35] == checksum(raw)
        assert not raw.startswith(CONTROL_PREFIX)  # a driver's echo guard must keep it
        status = StatusFrame.decode(raw)
        assert 20 <= status.bean_temp_c <= 24  # a cold machine in a 22 degC room
        assert 20 <= status.env_temp_c <= 24
        assert status.chaff_tray
        assert (status.heat_percent, status.main_fan_level, status.drum_on) == (0, 0, False)
    # Frames per clock second, as sent and as received. Rates over 3 clock seconds, not single
    # gaps: x10 turns a 20 ms scheduling hiccup of a loaded machine into 0.2 clock s, after which
    # the frames owed arrive together.
    assert emulator_rate == pytest.approx(10.0, rel=0.15)
    assert 29 / (frames[-1][0] - frames[0][0]) == pytest.approx(10.0, rel=0.25)
    assert client.wakes <= 31  # one write per frame: a frame never arrives in pieces
    assert client.reader.bad_checksums == 0
    assert state.mode is Mode.MANUAL
    assert state.control_frames == state.bad_control_frames == 0


class JumpClock(ScaledClock):
    """A ScaledClock that can jump ahead: a stand-in for this process being scheduled late."""

    def __init__(self, speed: float) -> None:
        super().__init__(speed)
        self.offset = 0.0

    def monotonic(self) -> float:
        return super().monotonic() + self.offset


def test_a_late_streamer_sends_the_frames_it_owes_but_not_after_a_suspension() -> None:
    clock = JumpClock(10)
    with VirtualHottop(clock=clock) as hottop:
        clock.sleep(0.5)
        before = hottop.state.frames_sent
        clock.offset += 0.6  # 60 ms late at x10: six frames owed, sent at once
        clock.sleep(0.3)
        assert hottop.state.frames_sent - before >= 8  # 6 owed + ~3 on time
        before = hottop.state.frames_sent
        clock.offset += 30.0  # suspended for 30 s: no flood of 300 frames
        clock.sleep(0.3)
        assert hottop.state.frames_sent - before <= 6


# --------------------------------------------------------------------- control
def test_control_frames_set_the_outputs_and_heat_the_physics(
    make_hottop: HottopFactory, clients: ClientFactory
) -> None:
    # No watchdog: the test sends one frame and then only watches the heating, so the speed
    # can be high.
    hottop, clock = make_hottop(speed=80, watchdog_s=None)
    client = clients(hottop.port, clock)
    cold = hottop.state.env_temp_c
    client.send(HEAT_ON)
    _, status = client.wait_status(lambda s: s.heat_percent == 100)
    assert (status.fan_level, status.main_fan_level) == (2, 3)
    assert (status.drum_on, status.solenoid_open, status.cooling_on) == (True, False, False)
    state = hottop.state
    assert state.mode is Mode.PC_CONTROL
    assert state.control_frames == 1
    assert state.outputs == Outputs.from_control(HEAT_ON)

    start = clock.monotonic()
    at, status = client.wait_status(lambda s: s.env_temp_c >= cold + 4, timeout=3.0)
    assert at - start > 20  # a sheathed element takes tens of seconds, not one frame
    assert hottop.state.env_temp_c >= cold + 3.5  # the wire rounds to whole degrees

    client.send(DROP)
    _, status = client.wait_status(lambda s: s.solenoid_open)
    assert (status.heat_percent, status.main_fan_level) == (0, 10)
    assert status.drum_on
    assert status.cooling_on
    assert hottop.state.ejections == 0


def test_watchdog_ejects_when_control_frames_stop(
    make_hottop: HottopFactory, clients: ClientFactory
) -> None:
    hottop, clock = make_hottop(speed=10)  # watchdog 1.0 clock s = 100 ms real
    hottop.charge(220)
    client = clients(hottop.port, clock)
    for _ in range(3):
        client.send(HEAT_ON)
        clock.sleep(0.3)
    client.send(HEAT_ON)
    last_sent = clock.monotonic()
    assert hottop.state.mode is Mode.PC_CONTROL

    assert hottop.ejected.wait(2.0)
    state = hottop.state
    assert state.ejections == 1
    assert state.mode is Mode.MANUAL
    assert is_ejected(state.outputs)
    assert state.last_eject_s is not None
    assert last_sent + 0.95 <= state.last_eject_s <= last_sent + 1.5
    # The driver sees it within the watchdog plus one frame (plus some slack).
    at, status = client.wait_status(lambda s: s.solenoid_open)
    assert at <= last_sent + 1.0 + 0.1 + 0.6  # (0.6: 60 ms real of slack for a loaded machine)
    assert (status.heat_percent, status.main_fan_level) == (0, 10)
    assert status.drum_on
    assert status.cooling_on
    # With the drum turning, the whole batch leaves the drum within seconds.
    wait_until(lambda: not hottop.state.beans_in_drum, timeout=1.0)
    assert hottop.state.beans_in_cooling_tray
    clock.sleep(1.2)
    assert hottop.state.ejections == 1  # manual mode: no watchdog, no second ejection


def test_steady_control_cadence_never_trips_the_watchdog(
    make_hottop: HottopFactory, clients: ClientFactory
) -> None:
    hottop, clock = make_hottop(speed=30)
    client = clients(hottop.port, clock)
    sent: list[float] = []
    start = clock.monotonic()
    while not sent or sent[-1] - start < 60:
        client.send(HEAT_ON)
        sent.append(clock.monotonic())
        # Drift-free, like a real driver: a late wake-up does not push every later frame back.
        clock.sleep(start + 0.3 * len(sent) - clock.monotonic())
    # A gap near 1 s means this very thread was stalled for ~30 ms real (a loaded machine): the
    # "driver" really went quiet then, and only then may the roaster eject.
    stalls = sum(b - a > 0.9 for a, b in itertools.pairwise(sent))
    state = hottop.state
    assert state.ejections <= stalls
    assert state.mode is Mode.PC_CONTROL
    assert state.control_frames >= len(sent) - 1  # the last one may still be in the kernel
    if stalls > len(sent) // 20:
        pytest.skip(f"machine too loaded: the sender stalled {stalls} times in 60 clock s")


def test_bad_control_frames_are_counted_and_ignored(
    make_hottop: HottopFactory, clients: ClientFactory
) -> None:
    hottop, clock = make_hottop(speed=10)
    client = clients(hottop.port, clock)
    good = ControlFrame(60, 0, 4, False, True, False).encode()
    bad_checksum = good[:35] + bytes([(good[35] + 1) & 0xFF])
    heat_150 = bytearray(good)
    heat_150[10] = 150
    wrong_constant = bytearray(good)
    wrong_constant[2] = 0x00
    status_frame = StatusFrame(60, 0, 4, False, True, False, True, 100, 90).encode()
    client.send(
        bad_checksum + with_checksum(heat_150) + with_checksum(wrong_constant) + status_frame
    )
    wait_until(lambda: hottop.state.bad_control_frames == 4)
    clock.sleep(0.3)
    state = hottop.state
    assert state.bad_control_frames == 4
    assert state.control_frames == 0
    assert state.mode is Mode.MANUAL
    assert state.outputs == Outputs()
    _, status = client.wait_status(lambda s: True)
    assert (status.heat_percent, status.drum_on) == (0, False)

    # A truncated frame before a good one costs one bad candidate; the good one still counts.
    client.send(good[:20] + good)
    wait_until(lambda: hottop.state.control_frames == 1)
    state = hottop.state
    assert state.bad_control_frames == 5
    assert state.mode is Mode.PC_CONTROL
    assert state.outputs.heat_percent == 60


# --------------------------------------------------------------------- faults on the stream
def test_garbage_between_frames_is_skipped_by_a_resyncing_reader(
    make_hottop: HottopFactory, clients: ClientFactory
) -> None:
    hottop, clock = make_hottop(speed=10)
    hottop.garbage_every(0.1, n_bytes=20)
    client = clients(hottop.port, clock)
    frames = client.read_frames(20)
    assert len(frames) == 20
    for _, raw in frames:
        StatusFrame.decode(raw)
    assert client.reader.discarded_bytes >= 15 * 20
    assert hottop.state.garbage_bytes_sent >= 15 * 20

    hottop.garbage_every(None)
    clock.sleep(0.2)
    before = hottop.state.garbage_bytes_sent
    hottop.inject_garbage(7)  # once, before the next frame
    wait_until(lambda: hottop.state.garbage_bytes_sent > before)
    clock.sleep(0.3)
    assert hottop.state.garbage_bytes_sent == before + 7


def test_every_nth_frame_has_a_bad_checksum(
    make_hottop: HottopFactory, clients: ClientFactory
) -> None:
    hottop, clock = make_hottop(speed=10)
    hottop.corrupt_checksums(3)
    client = clients(hottop.port, clock)
    frames = client.read_frames(20)
    assert len(frames) == 20
    for _, raw in frames:
        StatusFrame.decode(raw)
    bad = client.reader.bad_checksums
    assert bad == pytest.approx((20 + bad) / 3, abs=1.5)
    assert hottop.state.frames_corrupted >= bad


def test_split_frames_arrive_in_two_pieces_and_still_decode(
    make_hottop: HottopFactory, clients: ClientFactory
) -> None:
    hottop, clock = make_hottop(speed=5)  # a 5 ms real pause between the halves
    client = clients(hottop.port, clock)
    hottop.split_frames(True)
    client.read_frames(1)  # let a frame that was already on its way go by
    client.wakes = 0
    frames = client.read_frames(20)
    assert len(frames) == 20
    for _, raw in frames:
        StatusFrame.decode(raw)
    # Two writes per frame with a pause between them: ~2 wakes per frame (1 without splitting);
    # a stalled client may still find both halves waiting now and then.
    assert client.wakes >= 1.4 * len(frames)
    assert client.reader.bad_checksums == 0


def test_merged_frames_arrive_in_bursts_and_still_decode(
    make_hottop: HottopFactory, clients: ClientFactory
) -> None:
    hottop, clock = make_hottop(speed=10)
    hottop.merge_frames(4)
    client = clients(hottop.port, clock)
    frames = client.read_frames(24)
    assert len(frames) == 24
    for _, raw in frames:
        StatusFrame.decode(raw)
    assert client.wakes <= 0.5 * len(frames)  # ~one write per 4 frames
    times = sorted({round(at, 3) for at, _ in frames})
    assert max(b - a for a, b in itertools.pairwise(times)) >= 0.3


def test_silence_stops_the_stream_for_the_given_clock_time(
    make_hottop: HottopFactory, clients: ClientFactory
) -> None:
    hottop, clock = make_hottop(speed=10)
    client = clients(hottop.port, clock)
    assert len(client.read_frames(3)) == 3
    hottop.silence(1.5)
    silenced = clock.monotonic()
    quiet = (silenced + 0.2, silenced + 1.4)  # a frame already on its way may still arrive
    # Watch both ends for 2.2 clock s: the emulator's own count and what the client receives.
    samples: list[tuple[float, int]] = []
    arrivals: list[float] = []
    while clock.monotonic() < silenced + 2.2:
        arrivals += [at for at, _ in client.read_frames(100, timeout=0.005)]
        state = hottop.state
        samples.append((state.clock_s, state.frames_sent))
    steps = list(itertools.pairwise(samples))
    assert all(n1 == n0 for (t0, n0), (t1, n1) in steps if quiet[0] <= t0 and t1 <= quiet[1])
    resumed = next(t1 for (t0, n0), (t1, n1) in steps if n1 > n0 and t0 >= quiet[0])
    assert 1.5 <= resumed - silenced <= 2.2
    assert not [at for at in arrivals if quiet[0] + 0.1 < at < quiet[1]]
    assert [at for at in arrivals if at >= quiet[1]]
    assert hottop.state.mode is Mode.MANUAL


def test_unplug_breaks_the_client_and_replug_gives_a_new_port_at_the_link(
    make_hottop: HottopFactory, clients: ClientFactory, tmp_path: Path
) -> None:
    link = tmp_path / "hottop"
    hottop, clock = make_hottop(speed=10, link_path=link)
    old_port = hottop.port
    assert os.path.realpath(link) == old_port
    old = clients(str(link), clock)
    assert len(old.read_frames(3)) == 3

    hottop.unplug()
    assert not hottop.state.plugged
    assert not link.is_symlink()  # like udev removing /dev/serial/by-id/...
    received = b""
    with pytest.raises(serial.SerialException):  # noqa: PT012 - EOF or an error, then stop
        deadline = time.monotonic() + 0.3
        while time.monotonic() < deadline:
            received += old.serial.read(64)
        raise serial.SerialException("read returned nothing, as a dead port may")
    assert received == b""
    with pytest.raises(serial.SerialException):
        old.send(HEAT_ON)  # EIO: the device is gone
    assert not os.path.exists(old_port)  # like /dev/ttyUSB0 vanishing
    with pytest.raises(RuntimeError, match="no port"):
        _ = hottop.port

    new_port = hottop.replug()
    assert hottop.state.plugged
    assert os.path.realpath(link) == new_port == hottop.port
    fresh = clients(str(link), clock)
    frames = fresh.read_frames(3)
    assert len(frames) == 3
    StatusFrame.decode(frames[-1][1])
    # And it takes commands again.
    fresh.send(HEAT_ON)
    wait_until(lambda: hottop.state.outputs.heat_percent == 100)


def test_unpowered_roaster_has_a_port_but_sends_and_hears_nothing(
    make_hottop: HottopFactory, clients: ClientFactory
) -> None:
    hottop, clock = make_hottop(speed=10, powered=False)
    client = clients(hottop.port, clock)
    assert client.read_frames(1, timeout=0.2) == []  # 2 clock seconds of nothing
    client.send(HEAT_ON)
    clock.sleep(0.5)
    state = hottop.state
    assert (state.control_frames, state.frames_sent, state.mode) == (0, 0, Mode.MANUAL)

    hottop.power_on()
    assert len(client.read_frames(3)) == 3
    client.send(HEAT_ON)
    wait_until(lambda: hottop.state.mode is Mode.PC_CONTROL)
    hottop.power_off()  # everything stops, and the next frame starts afresh in manual mode
    state = hottop.state
    assert (state.outputs, state.mode, state.powered) == (Outputs(), Mode.MANUAL, False)


def test_scheduled_faults_run_at_their_clock_time() -> None:
    clock = ScaledClock(20)
    clock.sleep(2.0)  # schedule times count from start(), not from the clock's zero
    hottop = VirtualHottop(
        clock=clock, schedule=[(2.0, VirtualHottop.replug), (0.5, VirtualHottop.unplug)]
    )
    started = clock.monotonic()
    hottop.start()
    try:
        wait_until(lambda: not hottop.state.plugged)
        assert 0.5 <= clock.monotonic() - started < 2.0
        wait_until(lambda: hottop.state.plugged)
        assert clock.monotonic() - started >= 2.0
    finally:
        hottop.stop()


# --------------------------------------------------------------------- beans and lifecycle
def test_charge_pours_beans_into_the_drum_once() -> None:
    hottop = VirtualHottop(clock=ScaledClock(10))
    hottop.charge(220)
    assert hottop.state.beans_in_drum
    with pytest.raises(ValueError, match="already in the drum"):
        hottop.charge(220)
    with pytest.raises(ValueError, match="outside"):
        VirtualHottop().charge(0)


def test_stop_is_prompt_and_cleans_up(tmp_path: Path) -> None:
    link = tmp_path / "hottop"
    with VirtualHottop(clock=SystemClock(), link_path=link) as hottop:
        port = hottop.port
        assert os.path.realpath(link) == port
    started = time.monotonic()
    hottop.stop()  # idempotent
    assert time.monotonic() - started < 0.1
    assert not link.is_symlink()
    assert not os.path.exists(port)
    assert not [t for t in threading.enumerate() if t.name.startswith("virtual-hottop")]

    again = VirtualHottop(clock=SystemClock())
    again.start()
    started = time.monotonic()
    again.stop()
    assert time.monotonic() - started < 1.0


def test_start_refuses_to_replace_a_real_file(tmp_path: Path) -> None:
    path = tmp_path / "hottop"
    path.write_text("not a link")
    with pytest.raises(FileExistsError):
        VirtualHottop(link_path=path).start()


def test_main_prints_the_port_and_stops_on_sigterm(tmp_path: Path) -> None:
    link = tmp_path / "hottop"
    command = [sys.executable, "-m", "roastctl.hottop.emulator", "--speed", "10"]
    command += ["--link", str(link), "--bad-checksum-every", "4"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        assert proc.stderr is not None
        stdout = proc.stdout
        lines: queue.Queue[str] = queue.Queue()

        def pump() -> None:  # readline with a timeout: a missing line must fail, not hang
            with contextlib.suppress(ValueError, OSError):  # closed when the test ends
                for line in stdout:
                    lines.put(line)

        threading.Thread(target=pump, daemon=True).start()
        try:
            port = lines.get(timeout=5).strip()
            assert lines.get(timeout=1).strip() == str(link)
            assert os.path.realpath(link) == port
            client = Client(port, ScaledClock(10))
            try:
                assert len(client.read_frames(9)) == 9
                assert client.reader.bad_checksums >= 2
            finally:
                client.close()
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=3) == 0
            assert "virtual Hottop on" in proc.stderr.read()
        finally:
            if proc.poll() is None:
                proc.kill()
    assert not link.is_symlink()
