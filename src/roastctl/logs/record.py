"""A kept roast: what the store saves, the exporters write and the importers read.

A :class:`RoastRecord` is the whole recording of one roast: its samples from the start of the
recording (preheat included), the events on its time line, and what the roaster knows about it
(bean, weights, notes). Times are seconds since the recording started; temperatures are deg C.
It is independent of where it came from: a live session, the SQLite store or an imported file.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from roastctl.logs.artisan import RecordedRoast
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


def record_from_recorded(recorded: RecordedRoast, *, title: str = "") -> RoastRecord:
    """Turn a roast log read by any reader into a record (times as the log has them)."""
    heat = recorded.heater_percent or [None] * len(recorded.times)
    fan = recorded.fan_percent or [None] * len(recorded.times)
    samples = tuple(
        RecordSample(
            time_s=time_s,
            bean_temp_c=bean,
            env_temp_c=env,
            heat_percent=None if h is None else round(h),
            fan_percent=None if f is None else round(f),
        )
        for time_s, bean, env, h, f in zip(
            recorded.times, recorded.bean_temps, recorded.env_temps, heat, fan, strict=True
        )
    )
    events = tuple(
        RecordEvent(
            type=kind,
            time_s=recorded.times[index],
            bean_temp_c=recorded.bean_temps[index],
            source="imported",
        )
        for kind, index in sorted(recorded.marks.items(), key=lambda item: item[1])
    )
    return RoastRecord(
        uuid=uuid.uuid4().hex,
        started_utc=datetime.now(UTC),
        samples=samples,
        events=events,
        status=RecordStatus.IMPORTED,
        title=recorded.title or title,
        batch_g=recorded.batch_mass_g,
        sampling_interval_s=recorded.sampling_interval_s,
    )


__all__ = ["RecordEvent", "RecordSample", "RecordStatus", "RoastRecord", "record_from_recorded"]
