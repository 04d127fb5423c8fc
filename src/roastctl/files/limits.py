"""How much roastctl reads from a file it is given, and what an imported roast may hold.

Roast logs (Artisan ``.alog``, JSON and CSV, other loggers' logs) and the config file come from
users and other programs. A file beyond these limits is refused before or while it is parsed,
with an error naming the file, the value and the limit, so that one odd file can neither take
the memory the safety supervisor runs in nor put into the store what the live path refuses.
Every limit is declared here, once; ``docs/storage.md`` and ``docs/configuration.md`` quote them.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

from roastctl.controls import ROAST_MASS_MAX_G, ROAST_TEXT_MAX_CHARS
from roastctl.errors import RoastFileError

#: Largest roast log read: a two-hour roast at Artisan's fastest sampling is under 5 MiB.
MAX_ROAST_FILE_BYTES = 32 * 1024 * 1024
#: Largest config file read: a full roastctl.toml is about 2 KiB.
MAX_CONFIG_FILE_BYTES = 1024 * 1024
#: Most samples in one roast log: 5.5 hours at one sample every 0.1 s.
MAX_SAMPLES = 200_000


@dataclass(frozen=True, slots=True)
class LiteralLimits:
    """Bounds on one parsed Python or JSON literal (see :mod:`roastctl.logs.literal`)."""

    #: Containers inside containers: an Artisan profile needs 4.
    max_depth: int = 32
    #: Items in one list, tuple or dict: one per sample at most.
    max_items: int = MAX_SAMPLES
    #: Values in the whole literal: 24 channels of :data:`MAX_SAMPLES` samples.
    max_values: int = 24 * MAX_SAMPLES
    #: Characters in one string: Artisan's longest (notes) are a few KiB.
    max_string_chars: int = 100_000
    #: Characters in one number: a double needs 24; more digits than this are not a reading.
    max_number_chars: int = 64


#: The limits of a roast log.
ROAST_LOG_LIMITS = LiteralLimits()

#: What an imported roast may hold: the live path's limits (``set_roast_info``) for its text and
#: weights, and plausible bounds for what the live path measures itself.
IMPORT_TEXT_MAX_CHARS = ROAST_TEXT_MAX_CHARS
IMPORT_MASS_MAX_G = ROAST_MASS_MAX_G
#: An Artisan roastUUID is 32 hex digits; 64 characters allows any UUID spelling.
IMPORT_UUID_MAX_CHARS = 64
#: Sample times (Artisan's timex): seconds since the recording started, up to a day.
IMPORT_TIME_RANGE_S = (0.0, 86_400.0)
#: Readings (deg C after conversion): from absolute zero to beyond what any sensor interface
#: reports (a Hottop's wire carries up to 65535). A sensor's glitch (Artisan logs hold 2046 deg C)
#: is kept as it was recorded; 1e300 is no reading and is refused.
IMPORT_TEMPERATURE_RANGE_C = (-273.15, 100_000.0)
#: Heater and fan channels: percentages, with room for the offsets and glitches real logs hold
#: (a fan at -10 %); beyond this a value is no percentage and is refused.
IMPORT_PERCENT_RANGE = (-1000.0, 1000.0)
#: roastepoch: 1970-01-01 to 2100-01-01 (UTC).
IMPORT_EPOCH_RANGE_S = (0, 4_102_444_800)
#: roasttzoffset: seconds west of UTC; real zones span -14 h to +12 h.
IMPORT_TZ_OFFSET_RANGE_S = (-86_400, 86_400)
#: An imported Artisan profile is kept whole (as JSON, for a lossless export); JSON can spell a
#: file's text a little longer (escapes), so twice the largest roast log.
IMPORT_KEPT_PROFILE_MAX_CHARS = 2 * MAX_ROAST_FILE_BYTES


class FileLimitError(RoastFileError):
    """A file is not one roastctl reads: too large, or not a regular file."""

    code = "file_limit"


def check_readable_file(path: Path, max_bytes: int, what: str) -> int:
    """Return the size of ``path`` if it is a regular file within ``max_bytes``.

    Raises :class:`FileLimitError` naming the file, its size and the limit (or what it is
    instead of a file), and :class:`OSError` if it cannot be looked at.
    """
    info = path.stat()
    if stat.S_ISDIR(info.st_mode):
        raise FileLimitError(f"{path} is a directory; give the path of a {what} file")
    if not stat.S_ISREG(info.st_mode):
        raise FileLimitError(
            f"{path} is not a regular file (a device, pipe or socket); give the path of a {what} "
            "file"
        )
    if info.st_size > max_bytes:
        raise FileLimitError(
            f"{path} is {info.st_size:,} bytes, more than the {max_bytes:,} bytes a {what} may "
            "have; it is refused unread. Check that it is the right file"
        )
    return info.st_size


def read_text_within(
    path: Path, max_bytes: int, what: str, *, encoding: str = "utf-8", errors: str = "strict"
) -> str:
    """Read ``path`` as text (UTF-8 unless told) after :func:`check_readable_file`.

    Never more than ``max_bytes`` are read: a file that grows between the check and the read is
    refused too.
    """
    check_readable_file(path, max_bytes, what)
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileLimitError(
            f"{path} grew beyond the {max_bytes:,} bytes a {what} may have while it was read"
        )
    return data.decode(encoding, errors=errors)


__all__ = [
    "IMPORT_EPOCH_RANGE_S",
    "IMPORT_KEPT_PROFILE_MAX_CHARS",
    "IMPORT_MASS_MAX_G",
    "IMPORT_PERCENT_RANGE",
    "IMPORT_TEMPERATURE_RANGE_C",
    "IMPORT_TEXT_MAX_CHARS",
    "IMPORT_TIME_RANGE_S",
    "IMPORT_TZ_OFFSET_RANGE_S",
    "IMPORT_UUID_MAX_CHARS",
    "MAX_CONFIG_FILE_BYTES",
    "MAX_ROAST_FILE_BYTES",
    "MAX_SAMPLES",
    "ROAST_LOG_LIMITS",
    "FileLimitError",
    "LiteralLimits",
    "check_readable_file",
    "read_text_within",
]
