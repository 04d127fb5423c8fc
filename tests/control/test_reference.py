"""References: recorded roasts aligned at CHARGE, designed curves, and their refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from roastctl.control.reference import (
    DesignedCurve,
    ReferenceSource,
    RorSegment,
    Waypoint,
    designed_reference,
    reference_from_file,
    reference_from_record,
)
from roastctl.errors import InvalidCommandError
from roastctl.logs.record import RecordEvent, RecordSample, RoastRecord
from roastctl.models import RoastEventType
from support import roasts_dir

CHARGE_S = 100.0


def recorded(
    *,
    drop_s: float | None = 700.0,
    charge: bool = True,
    cool_after_drop: bool = False,
) -> RoastRecord:
    """A roast recorded every 2 s: preheat, CHARGE at 100 s, a dip to TP, a rise to DROP."""
    samples = []
    for i in range(0, 500):
        t = i * 2.0
        since = t - CHARGE_S
        if since < 0:
            bt = 180.0
        elif since < 60:
            bt = 180.0 - since * 1.6  # falls to 84 at 60 s
        else:
            bt = 84.0 + (since - 60) * 0.19
        if cool_after_drop and drop_s is not None and since > drop_s - 200:
            bt = 150.0  # the beans were out long before the mark
        samples.append(
            RecordSample(
                time_s=t,
                bean_temp_c=bt,
                env_temp_c=190.0 if since <= 0 else 170.0,
                heat_percent=100 if since < 300 else 70,
                fan_percent=0 if since < 400 else 30,
            )
        )
    events = []
    if charge:
        events.append(RecordEvent(RoastEventType.CHARGE, CHARGE_S, 180.0))
    events.append(RecordEvent(RoastEventType.FIRST_CRACK_START, CHARGE_S + 560.0, 190.0))
    if drop_s is not None:
        events.append(RecordEvent(RoastEventType.DROP, CHARGE_S + drop_s, 205.0))
    return RoastRecord(
        uuid="u1",
        started_utc=datetime(2026, 1, 1, tzinfo=UTC),
        samples=tuple(samples),
        events=tuple(events),
        title="Kenya AA",
        batch_g=220.0,
        id=41,
    )


def test_a_recorded_roast_is_aligned_at_its_charge() -> None:
    ref = reference_from_record(recorded())
    assert ref.name == "Kenya AA"
    assert ref.source is ReferenceSource.ROAST
    assert ref.roast_id == 41
    assert ref.batch_g == 220.0
    assert ref.times_s[0] == 0.0
    assert ref.bt_at(0.0) == pytest.approx(180.0)
    assert ref.bt_at(60.0) == pytest.approx(84.0)
    assert ref.track_from_s == pytest.approx(60.0)  # the turning point
    assert ref.drop_s == pytest.approx(700.0)
    assert ref.events_s[RoastEventType.FIRST_CRACK_START] == pytest.approx(560.0)
    assert ref.events_s[RoastEventType.DROP] == pytest.approx(700.0)
    assert ref.charge_env_c == 190.0
    assert ref.ror_at(400.0) == pytest.approx(0.19 * 60, abs=0.01)
    assert ref.heat_at(100.0) == 100
    assert ref.heat_at(350.0) == 70
    assert ref.fan_at(10.0) == 0
    assert ref.fan_at(500.0) == 30
    assert ref.time_at_bt(84.0 + 0.19 * 100) == pytest.approx(160.0)
    assert ref.next_event(300.0) == (RoastEventType.FIRST_CRACK_START, 560.0)
    assert ref.next_event(600.0) == (RoastEventType.DROP, 700.0)
    assert ref.next_event(700.0) is None


def test_without_a_drop_mark_the_reference_ends_at_its_last_bt() -> None:
    ref = reference_from_record(recorded(drop_s=None))
    assert ref.drop_s == pytest.approx(998.0 - CHARGE_S)
    assert ref.events_s[RoastEventType.DROP] == ref.drop_s


def test_a_drop_marked_after_cooling_ends_the_reference_at_the_peak() -> None:
    ref = reference_from_record(recorded(drop_s=800.0, cool_after_drop=True))
    assert ref.drop_s == pytest.approx(600.0)
    assert max(ref.bean_temps_c) == ref.bean_temps_c[-1]


def test_a_roast_without_charge_is_refused_by_name() -> None:
    with pytest.raises(InvalidCommandError, match=r"Kenya AA has no CHARGE mark.*Nothing was"):
        reference_from_record(recorded(charge=False))


def test_a_roast_too_short_to_follow_is_refused() -> None:
    with pytest.raises(InvalidCommandError, match=r"at least 10 samples and 2 minutes"):
        reference_from_record(recorded(drop_s=60.0))


def test_a_missing_file_is_refused_with_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.alog"
    with pytest.raises(InvalidCommandError, match=r"no roast file at .*nope\.alog"):
        reference_from_file(missing)


def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.alog"
    junk.write_text("this is not a roast")
    with pytest.raises(InvalidCommandError, match=r"could not be read as a roast"):
        reference_from_file(junk)


def test_a_shared_hottop_log_makes_a_reference() -> None:
    folder = roasts_dir()
    path = folder / "hottop__hamade__Kenya_Kirinyaga_Kiangoi_AA_25-10-25_1545.alog"
    if not path.exists():
        pytest.skip("../shared/data/roasts is not here (a user's clone has no shared data)")
    ref = reference_from_file(path)
    assert ref.source is ReferenceSource.FILE
    assert ref.path == str(path)
    assert ref.drop_s == pytest.approx(714.0, abs=2.0)  # the MANIFEST's DROP@714s
    assert ref.events_s[RoastEventType.FIRST_CRACK_START] == pytest.approx(566.0, abs=2.0)
    assert 30.0 < ref.track_from_s < 120.0
    assert ref.heat_changes
    assert ref.fan_changes


def test_a_designed_curve_interpolates_waypoints_and_ror_segments() -> None:
    curve = DesignedCurve(
        points=(
            Waypoint(0.0, None),
            Waypoint(300.0, 140.0),
            Waypoint(570.0, 193.0),
            RorSegment(until_s=690.0, ror_c_per_min=7.0),
        ),
        name="FC 9:30",
        events={RoastEventType.FIRST_CRACK_START: 570.0},
        fan=((0.0, 20), (400.0, 40)),
    )
    ref = designed_reference(curve)
    assert ref.source is ReferenceSource.DESIGNED
    assert ref.track_from_s == 300.0
    assert ref.bt_at(435.0) == pytest.approx(166.5)
    assert ref.bt_at(690.0) == pytest.approx(207.0)
    assert ref.drop_s == 690.0
    assert ref.events_s[RoastEventType.DROP] == 690.0
    assert ref.ror_at(630.0) == pytest.approx(7.0)
    assert ref.fan_at(100.0) == 20
    assert ref.fan_at(500.0) == 40
    assert ref.heat_at(100.0) is None


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ((RorSegment(300.0, 5.0),), "starts with a waypoint"),
        ((Waypoint(0.0, None), Waypoint(300.0, 140.0)), "at least two points"),
        ((Waypoint(300.0, 140.0), Waypoint(200.0, 150.0)), r"point 2 .* times must rise"),
        ((Waypoint(60.0, 100.0), Waypoint(300.0, 260.0)), r"BT of point 2 is 260.0 deg C"),
        ((Waypoint(60.0, 100.0), Waypoint(120.0, None)), "only the first point"),
        ((Waypoint(60.0, 100.0), RorSegment(600.0, 80.0)), r"RoR of point 2 .* -30-60"),
        ((Waypoint(60.0, 100.0), RorSegment(3000.0, 5.0)), r"0-1800 s"),
        ((Waypoint(60.0, 200.0), RorSegment(900.0, 20.0)), r"BT the RoR of point 2 reaches"),
    ],
)
def test_a_bad_designed_curve_is_refused_naming_the_point(
    points: tuple[Waypoint | RorSegment, ...], message: str
) -> None:
    with pytest.raises(InvalidCommandError, match=message):
        designed_reference(DesignedCurve(points=points))


def test_a_designed_drop_outside_the_curve_is_refused() -> None:
    curve = DesignedCurve(
        points=(Waypoint(60.0, 100.0), Waypoint(600.0, 200.0)),
        events={RoastEventType.DROP: 700.0},
    )
    with pytest.raises(InvalidCommandError, match=r"DROP at 700 s lies outside"):
        designed_reference(curve)


def test_a_designed_fan_out_of_range_is_refused() -> None:
    curve = DesignedCurve(
        points=(Waypoint(60.0, 100.0), Waypoint(600.0, 200.0)), fan=((100.0, 120),)
    )
    with pytest.raises(InvalidCommandError, match=r"fan at 100 s is 120"):
        designed_reference(curve)
