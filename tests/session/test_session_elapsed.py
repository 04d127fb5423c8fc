"""roast_elapsed_s never goes back: not between polls, not at the moment DROP is marked.

Status reads see the clock's now, a DROP mark lands on a sample (the newest, or an earlier one),
so the time since CHARGE once dropped by up to a sampling interval when DROP was marked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from roastctl.clock import ManualClock
from roastctl.models import RoastEventType
from roastctl.session.manager import RoastSessionManager
from support import preheat_and_charge

Drop = Callable[[RoastSessionManager, ManualClock], object]

DROPS: dict[str, Drop] = {
    "drop_beans": lambda m, c: m.drop_beans(),
    "mark DROP now": lambda m, c: m.mark_event(RoastEventType.DROP),
    "mark DROP 0.9 s ago": lambda m, c: m.mark_event(
        RoastEventType.DROP, c.now() - timedelta(seconds=0.9)
    ),
}


def elapsed(manager: RoastSessionManager) -> float:
    value = manager.get_status().metrics.roast_elapsed_s
    assert value is not None
    return value


def test_marking_drop_between_polls_does_not_move_the_time_back(
    started: RoastSessionManager, clock: ManualClock
) -> None:
    preheat_and_charge(started, clock)
    clock.advance(0.7)  # a status read 0.7 s after the newest sample
    before = elapsed(started)
    started.mark_event(RoastEventType.DROP)  # lands on the newest sample, 0.7 s earlier
    assert elapsed(started) >= before


@pytest.mark.parametrize("name", DROPS)
def test_time_since_charge_never_decreases(
    started: RoastSessionManager, clock: ManualClock, name: str
) -> None:
    preheat_and_charge(started, clock)
    seen: list[float] = []
    for tick in range(40):
        for offset in (0.0, 0.3, 0.3, 0.3):  # reads at and between the samples
            clock.advance(offset)
            seen.append(elapsed(started))
        clock.advance(0.1)
        if tick == 20:
            DROPS[name](started, clock)
        started.poll_once()
        seen.append(elapsed(started))
    assert seen == sorted(seen)
    status = started.get_status()
    assert status.metrics.drop_s is not None
    assert seen[-1] == elapsed(started)  # stopped at DROP: later reads all agree
    assert seen[-1] - status.metrics.drop_s < 2.0  # within a sampling interval of the mark
