"""A designed curve typed on the dashboard: one ``mm:ss BT`` line per waypoint.

The Follow panel takes a designed curve as text, the way a roaster writes a plan on paper::

    0:00 charge
    5:00 140 DRY
    9:30 193 FCs
    11:30 207 DROP

Each line is a time since CHARGE (``m:ss``, or plain seconds) and a BT in deg C; the first line may
say ``charge`` (or nothing) instead of a BT, meaning "BT at the charge, whatever it is". An
optional third word names an event the curve aims at then (Artisan's short names or the event
names). Blank lines and lines starting with ``#`` are skipped; ``;`` or ``/`` may separate points
on one line. The limits of a designed curve (times, temperatures, point count) are checked by
:func:`roastctl.control.reference.designed_reference` when the manager builds the reference; this
module only reads the text.
"""

from __future__ import annotations

import math
import re

from roastctl.control.reference import DesignedCurve, Waypoint
from roastctl.errors import InvalidCommandError
from roastctl.models import RoastEventType

#: The longest curve text read (a 50-point curve is well under 2 KB).
MAX_CURVE_TEXT = 4000

#: Event words a line may end with: Artisan's short names and the event names themselves.
EVENT_WORDS: dict[str, RoastEventType] = {
    "DRY": RoastEventType.DRY_END,
    "DE": RoastEventType.DRY_END,
    "FCS": RoastEventType.FIRST_CRACK_START,
    "FC": RoastEventType.FIRST_CRACK_START,
    "FCE": RoastEventType.FIRST_CRACK_END,
    "SCS": RoastEventType.SECOND_CRACK_START,
    "SCE": RoastEventType.SECOND_CRACK_END,
    "DROP": RoastEventType.DROP,
    **{kind.value.upper(): kind for kind in RoastEventType},
}

#: Events a designed curve cannot aim at: CHARGE is its 0:00, TP and COOL are not roasting goals.
_NOT_AIMED_AT = (RoastEventType.CHARGE, RoastEventType.TURNING_POINT, RoastEventType.COOL)
_TIME = re.compile(r"^(?:(\d{1,2}):([0-5]\d)|(\d+(?:\.\d+)?))$")
EXAMPLE = "0:00 charge / 5:00 140 / 9:30 193 FCs / 11:30 207 DROP"


def _line_error(number: int, line: str, problem: str) -> InvalidCommandError:
    return InvalidCommandError(
        f"line {number} of the designed curve ({line[:40]!r}) {problem}. Nothing was changed; "
        f"write one 'mm:ss BT' line per point, e.g. {EXAMPLE}."
    )


def _seconds(number: int, line: str, text: str) -> float:
    match = _TIME.match(text)
    if match is None:
        raise _line_error(number, line, f"has the time {text[:12]!r}, not m:ss or seconds")
    if match.group(3) is not None:
        return float(match.group(3))
    return int(match.group(1)) * 60.0 + int(match.group(2))


def parse_curve_text(text: str, *, name: str = "designed curve") -> DesignedCurve:
    """Return the designed curve ``text`` describes (see the module's docstring).

    Refused (:class:`InvalidCommandError`, naming the line) when a line is not ``mm:ss BT``
    with an optional event word, when the text is empty or longer than 4000 characters.
    """
    if len(text) > MAX_CURVE_TEXT:
        raise InvalidCommandError(
            f"the designed curve is {len(text)} characters long; at most {MAX_CURVE_TEXT} are "
            "read. Nothing was changed; give at most 50 'mm:ss BT' lines."
        )
    points: list[Waypoint] = []
    events: dict[RoastEventType, float] = {}
    lines = [line.strip() for line in text.replace(";", "\n").replace("/", "\n").splitlines()]
    for number, line in enumerate(lines, start=1):
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if len(words) > 3:
            raise _line_error(number, line, "has more than a time, a BT and an event")
        at_s = _seconds(number, line, words[0])
        bt: float | None
        rest = words[1:]
        if not rest or rest[0].lower() == "charge":
            bt = None
            rest = rest[1:]
        else:
            try:
                bt = float(rest[0])
            except ValueError:
                bt = math.nan
            if not math.isfinite(bt):
                raise _line_error(number, line, f"has the BT {rest[0][:12]!r}, not a number")
            rest = rest[1:]
        if rest:
            kind = EVENT_WORDS.get(rest[0].upper())
            if kind is None or kind in _NOT_AIMED_AT:
                allowed = "DRY, FCs, FCe, SCs, SCe, DROP"
                raise _line_error(number, line, f"names the event {rest[0][:12]!r}; use {allowed}")
            events[kind] = at_s
        points.append(Waypoint(at_s=at_s, bt_c=bt))
    if not points:
        raise InvalidCommandError(
            f"the designed curve is empty. Nothing was changed; write one 'mm:ss BT' line per "
            f"point, e.g. {EXAMPLE}."
        )
    return DesignedCurve(points=tuple(points), name=name, events=events)


__all__ = ["EVENT_WORDS", "MAX_CURVE_TEXT", "parse_curve_text"]
