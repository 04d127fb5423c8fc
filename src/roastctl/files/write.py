"""Writing files all or nothing: an export is never left half-written.

A file is written to a temporary file beside it, synced, then renamed over the target. Only a
regular file (or nothing) is ever replaced: a directory, device, pipe or socket at the target is
refused with :class:`OutputPathError`, since the rename would put a file where it was. A symlink
is followed, so the file it points to is replaced and the link stays. A new file gets the mode
a plain write gives it (0666 less the user's umask), an existing one keeps its mode.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from roastctl.errors import RoasterError

#: Mode of a new file before the umask, as open() and shells use.
_NEW_FILE_MODE = 0o666
_TEMP_ATTEMPTS = 16


class OutputPathError(RoasterError):
    """A file cannot be written at the path given; nothing was written."""

    code = "output_path"


def write_text_atomically(path: Path | str, text: str, *, mode: int | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a synced temporary file and a rename."""
    write_bytes_atomically(path, text.encode("utf-8"), mode=mode)


def write_bytes_atomically(path: Path | str, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a synced temporary file and a rename.

    A reader sees the old file or the new one, never half of one. The new file gets ``mode``, or
    else the existing file's mode, or else what a plain write gives it under the user's umask.
    Raises :class:`OutputPathError` if ``path`` is an existing directory or non-regular file,
    and :class:`OSError` if the folder cannot be made or written.
    """
    path = regular_file_target(Path(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None and path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
    temp, fd = _create_temporary(path, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def regular_file_target(path: Path) -> Path:
    """Return the path to write for ``path``: itself, or the file its symlink points to.

    Raises :class:`OutputPathError` if ``path`` is empty, or names an existing directory or a
    file that is not a regular one (a device, pipe or socket), which a rename would replace.
    """
    if not str(path).strip() or path == Path():
        raise OutputPathError("the output path is empty; give a file name, e.g. roast.alog")
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        info = target.stat()
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise OutputPathError(f"{path} cannot be written: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise OutputPathError(f"{path} is a directory; give the name of a file to write")
    if not stat.S_ISREG(info.st_mode):
        raise OutputPathError(
            f"{path} is not a regular file (a device, pipe or socket); writing would replace it "
            "with a file, so nothing was written. Give the name of a regular file"
        )
    return target


def _create_temporary(path: Path, private: int | None) -> tuple[Path, int]:
    """Create a new, empty temporary file beside ``path`` with the umask applied.

    With a ``private`` mode to come, it starts as 0600 so that no one else can open it meanwhile.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(_TEMP_ATTEMPTS):
        temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            return temp, os.open(temp, flags, _NEW_FILE_MODE if private is None else 0o600)
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file beside {path}")  # pragma: no cover


def _fsync_directory(folder: Path) -> None:
    """Make the rename itself durable (POSIX only: Windows cannot open a folder this way)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = [
    "OutputPathError",
    "regular_file_target",
    "write_bytes_atomically",
    "write_text_atomically",
]
