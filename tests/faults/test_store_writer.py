"""A roast store write that fails never stops the recording: rows wait, retry and catch up.

Real SQLite files, a real write lock held by another connection or process, and a real
SQLITE_FULL (``PRAGMA max_page_count``); the session is stepped with a manual clock.
"""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from roastctl.clock import ManualClock
from roastctl.logs.record import RecordSample, RecordStatus
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore
from support import simulated_session

#: A held lock must show in the status and be caught up within these real seconds.
WAIT_S = 10.0


def make(clock: ManualClock, store: RoastStore) -> RoastSessionManager:
    return simulated_session(store, clock)[0]


def poll(manager: RoastSessionManager, clock: ManualClock, seconds: int) -> None:
    for _ in range(seconds):
        clock.advance(1.0)
        manager.poll_once()


def wait_for(condition: object, what: str) -> None:
    """Wait (real time, bounded) for the store's writer thread to reach a state."""
    deadline = time.monotonic() + WAIT_S
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"not within {WAIT_S} s: {what}"
        time.sleep(0.02)


def test_samples_taken_while_another_writer_holds_the_lock_are_all_stored(
    clock: ManualClock, path: Path, write_lock: sqlite3.Connection
) -> None:
    store = RoastStore(path)
    manager = make(clock, store)
    manager.start_session()
    roast_id = manager.roast_id
    assert roast_id is not None
    poll(manager, clock, 3)
    assert store.flush(timeout_s=WAIT_S)
    write_lock.execute("BEGIN EXCLUSIVE")  # a long import, or a second writer
    poll(manager, clock, 20)
    # Held for longer than SQLite's busy timeout (5 s), as a long import holds it.
    assert not store.flush(timeout_s=6.0)
    write_lock.execute("COMMIT")
    poll(manager, clock, 5)
    assert store.flush(timeout_s=WAIT_S), "the writer never caught up after the lock was freed"
    samples = manager.get_status().connection.samples
    manager.stop_session()
    record = store.get_roast(roast_id)
    assert len(record.samples) == samples
    assert record.status is RecordStatus.COMPLETE
    store.close()


def test_the_status_says_the_store_is_failing_and_why_then_that_it_caught_up(
    clock: ManualClock, path: Path, write_lock: sqlite3.Connection
) -> None:
    store = RoastStore(path)
    manager = make(clock, store)
    manager.start_session()
    assert store.flush(timeout_s=WAIT_S)
    health = manager.get_status().store
    assert health is not None
    assert (health.state, health.pending, health.dropped) == ("ok", 0, 0)
    write_lock.execute("BEGIN EXCLUSIVE")
    poll(manager, clock, 10)
    store.flush(timeout_s=0.1)  # ask the writer to try now
    wait_for(lambda: manager.get_status().store.state == "failing", "state failing")  # type: ignore[union-attr]
    health = manager.get_status().store
    assert health is not None
    assert health.pending >= 10
    assert health.last_error is not None
    assert "locked" in health.last_error
    assert health.since_utc is not None
    write_lock.execute("COMMIT")
    assert store.flush(timeout_s=WAIT_S)
    health = manager.get_status().store
    assert health is not None
    assert (health.state, health.pending, health.dropped) == ("ok", 0, 0)
    manager.stop_session()
    store.close()


def test_roast_info_answers_at_once_while_the_store_is_locked_and_is_kept(
    clock: ManualClock, path: Path, write_lock: sqlite3.Connection
) -> None:
    store = RoastStore(path)
    manager = make(clock, store)
    manager.start_session()
    roast_id = manager.roast_id
    assert roast_id is not None
    assert store.flush(timeout_s=WAIT_S)
    write_lock.execute("BEGIN EXCLUSIVE")
    poll(manager, clock, 3)
    began = time.monotonic()
    answer = manager.set_roast_info(bean="Kenya Gatugi", batch_g=250.0)
    took = time.monotonic() - began
    assert took < 3.0, f"set_roast_info blocked {took:.1f} s on a locked store"
    assert answer["bean"] == "Kenya Gatugi"
    assert answer["batch_g"] == 250.0
    waiting = store.summary(roast_id)  # reads here show what is queued
    assert (waiting.bean, waiting.batch_g) == ("Kenya Gatugi", 250.0)
    assert store.get_roast(roast_id).bean == "Kenya Gatugi"
    write_lock.execute("COMMIT")
    assert store.flush(timeout_s=WAIT_S)
    summary = store.summary(roast_id)
    assert (summary.bean, summary.batch_g) == ("Kenya Gatugi", 250.0)
    manager.stop_session()
    store.close()


def test_a_lock_held_by_another_process_is_waited_out(clock: ManualClock, path: Path) -> None:
    store = RoastStore(path)
    manager = make(clock, store)
    manager.start_session()
    roast_id = manager.roast_id
    assert roast_id is not None
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "db.execute('BEGIN EXCLUSIVE')\n"
            "print('held', flush=True)\n"
            "sys.stdin.readline()\n"
            "db.execute('COMMIT')\n",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        poll(manager, clock, 15)
        store.flush(timeout_s=0.1)  # ask the writer to try now
        wait_for(lambda: manager.get_status().store.state == "failing", "state failing")  # type: ignore[union-attr]
    finally:
        holder.communicate("\n", timeout=WAIT_S)
    assert holder.returncode == 0
    poll(manager, clock, 5)
    assert store.flush(timeout_s=WAIT_S)
    samples = manager.get_status().connection.samples
    manager.stop_session()
    assert len(store.get_roast(roast_id).samples) == samples
    store.close()


def test_a_full_disk_is_survived_and_caught_up_when_space_is_freed(
    clock: ManualClock, path: Path
) -> None:
    store = RoastStore(path)
    manager = make(clock, store)
    manager.start_session()
    roast_id = manager.roast_id
    assert roast_id is not None
    assert store.flush(timeout_s=WAIT_S)
    set_max_pages(store, None)  # the database may not grow by a page: SQLITE_FULL
    poll(manager, clock, 300)
    store.flush(timeout_s=0.1)
    wait_for(lambda: manager.get_status().store.state == "failing", "state failing")  # type: ignore[union-attr]
    health = manager.get_status().store
    assert health is not None
    assert health.last_error is not None
    assert "full" in health.last_error
    set_max_pages(store, 1_000_000)  # space freed
    poll(manager, clock, 5)
    assert store.flush(timeout_s=WAIT_S)
    samples = manager.get_status().connection.samples
    manager.stop_session()
    assert len(store.get_roast(roast_id).samples) == samples
    store.close()


def set_max_pages(store: RoastStore, pages: int | None) -> None:
    """Cap how many pages the store's own connection may grow the file to (None: as it is now)."""
    with store._lock:
        if pages is None:
            pages = int(store._db.execute("PRAGMA page_count").fetchone()[0])
        store._db.execute(f"PRAGMA max_page_count = {pages}")


def test_an_overflowing_buffer_says_so_and_counts_what_it_dropped(
    clock: ManualClock, path: Path, write_lock: sqlite3.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    store = RoastStore(path, buffer_rows=10)
    manager = make(clock, store)
    manager.start_session()
    roast_id = manager.roast_id
    assert roast_id is not None
    assert store.flush(timeout_s=WAIT_S)
    write_lock.execute("BEGIN EXCLUSIVE")
    with caplog.at_level(logging.WARNING, logger="roastctl.store.database"):
        poll(manager, clock, 25)
    health = manager.get_status().store
    assert health is not None
    assert health.pending == 10
    assert health.dropped == 15
    assert any("buffer is full" in r.getMessage() for r in caplog.records)
    write_lock.execute("COMMIT")
    assert store.flush(timeout_s=WAIT_S)
    samples = manager.get_status().connection.samples
    manager.stop_session()
    stored = len(store.get_roast(roast_id).samples)
    assert stored + 15 == samples
    assert manager.get_status().store.dropped == 15  # type: ignore[union-attr]
    store.close()


def test_a_row_the_store_refuses_is_dropped_alone_and_later_rows_still_land(path: Path) -> None:
    """The general rule: no error of any write stops the writer."""
    store = RoastStore(path)
    roast_id = store.begin_roast(
        started_utc=ManualClock().now(), roaster="test", driver="test", sampling_interval_s=1.0
    )
    row = RecordSample(
        time_s=0.0,
        bean_temp_c=20.0,
        env_temp_c=20.0,
        heat_percent=0,
        fan_percent=0,
        drum_on=False,
        door_open=False,
        cooling_on=False,
    )
    store.add_sample(roast_id + 99, 0, row)  # no such roast: a foreign-key violation
    assert store.flush(timeout_s=WAIT_S)
    for seq in range(5):
        store.add_sample(roast_id, seq, row)
    assert store.flush(timeout_s=WAIT_S)
    assert store.summary(roast_id).samples == 5
    health = store.health()
    assert health.dropped == 1
    assert health.last_error is not None
    assert "FOREIGN KEY" in health.last_error
    store.close()


def test_closing_a_store_that_stays_locked_is_bounded_and_counts_what_is_lost(
    path: Path, write_lock: sqlite3.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    store = RoastStore(path)
    roast_id = store.begin_roast(
        started_utc=ManualClock().now(), roaster="test", driver="test", sampling_interval_s=1.0
    )
    write_lock.execute("BEGIN EXCLUSIVE")
    row = RecordSample(
        time_s=0.0,
        bean_temp_c=20.0,
        env_temp_c=20.0,
        heat_percent=0,
        fan_percent=0,
        drum_on=False,
        door_open=False,
        cooling_on=False,
    )
    for seq in range(7):
        store.add_sample(roast_id, seq, row)
    began = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="roastctl.store.database"):
        store.close(timeout_s=1.0)
    assert time.monotonic() - began < 5.0
    assert any("7 rows it could not write" in r.getMessage() for r in caplog.records)


def test_a_server_starts_while_another_writer_holds_the_lock(
    clock: ManualClock, path: Path, write_lock: sqlite3.Connection
) -> None:
    """Marking a crashed roast waits a bounded time; start-up and recording go on regardless."""
    crashed = RoastStore(path)
    lost = crashed.begin_roast(
        started_utc=ManualClock().now(), roaster="test", driver="test", sampling_interval_s=1.0
    )
    crashed.close()
    write_lock.execute("BEGIN EXCLUSIVE")
    began = time.monotonic()
    store = RoastStore(path)
    assert time.monotonic() - began < 5.0
    assert store.recovered == []  # not marked yet: the lock is held
    write_lock.execute("COMMIT")
    manager = make(clock, store)
    manager.start_session()
    roast_id = manager.roast_id
    assert roast_id is not None
    poll(manager, clock, 3)
    manager.stop_session()
    assert len(store.get_roast(roast_id).samples) == 4
    store.close()
    again = RoastStore(path)  # the next start marks it
    assert [roast.id for roast in again.recovered] == [lost]
    again.close()


def test_a_roast_that_cannot_be_created_is_said_in_the_status_and_polling_goes_on(
    clock: ManualClock, path: Path, write_lock: sqlite3.Connection
) -> None:
    """A new roast needs its id at once: past a 2 s wait it is not kept, and the status says so."""
    store = RoastStore(path)
    manager = make(clock, store)
    write_lock.execute("BEGIN EXCLUSIVE")
    began = time.monotonic()
    manager.start_session()
    assert time.monotonic() - began < 5.0
    assert manager.roast_id is None
    poll(manager, clock, 3)
    status = manager.get_status()
    assert status.connection.samples == 4
    assert status.store is not None
    assert status.store.state == "failing"
    assert status.store.last_error is not None
    assert "locked" in status.store.last_error
    write_lock.execute("COMMIT")
    manager.start_roaster()  # a command, kept in the store's command log
    assert store.flush(timeout_s=WAIT_S)
    assert manager.get_status().store.state == "ok"  # type: ignore[union-attr]
    manager.stop_session()
    store.close()


def test_a_read_in_the_recording_process_sees_the_rows_it_queued(path: Path) -> None:
    store = RoastStore(path)
    roast_id = store.begin_roast(
        started_utc=ManualClock().now(), roaster="test", driver="test", sampling_interval_s=1.0
    )
    store.add_command(
        roast_id,
        "set_heat",
        {"percent": 50},
        "ok",
        refused=False,
        caller="api",
        at_utc=ManualClock().now(),
    )
    assert [c.command for c in store.commands(roast_id)] == ["set_heat"]
    store.close()


def test_a_row_that_cannot_even_be_made_never_fails_the_command(
    clock: ManualClock, path: Path
) -> None:
    """The general rule at the recorder: a command carried out is never reported as failed."""

    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no text for this argument")

    store = RoastStore(path)
    manager = make(clock, store)
    manager.start_session()
    manager.record_refusal("set_heat", {"percent": Unprintable()}, "refused for the test")
    manager.start_roaster()
    assert store.flush(timeout_s=WAIT_S)
    roast_id = manager.roast_id
    assert roast_id is not None
    assert [c.command for c in store.commands(roast_id)][-1] == "start_roaster"
    manager.stop_session()
    store.close()
