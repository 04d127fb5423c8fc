"""The roast store on a real SQLite file: writing, reading, migrations and crash recovery."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from roastctl.files.places import default_store_path
from roastctl.logs.record import RecordEvent, RecordSample, RecordStatus, RoastRecord
from roastctl.models import RoastEventType
from roastctl.store.database import (
    _MIGRATIONS,
    SCHEMA_VERSION,
    RoastStore,
    StoreError,
)

START = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "roasts.sqlite3"


@pytest.fixture
def store(path: Path) -> Iterator[RoastStore]:
    opened = RoastStore(path)
    yield opened
    opened.close()


def sample(i: int) -> RecordSample:
    return RecordSample(
        time_s=float(i),
        bean_temp_c=100.0 + i / 10,
        env_temp_c=150.0,
        heat_percent=80,
        fan_percent=30,
        drum_on=True,
        door_open=False,
        cooling_on=None,
    )


def begin(store: RoastStore, started: datetime = START) -> int:
    return store.begin_roast(
        started_utc=started, roaster="Simulated", driver="simulator", sampling_interval_s=1.0
    )


def test_a_roast_is_written_and_read_back_whole(store: RoastStore) -> None:
    roast_id = begin(store)
    for i in range(120):
        store.add_sample(roast_id, i, sample(i))
    events = (
        RecordEvent(RoastEventType.CHARGE, 10.0, 180.0, "auto"),
        RecordEvent(RoastEventType.FIRST_CRACK_START, 100.0, 195.5, "manual"),
    )
    store.set_events(roast_id, events)
    store.add_command(
        roast_id, "set_heat", {"percent": 80}, "ok", refused=False, caller="agent", at_utc=START
    )
    store.add_safety_event(
        roast_id,
        at_utc=START,
        kind="refusal",
        rule="drum_stopped",
        message="heat 40 % refused",
        bean_temp_c=25.0,
        env_temp_c=None,
    )
    store.finish_roast(roast_id, ended_utc=START.replace(minute=45))
    record = store.get_roast(roast_id)
    assert record.samples == tuple(sample(i) for i in range(120))
    assert record.events == events
    assert record.status is RecordStatus.COMPLETE
    assert record.ended_utc == START.replace(minute=45)
    (command,) = store.commands(roast_id)
    assert (command.command, command.arguments, command.caller) == (
        "set_heat",
        {"percent": 80},
        "agent",
    )
    (entry,) = store.safety_log(roast_id)
    assert entry["rule"] == "drum_stopped"
    summary = store.summary(roast_id)
    assert (summary.samples, summary.duration_s) == (120, 119.0)
    assert summary.events == {"CHARGE": 10.0, "FC_START": 100.0}


def test_events_are_replaced_as_a_set(store: RoastStore) -> None:
    roast_id = begin(store)
    store.set_events(roast_id, (RecordEvent(RoastEventType.DROP, 600.0, 205.0, "auto"),))
    store.set_events(roast_id, (RecordEvent(RoastEventType.DROP, 590.0, 204.0, "manual"),))
    store.flush()
    assert store.get_roast(roast_id).events == (
        RecordEvent(RoastEventType.DROP, 590.0, 204.0, "manual"),
    )


def test_history_is_newest_first_and_pages(store: RoastStore) -> None:
    ids = [begin(store, START.replace(hour=h)) for h in (8, 10, 9)]
    assert [r.id for r in store.list_roasts()] == [ids[1], ids[2], ids[0]]
    assert [r.id for r in store.list_roasts(limit=1, offset=1)] == [ids[2]]
    assert store.count() == 3


def test_info_can_be_set_and_unknown_fields_are_refused(store: RoastStore) -> None:
    roast_id = begin(store)
    updated = store.update_info(roast_id, {"bean": "Kenya AA", "batch_g": 220.0})
    assert (updated.bean, updated.batch_g) == ("Kenya AA", 220.0)
    with pytest.raises(StoreError, match="unknown roast field"):
        store.update_info(roast_id, {"colour": "dark"})
    with pytest.raises(StoreError, match="no roast with id 99"):
        store.update_info(99, {"bean": "x"})
    assert store.summary(roast_id).bean == "Kenya AA"


def test_an_import_is_kept_and_a_duplicate_refused(store: RoastStore) -> None:
    record = RoastRecord(
        uuid="abc123",
        started_utc=START,
        samples=tuple(sample(i) for i in range(10)),
        events=(RecordEvent(RoastEventType.CHARGE, 2.0, 170.0, "imported"),),
        status=RecordStatus.IMPORTED,
        title="An imported roast",
        batch_g=230.0,
        extra={"computed": {"DROP_time": 600.0}},
    )
    roast_id = store.import_record(record)
    back = store.get_roast(roast_id)
    assert back.samples == record.samples
    assert back.events == record.events
    assert (back.title, back.batch_g, back.status) == (record.title, 230.0, RecordStatus.IMPORTED)
    assert back.extra == {"computed": {"DROP_time": 600.0}}
    with pytest.raises(StoreError, match="already in the store"):
        store.import_record(record)
    assert store.count() == 1


def test_mark_temperatures_reads_one_marks_bt_of_the_newest_matching_roasts(
    store: RoastStore,
) -> None:
    fcs = RoastEventType.FIRST_CRACK_START

    def roast(minute: int, roaster: str, bt: float | None, *, finish: bool = True) -> int:
        roast_id = store.begin_roast(
            started_utc=START.replace(minute=minute),
            roaster=roaster,
            driver="simulator",
            sampling_interval_s=1.0,
        )
        events = [RecordEvent(RoastEventType.CHARGE, 0.0, 180.0, "auto")]
        if bt is not None:
            events.append(RecordEvent(fcs, 400.0, bt, "manual"))
        store.set_events(roast_id, tuple(events))
        if finish:
            store.finish_roast(roast_id, ended_utc=START.replace(minute=minute, second=30))
        return roast_id

    roast(0, "A", 190.0)
    roast(1, "B", 200.0)
    roast(2, "A", None)
    roast(3, "A", 192.0)
    newest = roast(4, "A", 194.0)
    roast(5, "A", 196.0, finish=False)  # still recording: its mark may move
    store.flush()

    def is_a(roaster: str) -> bool:
        return roaster == "A"

    assert store.mark_temperatures(fcs, roaster_matches=is_a, limit=10) == [194.0, 192.0, 190.0]
    assert store.mark_temperatures(fcs, roaster_matches=is_a, limit=2) == [194.0, 192.0]
    assert store.mark_temperatures(
        fcs, roaster_matches=is_a, limit=10, exclude_roast_id=newest
    ) == [192.0, 190.0]
    assert store.mark_temperatures(RoastEventType.DROP, roaster_matches=is_a, limit=10) == []
    with pytest.raises(ValueError, match="limit 0"):
        store.mark_temperatures(fcs, roaster_matches=is_a, limit=0)


def test_a_roast_left_recording_by_a_crash_is_marked_interrupted(path: Path) -> None:
    first = RoastStore(path)
    roast_id = begin(first)
    for i in range(30):
        first.add_sample(roast_id, i, sample(i))
    assert first.flush()
    # The process dies here: no finish_roast, no close. Another process opens the file.
    second = RoastStore(path)
    try:
        assert [r.id for r in second.recovered] == [roast_id]
        record = second.get_roast(roast_id)
        assert record.status is RecordStatus.INTERRUPTED
        assert len(record.samples) == 30
    finally:
        second.close()
        first.close()
    third = RoastStore(path)
    assert third.recovered == []  # recovered once, not every start
    third.close()


def test_a_closed_store_refuses_writes(path: Path) -> None:
    store = RoastStore(path)
    store.close()
    store.close()  # idempotent
    with pytest.raises(StoreError, match="is closed"):
        begin(store)


def test_the_schema_is_versioned(path: Path) -> None:
    RoastStore(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer than this roastctl understands"):
        RoastStore(path)


def test_a_file_that_is_not_a_database_is_named_and_left_alone(path: Path) -> None:
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="is not a readable database") as refused:
        RoastStore(path)
    assert str(path) in str(refused.value)
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_an_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="ROASTCTL_STORE__PATH"):
        RoastStore(blocker / "roasts.sqlite3")


def test_the_default_path_is_in_the_users_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_store_path() == tmp_path / "roastctl" / "roasts.sqlite3"


def test_a_roast_another_live_process_records_is_not_taken_for_a_crash(path: Path) -> None:
    store = RoastStore(path)
    roast_id = begin(store)
    store.close()
    with sqlite3.connect(path) as db:  # as if the server recording it were process 1 (alive)
        db.execute(
            "UPDATE roasts SET owner_pid = 1, status = 'recording' WHERE id = ?", (roast_id,)
        )
    reopened = RoastStore(path)
    try:
        assert reopened.recovered == []
        assert reopened.summary(roast_id).status is RecordStatus.RECORDING
    finally:
        reopened.close()


def test_a_reader_never_recovers(path: Path) -> None:
    store = RoastStore(path)
    roast_id = begin(store)
    store.flush()
    reader = RoastStore(path, recover=False)  # roastctl history while the server records
    try:
        assert reader.recovered == []
        assert reader.summary(roast_id).status is RecordStatus.RECORDING
    finally:
        reader.close()
        store.close()


def test_an_old_store_is_migrated_in_place(path: Path) -> None:
    with sqlite3.connect(path) as db:  # a store written by the first schema
        for statement in _MIGRATIONS[0].split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("PRAGMA user_version = 1")
        db.execute(
            "INSERT INTO roasts (uuid, started_utc, status, roaster) VALUES "
            "('old', '2025-01-01T00:00:00+00:00', 'complete', 'Hottop')"
        )
        db.execute(
            "INSERT INTO commands (roast_id, at_utc, command, arguments_json, result, refused, "
            "caller) VALUES (1, '2025-01-01T00:01:00+00:00', 'set_heat', '{}', 'ok', 0, 'agent')"
        )
    store = RoastStore(path)
    try:
        assert store.summary(1).uuid == "old"
        [kept] = store.commands(1)
        assert (kept.command, kept.caller, kept.role, kept.token_name) == (
            "set_heat",
            "agent",
            None,
            None,
        )
        assert begin(store) == 2
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
