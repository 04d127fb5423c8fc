"""Artisan special events onto the roast's time line: a heater or fan recorded only as events
becomes that control's setting on every sample, and roastctl's exported events read back as the
samples they came from."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from roastctl.logs.artisan import parse_profile
from roastctl.logs.artisan_events import (
    external_event_value,
    internal_event_value,
    levels_from_events,
)
from roastctl.logs.artisan_import import record_from_profile
from roastctl.logs.artisan_write import dump_alog, record_to_profile
from roastctl.logs.load import load_roast_record
from roastctl.logs.record import RoastRecord
from roastctl.models import RoastEventType
from roastctl.store.database import RoastStore
from support import roasts_dir, scripted_roast_record

MODIFIED = datetime(2026, 1, 1, tzinfo=UTC)


def events_profile(**changes: Any) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "mode": "C",
        "timex": [float(t) for t in range(0, 16, 2)],
        "temp1": [200.0] * 8,
        "temp2": [150.0] * 8,
        "timeindex": [0, 0, 0, 0, 0, 0, 7, 0],
        "etypes": ["Air", "Drum", "Damper", "Burner", "--"],
        "specialevents": [0, 2, 2, 5, 6],
        "specialeventstype": [0, 3, 4, 3, 0],
        "specialeventsvalue": [4.0, 9.0, 3.0, 1.0, 11.0],
        "specialeventsStrings": ["", "", "", "", ""],
    }
    profile.update(changes)
    return profile


def test_external_value_is_artisans_and_undoes_the_internal_one() -> None:
    assert [external_event_value(v) for v in (1.0, 6.0, 11.0, 0.5, -1.0)] == [0, 50, 100, 0, 0]
    assert external_event_value(-3.0) == -20
    for percent in range(101):
        assert external_event_value(internal_event_value(percent)) == percent


def test_events_hold_their_setting_until_the_next_one() -> None:
    heater, fan = levels_from_events(events_profile(), 8)

    assert heater == [None, None, 80, 80, 80, 0, 0, 0]
    assert fan == [30, 30, 30, 30, 30, 30, 100, 100]


def test_event_types_are_told_by_their_names() -> None:
    # A setup that put the heater first and the fan fourth.
    renamed = events_profile(etypes=["Heater", "Drum", "Damper", "Fan", "--"])
    heater, fan = levels_from_events(renamed, 8)

    assert heater == [30, 30, 30, 30, 30, 30, 100, 100]
    assert fan == [None, None, 80, 80, 80, 0, 0, 0]


@pytest.mark.parametrize(
    "broken",
    [
        {"specialevents": [0, 99], "specialeventstype": [3, 3], "specialeventsvalue": [6.0, 2.0]},
        {"specialevents": [0, 1], "specialeventstype": [3, 3], "specialeventsvalue": [6.0, None]},
        {"specialevents": [0, "x"], "specialeventstype": [3, 3], "specialeventsvalue": [6.0, 2.0]},
        {"specialevents": [0, 1], "specialeventstype": [3], "specialeventsvalue": [6.0, 2.0]},
    ],
)
def test_an_event_that_cannot_be_placed_is_skipped_not_guessed(broken: dict[str, Any]) -> None:
    heater, _ = levels_from_events(events_profile(**broken), 8)

    assert heater == [50] * 8


def test_a_profile_without_events_has_no_levels() -> None:
    assert levels_from_events({"timex": [0.0, 1.0]}, 2) == (None, None)


def test_import_puts_event_only_controls_on_the_samples() -> None:
    record = record_from_profile(events_profile(), MODIFIED)

    assert [s.heat_percent for s in record.samples] == [None, None, 80, 80, 80, 0, 0, 0]
    assert [s.fan_percent for s in record.samples] == [30, 30, 30, 30, 30, 30, 100, 100]


def test_a_shared_skywalker_log_brings_its_heater_and_fan_changes(tmp_path: Path) -> None:
    path = roasts_dir() / "skywalker__scottjames__roast_25-08-30_1714.alog"
    profile = parse_profile(path.read_text(encoding="utf-8"))
    record = load_roast_record(path)

    heats = [s.heat_percent for s in record.samples]
    fans = [s.fan_percent for s in record.samples]
    heater_events = [k for k in profile["specialeventstype"] if k == 3]
    assert any(h is not None for h in heats)
    assert any(f is not None for f in fans)
    # One step of the heater curve per heater event at most (equal settings make no step).
    steps = sum(1 for a, b in itertools.pairwise(heats) if b != a and b is not None)
    assert 0 < steps <= len(heater_events)
    # And the file still comes back whole: its events are given back, not regenerated.
    store = RoastStore(tmp_path / "roasts.sqlite3")
    try:
        roast_id = store.import_record(record)
        store.flush(5.0)
        exported = record_to_profile(store.get_roast(roast_id))
    finally:
        store.close()
    for key in ("specialevents", "specialeventstype", "specialeventsvalue", "timex", "temp2"):
        assert exported[key] == profile[key], key


@pytest.fixture
def simulated_record(tmp_path: Path) -> Iterator[RoastRecord]:
    store = RoastStore(tmp_path / "sim.sqlite3")
    yield scripted_roast_record(store, seed=11)
    store.close()


def test_roastctls_exported_events_read_back_as_its_heater_and_fan(
    simulated_record: RoastRecord,
) -> None:
    """Both ways: export a roast, keep only the events (no channel curves), import it again."""
    profile = parse_profile(dump_alog(simulated_record))
    for key in [key for key in profile if key.startswith("extra")]:
        del profile[key]
    again = record_from_profile(profile, MODIFIED)

    charge = simulated_record.event(RoastEventType.CHARGE)
    assert charge is not None
    # Of two samples at one time the export keeps the later (the state after a command).
    kept = {s.time_s: s for s in simulated_record.samples if s.time_s >= charge.time_s}
    by_time = {s.time_s: s for s in again.samples}
    compared = [(s, by_time[time_s]) for time_s, s in kept.items() if time_s in by_time]
    assert len(compared) > 100
    assert all(a.heat_percent == b.heat_percent for a, b in compared)
    assert all(a.fan_percent == b.fan_percent for a, b in compared)
