"""The Hottop KN-8828B-2K+ over USB serial (pyserial).

Two threads own the wire; callers never wait on it:

* the **reader** parses the status stream (resyncing byte by byte) and keeps only the newest valid
  frame with the time it arrived;
* the **writer** sends the whole desired state every ``send_interval_s`` (0.25 s: well above the
  roaster's 100 ms frame period, well under its ~1 s eject watchdog) and at once when a command
  changes it.

Commands only change the desired state. A reading older than ``stale_after_s`` is never reported
as data: :meth:`HottopRoaster.read_sensors` raises and :meth:`HottopRoaster.is_connected` is False,
so a frozen link cannot look healthy. When the port disappears the threads reopen it with a
capped, doubling backoff.

After a lost link nothing old is resent: the roaster may have acted on its own meanwhile (its
watchdog ejects the beans after about a second without control). The writer stays silent until
the first status frame on the new link, then takes the roaster's reported state as the desired
one with the heater at 0: an open door stays open, a running stirrer keeps running. Commands
given while the link is down apply on top of that state, except heat above 0, which is refused
until the state is known. Each outage is reported once by :meth:`HottopRoaster.take_link_outages`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from roastctl.clock import Clock, SystemClock
from roastctl.devices.base import LinkOutage, Roaster, require_percent
from roastctl.errors import RoasterConnectionError, RoasterNotConnectedError
from roastctl.hottop.protocol import (
    ControlFrame,
    FrameError,
    FrameReader,
    StatusFrame,
    fan_level_to_percent,
    percent_to_fan_level,
)
from roastctl.models import RoasterInfo, SensorReading

logger = logging.getLogger(__name__)

BAUD = 115200
#: USB-serial adapters seen on Hottops (FTDI FT-X / FT232R, SiLabs CP210x), as VID:PID.
KNOWN_USB_IDS = ((0x0403, 0x6015), (0x0403, 0x6001), (0x10C4, 0xEA60))
#: Readings outside this band are start-up zeros or garbage, not temperatures.
PLAUSIBLE_C = (1, 320)
#: Seconds without a control frame after which the KN-8828B-2K+ ejects the beans by itself.
WATCHDOG_S = 1.0
#: Link outages kept until the session takes them (the oldest are dropped beyond this).
MAX_OUTAGES_KEPT = 64


class SerialPort(Protocol):
    """The part of :class:`serial.Serial` the driver uses (a test can pass a fake)."""

    def read(self, size: int = 1) -> bytes:
        """Read up to ``size`` bytes (returns early on timeout)."""
        ...

    def write(self, data: bytes) -> int | None:
        """Write ``data``."""
        ...

    def close(self) -> None:
        """Close the port."""
        ...

    @property
    def in_waiting(self) -> int:
        """Bytes ready to read."""
        ...


PortOpener = Callable[[str, int, float], SerialPort]


def open_serial(port: str, baud: int, timeout_s: float) -> SerialPort:
    """Open ``port`` 8N1, no flow control, exclusively, with read and write timeouts.

    The write timeout is at least 1 s whatever the read timeout: a short one turns a moment of
    scheduling delay on a busy machine into a "write timeout" and a needless reconnect.
    """
    import serial

    handle: Any = serial.Serial(
        port,
        baudrate=baud,
        bytesize=serial.EIGHTBITS,
        parity=serial.PARITY_NONE,
        stopbits=serial.STOPBITS_ONE,
        timeout=timeout_s,
        write_timeout=max(1.0, timeout_s),
        exclusive=True,
    )
    return handle  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class PortCandidate:
    """A serial port that may be a Hottop."""

    device: str
    description: str
    usb_id: str | None
    known_adapter: bool


def list_ports() -> list[PortCandidate]:
    """Return the serial ports, Hottop-like USB adapters first."""
    from serial.tools import list_ports as serial_list_ports

    found = []
    for info in serial_list_ports.comports():
        vid, pid = info.vid, info.pid
        usb_id = None if vid is None or pid is None else f"{vid:04x}:{pid:04x}"
        known = (vid, pid) in KNOWN_USB_IDS
        found.append(PortCandidate(info.device, info.description or "", usb_id, known))
    return sorted(found, key=lambda c: (not c.known_adapter, c.device))


def discover_port() -> str:
    """Return the one Hottop-like adapter's port, or raise naming what was found."""
    candidates = [c for c in list_ports() if c.known_adapter]
    if len(candidates) == 1:
        return candidates[0].device
    seen = ", ".join(f"{c.device} ({c.usb_id or 'no USB id'})" for c in list_ports()) or "none"
    reason = "no known USB-serial adapter" if not candidates else "several adapters"
    raise RoasterConnectionError(
        f"cannot choose the Hottop's port: {reason} found (ports: {seen}). Set hardware.port "
        "(e.g. /dev/ttyUSB0 or COM3); 'roastctl ports' lists candidates."
    )


@dataclass(frozen=True, slots=True)
class _Desired:
    heat: int = 0
    main_fan_level: int = 0
    door_open: bool = False
    drum_on: bool = False
    cooling_on: bool = False

    def frame(self) -> ControlFrame:
        return ControlFrame(
            heat_percent=self.heat,
            fan_level=0,  # the second fan is not driven by any known controller: keep it 0
            main_fan_level=self.main_fan_level,
            solenoid_open=self.door_open,
            drum_on=self.drum_on,
            cooling_on=self.cooling_on,
        )


@dataclass(frozen=True, slots=True)
class LinkStats:
    """Counters of the serial link, for health reporting."""

    frames: int
    bad_checksums: int
    discarded_bytes: int
    frames_sent: int
    reconnects: int
    last_error: str | None


class HottopRoaster(Roaster):
    """A Hottop KN-8828B-2K+ on a serial port."""

    def __init__(
        self,
        port: str | None = None,
        *,
        baud: int = BAUD,
        timeout_s: float = 0.2,
        clock: Clock | None = None,
        send_interval_s: float = 0.25,
        stale_after_s: float = 3.0,
        first_frame_timeout_s: float = 2.0,
        backoff_s: tuple[float, float] = (0.5, 8.0),
        opener: PortOpener = open_serial,
        watchdog_s: float | None = WATCHDOG_S,
    ) -> None:
        self.port = port
        self.baud = baud
        self.timeout_s = timeout_s
        self.clock: Clock = clock or SystemClock()
        self.send_interval_s = send_interval_s
        self.stale_after_s = stale_after_s
        self.first_frame_timeout_s = first_frame_timeout_s
        self.backoff_s = backoff_s
        #: The roaster's own eject watchdog, reported with each outage.
        self.watchdog_s = watchdog_s
        self._opener = opener
        self._lock = threading.Lock()
        self._desired = _Desired()
        self._serial: SerialPort | None = None
        self._reader = FrameReader()
        self._latest: tuple[StatusFrame, float, datetime] | None = None
        self._frame_arrived = threading.Condition(self._lock)
        self._wake_writer = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._frames_sent = 0
        self._reconnects = 0
        self._last_error: str | None = None
        self._active_port: str | None = None
        # Between a lost link and the first status frame on the new one: the roaster's state is
        # unknown, nothing is sent, commands wait in _queued.
        self._resyncing = False
        self._queued: list[Callable[[_Desired], _Desired]] = []
        #: Outages not yet taken; bounded, so a flapping link without a session cannot grow it.
        self._outages: deque[LinkOutage] = deque(maxlen=MAX_OUTAGES_KEPT)

    # ----------------------------------------------------------------- link
    def _open(self) -> SerialPort:
        port = self.port or discover_port()
        handle = self._opener(port, self.baud, self.timeout_s)
        self._active_port = port
        return handle

    def _drop_link(self, error: BaseException) -> None:
        """Forget a broken port; the reader reopens it with backoff."""
        with self._lock:
            handle, self._serial = self._serial, None
            self._last_error = f"{type(error).__name__}: {error}"
            self._resyncing = True  # whatever the roaster does now, we will not see it
        if handle is not None:
            with contextlib.suppress(OSError):  # already gone with the USB device
                handle.close()
        logger.warning("Hottop link lost: %s", error)

    def _read_loop(self) -> None:
        delay = self.backoff_s[0]
        while not self._stop.is_set():
            with self._lock:
                handle = self._serial
            if handle is None:
                if self.clock.wait(self._stop, delay):
                    return
                try:
                    opened = self._open()
                except Exception as exc:  # port still missing: try again later, a bit slower
                    with self._lock:
                        self._last_error = f"{type(exc).__name__}: {exc}"
                    delay = min(delay * 2, self.backoff_s[1])
                    continue
                with self._lock:
                    self._serial = opened
                    self._reconnects += 1
                    self._reader.reset()
                delay = self.backoff_s[0]
                # No wake-up for the writer: it stays silent until the roaster says where it is.
                logger.info("Hottop link reopened on %s", self._active_port)
                continue
            try:
                data = handle.read(max(1, min(handle.in_waiting, 4096)))
            except Exception as exc:  # the port vanished (unplugged) or failed
                self._drop_link(exc)
                continue
            if data:
                self._accept(data)

    def _accept(self, data: bytes) -> None:
        for raw in self._reader.feed(data):
            try:
                frame = StatusFrame.decode(raw)
            except FrameError:
                continue
            low, high = PLAUSIBLE_C
            if not (low <= frame.bean_temp_c <= high and low <= frame.env_temp_c <= high):
                continue  # start-up zeros: not a reading yet
            with self._lock:
                previous = self._latest
                self._latest = (frame, self.clock.monotonic(), self.clock.now())
                resynced = self._resyncing
                if resynced:
                    self._resync(self._latest, previous)
                self._frame_arrived.notify_all()
            if resynced:
                self._wake_writer.set()

    def _resync(
        self,
        latest: tuple[StatusFrame, float, datetime],
        previous: tuple[StatusFrame, float, datetime] | None,
    ) -> None:
        """Take the roaster's reported state after a lost link; call with ``_lock`` held.

        The heater goes to 0 whatever it was before or is now; door, drum, stirrer and fan stay
        as the roaster reports them (after a watchdog eject: door open, cooling on). Commands
        given during the outage are applied on top, in order.
        """
        frame = latest[0]
        desired = _Desired(
            heat=0,
            main_fan_level=frame.main_fan_level,
            door_open=frame.solenoid_open,
            drum_on=frame.drum_on,
            cooling_on=frame.cooling_on,
        )
        for change in self._queued:
            desired = change(desired)
        self._desired = replace(desired, heat=0)
        self._queued.clear()
        self._resyncing = False
        if previous is None:
            return  # the link was lost before the first frame: connect() takes the state
        self._outages.append(
            LinkOutage(
                lost_s=previous[1],
                restored_s=latest[1],
                watchdog_s=self.watchdog_s,
                reading=_reading(*latest),
            )
        )
        logger.warning(
            "Hottop link back after %.1f s: the roaster reports heat %d %%, door %s, stirrer "
            "%s; heater set to 0, nothing else changed",
            latest[1] - previous[1],
            frame.heat_percent,
            "open" if frame.solenoid_open else "closed",
            "on" if frame.cooling_on else "off",
        )

    def _write_loop(self) -> None:
        # Periodic frames fall on drift-free deadlines (start + k x interval), so slow writes or a
        # busy machine never stretch the cadence towards the roaster's ~1 s eject watchdog; a
        # command is sent at once, in between, without moving the schedule.
        next_due = self.clock.monotonic()
        commanded = False
        while not self._stop.is_set():
            now = self.clock.monotonic()
            if commanded or now >= next_due:
                self._send_desired()
                if now >= next_due:
                    next_due += self.send_interval_s
                    if next_due <= now:  # fell far behind: restart the schedule from now
                        next_due = now + self.send_interval_s
            commanded = self.clock.wait(self._wake_writer, next_due - self.clock.monotonic())
            if commanded:
                self._wake_writer.clear()

    def _send_desired(self) -> None:
        with self._lock:
            handle = None if self._resyncing else self._serial
            frame = self._desired.frame().encode()
        if handle is None:
            return
        try:
            handle.write(frame)
            with self._lock:
                self._frames_sent += 1
        except Exception as exc:  # the reader reopens the port
            self._drop_link(exc)

    # ----------------------------------------------------------------- Roaster interface
    def connect(self) -> None:
        """Open the port, wait for the roaster's status stream, then start sending control.

        The first desired state is the roaster's own, except heat 0: taking control never
        switches the heater on, and never moves the door (an open door after a drop stays open,
        with its beans cooling, until ``stop_cooling`` closes it).
        """
        if self._threads:
            return
        try:
            handle = self._open()
        except RoasterConnectionError:
            raise
        except Exception as exc:
            raise RoasterConnectionError(
                f"cannot open the Hottop's port {self.port or '(auto)'}: {exc}. Check the cable, "
                "the port name and permissions (Linux: the dialout group)."
            ) from exc
        self._stop.clear()
        self._serial = handle
        self._resyncing = False
        self._queued.clear()
        self._outages.clear()
        reader = threading.Thread(target=self._read_loop, name="hottop-reader", daemon=True)
        reader.start()
        self._threads = [reader]
        with self._lock:
            arrived = self._frame_arrived.wait_for(
                lambda: self._latest is not None, timeout=self.first_frame_timeout_s
            )
            latest = self._latest
        if not arrived or latest is None:
            self.disconnect()
            raise RoasterConnectionError(
                f"the port {self._active_port} opened but no status frames arrived within "
                f"{self.first_frame_timeout_s:.0f} s: the roaster is off or has no mains power "
                "(check its switch and the outlet)."
            )
        status = latest[0]
        with self._lock:
            self._desired = _Desired(
                heat=0,
                main_fan_level=status.main_fan_level,
                door_open=status.solenoid_open,
                drum_on=status.drum_on,
                cooling_on=status.cooling_on,
            )
        writer = threading.Thread(target=self._write_loop, name="hottop-writer", daemon=True)
        writer.start()
        self._threads.append(writer)

    def disconnect(self) -> None:
        """Send heat 0 once more, stop both threads and close the port. Never raises."""
        with self._lock:
            self._desired = replace(self._desired, heat=0)
            handle = self._serial
            frame = self._desired.frame().encode()
        if handle is not None:
            try:
                handle.write(frame)
            except Exception:  # the link may be gone already; closing still matters
                logger.debug("final heat-0 frame not sent", exc_info=True)
        self._stop.set()
        self._wake_writer.set()
        for thread in self._threads:
            thread.join(timeout=2.0)
        self._threads = []
        with self._lock:
            handle, self._serial = self._serial, None
            self._latest = None
            self._resyncing = False
            self._queued.clear()
        if handle is not None:
            with contextlib.suppress(OSError):
                handle.close()

    def take_link_outages(self) -> list[LinkOutage]:
        """Return the outages that ended since the last call, oldest first, once each."""
        with self._lock:
            outages = list(self._outages)
            self._outages.clear()
        return outages

    def last_frame_age_s(self) -> float | None:
        """Seconds since the newest valid status frame, or ``None`` if none arrived."""
        with self._lock:
            latest = self._latest
        return None if latest is None else self.clock.monotonic() - latest[1]

    def is_connected(self) -> bool:
        """Return True only while the port is open and status frames are fresh."""
        age = self.last_frame_age_s()
        with self._lock:
            open_ = self._serial is not None and not self._resyncing
        return open_ and age is not None and age <= self.stale_after_s

    def get_roaster_info(self) -> RoasterInfo:
        """Describe the roaster and its port."""
        return RoasterInfo(model="Hottop KN-8828B-2K+", driver="hottop", port=self._active_port)

    def link_stats(self) -> LinkStats:
        """Counters of the link."""
        with self._lock:
            return LinkStats(
                frames=self._reader.frames,
                bad_checksums=self._reader.bad_checksums,
                discarded_bytes=self._reader.discarded_bytes,
                frames_sent=self._frames_sent,
                reconnects=self._reconnects,
                last_error=self._last_error,
            )

    def read_sensors(self) -> SensorReading:
        """Return the newest status frame as a reading; raise if it is missing or stale."""
        if not self._threads:
            raise RoasterNotConnectedError("the Hottop is not connected; call connect() first")
        with self._lock:
            latest = self._latest
            error = self._last_error
            link_up = self._serial is not None
            resyncing = self._resyncing
        if not link_up:
            raise RoasterConnectionError(
                f"the Hottop link is down ({error or 'port closed'}); reconnecting with backoff. "
                "Check the USB cable."
            )
        if resyncing:  # the newest frame predates the outage: it says nothing about now
            raise RoasterConnectionError(
                "the Hottop link is back; waiting for the roaster's first status frame to learn "
                "what it did while the link was down"
            )
        if latest is None:
            raise RoasterConnectionError(
                f"no status frame from the Hottop yet ({error or 'waiting'})"
            )
        age = self.clock.monotonic() - latest[1]
        if age > self.stale_after_s:
            raise RoasterConnectionError(
                f"the newest Hottop status frame is {age:.1f} s old (limit "
                f"{self.stale_after_s:.0f} s): the link is down or the roaster stopped sending "
                f"({error or 'no error seen'})"
            )
        return _reading(*latest)

    def _command(self, change: Callable[[_Desired], _Desired]) -> None:
        if not self._threads:
            raise RoasterNotConnectedError("the Hottop is not connected; call connect() first")
        with self._lock:
            if self._resyncing:
                # The roaster's state is unknown: the change waits for it, and may not heat.
                if change(_Desired()).heat > 0:
                    raise RoasterConnectionError(
                        "heat not sent: the Hottop link is down or has just come back, so the "
                        "roaster's state is unknown (it may have ejected the beans). Heat 0, "
                        "drop and cooling commands are kept and sent when it answers; set the "
                        "heat again once the status shows fresh readings."
                    )
                self._queued.append(change)
                return
            self._desired = change(self._desired)
        self._wake_writer.set()  # on the wire now, not at the next periodic frame

    def set_heat(self, percent: int) -> None:
        """Set heater power, 0-100 %."""
        heat = require_percent("heat", percent)
        self._command(lambda d: replace(d, heat=heat))

    def set_fan(self, percent: int) -> None:
        """Set the main fan, 0-100 % in 10 % steps (levels 0-10)."""
        level = percent_to_fan_level(require_percent("fan", percent, 10))
        self._command(lambda d: replace(d, main_fan_level=level))

    def start_drum(self) -> None:
        """Start the drum."""
        self._command(lambda d: replace(d, drum_on=True))

    def stop_drum(self) -> None:
        """Stop the drum and the heater with it."""
        self._command(lambda d: replace(d, drum_on=False, heat=0))

    def drop_beans(self) -> None:
        """Heater 0, door open, drum on (so every bean leaves), stirrer on, fan 100 %."""
        self._command(
            lambda d: replace(
                d, heat=0, door_open=True, drum_on=True, cooling_on=True, main_fan_level=10
            )
        )

    def start_cooling(self) -> None:
        """Stirrer on, fan 100 %."""
        self._command(lambda d: replace(d, cooling_on=True, main_fan_level=10))

    def stop_cooling(self) -> None:
        """Stirrer, fan, drum and heater off; door closed for the next batch."""
        self._command(
            lambda d: replace(
                d, cooling_on=False, main_fan_level=0, door_open=False, drum_on=False, heat=0
            )
        )


def _reading(frame: StatusFrame, arrived_s: float, arrived_wall: datetime) -> SensorReading:
    """Return a status frame as a reading, stamped with when it arrived."""
    return SensorReading(
        timestamp=arrived_wall,
        monotonic_s=arrived_s,
        bean_temp_c=float(frame.bean_temp_c),
        env_temp_c=float(frame.env_temp_c),
        heat_percent=frame.heat_percent,
        fan_percent=fan_level_to_percent(frame.main_fan_level),
        drum_on=frame.drum_on,
        door_open=frame.solenoid_open,
        cooling_on=frame.cooling_on,
    )
