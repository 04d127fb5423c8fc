"""A virtual Hottop KN-8828B-2K+ on a pseudo-terminal, for testing drivers without a roaster.

:class:`VirtualHottop` opens a pty and behaves like the roaster's USB-serial port
(``docs/hottop-protocol.md`` §7; the section numbers below refer to that document):

* it streams one 36-byte status frame every ``frame_interval_s`` (0.1 s) of clock time, in a single
  ``write()``, whether or not anything is sent to it (§2.2);
* the temperatures come from :class:`~roastctl.physics.model.RoasterPhysics`, integrated up to
  the clock's now before every frame and every received command, as the simulator does, so a
  command takes effect from the moment it arrives whatever the frame rate;
* the first valid control frame puts it in *PC control*, and each valid control frame then sets
  heater, both fans, door, drum and stirrer exactly as received (§3.1, §7.5);
* the watchdog: in PC control, more than ``watchdog_s`` (1 s) without a valid control frame ejects
  the beans (heater 0, door open, drum on, stirrer on, main fan 10) and returns to manual mode
  (§3.2, §7.6). The real firmware's exact behaviour is not public; this is Artisan's drop.
  Like a firmware main loop it is checked once per frame tick, after reading any bytes already
  waiting, so it fires within one frame interval after the deadline and a slow thread in this
  process never turns a frame that was sent in time into an ejection;
* faults on command or on a schedule: garbage bytes, bad checksums, split and merged writes, a
  stalled stream, unplugging and re-plugging the USB cable, and mains power off (§1.3, §7.9).

Time comes from an injected :class:`~roastctl.clock.Clock`: on a
:class:`~roastctl.clock.ScaledClock` the frame cadence, the watchdog and the physics all run
``speed`` times faster, so a test of a 60 s behaviour takes a second or two.

Two threads do the work. The *streamer* wakes on drift-free deadlines (start + k x interval of
clock time; a frame it was late for is sent at once, up to a second's worth), runs the watchdog
and scheduled faults and writes the frames. The *reader* waits
for bytes from the driver and applies the control frames. The master end of the pty is
non-blocking: a driver that stops reading makes frames drop, as on a real serial line without
flow control, instead of stalling the roaster.

``python -m roastctl.hottop.emulator`` (``roastctl emulate-hottop``) runs one until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import enum
import logging
import os
import random
import select
import signal
import sys
import threading
import tty
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType, TracebackType
from typing import Final, Self

from roastctl.clock import Clock, ScaledClock, SystemClock
from roastctl.hottop.protocol import (
    FRAME_LENGTH,
    ControlFrame,
    FrameError,
    FrameReader,
    StatusFrame,
    fan_level_to_percent,
)
from roastctl.physics.model import Actuators, Beans, PhysicsParams, RoasterPhysics

__all__ = [
    "EmulatorState",
    "FaultAction",
    "Mode",
    "Outputs",
    "VirtualHottop",
    "main",
]

logger = logging.getLogger(__name__)

#: Something the emulator does at a scheduled clock time, e.g. ``VirtualHottop.unplug`` or
#: ``lambda hottop: hottop.silence(2.0)``. Its return value is ignored.
FaultAction = Callable[["VirtualHottop"], object]

#: How long one ``poll`` on the pty waits (real seconds). It only bounds how quickly the reader
#: notices :meth:`VirtualHottop.stop` or a replug; bytes that arrive wake it at once.
_POLL_REAL_S: Final = 0.02
#: How long :meth:`VirtualHottop.stop` waits for the threads in total (real seconds).
_JOIN_TIMEOUT_S: Final = 1.0
_READ_CHUNK: Final = 4096
#: How far (clock seconds) the streamer catches up on ticks it was too late for.
_MAX_CATCH_UP_S: Final = 1.0
#: Most garbage injections written in one tick (bounds a tiny ``garbage_every`` interval).
_MAX_GARBAGE_BURSTS: Final = 100
#: Largest batch the emulator accepts (g). The Hottop is rated 250 g; 300 g matches the simulator.
_MAX_CHARGE_G: Final = 300.0
_MAX_WIRE_TEMP_C: Final = 0xFFFF


class Mode(enum.StrEnum):
    """Who drives the outputs."""

    MANUAL = "manual"
    """The roaster's own panel: the state from before, or the eject state after the watchdog."""
    PC_CONTROL = "pc_control"
    """A computer: entered at the first valid control frame; the watchdog is armed."""


@dataclass(frozen=True, slots=True)
class Outputs:
    """The six outputs a control frame sets, plus the chaff-tray switch (status byte 19)."""

    heat_percent: int = 0
    fan_level: int = 0
    """Status/control byte 11, the second fan; stored and reported, no effect on the physics."""
    main_fan_level: int = 0
    """Byte 12, the exhaust fan; level x 10 % drives the physics fan."""
    solenoid_open: bool = False
    drum_on: bool = False
    cooling_on: bool = False
    chaff_tray: bool = True
    """Tray in place (§2.3 [inferred]); nothing here removes it."""

    @classmethod
    def from_control(cls, frame: ControlFrame, *, chaff_tray: bool = True) -> Outputs:
        """Return the outputs a control frame asks for, exactly as received."""
        return cls(
            heat_percent=frame.heat_percent,
            fan_level=frame.fan_level,
            main_fan_level=frame.main_fan_level,
            solenoid_open=frame.solenoid_open,
            drum_on=frame.drum_on,
            cooling_on=frame.cooling_on,
            chaff_tray=chaff_tray,
        )

    def actuators(self) -> Actuators:
        """Return the physics model's view of these outputs."""
        return Actuators(
            heat_percent=float(self.heat_percent),
            fan_percent=float(fan_level_to_percent(self.main_fan_level)),
            drum_on=self.drum_on,
            door_open=self.solenoid_open,
            cooling_on=self.cooling_on,
        )


@dataclass(frozen=True, slots=True)
class EmulatorState:
    """A consistent snapshot of the emulator, taken at clock time ``clock_s``."""

    clock_s: float
    """The clock's monotonic seconds at the snapshot."""
    mode: Mode
    powered: bool
    """False in "unpowered" mode: the port exists but nothing streams (§1.3, Artisan #1707)."""
    plugged: bool
    """False between :meth:`VirtualHottop.unplug` and :meth:`VirtualHottop.replug`."""
    port: str | None
    """The current slave pty path, None while unplugged or stopped."""
    outputs: Outputs
    bean_temp_c: float
    """BT probe (degC), before the whole-degree rounding of the wire."""
    env_temp_c: float
    """ET probe (degC), before the whole-degree rounding of the wire."""
    beans_in_drum: bool
    beans_in_cooling_tray: bool
    frames_sent: int
    """Status frames written completely to the pty."""
    frames_dropped: int
    """Status frames lost: the driver was not reading, or the cable was out."""
    frames_corrupted: int
    """Status frames sent with a wrong checksum on purpose."""
    garbage_bytes_sent: int
    control_frames: int
    """Valid control frames applied."""
    bad_control_frames: int
    """Received candidates rejected: bad checksum, bad constant bytes or a value out of range."""
    ejections: int
    """Watchdog ejections."""
    last_eject_s: float | None
    """Clock time of the last ejection (the watchdog deadline, not when it was noticed)."""
    last_control_s: float | None
    """Clock time the last valid control frame arrived."""


@dataclass(frozen=True, slots=True)
class _Burst:
    """Bytes the streamer writes in one tick: one part, or two with a pause (a split frame)."""

    parts: tuple[bytes, ...]
    frames: int
    generation: int


class VirtualHottop:
    """A Hottop KN-8828B-2K+ behind a pseudo-terminal: status stream, control, watchdog, faults.

    Use as a context manager, or call :meth:`start` and :meth:`stop`::

        with VirtualHottop(clock=ScaledClock(20), link_path=Path("/tmp/hottop")) as hottop:
            serial.Serial(hottop.port, 115200)  # or the stable link_path

    Every fault method is safe to call from any thread at any time; a ``schedule`` entry
    ``(at_s, action)`` calls ``action(self)`` from the streamer thread once the clock has run
    ``at_s`` seconds since :meth:`start`.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        frame_interval_s: float = 0.1,
        watchdog_s: float | None = 1.0,
        link_path: Path | str | None = None,
        ambient_c: float = 22.0,
        params: PhysicsParams | None = None,
        powered: bool = True,
        strict_constants: bool = True,
        split_pause_s: float | None = None,
        schedule: Iterable[tuple[float, FaultAction]] = (),
        seed: int | None = None,
    ) -> None:
        """Configure the emulator; nothing is opened until :meth:`start`.

        ``split_pause_s`` is the clock time between the two halves of a split frame (default a
        quarter of the frame interval). ``strict_constants`` makes control frames whose bytes
        2-6 are not ``B0 A0 01 01 24`` count as bad (the firmware's strictness is unknown,
        §7.4). ``seed`` fixes the garbage bytes and the split points.
        """
        if not frame_interval_s > 0:
            raise ValueError(f"frame_interval_s must be > 0, got {frame_interval_s!r}")
        if watchdog_s is not None and not watchdog_s > 0:
            raise ValueError(f"watchdog_s must be > 0 or None (off), got {watchdog_s!r}")
        pause = frame_interval_s / 4 if split_pause_s is None else split_pause_s
        if not 0 <= pause < frame_interval_s:
            raise ValueError(f"split_pause_s must be in [0, frame_interval_s), got {pause!r}")
        self.clock: Clock = clock or SystemClock()
        self.frame_interval_s = frame_interval_s
        #: Clock seconds without a valid control frame before the eject; may be changed at any
        #: time, None switches the watchdog off.
        self.watchdog_s = watchdog_s
        self.link_path = Path(link_path) if link_path is not None else None
        self.strict_constants = strict_constants
        self.split_pause_s = pause
        #: Set at every watchdog ejection (never cleared here), so a test can wait for one.
        self.ejected = threading.Event()

        # _io_lock guards the pty file descriptors; _lock guards everything else. Code that needs
        # both takes _io_lock first. Neither is held while waiting for time to pass.
        self._io_lock = threading.Lock()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._started = False
        self._start_s = 0.0
        self._rng = random.Random(seed)  # noqa: S311 - fault bytes and split points, not secrets

        # The pty. ``_generation`` changes whenever the pty is replaced or closed, so bytes meant
        # for (or read from) an old one are never confused with the current one.
        self._master: int | None = None
        self._slave: int | None = None
        self._port: str | None = None
        self._generation = 0

        # The machine.
        self._physics = RoasterPhysics(params or PhysicsParams.hottop(), ambient_c)
        self._physics_s = self.clock.monotonic()
        self._outputs = Outputs()
        self._mode = Mode.MANUAL
        self._powered = powered
        self._last_control_s: float | None = None
        self._last_eject_s: float | None = None
        self._rx = FrameReader(skip_control_echo=False)

        # Faults.
        self._schedule: list[tuple[float, FaultAction]] = sorted(schedule, key=lambda e: e[0])
        self._pending_garbage = bytearray()
        self._garbage_every_s: float | None = None
        self._garbage_bytes = 0
        self._next_garbage_s = 0.0
        self._corrupt_every = 0
        self._corrupt_count = 0
        self._split = False
        self._merge = 1
        self._held: list[bytes] = []
        self._silent_until = -float("inf")

        # Counters.
        self._frames_sent = 0
        self._frames_dropped = 0
        self._frames_corrupted = 0
        self._garbage_sent = 0
        self._control_frames = 0
        self._bad_control_frames = 0
        self._ejections = 0

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> str:
        """Open the pty, point ``link_path`` at it and start streaming; return the port path."""
        if self._started:
            raise RuntimeError("this VirtualHottop was already started; make a new one")
        if self.link_path is not None and (
            self.link_path.exists() and not self.link_path.is_symlink()
        ):
            # Never clobber a real file or device with our link.
            raise FileExistsError(f"{self.link_path} exists and is not a symlink")
        self._started = True
        port = self._plug()
        with self._lock:
            now = self.clock.monotonic()
            self._advance(now)
            self._start_s = now
            self._next_garbage_s = now
        for name, target in (("stream", self._stream_loop), ("read", self._read_loop)):
            thread = threading.Thread(target=target, name=f"virtual-hottop-{name}", daemon=True)
            self._threads.append(thread)
            thread.start()
        logger.info("virtual Hottop on %s (link: %s)", port, self.link_path)
        return port

    def stop(self) -> None:
        """Stop the threads (within ~1 s), close the pty and remove the link; idempotent."""
        self._stop.set()
        deadline = SystemClock().monotonic() + _JOIN_TIMEOUT_S
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(max(0.0, deadline - SystemClock().monotonic()))
        self._unplug(reason="stopped")

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> str:
        """The current slave pty path (it changes on :meth:`replug`; ``link_path`` does not)."""
        port = self._port
        if port is None:
            raise RuntimeError("the virtual Hottop has no port: not started, unplugged or stopped")
        return port

    @property
    def state(self) -> EmulatorState:
        """Return a snapshot, with the physics and the watchdog brought up to the clock's now."""
        self._poll_input()
        with self._lock:
            now = self.clock.monotonic()
            self._advance(now)
            return EmulatorState(
                clock_s=now,
                mode=self._mode,
                powered=self._powered,
                plugged=self._master is not None,
                port=self._port,
                outputs=self._outputs,
                bean_temp_c=self._physics.bean_probe_c,
                env_temp_c=self._physics.env_probe_c,
                beans_in_drum=self._physics.beans_in_drum,
                beans_in_cooling_tray=self._physics.beans_in_cooling_tray,
                frames_sent=self._frames_sent,
                frames_dropped=self._frames_dropped,
                frames_corrupted=self._frames_corrupted,
                garbage_bytes_sent=self._garbage_sent,
                control_frames=self._control_frames,
                bad_control_frames=self._bad_control_frames,
                ejections=self._ejections,
                last_eject_s=self._last_eject_s,
                last_control_s=self._last_control_s,
            )

    # ----------------------------------------------------------------- what a person does
    def charge(self, mass_g: float = 220.0) -> None:
        """Pour green beans into the drum (done by hand on a real Hottop; no protocol message).

        With the door open they fall straight through into the cooling tray, as on the real
        machine (#512). Raises :class:`ValueError` outside 0-300 g or with beans in the drum.
        """
        if not 0 < mass_g <= _MAX_CHARGE_G:
            raise ValueError(f"batch mass {mass_g} g is outside 0-{_MAX_CHARGE_G:g} g")
        with self._lock:
            self._advance(self.clock.monotonic())
            if self._physics.beans_in_drum:
                raise ValueError("beans are already in the drum; drop them before charging again")
            self._physics.charge(Beans(mass_kg=mass_g / 1000.0))
        logger.info("charged %g g of green beans", mass_g)

    def power_off(self) -> None:
        """Cut mains power: outputs stop, no frames stream, received bytes are lost (#1707).

        The USB-serial adapter is powered by the bus, so the port stays; this is the state a
        driver must report as "roaster not powered".
        """
        with self._lock:
            self._advance(self.clock.monotonic())
            self._powered = False
            self._outputs = Outputs()
            self._mode = Mode.MANUAL
            self._held.clear()
        logger.info("mains power off")

    def power_on(self) -> None:
        """Restore mains power: streaming resumes in manual mode with every output off."""
        with self._lock:
            self._advance(self.clock.monotonic())
            self._powered = True
        logger.info("mains power on")

    # ----------------------------------------------------------------- faults
    def schedule(self, at_s: float, action: FaultAction) -> None:
        """Call ``action(self)`` once the clock has run ``at_s`` seconds since :meth:`start`."""
        with self._lock:
            self._schedule.append((at_s, action))
            self._schedule.sort(key=lambda entry: entry[0])

    def inject_garbage(self, n_bytes: int) -> None:
        """Send ``n_bytes`` random bytes between this frame and the next (line noise)."""
        if n_bytes < 0:
            raise ValueError(f"n_bytes must be >= 0, got {n_bytes}")
        with self._lock:
            self._pending_garbage += self._rng.randbytes(n_bytes)

    def garbage_every(self, interval_s: float | None, n_bytes: int = 16) -> None:
        """Inject ``n_bytes`` of garbage every ``interval_s`` clock seconds; None switches off."""
        if interval_s is not None and not interval_s > 0:
            raise ValueError(f"interval_s must be > 0 or None, got {interval_s!r}")
        if n_bytes < 0:
            raise ValueError(f"n_bytes must be >= 0, got {n_bytes}")
        with self._lock:
            self._garbage_every_s = interval_s
            self._garbage_bytes = n_bytes
            self._next_garbage_s = self.clock.monotonic()

    def corrupt_checksums(self, every_n: int) -> None:
        """Give every ``every_n``-th frame from now on a wrong checksum; 0 switches off."""
        if every_n < 0:
            raise ValueError(f"every_n must be >= 0, got {every_n}")
        with self._lock:
            self._corrupt_every = every_n
            self._corrupt_count = 0

    def split_frames(self, on: bool = True) -> None:
        """Write each frame (or merged burst) in two writes, ``split_pause_s`` apart."""
        with self._lock:
            self._split = on

    def merge_frames(self, n: int) -> None:
        """Hold ``n`` frames and write them in one go (a stale buffer); 0 or 1 switches off."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        with self._lock:
            self._merge = max(1, n)

    def silence(self, seconds: float) -> None:
        """Stall the stream for ``seconds`` of clock time; control and watchdog carry on."""
        with self._lock:
            self._silent_until = self.clock.monotonic() + seconds

    def unplug(self) -> None:
        """Pull the USB cable: close the pty (a reader on it gets EOF or EIO) and remove the link.

        The roaster itself keeps running, so without control frames its watchdog ejects.
        """
        self._unplug(reason="unplugged")

    def replug(self) -> str:
        """Plug the cable back in: a new pty, the link re-pointed at it; return the new port."""
        return self._plug()

    # ----------------------------------------------------------------- the pty
    def _plug(self) -> str:
        with self._io_lock:
            if self._port is not None:
                return self._port
            if self._stop.is_set():
                raise RuntimeError("the virtual Hottop is stopped")
            master, slave = os.openpty()
            try:
                # Raw mode: no line discipline may echo, translate CR/LF or eat control bytes.
                tty.setraw(slave)
                # A driver that does not read must cost frames, not block the roaster (§4.4).
                os.set_blocking(master, False)
                port = os.ttyname(slave)
                if self.link_path is not None:
                    _point_link(self.link_path, port)
            except BaseException:
                os.close(master)
                os.close(slave)
                raise
            with self._lock:
                self._master, self._slave, self._port = master, slave, port
                self._generation += 1
                # A fresh adapter: no half frame from the old connection survives.
                self._rx = FrameReader(skip_control_echo=False)
        logger.info("plugged in on %s", port)
        return port

    def _unplug(self, *, reason: str) -> None:
        with self._io_lock:
            with self._lock:
                master, slave, port = self._master, self._slave, self._port
                if master is None:
                    return
                self._master = self._slave = self._port = None
                self._generation += 1
                self._held.clear()
            for fd in (master, slave):
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            if self.link_path is not None and port is not None:
                _remove_link(self.link_path, port)
        logger.info("%s: closed %s", reason, port)

    # ----------------------------------------------------------------- the machine
    def _advance(self, now: float) -> None:
        """Run the watchdog and the physics up to ``now``; call with ``_lock`` held."""
        if (
            self._mode is Mode.PC_CONTROL
            and self.watchdog_s is not None
            and self._last_control_s is not None
        ):
            deadline = self._last_control_s + self.watchdog_s
            if now > deadline:
                # Eject at the deadline, not when we noticed: the firmware would not wait for
                # our next frame tick, and the physics should see the drop at the right time.
                self._integrate(deadline)
                self._eject(deadline)
        self._integrate(now)

    def _integrate(self, until: float) -> None:
        if until > self._physics_s:
            self._physics.advance(until - self._physics_s, self._outputs.actuators())
            self._physics_s = until

    def _eject(self, at_s: float) -> None:
        # What the firmware really does is not public (§3.2); this is Artisan's own drop
        # (§7.6): heater off, door open so the beans leave, drum on so they all do (§4.2 step
        # 7), stirrer and full fan to cool them. Byte 11 is left as it was.
        self._outputs = replace(
            self._outputs,
            heat_percent=0,
            solenoid_open=True,
            drum_on=True,
            cooling_on=True,
            main_fan_level=10,
        )
        self._mode = Mode.MANUAL
        self._ejections += 1
        self._last_eject_s = at_s
        self.ejected.set()
        logger.warning(
            "watchdog: no control frame for %.2f s, beans ejected (heater 0, door open, "
            "drum and stirrer on, main fan 10); back in manual mode",
            self.watchdog_s,
        )

    def _status_frame(self) -> bytes:
        out = self._outputs
        return StatusFrame(
            heat_percent=out.heat_percent,
            fan_level=out.fan_level,
            main_fan_level=out.main_fan_level,
            solenoid_open=out.solenoid_open,
            drum_on=out.drum_on,
            cooling_on=out.cooling_on,
            chaff_tray=out.chaff_tray,
            env_temp_c=_wire_temp(self._physics.env_probe_c),
            bean_temp_c=_wire_temp(self._physics.bean_probe_c),
        ).encode()

    def _poll_input(self) -> bool:
        """Read and apply whatever the driver has sent so far; return whether there was any.

        Reading and applying happen under ``_io_lock`` together, so bytes read by two threads
        can never be applied out of order.
        """
        with self._io_lock:
            master = self._master
            if master is None:
                return False
            chunks: list[bytes] = []
            while True:
                try:
                    data = os.read(master, _READ_CHUNK)
                except OSError:  # BlockingIOError: nothing (more) waiting
                    break
                if not data:
                    break
                chunks.append(data)
            if chunks:
                self._receive(b"".join(chunks))
            return bool(chunks)

    def _receive(self, data: bytes) -> None:
        """Apply the control frames in ``data``, received at the clock's now.

        The watchdog is not run here but at the frame ticks (after this has read whatever is
        waiting), so a frame that was sent in time is never rejected because the thread that
        reads it was scheduled late.
        """
        with self._lock:
            now = self.clock.monotonic()
            self._integrate(now)
            if not self._powered:
                return  # a dead controller board: the bytes go nowhere
            bad_before = self._rx.bad_checksums
            frames = self._rx.feed(data)
            self._bad_control_frames += self._rx.bad_checksums - bad_before
            for raw in frames:
                try:
                    command = ControlFrame.decode(raw, strict_constants=self.strict_constants)
                except FrameError as exc:
                    self._bad_control_frames += 1
                    logger.debug("ignored a bad control frame: %s", exc)
                    continue
                self._outputs = Outputs.from_control(command, chaff_tray=self._outputs.chaff_tray)
                self._control_frames += 1
                self._last_control_s = now
                if self._mode is not Mode.PC_CONTROL:
                    self._mode = Mode.PC_CONTROL
                    logger.info("PC control: first valid control frame received")

    # ----------------------------------------------------------------- threads
    def _stream_loop(self) -> None:
        clock = self.clock
        interval = self.frame_interval_s
        next_tick = clock.monotonic()
        while not self._stop.is_set():
            now = clock.monotonic()
            self._run_due(now)
            # Bytes already waiting count before the watchdog looks (see _receive).
            self._poll_input()
            burst = self._tick(now)
            if burst is not None:
                self._transmit(burst)
            next_tick += interval
            now = clock.monotonic()
            if now - next_tick > _MAX_CATCH_UP_S:
                # Far behind: the process was suspended. Start afresh rather than flood the line.
                next_tick = now
            # A little behind (this process was scheduled late, which a ScaledClock magnifies):
            # the frames owed go out at once, so the rate per clock second stays exact.
            clock.wait(self._stop, next_tick - now)

    def _run_due(self, now: float) -> None:
        while True:
            with self._lock:
                if not self._schedule or self._schedule[0][0] > now - self._start_s:
                    return
                _, action = self._schedule.pop(0)
            try:
                action(self)
            except Exception:
                logger.exception("scheduled fault %r failed", action)

    def _tick(self, now: float) -> _Burst | None:
        """Advance to ``now`` and return what to write this tick, if anything."""
        with self._lock:
            self._advance(now)
            every = self._garbage_every_s
            if every is not None:
                if now - self._next_garbage_s > _MAX_CATCH_UP_S:
                    self._next_garbage_s = now  # suspended: no flood of old garbage
                # Drift-free like the ticks, so "every 0.1 s" means next to every frame.
                if now >= self._next_garbage_s:
                    due = int((now - self._next_garbage_s) // every) + 1
                    bursts = min(due, _MAX_GARBAGE_BURSTS)
                    self._pending_garbage += self._rng.randbytes(self._garbage_bytes * bursts)
                    self._next_garbage_s += due * every
            blob = bytearray(self._pending_garbage)
            garbage = len(blob)
            self._pending_garbage.clear()
            frames = 0
            if self._powered and now >= self._silent_until:
                frame = bytearray(self._status_frame())
                if self._corrupt_every:
                    self._corrupt_count += 1
                    if self._corrupt_count % self._corrupt_every == 0:
                        frame[FRAME_LENGTH - 1] = (frame[FRAME_LENGTH - 1] + 1) & 0xFF
                        self._frames_corrupted += 1
                self._held.append(bytes(frame))
                if len(self._held) >= self._merge:
                    frames = len(self._held)
                    blob += b"".join(self._held)
                    self._held.clear()
            if self._master is None:
                # The cable is out: the roaster streams into nothing.
                self._frames_dropped += frames
                return None
            if not blob:
                return None
            self._garbage_sent += garbage
            if self._split and frames and len(blob) > 1:
                cut = self._rng.randint(1, len(blob) - 1)
                parts: tuple[bytes, ...] = (bytes(blob[:cut]), bytes(blob[cut:]))
            else:
                parts = (bytes(blob),)
            return _Burst(parts=parts, frames=frames, generation=self._generation)

    def _transmit(self, burst: _Burst) -> None:
        complete = True
        for index, part in enumerate(burst.parts):
            if index and self.clock.wait(self._stop, self.split_pause_s):
                return
            with self._io_lock:
                master = self._master
                if master is None or burst.generation != self._generation:
                    complete = False
                    break
                try:
                    written = os.write(master, part)
                except OSError:  # BlockingIOError: the driver is not reading; EIO: no reader
                    written = 0
            if written < len(part):
                complete = False
                break
        with self._lock:
            if complete:
                self._frames_sent += burst.frames
            else:
                self._frames_dropped += burst.frames

    def _read_loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                master = self._master
            if master is None:
                self._stop.wait(_POLL_REAL_S)
                continue
            # poll, not select: select fails on descriptor numbers above 1023.
            poller = select.poll()
            poller.register(master, select.POLLIN)
            try:
                ready = poller.poll(_POLL_REAL_S * 1000)
            except OSError:
                ready = []
            # If unplug() closed the pty meanwhile (POLLNVAL), _poll_input reads nothing: it
            # reads only the current pty, never a reused descriptor number.
            if ready and not self._poll_input():
                self._stop.wait(_POLL_REAL_S)  # ready but empty: the pty is going away


def _wire_temp(value_c: float) -> int:
    """Return a probe reading as the wire carries it: whole degC in 0-65535."""
    return min(max(round(value_c), 0), _MAX_WIRE_TEMP_C)


def _point_link(link: Path, target: str) -> None:
    """Make ``link`` a symlink to ``target``, replacing an old link atomically."""
    link.parent.mkdir(parents=True, exist_ok=True)
    temporary = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    temporary.symlink_to(target)
    # os.replace is atomic: a driver reopening the link sees the old pty or the new one, never
    # a missing path in between.
    temporary.replace(link)


def _remove_link(link: Path, target: str) -> None:
    """Remove ``link`` if it still points at ``target`` (like udev removing /dev/serial/by-id)."""
    with contextlib.suppress(OSError):
        if link.is_symlink() and os.readlink(link) == target:
            link.unlink()


# --------------------------------------------------------------------- command line
def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 100_000:
        raise argparse.ArgumentTypeError(f"{text} must be > 0 (and at most 100000)")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 100_000:
        raise argparse.ArgumentTypeError(f"{text} must be >= 0")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} must be >= 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the parser for ``roastctl emulate-hottop``."""
    parser = argparse.ArgumentParser(
        prog="roastctl emulate-hottop",
        description="Run a virtual Hottop KN-8828B-2K+ on a pseudo-terminal until Ctrl-C. Prints "
        "the port (and the link) on stdout; point a driver, or Artisan, at it.",
    )
    parser.add_argument(
        "--speed", type=_positive, default=1.0, help="clock seconds per real second (default 1)"
    )
    parser.add_argument(
        "--watchdog-s",
        type=_non_negative,
        default=1.0,
        help="eject after this many clock seconds without a control frame; 0 disables "
        "(default 1.0)",
    )
    parser.add_argument("--link", type=Path, help="keep a symlink to the current pty here")
    parser.add_argument(
        "--frame-interval-s",
        type=_positive,
        default=0.1,
        help="clock seconds between status frames (default 0.1)",
    )
    parser.add_argument(
        "--garbage-every",
        type=_positive,
        metavar="S",
        help="inject random bytes between frames every S clock seconds",
    )
    parser.add_argument(
        "--garbage-bytes", type=_count, default=16, help="bytes per injection (default 16)"
    )
    parser.add_argument(
        "--bad-checksum-every",
        type=_count,
        default=0,
        metavar="N",
        help="send every Nth status frame with a wrong checksum (default 0: never)",
    )
    parser.add_argument(
        "--charge-g", type=_positive, help="charge this many grams of green beans at start"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail to stderr")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until Ctrl-C or SIGTERM; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    clock: Clock = SystemClock() if args.speed == 1 else ScaledClock(args.speed)
    hottop = VirtualHottop(
        clock=clock,
        frame_interval_s=args.frame_interval_s,
        watchdog_s=args.watchdog_s or None,
        link_path=args.link,
    )
    if args.garbage_every is not None:
        hottop.garbage_every(args.garbage_every, args.garbage_bytes)
    hottop.corrupt_checksums(args.bad_checksum_every)
    if args.charge_g is not None:
        try:
            hottop.charge(args.charge_g)
        except ValueError as exc:
            parser.error(str(exc))  # exits with status 2 and the usage

    done = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("signal %d: stopping", signum)
        done.set()

    # Handlers can only be installed from the main thread; elsewhere Ctrl-C still works.
    handled = (signal.SIGINT, signal.SIGTERM)
    in_main = threading.current_thread() is threading.main_thread()
    previous = {signum: signal.signal(signum, request_stop) for signum in handled if in_main}
    try:
        with hottop:
            print(hottop.port, flush=True)
            if hottop.link_path is not None:
                print(hottop.link_path, flush=True)
            # A bounded wait so a signal is noticed promptly on every platform.
            while not done.wait(0.5):
                pass
    except KeyboardInterrupt:
        pass  # Ctrl-C before the handler was installed, or outside the main thread
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
