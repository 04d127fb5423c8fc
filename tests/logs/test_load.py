"""The one roast-file loader: an Artisan CSV reads as the .alog of the same roast, everywhere.

Also: weights convert to grams by the exact table, and every error a roast file can raise is a
RoasterError (and a ValueError, which callers caught before).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from roastctl.clock import ManualClock
from roastctl.config import ServerConfig
from roastctl.devices.replay import ReplayRoaster
from roastctl.errors import RoasterError, RoastFileError
from roastctl.files.limits import FileLimitError
from roastctl.logs.file_errors import AlogError, ArtisanCsvError, ImportLimitError, RoastLogError
from roastctl.logs.literal import LiteralError
from roastctl.logs.load import load_recorded_roast, load_roast_record
from roastctl.models import RoastEventType, SensorReading
from roastctl.roast.analysis import AnalyzeError, analyze_file
from roastctl.session.manager import RoastSessionManager
from simulated_files import RoastFiles, write_roast_files
from support import roasts_dir


@pytest.fixture
def files(tmp_path: Path) -> RoastFiles:
    return write_roast_files(tmp_path)


# --- one roast, two formats ---------------------------------------------------------------------


def test_a_csv_imports_with_the_samples_and_events_of_its_alog(files: RoastFiles) -> None:
    from_alog = load_roast_record(files.alog)
    from_csv = load_roast_record(files.csv)

    assert len(from_csv.samples) == len(files.record.samples) == 331
    assert from_csv.samples == from_alog.samples
    assert from_csv.events == from_alog.events
    assert [e.type for e in from_csv.events] == [
        RoastEventType.CHARGE,
        RoastEventType.DRY_END,
        RoastEventType.FIRST_CRACK_START,
        RoastEventType.DROP,
    ]
    assert from_csv.sampling_interval_s == from_alog.sampling_interval_s == 2.0
    assert from_csv.title == "simulated"  # a CSV carries no title: the file's name stands in


def test_an_imported_roast_keeps_the_roaster_its_format_comes_from(files: RoastFiles) -> None:
    # A CSV export does not say which roaster made it; it must not pass for a Hottop's roast.
    assert load_roast_record(files.csv).roaster == ""
    folder = roasts_dir()
    made_by = {
        "kaffelogic__": "Kaffelogic Nano 7",
        "bullet-roastime__": "Aillio Bullet R1",
        "hottop__splitkey__": "Hottop KN-8828B-2K+",
        "hottop__hamade__Daz": "Hottop 2K+",  # an Artisan profile's own roastertype
    }
    for prefix, roaster in made_by.items():
        path = next(folder.glob(prefix + "*"))
        assert load_roast_record(path).roaster == roaster, path.name


def test_a_csv_reads_as_the_same_recorded_roast_as_its_alog(files: RoastFiles) -> None:
    from_alog = load_recorded_roast(files.alog)
    from_csv = load_recorded_roast(files.csv)

    assert from_csv.times == from_alog.times
    assert from_csv.bean_temps == from_alog.bean_temps
    assert from_csv.env_temps == from_alog.env_temps
    assert from_csv.heater_percent == from_alog.heater_percent
    assert from_csv.fan_percent == from_alog.fan_percent
    assert from_csv.marks == from_alog.marks
    assert from_csv.marks[RoastEventType.FIRST_CRACK_START] == 308  # 616 s at 2 s a sample


def test_a_csv_is_analyzed_as_its_alog(files: RoastFiles) -> None:
    from_alog, from_csv = analyze_file(files.alog), analyze_file(files.csv)

    assert from_csv.marked == from_alog.marked
    assert from_csv.detected == from_alog.detected
    assert from_csv.statistics == from_alog.statistics


def _played(path: Path) -> tuple[list[SensorReading], list[tuple[RoastEventType, float]]]:
    """Play ``path`` through a session polled by hand; its readings and the events it found."""
    clock = ManualClock()
    roaster = ReplayRoaster(path, clock)
    manager = RoastSessionManager(roaster, ServerConfig(), clock=clock, background_polling=False)
    origin = clock.monotonic()
    manager.start_session()
    seen: list[SensorReading] = []
    try:
        while (roaster.position_s() or 0.0) < 670.0:
            clock.advance(2.0)
            manager.poll_once()
            status = manager.get_status()
            assert status.sensors is not None
            seen.append(status.sensors)
        events = [(e.type, e.monotonic_s - origin) for e in manager.get_status().events]
    finally:
        manager.stop_session()
    return seen, events


def test_a_replay_roaster_plays_a_csv_as_it_plays_the_alog(files: RoastFiles) -> None:
    alog_readings, alog_events = _played(files.alog)
    csv_readings, csv_events = _played(files.csv)

    def shown(reading: SensorReading) -> tuple[object, ...]:
        return (
            reading.bean_temp_c,
            reading.env_temp_c,
            reading.heat_percent,
            reading.fan_percent,
            reading.door_open,
        )

    assert len(csv_readings) == len(alog_readings) > 300
    assert [shown(r) for r in csv_readings] == [shown(r) for r in alog_readings]
    assert csv_events == alog_events
    assert {RoastEventType.CHARGE, RoastEventType.DROP} <= {kind for kind, _ in csv_events}


# --- weights ------------------------------------------------------------------------------------


def _profile(weight: list[Any]) -> dict[str, Any]:
    return {
        "mode": "C",
        "timex": [0.0, 2.0, 4.0],
        "temp1": [150.0, 151.0, 152.0],
        "temp2": [100.0, 101.0, 102.0],
        "timeindex": [0, 0, 0, 0, 0, 0, 2, 0],
        "roastepoch": 1_700_000_000,
        "roastUUID": uuid.uuid4().hex,
        "weight": weight,
    }


@pytest.mark.parametrize(
    ("weight", "grams"),
    [
        ([1, 0, "lb"], 453.59237),
        ([1.0, 0, "LB"], 453.59237),
        ([16, 0, "oz"], 453.59237),
        ([0.25, 0, "Kg"], 250.0),
        ([220, 0, "g"], 220.0),
    ],
)
def test_weights_become_grams_by_the_exact_table(
    tmp_path: Path, weight: list[Any], grams: float
) -> None:
    path = tmp_path / "weighed.alog"
    path.write_text(repr(_profile(weight)), encoding="utf-8")

    assert load_roast_record(path).batch_g == grams  # exact, not approximately
    assert load_recorded_roast(path).batch_mass_g == grams


# --- errors -------------------------------------------------------------------------------------

ERRORS = [
    RoastFileError,
    FileLimitError,
    LiteralError,
    AlogError,
    ArtisanCsvError,
    RoastLogError,
    ImportLimitError,
    AnalyzeError,
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: error.__name__)
def test_every_roast_file_error_is_a_roaster_error_and_a_value_error(
    error: type[Exception],
) -> None:
    raised = error("x.alog: broken; open it in Artisan")
    assert isinstance(raised, RoasterError)
    assert isinstance(raised, ValueError)
    assert str(raised) == "x.alog: broken; open it in Artisan"


@pytest.mark.parametrize(
    ("name", "text", "error", "problem"),
    [
        ("big.alog", None, FileLimitError, "is a directory"),
        ("junk.alog", "just some notes", AlogError, "neither a Python dict literal nor JSON"),
        ("empty.alog", "{'timex': []}", AlogError, "no samples"),
        ("bad.csv", "Time1\tBT\n", ArtisanCsvError, "must start with 'Date:'"),
        ("other.json", '{"hello": 1}', RoastLogError, "not a roast log"),
    ],
)
def test_a_refused_file_is_named_and_caught_as_a_roaster_error(
    tmp_path: Path, name: str, text: str | None, error: type[Exception], problem: str
) -> None:
    path = tmp_path / name
    if text is None:
        path.mkdir()
    else:
        path.write_text(text, encoding="utf-8")

    with pytest.raises(RoasterError) as raised:
        load_roast_record(path)
    assert str(path) in str(raised.value)
    assert type(raised.value) is error
    assert problem in str(raised.value)


def test_a_csv_beyond_the_import_limits_is_refused_naming_the_sample(tmp_path: Path) -> None:
    path = tmp_path / "hot.csv"
    path.write_text(
        "Date:01.01.2024\tUnit:C\nTime1\tTime2\tET\tBT\n00:00\t\t150\t100\n00:01\t\t150\t1e300\n",
        encoding="utf-8",
    )

    assert load_recorded_roast(path).bean_temps == [100.0, 1e300]  # read as recorded
    with pytest.raises(ImportLimitError) as refused:
        load_roast_record(path)  # but not kept
    message = str(refused.value)
    assert message.startswith(f"{path}: sample[1].bean_temp_c = 1e+300 is outside the allowed")
    assert "Nothing was imported" in message
