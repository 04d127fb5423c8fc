"""Fixtures shared by the roast store's fault tests: a store file, a second writer's lock and a
small filesystem of its own."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def tmpfs(size: str, prefix: str) -> Iterator[tuple[Path, str]]:
    """Mount a tmpfs of ``size`` on a new folder; yield it and the ``mount`` command.

    Skips the test where it cannot (mounting needs root and a machine that allows it).
    """
    mount, umount = shutil.which("mount"), shutil.which("umount")
    if os.geteuid() != 0 or mount is None or umount is None:
        pytest.skip("mounting a filesystem needs root")
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    mounted = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr!r}")
    try:
        yield folder, mount
    finally:
        subprocess.run([umount, str(folder)], check=False)
        folder.rmdir()
