"""Tests for roastctl.hottop.protocol: frames, checksum, fan rounding and the resyncing reader.

The worked examples are docs/hottop-protocol.md §6, byte for byte.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from roastctl.errors import RoasterError
from roastctl.hottop.protocol import (
    CONTROL_PREFIX,
    FRAME_LENGTH,
    HEADER,
    ControlFrame,
    FrameError,
    FrameReader,
    StatusFrame,
    checksum,
    fan_level_to_percent,
    percent_to_fan_level,
)

# §6.1: heat 50 %, main fan 3, drum on, cooling off, door closed.
EXAMPLE_CONTROL = bytes.fromhex(
    "A5 96 B0 A0 01 01 24 00 00 00 32 00 03 00 00 00 00 01 "
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 E7"
)
# §6.2: heat 50, main fan 3, door closed, drum on, stirrer off, tray 1, ET 262 C, BT 198 C.
EXAMPLE_STATUS = bytes.fromhex(
    "A5 96 00 00 01 00 00 00 00 00 32 00 03 00 00 00 00 01 "
    "00 01 00 00 00 01 06 00 C6 00 00 00 00 00 00 00 00 40"
)
EXAMPLE_STATUS_FIELDS = StatusFrame(
    heat_percent=50,
    fan_level=0,
    main_fan_level=3,
    solenoid_open=False,
    drum_on=True,
    cooling_on=False,
    chaff_tray=True,
    env_temp_c=262,
    bean_temp_c=198,
)

control_frames = st.builds(
    ControlFrame,
    heat_percent=st.integers(0, 100),
    fan_level=st.integers(0, 10),
    main_fan_level=st.integers(0, 10),
    solenoid_open=st.booleans(),
    drum_on=st.booleans(),
    cooling_on=st.booleans(),
)
# Temperatures that put A5 96 (or 01 00) into the payload are drawn often on purpose.
temperatures = st.one_of(
    st.sampled_from([0, 0x00A5, 0xA596, 0x96A5, 0x0100, 0x0200, 0xA5A5, 0xFFFF]),
    st.integers(0, 0xFFFF),
)
status_frames = st.builds(
    StatusFrame,
    heat_percent=st.integers(0, 100),
    fan_level=st.integers(0, 10),
    main_fan_level=st.integers(0, 10),
    solenoid_open=st.booleans(),
    drum_on=st.booleans(),
    cooling_on=st.booleans(),
    chaff_tray=st.booleans(),
    env_temp_c=temperatures,
    bean_temp_c=temperatures,
)


def with_checksum(first_35: bytes) -> bytes:
    """Complete 35 hand-made bytes into a valid frame."""
    assert len(first_35) == FRAME_LENGTH - 1
    return first_35 + bytes([sum(first_35) & 0xFF])


def status(**changes: object) -> bytes:
    return replace(EXAMPLE_STATUS_FIELDS, **changes).encode()  # type: ignore[arg-type]


def corrupt(frame: bytes, index: int, delta: int = 1) -> bytes:
    """Change one byte; any single-byte change breaks a plain-sum checksum."""
    data = bytearray(frame)
    data[index] = (data[index] + delta) & 0xFF
    return bytes(data)


def is_valid(frame: bytes) -> bool:
    return (
        len(frame) == FRAME_LENGTH
        and frame.startswith(HEADER)
        and frame[-1] == sum(frame[:-1]) & 0xFF
    )


def feed_in_chunks(reader: FrameReader, stream: bytes, cuts: list[int]) -> list[bytes]:
    found: list[bytes] = []
    bounds = [0, *sorted(cuts), len(stream)]
    for start, end in pairwise(bounds):
        found += reader.feed(stream[start:end])
    return found


def assert_accounted(reader: FrameReader, fed: int) -> None:
    consumed = FRAME_LENGTH * (reader.frames + reader.echoes)
    assert consumed + reader.discarded_bytes + reader.buffered == fed


# --- worked examples and checksum ------------------------------------------------------------


def test_control_frame_worked_example_6_1_byte_for_byte() -> None:
    frame = ControlFrame(
        heat_percent=50,
        fan_level=0,
        main_fan_level=3,
        solenoid_open=False,
        drum_on=True,
        cooling_on=False,
    )
    assert frame.encode() == EXAMPLE_CONTROL
    assert ControlFrame.decode(EXAMPLE_CONTROL) == frame


def test_control_frame_fan_in_byte_11_has_the_same_checksum() -> None:
    """§6.1: the checksum is a plain sum, so moving the 3 from byte 12 to 11 keeps 0xE7."""
    encoded = ControlFrame(50, 3, 0, False, True, False).encode()
    assert encoded[11] == 3
    assert encoded[12] == 0
    assert encoded[35] == 0xE7


def test_status_frame_worked_example_6_2_byte_for_byte() -> None:
    assert EXAMPLE_STATUS_FIELDS.encode() == EXAMPLE_STATUS
    assert StatusFrame.decode(EXAMPLE_STATUS) == EXAMPLE_STATUS_FIELDS


def test_checksum_examples() -> None:
    assert checksum(EXAMPLE_CONTROL[:35]) == 0xE7
    assert checksum(EXAMPLE_CONTROL) == 0xE7  # a whole frame: byte 35 is ignored
    assert checksum(EXAMPLE_STATUS[:35]) == 0x40
    assert checksum(CONTROL_PREFIX + bytes(28)) == 689 & 0xFF == 0xB1
    assert checksum(bytes(35)) == 0
    assert checksum(b"\xff" * 35) == (255 * 35) & 0xFF == 0xDD
    assert checksum(bytearray(EXAMPLE_CONTROL)) == checksum(memoryview(EXAMPLE_CONTROL)) == 0xE7


@pytest.mark.parametrize("length", [0, 2, 34, 37, 72])
def test_checksum_refuses_other_lengths(length: int) -> None:
    with pytest.raises(ValueError, match=str(length)):
        checksum(bytes(length))


def test_control_frame_constants_and_zero_padding() -> None:
    encoded = ControlFrame(100, 10, 10, True, True, True).encode()
    assert encoded.startswith(CONTROL_PREFIX)
    assert len(encoded) == FRAME_LENGTH
    set_bytes = {10: 100, 11: 10, 12: 10, 16: 1, 17: 1, 18: 1}
    for index in range(7, 35):
        assert encoded[index] == set_bytes.get(index, 0), index


# --- round trips -----------------------------------------------------------------------------


@given(control_frames)
def test_control_frame_round_trip(frame: ControlFrame) -> None:
    encoded = frame.encode()
    assert len(encoded) == FRAME_LENGTH
    assert encoded.startswith(CONTROL_PREFIX)
    assert encoded[35] == checksum(encoded[:35])
    assert ControlFrame.decode(encoded) == frame
    assert ControlFrame.decode(encoded).encode() == encoded


@given(status_frames)
def test_status_frame_round_trip_and_big_endian_temperatures(frame: StatusFrame) -> None:
    encoded = frame.encode()
    assert len(encoded) == FRAME_LENGTH
    assert encoded.startswith(HEADER)
    assert not encoded.startswith(CONTROL_PREFIX)
    assert encoded[35] == checksum(encoded[:35])
    assert StatusFrame.decode(encoded) == frame
    assert StatusFrame.decode(encoded).encode() == encoded
    # Big-endian whole deg C.
    assert encoded[23] * 256 + encoded[24] == frame.env_temp_c
    assert encoded[25] * 256 + encoded[26] == frame.bean_temp_c


@pytest.mark.parametrize("temp", [256, 512, 0x0100 * 3, 0xA596, 0x96A5, 0x00A5, 0xFFFF])
def test_awkward_temperatures_decode_exactly(temp: int) -> None:
    """256 C is 01 00: older Artisan returned the high byte alone (1) when the low byte was 0."""
    decoded = StatusFrame.decode(status(env_temp_c=temp, bean_temp_c=temp))
    assert decoded.env_temp_c == temp
    assert decoded.bean_temp_c == temp


def test_256_c_from_hand_made_bytes() -> None:
    raw = bytearray(EXAMPLE_STATUS[:35])
    raw[23:27] = b"\x01\x00\x01\x00"
    decoded = StatusFrame.decode(with_checksum(bytes(raw)))
    assert (decoded.env_temp_c, decoded.bean_temp_c) == (256, 256)


def test_status_decode_reports_values_as_sent() -> None:
    """The roaster's unknown bytes and odd values are not ours to refuse; flags are non-zero."""
    raw = bytearray(range(35))
    raw[0:2] = HEADER
    raw[16:20] = b"\x02\x00\xff\x80"
    decoded = StatusFrame.decode(with_checksum(bytes(raw)))
    assert (decoded.heat_percent, decoded.fan_level, decoded.main_fan_level) == (10, 11, 12)
    assert (decoded.solenoid_open, decoded.drum_on, decoded.cooling_on, decoded.chaff_tray) == (
        True,
        False,
        True,
        True,
    )


# --- value errors ----------------------------------------------------------------------------

CONTROL_OK = {
    "heat_percent": 50,
    "fan_level": 0,
    "main_fan_level": 3,
    "solenoid_open": False,
    "drum_on": True,
    "cooling_on": False,
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("heat_percent", 101),
        ("heat_percent", -1),
        ("heat_percent", 255),
        ("heat_percent", 50.0),
        ("heat_percent", True),
        ("heat_percent", "50"),
        ("fan_level", 11),
        ("fan_level", -1),
        ("main_fan_level", 11),
        ("main_fan_level", 30),
        ("solenoid_open", 2),
        ("drum_on", -1),
        ("cooling_on", "yes"),
        ("cooling_on", None),
    ],
)
def test_control_encode_names_field_and_value(field: str, value: object) -> None:
    frame = ControlFrame(**{**CONTROL_OK, field: value})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=field) as info:
        frame.encode()
    assert repr(value) in str(info.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("heat_percent", 101),
        ("fan_level", 11),
        ("main_fan_level", -1),
        ("chaff_tray", 3),
        ("env_temp_c", -1),
        ("env_temp_c", 65536),
        ("bean_temp_c", 70000),
        ("bean_temp_c", 200.5),
    ],
)
def test_status_encode_names_field_and_value(field: str, value: object) -> None:
    frame = replace(EXAMPLE_STATUS_FIELDS, **{field: value})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=field) as info:
        frame.encode()
    assert repr(value) in str(info.value)


def test_flags_accept_the_ints_0_and_1() -> None:
    assert ControlFrame(50, 0, 3, 0, 1, 0).encode() == EXAMPLE_CONTROL  # type: ignore[arg-type]


# --- decode errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("decode", [ControlFrame.decode, StatusFrame.decode])
@pytest.mark.parametrize(
    ("frame", "words"),
    [
        (EXAMPLE_CONTROL[:35], ["length", "35", "36"]),
        (EXAMPLE_CONTROL + b"\x00", ["length", "37"]),
        (b"", ["length", "0"]),
        (corrupt(EXAMPLE_CONTROL, 0), ["header", "a6 96"]),
        (corrupt(EXAMPLE_CONTROL, 1), ["header", "a5 97"]),
        (corrupt(EXAMPLE_CONTROL, 35), ["checksum", "byte 35", "0xE8", "0xE7"]),
        (corrupt(EXAMPLE_CONTROL, 20), ["checksum", "0xE7", "0xE8"]),
    ],
)
def test_decode_refuses_malformed_frames(decode: object, frame: bytes, words: list[str]) -> None:
    assert callable(decode)
    with pytest.raises(FrameError) as info:
        decode(frame)
    for word in words:
        assert word in str(info.value)
    assert isinstance(info.value, RoasterError)
    assert info.value.code == "frame_error"


@pytest.mark.parametrize("index", [2, 3, 4, 5, 6])
def test_control_decode_checks_constant_bytes(index: int) -> None:
    frame = with_checksum(corrupt(EXAMPLE_CONTROL, index)[:35])
    with pytest.raises(FrameError, match="constant bytes 2-6"):
        ControlFrame.decode(frame)
    # The switch for an emulator that wants to be lenient about the unknown constants (§7.4).
    assert ControlFrame.decode(frame, strict_constants=False) == ControlFrame.decode(
        EXAMPLE_CONTROL
    )


def test_control_decode_refuses_a_status_frame() -> None:
    with pytest.raises(FrameError, match="constant"):
        ControlFrame.decode(EXAMPLE_STATUS)


@pytest.mark.parametrize(
    ("index", "value", "field"),
    [
        (10, 101, "heat_percent"),
        (11, 11, "fan_level"),
        (12, 255, "main_fan_level"),
        (16, 2, "solenoid_open"),
        (17, 0xA5, "drum_on"),
        (18, 7, "cooling_on"),
    ],
)
def test_control_decode_refuses_out_of_range_fields(index: int, value: int, field: str) -> None:
    raw = bytearray(EXAMPLE_CONTROL[:35])
    raw[index] = value
    with pytest.raises(FrameError) as info:
        ControlFrame.decode(with_checksum(bytes(raw)))
    message = str(info.value)
    assert field in message
    assert f"byte {index}" in message
    assert str(value) in message


def test_decode_accepts_bytearray_and_memoryview() -> None:
    assert StatusFrame.decode(bytearray(EXAMPLE_STATUS)) == EXAMPLE_STATUS_FIELDS
    assert ControlFrame.decode(memoryview(EXAMPLE_CONTROL)).main_fan_level == 3


# --- fan rounding ----------------------------------------------------------------------------


@pytest.mark.parametrize("percent", range(101))
def test_percent_to_fan_level_rounds_half_up(percent: int) -> None:
    expected = int((Decimal(percent) / 10).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert percent_to_fan_level(percent) == expected


@pytest.mark.parametrize(
    ("percent", "level"),
    [(0, 0), (4, 0), (5, 1), (14, 1), (15, 2), (25, 3), (35, 4), (45, 5), (94, 9), (95, 10)],
)
def test_fan_rounding_table(percent: int, level: int) -> None:
    """25 % is level 3, not 2 as Artisan's half-to-even round gives (issue #1293)."""
    assert percent_to_fan_level(percent) == level


@pytest.mark.parametrize("level", range(11))
def test_level_percent_level_identity(level: int) -> None:
    assert fan_level_to_percent(level) == level * 10
    assert percent_to_fan_level(fan_level_to_percent(level)) == level


@pytest.mark.parametrize("percent", [-1, 101, 1000, True, 25.0, "25", None])
def test_percent_to_fan_level_refuses(percent: object) -> None:
    with pytest.raises(ValueError, match="fan percent"):
        percent_to_fan_level(percent)  # type: ignore[arg-type]


@pytest.mark.parametrize("level", [-1, 11, 100, False, 3.0])
def test_fan_level_to_percent_refuses(level: object) -> None:
    with pytest.raises(ValueError, match="fan level"):
        fan_level_to_percent(level)  # type: ignore[arg-type]


# --- reader ----------------------------------------------------------------------------------

FRAME_A = EXAMPLE_STATUS
FRAME_B = status(bean_temp_c=199, env_temp_c=263, heat_percent=60)
FRAME_C = status(bean_temp_c=200, main_fan_level=10)


def test_reader_returns_one_frame() -> None:
    reader = FrameReader()
    assert reader.feed(FRAME_A) == [FRAME_A]
    assert (reader.frames, reader.bad_checksums, reader.discarded_bytes, reader.echoes) == (
        1,
        0,
        0,
        0,
    )
    assert reader.buffered == 0


def test_reader_byte_by_byte() -> None:
    reader = FrameReader()
    stream = FRAME_A + FRAME_B
    found = [frame for i in range(len(stream)) for frame in reader.feed(stream[i : i + 1])]
    assert found == [FRAME_A, FRAME_B]


def test_reader_skips_garbage_before_and_between_frames() -> None:
    garbage_1 = b"\x00\x01\xa5\x00\x96\xa5\xa5"
    garbage_2 = b"\xff" * 10 + b"\xa5"
    reader = FrameReader()
    stream = garbage_1 + FRAME_A + garbage_2 + FRAME_B + b"\x96\x00"
    assert reader.feed(stream) == [FRAME_A, FRAME_B]
    assert reader.discarded_bytes == len(garbage_1) + len(garbage_2) + 2
    assert reader.bad_checksums == 0
    assert_accounted(reader, len(stream))


def test_reader_skips_bad_checksum_and_finds_the_next_frame() -> None:
    reader = FrameReader()
    stream = FRAME_A + corrupt(FRAME_B, 30) + FRAME_C
    assert reader.feed(stream) == [FRAME_A, FRAME_C]
    assert reader.bad_checksums == 1
    assert reader.discarded_bytes == FRAME_LENGTH
    assert_accounted(reader, len(stream))


@pytest.mark.parametrize("length", range(2, FRAME_LENGTH))
def test_reader_advances_one_byte_after_a_truncated_frame(length: int) -> None:
    """A cut-off frame right before a good one: skipping 36 bytes would lose the good one."""
    reader = FrameReader()
    stream = FRAME_B[:length] + FRAME_A + FRAME_C
    assert reader.feed(stream) == [FRAME_A, FRAME_C]
    assert reader.bad_checksums >= 1
    assert_accounted(reader, len(stream))


@pytest.mark.parametrize("split", range(2 * FRAME_LENGTH + 1))
def test_reader_split_at_every_position(split: int) -> None:
    stream = FRAME_A + FRAME_B
    reader = FrameReader()
    first = reader.feed(stream[:split])
    second = reader.feed(stream[split:])
    assert first + second == [FRAME_A, FRAME_B]
    assert first == [FRAME_A][: split // FRAME_LENGTH] + ([FRAME_B] if split == 72 else [])
    assert reader.buffered == 0


def test_reader_returns_many_merged_frames_in_order() -> None:
    """A stale input buffer: a burst of frames in one read, the newest last."""
    frames = [status(bean_temp_c=100 + i, env_temp_c=i * 7) for i in range(100)]
    reader = FrameReader(max_buffer=1 << 16)
    assert reader.feed(b"".join(frames)) == frames
    assert reader.frames == 100


def _frame_with_inner_headers() -> bytes:
    """ET = 0xA596, BT = 00 A5 and byte 27 = 0x96 (an unknown byte), checksum 0xA5."""
    raw = bytearray(EXAMPLE_STATUS[:35])
    raw[23:28] = b"\xa5\x96\x00\xa5\x96"
    raw[30] = 0
    raw[30] = (0xA5 - sum(raw)) & 0xFF  # steer the checksum to A5 too
    frame = with_checksum(bytes(raw))
    assert frame[35] == 0xA5
    assert frame.count(HEADER) == 3
    return frame


def test_reader_handles_a5_96_inside_payload_and_checksum() -> None:
    tricky = _frame_with_inner_headers()
    following = b"\x96" + bytes(5)  # the checksum A5 followed by 96 must not start a frame
    reader = FrameReader()
    stream = tricky + FRAME_A + tricky + following + FRAME_B
    assert reader.feed(stream) == [tricky, FRAME_A, tricky, FRAME_B]
    assert reader.bad_checksums == 0
    assert_accounted(reader, len(stream))


@pytest.mark.parametrize("cut", range(1, FRAME_LENGTH))
def test_reader_opened_mid_frame_resyncs(cut: int) -> None:
    """The port opens in the middle of a frame whose payload holds A5 96."""
    tricky = _frame_with_inner_headers()
    reader = FrameReader()
    assert reader.feed(tricky[cut:] + FRAME_A + tricky + FRAME_B) == [FRAME_A, tricky, FRAME_B]


@given(st.sampled_from([0x00A5, 0xA596, 0x96A5]), st.sampled_from([0x00A5, 0xA596, 0xA5A5]))
def test_reader_handles_a5_96_in_temperatures(env: int, bean: int) -> None:
    frame = status(env_temp_c=env, bean_temp_c=bean)
    reader = FrameReader()
    assert reader.feed(FRAME_A + frame + frame + FRAME_B) == [FRAME_A, frame, frame, FRAME_B]


def test_reader_skips_control_echoes() -> None:
    echo = EXAMPLE_CONTROL
    reader = FrameReader()
    stream = echo + FRAME_A + echo + echo + FRAME_B
    assert reader.feed(stream) == [FRAME_A, FRAME_B]
    assert reader.echoes == 3
    assert reader.frames == 2
    assert reader.discarded_bytes == 0
    assert_accounted(reader, len(stream))


def test_reader_keeps_control_frames_when_echo_skip_is_off() -> None:
    """The emulator reads control frames with the same reader."""
    reader = FrameReader(skip_control_echo=False)
    assert reader.feed(FRAME_A + EXAMPLE_CONTROL) == [FRAME_A, EXAMPLE_CONTROL]
    assert reader.echoes == 0
    assert reader.frames == 2


def test_reader_bounds_memory_under_a_long_garbage_stream() -> None:
    reader = FrameReader(max_buffer=256)
    garbage = bytes(range(256)).replace(b"\xa5", b"") * 40  # no header anywhere
    fed = 0
    for start in range(0, len(garbage), 100):
        assert reader.feed(garbage[start : start + 100]) == []
        fed += len(garbage[start : start + 100])
        assert reader.buffered <= 1
    assert reader.discarded_bytes == fed
    assert reader.feed(garbage) == []  # one feed far larger than max_buffer
    assert reader.buffered <= 1
    assert reader.feed(FRAME_A) == [FRAME_A]
    assert_accounted(reader, 2 * fed + FRAME_LENGTH)


def test_reader_bounds_memory_under_header_like_garbage() -> None:
    reader = FrameReader(max_buffer=256)
    junk = b"\xa5\x96" * 5000
    for start in range(0, len(junk), 333):
        reader.feed(junk[start : start + 333])
        assert reader.buffered < FRAME_LENGTH
    assert reader.frames == 0
    assert reader.bad_checksums > 0
    assert_accounted(reader, len(junk))


def test_reader_keeps_the_newest_bytes_of_an_oversized_backlog() -> None:
    frames = [status(bean_temp_c=150 + i) for i in range(200)]
    reader = FrameReader(max_buffer=4096)
    found = reader.feed(b"".join(frames))
    assert found == frames[-(4096 // FRAME_LENGTH) :]
    assert reader.discarded_bytes == 200 * FRAME_LENGTH - 4096 + 4096 % FRAME_LENGTH
    assert_accounted(reader, 200 * FRAME_LENGTH)


@pytest.mark.parametrize("max_buffer", [0, 35, -1])
def test_reader_refuses_a_buffer_smaller_than_a_frame(max_buffer: int) -> None:
    with pytest.raises(ValueError, match="max_buffer"):
        FrameReader(max_buffer=max_buffer)


def test_reader_reset() -> None:
    reader = FrameReader()
    reader.feed(b"\x00" + FRAME_A + corrupt(FRAME_B, 3) + FRAME_C[:20])
    assert reader.buffered == 20
    reader.reset()
    assert (reader.frames, reader.bad_checksums, reader.discarded_bytes, reader.echoes) == (
        0,
        0,
        0,
        0,
    )
    assert reader.buffered == 0
    assert reader.feed(FRAME_C[20:]) == []  # the old half is gone
    assert reader.feed(FRAME_B) == [FRAME_B]


def test_reader_accepts_bytearray_and_memoryview() -> None:
    reader = FrameReader()
    assert reader.feed(bytearray(FRAME_A)) == [FRAME_A]
    assert reader.feed(memoryview(FRAME_B)) == [FRAME_B]
    assert all(type(frame) is bytes for frame in reader.feed(FRAME_C))


# --- reader properties -----------------------------------------------------------------------


@given(st.binary(max_size=600), st.data())
def test_reader_never_returns_an_invalid_frame_from_random_bytes(
    stream: bytes, data: st.DataObject
) -> None:
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=12))
    reader = FrameReader()
    found = feed_in_chunks(reader, stream, cuts)
    for frame in found:
        assert is_valid(frame)
        assert not frame.startswith(CONTROL_PREFIX)
        StatusFrame.decode(frame)
    assert_accounted(reader, len(stream))
    assert reader.buffered < FRAME_LENGTH
    # Chunking does not change what is found.
    assert FrameReader().feed(stream) == found


# A stream of segments: valid frames, garbage, damaged copies of valid frames.
garbage_without_a5 = st.binary(max_size=50).map(lambda b: b.replace(b"\xa5", b"\x00"))
any_garbage = st.one_of(
    st.binary(max_size=50),
    st.lists(st.sampled_from([b"\xa5", b"\x96", b"\xa5\x96", b"\x00"]), max_size=20).map(b"".join),
)


@st.composite
def damaged_copies(draw: st.DrawFn, frames: st.SearchStrategy[StatusFrame]) -> bytes:
    """A valid frame with one byte changed (header bytes included), possibly truncated."""
    encoded = draw(frames).encode()
    damaged = corrupt(encoded, draw(st.integers(0, 35)), draw(st.integers(1, 255)))
    return damaged[: draw(st.integers(1, FRAME_LENGTH))]


@given(
    st.lists(
        st.one_of(
            status_frames.map(lambda frame: ("frame", frame.encode())),
            garbage_without_a5.map(lambda b: ("garbage", b)),
            damaged_copies(status_frames).map(lambda b: ("damaged", b)),
        ),
        max_size=12,
    ),
    st.data(),
)
def test_reader_recovers_every_frame_with_clean_boundaries(
    segments: list[tuple[str, bytes]], data: st.DataObject
) -> None:
    """Every valid frame comes out, in order, when nothing outside them can fake a header.

    A header outside a valid frame (in a damaged copy past its first byte, or across segment
    boundaries) starts a candidate that may overlap the next valid frame and pass the 8-bit
    checksum by chance (1 in 256), so such streams are excluded here and covered by the weaker
    property below.
    """
    stream = b"".join(part for _, part in segments)
    frame_starts: set[int] = set()
    allowed_headers: set[int] = set()
    inside_frames: set[int] = set()
    offset = 0
    for kind, part in segments:
        if kind == "frame":
            frame_starts.add(offset)
            inside_frames.update(range(offset, offset + FRAME_LENGTH - 1))
        elif kind == "damaged":
            allowed_headers.add(offset)
        offset += len(part)
    headers = {i for i in range(len(stream) - 1) if stream[i : i + 2] == HEADER}
    # Headers only where a frame starts, inside a frame (skipped once the reader is aligned on
    # it), or at a damaged copy's start. A damaged copy's candidate may read into the next
    # segments (when it is cut short): keep only streams where it fails, as it almost always does.
    # The reader then steps one byte and the next header it can find is the next segment's.
    assume(headers <= frame_starts | allowed_headers | inside_frames)
    for start in allowed_headers & headers:
        assume(not is_valid(stream[start : start + FRAME_LENGTH]))
    expected = [part for kind, part in segments if kind == "frame"]
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=12))
    reader = FrameReader()
    assert feed_in_chunks(reader, stream, cuts) == expected
    assert reader.frames == len(expected)
    assert_accounted(reader, len(stream))


@given(
    st.lists(
        st.one_of(
            status_frames.map(lambda frame: frame.encode()),
            control_frames.map(lambda frame: frame.encode()),
            any_garbage,
            damaged_copies(status_frames),
        ),
        max_size=15,
    ),
    st.data(),
    st.booleans(),
)
def test_reader_survives_any_interleaving(
    segments: list[bytes], data: st.DataObject, skip_echo: bool
) -> None:
    stream = b"".join(segments)
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=12))
    reader = FrameReader(skip_control_echo=skip_echo)
    found = feed_in_chunks(reader, stream, cuts)
    for frame in found:
        assert is_valid(frame)
        assert skip_echo is False or not frame.startswith(CONTROL_PREFIX)
        StatusFrame.decode(frame)  # lenient on values: any checksum-valid frame decodes
    assert_accounted(reader, len(stream))
    assert reader.buffered < FRAME_LENGTH
    assert FrameReader(skip_control_echo=skip_echo).feed(stream) == found
