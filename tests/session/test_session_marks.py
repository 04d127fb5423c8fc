"""Second crack and COOL on the simulator: marked in order, refused out of order, kept in store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from roastctl.clock import ManualClock
from roastctl.errors import InvalidCommandError
from roastctl.models import EventSource, RoastEventType, RoastStatus
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore
from support import preheat_and_charge, run_until, simulated_session

FCS = RoastEventType.FIRST_CRACK_START
SCS = RoastEventType.SECOND_CRACK_START
SCE = RoastEventType.SECOND_CRACK_END
DROP = RoastEventType.DROP
COOL = RoastEventType.COOL


def elapsed_at_least(seconds: float) -> Callable[[RoastStatus], bool]:
    return lambda s: (s.metrics.roast_elapsed_s or 0) >= seconds


def run_for(manager: RoastSessionManager, clock: ManualClock, seconds: float) -> None:
    """Step the clock and poll for ``seconds`` (after DROP the roast's elapsed time stops)."""
    for _ in range(round(seconds)):
        clock.advance(1.0)
        manager.poll_once()


def timeline(manager: RoastSessionManager) -> list[tuple[RoastEventType, float, EventSource]]:
    return [(e.type, e.monotonic_s, e.source) for e in manager.get_status().events]


def refused(manager: RoastSessionManager, kind: str, *expected: str) -> None:
    """Marking ``kind`` now is refused with ``expected`` in the message and changes nothing."""
    before = timeline(manager)
    with pytest.raises(InvalidCommandError) as error:
        manager.mark_event(kind)
    for words in expected:
        assert words in str(error.value)
    assert timeline(manager) == before


def cool_down(manager: RoastSessionManager, clock: ManualClock) -> RoastStatus:
    """Cooling after the drop until BT and ET are well below the release temperatures."""
    safety = manager.config.safety
    margin_c = 10.0  # the BT probe in the emptied drum wanders; stay clear of the threshold

    def cool(status: RoastStatus) -> bool:
        sensors = status.sensors
        return (
            sensors is not None
            and sensors.bean_temp_c < safety.release_temp_c - margin_c
            and sensors.env_temp_c < safety.env_release_temp_c - margin_c
        )

    return run_until(manager, clock, cool, limit_s=900)


def test_a_roast_with_all_marks_in_order(started: RoastSessionManager, clock: ManualClock) -> None:
    preheat_and_charge(started, clock)
    run_until(started, clock, elapsed_at_least(420))
    refused(started, "SC_START", "SC_START needs FC_START first", "report_first_crack")
    refused(started, "COOL", "COOL needs DROP first", "drop_beans")
    started.mark_event(FCS)
    run_until(started, clock, elapsed_at_least(560))
    refused(started, "SC_END", "SC_END needs SC_START first")
    second = started.mark_event("sc_start")  # names are case-insensitive, as for the others
    assert (second.type, second.source) == (SCS, EventSource.MANUAL)
    run_until(started, clock, elapsed_at_least(580))
    started.mark_event(SCE)
    run_until(started, clock, elapsed_at_least(590))
    drop = started.drop_beans()
    assert drop is not None
    run_for(started, clock, 20)
    refused(started, "SC_END", "would be after DROP", "before DROP")
    started.start_cooling()
    status = cool_down(started, clock)
    assert COOL not in {e.type for e in status.events}  # cooling still runs: no COOL yet
    started.stop_cooling()
    status = started.get_status()
    kinds = [e.type for e in status.events]
    assert kinds[-4:] == [SCS, SCE, DROP, COOL]
    cool = status.events[-1]
    assert cool.source is EventSource.COMMAND
    assert cool.monotonic_s == pytest.approx(clock.monotonic(), abs=1.5)
    assert status.timestamps.second_crack_utc == second.timestamp
    assert status.timestamps.cool_utc == cool.timestamp
    assert status.timestamps.cool_local is not None
    # DTR stays first crack to DROP over CHARGE to DROP: COOL does not lengthen the roast.
    assert status.metrics.drop_s == drop.elapsed_s
    assert status.metrics.total_duration_s == drop.elapsed_s


def test_stop_cooling_keeps_a_marked_cool_and_marks_nothing_without_a_drop(
    started: RoastSessionManager, clock: ManualClock
) -> None:
    started.stop_cooling()  # no roast at all
    assert started.get_status().events == ()
    preheat_and_charge(started, clock)
    run_until(started, clock, elapsed_at_least(300))
    started.drop_beans()
    cool_down(started, clock)
    marked = started.mark_event(COOL)
    clock.advance(30)
    started.poll_once()
    started.stop_cooling()
    cool = [e for e in started.get_status().events if e.type is COOL]
    assert [(e.source, e.monotonic_s) for e in cool] == [(EventSource.MANUAL, marked.monotonic_s)]


def test_stop_cooling_refused_while_hot_marks_no_cool(
    started: RoastSessionManager, clock: ManualClock
) -> None:
    preheat_and_charge(started, clock)
    run_until(started, clock, elapsed_at_least(540))  # BT about 200 deg C
    started.drop_beans()
    with pytest.raises(InvalidCommandError, match="stop_cooling refused"):
        started.stop_cooling()
    assert COOL not in {e.type for e in started.get_status().events}


def test_the_new_marks_survive_the_store_file(clock: ManualClock, tmp_path: Path) -> None:
    path = tmp_path / "roasts.sqlite3"
    store = RoastStore(path)
    manager, _, _ = simulated_session(store, clock)
    manager.start_session()
    roast_id = manager.roast_id
    assert roast_id is not None
    preheat_and_charge(manager, clock)
    run_until(manager, clock, elapsed_at_least(480))
    manager.mark_event(FCS)
    run_until(manager, clock, elapsed_at_least(580))
    manager.mark_event(SCS)
    run_until(manager, clock, elapsed_at_least(600))
    manager.mark_event(SCE)
    manager.drop_beans()
    cool_down(manager, clock)
    manager.stop_cooling()
    live = {e.type: e for e in manager.get_status().events}
    manager.stop_session()
    store.close()

    reopened = RoastStore(path)  # read back from the file, not from a cache
    try:
        record = reopened.get_roast(roast_id)
    finally:
        reopened.close()
    kept = {e.type: e for e in record.events}
    assert {SCS, SCE, DROP, COOL} <= set(kept)
    assert kept[COOL].source == "command"
    assert kept[SCS].source == "manual"
    charge_kept = kept[RoastEventType.CHARGE].time_s
    charge_live = live[RoastEventType.CHARGE].monotonic_s
    for kind in (SCS, SCE, COOL):
        assert kept[kind].time_s - charge_kept == pytest.approx(
            live[kind].monotonic_s - charge_live, abs=1e-3
        )
