"""The order a person's marks must keep: second crack after first crack, COOL after DROP.

Artisan's marks SCs, SCe and COOL only mean something after the mark before them: second crack
starts after first crack, ends after it started, and both happen in the drum (before DROP);
cooling ends after the drop. A mark that breaks this order is refused and changes nothing, and
so is moving an earlier mark past a later one (FC_START after SC_START, DROP after COOL).

Only marks made by a person or an agent are checked. DROP from a command, the safety supervisor
or the roaster's watchdog records what physically happened and is never refused here.
"""

from __future__ import annotations

from collections.abc import Mapping

from roastctl.errors import InvalidCommandError
from roastctl.models import RoastEventType
from roastctl.roast.phases import format_mmss

_FC_START = RoastEventType.FIRST_CRACK_START
_SC_START = RoastEventType.SECOND_CRACK_START
_SC_END = RoastEventType.SECOND_CRACK_END
_DROP = RoastEventType.DROP
_COOL = RoastEventType.COOL

#: Each ordered mark and the mark that must come before it (and be present first).
REQUIRES: dict[RoastEventType, RoastEventType] = {
    _SC_START: _FC_START,
    _SC_END: _SC_START,
    _COOL: _DROP,
}
#: Marks that happen in the drum, so at or before DROP when DROP is on the time line.
BEFORE_DROP: frozenset[RoastEventType] = frozenset({_SC_START, _SC_END})

_HOW_TO_MARK: dict[RoastEventType, str] = {
    _FC_START: "mark FC_START (report_first_crack) when first crack starts",
    _SC_START: "mark SC_START when second crack starts",
    _DROP: "drop the beans (drop_beans) or mark DROP",
}


def check_mark_order(
    kind: RoastEventType, at_s: float, times: Mapping[RoastEventType, float], charge_s: float
) -> None:
    """Refuse marking ``kind`` at ``at_s`` if it breaks the order of the marks in ``times``.

    ``times`` holds the session-clock time of every event on the time line, ``charge_s`` that of
    CHARGE (times in messages are MM:SS since CHARGE). Raises :class:`InvalidCommandError` naming
    the event, what the time line holds and what to do next.
    """

    def shown(time_s: float) -> str:
        return format_mmss(time_s - charge_s) or f"{time_s - charge_s:.0f} s"

    before = REQUIRES.get(kind)
    if before is not None:
        if before not in times:
            raise InvalidCommandError(
                f"{kind.value} needs {before.value} first: this roast has no {before.value} yet. "
                f"First {_HOW_TO_MARK[before]}, then mark {kind.value}. Nothing was changed."
            )
        if at_s < times[before]:
            raise InvalidCommandError(
                f"{kind.value} at {shown(at_s)} would be before {before.value} at "
                f"{shown(times[before])}; {kind.value} comes after {before.value}. Give a time "
                f"at or after {shown(times[before])}. Nothing was changed."
            )
    if kind in BEFORE_DROP and _DROP in times and at_s > times[_DROP]:
        raise InvalidCommandError(
            f"{kind.value} at {shown(at_s)} would be after DROP at {shown(times[_DROP])}; second "
            f"crack happens in the drum, before DROP. Give a time at or before "
            f"{shown(times[_DROP])}. Nothing was changed."
        )
    for later, earlier in REQUIRES.items():
        if earlier is kind and later in times and at_s > times[later]:
            raise InvalidCommandError(
                f"{kind.value} at {shown(at_s)} would be after {later.value} at "
                f"{shown(times[later])}; {kind.value} comes first. Give a time at or before "
                f"{shown(times[later])}, or mark {later.value} again later. Nothing was changed."
            )
    if kind is _DROP:
        for in_drum in sorted(BEFORE_DROP & times.keys()):
            if at_s < times[in_drum]:
                raise InvalidCommandError(
                    f"DROP at {shown(at_s)} would be before {in_drum.value} at "
                    f"{shown(times[in_drum])}; second crack happens in the drum, before DROP. "
                    f"Give a time at or after {shown(times[in_drum])}. Nothing was changed."
                )


__all__ = ["BEFORE_DROP", "REQUIRES", "check_mark_order"]
