"""The tracker on real roasts recorded by other people (skipped where the logs are absent)."""

from __future__ import annotations

import pytest

from roastctl.config import TrackerConfig
from roastctl.logs.load import load_recorded_roast
from roastctl.logs.record import RecordedRoast
from roastctl.models import RoastEventType
from roastctl.roast.events import detect_charge
from roastctl.roast.phases import compute_phases
from roastctl.roast.tracker import RoastTracker
from support import readings, roast_file, roasts_dir

#: Drum-roaster logs whose CHARGE mark the BT curve confirms: detection must be within 1 sample.
CHARGE_WITHIN_ONE_SAMPLE = [
    "hottop__hamade__Belfalas",
    "hottop__hamade__Chewyola",
    "hottop__hamade__Daz",
    "hottop__hamade__Dona_Maria",
    "hottop__hamade__Into_the_Night",
    "hottop__hamade__JacobTaylor",
    "hottop__hamade__Kenya",
    "hottop__hamade__Mountain_Top",
    "hottop__hamade__Sumatra",
    "hottop__hamade__Twigfoot",
    "hottop__hamade__YoYo",
    "hottop__frogmoses__1_",
    "hottop__hypersprite__20-04-11",
    "hottop__hypersprite__20-06-20",
    "hottop__hypersprite__20-07-09",
    "hottop__hypersprite__20-08-25",
    "hottop__hypersprite__20-10-28",
    "bullet__hypersprite__21-01-22",
    "skywalker__scottjames__roast_25-08-30",
    "skywalker__scottjames__roast_25-10-05",
    "skywalker__scottjames__roast_25-11-16",
    "skywalker__scottjames__roast_26-03-29",
    "skywalker__scottjames__roast_26-08-09",
]

#: Logs where the mark and the curve disagree, with what the curve shows instead.
#: HyperSprite's Artisan 2.x smoothed BT shows the fall two samples (4 s) after the button press.
CHARGE_EXPLAINED = {
    "hottop__hypersprite__20-05-13": 2,
    "hottop__hypersprite__20-05-24": 2,
    "hottop__hypersprite__20-10-13": 2,
    "hottop__hypersprite__20-12-16": 2,
    # The mark precedes a 7 deg C wobble; the beans' fall (148 -> 112 deg C) starts 38 s later.
    "hottop__frogmoses__4_": 19,
    # CHARGE was pressed 3 min late: the charge fall itself starts 10 s into the recording.
    "skywalker__scottjames__roast_25-08-17": -97,
}

#: No fall at the mark at all: nothing may be detected.
NO_CHARGE_FALL = [
    "bullet__hypersprite__21-01-09",  # recording starts with the beans in
    "bullet__hypersprite__21-01-17",  # a probe reset (235 -> 25 deg C in 1 s) is not a charge
]


@pytest.mark.parametrize("prefix", CHARGE_WITHIN_ONE_SAMPLE)
def test_charge_within_one_sample_of_the_mark(prefix: str) -> None:
    roast = load_recorded_roast(roast_file(prefix))
    tracker = RoastTracker()
    for reading in readings(roast):
        tracker.update(reading)
    charge = tracker.event(RoastEventType.CHARGE)
    assert charge is not None
    detected = roast.times.index(charge.monotonic_s)
    assert abs(detected - roast.marks[RoastEventType.CHARGE]) <= 1


@pytest.mark.parametrize(("prefix", "offset"), sorted(CHARGE_EXPLAINED.items()))
def test_charge_where_mark_and_curve_disagree(prefix: str, offset: int) -> None:
    roast = load_recorded_roast(roast_file(prefix))
    detected = detect_charge(roast.times, roast.bean_temps)
    assert detected == roast.marks[RoastEventType.CHARGE] + offset


@pytest.mark.parametrize("prefix", NO_CHARGE_FALL)
def test_no_charge_without_a_fall(prefix: str) -> None:
    roast = load_recorded_roast(roast_file(prefix))
    assert detect_charge(roast.times, roast.bean_temps) is None


def test_no_false_charge_in_preheat() -> None:
    """Up to the sample before the mark, nothing is a charge: preheat swings included."""
    checked = 0
    for path in sorted(roasts_dir().glob("*.alog")):
        roast = load_recorded_roast(path)
        mark = roast.marks.get(RoastEventType.CHARGE)
        if (
            mark is None
            or mark < 3
            or path.name.startswith("skywalker__scottjames__roast_25-08-17")
        ):
            continue
        before = detect_charge(roast.times[: mark - 1], roast.bean_temps[: mark - 1])
        assert before is None, f"{path.name}: CHARGE at {before}, mark at {mark}"
        checked += 1
    assert checked >= 20


def test_phases_match_artisan_computed_from_the_same_marks() -> None:
    """DTR and phase times from the marks equal Artisan's own `computed` values."""
    compared = 0
    for path in sorted(roasts_dir().glob("hottop__*.alog")):
        roast = load_recorded_roast(path)
        marks = roast.marks
        needed = (RoastEventType.CHARGE, RoastEventType.FIRST_CRACK_START, RoastEventType.DROP)
        if not all(k in marks for k in needed) or "finishphasetime" not in roast.computed:
            continue
        origin = roast.times[marks[RoastEventType.CHARGE]]

        def at(
            kind: RoastEventType, origin: float = origin, roast: RecordedRoast = roast
        ) -> float | None:
            index = roast.marks.get(kind)
            return None if index is None else roast.times[index] - origin

        phases = compute_phases(
            dry_end_s=at(RoastEventType.DRY_END),
            first_crack_s=at(RoastEventType.FIRST_CRACK_START),
            drop_s=at(RoastEventType.DROP),
            now_s=at(RoastEventType.DROP),
        )
        computed = roast.computed
        assert phases.total_s == pytest.approx(computed["totaltime"], abs=1.0), path.name
        assert phases.development_s == pytest.approx(computed["finishphasetime"], abs=1.0), (
            path.name
        )
        artisan_dtr = computed["finishphasetime"] / computed["totaltime"] * 100
        assert phases.development_percent == pytest.approx(artisan_dtr, abs=0.5), path.name
        compared += 1
    assert compared >= 15


def test_turning_point_and_dry_end_on_a_real_hottop_roast() -> None:
    roast = load_recorded_roast(roast_file("hottop__hamade__Kenya"))
    assert roast.dry_end_temp_c == 144.0  # this roaster's own DRY threshold (Artisan phases[1])
    tracker = RoastTracker(TrackerConfig(dry_end_temp_c=roast.dry_end_temp_c))
    for reading in readings(roast):
        tracker.update(reading)
    metrics = tracker.metrics()
    # Artisan's computed TP is 60 s at 85 deg C. The TP used to be the first sample of the
    # 85-degree plateau (52 s); it is now the plateau's last sample, where Artisan puts it.
    assert metrics.turning_point_s == pytest.approx(roast.computed["TP_time"], abs=0.01)
    assert metrics.turning_point_temp_c == pytest.approx(roast.computed["TP_BT"], abs=0.5)
    # Artisan's auto DRY at that threshold produced the file's DRY mark.
    dry_mark = (
        roast.times[roast.marks[RoastEventType.DRY_END]]
        - roast.times[roast.marks[RoastEventType.CHARGE]]
    )
    assert metrics.dry_end_s == pytest.approx(dry_mark, abs=4.01)  # within 2 samples
