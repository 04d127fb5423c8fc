"""Opening a roast file: the one entry point for every format roastctl reads.

Every command that takes a roast file (``analyze``, ``plot``, ``import``, ``twin-check``,
``calibrate``) and the replay roaster (``driver = "replay"``) open it here. The formats, told
apart by content (the suffix only decides for ``.alog`` and ``.klog`` and names the error of a
file that is none of them):

* **Artisan profile**: ``.alog`` (a Python dict literal) or Artisan JSON (an object with
  ``timex``), roastctl's own exports included (:mod:`roastctl.logs.artisan`);
* **Artisan CSV export**: a ``Date:``/``Unit:`` header row (:mod:`roastctl.logs.artisan_csv`);
* **Aillio RoasTime JSON**: an object with ``beanTemperature``
  (:mod:`roastctl.logs.aillio_roastime`);
* **split-key-roast log**: an object with ``events`` (:mod:`roastctl.logs.splitkey`);
* **Kaffelogic log**: a ``time``-tab table (:mod:`roastctl.logs.kaffelogic`).

One policy for all of them: a file is read once, only if it is a regular file within
:data:`~roastctl.files.limits.MAX_ROAST_FILE_BYTES`, as UTF-8 (a byte-order mark skipped,
undecodable bytes replaced); ``.alog`` and JSON text goes through the one literal parser within
:data:`~roastctl.files.limits.ROAST_LOG_LIMITS`. A file that cannot be read raises a
:class:`~roastctl.errors.RoastFileError` (the member of :mod:`roastctl.logs.file_errors` for
its format) naming the file, the problem and what to do.

Two readings of a file:

* :func:`load_recorded_roast`: its channels as read (a
  :class:`~roastctl.logs.record.RecordedRoast`), for analysis, the twin and replays;
* :func:`load_roast_record`: a kept roast (a :class:`~roastctl.logs.record.RoastRecord`), for
  ``import`` and ``plot``: an Artisan profile keeps its metadata (bean, weights, notes, start),
  other formats their samples and marks; either is held to the import limits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from roastctl.errors import RoastFileError
from roastctl.files.limits import MAX_ROAST_FILE_BYTES, read_text_within
from roastctl.logs.aillio_roastime import is_roastime, recorded_from_roastime
from roastctl.logs.artisan import parse_profile, recorded_from_profile
from roastctl.logs.artisan_csv import looks_like_artisan_csv, recorded_from_csv
from roastctl.logs.artisan_import import record_from_profile
from roastctl.logs.file_errors import AlogError, ArtisanCsvError, ImportLimitError, RoastLogError
from roastctl.logs.import_checks import check_record
from roastctl.logs.kaffelogic import looks_like_klog, recorded_from_klog
from roastctl.logs.literal import LiteralError, parse_mapping
from roastctl.logs.record import RecordedRoast, RoastRecord, record_from_recorded
from roastctl.logs.splitkey import is_splitkey, recorded_from_splitkey

#: File name endings of the roast logs :func:`find_roast_logs` lists.
ROAST_LOG_SUFFIXES: frozenset[str] = frozenset({".alog", ".json", ".log", ".klog", ".csv"})

_Result = TypeVar("_Result")


class RoastFileFormat(StrEnum):
    """The formats :func:`load_recorded_roast` and :func:`load_roast_record` read."""

    ARTISAN = "Artisan profile"
    ARTISAN_CSV = "Artisan CSV export"
    ROASTIME = "Aillio RoasTime roast"
    SPLITKEY = "split-key-roast log"
    KAFFELOGIC = "Kaffelogic log"


#: The roaster a log of each format comes from, as kept with an imported roast: it decides which
#: roasts count as the same roaster's (the forecast's first-crack BT). An Artisan CSV export does
#: not say which roaster made it ("": unknown); an Artisan profile gives its own roastertype.
ROASTER_BY_FORMAT: dict[RoastFileFormat, str] = {
    RoastFileFormat.ARTISAN_CSV: "",
    RoastFileFormat.ROASTIME: "Aillio Bullet R1",
    RoastFileFormat.SPLITKEY: "Hottop KN-8828B-2K+",
    RoastFileFormat.KAFFELOGIC: "Kaffelogic Nano 7",
}

#: The error each format's reader raises.
_FORMAT_ERRORS: dict[RoastFileFormat, type[RoastFileError]] = {
    RoastFileFormat.ARTISAN: AlogError,
    RoastFileFormat.ARTISAN_CSV: ArtisanCsvError,
    RoastFileFormat.ROASTIME: RoastLogError,
    RoastFileFormat.SPLITKEY: RoastLogError,
    RoastFileFormat.KAFFELOGIC: RoastLogError,
}


@dataclass(frozen=True, slots=True)
class _OpenedFile:
    """A roast file read and recognised, not yet interpreted."""

    path: Path
    format: RoastFileFormat
    text: str
    #: The parsed object of an Artisan profile, a RoasTime roast or a split-key-roast log.
    data: Mapping[str, Any]
    #: The file's modification time: the start of a recording that states none.
    modified: datetime


def load_recorded_roast(path: Path | str) -> RecordedRoast:
    """Read any roast file roastctl understands as a recorded log (its channels as read).

    Raises:
        RoastFileError: the file cannot be read, is of no known format, or is broken; the
            message names the file.

    """
    opened = _open(Path(path))
    return _interpreted(opened, lambda: _recorded(opened))


def load_roast_record(path: Path | str) -> RoastRecord:
    """Read any roast file roastctl understands as a kept roast, within the import limits.

    An Artisan profile keeps its metadata (bean, weights, notes, roastUUID, start time); any
    other format gives its samples and marks, titled by the file's name and started at its
    modification time.

    Raises:
        RoastFileError: the file cannot be read, is of no known format, is broken, or holds a
            value beyond what the live path accepts (nothing is imported then); the message
            names the file.

    """
    opened = _open(Path(path))
    if opened.format is RoastFileFormat.ARTISAN:
        return _interpreted(opened, lambda: record_from_profile(opened.data, opened.modified))
    recorded = _interpreted(opened, lambda: _recorded(opened))
    started = recorded.started_utc or opened.modified
    record = record_from_recorded(
        recorded,
        title=opened.path.stem,
        started_utc=started,
        roaster=ROASTER_BY_FORMAT[opened.format],
    )
    try:
        return check_record(record)
    except ImportLimitError as exc:
        raise ImportLimitError(f"{opened.path}: {exc}. Nothing was imported") from exc


def is_roast_log(path: Path | str) -> bool:
    """Return whether ``path`` is a file whose suffix is one of :data:`ROAST_LOG_SUFFIXES`.

    This looks at the name only; the loaders check the content.
    """
    candidate = Path(path)
    return candidate.suffix.lower() in ROAST_LOG_SUFFIXES and candidate.is_file()


def find_roast_logs(folder: Path | str) -> list[Path]:
    """Return the candidate roast logs directly inside ``folder``, sorted by name."""
    return sorted(entry for entry in Path(folder).iterdir() if is_roast_log(entry))


# --- reading and recognising --------------------------------------------------------------------


def _open(path: Path) -> _OpenedFile:
    text, modified = _read(path)

    def opened(kind: RoastFileFormat, data: Mapping[str, Any] | None = None) -> _OpenedFile:
        return _OpenedFile(path, kind, text, data or {}, modified)

    suffix = path.suffix.lower()
    if looks_like_artisan_csv(text):
        return opened(RoastFileFormat.ARTISAN_CSV)
    if suffix == ".alog":
        return opened(RoastFileFormat.ARTISAN, parse_profile(text, path))
    if suffix == ".klog":
        return opened(RoastFileFormat.KAFFELOGIC)
    if text.lstrip()[:1] in ("{", "["):
        data = _json_object(text, path)
        if is_roastime(data):
            return opened(RoastFileFormat.ROASTIME, data)
        if is_splitkey(data):
            return opened(RoastFileFormat.SPLITKEY, data)
        if "timex" in data:
            return opened(RoastFileFormat.ARTISAN, data)
        raise RoastLogError(
            f"{path}: JSON object without 'beanTemperature' (RoasTime), 'events' (split-key-roast)"
            " or 'timex' (Artisan); not a roast log this program can read"
        )
    if looks_like_klog(text):
        return opened(RoastFileFormat.KAFFELOGIC)
    if suffix in (".csv", ".tsv"):
        return opened(RoastFileFormat.ARTISAN_CSV)  # its reader names what the header lacks
    raise RoastLogError(
        f"{path}: not a roast log this program can read (expected an Artisan .alog, JSON or CSV "
        "export, Aillio RoasTime JSON, a split-key-roast log or a Kaffelogic .klog)"
    )


def _read(path: Path) -> tuple[str, datetime]:
    """Return the text of ``path`` and its modification time, within the roast-log limits."""
    try:
        text = read_text_within(
            path, MAX_ROAST_FILE_BYTES, "roast log", encoding="utf-8-sig", errors="replace"
        )
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except FileNotFoundError as exc:
        raise RoastLogError(f"{path}: no such file; check the path") from exc
    except OSError as exc:
        raise RoastLogError(
            f"{path}: cannot be read ({exc.strerror or exc}); check the path and that the file "
            "is readable"
        ) from exc
    return text, modified


def _json_object(text: str, path: Path) -> dict[str, Any]:
    """Parse JSON text with the literal parser (the limits of a roast log); an object only."""
    try:
        return parse_mapping(text)
    except LiteralError as exc:
        raise RoastLogError(f"{path}: not a JSON object ({exc})") from exc


# --- interpreting -------------------------------------------------------------------------------


def _recorded(opened: _OpenedFile) -> RecordedRoast:
    kind, path = opened.format, opened.path
    if kind is RoastFileFormat.ARTISAN:
        return recorded_from_profile(opened.data)
    if kind is RoastFileFormat.ARTISAN_CSV:
        return recorded_from_csv(opened.text, path)
    if kind is RoastFileFormat.ROASTIME:
        return recorded_from_roastime(opened.data, path)
    if kind is RoastFileFormat.SPLITKEY:
        return recorded_from_splitkey(opened.data, path)
    return recorded_from_klog(opened.text, path)


def _interpreted(opened: _OpenedFile, read: Callable[[], _Result]) -> _Result:
    """Run a format's reader; every failure becomes that format's error, naming the file."""
    error = _FORMAT_ERRORS[opened.format]
    try:
        return read()
    except RoastFileError as exc:
        if opened.format is not RoastFileFormat.ARTISAN:
            raise  # the other readers name the file themselves
        raise error(f"{opened.path}: {exc}") from exc
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        # A reader meeting a shape it does not expect: named, never a traceback.
        raise error(
            f"{opened.path}: malformed {opened.format.value} ({exc}); check that it is a "
            "complete file as the roasting program wrote it"
        ) from exc


__all__ = [
    "ROAST_LOG_SUFFIXES",
    "RoastFileFormat",
    "find_roast_logs",
    "is_roast_log",
    "load_recorded_roast",
    "load_roast_record",
]
