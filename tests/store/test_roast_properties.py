"""Roast properties: set on a live roast, refused when wrong, kept by an old store, imported,
shown by ``roastctl show`` and exported where Artisan keeps them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from roastctl.cli.main import main
from roastctl.clock import ManualClock
from roastctl.config import ServerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.errors import InvalidCommandError
from roastctl.logs.artisan_properties import properties_from_profile, properties_to_profile
from roastctl.logs.artisan_write import record_to_profile
from roastctl.logs.load import load_roast_record
from roastctl.logs.record import RoastProperties
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import _MIGRATIONS, SCHEMA_VERSION, RoastStore

SHARED_ROASTS = Path(__file__).resolve().parents[3] / "shared" / "data" / "roasts"
#: What a user records after cupping, in roastctl's units.
MEASURED = {
    "cupping_notes": "Day 4: cherry, long finish",
    "flavors": {"Acidity": 7.5, "Body": 6.0},
    "density_g_per_l": 712.0,
    "volume_in_l": 0.33,
    "batch_number": 12,
    "batch_prefix": "HT",
    "ambient_temp_c": 21.5,
    "ambient_humidity_percent": 48.0,
    "ambient_pressure_hpa": 1012.0,
    "whole_color": 72.0,
    "ground_color": 85.0,
    "color_system": "Tonino",
    "bean_size_min": 15,
    "bean_size_max": 17,
}


@pytest.fixture
def recording(
    tmp_path: Path, sim: SimulatedRoaster, clock: ManualClock, config: ServerConfig
) -> tuple[RoastSessionManager, RoastStore]:
    store = RoastStore(tmp_path / "roasts.sqlite3")
    manager = RoastSessionManager(sim, config, clock=clock, background_polling=False, store=store)
    manager.start_session()
    for _ in range(5):
        clock.advance(1.0)
        manager.poll_once()
    return manager, store


def test_set_roast_info_keeps_every_property(
    recording: tuple[RoastSessionManager, RoastStore],
) -> None:
    manager, store = recording
    manager.set_roast_info(bean="Kenya AA", **MEASURED)
    manager.set_roast_info(ground_color=88.0)  # one field changes, the others stay
    roast_id = manager.roast_id
    assert roast_id is not None
    store.flush()
    kept = store.get_roast(roast_id).properties
    assert kept.flavors == (("Acidity", 7.5), ("Body", 6.0))
    assert (kept.density_g_per_l, kept.batch_number, kept.bean_size_max) == (712.0, 12, 17)
    assert (kept.ground_color, kept.whole_color) == (88.0, 72.0)
    assert kept.cupping_notes == MEASURED["cupping_notes"]
    reader = RoastStore(store.path, recover=False)  # another process reads what was committed
    try:
        assert reader.get_roast(roast_id).properties == kept
    finally:
        reader.close()
    manager.stop_session()
    store.close()


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        (
            "density_g_per_l",
            7.2,
            "density_g_per_l = 7.2 is out of range; allowed: a number from 100",
        ),
        ("ambient_humidity_percent", 140.0, "from 0 to 100 %RH"),
        ("ambient_pressure_hpa", float("nan"), "ambient_pressure_hpa = nan is out of range"),
        ("batch_number", 2.5, "must be a whole number"),
        ("bean_size_min", True, "must be a number"),
        ("flavors", {"Acidity": 11.0}, "flavor score = 11.0 is out of range"),
        ("flavors", ["Acidity"], "flavors must be a mapping of label to score"),
        ("color_system", "x" * 101, "at most 100 characters"),
        ("colour", 3, "unknown roast field 'colour'"),
    ],
)
def test_a_bad_property_is_refused_and_nothing_changes(
    recording: tuple[RoastSessionManager, RoastStore], field: str, value: object, named: str
) -> None:
    manager, store = recording
    manager.set_roast_info(density_g_per_l=700.0)
    with pytest.raises(InvalidCommandError) as refused:
        manager.set_roast_info(cupping_notes="kept?", **{field: value})
    assert named in str(refused.value)
    assert "othing was changed" in str(refused.value)
    roast_id = manager.roast_id
    assert roast_id is not None
    assert store.get_roast(roast_id).properties == RoastProperties(density_g_per_l=700.0)
    manager.stop_session()
    store.close()


def test_a_smaller_max_than_min_bean_size_is_refused(
    recording: tuple[RoastSessionManager, RoastStore],
) -> None:
    manager, store = recording
    with pytest.raises(InvalidCommandError, match="bean_size_min = 18 is above bean_size_max"):
        manager.set_roast_info(bean_size_min=18, bean_size_max=15)
    manager.stop_session()
    store.close()


def test_a_version_4_store_is_upgraded_in_place_and_keeps_properties(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:  # a store as roastctl wrote it before properties
        for script in _MIGRATIONS[:4]:
            for statement in script.split(";"):
                if statement.strip():
                    db.execute(statement)
        db.execute("PRAGMA user_version = 4")
        db.execute(
            "INSERT INTO roasts (uuid, started_utc, status, roaster, notes) VALUES "
            "('old', '2025-01-01T00:00:00+00:00', 'complete', 'Hottop', 'kept')"
        )
    assert SCHEMA_VERSION == 5
    store = RoastStore(path)
    try:
        old = store.get_roast(1)
        assert (old.notes, old.properties) == ("kept", RoastProperties())
        store.update_info(1, {"cupping_notes": "sweet", "whole_color": 70.0})
        store.update_info(1, {"ground_color": 80.0})
        assert store.get_roast(1).properties == RoastProperties(
            cupping_notes="sweet", whole_color=70.0, ground_color=80.0
        )
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 5


def test_export_writes_artisans_keys_and_reads_back() -> None:
    profile: dict[str, object] = {"mode": "F"}
    properties = RoastProperties().updated(MEASURED)
    written = properties_to_profile(properties, profile)
    assert written["density"] == [712.0, "g", 1.0, "l"]
    assert written["volume"] == [0.33, 0.0, "l"]
    assert written["flavors"] == [7.5, 6.0]
    assert written["flavorlabels"] == ["Acidity", "Body"]
    assert written["ambientTemp"] == pytest.approx(70.7)  # in the profile's unit, deg F
    assert (written["beansize_min"], written["beansize_max"]) == ("15", "17")
    assert (written["roastbatchnr"], written["roastbatchprefix"]) == (12, "HT")
    assert properties_from_profile({**profile, **written}) == properties


def test_export_leaves_a_key_that_already_says_the_same_as_the_file_had_it() -> None:
    original = {"mode": "C", "volume": [208.33, 0.0, "ml"], "density": [720.0, "g", 1, "l"]}
    properties = properties_from_profile(original)
    assert properties.volume_in_l == pytest.approx(0.20833)
    written = properties_to_profile(properties, original)
    assert "volume" not in written
    assert "density" not in written
    changed = properties_to_profile(properties.updated({"density_g_per_l": 700.0}), original)
    assert changed["density"] == [700.0, "g", 1.0, "l"]


def test_a_zero_or_implausible_value_in_a_file_is_not_a_property() -> None:
    read = properties_from_profile(
        {"mode": "F", "ambientTemp": 286.7, "ambient_humidity": 0.0, "beansize_min": "0"}
    )
    assert read == RoastProperties()


def _shared_alog_with_cupping_notes() -> Path:
    if not SHARED_ROASTS.is_dir():
        pytest.skip(f"the shared roast logs are not here ({SHARED_ROASTS})")
    for path in sorted(SHARED_ROASTS.glob("*.alog")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if "'cuppingnotes': 'D" in text and "'density': [7" in text:
            return path
    pytest.skip(f"no shared .alog in {SHARED_ROASTS} has cupping notes and a density")


def test_an_imported_alog_shows_its_properties_and_exports_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    alog = _shared_alog_with_cupping_notes()
    monkeypatch.setenv("ROASTCTL_STORE__PATH", str(tmp_path / "roasts.sqlite3"))
    assert main(["import", str(alog)]) == 0
    assert main(["show", "1"]) == 0
    shown = capsys.readouterr().out
    record = load_roast_record(alog)
    assert record.properties.cupping_notes.startswith("D")
    assert f"cupping   {record.properties.cupping_notes.splitlines()[0]}" in shown
    assert f"density   {record.properties.density_g_per_l:g} g/l" in shown
    assert f"batch     R{record.properties.batch_number}" in shown
    profile = record_to_profile(record)
    assert profile["cuppingnotes"] == record.properties.cupping_notes.encode(
        "unicode_escape"
    ).decode("ascii")
    assert properties_from_profile(profile) == record.properties
