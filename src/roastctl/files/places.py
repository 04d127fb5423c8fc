"""Where roastctl keeps its files when the config names no place: the user's data folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: The roast store's file name in the data folder.
DATABASE_NAME = "roasts.sqlite3"


def default_store_path() -> Path:
    """Return the database file in the user's data folder, per platform."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "roastctl" / DATABASE_NAME
