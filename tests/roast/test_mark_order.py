"""The order of second crack and COOL marks: refused out of order, with a message that helps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from roastctl.errors import InvalidCommandError
from roastctl.models import EventSource, RoastEventType, SensorReading
from roastctl.roast.mark_order import check_mark_order
from roastctl.roast.tracker import RoastTracker

CHARGE = RoastEventType.CHARGE
FCS = RoastEventType.FIRST_CRACK_START
SCS = RoastEventType.SECOND_CRACK_START
SCE = RoastEventType.SECOND_CRACK_END
DROP = RoastEventType.DROP
COOL = RoastEventType.COOL

#: A roast on the session clock: CHARGE at 100 s, FCs at 580 s (8:00), DROP at 760 s (11:00).
TIMES = {CHARGE: 100.0, FCS: 580.0, DROP: 760.0}


def check(kind: RoastEventType, at_s: float, **marks: float) -> None:
    times = dict(TIMES)
    times.update({RoastEventType(name): value for name, value in marks.items()})
    check_mark_order(kind, at_s, times, charge_s=100.0)


@pytest.mark.parametrize(
    ("kind", "at_s", "marks"),
    [
        (SCS, 700.0, {}),
        (SCS, 580.0, {}),  # at first crack itself
        (SCS, 760.0, {}),  # at DROP itself
        (SCE, 740.0, {"SC_START": 700.0}),
        (COOL, 1000.0, {}),
        (COOL, 760.0, {}),
        (FCS, 600.0, {"SC_START": 700.0}),  # first crack moved, still before second crack
        (DROP, 800.0, {"SC_START": 700.0, "COOL": 900.0}),
    ],
)
def test_marks_in_order_are_accepted(
    kind: RoastEventType, at_s: float, marks: dict[str, float]
) -> None:
    check(kind, at_s, **marks)


def test_second_crack_needs_first_crack() -> None:
    times = {CHARGE: 100.0}
    with pytest.raises(InvalidCommandError) as refused:
        check_mark_order(SCS, 600.0, times, charge_s=100.0)
    message = str(refused.value)
    assert "SC_START needs FC_START first" in message
    assert "report_first_crack" in message  # the next step
    assert "Nothing was changed" in message


def test_second_crack_before_first_crack_names_both_times() -> None:
    with pytest.raises(
        InvalidCommandError, match=r"SC_START at 07:00 would be before FC_START at 08:00"
    ):
        check(SCS, 520.0)


def test_second_crack_end_needs_its_start_and_comes_after_it() -> None:
    with pytest.raises(InvalidCommandError, match="SC_END needs SC_START first"):
        check(SCE, 700.0)
    with pytest.raises(InvalidCommandError, match=r"SC_END at 09:50 would be before SC_START"):
        check(SCE, 690.0, SC_START=700.0)


def test_second_crack_after_drop_is_refused() -> None:
    with pytest.raises(
        InvalidCommandError, match=r"SC_START at 11:40 would be after DROP at 11:00"
    ):
        check(SCS, 800.0)
    with pytest.raises(InvalidCommandError, match="before DROP"):
        check(SCE, 800.0, SC_START=700.0)


def test_cool_needs_drop_and_comes_after_it() -> None:
    with pytest.raises(InvalidCommandError, match=r"COOL needs DROP first.*drop_beans"):
        check_mark_order(COOL, 900.0, {CHARGE: 100.0, FCS: 580.0}, charge_s=100.0)
    with pytest.raises(InvalidCommandError, match=r"COOL at 10:00 would be before DROP at 11:00"):
        check(COOL, 700.0)


@pytest.mark.parametrize(
    ("kind", "at_s", "marks", "expected"),
    [
        (FCS, 720.0, {"SC_START": 700.0}, "FC_START at 10:20 would be after SC_START at 10:00"),
        (
            SCS,
            750.0,
            {"SC_START": 700.0, "SC_END": 740.0},
            "SC_START at 10:50 would be after SC_END",
        ),
        (DROP, 950.0, {"COOL": 900.0}, "DROP at 14:10 would be after COOL at 13:20"),
        (DROP, 690.0, {"SC_START": 700.0}, "DROP at 09:50 would be before SC_START at 10:00"),
    ],
)
def test_moving_a_mark_past_its_neighbour_is_refused(
    kind: RoastEventType, at_s: float, marks: dict[str, float], expected: str
) -> None:
    with pytest.raises(InvalidCommandError, match=expected):
        check(kind, at_s, **marks)


# --- on the tracker -------------------------------------------------------------------------------

T0 = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)


def reading(time_s: float, bean_c: float) -> SensorReading:
    return SensorReading(
        timestamp=T0 + timedelta(seconds=time_s),
        monotonic_s=time_s,
        bean_temp_c=bean_c,
        env_temp_c=bean_c + 30.0,
        heat_percent=50,
        fan_percent=20,
        drum_on=True,
        door_open=False,
        cooling_on=False,
    )


def tracker_at(until_s: int) -> RoastTracker:
    tracker = RoastTracker()
    for second in range(until_s + 1):
        tracker.update(reading(float(second), 100.0 + second * 0.2))
    tracker.mark_event(CHARGE, time_s=10.0)
    return tracker


def timeline(tracker: RoastTracker) -> list[tuple[RoastEventType, float, EventSource]]:
    return [(e.type, e.monotonic_s, e.source) for e in tracker.events()]


def test_a_refused_mark_changes_nothing_on_the_tracker() -> None:
    tracker = tracker_at(600)
    before = timeline(tracker)
    for kind in (SCS, SCE, COOL):
        with pytest.raises(InvalidCommandError, match="Nothing was changed"):
            tracker.mark_event(kind, time_s=500.0)
        assert timeline(tracker) == before
    tracker.mark_event(FCS, time_s=400.0)
    with pytest.raises(InvalidCommandError, match="before FC_START"):
        tracker.mark_event(SCS, time_s=390.0)
    assert tracker.event(SCS) is None


def test_all_marks_in_order_on_the_tracker_keep_phases_and_dtr() -> None:
    tracker = tracker_at(900)
    tracker.mark_event(FCS, time_s=400.0)
    tracker.mark_event(DROP, time_s=600.0)
    metrics = tracker.metrics()
    tracker.mark_event(SCS, time_s=540.0)
    tracker.mark_event(SCE, time_s=580.0)
    tracker.mark_event(COOL, time_s=850.0)
    assert [e.type for e in tracker.events()][-4:] == [SCS, SCE, DROP, COOL]
    # Second crack and COOL are marks on the time line only: phases and DTR keep their meaning.
    assert tracker.metrics() == metrics
    assert metrics.development_time_percent == pytest.approx(200 / 590 * 100, abs=0.1)


def test_command_and_safety_marks_are_not_held_to_the_order() -> None:
    tracker = tracker_at(900)
    tracker.mark_event(FCS, time_s=400.0)
    tracker.mark_event(SCS, time_s=700.0)
    # A forced drop records what happened, even before a (mistaken) second-crack mark.
    drop = tracker.mark_event(DROP, time_s=650.0, source=EventSource.SAFETY)
    assert drop.source is EventSource.SAFETY
