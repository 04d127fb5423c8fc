"""A roast that starts while the store cannot be written is created later, never lost.

A new roast needs its id from the store. When another writer holds the lock, or the disk is full,
for longer than creating a roast waits, the roast is queued with its rows and created when the
store can be written again. Real SQLite files, a real lock and a real SQLITE_FULL.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from faults.test_store_writer import WAIT_S, make, poll, set_max_pages, wait_for
from roastctl.clock import ManualClock
from roastctl.logs.record import RecordSample, RecordStatus
from roastctl.models import RoastEventType
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import PendingRoast, RoastStore, StoreError


def record_while_unwritable(manager: RoastSessionManager, clock: ManualClock) -> None:
    """Start a roast, take 20 samples, a command and an event while the store cannot be written."""
    manager.start_session()
    assert manager.roast_id is None  # not created yet
    assert manager.get_status().roast_id is None
    poll(manager, clock, 20)
    manager.set_fan(60)
    manager.mark_event(RoastEventType.CHARGE)
    poll(manager, clock, 2)


def check_kept(manager: RoastSessionManager, store: RoastStore) -> None:
    """After the store comes back: the roast exists with every sample, command and event."""
    wait_for(lambda: manager.roast_id is not None, "the queued roast is created")
    roast_id = manager.roast_id
    assert roast_id is not None
    assert manager.get_status().roast_id == roast_id
    samples = manager.get_status().connection.samples
    manager.stop_session()
    assert store.flush(timeout_s=WAIT_S)
    record = store.get_roast(roast_id)
    assert len(record.samples) == samples >= 20
    assert record.status is RecordStatus.COMPLETE
    assert record.event(RoastEventType.CHARGE) is not None
    commands = [c.command for c in store.commands(roast_id)]
    assert "set_fan" in commands
    assert "mark_event" in commands
    health = store.health()
    assert (health.state, health.pending, health.dropped, health.roasts_waiting) == (
        "ok",
        0,
        0,
        0,
    )


def test_a_roast_started_while_another_writer_holds_the_lock_is_created_when_it_is_freed(
    clock: ManualClock,
    path: Path,
    write_lock: sqlite3.Connection,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = RoastStore(path)
    manager = make(clock, store)
    write_lock.execute("BEGIN EXCLUSIVE")  # a long import, or a second writer
    with caplog.at_level(logging.WARNING):
        record_while_unwritable(manager, clock)
    assert not any("not kept" in r.getMessage() for r in caplog.records)
    assert any("waiting to be created" in r.getMessage() for r in caplog.records)
    health = manager.get_status().store
    assert health is not None
    assert health.roasts_waiting == 1
    assert health.state == "failing"
    with pytest.raises(StoreError, match="waiting to be created"):
        manager.set_roast_info(bean="Kenya Gatugi")  # refused, and said why, until it exists
    write_lock.execute("COMMIT")
    check_kept(manager, store)
    store.close()


def fill_last_page(store: RoastStore, clock: ManualClock) -> None:
    """Add roasts until one more does not fit: the next roast needs a page the disk lacks."""
    error = ""
    for _ in range(1000):
        try:
            store.begin_roast(
                started_utc=clock.now(), roaster="filler", driver="test", sampling_interval_s=1.0
            )
        except StoreError as exc:
            error = str(exc)
            break
    assert "full" in error, f"the store never filled: {error!r}"


def test_a_roast_started_on_a_full_disk_is_created_when_space_is_freed(
    clock: ManualClock, path: Path
) -> None:
    store = RoastStore(path)
    manager = make(clock, store)
    set_max_pages(store, None)  # the disk is full: not one page more
    fill_last_page(store, clock)
    record_while_unwritable(manager, clock)
    assert store.health().roasts_waiting == 1
    set_max_pages(store, 1_000_000)  # space freed
    check_kept(manager, store)
    store.close()


def test_a_roast_started_and_stopped_while_the_store_is_locked_is_kept_whole(
    clock: ManualClock, path: Path, write_lock: sqlite3.Connection
) -> None:
    store = RoastStore(path)
    manager = make(clock, store)
    write_lock.execute("BEGIN EXCLUSIVE")
    record_while_unwritable(manager, clock)
    samples = manager.get_status().connection.samples
    manager.stop_session()  # its end is queued behind its rows
    assert manager.roast_id is None
    write_lock.execute("COMMIT")
    assert store.flush(timeout_s=WAIT_S)
    (roast,) = store.list_roasts()
    record = store.get_roast(roast.id)
    assert len(record.samples) == samples >= 20
    assert record.status is RecordStatus.COMPLETE
    assert record.ended_utc is not None
    assert record.event(RoastEventType.CHARGE) is not None
    assert "set_fan" in [c.command for c in store.commands(roast.id)]
    assert store.health().roasts_waiting == 0
    store.close()


def test_a_queued_roast_the_store_never_takes_is_counted_as_lost_on_close(
    clock: ManualClock,
    path: Path,
    write_lock: sqlite3.Connection,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = RoastStore(path)
    manager = make(clock, store)
    write_lock.execute("BEGIN EXCLUSIVE")
    record_while_unwritable(manager, clock)
    manager.stop_session()
    with caplog.at_level(logging.ERROR, logger="roastctl.store.database"):
        store.close(timeout_s=1.0)
    lost = [r.getMessage() for r in caplog.records if "lost" in r.getMessage()]
    assert any("rows it could not write" in message for message in lost), lost
    assert any("1 roast waiting to be created" in message for message in lost), lost
    write_lock.execute("COMMIT")
    reader = RoastStore(path, recover=False)
    assert reader.count() == 0
    reader.close()


def test_a_batch_that_rolls_back_after_the_queued_roast_writes_it_again_with_its_rows(
    clock: ManualClock, path: Path, write_lock: sqlite3.Connection
) -> None:
    """The roast's row sets its id each time it runs; its id is given only once committed."""
    store = RoastStore(path)
    write_lock.execute("BEGIN EXCLUSIVE")
    roast = store.begin_or_queue_roast(
        started_utc=clock.now(), roaster="test", driver="test", sampling_interval_s=1.0
    )
    assert isinstance(roast, PendingRoast)
    sample = RecordSample(
        time_s=0.0,
        bean_temp_c=20.0,
        env_temp_c=20.0,
        heat_percent=0,
        fan_percent=0,
        drum_on=False,
        door_open=False,
        cooling_on=False,
    )
    store.add_sample(roast, 0, sample)
    seen: list[tuple[int, int | None]] = []

    def fails_once(db: sqlite3.Connection) -> None:
        # In the same transaction, after the roast's row: its id is known, not yet given out.
        seen.append((roast.resolve(), roast.id))
        if len(seen) == 1:
            raise sqlite3.OperationalError("disk I/O error")  # the whole batch rolls back

    assert store._submit(fails_once)
    store.add_sample(roast, 1, sample)
    write_lock.execute("COMMIT")
    assert store.flush(timeout_s=WAIT_S)
    assert roast.id is not None
    assert seen == [(roast.id, None), (roast.id, None)]
    assert store.summary(roast.id).samples == 2
    assert store.health().roasts_waiting == 0
    store.close()
