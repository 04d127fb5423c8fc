"""The driver's rule after any lost link, on a scripted port (a unit test of the driver alone).

Whatever the roaster reports when it answers again, the first control frame on the new link
carries heater 0 and the door, drum, stirrer and fan as reported; nothing at all is sent before
that answer; heat above 0 is refused meanwhile and other commands wait for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from roastctl.clock import SystemClock
from roastctl.errors import RoasterConnectionError
from roastctl.hottop.driver import HottopRoaster
from roastctl.hottop.protocol import ControlFrame, StatusFrame

LIMIT_S = 5.0


class ScriptedPort:
    """A serial port whose incoming bytes the test feeds and whose writes it keeps."""

    def __init__(self) -> None:
        self._incoming = bytearray()
        self._lock = threading.Lock()
        self.written: list[bytes] = []
        self.broken = False

    def feed(self, frame: StatusFrame) -> None:
        with self._lock:
            self._incoming += frame.encode()

    def read(self, size: int = 1) -> bytes:
        if self.broken:
            raise OSError("device disconnected")
        with self._lock:
            data = bytes(self._incoming[:size])
            del self._incoming[:size]
        if not data:
            time.sleep(0.005)
        return data

    def write(self, data: bytes) -> int:
        if self.broken:
            raise OSError("device disconnected")
        self.written.append(bytes(data))
        return len(data)

    def close(self) -> None:
        self.broken = True

    @property
    def in_waiting(self) -> int:
        with self._lock:
            return len(self._incoming)

    def controls(self) -> list[ControlFrame]:
        return [ControlFrame.decode(raw) for raw in self.written]


def status(
    *, heat: int = 0, fan: int = 0, door: bool = False, drum: bool = False, cooling: bool = False
) -> StatusFrame:
    return StatusFrame(
        heat_percent=heat,
        fan_level=0,
        main_fan_level=fan,
        solenoid_open=door,
        drum_on=drum,
        cooling_on=cooling,
        chaff_tray=True,
        env_temp_c=200,
        bean_temp_c=180,
    )


def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + LIMIT_S
    while not condition():
        assert time.monotonic() < deadline, "not within the limit"
        time.sleep(0.002)


#: What a roaster may report when the link comes back.
REPORTS = {
    "ejected by its watchdog": status(fan=10, door=True, drum=True, cooling=True),
    "still heating (a blip)": status(heat=100, fan=3, drum=True),
    "cooling after a drop": status(fan=10, door=True, drum=False, cooling=True),
    "switched off at the panel": status(),
}


@pytest.mark.parametrize("report", REPORTS.values(), ids=REPORTS.keys())
def test_after_a_lost_link_nothing_old_is_resent(report: StatusFrame) -> None:
    ports = [ScriptedPort(), ScriptedPort()]
    opened: list[ScriptedPort] = []

    def opener(_port: str, _baud: int, _timeout: float) -> ScriptedPort:
        port = ports[len(opened)]
        opened.append(port)
        return port

    first, second = ports
    first.feed(status(heat=0, drum=True))
    driver = HottopRoaster(
        "scripted",
        clock=SystemClock(),
        opener=opener,
        send_interval_s=0.02,
        backoff_s=(0.01, 0.02),
        first_frame_timeout_s=LIMIT_S,
    )
    driver.connect()
    try:
        driver.start_drum()
        driver.set_heat(100)
        until(lambda: any(c.heat_percent == 100 for c in first.controls()))
        first.broken = True  # the cable is pulled
        until(lambda: len(opened) == 2)  # ...and plugged back in
        time.sleep(0.1)
        assert second.written == []  # nothing is sent before the roaster says where it is
        assert not driver.is_connected()  # nor is the old frame passed off as a reading
        with pytest.raises(RoasterConnectionError, match="first status frame"):
            driver.read_sensors()
        with pytest.raises(RoasterConnectionError, match="state is unknown"):
            driver.set_heat(50)
        driver.set_heat(0)  # heat 0 is always taken, and kept for the roaster's return
        second.feed(report)
        until(lambda: bool(second.written))
        sent = second.controls()[0]
        assert sent.heat_percent == 0
        assert (sent.solenoid_open, sent.drum_on, sent.cooling_on, sent.main_fan_level) == (
            report.solenoid_open,
            report.drum_on,
            report.cooling_on,
            report.main_fan_level,
        )
        assert all(c.heat_percent == 0 for c in second.controls())
        (outage,) = driver.take_link_outages()
        assert outage.reading.door_open is report.solenoid_open
        assert outage.reading.heat_percent == report.heat_percent
        assert outage.silent_s > 0
        assert driver.take_link_outages() == []  # each outage is reported once
        driver.set_heat(40)  # known again: an explicit command is carried out
        until(lambda: second.controls()[-1].heat_percent == 40)
    finally:
        driver.disconnect()


def test_a_drop_given_while_the_link_is_down_is_sent_on_its_return() -> None:
    ports = [ScriptedPort(), ScriptedPort()]
    opened: list[ScriptedPort] = []

    def opener(_port: str, _baud: int, _timeout: float) -> ScriptedPort:
        opened.append(ports[len(opened)])
        return opened[-1]

    first, second = ports
    first.feed(status(drum=True))
    driver = HottopRoaster("scripted", opener=opener, send_interval_s=0.02, backoff_s=(0.01, 0.02))
    driver.connect()
    try:
        driver.set_heat(100)
        first.broken = True
        until(lambda: len(opened) == 2)
        driver.drop_beans()  # e.g. an emergency stop during the outage
        second.feed(status(heat=100, drum=True, fan=2))
        until(lambda: bool(second.written))
        sent = second.controls()[0]
        assert (sent.heat_percent, sent.solenoid_open, sent.cooling_on, sent.main_fan_level) == (
            0,
            True,
            True,
            10,
        )
    finally:
        driver.disconnect()


def test_taking_control_never_moves_the_door() -> None:
    """A restart after a drop: the door the roaster reports open stays open, cooling goes on."""
    port = ScriptedPort()
    port.feed(status(heat=0, fan=10, door=True, drum=True, cooling=True))
    driver = HottopRoaster(
        "scripted", opener=lambda *_: port, send_interval_s=0.02, first_frame_timeout_s=LIMIT_S
    )
    driver.connect()
    try:
        until(lambda: bool(port.written))
        sent = port.controls()[0]
        assert (sent.heat_percent, sent.solenoid_open, sent.cooling_on, sent.main_fan_level) == (
            0,
            True,
            True,
            10,
        )
    finally:
        driver.disconnect()
