"""A roast's heater, fan and drum changes as Artisan special events.

Artisan keeps a profile's custom events in four parallel lists: ``specialevents`` (sample
indices into ``timex``), ``specialeventstype`` (an index into ``etypes``: 0 Air/Fan, 1 Drum,
2 Damper, 3 Burner/Heater), ``specialeventsvalue`` (Artisan's *internal* value) and
``specialeventsStrings`` (a label). Artisan shows them as markers and replays them.

The value encoding is Artisan's ``events_internal_to_external_value`` (``artisanlib/util.py``,
linked as ``tgraphcanvas.eventsInternal2ExternalValue`` in ``canvas.py``): an internal ``v``
above 1.0 is the external ``round(v * 10) - 10``, so 11.0 is 100 %, 6.0 is 50 % and 1.0 is 0 %.
Its inverse, written here, is ``internal = external / 10 + 1``.

Import reads them back (:func:`levels_from_events`): a file whose heater or fan was recorded
only as events (no channel curve, as Artisan writes for a roaster it cannot read them from) gets
that control's setting on every sample, held from one event to the next.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
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


#: Event type names (lower case) that Artisan setups use for the heater and for the fan.
_HEATER_NAMES = frozenset({"burner", "heater", "heat", "power"})
_FAN_NAMES = frozenset({"air", "fan"})


def internal_event_value(percent: float) -> float:
    """Artisan's internal event value of an external ``percent`` (0..100): percent / 10 + 1."""
    return percent / 10 + 1


def external_event_value(internal: float) -> int:
    """Artisan's external value (percent) of an internal event value: round(v * 10) - 10.

    Artisan reads every internal value from -1.0 to 1.0 as 0, and mirrors negative ones.
    """
    if -1.0 <= internal <= 1.0:
        return 0
    if internal < -1.0:
        return -(round(abs(internal) * 10) - 10)
    return round(internal * 10) - 10


def levels_from_events(
    profile: Mapping[str, Any], count: int
) -> tuple[list[int | None] | None, list[int | None] | None]:
    """Return the heater and fan settings per sample held in a profile's special events.

    Each is a list of ``count`` values in percent (``None`` before the control's first event),
    or ``None`` when the profile has no event of that control. The control of an event type is
    told by its name in ``etypes`` (Burner/Heater/Power, Air/Fan), else by Artisan's default
    positions (3 heater, 0 fan). Events whose lists disagree in length, point outside the
    samples, or carry no number are skipped.
    """
    indices = profile.get("specialevents")
    kinds = profile.get("specialeventstype")
    values = profile.get("specialeventsvalue")
    if not (isinstance(indices, list) and isinstance(kinds, list) and isinstance(values, list)):
        return None, None
    etypes = profile.get("etypes")
    names = [str(name).strip().lower() for name in etypes] if isinstance(etypes, list) else []
    heater: list[int | None] | None = None
    fan: list[int | None] | None = None
    for index, kind, value in sorted(
        (entry for entry in zip(indices, kinds, values, strict=False) if _usable(entry, count)),
        key=lambda entry: entry[0],
    ):
        level = max(0, min(100, external_event_value(float(value))))
        control = _control_of(int(kind), names)
        if control == "heater":
            heater = heater or [None] * count
            heater[index:] = [level] * (count - index)
        elif control == "fan":
            fan = fan or [None] * count
            fan[index:] = [level] * (count - index)
    return heater, fan


def _usable(entry: tuple[object, object, object], count: int) -> bool:
    index, kind, value = entry
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return False
    if isinstance(kind, bool) or not isinstance(kind, int) or isinstance(index, bool):
        return False
    return isinstance(index, int) and 0 <= index < count


def _control_of(kind: int, names: Sequence[str]) -> str | None:
    if 0 <= kind < len(names) and names[kind]:
        name = names[kind]
        return "heater" if name in _HEATER_NAMES else "fan" if name in _FAN_NAMES else None
    return {HEATER_EVENT_TYPE: "heater", FAN_EVENT_TYPE: "fan"}.get(kind)


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
