"""A roast's heater, fan and drum changes as Artisan special events.

Artisan keeps a profile's custom events in four parallel lists: ``specialevents`` (sample
indices into ``timex``), ``specialeventstype`` (an index into ``etypes``: 0 Air/Fan, 1 Drum,
2 Damper, 3 Burner/Heater), ``specialeventsvalue`` (Artisan's *internal* value) and
``specialeventsStrings`` (a label). Artisan shows them as markers and replays them.

The value encoding is Artisan's ``events_internal_to_external_value`` (``artisanlib/util.py``,
linked as ``tgraphcanvas.eventsInternal2ExternalValue`` in ``canvas.py``): an internal ``v``
above 1.0 is the external ``round(v * 10) - 10``, so 11.0 is 100 %, 6.0 is 50 % and 1.0 is 0 %.
Its inverse, written here, is ``internal = external / 10 + 1``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from roastctl.logs.record import RecordSample

#: Artisan's event types (indices into ``etypes``) of the controls roastctl records.
FAN_EVENT_TYPE = 0
DRUM_EVENT_TYPE = 1
HEATER_EVENT_TYPE = 3


@dataclass(frozen=True, slots=True)
class _Channel:
    event_type: int
    #: The channel's setting of a sample, in percent (drum: 100 on, 0 off), or None.
    value: Callable[[RecordSample], int | None]


_CHANNELS: tuple[_Channel, ...] = (
    _Channel(FAN_EVENT_TYPE, lambda s: s.fan_percent),
    _Channel(DRUM_EVENT_TYPE, lambda s: None if s.drum_on is None else 100 * int(s.drum_on)),
    _Channel(HEATER_EVENT_TYPE, lambda s: s.heat_percent),
)


def internal_event_value(percent: float) -> float:
    """Artisan's internal event value of an external ``percent`` (0..100): percent / 10 + 1."""
    return percent / 10 + 1


def control_events(
    samples: Sequence[RecordSample], start: int, etypes: Sequence[str]
) -> dict[str, list[Any]]:
    """Return the four ``specialevents*`` lists of the samples' control changes.

    From sample ``start`` (CHARGE, or the first sample) on: each channel's setting at
    ``start`` (its first known one, if ``start`` has none), then every sample where it differs
    from the last known setting. A channel the samples never carry gives no events; a drum
    that is never switched gives only its initial setting. Events are in sample order, and
    within a sample in event-type order. Labels read "<etype> <percent>" ("Drum on"/"off").
    """
    events: list[tuple[int, int, int]] = []  # (sample index, event type, percent)
    for channel in _CHANNELS:
        last: int | None = None
        for index in range(max(start, 0), len(samples)):
            value = channel.value(samples[index])
            if value is None or value == last:
                continue
            events.append((index, channel.event_type, value))
            last = value
    events.sort(key=lambda event: (event[0], event[1]))
    return {
        "specialevents": [index for index, _, _ in events],
        "specialeventstype": [kind for _, kind, _ in events],
        "specialeventsvalue": [internal_event_value(value) for _, _, value in events],
        "specialeventsStrings": [_label(kind, value, etypes) for _, kind, value in events],
    }


def _label(kind: int, percent: int, etypes: Sequence[str]) -> str:
    name = etypes[kind] if kind < len(etypes) else str(kind)
    if kind == DRUM_EVENT_TYPE:
        return f"{name} {'on' if percent else 'off'}"
    return f"{name} {percent}"


__all__ = [
    "DRUM_EVENT_TYPE",
    "FAN_EVENT_TYPE",
    "HEATER_EVENT_TYPE",
    "control_events",
    "internal_event_value",
]
