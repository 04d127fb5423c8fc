"""What is wrong with a roast store that cannot be opened, read or written, and what to do.

Each function returns the text of a :class:`~roastctl.store.database.StoreError`: it names the
file, the problem and the next step, and says that nothing was changed.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def error_name(exc: sqlite3.Error) -> str:
    """Return SQLite's name for ``exc`` (``SQLITE_CORRUPT``, ``SQLITE_BUSY``...), or ''."""
    return str(getattr(exc, "sqlite_errorname", "") or "")


def read_only_problem(path: Path) -> str | None:
    """Say which part of the store cannot be written, or ``None`` when the file and folder can.

    SQLite writes ``NAME-wal`` and ``NAME-shm`` beside the file even to read it, so the folder
    must be writable too. (``os.access`` also sees a read-only filesystem, even for root.)
    """
    folder = path.parent
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return None  # a file where a folder should be: opening it says so
    if not os.access(existing, os.W_OK | os.X_OK):
        if existing == folder:
            return f"its folder {str(folder)!r} is read-only"
        return f"its folder cannot be created: {str(existing)!r} is read-only"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is read-only"
    return None


def read_only_message(path: Path, problem: str) -> str:
    """Return the error for a store whose file or folder cannot be written."""
    return (
        f"the roast store {str(path)!r} is read-only: {problem}. roastctl writes the file and, "
        f"beside it, {path.name}-wal and {path.name}-shm, even to read it. Make the folder and "
        "the file writable (or mount the disk read-write), or copy the store to a writable "
        "folder and point store.path (ROASTCTL_STORE__PATH) at the copy. Nothing was changed."
    )


def damaged_message(path: Path, detail: str) -> str:
    """Return the error for a store SQLite finds damaged (a corrupted page)."""
    return (
        f"the roast store {str(path)!r} is damaged ({detail}); nothing was written to it. Keep "
        f"a copy of it (cp {path} {path}.damaged), then move it aside: roastctl starts a new "
        "store in its place. Save what is still readable from the copy: for each roast "
        "'ROASTCTL_STORE__PATH=COPY roastctl show ID' can read, 'roastctl export ID --format "
        "alog -o FILE', then 'roastctl import FILE' into the new store; or let SQLite salvage "
        "it: 'sqlite3 COPY .recover | sqlite3 NEW_FILE'."
    )


def busy_message(path: Path, detail: str) -> str:
    """Return the error for a store another process holds locked."""
    return (
        f"the roast store {str(path)!r} is busy ({detail}): another process holds its write "
        "lock (a roastctl import, or a second server?). Try again when it is done. Nothing was "
        "changed."
    )


def quick_check(db: sqlite3.Connection) -> str | None:
    """Run SQLite's quick integrity check; return what it found wrong, or ``None`` when sound."""
    try:
        rows = db.execute("PRAGMA quick_check(5)").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    found = [str(row[0]) for row in rows]
    return None if found == ["ok"] else "; ".join(found)


__all__ = [
    "busy_message",
    "damaged_message",
    "error_name",
    "quick_check",
    "read_only_message",
    "read_only_problem",
]
