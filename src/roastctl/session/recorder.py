"""Keeping the session's roast: every sample, event, command and safety entry goes to the store.

The session calls a :class:`RoastRecorder` under its state lock; every call here only queues rows
for the store's writer thread, so recording never holds up polling. Opening and closing a roast
commit at once: the session does that I/O outside the lock (:meth:`RoastRecorder.open_roast`,
:meth:`RoastRecorder.close_roast`) and only switches the recorder under it
(:meth:`RoastRecorder.use`, :meth:`RoastRecorder.release`). A roast the store cannot create
now (locked, full) is queued with its rows; a :class:`~roastctl.store.database.PendingRoast` stands
for its id until then.
Times in the store are seconds since the roast's recording began (its first sample).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ParamSpec

from roastctl.access.caller import AGENT_CALLER, current_caller
from roastctl.access.refusal_log import RefusalThrottle
from roastctl.logs.record import RecordEvent, RecordSample, RecordStatus
from roastctl.models import EventSource, RoastEvent, RoastEventType, SafetyEvent, SensorReading
from roastctl.store.database import PendingRoast, RoastRef, RoastStore

logger = logging.getLogger(__name__)

_P = ParamSpec("_P")


class RoastRecorder:
    """Writes one session's roasts into a :class:`RoastStore`."""

    def __init__(
        self,
        store: RoastStore,
        *,
        driver: str,
        sampling_interval_s: float,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        """Record into ``store``; the other arguments describe every roast of the session."""
        self.store = store
        self.driver = driver
        self.sampling_interval_s = sampling_interval_s
        self.config = dict(config) if config is not None else None
        # The roast being recorded: its id, or the stand-in for a roast waiting to be created.
        self._roast: RoastRef | None = None
        self._origin_s: float | None = None
        self._seq = 0
        self._events: tuple[RecordEvent, ...] = ()
        self._agent_marks: set[RoastEventType] = set()
        self._store_failed = False
        self._refusals = RefusalThrottle()

    @property
    def roast(self) -> RoastRef | None:
        """The roast being recorded: its id, or a :class:`PendingRoast` still to be created."""
        return self._roast

    @property
    def roast_id(self) -> int | None:
        """The store id of the roast being recorded; ``None`` while it waits to be created."""
        roast = self._roast
        return roast.id if isinstance(roast, PendingRoast) else roast

    def open_roast(self, started_utc: datetime, roaster: str) -> RoastRef:
        """Create a roast in the store (I/O, committed at once); return its id.

        When the store cannot be written (locked, full), the roast is queued instead and a
        :class:`PendingRoast` stands for its id until it is created.
        """
        return self.store.begin_or_queue_roast(
            started_utc=started_utc,
            roaster=roaster,
            driver=self.driver,
            sampling_interval_s=self.sampling_interval_s,
            config=self.config,
        )

    def use(self, roast: RoastRef) -> None:
        """Record into ``roast`` from now on (memory only)."""
        self._roast = roast
        self._origin_s = None
        self._seq = 0
        self._events = ()
        self._agent_marks = set()

    def release(self) -> RoastRef | None:
        """Stop recording into the current roast; return it (memory only)."""
        roast, self._roast = self._roast, None
        return roast

    def close_roast(
        self, roast: RoastRef, ended_utc: datetime, status: RecordStatus = RecordStatus.COMPLETE
    ) -> None:
        """Mark a released roast ended (I/O; everything queued before is committed first)."""
        self.store.finish_roast(roast, ended_utc=ended_utc, status=status)

    def sample(self, reading: SensorReading) -> None:
        """Queue one reading."""
        if self._roast is None:
            return
        if self._origin_s is None:
            self._origin_s = reading.monotonic_s
        self._queue(
            self.store.add_sample,
            self._roast,
            self._seq,
            RecordSample(
                time_s=round(reading.monotonic_s - self._origin_s, 3),
                bean_temp_c=reading.bean_temp_c,
                env_temp_c=reading.env_temp_c,
                heat_percent=reading.heat_percent,
                fan_percent=reading.fan_percent,
                drum_on=reading.drum_on,
                door_open=reading.door_open,
                cooling_on=reading.cooling_on,
            ),
        )
        self._seq += 1

    def _queue(self, write: Callable[_P, None], *args: _P.args, **kwargs: _P.kwargs) -> None:
        """Hand a row to the store; a closed store, or any error making the row, is logged only.

        The session records from its polling thread and under its commands, which must not fail
        of a storage problem: a command that was carried out is never reported as failed.
        """
        try:
            write(*args, **kwargs)
        except Exception:
            if not self._store_failed:
                logger.exception("the roast store refused a write; this roast is incomplete")
            self._store_failed = True

    def note_mark(self, kind: RoastEventType) -> None:
        """Remember who marked ``kind`` by hand: an agent's marks are kept with source "agent"."""
        if current_caller().name == AGENT_CALLER:
            self._agent_marks.add(kind)
        else:
            self._agent_marks.discard(kind)

    def events(self, events: tuple[RoastEvent, ...]) -> None:
        """Store the roast's events when they changed (a detection, a mark, a moved mark)."""
        if self._roast is None or self._origin_s is None:
            return
        origin = self._origin_s
        current = tuple(
            RecordEvent(
                type=event.type,
                time_s=round(event.monotonic_s - origin, 3),
                bean_temp_c=event.bean_temp_c,
                source=_source(event, self._agent_marks),
            )
            for event in events
        )
        if current != self._events:
            self._events = current
            self._queue(self.store.set_events, self._roast, current)

    def command(
        self,
        command: str,
        arguments: Mapping[str, object],
        result: str,
        *,
        refused: bool,
        at_utc: datetime,
    ) -> None:
        """Queue a command with its result or refusal, attributed to the current caller.

        The caller (front end, role, token name) is whoever the front end said is calling
        (:func:`~roastctl.access.caller.calling_as`). A refusal is kept bounded, and only within
        its caller's budget (:mod:`roastctl.access.refusal_log`).
        """
        caller = current_caller()
        if refused:
            # Budgeted by what the command log names: front end, role and token name.
            who = (caller.name, caller.role.value, caller.token_name)
            kept = self._refusals.keep(who, at_utc, command, arguments, result)
            if kept is None:
                return
            command, arguments, result = kept.command, kept.arguments, kept.result
        self._queue(
            self.store.add_command,
            self._roast,
            command,
            dict(arguments),
            result,
            refused=refused,
            caller=caller.name,
            at_utc=at_utc,
            role=caller.role.value,
            token_name=caller.token_name,
        )

    def keep_extra(self, key: str, value: object) -> None:
        """Keep ``value`` under ``key`` of the roast's ``extra`` (e.g. the reference it follows)."""
        if self._roast is None:
            return
        self._queue(self.store.set_extra, self._roast, key, value)

    def safety(self, event: SafetyEvent) -> None:
        """Queue one entry of the safety log."""
        self._queue(
            self.store.add_safety_event,
            self._roast,
            at_utc=event.timestamp,
            kind=event.kind.value,
            rule=event.rule.value,
            message=event.message,
            bean_temp_c=event.bean_temp_c,
            env_temp_c=event.env_temp_c,
        )


def _source(event: RoastEvent, agent_marks: set[RoastEventType]) -> str:
    """Who put ``event`` on the time line: auto, agent, manual, command or safety."""
    if event.source is EventSource.MANUAL and event.type in agent_marks:
        return "agent"
    return event.source.value


__all__ = ["RoastRecorder"]
