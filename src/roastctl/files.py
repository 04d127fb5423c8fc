"""Writing files all or nothing: an export is never left half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomically(path: Path | str, text: str, *, mode: int | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a synced temporary file and a rename."""
    write_bytes_atomically(path, text.encode("utf-8"), mode=mode)


def write_bytes_atomically(path: Path | str, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a synced temporary file and a rename.

    A reader sees the old file or the new one, never half of one. The new file gets ``mode``, or
    else the mode a plain write would have given it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); give it the mode asked for or a plain write gives.
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(folder: Path) -> None:
    """Make the rename itself durable (POSIX only: Windows cannot open a folder this way)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = ["write_bytes_atomically", "write_text_atomically"]
