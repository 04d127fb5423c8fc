"""``analyze_roast`` on real MIT-licensed logs (tests/fixtures/roasts), simulated roasts and
deliberately broken data."""

from __future__ import annotations

import io
import json
from argparse import Namespace
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from roastctl.cli.analyze import format_analysis, run_analyze
from roastctl.clock import ManualClock
from roastctl.config import SimulatorConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.logs.artisan_write import export_csv
from roastctl.logs.load import load_recorded_roast, load_roast_record
from roastctl.logs.record import RecordedRoast
from roastctl.models import RoastEventType, SensorReading
from roastctl.roast.analysis import analyze_file, analyze_roast
from roastctl.roast.events import DEFAULT_FCS_TEMP_C
from roastctl.roast.tracker import RoastTracker

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "roasts"
SKYWALKER = FIXTURES / "skywalker__scottjames__roast_25-11-16_1235.alog"
ROASTIME = FIXTURES / "bullet-roastime__rockpyer__87e603aa-4aaf-4cd8-9717-e32c408d336f.json"
ROASTIME_FCE = FIXTURES / "bullet-roastime__rockpyer__bM0Tua_6rjKWFlzdJb2d0.json"
SPLITKEY = next(FIXTURES.glob("hottop__splitkey__*.log"))


# --- real logs ----------------------------------------------------------------------------------


def test_artisan_statistics_from_the_marks_equal_artisans_own() -> None:
    result = analyze_file(SKYWALKER)
    art = result.artisan_computed
    assert art is not None
    stats = result.statistics
    assert stats.basis == {
        "CHARGE": "mark",
        "TP": "artisan search",
        "DRY_END": "mark",
        "FC_START": "mark",
        "DROP": "mark",
    }
    assert stats.total_s == pytest.approx(art["totaltime"], abs=1.0)
    assert stats.drying_s == pytest.approx(art["dryphasetime"], abs=1.0)
    assert stats.maillard_s == pytest.approx(art["midphasetime"], abs=1.0)
    assert stats.development_s == pytest.approx(art["finishphasetime"], abs=1.0)
    assert stats.development_percent == pytest.approx(art["dtr_percent"], abs=0.5)
    assert stats.dry_phase_ror == pytest.approx(art["dry_phase_ror"], abs=0.1)
    assert stats.mid_phase_ror == pytest.approx(art["mid_phase_ror"], abs=0.1)
    assert stats.finish_phase_ror == pytest.approx(art["finish_phase_ror"], abs=0.1)
    assert stats.total_ror == pytest.approx(art["total_ror"], abs=0.1)
    assert stats.auc_base_c == pytest.approx(art["AUCbase"])
    assert stats.auc_c_min == pytest.approx(art["AUC"], rel=0.02)


def test_detected_events_on_a_real_drum_roast() -> None:
    result = analyze_file(SKYWALKER)
    detected, marked = result.detected, result.marked
    assert detected["CHARGE"].index == marked["CHARGE"].index == 8
    # TP as Artisan places it: 66 s after CHARGE, the last sample of the minimum.
    art = result.artisan_computed
    assert art is not None
    assert detected["TP"].time_s == pytest.approx(art["TP_time"], abs=0.01)
    assert detected["DRY_END"].index == marked["DRY_END"].index
    assert detected["DROP"].index == marked["DROP"].index
    fcs = detected["FC_START"]
    assert fcs.source == "estimated"
    assert fcs.bean_temp_c is not None
    assert fcs.bean_temp_c >= DEFAULT_FCS_TEMP_C
    assert result.as_dict()["detected"]["FC_START"]["estimated"] is True


def test_a_roastime_log_starts_at_charge_and_ends_at_drop() -> None:
    result = analyze_file(ROASTIME)
    assert result.detected["CHARGE"].index == 0  # the probe shows the fall 4 s in
    last = result.samples - 1
    assert result.detected["DROP"].index == last
    assert result.detected["DROP"].source == "end of recording"
    assert result.marked["DROP"].index == last
    assert result.artisan_computed is None
    assert "CHARGE mark at the first sample (index 0)" in result.warnings


def test_a_roastime_log_with_first_crack_end_marked() -> None:
    result = analyze_file(ROASTIME_FCE)
    marked = result.marked
    assert [name for name in marked] == ["CHARGE", "DRY_END", "FC_START", "FC_END", "DROP"]
    stats = result.statistics
    assert stats.basis["FC_START"] == "mark"
    expected = (marked["DROP"].recording_s - marked["FC_START"].recording_s) / (
        marked["DROP"].recording_s - marked["CHARGE"].recording_s
    )
    assert stats.development_percent == pytest.approx(100 * expected, abs=0.05)


def _splitkey_entry_s(name: str) -> float:
    data = json.loads(SPLITKEY.read_text())
    return next(float(e["time"]) * 60 for e in data["events"] if e.get("event") == name)


def test_a_hottop_log_from_split_key_roast() -> None:
    result = analyze_file(SPLITKEY)
    detected, marked = result.detected, result.marked
    assert "temperatures converted from deg F" in result.warnings
    # The last sample at 178 F before the fall; the 'Charge' entry follows 2 samples (1.4 s) later.
    assert detected["CHARGE"].index == 47
    assert marked["CHARGE"].index == 49
    # The log's own turning point entry is at 79 s after its 'Charge' entry.
    turning = _splitkey_entry_s("Turning Point") - _splitkey_entry_s("Charge")
    tp = detected["TP"].recording_s - marked["CHARGE"].recording_s
    assert tp == pytest.approx(turning, abs=4.0)
    # Heater to 0 and fan to full mark the drop: within 4 s of 'Drop Coffee'.
    drop_s = detected["DROP"].recording_s - marked["DROP"].recording_s
    assert abs(drop_s) <= 4.0
    # No FCs estimate: this Hottop's BT never reaches 185 C before the drop.
    assert "FC_START" not in detected
    assert result.statistics.basis["FC_START"] == "mark"


# --- simulated roasts ---------------------------------------------------------------------------


def _simulated_roast(*, whole_degrees: bool) -> tuple[list[SensorReading], int, int]:
    """A roast on the simulator, driven like a person at a Hottop with Artisan's DROP button.

    Returns the readings (one per second), the index of the charge and of the drop.
    """
    clock = ManualClock(start=datetime(2026, 1, 1, tzinfo=UTC))
    roaster = SimulatedRoaster(SimulatorConfig(seed=3, whole_degrees=whole_degrees), clock)
    roaster.connect()
    roaster.start_drum()
    roaster.set_heat(100)
    readings: list[SensorReading] = []

    def step() -> SensorReading:
        clock.advance(1.0)
        reading = roaster.read_sensors()
        readings.append(reading)
        return reading

    while step().env_temp_c < 190.0:
        pass
    charge = len(readings)
    roaster.charge()
    fc_at: int | None = None
    while True:
        step()
        if fc_at is None and roaster.first_crack_time() is not None:
            fc_at = len(readings)
        if fc_at is not None and len(readings) - fc_at >= 90:
            break
        assert len(readings) - charge < 1500
    drop = len(readings)
    roaster.set_heat(0)  # Artisan's Hottop DROP button: heater(0);fan(10);solenoid(1)
    roaster.set_fan(100)
    roaster.drop_beans()
    for _ in range(120):
        step()
    return readings, charge, drop


def _recorded(readings: list[SensorReading], marks: dict[RoastEventType, int]) -> RecordedRoast:
    return RecordedRoast(
        times=[r.monotonic_s for r in readings],
        bean_temps=[r.bean_temp_c for r in readings],
        env_temps=[r.env_temp_c for r in readings],
        marks=marks,
        heater_percent=[float(r.heat_percent) for r in readings],
        fan_percent=[float(r.fan_percent) for r in readings],
        sampling_interval_s=1.0,
    )


@pytest.fixture(scope="module")
def simulated() -> tuple[list[SensorReading], int, int]:
    return _simulated_roast(whole_degrees=True)


def test_simulated_roast_events_offline(simulated: tuple[list[SensorReading], int, int]) -> None:
    readings, charge, drop = simulated
    result = analyze_roast(_recorded(readings, {}))
    assert abs(result.detected["CHARGE"].index - charge) <= 1
    # The log has no door channel: heater 0 and fan full at the drop sample find it exactly.
    assert result.detected["DROP"].index == drop
    assert result.statistics.basis["FC_START"] == "estimated"
    assert "no FCs mark: FCs is estimated from BT (flagged estimated)" in result.warnings


def test_simulated_roast_live_and_offline_agree(
    simulated: tuple[list[SensorReading], int, int],
) -> None:
    readings, _, drop = simulated
    tracker = RoastTracker()
    for reading in readings:
        tracker.update(reading)
    live = {
        e.type: readings.index(next(r for r in readings if r.monotonic_s == e.monotonic_s))
        for e in tracker.events()
    }
    offline = analyze_roast(_recorded(readings, {}))
    assert live[RoastEventType.CHARGE] == offline.detected["CHARGE"].index
    assert live[RoastEventType.TURNING_POINT] == offline.detected["TP"].index
    assert live[RoastEventType.DRY_END] == offline.detected["DRY_END"].index
    # Live, the door bit is exact; offline the controls give the same sample.
    assert live[RoastEventType.DROP] == drop == offline.detected["DROP"].index
    # On whole degrees the TP is the last sample of the minimum plateau.
    tp = offline.detected["TP"].index
    lowest = min(r.bean_temp_c for r in readings[live[RoastEventType.CHARGE] : drop])
    assert readings[tp].bean_temp_c == lowest
    assert readings[tp + 1].bean_temp_c > lowest


def test_simulated_roast_statistics_follow_the_marks(
    simulated: tuple[list[SensorReading], int, int],
) -> None:
    readings, charge, drop = simulated
    first_crack = drop - 90
    marks = {
        RoastEventType.CHARGE: charge,
        RoastEventType.FIRST_CRACK_START: first_crack,
        RoastEventType.DROP: drop,
    }
    stats = analyze_roast(_recorded(readings, marks)).statistics
    total = readings[drop].monotonic_s - readings[charge].monotonic_s
    assert stats.total_s == pytest.approx(total)
    assert stats.development_s == pytest.approx(90.0)
    assert stats.development_percent == pytest.approx(round(90.0 / total * 100, 1))
    assert stats.basis["DRY_END"] == "detected"  # no DRY threshold in this log
    assert stats.ror_at_fcs_c_per_min is not None
    assert 0 < stats.ror_at_fcs_c_per_min < 30


# --- messy data ---------------------------------------------------------------------------------


def _messy() -> RecordedRoast:
    roast = _recorded(_simulated_roast(whole_degrees=False)[0], {})
    bean = list(roast.bean_temps)
    bean[400] = 2046.0  # Artisan's overflow value
    bean[500] = None
    return replace(
        roast,
        bean_temps=bean,
        env_temps=[None] * len(bean),
        marks={RoastEventType.CHARGE: 0, RoastEventType.DROP: 5},
        source_mode="F",
    )


def test_messy_data_gives_warnings_not_a_crash() -> None:
    result = analyze_roast(_messy())
    text = "\n".join(result.warnings)
    assert "BT: 1 reading(s) outside -50..500 deg C ignored (max 2046)" in text
    assert "no ET channel" in text
    assert "BT missing in 1 of" in text
    assert "CHARGE mark at the first sample (index 0)" in text
    assert "temperatures converted from deg F" in text
    assert "detected CHARGE is" in text  # the mark at index 0 is far from the charge fall
    assert result.detected["CHARGE"].index > 0
    assert "2046" not in format_analysis(result).split("warnings:")[0]


def test_a_log_without_bt_is_reported() -> None:
    roast = RecordedRoast(times=[0.0, 1.0, 2.0], bean_temps=[None] * 3, env_temps=[None] * 3)
    result = analyze_roast(roast)
    assert result.detected == {}
    assert "no BT readings at all: nothing to analyze" in result.warnings


def test_a_cool_down_fall_is_not_a_charge() -> None:
    # Beans loaded cold: BT climbs to 220 C, then the roast ends with a fast cool-down.
    times = [float(t) for t in range(700)]

    def bt(t: int) -> float:
        if t < 20:
            return 25.0
        return min(220.0, 25.0 + 0.4 * (t - 20)) if t < 600 else 220.0 - 2.0 * (t - 600)

    bean: list[float | None] = [bt(t) for t in range(700)]
    result = analyze_roast(RecordedRoast(times=times, bean_temps=bean, env_temps=[None] * 700))
    assert result.detected["CHARGE"].source == "heating start"
    # The onset is the last sample within 1 C of the flat start: 2.5 s into a 0.4 C/s rise.
    assert result.detected["CHARGE"].index == 22
    assert any("cool-down, not a charge" in warning for warning in result.warnings)


# --- CSV ----------------------------------------------------------------------------------------


def test_our_csv_export_reads_back_with_the_same_marks(tmp_path: Path) -> None:
    path = tmp_path / "roast.csv"
    path.write_text(export_csv(load_roast_record(SKYWALKER)), encoding="utf-8")
    from_csv = analyze_file(path)
    from_alog = analyze_file(SKYWALKER)
    for name in ("CHARGE", "DRY_END", "FC_START", "DROP"):
        assert from_csv.marked[name].time_s == pytest.approx(from_alog.marked[name].time_s, abs=1)
    assert from_csv.statistics.development_percent == pytest.approx(
        from_alog.statistics.development_percent, abs=0.3
    )


ARTISAN_CSV = (
    "Date:06.12.2017\tUnit:F\tCHARGE:00:02\tTP:00:04\tDRYe:\tFCs:00:05\tFCe:\tSCs:\tSCe:\t"
    "DROP:00:07\tCOOL:\tTime:20:15\n"
    "Time1\tTime2\tET\tBT\tEvent\tHeater\tFan\n"
    "00:00\t\t400.0\t356.0\t\t100\t0\n"
    "00:01\t\t401.0\t357.8\t\t100\t0\n"
    "00:02\t00:00\t402.0\t359.6\tCHARGE\t100\t0\n"
    "00:03\t00:01\t390.0\t300.2\t\t100\t0\n"
    "00:04\t00:02\t-1\t212.0\tTP\t100\t0\n"
    "00:05\t00:03\t380.0\t213.8\tFCs\t100\t0\n"
    "00:06\t00:04\t381.0\t215.6\t\t100\t0\n"
    "00:07\t00:05\t382.0\t217.4\tDROP\t0\t100\n"
)


def test_an_artisan_csv_in_fahrenheit(tmp_path: Path) -> None:
    path = tmp_path / "artisan.csv"
    path.write_text(ARTISAN_CSV, encoding="utf-8")
    roast = load_recorded_roast(path)
    assert roast.source_mode == "F"
    assert roast.times == [float(t) for t in range(8)]
    assert roast.bean_temps[0] == pytest.approx(180.0)
    assert roast.bean_temps[4] == pytest.approx(100.0)
    assert roast.env_temps[4] is None  # -1 is no reading
    assert roast.marks == {
        RoastEventType.CHARGE: 2,
        RoastEventType.TURNING_POINT: 4,
        RoastEventType.FIRST_CRACK_START: 5,
        RoastEventType.DROP: 7,
    }
    assert roast.started_utc == datetime(2017, 12, 6, 20, 15, tzinfo=UTC)
    assert roast.heater_percent == [100.0] * 7 + [0.0]
    assert roast.fan_percent == [0.0] * 7 + [100.0]
    assert roast.artisan_major is None  # a CSV does not say which Artisan wrote it


# --- progress -----------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _args(files: list[Path]) -> Namespace:
    return Namespace(files=files, json=True, fcs_temp=DEFAULT_FCS_TEMP_C)


@pytest.mark.parametrize(("stream", "shown"), [(_Terminal, True), (io.StringIO, False)])
def test_progress_bar_only_on_a_terminal(stream: type[io.StringIO], shown: bool) -> None:
    out, err = io.StringIO(), stream()
    assert run_analyze(_args([SKYWALKER, ROASTIME]), out, err) == 0
    assert ("[" in err.getvalue() and "2/2" in err.getvalue()) is shown
    assert err.getvalue() == "" or shown
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [Path(line["file"]).name for line in lines] == [SKYWALKER.name, ROASTIME.name]


def _iter_roasts() -> Iterator[Path]:
    yield from sorted(FIXTURES.glob("*.*"))


def test_every_fixture_is_analyzed_and_serialisable() -> None:
    roasts = [path for path in _iter_roasts() if path.suffix != ".md"]
    assert len(roasts) == 4
    for path in roasts:
        data = analyze_file(path).as_dict()
        assert set(data) >= {"detected", "marked", "artisan_computed", "statistics", "warnings"}
        assert json.loads(json.dumps(data)) == data
