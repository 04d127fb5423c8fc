"""Every roast kept: a SQLite roast log (WAL) written off the control path.

One file holds every roast: its metadata, every sample, its events, the commands it received
(with their results or refusals) and its safety log. The session hands rows to
:class:`RoastStore` without waiting; a writer thread (:mod:`roastctl.store.writer`) inserts them
in batches and commits at least every :data:`COMMIT_INTERVAL_S`, so each sample is durable within
a second and disk I/O never holds up polling or the safety thread. When the store cannot be
written (locked by another writer, disk full) the rows wait in memory and are retried until it
can; :meth:`RoastStore.health` says so. A new roast is committed at once (it needs its id);
when the store cannot be written it is queued before its rows instead, and a
:class:`PendingRoast` stands for its id until it is created. The end of a roast and roast
information are queued behind the rows before them and waited for briefly
(:data:`SYNC_WAIT_S`), never for the busy timeout.

Durability: WAL with ``synchronous=NORMAL`` survives a crash of the process (the case the kill -9
test covers); an OS crash or power loss can lose the last commits. At start-up every roast still
marked ``recording`` is marked ``interrupted``: its data up to the crash is intact and readable.

The schema is versioned with ``PRAGMA user_version`` and upgraded by the migrations below.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import threading
import uuid as uuid_module
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from roastctl.errors import RoasterError
from roastctl.files.places import default_store_path
from roastctl.logs.record import (
    PROPERTY_FIELDS,
    RecordEvent,
    RecordSample,
    RecordStatus,
    RoastProperties,
    RoastRecord,
    properties_from_dict,
)
from roastctl.models import RoastEventType, StoreHealth
from roastctl.store.problems import (
    busy_message,
    damaged_message,
    error_name,
    quick_check,
    read_only_message,
    read_only_problem,
)
from roastctl.store.writer import (
    BUFFER_ROWS,
    COMMIT_INTERVAL_S,
    Job,
    StoreWriter,
    store_at_fault,
)

logger = logging.getLogger(__name__)

#: How long the end of a roast or new roast information waits to be committed before the call
#: answers anyway (the row stays queued and is written when the store can be).
SYNC_WAIT_S = 1.0
#: How long a read in the recording process waits for the rows it queued, so it reads its own
#: writes (a store that cannot be written is read as it is after this).
READ_WAIT_S = 0.25
#: How long creating a roast waits for another writer's lock before it gives up.
BEGIN_BUSY_TIMEOUT_S = 2.0
#: How long an import (a command line, not the control path) waits for another writer's lock.
IMPORT_BUSY_TIMEOUT_S = 10.0
#: The roast fields a person or an agent may set: these columns, and the roast's properties
#: (:data:`~roastctl.logs.record.PROPERTY_FIELDS`, kept together in ``properties_json``).
INFO_FIELDS = frozenset({"title", "bean", "batch_g", "roasted_g", "notes"})

_MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema.
    """
    CREATE TABLE roasts (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        started_utc TEXT NOT NULL,
        ended_utc TEXT,
        status TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        bean TEXT,
        batch_g REAL,
        roasted_g REAL,
        notes TEXT NOT NULL DEFAULT '',
        roaster TEXT NOT NULL,
        driver TEXT,
        sampling_interval_s REAL,
        config_json TEXT,
        extra_json TEXT
    );
    CREATE TABLE samples (
        roast_id INTEGER NOT NULL REFERENCES roasts(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        time_s REAL NOT NULL,
        bean_temp_c REAL,
        env_temp_c REAL,
        heat_percent INTEGER,
        fan_percent INTEGER,
        drum_on INTEGER,
        door_open INTEGER,
        cooling_on INTEGER,
        PRIMARY KEY (roast_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE events (
        roast_id INTEGER NOT NULL REFERENCES roasts(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        time_s REAL NOT NULL,
        bean_temp_c REAL,
        source TEXT NOT NULL,
        PRIMARY KEY (roast_id, type)
    ) WITHOUT ROWID;
    CREATE TABLE commands (
        id INTEGER PRIMARY KEY,
        roast_id INTEGER REFERENCES roasts(id) ON DELETE CASCADE,
        at_utc TEXT NOT NULL,
        command TEXT NOT NULL,
        arguments_json TEXT NOT NULL,
        result TEXT NOT NULL,
        refused INTEGER NOT NULL,
        caller TEXT NOT NULL
    );
    CREATE TABLE safety_log (
        id INTEGER PRIMARY KEY,
        roast_id INTEGER REFERENCES roasts(id) ON DELETE CASCADE,
        at_utc TEXT NOT NULL,
        kind TEXT NOT NULL,
        rule TEXT NOT NULL,
        message TEXT NOT NULL,
        bean_temp_c REAL,
        env_temp_c REAL
    );
    CREATE INDEX commands_by_roast ON commands(roast_id);
    CREATE INDEX safety_by_roast ON safety_log(roast_id);
    """,
    # 2: which process records a roast, so a second process never takes a live roast for a
    # crashed one.
    """
    ALTER TABLE roasts ADD COLUMN owner_pid INTEGER;
    """,
    # 3: the audit trail: the role and token name behind each command (NULL before version 3).
    """
    ALTER TABLE commands ADD COLUMN role TEXT;
    ALTER TABLE commands ADD COLUMN token_name TEXT;
    """,
    # 4: the machine the recording process runs on: a pid names a process only on its own host.
    """
    ALTER TABLE roasts ADD COLUMN owner_host TEXT;
    """,
    # 5: the roast's properties (cupping notes, flavours, density, volume, batch number, ambient
    # conditions, colour, bean size) as one JSON object of the fields that are set. One column,
    # not fifteen: they are read and written together, never searched by SQL, and a new
    # property then needs no migration. NULL: none set (every roast before version 5).
    """
    ALTER TABLE roasts ADD COLUMN properties_json TEXT;
    """,
)
SCHEMA_VERSION = len(_MIGRATIONS)


class StoreError(RoasterError):
    """The roast store cannot be opened, read or written."""

    code = "store_error"


@dataclass(frozen=True, slots=True)
class RoastSummary:
    """One line of the roast history."""

    id: int
    uuid: str
    started_utc: datetime
    ended_utc: datetime | None
    status: RecordStatus
    title: str
    bean: str | None
    batch_g: float | None
    roasted_g: float | None
    samples: int
    duration_s: float | None
    events: dict[str, float]


@dataclass(frozen=True, slots=True)
class CommandRecord:
    """A command as the store keeps it."""

    at_utc: datetime
    command: str
    arguments: dict[str, Any]
    result: str
    refused: bool
    caller: str
    #: The caller's role and token name (``None``: kept before roles existed, or no token).
    role: str | None = None
    token_name: str | None = None


class PendingRoast:
    """Stands for the id of a roast whose row waits in the writer's queue.

    A roast begun while the store cannot be written (locked, full) is queued like any other row.
    The writer is one thread and takes its rows in order, so the roast's row always runs before
    the rows queued after it, which read its id when they run (:func:`_resolve`). The roast's
    row sets the id each time it runs (a batch that rolls back is run again); :attr:`id` is set
    only once that row is committed.
    """

    __slots__ = ("_row_id", "id", "started_utc")

    def __init__(self, started_utc: datetime) -> None:
        """Stand for the roast begun at ``started_utc``."""
        self.started_utc = started_utc
        self._row_id: int | None = None  # the id in the transaction being written
        #: The roast's id once its row is committed; ``None`` while it waits.
        self.id: int | None = None

    def written_as(self, roast_id: int) -> None:
        """Note the id the roast's row got in the transaction being written."""
        self._row_id = roast_id

    def committed(self) -> None:
        """Make the id the roast's row got the roast's id: that transaction is committed."""
        self.id = self._row_id

    def resolve(self) -> int:
        """Return the roast's id in the transaction being written (on the writer thread)."""
        if self._row_id is None:
            raise StoreError(
                f"the roast begun at {_utc_text(self.started_utc)} was never created; its rows "
                "cannot be kept"
            )
        return self._row_id

    def __str__(self) -> str:
        """Name the roast by its id, or say that it waits to be created."""
        return str(self.id) if self.id is not None else "(waiting to be created)"


#: A roast as the recorder knows it: its id, or the stand-in for an id still to come.
RoastRef = int | PendingRoast


def _resolve(roast_id: RoastRef) -> int:
    """Return the id a queued row is written with (run inside the writer's transaction)."""
    return roast_id if isinstance(roast_id, int) else roast_id.resolve()


def _resolve_optional(roast_id: RoastRef | None) -> int | None:
    return None if roast_id is None else _resolve(roast_id)


class RoastStore:
    """The SQLite roast log. Thread-safe; writes are queued and batched by a writer thread."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        recover: bool = True,
        buffer_rows: int = BUFFER_ROWS,
    ) -> None:
        """Open (creating and migrating if needed) the store at ``path`` (default: data folder).

        With ``recover`` (what a recording process does), roasts left ``recording`` by a process
        that is gone are marked ``interrupted``; :attr:`recovered` lists them. A roast another
        live process is recording is left alone, and readers such as ``roastctl history`` open
        with ``recover=False``. At most ``buffer_rows`` rows wait in memory while the store
        cannot be written.

        A recording process checks the store first (``PRAGMA quick_check``) and refuses a
        damaged one, as does a migration and an import: nothing is written to a damaged store.
        A read-only file or folder is named as such.
        """
        self.path = Path(path) if path is not None else default_store_path()
        problem = read_only_problem(self.path)
        if problem is not None:
            raise StoreError(read_only_message(self.path, problem))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"cannot open the roast store {str(self.path)!r}: {exc}. Point store.path "
                "(ROASTCTL_STORE__PATH) at a writable file."
            ) from exc
        self._lock = threading.Lock()  # guards the write connection
        self._sound = False  # quick_check passed
        try:
            self._setup(check=recover)
        except StoreError:
            self._db.close()
            raise
        self.recovered: list[RoastSummary] = self._recover() if recover else []
        self._closed = False
        # Roast information queued but not yet committed: reads in this process show it.
        self._unwritten_info: dict[int, dict[str, Any]] = {}
        self._info_lock = threading.Lock()
        # Roasts begun while the store could not be written, until their rows are committed.
        self._waiting: list[PendingRoast] = []
        self._writer = StoreWriter(
            self._db, self._lock, repr(str(self.path)), buffer_rows=buffer_rows
        )

    # ----------------------------------------------------------------- schema
    def _setup(self, *, check: bool) -> None:
        db = self._db
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"the roast store {str(self.path)!r} has schema version {version}, newer "
                    f"than this roastctl understands ({SCHEMA_VERSION}); upgrade roastctl"
                )
            if check or version < SCHEMA_VERSION:
                self._check_sound()
            for number in range(version, SCHEMA_VERSION):
                db.execute("BEGIN")
                for statement in _statements(_MIGRATIONS[number]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")
                db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise StoreError(self._problem(exc)) from exc

    def _check_sound(self) -> None:
        """Refuse a damaged store before this process first writes to it (once per open)."""
        if self._sound:
            return
        with self._lock:
            found = quick_check(self._db)
        if found is not None:
            raise StoreError(damaged_message(self.path, found))
        self._sound = True

    def _problem(self, exc: sqlite3.Error) -> str:
        """Say what is wrong with the store, from SQLite's error, and what to do."""
        name = error_name(exc)
        if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")):
            problem = read_only_problem(self.path)
            if problem is not None:
                return read_only_message(self.path, problem)
        if name.startswith("SQLITE_CORRUPT"):
            return damaged_message(self.path, str(exc))
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return busy_message(self.path, str(exc))
        if name.startswith("SQLITE_NOTADB") or not name:
            return (
                f"the roast store {str(self.path)!r} is not a readable database ({exc}); move "
                "it aside (nothing in it is changed) and start again, or point store.path "
                "elsewhere"
            )
        return f"the roast store {str(self.path)!r} cannot be used ({exc}); nothing was changed"

    def _recover(self) -> list[RoastSummary]:
        try:
            crashed = self._mark_interrupted()
        except sqlite3.Error as exc:
            # Start-up goes on: readers already show these roasts as interrupted, and the next
            # recording process marks them.
            logger.warning(
                "could not mark interrupted roasts in %s now (%s); the next start will",
                self.path,
                exc,
            )
            return []
        with self._reader() as db:
            recovered = [_summary(db, roast_id) for roast_id in crashed]
        for roast in recovered:
            logger.warning(
                "roast %d (started %s) was interrupted; its %d samples are kept",
                roast.id,
                roast.started_utc.isoformat(),
                roast.samples,
            )
        return recovered

    def _mark_interrupted(self) -> list[int]:
        """Mark the roasts whose recorder is gone ``interrupted``; return their ids."""
        with self._lock:
            db = self._db
            db.execute(f"PRAGMA busy_timeout = {int(BEGIN_BUSY_TIMEOUT_S * 1000)}")
            rows = db.execute(
                "SELECT id, owner_pid, owner_host FROM roasts WHERE status = ?",
                (RecordStatus.RECORDING.value,),
            ).fetchall()
            # This process's own roasts count as crashed: a store opened twice in one process
            # has no other writer to protect.
            crashed = [int(row[0]) for row in rows if _recorder_gone(row[1], row[2], mine=True)]
            if crashed:
                marks = ", ".join("?" for _ in crashed)
                db.execute(
                    f"UPDATE roasts SET status = ? WHERE id IN ({marks})",  # noqa: S608 - placeholders only
                    (RecordStatus.INTERRUPTED.value, *crashed),
                )
        return crashed

    # ----------------------------------------------------------------- writing
    def _submit(self, job: Job) -> bool:
        """Queue ``job`` for the writer; a full buffer drops it (the writer logs and counts)."""
        if self._closed:
            raise StoreError(f"the roast store {str(self.path)!r} is closed")
        return self._writer.submit(job)

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until everything queued is committed; return False on timeout."""
        return self._writer.flush(timeout_s)

    def health(self) -> StoreHealth:
        """Return how writing is going: ok, lagging or failing, rows waiting, rows dropped."""
        health = self._writer.health()
        waiting = len(self._waiting)
        return health.model_copy(update={"roasts_waiting": waiting}) if waiting else health

    def close(self, timeout_s: float = 10.0) -> None:
        """Commit what is queued (retrying up to ``timeout_s``), stop the writer. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._writer.close(timeout_s)
        waiting = list(self._waiting)
        if waiting:
            logger.error(
                "the roast store %s closed with %d roast%s waiting to be created (begun at %s); "
                "they are lost with their rows",
                str(self.path),
                len(waiting),
                "" if len(waiting) == 1 else "s",
                ", ".join(_utc_text(roast.started_utc) for roast in waiting),
            )
        with self._lock:
            self._db.close()

    def _now_sync(self, job: Job, busy_timeout_s: float) -> None:
        """Run ``job`` in its own committed transaction now (for ids), or raise StoreError."""
        if self._closed:
            raise StoreError(f"the roast store {str(self.path)!r} is closed")
        try:
            self._writer.run_now(job, busy_timeout_s)
        except sqlite3.Error as exc:
            raise StoreError(
                f"the roast store {str(self.path)!r} could not write: {exc}. {_advice(exc)}"
            ) from exc

    def _queue_and_wait(self, job: Job) -> bool:
        """Queue ``job`` behind what waits and wait briefly; return whether it is committed."""
        self._submit(job)
        return self.flush(SYNC_WAIT_S)

    # ----------------------------------------------------------------- roasts
    def begin_roast(
        self,
        *,
        started_utc: datetime,
        roaster: str,
        driver: str,
        sampling_interval_s: float | None,
        config: dict[str, Any] | None = None,
        title: str = "",
    ) -> int:
        """Create a roast in ``recording`` status and return its id (committed at once)."""
        new_id: list[int] = []
        job = _roast_row(
            started_utc=started_utc,
            roaster=roaster,
            driver=driver,
            sampling_interval_s=sampling_interval_s,
            config=config,
            title=title,
            on_id=new_id.append,
        )
        self._now_sync(job, BEGIN_BUSY_TIMEOUT_S)
        if not new_id:
            raise StoreError(f"the roast store {str(self.path)!r} could not create a roast")
        return new_id[0]

    def begin_or_queue_roast(
        self,
        *,
        started_utc: datetime,
        roaster: str,
        driver: str,
        sampling_interval_s: float | None,
        config: dict[str, Any] | None = None,
    ) -> RoastRef:
        """Create a roast at once, as :meth:`begin_roast`; if the store cannot be written, queue it.

        A roast that cannot be created now (another writer holds the lock, the disk is full) is
        queued with its rows and created when the store can be written: a :class:`PendingRoast`
        stands for its id until then. Other errors raise :class:`StoreError`.
        """
        try:
            return self.begin_roast(
                started_utc=started_utc,
                roaster=roaster,
                driver=driver,
                sampling_interval_s=sampling_interval_s,
                config=config,
            )
        except StoreError as exc:
            if not store_at_fault(exc.__cause__):
                raise
            reason = exc.__cause__
        pending = PendingRoast(started_utc)

        def committed() -> None:
            pending.committed()
            if pending in self._waiting:
                self._waiting.remove(pending)
            logger.warning(
                "the roast store %s created roast %s, begun at %s, which was waiting to be created",
                str(self.path),
                pending,
                _utc_text(started_utc),
            )

        job = _roast_row(
            started_utc=started_utc,
            roaster=roaster,
            driver=driver,
            sampling_interval_s=sampling_interval_s,
            config=config,
            title="",
            on_id=pending.written_as,
        )
        self._waiting.append(pending)
        if self._closed or not self._writer.submit(job, committed):
            self._waiting.remove(pending)
            raise StoreError(
                f"the roast store {str(self.path)!r} cannot create a roast now ({reason}) and "
                "cannot queue it"
            ) from reason
        logger.warning(
            "the roast store %s cannot create a roast now (%s); the roast is waiting to be "
            "created: it is recorded in memory and created with its rows when the store can be "
            "written",
            str(self.path),
            reason,
        )
        return pending

    def add_sample(self, roast_id: RoastRef, seq: int, sample: RecordSample) -> None:
        """Queue one sample (``seq`` orders the roast's samples); returns at once."""
        if isinstance(roast_id, int):
            row = _sample_row(roast_id, seq, sample)
            self._submit(
                lambda db: db.execute(
                    "INSERT OR REPLACE INTO samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row
                ).close()
            )
            return
        pending = roast_id
        self._submit(
            lambda db: db.execute(
                "INSERT OR REPLACE INTO samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _sample_row(pending.resolve(), seq, sample),
            ).close()
        )

    def set_events(self, roast_id: RoastRef, events: tuple[RecordEvent, ...]) -> None:
        """Replace the roast's events with ``events`` (a detection or a mark moved one)."""

        def job(db: sqlite3.Connection) -> None:
            written_id = _resolve(roast_id)
            db.execute("DELETE FROM events WHERE roast_id = ?", (written_id,))
            db.executemany(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?)", _event_rows(written_id, events)
            )

        self._submit(job)

    def set_extra(self, roast_id: RoastRef, key: str, value: object) -> None:
        """Queue ``value`` (JSON) under ``key`` of the roast's ``extra``; other keys stay."""
        text = json.dumps(value, default=str)

        def job(db: sqlite3.Connection) -> None:
            # json_set in the writer's transaction: keys set by another call are kept.
            db.execute(
                "UPDATE roasts SET extra_json = json_set(COALESCE(extra_json, '{}'), ?, json(?)) "
                "WHERE id = ?",
                (f'$."{key}"', text, _resolve(roast_id)),
            ).close()

        self._submit(job)

    def add_command(
        self,
        roast_id: RoastRef | None,
        command: str,
        arguments: dict[str, Any],
        result: str,
        *,
        refused: bool,
        caller: str,
        at_utc: datetime,
        role: str | None = None,
        token_name: str | None = None,
    ) -> None:
        """Queue a command, its arguments, its result or refusal, and who sent it."""
        rest = (
            _utc_text(at_utc),
            command,
            json.dumps(arguments, default=str),
            result,
            int(refused),
            caller,
            role,
            token_name,
        )
        self._submit(
            lambda db: db.execute(
                "INSERT INTO commands (roast_id, at_utc, command, arguments_json, result, "
                "refused, caller, role, token_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (_resolve_optional(roast_id), *rest),
            ).close()
        )

    def add_safety_event(
        self,
        roast_id: RoastRef | None,
        *,
        at_utc: datetime,
        kind: str,
        rule: str,
        message: str,
        bean_temp_c: float | None,
        env_temp_c: float | None,
    ) -> None:
        """Queue one entry of the safety log."""
        rest = (_utc_text(at_utc), kind, rule, message, bean_temp_c, env_temp_c)
        self._submit(
            lambda db: db.execute(
                "INSERT INTO safety_log (roast_id, at_utc, kind, rule, message, bean_temp_c, "
                "env_temp_c) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_resolve_optional(roast_id), *rest),
            ).close()
        )

    def finish_roast(
        self,
        roast_id: RoastRef,
        *,
        ended_utc: datetime,
        status: RecordStatus = RecordStatus.COMPLETE,
    ) -> None:
        """Mark the roast ended, after everything queued before it.

        Waits up to :data:`SYNC_WAIT_S` for the commit; a store that cannot be written keeps the
        end queued with the rows before it.
        """
        committed = self._queue_and_wait(
            lambda db: db.execute(
                "UPDATE roasts SET ended_utc = ?, status = ? WHERE id = ?",
                (_utc_text(ended_utc), status.value, _resolve(roast_id)),
            ).close()
        )
        if not committed:
            logger.warning(
                "roast %s ended; the store is behind (%s), so its end is queued",
                roast_id,
                self.health().last_error,
            )

    def update_info(self, roast_id: int, fields: Mapping[str, object]) -> RoastSummary:
        """Set ``title``, ``bean``, ``batch_g``, ``roasted_g``, ``notes`` or a roast property.

        Properties (:data:`~roastctl.logs.record.PROPERTY_FIELDS`) given are laid over the ones
        kept; the others stay. Values are not checked here (the session checks them). Returns
        the roast's history line.
        """
        unknown = sorted(set(fields) - INFO_FIELDS - PROPERTY_FIELDS)
        if unknown:
            raise StoreError(
                f"unknown roast field(s) {', '.join(unknown)}; allowed: "
                f"{', '.join(sorted(INFO_FIELDS | PROPERTY_FIELDS))}"
            )
        before = self.summary(roast_id)  # raises when there is no such roast
        if not fields:
            return before
        columns = {name: value for name, value in fields.items() if name in INFO_FIELDS}
        changes = (
            RoastProperties()
            .updated({name: value for name, value in fields.items() if name in PROPERTY_FIELDS})
            .as_dict()
        )
        patch = {name: changes.get(name) for name in fields if name in PROPERTY_FIELDS}
        assignments = [f"{name} = ?" for name in columns]
        values: list[object] = list(columns.values())
        if patch:
            # json_patch merges in the writer's transaction: properties set by another call
            # queued before this one are kept.
            assignments.append("properties_json = json_patch(COALESCE(properties_json, '{}'), ?)")
            values.append(json.dumps(patch))
        statement = f"UPDATE roasts SET {', '.join(assignments)} WHERE id = ?"  # noqa: S608 - names are whitelisted above
        arguments = (*values, roast_id)
        # Queued, not run at once: a store another writer has locked must not hold up the caller
        # for the busy timeout. Until it is committed, reads here show the values queued.
        with self._info_lock:
            self._submit(lambda db: db.execute(statement, arguments).close())
            queued = self._unwritten_info.setdefault(roast_id, {})
            queued.update(columns)
            if patch:
                queued.setdefault("properties", {}).update(patch)
        self.flush(SYNC_WAIT_S)
        return self.summary(roast_id)

    def import_record(self, record: RoastRecord) -> int:
        """Store a whole roast (an imported file); return its new id."""
        new_id: list[int] = []

        def job(db: sqlite3.Connection) -> None:
            cursor = db.execute(
                "INSERT INTO roasts (uuid, started_utc, ended_utc, status, title, bean, batch_g, "
                "roasted_g, notes, roaster, driver, sampling_interval_s, extra_json, "
                "properties_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.uuid,
                    _utc_text(record.started_utc),
                    _utc_text(record.ended_utc) if record.ended_utc else None,
                    record.status.value,
                    record.title,
                    record.bean,
                    record.batch_g,
                    record.roasted_g,
                    record.notes,
                    record.roaster,
                    "import",
                    record.sampling_interval_s,
                    json.dumps(record.extra, default=str) if record.extra else None,
                    _properties_json(record.properties),
                ),
            )
            roast_id = int(cursor.lastrowid or 0)
            new_id.append(roast_id)
            db.executemany(
                "INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_sample_row(roast_id, seq, s) for seq, s in enumerate(record.samples)],
            )
            db.executemany(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?)", _event_rows(roast_id, record.events)
            )

        self._check_sound()
        existing = self.find_uuid(record.uuid)
        if existing is not None:
            raise StoreError(
                f"roast {record.uuid} is already in the store as roast {existing}; nothing "
                "was imported"
            )
        try:
            self._now_sync(job, IMPORT_BUSY_TIMEOUT_S)
        except StoreError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                raise StoreError(f"roast {record.uuid} is already in the store") from exc
            raise
        if not new_id:
            raise StoreError(
                f"roast {record.uuid} could not be stored; is it already in the store?"
            )
        return new_id[0]

    # ----------------------------------------------------------------- reading
    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        """Open a read-only connection; SQLite errors become a :class:`StoreError` saying why."""
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        try:
            with closing(sqlite3.connect(uri, uri=True)) as db:
                db.row_factory = sqlite3.Row
                yield db
        except sqlite3.Error as exc:
            raise StoreError(self._problem(exc)) from exc

    def _caught_up(self) -> dict[int, dict[str, Any]]:
        """Let this process's queued rows in first (briefly), so a read sees its own writes.

        Returns the roast information still queued (the store cannot be written now), which the
        reads lay over what they find.
        """
        if self._closed:
            return {}
        idle = self._writer.flush(READ_WAIT_S)
        with self._info_lock:
            if idle and self._writer.idle():  # nothing was queued since
                self._unwritten_info.clear()
            return {roast_id: dict(info) for roast_id, info in self._unwritten_info.items()}

    def list_roasts(self, *, limit: int = 20, offset: int = 0) -> list[RoastSummary]:
        """Return the newest roasts first."""
        unwritten = self._caught_up()
        with self._reader() as db:
            ids = [
                int(row[0])
                for row in db.execute(
                    "SELECT id FROM roasts ORDER BY started_utc DESC, id DESC LIMIT ? OFFSET ?",
                    (limit, offset),
                )
            ]
            return [_with_info(_summary(db, roast_id), unwritten) for roast_id in ids]

    def find_uuid(self, roast_uuid: str) -> int | None:
        """Return the id of the roast with ``roast_uuid``, or ``None``."""
        self._caught_up()
        with self._reader() as db:
            row = db.execute("SELECT id FROM roasts WHERE uuid = ?", (roast_uuid,)).fetchone()
        return None if row is None else int(row[0])

    def count(self) -> int:
        """Return how many roasts the store holds."""
        self._caught_up()
        with self._reader() as db:
            return int(db.execute("SELECT COUNT(*) FROM roasts").fetchone()[0])

    def summary(self, roast_id: int) -> RoastSummary:
        """Return one roast's history line; raise :class:`StoreError` if there is none."""
        unwritten = self._caught_up()
        with self._reader() as db:
            return _with_info(_summary(db, roast_id), unwritten)

    def get_roast(self, roast_id: int) -> RoastRecord:
        """Return one whole roast; raise :class:`StoreError` if there is none."""
        unwritten = self._caught_up()
        with self._reader() as db:
            summary = _with_info(_summary(db, roast_id), unwritten)
            row = db.execute(
                "SELECT notes, roaster, sampling_interval_s, extra_json, properties_json "
                "FROM roasts WHERE id = ?",
                (roast_id,),
            ).fetchone()
            samples = tuple(
                RecordSample(
                    time_s=float(s["time_s"]),
                    bean_temp_c=s["bean_temp_c"],
                    env_temp_c=s["env_temp_c"],
                    heat_percent=s["heat_percent"],
                    fan_percent=s["fan_percent"],
                    drum_on=_bool(s["drum_on"]),
                    door_open=_bool(s["door_open"]),
                    cooling_on=_bool(s["cooling_on"]),
                )
                for s in db.execute(
                    "SELECT * FROM samples WHERE roast_id = ? ORDER BY seq", (roast_id,)
                )
            )
            events = tuple(
                RecordEvent(
                    type=RoastEventType(e["type"]),
                    time_s=float(e["time_s"]),
                    bean_temp_c=e["bean_temp_c"],
                    source=str(e["source"]),
                )
                for e in db.execute(
                    "SELECT * FROM events WHERE roast_id = ? ORDER BY time_s", (roast_id,)
                )
            )
        extra: dict[str, object] = json.loads(row["extra_json"]) if row["extra_json"] else {}
        kept = json.loads(row["properties_json"]) if row["properties_json"] else {}
        properties = properties_from_dict(kept).updated(
            unwritten.get(roast_id, {}).get("properties", {})
        )
        return RoastRecord(
            uuid=summary.uuid,
            started_utc=summary.started_utc,
            samples=samples,
            events=events,
            status=summary.status,
            ended_utc=summary.ended_utc,
            title=summary.title,
            bean=summary.bean,
            batch_g=summary.batch_g,
            roasted_g=summary.roasted_g,
            notes=str(unwritten.get(roast_id, {}).get("notes", row["notes"])),
            roaster=str(row["roaster"]),
            sampling_interval_s=row["sampling_interval_s"],
            id=summary.id,
            extra=extra,
            properties=properties,
        )

    def commands(self, roast_id: int) -> list[CommandRecord]:
        """Return the commands a roast received, oldest first."""
        self._caught_up()
        with self._reader() as db:
            return [
                CommandRecord(
                    at_utc=_parse_utc(c["at_utc"]),
                    command=str(c["command"]),
                    arguments=json.loads(c["arguments_json"]),
                    result=str(c["result"]),
                    refused=bool(c["refused"]),
                    caller=str(c["caller"]),
                    role=c["role"],
                    token_name=c["token_name"],
                )
                for c in db.execute(
                    "SELECT * FROM commands WHERE roast_id = ? ORDER BY id", (roast_id,)
                )
            ]

    def safety_log(self, roast_id: int) -> list[dict[str, Any]]:
        """Return a roast's safety log, oldest first."""
        self._caught_up()
        with self._reader() as db:
            return [
                dict(row)
                for row in db.execute(
                    "SELECT at_utc, kind, rule, message, bean_temp_c, env_temp_c FROM safety_log "
                    "WHERE roast_id = ? ORDER BY id",
                    (roast_id,),
                )
            ]

    def mark_temperatures(
        self,
        kind: RoastEventType,
        *,
        roaster_matches: Callable[[str], bool],
        limit: int,
        exclude_roast_id: int | None = None,
    ) -> list[float]:
        """Return the BT at the ``kind`` mark of the newest ``limit`` kept roasts, newest first.

        A roast counts when it has that mark with a BT, is not being recorded (its marks may
        still move), is not ``exclude_roast_id`` and ``roaster_matches`` its ``roaster`` column.
        One query on what is committed: it does not wait for this process's queued rows, so it
        is quick at the start of a roast (the roast before it was committed when it ended).
        """
        if limit < 1:
            raise ValueError(f"limit {limit!r} must be at least 1 roast")
        excluded = -1 if exclude_roast_id is None else exclude_roast_id
        with self._reader() as db:
            # The roaster test runs in SQL (a registered function), so LIMIT counts only
            # matching roasts and the query stops at the newest ``limit`` of them.
            db.create_function("roaster_matches", 1, roaster_matches, deterministic=True)
            rows = db.execute(
                "SELECT e.bean_temp_c FROM events AS e JOIN roasts AS r ON r.id = e.roast_id "
                "WHERE e.type = ? AND e.bean_temp_c IS NOT NULL AND r.status != ? "
                "AND r.id != ? AND roaster_matches(r.roaster) "
                "ORDER BY r.started_utc DESC, r.id DESC LIMIT ?",
                (kind.value, RecordStatus.RECORDING.value, excluded, limit),
            ).fetchall()
        return [float(row[0]) for row in rows]


def _summary(db: sqlite3.Connection, roast_id: int) -> RoastSummary:
    """Read one roast's history line on an open reader connection."""
    row = db.execute("SELECT * FROM roasts WHERE id = ?", (roast_id,)).fetchone()
    if row is None:
        raise StoreError(
            f"no roast with id {roast_id}; list the roasts with 'roastctl history' "
            "or the list_roasts tool"
        )
    samples, last = db.execute(
        "SELECT COUNT(*), MAX(time_s) FROM samples WHERE roast_id = ?", (roast_id,)
    ).fetchone()
    events = {
        str(e["type"]): float(e["time_s"])
        for e in db.execute(
            "SELECT type, time_s FROM events WHERE roast_id = ? ORDER BY time_s", (roast_id,)
        )
    }
    status = RecordStatus(row["status"])
    if status is RecordStatus.RECORDING and _recorder_gone(
        row["owner_pid"], row["owner_host"], mine=False
    ):
        # Its recorder died and no recording process has opened the store since: a reader
        # shows what it is, and the next recording process marks it so in the store.
        status = RecordStatus.INTERRUPTED
    return RoastSummary(
        id=int(row["id"]),
        uuid=str(row["uuid"]),
        started_utc=_parse_utc(row["started_utc"]),
        ended_utc=_parse_utc(row["ended_utc"]) if row["ended_utc"] else None,
        status=status,
        title=str(row["title"]),
        bean=row["bean"],
        batch_g=row["batch_g"],
        roasted_g=row["roasted_g"],
        samples=int(samples),
        duration_s=float(last) if last is not None else None,
        events=events,
    )


def _with_info(summary: RoastSummary, unwritten: dict[int, dict[str, Any]]) -> RoastSummary:
    """Lay the roast information still queued for ``summary``'s roast over it."""
    info = unwritten.get(summary.id)
    if not info:
        return summary
    changes = {name: value for name, value in info.items() if name not in ("notes", "properties")}
    return replace(summary, **changes)


def _roast_row(
    *,
    started_utc: datetime,
    roaster: str,
    driver: str,
    sampling_interval_s: float | None,
    config: dict[str, Any] | None,
    title: str,
    on_id: Callable[[int], None],
) -> Job:
    """Return the job that inserts a new roast in ``recording`` status; it hands on its id."""
    row = (
        uuid_module.uuid4().hex,
        _utc_text(started_utc),
        RecordStatus.RECORDING.value,
        title,
        roaster,
        driver,
        sampling_interval_s,
        json.dumps(config) if config is not None else None,
        os.getpid(),
        socket.gethostname(),
    )

    def job(db: sqlite3.Connection) -> None:
        cursor = db.execute(
            "INSERT INTO roasts (uuid, started_utc, status, title, roaster, driver, "
            "sampling_interval_s, config_json, owner_pid, owner_host) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )
        on_id(int(cursor.lastrowid or 0))

    return job


def _properties_json(properties: RoastProperties) -> str | None:
    """Return the JSON kept for ``properties``: the fields that are set; NULL for none."""
    data = properties.as_dict()
    return json.dumps(data) if data else None


def _sample_row(roast_id: int, seq: int, sample: RecordSample) -> tuple[object, ...]:
    return (
        roast_id,
        seq,
        sample.time_s,
        sample.bean_temp_c,
        sample.env_temp_c,
        sample.heat_percent,
        sample.fan_percent,
        _flag(sample.drum_on),
        _flag(sample.door_open),
        _flag(sample.cooling_on),
    )


def _event_rows(roast_id: int, events: tuple[RecordEvent, ...]) -> list[tuple[object, ...]]:
    return [(roast_id, e.type.value, e.time_s, e.bean_temp_c, e.source) for e in events]


def _recorder_gone(pid: object, host: object, *, mine: bool) -> bool:
    """Return whether the process that recorded a roast is known to be gone.

    A roast recorded on another machine (a store on a shared folder) is never taken for a crash:
    its pid means nothing here. A roast without a host was recorded before hosts were kept, on
    this machine. ``mine`` says whether this process's own roasts count as gone.
    """
    if isinstance(host, str) and host != socket.gethostname():
        return False
    if pid == os.getpid():
        return mine
    return not _process_alive(pid)


def _process_alive(pid: object) -> bool:
    """Return whether process ``pid`` (on this machine) still runs."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    except OSError:
        return False
    return True


def _advice(exc: sqlite3.Error) -> str:
    """Say what to do about a write error, from SQLite's error code."""
    name = getattr(exc, "sqlite_errorname", "")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return "Another process is writing it (a roastctl import?); try again when it is done."
    if name.startswith("SQLITE_FULL"):
        return "The disk is full; free some space and try again."
    if name.startswith("SQLITE_READONLY"):
        return "It is read-only; make its file and folder writable."
    return "Try again; if it persists, check the disk and the file."


def _statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]


def _utc_text(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _bool(value: object) -> bool | None:
    return None if value is None else bool(value)


__all__ = [
    "COMMIT_INTERVAL_S",
    "CommandRecord",
    "PendingRoast",
    "RoastRef",
    "RoastStore",
    "RoastSummary",
    "StoreError",
]
