"""Refusals in the command log: bounded rows, and only so many per caller.

Every refused command is kept in the roast's command log with its arguments, so anyone may learn
what was asked and why it was refused. Anyone includes a caller that may only read: an observer
token calling a control tool in a loop with megabytes of arguments would otherwise fill the disk.
So a refusal is kept as a summary (:func:`summarise_arguments`: each value cut to a few hundred
characters, nesting and item counts capped, the whole capped at :data:`ARGUMENTS_JSON_MAX` bytes,
with the original size noted), and each caller (front end, role and token name) may have
:data:`REFUSAL_BURST` refusals kept at once, then one more per :data:`REFUSAL_REFILL_S` seconds
(:class:`RefusalThrottle`). The refusals not kept are counted; the next one kept says how many.

Commands that were carried out are kept whole: they passed the declared limits already.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime

logger = logging.getLogger(__name__)

#: Characters kept of one text value (and of a command name, a key or an unknown object).
TEXT_MAX = 200
#: Keys of one object, or items of one list, kept.
ITEMS_MAX = 20
#: Levels of nesting kept.
DEPTH_MAX = 4
#: Bytes of the stored arguments (their JSON), at most.
ARGUMENTS_JSON_MAX = 2048
#: Characters kept of the refusal's reason.
RESULT_MAX = 2000
#: Refusals one caller may have kept at once ...
REFUSAL_BURST = 20
#: ... and the seconds after which it may have one more kept.
REFUSAL_REFILL_S = 3.0
#: Callers remembered at once (the oldest is forgotten beyond this).
CALLERS_MAX = 256


def _text(value: str) -> str:
    if len(value) <= TEXT_MAX:
        return value
    return f"{value[:TEXT_MAX]}… ({len(value)} characters)"


def _str(value: object) -> str:
    # A refusal is kept whatever its arguments are: one that cannot be put into words is named.
    try:
        return str(value)
    except Exception:
        return f"<a {type(value).__name__} that cannot be shown as text>"


def _summary(value: object, depth: int) -> object:
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, int):
        # str() of a huge int is itself slow (and refused past 4300 digits): say its size.
        return value if value.bit_length() <= 64 else f"<an integer of {value.bit_length()} bits>"
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, Mapping | list | tuple):
        if depth >= DEPTH_MAX:
            return f"<{type(value).__name__} nested more than {DEPTH_MAX} levels deep>"
        if isinstance(value, Mapping):
            kept = {
                _text(_str(key)): _summary(item, depth + 1)
                for key, item in itertools.islice(value.items(), ITEMS_MAX)
            }
            if len(value) > ITEMS_MAX:
                kept["…"] = f"{len(value) - ITEMS_MAX} more keys"
            return kept
        items = [_summary(item, depth + 1) for item in value[:ITEMS_MAX]]
        if len(value) > ITEMS_MAX:
            items.append(f"… {len(value) - ITEMS_MAX} more items")
        return items
    return _text(_str(value))


def _json_size(value: object) -> int | None:
    try:
        return len(json.dumps(value, default=_str))
    except (RecursionError, ValueError, TypeError):
        return None


def summarise_arguments(arguments: Mapping[str, object]) -> dict[str, object]:
    """Return ``arguments`` bounded for the command log, noting the original size if cut.

    Small arguments come back as they were. Otherwise long text is cut (its length noted), long
    objects and lists keep their first items, deep nesting is replaced by a note, and if the
    result is still over :data:`ARGUMENTS_JSON_MAX` bytes its JSON text is cut instead.
    ``_original_bytes`` is the size of the arguments as JSON (``None`` if they could not even be
    measured).
    """
    summary = _summary(dict(arguments), 0)
    if not isinstance(summary, dict):  # pragma: no cover - a mapping summarises to a dict
        raise TypeError(f"arguments must be a mapping, got {type(arguments).__name__}")
    original = _json_size(arguments)
    if summary == arguments and original is not None and original <= ARGUMENTS_JSON_MAX:
        return summary
    bounded: dict[str, object] = {**summary, "_original_bytes": original}
    text = json.dumps(bounded, default=str)
    if len(text) <= ARGUMENTS_JSON_MAX:
        return bounded
    # Still too big (many values): keep the start of its JSON text, short enough once escaped.
    keep = ARGUMENTS_JSON_MAX
    while True:
        cut: dict[str, object] = {"_summary": text[:keep] + "…", "_original_bytes": original}
        if len(json.dumps(cut)) <= ARGUMENTS_JSON_MAX:
            return cut
        keep //= 2


@dataclass
class _Budget:
    tokens: float
    at: datetime
    suppressed: int = 0


@dataclass(frozen=True, slots=True)
class KeptRefusal:
    """A refusal as the command log keeps it."""

    command: str
    arguments: dict[str, object]
    result: str


class RefusalThrottle:
    """Decides which refusals each caller has kept, and bounds them (module docstring)."""

    def __init__(self, burst: int = REFUSAL_BURST, refill_s: float = REFUSAL_REFILL_S) -> None:
        """Keep ``burst`` refusals per caller at once, then one per ``refill_s`` seconds."""
        self.burst = burst
        self.refill_s = refill_s
        self._budgets: dict[Hashable, _Budget] = {}

    def admit(self, caller: Hashable, at: datetime) -> int | None:
        """Return whether ``caller``'s refusal at ``at`` is kept: ``None`` if not.

        If it is, return how many of the caller's refusals were not kept since the last one kept.
        """
        budget = self._budgets.pop(caller, None)
        if budget is None:
            budget = _Budget(float(self.burst), at)
            while len(self._budgets) >= CALLERS_MAX:
                del self._budgets[next(iter(self._budgets))]
        # A clock stepped back refills nothing (and takes nothing away).
        elapsed = max(0.0, (at - budget.at).total_seconds())
        budget.tokens = min(float(self.burst), budget.tokens + elapsed / self.refill_s)
        budget.at = max(at, budget.at)
        self._budgets[caller] = budget  # most recently seen last
        if budget.tokens < 1.0:
            if budget.suppressed == 0:
                logger.warning(
                    "refusals from %s come faster than %d at once or one per %g s: the command "
                    "log keeps a count of the others, not the refusals themselves",
                    caller,
                    self.burst,
                    self.refill_s,
                )
            budget.suppressed += 1
            return None
        budget.tokens -= 1.0
        suppressed, budget.suppressed = budget.suppressed, 0
        return suppressed

    def keep(
        self,
        caller: Hashable,
        at: datetime,
        command: str,
        arguments: Mapping[str, object],
        result: str,
    ) -> KeptRefusal | None:
        """Return the refusal as it is to be kept, or ``None`` when ``caller`` is over budget."""
        suppressed = self.admit(caller, at)
        if suppressed is None:
            return None
        reason = result if len(result) <= RESULT_MAX else f"{result[:RESULT_MAX]}…"
        if suppressed:
            reason += (
                f" [{suppressed} earlier refusals from this caller were not kept: more than "
                f"{self.burst} at once, or more than one per {self.refill_s:g} s]"
            )
        return KeptRefusal(_text(command), summarise_arguments(arguments), reason)


__all__ = [
    "ARGUMENTS_JSON_MAX",
    "REFUSAL_BURST",
    "REFUSAL_REFILL_S",
    "KeptRefusal",
    "RefusalThrottle",
    "summarise_arguments",
]
