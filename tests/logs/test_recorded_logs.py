"""Reading RoasTime, split-key-roast and Kaffelogic logs, and the loader choosing the reader."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from roastctl.logs.aillio_roastime import recorded_from_roastime
from roastctl.logs.artisan import parse_profile, recorded_from_profile
from roastctl.logs.file_errors import AlogError, RoastLogError
from roastctl.logs.kaffelogic import recorded_from_klog
from roastctl.logs.load import (
    ROAST_LOG_SUFFIXES,
    find_roast_logs,
    is_roast_log,
    load_recorded_roast,
)
from roastctl.logs.record import RecordedRoast
from roastctl.logs.splitkey import recorded_from_splitkey
from roastctl.models import RoastEventType
from support import roast_file, roasts_dir

CHARGE = RoastEventType.CHARGE
DRY_END = RoastEventType.DRY_END
FC_START = RoastEventType.FIRST_CRACK_START
FC_END = RoastEventType.FIRST_CRACK_END
DROP = RoastEventType.DROP

ROASTIME = [
    "bullet-roastime__rockpyer__304e930e",
    "bullet-roastime__rockpyer__3MhG8ok8",
    "bullet-roastime__rockpyer__44b57ef2",
    "bullet-roastime__rockpyer__87e603aa",
    "bullet-roastime__rockpyer__bM0Tua",
]
SPLITKEY = ["hottop__splitkey__"]
KLOG = ["kaffelogic__jakemo136__CHAJ", "kaffelogic__jakemo136__EGB"]

#: Event names in MANIFEST.md's "Events marked" column; None: not stored as a mark.
MANIFEST_EVENTS: dict[str, RoastEventType | None] = {
    "CHARGE": CHARGE,
    "DRY(yellowing)": DRY_END,
    "FCs": FC_START,
    "FCe": FC_END,
    "DROP": DROP,
    "Charge": CHARGE,
    "Turning Point": None,
    "First Crack": FC_START,
    "Drop Coffee": DROP,
    "colour_change": DRY_END,
    "first_crack": FC_START,
    "roast_end": DROP,
}


# --- MANIFEST.md ---------------------------------------------------------------------------------


def manifest_row(name: str) -> list[str]:
    """Cells of the file's row in the manifest's "Files" table (12 columns)."""
    for line in (roasts_dir() / "MANIFEST.md").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"| `{name}` |"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) == 12:
                return cells
    pytest.fail(f"{name} has no row in the Files table of MANIFEST.md")


def manifest_marks(name: str) -> list[tuple[str, float, int | None]]:
    """(event name, seconds, sample index if given) from the "Events marked" column."""
    marks = []
    for item in manifest_row(name)[9].split(";")[0].split(", "):
        match = re.fullmatch(r"(.+?)@(\d+(?:\.\d+)?)s(?:\(idx (\d+)\))?", item.strip())
        assert match is not None, f"unparsed manifest event {item!r} for {name}"
        index = int(match.group(3)) if match.group(3) is not None else None
        marks.append((match.group(1), float(match.group(2)), index))
    return marks


def manifest_sampling_s(name: str) -> float:
    match = re.match(r"~?(\d+(?:\.\d+)?) s", manifest_row(name)[7])
    assert match is not None
    return float(match.group(1))


def manifest_file_names() -> set[str]:
    """Every file named in the manifest's Integrity table (name and byte count)."""
    text = (roasts_dir() / "MANIFEST.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([^`]+)` \| \d+ \|", text, flags=re.MULTILINE))


def read_directly(path: Path) -> RecordedRoast:
    """Read a shared log with its format's reader, chosen by the file's name, not its content."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".alog":
        return recorded_from_profile(parse_profile(text))
    if path.name.startswith("bullet-roastime__"):
        return recorded_from_roastime(json.loads(text), path)
    if path.name.startswith("hottop__splitkey__"):
        return recorded_from_splitkey(json.loads(text), path)
    assert path.name.startswith("kaffelogic__"), path.name
    return recorded_from_klog(text, path)


# --- real logs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ROASTIME + SPLITKEY + KLOG)
def test_marks_match_the_manifest(prefix: str) -> None:
    path = roast_file(prefix)
    roast = load_recorded_roast(path)
    expected = manifest_marks(path.name)
    assert roast.sampling_interval_s is not None
    origin = roast.times[roast.marks[CHARGE]] if CHARGE in roast.marks else 0.0
    # One sample, plus the manifest's rounding to whole seconds.
    tolerance = roast.sampling_interval_s + 0.5
    stored = {MANIFEST_EVENTS[name] for name, _, _ in expected} - {None}
    assert set(roast.marks) == stored
    for name, seconds, _ in expected:
        event = MANIFEST_EVENTS[name]
        if event is None:
            continue
        measured = roast.times[roast.marks[event]] - origin
        assert abs(measured - seconds) <= tolerance, (name, measured, seconds)


@pytest.mark.parametrize("prefix", ROASTIME)
def test_roastime_real_logs(prefix: str) -> None:
    path = roast_file(prefix)
    raw = json.loads(path.read_text(encoding="utf-8"))
    roast = load_recorded_roast(path)
    count = len(raw["beanTemperature"])
    assert len(roast.times) == len(roast.bean_temps) == len(roast.env_temps) == count
    assert roast.sampling_interval_s == pytest.approx(manifest_sampling_s(path.name))
    assert roast.source_mode == manifest_row(path.name)[8] == "C"
    # The manifest's indices are the file's own; its DROP index is the array length.
    for name, _, index in manifest_marks(path.name):
        event = MANIFEST_EVENTS[name]
        assert index is not None
        assert event is not None
        if event is DROP:
            assert index == count
            assert roast.marks[DROP] == count - 1
        else:
            assert roast.marks[event] == index
    # RoasTime's own summary fields are the BT at CHARGE and at DROP.
    assert roast.bean_temps[roast.marks[CHARGE]] == raw["beanChargeTemperature"]
    assert roast.bean_temps[roast.marks[DROP]] == raw["beanDropTemperature"]
    bean = [value for value in roast.bean_temps if value is not None]
    assert len(bean) == count
    assert min(bean) > 50.0
    assert max(bean) < 260.0
    assert 5 * 60 < roast.times[-1] < 20 * 60
    assert roast.batch_mass_g == pytest.approx(float(raw["weightGreen"]))
    for channel in (roast.heater_percent, roast.fan_percent):
        assert channel is not None
        assert len(channel) == count
        levels = [value for value in channel if value is not None]
        assert levels
        assert all(0.0 <= value <= 100.0 for value in levels)


def test_splitkey_real_log() -> None:
    path = roast_file("hottop__splitkey__")
    raw = json.loads(path.read_text(encoding="utf-8"))["events"]
    roast = load_recorded_roast(path)
    readings = [entry for entry in raw if "event" not in entry]
    marked = [entry for entry in raw if "event" in entry]
    assert len(marked) == 4  # the manifest: four entries carry "event"
    assert len(roast.times) == len(readings)
    assert roast.source_mode == manifest_row(path.name)[8] == "F"
    assert roast.sampling_interval_s == pytest.approx(manifest_sampling_s(path.name), abs=0.01)
    # deg F -> deg C by hand: the first reading is 336.2 F BT and 379.4 F ET.
    assert readings[0]["config"]["bean_temp"] == pytest.approx(336.2)
    assert readings[0]["config"]["environment_temp"] == pytest.approx(379.4)
    assert roast.bean_temps[0] == pytest.approx(169.0)
    assert roast.env_temps[0] == pytest.approx(193.0)
    # Each mark is the first reading at or after the moment the button was pressed.
    names = {"Charge": CHARGE, "First Crack": FC_START, "Drop Coffee": DROP}
    for entry in marked:
        if entry["event"] not in names:
            assert entry["event"] == "Turning Point"
            continue
        index = roast.marks[names[entry["event"]]]
        pressed_s = entry["time"] * 60.0
        assert roast.times[index] >= pressed_s
        assert index == 0 or roast.times[index - 1] < pressed_s
    # The turning point the operator pressed is where BT leaves the bottom of its dip (188.6 F):
    # the first reading above the minimum after CHARGE comes within one sample of the press.
    charge, first_crack = roast.marks[CHARGE], roast.marks[FC_START]
    after_charge = roast.bean_temps[charge:first_crack]
    bottom = min(value for value in after_charge if value is not None)
    last_bottom = charge + max(i for i, value in enumerate(after_charge) if value == bottom)
    pressed_s = next(entry["time"] for entry in marked if entry["event"] == "Turning Point") * 60
    assert roast.sampling_interval_s is not None
    assert abs(roast.times[last_bottom + 1] - pressed_s) <= roast.sampling_interval_s
    assert bottom == pytest.approx((188.6 - 32.0) / 1.8)
    assert roast.heater_percent is not None
    assert roast.fan_percent is not None
    assert {entry["config"]["heater"] for entry in readings} == set(roast.heater_percent)
    assert {entry["config"]["main_fan"] * 10.0 for entry in readings} == set(roast.fan_percent)
    assert roast.batch_mass_g == 200.0


@pytest.mark.parametrize("prefix", KLOG)
def test_klog_real_logs(prefix: str) -> None:
    path = roast_file(prefix)
    lines = path.read_text(encoding="utf-8").splitlines()
    roast = load_recorded_roast(path)
    header = {key: value for key, _, value in (line.partition(":") for line in lines[:80])}
    table = lines.index(next(line for line in lines if line.startswith("time\t")))
    first_row = [float(cell) for cell in lines[table + 1].split("\t") if cell.strip()]
    rows = [line for line in lines[table + 1 :] if line and not line.startswith("!")]
    assert len(roast.times) == len(rows)
    assert 400 < len(rows) < 1200  # about 10 minutes at 1 s
    assert roast.sampling_interval_s == pytest.approx(manifest_sampling_s(path.name))
    assert roast.source_mode == manifest_row(path.name)[8] == "C"
    # BT is the "#=temp" column (the third), ET is absent.
    assert roast.times[0] == first_row[0]
    assert roast.bean_temps[0] == first_row[2]
    assert all(value is None for value in roast.env_temps)
    bean = [value for value in roast.bean_temps if value is not None]
    assert 10.0 < min(bean) < 40.0  # a cold start
    assert 190.0 < max(bean) < 240.0
    # The first row is still preheat: its heater share is the header's preheat_heater_percent.
    assert roast.heater_percent is not None
    assert roast.heater_percent[0] == pytest.approx(float(header["preheat_heater_percent"]), 1e-4)
    # The vendor's development_percent agrees with the marks (each within one sample).
    vendor = float(next(line for line in lines if line.startswith("!development_percent:"))[21:])
    first_crack, end = roast.times[roast.marks[FC_START]], roast.times[roast.marks[DROP]]
    assert (end - first_crack) / end * 100.0 == pytest.approx(vendor, abs=0.5)


def test_every_log_in_the_folder_loads_with_the_right_reader() -> None:
    folder = roasts_dir()
    logs = find_roast_logs(folder)
    assert len(logs) == 44
    assert {path.name for path in logs} == manifest_file_names()
    assert (folder / "MANIFEST.md").is_file()
    assert not is_roast_log(folder / "MANIFEST.md")
    for path in logs:
        roast = load_recorded_roast(path)
        assert roast == read_directly(path), path.name
        assert len(roast.times) == len(roast.bean_temps) == len(roast.env_temps) > 100
        assert all(later >= earlier for earlier, later in itertools.pairwise(roast.times))


# --- synthetic files (no shared data needed) -----------------------------------------------------


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def roastime_data() -> dict[str, Any]:
    return {
        "sampleRate": 2,
        "beanTemperature": [150, 120, None, 110, "x", 130, 150, 170, 190, 200],
        "drumTemperature": [250, 200, 205, 210, 215, 220, 225, 230, 235, float("nan")],
        "roastStartIndex": 0,
        "roastEndIndex": 10,
        "indexYellowingStart": 5,
        "indexFirstCrackStart": 7,
        "indexFirstCrackEnd": 0,
        "indexSecondCrackStart": None,
        "weightGreen": "450",
        "roastName": "test roast",
        "actions": {
            "actionTempList": [],
            "actionTimeList": [
                {"index": 2, "value": 9, "ctrlType": 0},
                {"index": 4, "value": 6, "ctrlType": 1},
                {"index": 6, "value": 3, "ctrlType": 0},
                {"index": 1, "value": 5, "ctrlType": 2},
            ],
        },
    }


def test_roastime_synthetic(tmp_path: Path) -> None:
    roast = load_recorded_roast(write_json(tmp_path / "roast.json", roastime_data()))
    assert roast.times == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5]
    assert roast.bean_temps == [150, 120, None, 110, None, 130, 150, 170, 190, 200]
    assert roast.env_temps[0] == 250
    assert roast.env_temps[-1] is None
    assert roast.marks == {CHARGE: 0, DRY_END: 5, FC_START: 7, DROP: 9}
    power = [None, None, 100.0, 100.0, 100.0, 100.0, 100 / 3, 100 / 3, 100 / 3, 100 / 3]
    assert roast.heater_percent == pytest.approx(power)
    assert roast.fan_percent == pytest.approx([None] * 4 + [50.0] * 6)
    assert roast.sampling_interval_s == 0.5
    assert roast.source_mode == "C"
    assert roast.batch_mass_g == 450.0
    assert roast.title == "test roast"


def test_roastime_end_index_inside_the_arrays_and_odd_channels(tmp_path: Path) -> None:
    data = roastime_data()
    data["roastEndIndex"] = 8
    data["drumTemperature"] = [200.0] * 3  # wrong length
    data["actions"] = {"actionTimeList": "none"}
    roast = load_recorded_roast(write_json(tmp_path / "roast.json", data))
    assert roast.marks[DROP] == 8
    assert roast.env_temps == [None] * 10
    assert roast.heater_percent is None
    assert roast.fan_percent is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"beanTemperature": [1, 2', "not a JSON object"),
        ('{"sampleRate": 2, "beanTemperature": []}', "no 'beanTemperature'"),
        ('{"sampleRate": 0, "beanTemperature": [150, 151]}', "sampleRate"),
        ("[1, 2, 3]", "expected a dict"),
    ],
)
def test_broken_roastime_names_the_path(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "broken roast.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RoastLogError, match=re.escape(str(path))) as info:
        load_recorded_roast(path)
    assert problem in str(info.value)


def reading(
    minutes: float, bean_f: object, env_f: object = 400.0, **config: object
) -> dict[str, Any]:
    settings = {"bean_temp": bean_f, "environment_temp": env_f, "heater": 80, "main_fan": 3}
    settings.update(config)
    return {"time": minutes, "config": settings}


def splitkey_data() -> dict[str, Any]:
    events: list[object] = [
        reading(0.00, 392.0),
        reading(0.01, 392.0),  # 0.6 s
        {"time": 0.015, "event": "Charge", "config": {"bean_temp": 392.0}},  # 0.9 s
        reading(0.02, 212.0, 350.0, heater=100, main_fan=0),  # 1.2 s
        {"time": 0.025, "event": "Turning Point", "config": {}},
        reading(0.03, "n/a", valid=False),  # 1.8 s
        reading(0.04, 248.0, heater=150),  # 2.4 s; heater out of range
        {"config": {"bean_temp": 1.0}},  # no time: skipped
        "garbage",
        reading(0.05, 302.0, main_fan=10),  # 3.0 s
        {"time": 0.05, "event": "First Crack", "config": {}},  # exactly on a reading
        reading(0.06, 320.0),  # 3.6 s
        {"time": 0.0605, "event": "Drop Coffee", "config": {}},  # 3.63 s: after the last
    ]
    return {"name": "Kenya", "input_weight": "200", "events": events}


def test_splitkey_synthetic(tmp_path: Path) -> None:
    roast = load_recorded_roast(write_json(tmp_path / "roast.log", splitkey_data()))
    assert roast.times == pytest.approx([0.0, 0.6, 1.2, 1.8, 2.4, 3.0, 3.6])
    assert roast.bean_temps == pytest.approx([200.0, 200.0, 100.0, None, 120.0, 150.0, 160.0])
    assert roast.env_temps[2] == pytest.approx((350.0 - 32.0) * 5 / 9)
    assert roast.env_temps[3] is None  # "valid": false
    # First reading at or after each press; the Drop press is within one interval of the end.
    assert roast.marks == {CHARGE: 2, FC_START: 5, DROP: 6}
    assert roast.heater_percent == [80.0, 80.0, 100.0, 80.0, None, 80.0, 80.0]
    assert roast.fan_percent == [30.0, 30.0, 0.0, 30.0, 30.0, 100.0, 30.0]
    assert roast.sampling_interval_s == pytest.approx(0.6)
    assert roast.source_mode == "F"
    assert roast.title == "Kenya"
    assert roast.batch_mass_g == 200.0


def test_splitkey_mark_far_after_the_last_reading_is_dropped(tmp_path: Path) -> None:
    data = splitkey_data()
    data["events"][-1] = {"time": 1.0, "event": "Drop Coffee", "config": {}}  # 60 s, last 3.6 s
    roast = load_recorded_roast(write_json(tmp_path / "roast.log", data))
    assert DROP not in roast.marks


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"events": {"time": 0.0}}, "'events' is missing or not a list"),
        ({"name": "x"}, "'events' is missing or not a list"),
        ({"events": [{"event": "Charge", "time": 0.1}, {"config": {}}]}, "no timed readings"),
    ],
)
def test_broken_splitkey_names_the_path(tmp_path: Path, data: dict[str, Any], problem: str) -> None:
    path = write_json(tmp_path / "broken.log", data)
    with pytest.raises(RoastLogError, match=re.escape(str(path))) as info:
        recorded_from_splitkey(data, path)  # the loader would call it no split-key-roast log
    assert problem in str(info.value)


KLOG_TEXT = """\
profile_short_name:Test
heater_power_available:1000
roast_date:20/03/2026 23:12:03 UTC

offsets\t-8.5\t-8.75\t0
time\t#spot_temp\t#=temp\t=mean_temp\tpower_kW
 1.5\t20.0\t21.0\t20.5\t0.5
 2.5\t40.0\t41.0\t40.5\t1.0
!colour_change:2.7
 3.5\t60.0\tnan\t60.5\t1.2
 4.5\t80.0\t81.0\t80.5\t
!first_crack:4.5
 5.5\t100.0\t101.0\t100.5\t0.0
!roast_end:5.6
!development_percent:19.6
!roast_date:20/03/2026 23:19:24 UTC
 6.5\t90.0\t91.0\t90.5\t0.0
"""


def test_klog_synthetic(tmp_path: Path) -> None:
    path = tmp_path / "roast.klog"
    path.write_text(KLOG_TEXT, encoding="utf-8")
    roast = load_recorded_roast(path)
    assert roast.times == [1.5, 2.5, 3.5, 4.5, 5.5, 6.5]
    assert roast.bean_temps == [21.0, 41.0, None, 81.0, 101.0, 91.0]
    assert roast.env_temps == [None] * 6
    assert roast.marks == {DRY_END: 2, FC_START: 3, DROP: 5}
    assert roast.heater_percent == pytest.approx([50.0, 100.0, 100.0, None, 0.0, 0.0])
    assert roast.fan_percent is None
    assert roast.sampling_interval_s == 1.0
    assert roast.source_mode == "C"
    assert roast.title == "Test"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("profile_short_name:Test\nroast_levels:1,2\n", "no data table"),
        ("a:b\n\ntime\t#=temp\n!roast_end:5\n", "no data rows"),
        ("a:b\n\ntime\tpower_kW\n1.0\t0.5\n", "no temperature column"),
    ],
)
def test_broken_klog_names_the_path(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "broken.klog"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RoastLogError, match=re.escape(str(path))) as info:
        load_recorded_roast(path)
    assert problem in str(info.value)


ALOG = {
    "mode": "F",
    "timex": [0.0, 2.0, 4.0, 6.0],
    "temp1": [400.0, 390.0, 380.0, 385.0],
    "temp2": [350.0, 200.0, 190.0, 195.0],
    "timeindex": [1, 0, 0, 0, 0, 0, 3, 0],
}


def test_the_loader_dispatches_on_suffix_and_content(tmp_path: Path) -> None:
    roastime = write_json(tmp_path / "1a2b3c", roastime_data())  # RoasTime names have no suffix
    splitkey = write_json(tmp_path / "roast.log", splitkey_data())
    klog = tmp_path / "roast.klog"
    klog.write_text(KLOG_TEXT, encoding="utf-8")
    klog_txt = tmp_path / "roast.txt"
    klog_txt.write_text(KLOG_TEXT, encoding="utf-8")
    alog = tmp_path / "roast.alog"
    alog.write_text(repr(ALOG), encoding="utf-8")
    artisan_json = write_json(tmp_path / "artisan.json", ALOG)
    assert load_recorded_roast(roastime) == recorded_from_roastime(roastime_data(), roastime)
    assert load_recorded_roast(splitkey) == recorded_from_splitkey(splitkey_data(), splitkey)
    assert load_recorded_roast(klog) == recorded_from_klog(KLOG_TEXT, klog)
    assert load_recorded_roast(klog_txt) == recorded_from_klog(KLOG_TEXT, klog)
    assert load_recorded_roast(alog) == recorded_from_profile(parse_profile(repr(ALOG)))
    artisan = load_recorded_roast(artisan_json)
    assert artisan == load_recorded_roast(alog)
    assert artisan.marks == {CHARGE: 1, DROP: 3}
    assert artisan.bean_temps[1] == pytest.approx((200.0 - 32.0) * 5 / 9)


@pytest.mark.parametrize(
    ("name", "text", "error", "problem"),
    [
        ("MANIFEST.md", "# Roast logs\n| a | b |\n", RoastLogError, "not a roast log"),
        ("list.json", "[1, 2]", RoastLogError, "expected a dict"),
        ("other.json", '{"hello": 1}', RoastLogError, "'timex' (Artisan)"),
        ("bad.json", '{"events": [', RoastLogError, "not a JSON object"),
        ("bad.alog", "{'timex': []}", AlogError, "no samples"),
        ("odd.alog", "{'timex': [0, None], 'temp2': [1, 2]}", AlogError, "timex[1] = None"),
        ("bad.klog", "no table here\n", RoastLogError, "no data table"),
    ],
)
def test_the_loader_rejects_other_files_naming_the_path(
    tmp_path: Path, name: str, text: str, error: type[Exception], problem: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(error, match=re.escape(str(path))) as info:
        load_recorded_roast(path)
    assert problem in str(info.value)


def test_the_loader_names_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "gone.json"
    with pytest.raises(RoastLogError, match=re.escape(str(path))):
        load_recorded_roast(path)


def test_finding_roast_logs_in_a_folder(tmp_path: Path) -> None:
    for name in ("b.json", "a.alog", "c.log", "d.KLOG", "e.csv", "MANIFEST.md", "notes.txt"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    (tmp_path / "folder.json").mkdir()
    assert [path.name for path in find_roast_logs(tmp_path)] == [
        "a.alog",
        "b.json",
        "c.log",
        "d.KLOG",
        "e.csv",
    ]
    assert is_roast_log(tmp_path / "a.alog")
    assert not is_roast_log(tmp_path / "MANIFEST.md")
    assert not is_roast_log(tmp_path / "folder.json")
    assert not is_roast_log(tmp_path / "missing.alog")
    assert {".alog", ".json", ".log", ".klog", ".csv"} == ROAST_LOG_SUFFIXES


def test_messy_numbers_never_crash(tmp_path: Path) -> None:
    data = roastime_data()
    data["beanTemperature"] = [True, {"a": 1}, [1], "151.5", float("inf"), 152]
    data["drumTemperature"] = [float("nan"), 200, float("-inf"), "abc", None, 201]
    data["indexFirstCrackStart"] = 99  # beyond the samples: not a mark
    data["indexYellowingStart"] = 2.5  # not an index
    roast = load_recorded_roast(write_json(tmp_path / "messy.json", data))
    assert roast.bean_temps == [None, None, None, 151.5, None, 152.0]
    assert roast.marks == {CHARGE: 0, DROP: 5}
    assert roast.env_temps == [None, 200.0, None, None, None, 201.0]
