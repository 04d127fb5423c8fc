"""The roast store's writer thread: batches rows, survives every error and catches up.

Rows wait in memory (up to :data:`BUFFER_ROWS`) until they are committed. A batch that fails
because of the store (it is locked by another writer, the disk is full, an I/O error) stays in
the buffer and is retried with a growing pause, so a store that comes back gets every row. A row
the store refuses on its own account (a constraint it breaks) is written alone, dropped, logged
and counted, so it cannot hold up the rows behind it. When the buffer is full new rows are
dropped and counted, and the log says so once per overflow. :meth:`StoreWriter.health` tells the
status how the writer is doing.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from roastctl.models import StoreHealth

logger = logging.getLogger("roastctl.store.database")

Job = Callable[[sqlite3.Connection], None]
#: Called on the writer thread once a job's row is committed (not when it is refused).
Committed = Callable[[], None]

#: The writer commits at least this often, so a sample is durable within about a second.
COMMIT_INTERVAL_S = 0.5
#: Rows kept in memory while the store cannot be written: more than a day of roasting at one
#: sample a second, a few tens of megabytes at most.
BUFFER_ROWS = 100_000
#: At most this many rows per transaction, so catching up never holds the lock for long.
BATCH_ROWS = 10000
#: How long one attempt of the writer waits for another writer's lock; the retries do the rest.
WRITE_BUSY_TIMEOUT_S = 1.0
#: The pause after a failed attempt starts here and doubles up to the maximum.
RETRY_FIRST_S = 0.1
RETRY_MAX_S = 2.0
#: Rows waiting longer than this make the store "lagging".
LAG_AFTER_S = 2.0


class StoreWriter:
    """Commits queued jobs on ``db`` (guarded by ``lock``) from its own thread."""

    def __init__(
        self,
        db: sqlite3.Connection,
        lock: threading.Lock,
        name: str,
        *,
        buffer_rows: int = BUFFER_ROWS,
    ) -> None:
        """Start the writer; ``name`` names the store in log messages."""
        if buffer_rows < 1:
            raise ValueError(f"buffer_rows must be at least 1, got {buffer_rows}")
        self._db = db
        self._lock = lock
        self._name = name
        self.buffer_rows = buffer_rows
        # (monotonic time queued, job, what to call once it is committed)
        self._rows: deque[tuple[float, Job, Committed | None]] = deque()
        self._cond = threading.Condition()
        self._idle = threading.Event()
        self._idle.set()
        self._hurry = threading.Event()  # cuts the gathering short (flush, close)
        self._give_up = threading.Event()  # close waited long enough: stop retrying
        self._closing = False
        self._dropped = 0
        self._overflowed = 0  # rows dropped in the current overflow
        self._failing_since: datetime | None = None
        self._last_error: str | None = None
        self._last_error_utc: datetime | None = None
        self._thread = threading.Thread(target=self._loop, name="roastctl-store", daemon=True)
        self._thread.start()

    # ----------------------------------------------------------------- the caller's side
    def submit(self, job: Job, on_commit: Committed | None = None) -> bool:
        """Queue ``job``; return False when the buffer is full and it was dropped.

        ``on_commit`` is called on the writer thread once the job's transaction is committed.
        """
        with self._cond:
            if len(self._rows) >= self.buffer_rows:
                self._dropped += 1
                self._overflowed += 1
                if self._overflowed == 1:
                    logger.error(
                        "the roast store %s cannot keep up: its buffer is full (%d rows wait in "
                        "memory); new rows are dropped and counted until it drains",
                        self._name,
                        self.buffer_rows,
                    )
                return False
            self._rows.append((time.monotonic(), job, on_commit))
            self._idle.clear()
            self._cond.notify()
        return True

    def flush(self, timeout_s: float) -> bool:
        """Wait until everything queued is committed; return False on timeout."""
        self._hurry.set()
        return self._idle.wait(timeout_s)

    def idle(self) -> bool:
        """Whether every row queued so far is committed (or dropped)."""
        return self._idle.is_set()

    def close(self, timeout_s: float) -> int:
        """Write what is queued (retrying up to ``timeout_s``), stop; return the rows lost."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._hurry.set()
        self._thread.join(timeout=timeout_s)
        if self._thread.is_alive():
            self._give_up.set()
            self._thread.join(timeout=WRITE_BUSY_TIMEOUT_S + 1.0)
        with self._cond:
            lost = len(self._rows)
        if lost:
            logger.error(
                "the roast store %s closed with %d rows it could not write (%s); they are lost",
                self._name,
                lost,
                self._last_error,
            )
        return lost

    def run_now(self, job: Job, busy_timeout_s: float) -> None:
        """Run ``job`` in its own transaction now, on the caller's thread; raise its error."""
        with self._lock:
            try:
                self._transaction([job], busy_timeout_s)
            except Exception as exc:
                with self._cond:
                    self._note_error(exc)
                    if store_at_fault(exc) and self._failing_since is None:
                        self._failing_since = self._last_error_utc  # until a write succeeds
                raise

    def health(self) -> StoreHealth:
        """Return how the writer is doing: ok, lagging (rows wait) or failing (writes fail)."""
        now_utc = datetime.now(UTC)
        with self._cond:
            pending = len(self._rows)
            waited_s = time.monotonic() - self._rows[0][0] if self._rows else 0.0
            if self._failing_since is not None:
                state, since = "failing", self._failing_since
            elif waited_s > LAG_AFTER_S:
                state, since = "lagging", now_utc - timedelta(seconds=waited_s)
            else:
                state, since = "ok", None
            return StoreHealth(
                state=state,
                pending=pending,
                buffer_limit=self.buffer_rows,
                dropped=self._dropped,
                last_error=self._last_error,
                last_error_utc=self._last_error_utc,
                since_utc=since,
            )

    # ----------------------------------------------------------------- the writer thread
    def _loop(self) -> None:
        delay = RETRY_FIRST_S
        retrying = False
        while True:
            with self._cond:
                while not self._rows and not self._closing:
                    self._cond.wait()
                if not self._rows:
                    return
                full = len(self._rows) >= BATCH_ROWS
            if not (retrying or full):
                # Let rows gather for a moment: one commit per sample would cost far more.
                self._hurry.wait(COMMIT_INTERVAL_S)
            self._hurry.clear()
            with self._cond:
                batch = [(job, hook) for _, job, hook in itertools.islice(self._rows, BATCH_ROWS)]
            done, error = self._write(batch)
            self._written(done)
            if error is None:
                delay, retrying = RETRY_FIRST_S, False
                continue
            if self._give_up.wait(delay):
                return
            delay, retrying = min(delay * 2, RETRY_MAX_S), True

    def _write(self, batch: list[tuple[Job, Committed | None]]) -> tuple[int, Exception | None]:
        """Commit ``batch``; return how many rows left the buffer and the error that stopped it."""
        with self._lock:
            try:
                self._transaction([job for job, _ in batch], WRITE_BUSY_TIMEOUT_S)
            except Exception as exc:
                if store_at_fault(exc):
                    self._failed(exc, len(batch))
                    return 0, exc
            else:
                for _, hook in batch:
                    _committed(hook)
                return len(batch), None
            # A row is at fault: write them one by one, so only the refused ones are dropped.
            for done, (job, hook) in enumerate(batch):
                try:
                    self._transaction([job], WRITE_BUSY_TIMEOUT_S)
                except Exception as exc:
                    if store_at_fault(exc):
                        self._failed(exc, len(batch) - done)
                        return done, exc
                    self._refused(exc)
                else:
                    _committed(hook)
            return len(batch), None

    def _transaction(self, jobs: list[Job], busy_timeout_s: float) -> None:
        db = self._db
        db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        try:
            db.execute("BEGIN")
            for job in jobs:
                job(db)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:
                    logger.debug("rollback failed", exc_info=True)
            raise

    def _written(self, count: int) -> None:
        """Take ``count`` committed (or refused) rows off the buffer."""
        with self._cond:
            for _ in range(count):
                self._rows.popleft()
            if count and self._failing_since is not None:
                logger.warning(
                    "the roast store %s writes again after %.0f s; %d rows still to catch up",
                    self._name,
                    (datetime.now(UTC) - self._failing_since).total_seconds(),
                    len(self._rows),
                )
                self._failing_since = None
            if self._overflowed and len(self._rows) < self.buffer_rows:
                logger.warning(
                    "the roast store %s has room again; %d rows were dropped while its buffer "
                    "was full",
                    self._name,
                    self._overflowed,
                )
                self._overflowed = 0
            if not self._rows:
                self._idle.set()

    def _failed(self, exc: Exception, waiting: int) -> None:
        with self._cond:
            first = self._failing_since is None or _describe(exc) != self._last_error
            self._note_error(exc)
            if self._failing_since is None:
                self._failing_since = self._last_error_utc
        if first:
            logger.warning(
                "the roast store %s cannot write (%s); %d rows wait in memory and are retried",
                self._name,
                exc,
                waiting,
            )

    def _refused(self, exc: Exception) -> None:
        with self._cond:
            self._note_error(exc)
            self._dropped += 1
        logger.error("the roast store %s refused a row, which is dropped: %s", self._name, exc)

    def _note_error(self, exc: Exception) -> None:
        """Remember ``exc`` as the last error (the caller holds the condition)."""
        self._last_error = _describe(exc)
        self._last_error_utc = datetime.now(UTC)


def _committed(hook: Committed | None) -> None:
    """Tell a job's owner its row is committed; an error there is logged, never raised."""
    if hook is None:
        return
    try:
        hook()
    except Exception:
        logger.exception("a roast store commit hook failed")


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def store_at_fault(exc: BaseException | None) -> bool:
    """Whether ``exc`` comes from the store (locked, full, I/O, damaged), not from one row.

    Rows that meet such an error are kept and retried; a row that breaks a constraint, or a job
    that fails for any other reason, would fail every time and is dropped alone.
    """
    return isinstance(exc, sqlite3.OperationalError | sqlite3.InternalError) or (
        type(exc) is sqlite3.DatabaseError
    )


__all__ = [
    "BUFFER_ROWS",
    "COMMIT_INTERVAL_S",
    "Committed",
    "StoreWriter",
    "store_at_fault",
]
