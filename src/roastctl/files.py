"""Writing files all or nothing: an export is never left half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomically(path: Path | str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a synced temporary file and a rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


__all__ = ["write_text_atomically"]
