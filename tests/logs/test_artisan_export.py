"""Artisan export and import of kept roasts: .alog, JSON and CSV, the profile checker, real logs."""

from __future__ import annotations

import ast
import csv
import json
import math
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict

from roastctl.errors import RoastFileError
from roastctl.logs.artisan import TIMEINDEX_SLOTS, encode_local, parse_profile
from roastctl.logs.artisan_check import (
    COMPUTED_TYPES,
    PROFILE_TYPES,
    PROVENANCE_KEYS,
    check_artisan_profile,
)
from roastctl.logs.artisan_write import (
    dump_alog,
    export_csv,
    export_json,
    record_to_profile,
    write_alog,
)
from roastctl.logs.file_errors import AlogError
from roastctl.logs.load import load_recorded_roast, load_roast_record
from roastctl.logs.record import RecordEvent, RecordSample, RecordStatus, RoastRecord
from roastctl.models import RoastEventType
from support import ROASTS_DIR, roasts_dir

CHARGE = RoastEventType.CHARGE
TP = RoastEventType.TURNING_POINT
DRY_END = RoastEventType.DRY_END
FC_START = RoastEventType.FIRST_CRACK_START
FC_END = RoastEventType.FIRST_CRACK_END
DROP = RoastEventType.DROP

STARTED = datetime(2026, 3, 1, 9, 30, 15, tzinfo=UTC)
UUID_TEXT = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"


# --- building records and files -----------------------------------------------------------------


def make_samples(
    count: int = 20, *, step: float = 1.0, offset: float = 0.5, heater: bool = True
) -> tuple[RecordSample, ...]:
    """BT 100+i, ET 200+i/2, heater 50+i and fan 0..40 % (or none) every ``step`` seconds."""
    return tuple(
        RecordSample(
            time_s=offset + i * step,
            bean_temp_c=100.0 + i,
            env_temp_c=200.0 + i / 2,
            heat_percent=50 + i if heater else None,
            fan_percent=10 * (i % 5) if heater else None,
        )
        for i in range(count)
    )


def event(kind: RoastEventType, samples: tuple[RecordSample, ...], index: int) -> RecordEvent:
    return RecordEvent(kind, samples[index].time_s, samples[index].bean_temp_c, source="auto")


def make_record(
    samples: tuple[RecordSample, ...] | None = None,
    marks: dict[RoastEventType, int] | None = None,
    **fields: Any,
) -> RoastRecord:
    """A record of ``samples`` with events at the given sample indices."""
    samples = make_samples() if samples is None else samples
    events = tuple(event(kind, samples, index) for kind, index in (marks or {}).items())
    values: dict[str, Any] = {
        "uuid": UUID_TEXT,
        "started_utc": STARTED,
        "samples": samples,
        "events": events,
        "title": "Test roast",
        "bean": "Kenya AA",
        "batch_g": 250.0,
        "roasted_g": 212.5,
        "notes": "fine",
    }
    values.update(fields)
    return RoastRecord(**values)


MARKS = {CHARGE: 2, DRY_END: 8, FC_START: 12, FC_END: 14, DROP: 18}


def write_profile(tmp_path: Path, profile: dict[str, Any], name: str = "roast.alog") -> Path:
    path = tmp_path / name
    path.write_text(repr(profile), encoding="utf-8")
    return path


def minimal_profile(**changes: Any) -> dict[str, Any]:
    """A small hand-written Artisan profile in deg C."""
    profile: dict[str, Any] = {
        "mode": "C",
        "timex": [0.0, 2.0, 4.0],
        "temp1": [150.0, 151.0, 152.0],
        "temp2": [100.0, 101.0, 102.0],
        "timeindex": [0, 0, 2, 0, 0, 0, 0, 0],
        "samplinginterval": 2.0,
        "phases": [95, 150, 200, 230],
        "roastepoch": 1_700_000_000,
        "roastUUID": uuid.UUID(UUID_TEXT).hex,
    }
    profile.update(changes)
    return profile


def plain_types(value: object, where: str = "profile") -> list[str]:
    """Places in ``value`` holding anything but dict/list/str/int/float/bool (exact types)."""
    if type(value) is dict:
        return [p for key, item in value.items() for p in plain_types(item, f"{where}[{key!r}]")]
    if type(value) is list:
        return [p for i, item in enumerate(value) for p in plain_types(item, f"{where}[{i}]")]
    return [] if type(value) in (str, int, float, bool) else [f"{where}: {type(value).__name__}"]


# --- the profile dict ---------------------------------------------------------------------------


def test_profile_has_the_core_keys_in_celsius_with_plain_types() -> None:
    samples = make_samples()
    profile = record_to_profile(make_record(samples, MARKS))

    assert profile["mode"] == "C"
    assert profile["timex"] == [s.time_s for s in samples]
    assert profile["temp1"] == [s.env_temp_c for s in samples]
    assert profile["temp2"] == [s.bean_temp_c for s in samples]
    assert profile["timeindex"] == [2, 8, 12, 14, 0, 0, 18, 0]
    assert profile["samplinginterval"] == 1.0
    assert profile["recording_version"] == "roastctl"
    assert profile["roastertype"] == "Hottop KN-8828B-2K+"
    assert profile["weight"] == [250.0, 212.5, "g"]
    assert profile["roastUUID"] == "1b4e28ba2fa111d2883f0016d3cca427"
    # The heater changes every sample and the fan every sample from CHARGE (index 2) on.
    assert profile["specialevents"][:4] == [2, 2, 3, 3]
    assert not PROVENANCE_KEYS & profile.keys()
    assert plain_types(profile) == []
    assert check_artisan_profile(profile) == []


def test_profile_dates_are_utc_with_an_integer_epoch() -> None:
    started = datetime(2026, 3, 1, 10, 30, 15, 999_000, tzinfo=UTC) + timedelta(hours=-1)
    profile = record_to_profile(make_record(started_utc=started))

    assert profile["roastepoch"] == 1772357415
    assert type(profile["roastepoch"]) is int
    assert profile["roasttzoffset"] == 0
    assert type(profile["roasttzoffset"]) is int
    assert profile["roastisodate"] == "2026-03-01"
    assert profile["roasttime"] == "09:30:15"
    assert profile["roastdate"] == "Sun Mar 1 2026"  # Qt's text date: no leading zero


def test_missing_readings_are_written_as_minus_one_and_read_back_as_none(tmp_path: Path) -> None:
    samples = list(make_samples(6))
    samples[2] = RecordSample(2.5, None, 201.0, heat_percent=None, fan_percent=30)
    samples[3] = RecordSample(3.5, 103.0, math.nan, heat_percent=52, fan_percent=None)
    record = make_record(tuple(samples))

    profile = record_to_profile(record)
    assert profile["temp2"][2] == -1.0
    assert profile["temp1"][3] == -1.0  # NaN would not even parse back
    assert profile["extratemp1"][0][2] == -1.0
    assert profile["extratemp2"][0][3] == -1.0
    again = load_roast_record(write_alog(record, tmp_path / "r.alog"))
    assert again.samples[2] == RecordSample(2.5, None, 201.0, heat_percent=None, fan_percent=30)
    assert again.samples[3] == RecordSample(3.5, 103.0, None, heat_percent=52, fan_percent=None)


def test_a_non_finite_sample_time_is_refused() -> None:
    samples = (RecordSample(math.inf, 100.0, 200.0),)
    with pytest.raises(ValueError, match="not a finite number"):
        record_to_profile(make_record(samples))


def test_events_go_to_the_nearest_sample_and_charge_may_be_the_first() -> None:
    samples = make_samples()
    events = (
        RecordEvent(CHARGE, samples[0].time_s, 100.0),
        RecordEvent(FC_START, samples[10].time_s + 0.4, 110.0),
        RecordEvent(DROP, samples[15].time_s - 0.6, 115.0),
    )
    profile = record_to_profile(make_record(samples, events=events))

    assert profile["timeindex"] == [0, 0, 10, 0, 0, 0, 14, 0]


def test_without_events_the_timeindex_is_unset() -> None:
    assert record_to_profile(make_record())["timeindex"] == [-1, 0, 0, 0, 0, 0, 0, 0]


def test_charge_at_index_0_survives_but_other_events_there_cannot_be_written(
    tmp_path: Path,
) -> None:
    samples = make_samples()
    record = make_record(samples, {CHARGE: 0, DRY_END: 0, DROP: 19})

    assert record_to_profile(record)["timeindex"] == [0, 0, 0, 0, 0, 0, 19, 0]
    again = load_roast_record(write_alog(record, tmp_path / "r.alog"))
    assert [(e.type, e.time_s) for e in again.events] == [
        (CHARGE, samples[0].time_s),
        (DROP, samples[19].time_s),
    ]


def test_unicode_text_is_escaped_like_artisan_and_survives(tmp_path: Path) -> None:
    title = 'Café \u2013 Ñandú "№1"\nsecond line'
    notes = "C:\\beans\\new\tlot ☕"
    record = make_record(title=title, bean="Äthiopien", notes=notes, roaster="Hottop™")

    profile = record_to_profile(record)
    assert profile["title"] == 'Caf\\xe9 \\u2013 \\xd1and\\xfa "\\u21161"\\nsecond line'
    assert profile["roastingnotes"] == "C:\\\\beans\\\\new\\tlot \\u2615"
    text = dump_alog(record)
    assert text.isascii()
    again = load_roast_record(write_alog(record, tmp_path / "r.alog"))
    assert (again.title, again.bean, again.notes, again.roaster) == (
        title,
        "Äthiopien",
        notes,
        "Hottop™",
    )


def test_without_heater_or_fan_no_extra_device_is_written() -> None:
    profile = record_to_profile(make_record(make_samples(heater=False)))

    assert [key for key in profile if key.startswith("extra")] == []
    assert check_artisan_profile(profile) == []


def test_heater_and_fan_are_the_hottop_extra_device() -> None:
    samples = make_samples(5)
    profile = record_to_profile(make_record(samples))

    assert profile["extradevices"] == [54]
    assert (profile["extraname1"], profile["extraname2"]) == (["Heater"], ["Fan"])
    assert profile["extratimex"] == [profile["timex"]]
    assert profile["extratimex"][0] is not profile["timex"]
    assert profile["extratemp1"] == [[50.0, 51.0, 52.0, 53.0, 54.0]]
    assert profile["extratemp2"] == [[0.0, 10.0, 20.0, 30.0, 40.0]]
    assert profile["extraNoneTempHint1"] == [True]  # percentages: no C/F conversion
    per_device = [key for key in profile if key.startswith("extra") and key != "extradevices"]
    assert all(len(profile[key]) == 1 for key in per_device), per_device
    assert check_artisan_profile(profile) == []


def test_computed_holds_event_snapshots_and_times_from_charge() -> None:
    samples = make_samples()
    record = make_record(samples, {**MARKS, TP: 4})
    computed = record_to_profile(record)["computed"]

    times = [s.time_s for s in samples]
    assert computed == {
        "CHARGE_ET": 201.0,
        "CHARGE_BT": 102.0,
        "TP_idx": 4,
        "TP_time": times[4] - times[2],
        "TP_ET": 202.0,
        "TP_BT": 104.0,
        "DRY_time": 6.0,
        "DRY_ET": 204.0,
        "DRY_BT": 108.0,
        "FCs_time": 10.0,
        "FCs_ET": 206.0,
        "FCs_BT": 112.0,
        "FCe_time": 12.0,
        "FCe_ET": 207.0,
        "FCe_BT": 114.0,
        "DROP_time": 16.0,
        "DROP_ET": 209.0,
        "DROP_BT": 118.0,
        "totaltime": 16.0,
        "finishphasetime": 6.0,
    }


def test_computed_has_no_times_without_charge() -> None:
    computed = record_to_profile(make_record(marks={FC_START: 12, DROP: 18}))["computed"]

    assert computed == {
        "FCs_ET": 206.0,
        "FCs_BT": 112.0,
        "DROP_ET": 209.0,
        "DROP_BT": 118.0,
        "finishphasetime": 6.0,
    }


@pytest.mark.parametrize(
    ("dry_bt", "expected"),
    [(None, [95, 150, 200, 230]), (152.4, [95, 152, 200, 230]), (250.0, [95, 150, 200, 230])],
)
def test_phases_are_artisans_celsius_defaults_with_dry_at_the_dry_end_bt(
    dry_bt: float | None, expected: list[int]
) -> None:
    samples = list(make_samples())
    marks: dict[RoastEventType, int] = {}
    if dry_bt is not None:
        samples[8] = RecordSample(samples[8].time_s, dry_bt, 204.0)
        marks = {DRY_END: 8}
    assert record_to_profile(make_record(tuple(samples), marks))["phases"] == expected


@pytest.mark.parametrize(
    ("times", "known", "expected"),
    [
        ([0.0, 1.0, 2.0, 5.0, 6.0], None, 1.0),
        ([0.0, 2.0, 4.1, 6.0], None, 2.0),
        ([0.0, 1.0, 2.0], 3.0, 3.0),
        ([7.0], None, 1.0),
        ([], None, 1.0),
    ],
)
def test_sampling_interval_is_known_or_the_median_step_never_none(
    times: list[float], known: float | None, expected: float
) -> None:
    samples = tuple(RecordSample(t, 100.0, 200.0) for t in times)
    profile = record_to_profile(make_record(samples, sampling_interval_s=known))
    interval = profile["samplinginterval"]

    assert interval == expected
    assert type(interval) is float


def test_missing_weights_are_written_as_zero_grams() -> None:
    profile = record_to_profile(make_record(batch_g=None, roasted_g=None, bean=None))

    assert profile["weight"] == [0.0, 0.0, "g"]
    assert profile["beans"] == ""


def test_json_export_is_the_alog_dict() -> None:
    record = make_record(marks=MARKS, title="Café")
    text = export_json(record)

    assert json.loads(text) == record_to_profile(record) == ast.literal_eval(dump_alog(record))
    assert ", " not in text
    assert json.loads(text)["title"] == encode_local("Café") == "Caf\\xe9"


# --- writing files ------------------------------------------------------------------------------


def test_write_alog_replaces_the_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "roast.alog"
    target.write_text("old", encoding="utf-8")
    record = make_record(marks=MARKS)

    assert write_alog(record, target) == target
    assert target.read_text(encoding="utf-8") == dump_alog(record)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roast.alog"]


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "roast.alog"
    target.write_text("old", encoding="utf-8")

    def fail(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_alog(make_record(), target)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roast.alog"]


def test_a_new_file_gets_the_mode_a_plain_write_gives(tmp_path: Path) -> None:
    plain = tmp_path / "plain.alog"
    plain.write_text("x")  # 0644 under the usual umask 022

    target = write_alog(make_record(), tmp_path / "roast.alog")

    assert target.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777


# --- CSV ----------------------------------------------------------------------------------------


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(text.splitlines(), delimiter="\t"))


def test_csv_has_one_row_per_whole_second() -> None:
    samples = make_samples(150, step=0.5, offset=0.3)  # 0.3 s .. 74.8 s
    rows = csv_rows(export_csv(make_record(samples)))[2:]

    seconds = sorted({round(s.time_s - samples[0].time_s) for s in samples})
    assert [row[0] for row in rows] == [f"{s // 60:02d}:{s % 60:02d}" for s in seconds]
    assert len(rows) == 75
    assert "00:60" not in {row[0] for row in rows}


def test_csv_header_columns_and_events() -> None:
    samples = make_samples(30, offset=1.2)
    record = make_record(samples, {CHARGE: 3, TP: 5, FC_START: 20, DROP: 27})
    header, columns, *rows = csv_rows(export_csv(record))

    assert header == [
        "Date:01.03.2026",
        "Unit:C",
        "CHARGE:00:03",
        "TP:00:05",
        "DRYe:",
        "FCs:00:20",
        "FCe:",
        "SCs:",
        "SCe:",
        "DROP:00:27",
        "COOL:",
        "Time:09:30",
    ]
    assert columns == ["Time1", "Time2", "ET", "BT", "Event", "Heater", "Fan"]
    assert len(rows) == 30
    assert rows[2] == ["00:02", "", "201.0", "102.0", "", "52.0", "20.0"]
    assert rows[3] == ["00:03", "00:00", "201.5", "103.0", "CHARGE", "53.0", "30.0"]
    assert {i: row[4] for i, row in enumerate(rows) if row[4]} == {
        3: "CHARGE",
        5: "TP",
        20: "FCs",
        27: "DROP",
    }
    assert rows[27][1] == "00:24"


def test_csv_without_heater_has_five_columns_and_charge_at_the_start() -> None:
    samples = make_samples(5, heater=False)
    header, columns, *rows = csv_rows(export_csv(make_record(samples, {CHARGE: 0})))

    assert header[2] == "CHARGE:00:00"
    assert columns == ["Time1", "Time2", "ET", "BT", "Event"]
    assert {len(row) for row in rows} == {5}
    assert rows[0][4] == "CHARGE"


def test_csv_uses_artisans_line_ends() -> None:
    assert export_csv(make_record()).count("\r\n") == 2 + 20


# --- importing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "temp2", "temp1", "bean", "env"),
    [
        ("F", [212.0, -1, 392.0], [302.0, 32, -1.0], [100.0, None, 200.0], [150.0, 0.0, None]),
        ("C", [100.0, -1, 200.5], [150.0, 0, -1.0], [100.0, None, 200.5], [150.0, 0.0, None]),
    ],
)
def test_import_converts_to_celsius_and_missing_to_none(
    tmp_path: Path,
    mode: str,
    temp2: list[float],
    temp1: list[float],
    bean: list[float | None],
    env: list[float | None],
) -> None:
    path = write_profile(tmp_path, minimal_profile(mode=mode, temp2=temp2, temp1=temp1))
    record = load_roast_record(path)

    assert [s.bean_temp_c for s in record.samples] == bean
    assert [s.env_temp_c for s in record.samples] == env
    assert record.events == (
        RecordEvent(CHARGE, 0.0, bean[0], source="imported"),
        RecordEvent(FC_START, 4.0, bean[2], source="imported"),
    )
    assert record.extra["source_mode"] == mode
    # The export gives the file's own curves back, in the file's unit.
    exported = record_to_profile(record)
    assert (exported["mode"], exported["temp2"], exported["temp1"]) == (mode, temp2, temp1)


def test_import_reads_metadata(tmp_path: Path) -> None:
    profile = minimal_profile(
        title="Caf\\xe9",
        beans="Yirgacheffe",
        roastingnotes="first\\nsecond",
        roastertype="Hottop 2K+",
        weight=[0.5, 0.25, "lb"],
        computed={"DROP_time": 600.0},
        samplinginterval=2.0,
    )
    record = load_roast_record(write_profile(tmp_path, profile))

    assert record.status is RecordStatus.IMPORTED
    assert (record.title, record.bean, record.notes, record.roaster) == (
        "Café",
        "Yirgacheffe",
        "first\nsecond",
        "Hottop 2K+",
    )
    assert record.batch_g == pytest.approx(226.796185)
    assert record.roasted_g == pytest.approx(113.3980925)
    assert record.uuid == uuid.UUID(UUID_TEXT).hex
    assert record.started_utc == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert record.sampling_interval_s == 2.0
    assert record.extra["computed"] == {"DROP_time": 600.0}


@pytest.mark.parametrize(
    ("weight", "grams"),
    [
        ([0.25, 0, "Kg"], (250.0, None)),
        ([10, 8, "oz"], (283.49523125, 226.796185)),
        ([200, 170, "g"], (200.0, 170.0)),
        ([200, 170, "stone"], (None, None)),
        ([200, 170], (None, None)),
    ],
)
def test_import_converts_weights_to_grams(
    tmp_path: Path, weight: list[Any], grams: tuple[float | None, float | None]
) -> None:
    record = load_roast_record(write_profile(tmp_path, minimal_profile(weight=weight)))

    assert (record.batch_g, record.roasted_g) == pytest.approx(grams)


def test_import_start_time_falls_back_to_local_date_then_file_time(tmp_path: Path) -> None:
    dated = minimal_profile(roastisodate="2025-10-25", roasttime="15:45:00", roasttzoffset=18000)
    del dated["roastepoch"]
    assert load_roast_record(write_profile(tmp_path, dated)).started_utc == datetime(
        2025, 10, 25, 20, 45, tzinfo=UTC
    )

    undated = minimal_profile()
    del undated["roastepoch"]
    path = write_profile(tmp_path, undated, "undated.alog")
    os.utime(path, (1_600_000_000, 1_600_000_000))
    assert load_roast_record(path).started_utc == datetime.fromtimestamp(1_600_000_000, UTC)


def test_import_makes_a_uuid_when_the_file_has_none(tmp_path: Path) -> None:
    profile = minimal_profile()
    del profile["roastUUID"]
    record = load_roast_record(write_profile(tmp_path, profile))

    assert uuid.UUID(record.uuid).hex == record.uuid


def test_import_takes_heater_and_fan_from_the_hottop_device(tmp_path: Path) -> None:
    profile = minimal_profile(
        extradevices=[25, 54],
        extraname1=["ROR", "{3}"],
        extraname2=["", "{0}"],
        extratimex=[[0.0, 2.0, 4.0]] * 2,
        extratemp1=[[9.0, 9.0, 9.0], [0.0, 66.66666667, -1.0]],
        extratemp2=[[8.0, 8.0, 8.0], [10.0, 20.0, 30.0]],
    )
    record = load_roast_record(write_profile(tmp_path, profile))

    assert [s.heat_percent for s in record.samples] == [0, 67, None]
    assert [s.fan_percent for s in record.samples] == [10, 20, 30]


def test_import_takes_heater_and_fan_from_channels_so_named(tmp_path: Path) -> None:
    profile = minimal_profile(
        etypes=["Fan", "Drum", "Damper", "Heater", "--"],
        extradevices=[25, 84],
        extraname1=["ROR", "{3}"],
        extraname2=["", "{0}"],
        extratimex=[[0.0, 2.0, 4.0]] * 2,
        extratemp1=[[9.0, 9.0, 9.0], [40.0, 50.0, 60.0]],
        extratemp2=[[8.0, 8.0, 8.0], [1.0, 2.0, 3.0]],
    )
    record = load_roast_record(write_profile(tmp_path, profile))

    assert [s.heat_percent for s in record.samples] == [40, 50, 60]
    assert [s.fan_percent for s in record.samples] == [1, 2, 3]


def test_import_ignores_a_heater_channel_of_the_wrong_length(tmp_path: Path) -> None:
    profile = minimal_profile(
        extradevices=[54],
        extraname1=["Heater"],
        extraname2=["Fan"],
        extratimex=[[0.0, 2.0]],
        extratemp1=[[40.0, 50.0]],
        extratemp2=[[1.0, 2.0, 3.0]],
    )
    record = load_roast_record(write_profile(tmp_path, profile))

    assert [s.heat_percent for s in record.samples] == [None, None, None]
    assert [s.fan_percent for s in record.samples] == [1, 2, 3]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("this is not a dict", "neither a Python dict literal nor JSON"),
        ("[1, 2, 3]", "top level is list"),
        (repr({"mode": "C"}), "'timex' is missing"),
        (repr(minimal_profile(timex=[0.0, "x", 4.0])), "timex[1]"),
        (repr(minimal_profile(temp2=[1.0, 2.0])), "'temp2' has 2 values for 3 times"),
        (repr(minimal_profile(mode="K")), "neither 'C' nor 'F'"),
    ],
)
def test_unreadable_files_raise_alog_error_naming_the_path(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "bad.alog"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(AlogError) as raised:
        load_roast_record(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert problem in str(raised.value)


def test_a_missing_file_raises_a_roast_file_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.alog"
    with pytest.raises(RoastFileError, match="no such file") as raised:
        load_roast_record(path)
    assert str(path) in str(raised.value)


def test_parse_profile_reads_python_literals_and_json() -> None:
    assert parse_profile("{'a': True, 'b': None, 'c': [1, 2.5]}") == {
        "a": True,
        "b": None,
        "c": [1, 2.5],
    }
    assert parse_profile('{"a": true, "b": null}') == {"a": True, "b": None}
    with pytest.raises(AlogError, match="expected a dict"):
        parse_profile("(1, 2)")
    with pytest.raises(AlogError, match="neither"):
        parse_profile("__import__('os')")


def test_synthetic_record_round_trips_exactly(tmp_path: Path) -> None:
    record = make_record(marks=MARKS, title="Ünïcode", sampling_interval_s=1.0)
    again = load_roast_record(write_alog(record, tmp_path / "r.alog"))

    assert again.samples == record.samples
    assert again.events == tuple(
        RecordEvent(e.type, e.time_s, e.bean_temp_c, source="imported") for e in record.events
    )
    assert (again.title, again.bean, again.batch_g, again.roasted_g, again.notes) == (
        record.title,
        record.bean,
        record.batch_g,
        record.roasted_g,
        record.notes,
    )
    assert again.uuid == uuid.UUID(record.uuid).hex
    assert again.started_utc == record.started_utc
    assert again.sampling_interval_s == 1.0


# --- the checker --------------------------------------------------------------------------------


def good_profile() -> dict[str, Any]:
    return record_to_profile(make_record(marks={**MARKS, TP: 4}))


Mutation = Callable[[dict[str, Any]], None]


def setting(key: str, value: object) -> Mutation:
    def mutate(profile: dict[str, Any]) -> None:
        profile[key] = value

    return mutate


def removing(key: str) -> Mutation:
    def mutate(profile: dict[str, Any]) -> None:
        del profile[key]

    return mutate


def setting_item(key: str, index: int, value: object) -> Mutation:
    def mutate(profile: dict[str, Any]) -> None:
        profile[key][index] = value

    return mutate


def setting_computed(key: str, value: object) -> Mutation:
    def mutate(profile: dict[str, Any]) -> None:
        profile["computed"][key] = value

    return mutate


def shortening_channel(key: str) -> Mutation:
    def mutate(profile: dict[str, Any]) -> None:
        profile[key][0].pop()

    return mutate


#: (rule, how to break a good profile, text the problem must contain, pydantic rejects it too)
RULES: list[tuple[str, Mutation, str, bool]] = [
    ("timex holds floats", setting_item("timex", 3, None), "timex[3]: expected float", True),
    ("temp1 holds floats", setting_item("temp1", 0, "hot"), "temp1[0]: expected float", True),
    ("temp2 holds floats", setting_item("temp2", 1, [1.0]), "temp2[1]: expected float", True),
    ("no NaN", setting_item("temp2", 1, math.nan), "temp2[1]: expected float", False),
    ("no tuples", setting("timex", (0.5, 1.5)), "timex: a tuple", False),
    ("equal lengths", setting("temp1", [200.0] * 5), "temp1: 5 values for 20 times", False),
    ("8 timeindex entries", setting("timeindex", [2, 8, 12]), "timeindex: 3 entries", False),
    ("int timeindex", setting_item("timeindex", 2, 12.5), "timeindex[2]: expected int", True),
    ("CHARGE range", setting_item("timeindex", 0, -2), "timeindex[0]: -2 is outside", False),
    ("DROP range", setting_item("timeindex", 6, 20), "timeindex[6]: 20 is outside 0..19", False),
    ("interval not None", setting("samplinginterval", None), "samplinginterval: expected", True),
    ("interval positive", setting("samplinginterval", 0.0), "not positive", False),
    ("integral epoch", setting("roastepoch", 1.7e9 + 0.5), "roastepoch: expected int", True),
    ("int tz offset", setting("roasttzoffset", "0"), "roasttzoffset: expected int", False),
    ("str title", setting("title", 5), "title: expected str", True),
    ("str drumspeed", setting("drumspeed", 60), "drumspeed: expected str", True),
    ("str roastUUID", setting("roastUUID", None), "roastUUID: expected str", True),
    ("4 phases", setting("phases", [95, 150, 200]), "phases: 3 entries", False),
    ("int phases", setting_item("phases", 1, 150.5), "phases[1]: expected int", True),
    ("weight of 3", setting("weight", [250.0, "g"]), "weight: expected [in, out, unit]", False),
    ("weight numbers", setting_item("weight", 0, None), "weight[0]: expected", True),
    ("weight unit", setting_item("weight", 2, "kg"), "weight[2]: unit 'kg'", False),
    ("mode C or F", setting("mode", "K"), "mode: 'K'", False),
    ("required keys", removing("phases"), "phases: missing", False),
    ("no version", setting("version", "4.2.0"), "version: provenance key", False),
    ("no hash", setting("hash", "00"), "hash: provenance key", False),
    ("no signature", setting("signature", "x"), "signature: provenance key", False),
    ("names per device", setting("extraname1", ["Heater", "X"]), "extraname1: 2 entries", False),
    ("core lists", removing("extratemp2"), "extratemp2: missing for 1 extra devices", False),
    ("LCD tables", setting("extraDelta1", []), "extraDelta1: 0 entries for 1", False),
    ("bool lists", setting("extraDelta1", [2]), "extraDelta1[0]: expected bool", True),
    ("channel length", shortening_channel("extratemp1"), "extratemp1[0]: 19 values", False),
    ("extras need devices", removing("extradevices"), "present without extradevices", False),
    ("special events", setting("specialevents", [3]), "lists of different lengths", False),
    ("computed TP_idx", setting_computed("TP_idx", 4.5), "computed['TP_idx']: expected int", True),
    ("computed floats", setting_computed("DROP_BT", None), "computed['DROP_BT']: expected", True),
    ("computed dict", setting("computed", [1.0]), "computed: expected a dict", True),
]


def test_the_good_profile_passes() -> None:
    assert check_artisan_profile(good_profile()) == []


@pytest.mark.parametrize(
    ("rule", "mutate", "problem", "pydantic_too"), RULES, ids=[r[0] for r in RULES]
)
def test_the_checker_catches_each_rule(
    rule: str, mutate: Mutation, problem: str, pydantic_too: bool
) -> None:
    profile = good_profile()
    mutate(profile)
    problems = check_artisan_profile(profile)

    assert any(problem in p for p in problems), problems


def test_provenance_keys_may_be_allowed_for_artisans_own_files() -> None:
    profile = good_profile() | {"version": "3.2.0", "revision": "abc", "build": "1"}

    assert check_artisan_profile(profile) != []
    assert check_artisan_profile(profile, allow_provenance=True) == []


def test_ints_where_floats_are_expected_are_fine() -> None:
    profile = good_profile()
    profile["timex"] = list(range(20))
    profile["samplinginterval"] = 1
    profile["weight"] = [250, 0, "g"]

    assert check_artisan_profile(profile) == []


# The checker's type table against pydantic, which Artisan uses to validate a loaded profile.


def python_type(kind: str) -> Any:
    if kind.startswith("list["):
        return list[python_type(kind[5:-1])]  # type: ignore[misc]
    return {
        "float": float,
        "int": int,
        "str": str,
        "bool": bool,
        "float|str": float | str,
        "float|None": float | None,
    }[kind]


def profile_adapter() -> TypeAdapter[Any]:
    computed = TypedDict(  # type: ignore[misc]
        "ComputedProfileInformation",
        {key: python_type(kind) for key, kind in COMPUTED_TYPES.items()},
        total=False,
    )
    fields = {key: python_type(kind) for key, kind in PROFILE_TYPES.items()}
    fields["computed"] = computed
    return TypeAdapter(TypedDict("ProfileData", fields, total=False))  # type: ignore[operator]


TYPE_RULES = [rule for rule in RULES if rule[3]]


def test_pydantic_accepts_the_good_profile() -> None:
    profile_adapter().validate_python(good_profile())


@pytest.mark.parametrize(
    ("rule", "mutate", "problem", "pydantic_too"), TYPE_RULES, ids=[r[0] for r in TYPE_RULES]
)
def test_pydantic_rejects_what_the_type_rules_reject(
    rule: str, mutate: Mutation, problem: str, pydantic_too: bool
) -> None:
    profile = good_profile()
    mutate(profile)

    with pytest.raises(ValidationError):
        profile_adapter().validate_python(profile)


# --- real roast logs ----------------------------------------------------------------------------


def alog_names() -> list[str]:
    if not ROASTS_DIR.is_dir():
        return ["(no shared roast logs)"]
    return sorted(path.name for path in ROASTS_DIR.glob("*.alog"))


#: Real files whose own dict the checker refuses, and the problems it must name.
NONCONFORMING: dict[str, list[str]] = {
    # An extra device added and left empty in Artisan 2.1: its marker is None (pydantic wants a
    # str, so Artisan 4 refuses the file), its channels are empty and the temperature hints
    # cover only the first four of six devices.
    "bullet__hypersprite__21-01-17_2054.alog": [
        "extramarkers1[4]: expected str, got None",
        "extraNoneTempHint1: 4 entries for 6 extra devices",
        "extratemp1[4]: 0 values for 1841 times",
    ],
}


@pytest.mark.parametrize("name", alog_names())
def test_real_log_round_trips_exactly(tmp_path: Path, name: str) -> None:
    record = load_roast_record(roasts_dir() / name)
    profile = record_to_profile(record)
    original = parse_profile((roasts_dir() / name).read_text(encoding="utf-8"))

    # The export adds no problem: a file Artisan's checker refuses keeps its own problems, as
    # every key of it is given back unchanged.
    assert check_artisan_profile(profile) == check_artisan_profile(original, allow_provenance=True)
    assert ast.literal_eval(dump_alog(record)) == profile
    again = load_roast_record(write_alog(record, tmp_path / name))
    assert again.samples == record.samples
    assert again.events == record.events
    assert (again.title, again.bean, again.batch_g, again.roasted_g, again.uuid) == (
        record.title,
        record.bean,
        record.batch_g,
        record.roasted_g,
        record.uuid,
    )
    assert (again.notes, again.roaster, again.started_utc) == (
        record.notes,
        record.roaster,
        record.started_utc,
    )


@pytest.mark.parametrize("name", alog_names())
def test_real_log_import_matches_the_file(name: str) -> None:
    path = roasts_dir() / name
    own = parse_profile(path.read_text(encoding="utf-8"))
    roast = load_recorded_roast(path)
    record = load_roast_record(path)

    assert [s.time_s for s in record.samples] == own["timex"]
    assert [s.bean_temp_c for s in record.samples] == roast.bean_temps
    assert [s.env_temp_c for s in record.samples] == roast.env_temps
    assert {e.type: e.time_s for e in record.events} == {
        kind: own["timex"][index] for kind, index in roast.marks.items()
    }
    exported = record_to_profile(record)["timeindex"]
    assert {
        kind: exported[slot]
        for slot, kind in TIMEINDEX_SLOTS.items()
        if exported[slot] != (-1 if slot == 0 else 0)
    } == roast.marks
    if "roastUUID" in own:
        assert record.uuid == own["roastUUID"]
    assert record.started_utc == datetime.fromtimestamp(own["roastepoch"], UTC)
    if 54 in own["extradevices"]:
        heater = own["extratemp1"][own["extradevices"].index(54)]
        assert [s.heat_percent for s in record.samples] == [
            None if v == -1 else round(v) for v in heater
        ]


@pytest.mark.parametrize("name", alog_names())
def test_real_log_own_dict_passes_the_checker_where_it_conforms(name: str) -> None:
    own = parse_profile((roasts_dir() / name).read_text(encoding="utf-8"))
    problems = check_artisan_profile(own, allow_provenance=True)

    expected = NONCONFORMING.get(name, [])
    assert [p for p in expected if p not in problems] == []
    if not expected:
        assert problems == []
    assert any("version: provenance key" in p for p in check_artisan_profile(own))


def test_real_logs_computed_times_agree_with_artisans() -> None:
    compared = 0
    disagreements = []
    for path in sorted(roasts_dir().glob("*.alog")):
        theirs = parse_profile(path.read_text(encoding="utf-8"))["computed"]
        ours = record_to_profile(load_roast_record(path))["computed"]
        for key in ("FCs_time", "FCe_time", "DROP_time", "totaltime", "finishphasetime"):
            if key in theirs and key in ours:
                compared += 1
                if abs(theirs[key] - ours[key]) > 1.0:
                    disagreements.append((path.name, key, theirs[key], ours[key]))
    assert compared > 50
    assert disagreements == []
