"""Fixtures shared by the roast store's fault tests: a store file and a second writer's lock."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "roasts.sqlite3"


@pytest.fixture
def write_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection that can take the store's write lock, as a second writer would."""
    other = sqlite3.connect(path, isolation_level=None, timeout=0.1)
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()
