"""Injectable time: wall clock (UTC), monotonic clock and sleep.

Everything that measures or waits takes a :class:`Clock`, so a 15-minute roast can run on a
:class:`ScaledClock` in well under a second and tests can step time by hand with a
:class:`ManualClock` without any real sleeping.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """Source of time for the roaster, the tracker and the session."""

    def now(self) -> datetime:
        """Return the current wall-clock time, timezone-aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Return seconds on a clock that never goes backwards."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""
        ...

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Wait up to ``seconds`` of this clock's time for ``event``; return whether it is set."""
        ...


class SystemClock:
    """Real time."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """Return :func:`time.monotonic`."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Sleep for real."""
        if seconds > 0:
            time.sleep(seconds)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Wait on ``event`` for up to ``seconds`` of real time."""
        return event.wait(max(0.0, seconds))


class ScaledClock:
    """Real time sped up by ``speed``: one real second is ``speed`` clock seconds.

    Wall time starts at the real current time and runs ``speed`` times faster, so timestamps of a
    fast simulated roast still look like a real roast's.
    """

    def __init__(self, speed: float, *, start: datetime | None = None) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be > 0, got {speed!r}")
        self.speed = speed
        self._real_start = time.monotonic()
        self._wall_start = start if start is not None else datetime.now(UTC)

    def monotonic(self) -> float:
        """Return scaled seconds since this clock was made."""
        return (time.monotonic() - self._real_start) * self.speed

    def now(self) -> datetime:
        """Return the scaled wall time."""
        return self._wall_start + timedelta(seconds=self.monotonic())

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds / speed`` of real time."""
        if seconds > 0:
            time.sleep(seconds / self.speed)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Wait on ``event`` for up to ``seconds / speed`` of real time."""
        return event.wait(max(0.0, seconds) / self.speed)


class ManualClock:
    """Time that moves only when told to: by :meth:`advance`, or by :meth:`sleep`.

    ``sleep`` advances the clock at once instead of waiting, so a thread driven by this clock runs
    as fast as the CPU allows while seeing exactly the intervals it asked for.
    """

    def __init__(self, *, start: datetime | None = None, monotonic_start: float = 1000.0) -> None:
        self._lock = threading.Lock()
        self._monotonic = monotonic_start
        self._monotonic_start = monotonic_start
        self._wall_start = start if start is not None else datetime(2026, 1, 1, 8, 0, tzinfo=UTC)

    def monotonic(self) -> float:
        """Return the current clock seconds."""
        with self._lock:
            return self._monotonic

    def now(self) -> datetime:
        """Return the wall time that matches :meth:`monotonic`."""
        with self._lock:
            elapsed = self._monotonic - self._monotonic_start
        return self._wall_start + timedelta(seconds=elapsed)

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (must not be negative)."""
        if seconds < 0:
            raise ValueError(f"time cannot go backwards: advance({seconds!r})")
        with self._lock:
            self._monotonic += seconds

    def sleep(self, seconds: float) -> None:
        """Advance time instead of waiting."""
        if seconds > 0:
            self.advance(seconds)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Return at once: advance time by ``seconds`` unless ``event`` is already set."""
        if event.is_set():
            return True
        self.sleep(seconds)
        # Give other threads a chance to run: without it a thread looping on this clock can
        # starve the thread that wants to stop it.
        return event.wait(0.0001)


class PacedClock(ManualClock):
    """Simulated time that steps exactly like :class:`ManualClock` but is paced to real time.

    :meth:`sleep` advances the clock at once and then waits ``seconds / speed`` of real time,
    measured against a running real-time schedule, so the pace holds on average without drift.
    Unlike a :class:`ScaledClock` shared with a polling thread, every step happens whatever the
    machine's load: a busy machine makes the run slower, never the samples sparser.
    """

    def __init__(self, speed: float, *, start: datetime | None = None) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be > 0, got {speed!r}")
        super().__init__(start=start if start is not None else datetime.now(UTC))
        self.speed = speed
        self._real_due = time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Advance ``seconds`` of clock time, then wait out its real-time share."""
        if seconds <= 0:
            return
        self.advance(seconds)
        now = time.monotonic()
        self._real_due = max(self._real_due, now - 1.0) + seconds / self.speed
        if self._real_due > now:
            time.sleep(self._real_due - now)
