"""A really full disk: a small tmpfs filled to the last byte, then space freed.

Needs a machine that lets the test mount a filesystem (root); otherwise the max_page_count case in
test_store_writer.py covers SQLITE_FULL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from faults.conftest import tmpfs
from faults.test_store_writer import WAIT_S, make, poll, wait_for
from roastctl.clock import ManualClock
from roastctl.store.database import RoastStore


@pytest.fixture
def small_disk() -> Iterator[Path]:
    with tmpfs("2m", "roastctl-full-") as (folder, _):
        yield folder


def fill(folder: Path) -> Path:
    """Take every free byte of the filesystem with one file; return it."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as handle:
        block = b"\0" * 4096
        try:
            while handle.write(block):
                pass
        except OSError:
            pass  # ENOSPC: the disk is full
    return filler


def test_a_full_disk_loses_nothing_once_space_is_freed(
    clock: ManualClock, small_disk: Path
) -> None:
    store = RoastStore(small_disk / "roasts.sqlite3")
    try:
        record_through_a_full_disk(clock, store, small_disk)
    finally:
        store.close()


def record_through_a_full_disk(clock: ManualClock, store: RoastStore, small_disk: Path) -> None:
    manager = make(clock, store)
    manager.start_session()
    roast_id = manager.roast_id
    assert roast_id is not None
    poll(manager, clock, 5)
    assert store.flush(timeout_s=WAIT_S)
    filler = fill(small_disk)
    poll(manager, clock, 600)
    store.flush(timeout_s=0.1)
    wait_for(lambda: manager.get_status().store.state == "failing", "state failing")  # type: ignore[union-attr]
    health = manager.get_status().store
    assert health is not None
    assert health.last_error is not None
    assert "full" in health.last_error
    filler.unlink()  # space freed
    began = time.monotonic()
    assert store.flush(timeout_s=WAIT_S)
    assert time.monotonic() - began < WAIT_S
    samples = manager.get_status().connection.samples
    manager.stop_session()
    assert len(store.get_roast(roast_id).samples) == samples
