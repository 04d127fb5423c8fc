"""The Hottop KN-8828B-2K+ wire protocol: 36-byte frames, their checksum and a resyncing reader.

Pure code, no I/O: the driver and the emulator both build on it. The facts come from
``docs/hottop-protocol.md`` (the section numbers below refer to it).

Both directions use the same frame shape (§2.1, §3.1)::

    byte  0-1   A5 96            header
    byte  2-6   B0 A0 01 01 24   control frame only; the status frame's are not public
    byte 10     heater           0-100 %
    byte 11     fan              0-10
    byte 12     main fan         0-10 (the exhaust fan the user drives)
    byte 16-18  solenoid (drop door), drum, cooling-tray stirrer: 0/1
    byte 19     chaff tray       status only, 0/1
    byte 23-24  ET               status only, uint16 big-endian, whole deg C
    byte 25-26  BT               status only, uint16 big-endian, whole deg C
    byte 35     checksum         sum(bytes 0-34) & 0xFF

There is no length prefix, terminator or escaping, so ``A5 96`` can also appear inside a frame and
a header is only trusted once the checksum agrees (:class:`FrameReader`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, TypeAlias

from roastctl.errors import RoasterError

__all__ = [
    "CONTROL_PREFIX",
    "FRAME_LENGTH",
    "HEADER",
    "ControlFrame",
    "FrameError",
    "FrameReader",
    "StatusFrame",
    "checksum",
    "fan_level_to_percent",
    "percent_to_fan_level",
]

#: What the functions here accept as raw bytes (``bytes`` is not a supertype of the others under
#: mypy's strict bytes rules, and a serial buffer is often a ``bytearray``).
BytesLike: TypeAlias = bytes | bytearray | memoryview

FRAME_LENGTH: Final = 36
HEADER: Final = b"\xa5\x96"
#: The control frame's fixed first 7 bytes (§3.1). Byte 6 (0x24 = 36) is probably the length.
CONTROL_PREFIX: Final = bytes.fromhex("a596b0a0010124")

_CHECKSUM_INDEX: Final = FRAME_LENGTH - 1
_MAX_PERCENT: Final = 100
_MAX_FAN_LEVEL: Final = 10
_MAX_TEMP_C: Final = 0xFFFF

# Byte positions shared by both frame kinds (§2.3, §3.1).
_HEAT: Final = 10
_FAN: Final = 11
_MAIN_FAN: Final = 12
_SOLENOID: Final = 16
_DRUM: Final = 17
_COOLING: Final = 18
# Status frame only.
_CHAFF_TRAY: Final = 19
_ET: Final = 23
_BT: Final = 25
#: Status byte 4: Artisan's comment calls it the protocol version, "1 (first released version)".
#: The other unknown status bytes are sent as 0 (§7.3). Bytes 2-6 are therefore
#: ``00 00 01 00 00``, which can never be mistaken for CONTROL_PREFIX by an echo guard.
_STATUS_VERSION_INDEX: Final = 4
_STATUS_VERSION: Final = 0x01


class FrameError(RoasterError):
    """Bytes that are not a valid frame: bad length, header, constant byte, checksum or value."""

    code = "frame_error"


def checksum(frame_without_checksum: BytesLike) -> int:
    """Return ``sum(bytes[0:35]) & 0xFF``, the value byte 35 must hold.

    Accepts the 35 bytes before the checksum or a whole 36-byte frame (its byte 35 is ignored).
    Raises :class:`ValueError` for any other length, since a checksum over the wrong span would
    silently be wrong.
    """
    length = len(frame_without_checksum)
    if length not in (_CHECKSUM_INDEX, FRAME_LENGTH):
        raise ValueError(
            f"checksum needs the {_CHECKSUM_INDEX} bytes before the checksum or a whole "
            f"{FRAME_LENGTH}-byte frame, got {length} bytes"
        )
    return sum(bytes(frame_without_checksum[:_CHECKSUM_INDEX])) & 0xFF


def percent_to_fan_level(percent: int) -> int:
    """Convert a fan percentage 0-100 to the Hottop's fan level 0-10, rounding halves UP.

    ``(percent + 5) // 10``: 4 % -> 0, 5 % -> 1, 25 % -> 3, 35 % -> 4, 95 % -> 10. Python's
    ``round`` rounds halves to even, which is how Artisan turns 25 % into level 2 (issue #1293);
    half-up is predictable and matches coffee-roaster-mcp. Raises :class:`ValueError` outside
    0-100 or for a non-integer.
    """
    _check_int("fan percent", percent, _MAX_PERCENT)
    return (percent + 5) // 10


def fan_level_to_percent(level: int) -> int:
    """Convert a fan level 0-10 to percent (level x 10); :class:`ValueError` outside 0-10."""
    _check_int("fan level", level, _MAX_FAN_LEVEL)
    return level * 10


@dataclass(frozen=True, slots=True)
class ControlFrame:
    """The frame the computer sends: it sets all six outputs at once (§3.1).

    There is no "leave unchanged" value, so a driver keeps the whole desired state and re-sends it
    every 0.25-0.3 s (§3.2). Values are checked in :meth:`encode`, not at construction, so a caller
    may build a frame from raw input and get one :class:`ValueError` naming the bad field.
    """

    heat_percent: int
    fan_level: int
    main_fan_level: int
    solenoid_open: bool
    drum_on: bool
    cooling_on: bool

    def encode(self) -> bytes:
        """Return the 36-byte frame; :class:`ValueError` names any field out of range."""
        frame = bytearray(FRAME_LENGTH)
        frame[: len(CONTROL_PREFIX)] = CONTROL_PREFIX
        frame[_HEAT] = _check_int("heat_percent", self.heat_percent, _MAX_PERCENT)
        frame[_FAN] = _check_int("fan_level", self.fan_level, _MAX_FAN_LEVEL)
        frame[_MAIN_FAN] = _check_int("main_fan_level", self.main_fan_level, _MAX_FAN_LEVEL)
        frame[_SOLENOID] = _check_flag("solenoid_open", self.solenoid_open)
        frame[_DRUM] = _check_flag("drum_on", self.drum_on)
        frame[_COOLING] = _check_flag("cooling_on", self.cooling_on)
        frame[_CHECKSUM_INDEX] = checksum(frame[:_CHECKSUM_INDEX])
        return bytes(frame)

    @classmethod
    def decode(cls, frame: BytesLike, *, strict_constants: bool = True) -> ControlFrame:
        """Parse a control frame (the emulator's side); :class:`FrameError` if it is not one.

        Checks the length, the header, the checksum, the constant bytes 2-6 (``B0 A0 01 01 24``)
        unless ``strict_constants`` is false, and the value ranges. Whether the real firmware checks
        the constants is unknown (§7.4), hence the switch. The zero bytes 7-9, 13-15 and
        19-34 are not checked: nothing documents that the firmware cares about them.
        """
        data = _check_frame("control frame", frame)
        if strict_constants and data[2 : len(CONTROL_PREFIX)] != CONTROL_PREFIX[2:]:
            raise FrameError(
                f"control frame: constant bytes 2-6 are {data[2:7].hex(' ')}, expected "
                f"{CONTROL_PREFIX[2:].hex(' ')}"
            )

        def field(name: str, index: int, maximum: int) -> int:
            return _field_in_range("control frame", name, data, index, maximum)

        return cls(
            heat_percent=field("heat_percent", _HEAT, _MAX_PERCENT),
            fan_level=field("fan_level", _FAN, _MAX_FAN_LEVEL),
            main_fan_level=field("main_fan_level", _MAIN_FAN, _MAX_FAN_LEVEL),
            solenoid_open=field("solenoid_open", _SOLENOID, 1) == 1,
            drum_on=field("drum_on", _DRUM, 1) == 1,
            cooling_on=field("cooling_on", _COOLING, 1) == 1,
        )


@dataclass(frozen=True, slots=True)
class StatusFrame:
    """The frame the roaster streams unasked, about 10 per second (§2).

    Bytes 10-12 and 16-18 report the actuator state encoded exactly like the control frame.
    Temperatures are whole deg C.
    """

    heat_percent: int
    fan_level: int
    main_fan_level: int
    solenoid_open: bool
    drum_on: bool
    cooling_on: bool
    chaff_tray: bool
    env_temp_c: int
    bean_temp_c: int

    def encode(self) -> bytes:
        """Return the 36-byte frame (the emulator's side); :class:`ValueError` names a bad field.

        The unknown bytes are byte 4 = 0x01 and zeros (§6.2, §7.3), so the frame never
        starts with :data:`CONTROL_PREFIX` and a driver's echo guard never drops it.
        """
        frame = bytearray(FRAME_LENGTH)
        frame[: len(HEADER)] = HEADER
        frame[_STATUS_VERSION_INDEX] = _STATUS_VERSION
        frame[_HEAT] = _check_int("heat_percent", self.heat_percent, _MAX_PERCENT)
        frame[_FAN] = _check_int("fan_level", self.fan_level, _MAX_FAN_LEVEL)
        frame[_MAIN_FAN] = _check_int("main_fan_level", self.main_fan_level, _MAX_FAN_LEVEL)
        frame[_SOLENOID] = _check_flag("solenoid_open", self.solenoid_open)
        frame[_DRUM] = _check_flag("drum_on", self.drum_on)
        frame[_COOLING] = _check_flag("cooling_on", self.cooling_on)
        frame[_CHAFF_TRAY] = _check_flag("chaff_tray", self.chaff_tray)
        frame[_ET : _ET + 2] = _check_int("env_temp_c", self.env_temp_c, _MAX_TEMP_C).to_bytes(
            2, "big"
        )
        frame[_BT : _BT + 2] = _check_int("bean_temp_c", self.bean_temp_c, _MAX_TEMP_C).to_bytes(
            2, "big"
        )
        frame[_CHECKSUM_INDEX] = checksum(frame[:_CHECKSUM_INDEX])
        return bytes(frame)

    @classmethod
    def decode(cls, frame: BytesLike) -> StatusFrame:
        """Parse a status frame; :class:`FrameError` on a bad length, header or checksum.

        Field values are reported as the roaster sent them, without range checks: what the
        firmware may send is not public, and plausibility (e.g. start-up zeros, §2.3) is the
        driver's call. A flag byte counts as set when it is non-zero. Temperatures are read as
        ``hi * 256 + lo``, so 256 deg C (``01 00``) is 256, not 1 as in older Artisan (§5.2).
        """
        data = _check_frame("status frame", frame)
        return cls(
            heat_percent=data[_HEAT],
            fan_level=data[_FAN],
            main_fan_level=data[_MAIN_FAN],
            solenoid_open=data[_SOLENOID] != 0,
            drum_on=data[_DRUM] != 0,
            cooling_on=data[_COOLING] != 0,
            chaff_tray=data[_CHAFF_TRAY] != 0,
            env_temp_c=int.from_bytes(data[_ET : _ET + 2], "big"),
            bean_temp_c=int.from_bytes(data[_BT : _BT + 2], "big"),
        )


class FrameReader:
    """Stream reader: feed arbitrary chunks; yields only frames that pass header + checksum.

    A sliding buffer (§4.4): find ``A5 96``, take 36 bytes, check the checksum. A bad candidate
    advances ONE byte, not 36, because a false header (``A5 96`` inside temperature or checksum
    bytes, or a truncated frame) may start less than 36 bytes before a real frame. Bytes that cannot
    start a frame are dropped at once, so between calls at most a 35-byte partial frame is kept.

    With ``skip_control_echo`` (the default) frames starting with :data:`CONTROL_PREFIX` are
    dropped and counted in :attr:`echoes`, so a loopback adapter echoing our own commands is never
    mistaken for the roaster (§4.4).

    ``max_buffer`` bounds the work and memory of one :meth:`feed`: when the kept tail plus the new
    data exceed it, only the newest ``max_buffer`` bytes are scanned and the older ones are counted
    in :attr:`discarded_bytes`. Those would be seconds-old frames from a stale buffer, and the
    driver wants the newest state anyway.

    Every byte fed is accounted for exactly once:
    ``fed == 36 * (frames + echoes) + discarded_bytes + buffered``.
    """

    __slots__ = (
        "_bad_checksums",
        "_buffer",
        "_discarded_bytes",
        "_echoes",
        "_frames",
        "max_buffer",
        "skip_control_echo",
    )

    def __init__(self, *, skip_control_echo: bool = True, max_buffer: int = 4096) -> None:
        if isinstance(max_buffer, bool) or not isinstance(max_buffer, int):
            raise TypeError(f"max_buffer must be an int, got {max_buffer!r}")
        if max_buffer < FRAME_LENGTH:
            raise ValueError(
                f"max_buffer must be at least one frame ({FRAME_LENGTH} bytes), got {max_buffer}"
            )
        self.skip_control_echo = skip_control_echo
        self.max_buffer = max_buffer
        self._buffer = bytearray()
        self._frames = 0
        self._bad_checksums = 0
        self._discarded_bytes = 0
        self._echoes = 0

    @property
    def frames(self) -> int:
        """Valid frames returned so far."""
        return self._frames

    @property
    def bad_checksums(self) -> int:
        """Header candidates rejected because byte 35 did not match the checksum."""
        return self._bad_checksums

    @property
    def discarded_bytes(self) -> int:
        """Bytes dropped as garbage: before a header, after a bad candidate, or over max_buffer."""
        return self._discarded_bytes

    @property
    def echoes(self) -> int:
        """Valid frames dropped because they start with CONTROL_PREFIX (our own commands)."""
        return self._echoes

    @property
    def buffered(self) -> int:
        """Bytes kept for the next :meth:`feed` (a partial frame; always < max_buffer)."""
        return len(self._buffer)

    def reset(self) -> None:
        """Forget the partial tail and zero the counters, as after construction (e.g. on reopen)."""
        self._buffer.clear()
        self._frames = 0
        self._bad_checksums = 0
        self._discarded_bytes = 0
        self._echoes = 0

    def feed(self, data: BytesLike) -> list[bytes]:
        """Add ``data`` and return the complete valid frames found, oldest first.

        An incomplete frame at the end is kept for the next call. The newest state is the last
        element; an empty list means no complete valid frame has arrived yet.
        """
        buffer = self._buffer
        buffer += data
        excess = len(buffer) - self.max_buffer
        if excess > 0:
            del buffer[:excess]
            self._discarded_bytes += excess

        found: list[bytes] = []
        # Scan with a cursor and cut the consumed prefix once at the end: deleting from the front
        # of a bytearray per frame would make a large feed quadratic.
        pos = 0
        end = len(buffer)
        while True:
            start = buffer.find(HEADER, pos)
            if start < 0:
                # No header left. Keep a trailing A5: it may be the first half of a split header.
                keep = 1 if end > pos and buffer[end - 1] == HEADER[0] else 0
                self._discarded_bytes += end - keep - pos
                pos = end - keep
                break
            self._discarded_bytes += start - pos
            pos = start
            if end - pos < FRAME_LENGTH:
                break  # a partial frame: wait for the rest
            candidate = bytes(buffer[pos : pos + FRAME_LENGTH])
            if sum(candidate[:_CHECKSUM_INDEX]) & 0xFF != candidate[_CHECKSUM_INDEX]:
                self._bad_checksums += 1
                self._discarded_bytes += 1
                pos += 1
                continue
            pos += FRAME_LENGTH
            if self.skip_control_echo and candidate.startswith(CONTROL_PREFIX):
                self._echoes += 1
                continue
            self._frames += 1
            found.append(candidate)
        del buffer[:pos]
        return found


def _check_int(name: str, value: object, maximum: int) -> int:
    """Return ``value`` if it is an int in 0..maximum, else raise ValueError naming it."""
    # bool is an int subclass; True as a heater percentage is a caller bug, not 1 %.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int in 0-{maximum}, got {value!r}")
    if not 0 <= value <= maximum:
        raise ValueError(f"{name} must be in 0-{maximum}, got {value}")
    return value


def _check_flag(name: str, value: object) -> int:
    """Return 0 or 1 for a bool (or the ints 0 and 1), else raise ValueError naming it."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int) and value in (0, 1):
        return value
    raise ValueError(f"{name} must be a bool (0 or 1), got {value!r}")


def _check_frame(kind: str, frame: BytesLike) -> bytes:
    """Return ``frame`` as bytes if its length, header and checksum are right, else FrameError."""
    data = bytes(frame)
    if len(data) != FRAME_LENGTH:
        raise FrameError(f"{kind}: length is {len(data)} bytes, expected {FRAME_LENGTH}")
    if data[: len(HEADER)] != HEADER:
        raise FrameError(
            f"{kind}: header (bytes 0-1) is {data[:2].hex(' ')}, expected {HEADER.hex(' ')}"
        )
    expected = checksum(data)
    if data[_CHECKSUM_INDEX] != expected:
        raise FrameError(
            f"{kind}: checksum (byte {_CHECKSUM_INDEX}) is 0x{data[_CHECKSUM_INDEX]:02X}, "
            f"expected 0x{expected:02X}"
        )
    return data


def _field_in_range(kind: str, name: str, data: bytes, index: int, maximum: int) -> int:
    """Return byte ``index`` of a frame if it is in 0..maximum, else FrameError naming it."""
    value = data[index]
    if value > maximum:
        raise FrameError(f"{kind}: {name} (byte {index}) is {value}, allowed 0-{maximum}")
    return value
