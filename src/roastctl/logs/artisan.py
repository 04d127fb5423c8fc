"""Reading Artisan profiles (``.alog`` and Artisan JSON): the one parser of their text and fields.

An ``.alog`` file is the ``repr()`` of a Python dict (Artisan also accepts JSON): its text is
parsed by :func:`parse_profile`, which uses :func:`~roastctl.logs.literal.parse_mapping` within
:mod:`roastctl.files.limits` and never ``eval``. :func:`read_curves` then takes from the dict
what every reader needs: ``timex`` is seconds since recording started, ``temp1`` is ET,
``temp2`` is BT, ``-1`` marks a missing reading, temperatures are converted to deg C whatever the
file's ``mode``, the heater and fan come from the Hottop extra device (else from the first
extra channels named Heater and Fan), and ``timeindex`` holds sample indices of [CHARGE, DRY,
FCs, FCe, SCs, SCe, DROP, COOL] with -1 (CHARGE) or 0 (others) for "not set".

Two readers build on it: :func:`recorded_from_profile` (a
:class:`~roastctl.logs.record.RecordedRoast`, for analysis, the twin and replays) and
:func:`roastctl.logs.artisan_import.record_from_profile` (a kept
:class:`~roastctl.logs.record.RoastRecord`, held to the import limits). Files are opened by
:mod:`roastctl.logs.load`.
"""

from __future__ import annotations

import codecs
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roastctl.logs.file_errors import AlogError
from roastctl.logs.literal import LiteralError, parse_mapping
from roastctl.logs.record import RecordedRoast
from roastctl.logs.values import (
    fahrenheit_to_celsius,
    finite_float,
    grams,
    is_integral,
    is_number,
    shown,
)
from roastctl.models import RoastEventType

#: Slots of Artisan's ``timeindex`` that map to our events: all eight marks.
TIMEINDEX_SLOTS: dict[int, RoastEventType] = {
    0: RoastEventType.CHARGE,
    1: RoastEventType.DRY_END,
    2: RoastEventType.FIRST_CRACK_START,
    3: RoastEventType.FIRST_CRACK_END,
    4: RoastEventType.SECOND_CRACK_START,
    5: RoastEventType.SECOND_CRACK_END,
    6: RoastEventType.DROP,
    7: RoastEventType.COOL,
}
#: Artisan's device id of the Hottop heater/fan channels (extratemp1 = heater %, 2 = fan %).
HOTTOP_HEATER_FAN_DEVICE = 54
#: Artisan's mark for "no reading".
MISSING_READING = -1.0

_VERSION = re.compile(r"\s*(\d+)\.")


# --- text ---------------------------------------------------------------------------------------


def parse_profile(text: str, path: Path | str | None = None) -> dict[str, Any]:
    """Parse ``.alog`` text (a Python dict literal, or JSON) into a dict.

    Never ``eval``: raises :class:`AlogError` (naming ``path`` when given) if the text is not a
    dict literal or is beyond the limits of a roast log
    (:data:`~roastctl.files.limits.ROAST_LOG_LIMITS`).
    """
    where = f"{path}: " if path is not None else ""
    try:
        return parse_mapping(text)
    except LiteralError as exc:
        raise AlogError(f"{where}neither a Python dict literal nor JSON: {exc}") from exc


def encode_local(text: str) -> str:
    """Escape ``text`` as Artisan's ``encodeLocal`` does (non-ASCII and newlines as escapes)."""
    return text.encode("unicode_escape").decode("ascii")


def decode_local(text: str) -> str:
    """Undo :func:`encode_local`; text that is not escaped ASCII is returned unchanged."""
    if not text.isascii():
        # Artisan never writes raw non-ASCII; unescaping it would misread UTF-8 as Latin-1.
        return text
    try:
        return codecs.unicode_escape_decode(text)[0]
    except UnicodeDecodeError:
        return text


def normalise_uuid(text: str) -> str:
    """Artisan's form of a UUID (32 hex digits, no dashes); other text is kept as it is."""
    try:
        return uuid.UUID(text).hex
    except ValueError:
        return text


# --- fields -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArtisanCurves:
    """What every reader takes from a profile: the samples, the heater and fan, and the marks."""

    times: list[float]
    bean_temps: list[float | None]
    env_temps: list[float | None]
    #: Heater and fan percentages as recorded; ``None`` when the profile has no such channel.
    heater_percent: list[float | None] | None
    fan_percent: list[float | None] | None
    #: Where the heater and fan came from, as the file spells it (e.g. ``extratemp1[0]``).
    heater_field: str | None
    fan_field: str | None
    marks: dict[RoastEventType, int]
    #: The file's unit, "C" or "F".
    mode: str


def read_curves(profile: Mapping[str, Any]) -> ArtisanCurves:
    """Return the samples, channels and marks of ``profile``; :class:`AlogError` if it has none.

    Refused: no ``timex`` or an empty one, a time that is not a finite number, a ``mode`` other
    than C or F, and a ``temp2`` (BT) of another length than ``timex``. A ``temp1`` (ET) or an
    extra channel of the wrong length is read as absent.
    """
    times = _times(profile)
    to_celsius = profile_mode(profile) == "F"
    count = len(times)
    bean = _temperatures(profile, "temp2", count, to_celsius)
    if bean is None:
        values = profile.get("temp2")
        found = len(values) if isinstance(values, list) else "no"
        raise AlogError(f"'temp2' has {found} values for {count} times")
    env = _temperatures(profile, "temp1", count, to_celsius) or [None] * count
    heater_at, fan_at = _heater_and_fan_fields(profile)
    heater = _channel(profile, heater_at, count) if heater_at else None
    fan = _channel(profile, fan_at, count) if fan_at else None
    return ArtisanCurves(
        times=times,
        bean_temps=bean,
        env_temps=env,
        heater_percent=heater,
        fan_percent=fan,
        heater_field=_field_name(heater_at, heater),
        fan_field=_field_name(fan_at, fan),
        marks=_marks(profile, count),
        mode="F" if to_celsius else "C",
    )


def profile_mode(profile: Mapping[str, Any]) -> str:
    """Return the file's unit, "C" (the default) or "F"; :class:`AlogError` otherwise."""
    mode = profile.get("mode", "C")
    if mode not in ("C", "F"):
        raise AlogError(f"mode {shown(mode)} is neither 'C' nor 'F'")
    return str(mode)


def profile_weights(profile: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """Return the green and roasted weights in grams, from ``weight`` = [in, out, unit].

    ``None`` where a weight is 0 (Artisan's "not weighed"), no number, or in an unknown unit.
    Not range-checked: a huge weight gives a huge (or infinite) number.
    """
    weight = profile.get("weight")
    if not isinstance(weight, list) or len(weight) < 3 or not isinstance(weight[2], str):
        return None, None
    unit = weight[2]

    def in_grams(value: object) -> float | None:
        return None if value == 0 else grams(value, unit)

    return in_grams(weight[0]), in_grams(weight[1])


def profile_interval(profile: Mapping[str, Any]) -> float | None:
    """Return the stated sampling interval in seconds, when it is a positive number."""
    interval = profile.get("samplinginterval")
    return float(interval) if is_number(interval) and interval > 0 else None


def profile_text(profile: Mapping[str, Any], key: str) -> str:
    """Return a text field, unescaped (see :func:`decode_local`); empty if absent or no text."""
    value = profile.get(key)
    return decode_local(value) if isinstance(value, str) else ""


def profile_computed(profile: Mapping[str, Any]) -> dict[str, Any]:
    """Return Artisan's own ``computed`` block (in the file's unit); empty when there is none."""
    computed = profile.get("computed")
    return dict(computed) if isinstance(computed, dict) else {}


def profile_major_version(profile: Mapping[str, Any]) -> int | None:
    """Return the major version of the Artisan that wrote the profile, if it says."""
    version = profile.get("version")
    match = _VERSION.match(version) if isinstance(version, str) else None
    return int(match.group(1)) if match else None


def recorded_from_profile(profile: Mapping[str, Any]) -> RecordedRoast:
    """Read ``profile`` as a recorded log (deg C); raises :class:`AlogError` if it has no samples.

    The batch mass is the green weight when it is a plausible positive number; the DRY
    threshold is ``phases[1]``.
    """
    curves = read_curves(profile)
    green_g, _ = profile_weights(profile)
    phases = profile.get("phases")
    dry_end = (
        _temperature(phases[1], curves.mode == "F")
        if isinstance(phases, list) and len(phases) > 1
        else None
    )
    return RecordedRoast(
        times=curves.times,
        bean_temps=curves.bean_temps,
        env_temps=curves.env_temps,
        marks=curves.marks,
        heater_percent=curves.heater_percent,
        fan_percent=curves.fan_percent,
        sampling_interval_s=profile_interval(profile),
        source_mode=curves.mode,
        computed=profile_computed(profile),
        title=profile_text(profile, "title"),
        batch_mass_g=green_g if green_g is not None and 0 < green_g < math.inf else None,
        dry_end_temp_c=dry_end,
        artisan_major=profile_major_version(profile),
    )


def _times(profile: Mapping[str, Any]) -> list[float]:
    times = profile.get("timex")
    if not isinstance(times, list):
        raise AlogError("'timex' is missing or not a list: the file holds no samples")
    if not times:
        raise AlogError("no samples ('timex' is empty)")
    for position, value in enumerate(times):
        if not is_number(value):
            raise AlogError(f"timex[{position}] = {shown(value)} is not a finite number")
    return [float(value) for value in times]


def _temperature(value: object, to_celsius: bool) -> float | None:
    number = finite_float(value)
    if number is None or number == MISSING_READING:
        return None
    return fahrenheit_to_celsius(number) if to_celsius else number


def _temperatures(
    profile: Mapping[str, Any], key: str, count: int, to_celsius: bool
) -> list[float | None] | None:
    values = profile.get(key)
    if not isinstance(values, list) or len(values) != count:
        return None  # e.g. BT-only loggers write no ET
    return [_temperature(value, to_celsius) for value in values]


def _field_name(at: tuple[str, int] | None, channel: list[float | None] | None) -> str | None:
    """``extratemp1[0]`` for a channel that was read, else ``None``."""
    return f"{at[0]}[{at[1]}]" if at is not None and channel is not None else None


def _channel(
    profile: Mapping[str, Any], at: tuple[str, int], count: int
) -> list[float | None] | None:
    key, device = at
    channels = profile.get(key)
    if not isinstance(channels, list) or device >= len(channels):
        return None
    channel = channels[device]
    if not isinstance(channel, list) or len(channel) != count:
        return None
    return [_temperature(value, False) for value in channel]


def _channel_name(name: object, etypes: Sequence[str]) -> str:
    """Return a channel name, lower case, with Artisan's ``{n}`` event type references filled in."""
    if not isinstance(name, str):
        return ""

    def etype(match: re.Match[str]) -> str:
        position = int(match.group(1))
        return etypes[position] if position < len(etypes) else match.group(0)

    return re.sub(r"\{(\d+)\}", etype, decode_local(name)).strip().lower()


def _find_channel(profile: Mapping[str, Any], wanted: str) -> tuple[str, int] | None:
    """(extratemp key, device position) of the first extra channel named ``wanted``."""
    etypes = [decode_local(e) for e in profile.get("etypes", []) if isinstance(e, str)]
    devices = profile.get("extradevices")
    for position in range(len(devices) if isinstance(devices, list) else 0):
        for number in (1, 2):
            names = profile.get(f"extraname{number}")
            if (
                isinstance(names, list)
                and position < len(names)
                and _channel_name(names[position], etypes) == wanted
            ):
                return f"extratemp{number}", position
    return None


def _heater_and_fan_fields(
    profile: Mapping[str, Any],
) -> tuple[tuple[str, int] | None, tuple[str, int] | None]:
    """Where the heater and fan are: the Hottop device, else the channels so named."""
    devices = profile.get("extradevices")
    if isinstance(devices, list) and HOTTOP_HEATER_FAN_DEVICE in devices:
        position = devices.index(HOTTOP_HEATER_FAN_DEVICE)
        return ("extratemp1", position), ("extratemp2", position)
    return _find_channel(profile, "heater"), _find_channel(profile, "fan")


def _marks(profile: Mapping[str, Any], count: int) -> dict[RoastEventType, int]:
    timeindex = profile.get("timeindex")
    if not isinstance(timeindex, list):
        return {}
    marks: dict[RoastEventType, int] = {}
    for slot, kind in TIMEINDEX_SLOTS.items():
        index = timeindex[slot] if slot < len(timeindex) else None
        if not is_integral(index):
            continue
        index = int(index)
        unset = index < 0 if slot == 0 else index <= 0
        if not unset and index < count:
            marks[kind] = index
    return marks


__all__ = [
    "HOTTOP_HEATER_FAN_DEVICE",
    "MISSING_READING",
    "TIMEINDEX_SLOTS",
    "ArtisanCurves",
    "decode_local",
    "encode_local",
    "normalise_uuid",
    "parse_profile",
    "profile_computed",
    "profile_interval",
    "profile_major_version",
    "profile_mode",
    "profile_text",
    "profile_weights",
    "read_curves",
    "recorded_from_profile",
]
