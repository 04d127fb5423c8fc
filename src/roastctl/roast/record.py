"""A kept roast: what the store saves, the exporters write and the importers read.

A :class:`RoastRecord` is the whole recording of one roast: its samples from the start of the
recording (preheat included), the events on its time line, and what the roaster knows about it
(bean, weights, notes). Times are seconds since the recording started; temperatures are deg C.
It is independent of where it came from: a live session, the SQLite store or an imported file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from roastctl.models import RoastEventType


class RecordStatus(StrEnum):
    """Where a kept roast stands."""

    RECORDING = "recording"  # the session is still writing it
    COMPLETE = "complete"  # the session ended normally
    INTERRUPTED = "interrupted"  # the process died while recording; the data up to then is kept
    IMPORTED = "imported"  # read from a file


@dataclass(frozen=True, slots=True)
class RecordSample:
    """One sample; ``None`` where the source did not record a value."""

    time_s: float
    bean_temp_c: float | None
    env_temp_c: float | None
    heat_percent: int | None = None
    fan_percent: int | None = None
    drum_on: bool | None = None
    door_open: bool | None = None
    cooling_on: bool | None = None


@dataclass(frozen=True, slots=True)
class RecordEvent:
    """An event on the roast's time line.

    ``source`` is who put it there: auto, agent, manual, command, safety or imported.
    """

    type: RoastEventType
    time_s: float
    bean_temp_c: float | None
    source: str = "auto"


@dataclass(frozen=True, slots=True)
class RoastRecord:
    """One roast, whole."""

    uuid: str
    started_utc: datetime
    samples: tuple[RecordSample, ...]
    events: tuple[RecordEvent, ...] = ()
    status: RecordStatus = RecordStatus.COMPLETE
    ended_utc: datetime | None = None
    title: str = ""
    bean: str | None = None
    batch_g: float | None = None
    roasted_g: float | None = None
    notes: str = ""
    roaster: str = "Hottop KN-8828B-2K+"
    sampling_interval_s: float | None = None
    id: int | None = None
    #: Anything else worth keeping from the source (e.g. Artisan's ``computed`` block).
    extra: dict[str, object] = field(default_factory=dict)

    def event(self, kind: RoastEventType) -> RecordEvent | None:
        """Return the event of ``kind``, or ``None``."""
        return next((e for e in self.events if e.type is kind), None)


__all__ = ["RecordEvent", "RecordSample", "RecordStatus", "RoastRecord"]
