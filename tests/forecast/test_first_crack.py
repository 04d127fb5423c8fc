"""The first-crack BT learned from kept roasts (a real SQLite store) and the BT picked from it."""

from __future__ import annotations

import logging
import sqlite3
import statistics
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from roastctl.forecast.first_crack import (
    DEFAULT_SPREAD_C,
    MIN_SPREAD_C,
    FirstCrackReference,
    first_crack_history,
    first_crack_reference,
    roaster_family,
)
from roastctl.logs.load import load_roast_record
from roastctl.logs.record import RecordEvent, RecordSample, RecordStatus, RoastRecord
from roastctl.models import FirstCrackBasis, RoastEventType
from roastctl.store.database import RoastStore
from support import START, roast_file

HOTTOP = "Hottop KN-8828B-2K+"  # what a live Hottop session writes
SIMULATED = "Simulated Hottop KN-8828B-2K+"  # what the simulator writes
REPLAY = "Replay of hottop.alog (Kenya)"  # what the replay driver writes
FCS = RoastEventType.FIRST_CRACK_START


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RoastStore]:
    opened = RoastStore(tmp_path / "roasts.sqlite3")
    yield opened
    opened.close()


def keep(
    store: RoastStore,
    roaster: str,
    fcs_bt: float | None,
    *,
    minutes: int,
    status: RecordStatus = RecordStatus.COMPLETE,
) -> int:
    """Keep a roast of ``roaster`` started ``minutes`` after START, FCs at ``fcs_bt`` (or none)."""
    events = [RecordEvent(RoastEventType.CHARGE, 0.0, 200.0, "auto")]
    if fcs_bt is not None:
        events.append(RecordEvent(FCS, 480.0, fcs_bt, "manual"))
    record = RoastRecord(
        uuid=f"roast-{roaster}-{minutes}",
        started_utc=START + timedelta(minutes=minutes),
        samples=(RecordSample(0.0, 200.0, 250.0, 80, 30),),
        events=tuple(events),
        status=status,
        roaster=roaster,
    )
    return store.import_record(record)


def test_the_roasts_of_the_same_roaster_count_newest_first(store: RoastStore) -> None:
    keep(store, HOTTOP, 190.0, minutes=10)
    keep(store, HOTTOP, 192.0, minutes=30)
    keep(store, "Hottop 2K+", 191.0, minutes=20)  # an Artisan import of the same machine
    keep(store, SIMULATED, 205.0, minutes=40)
    keep(store, "Aillio Bullet R1", 199.0, minutes=50)

    assert first_crack_history(store, HOTTOP) == (192.0, 191.0, 190.0)
    assert first_crack_history(store, SIMULATED) == (205.0,)
    assert first_crack_history(store, "Aillio Bullet R1") == (199.0,)
    assert first_crack_history(store, "Some other roaster") == ()


def test_a_roast_without_first_crack_or_still_recording_is_skipped(store: RoastStore) -> None:
    keep(store, HOTTOP, 190.0, minutes=10)
    keep(store, HOTTOP, None, minutes=20)
    keep(store, HOTTOP, 193.0, minutes=30, status=RecordStatus.RECORDING)
    keep(store, HOTTOP, 194.0, minutes=40, status=RecordStatus.INTERRUPTED)
    keep(store, HOTTOP, 90.0, minutes=50)  # a mark clicked long before first crack

    assert first_crack_history(store, HOTTOP) == (194.0, 190.0)


def test_limit_takes_the_newest_and_the_roast_in_progress_is_left_out(store: RoastStore) -> None:
    for minutes in range(6):
        keep(store, HOTTOP, 180.0 + minutes, minutes=minutes)
    newest = keep(store, HOTTOP, 199.0, minutes=60)

    assert first_crack_history(store, HOTTOP, limit=3) == (199.0, 185.0, 184.0)
    assert first_crack_history(store, HOTTOP, limit=2, exclude_roast_id=newest) == (185.0, 184.0)
    with pytest.raises(ValueError, match="limit 0"):
        first_crack_history(store, HOTTOP, limit=0)


def test_a_replay_learns_from_hottop_roasts_but_replays_teach_nothing(store: RoastStore) -> None:
    keep(store, "Hottop 2K+", 182.0, minutes=10)
    keep(store, REPLAY, 182.0, minutes=20)

    assert first_crack_history(store, REPLAY) == (182.0,)
    assert first_crack_history(store, HOTTOP) == (182.0,)


def test_the_roaster_families() -> None:
    assert roaster_family(HOTTOP) == roaster_family("Hottop 2K+") == "hottop"
    assert roaster_family("  KN-8828B-2K+ ") == "hottop"
    assert roaster_family(SIMULATED) == "simulator"
    assert roaster_family(REPLAY) == "replay"
    assert roaster_family("Aillio  Bullet R1") == roaster_family("aillio bullet r1")
    assert roaster_family("") is None
    assert roaster_family("   ") is None


def test_a_roaster_with_no_name_learns_from_nothing(store: RoastStore) -> None:
    keep(store, "", 190.0, minutes=10)
    assert first_crack_history(store, "") == ()


def test_an_imported_shared_hottop_log_counts_for_a_live_hottop(store: RoastStore) -> None:
    record = load_roast_record(roast_file("hottop__hamade__Daz_"))
    assert record.roaster == "Hottop 2K+"
    fcs = record.event(FCS)
    assert fcs is not None
    assert fcs.bean_temp_c is not None
    store.import_record(record)

    assert first_crack_history(store, HOTTOP) == pytest.approx((fcs.bean_temp_c,))
    assert first_crack_history(store, "Replay of Daz.alog") == pytest.approx((fcs.bean_temp_c,))
    assert first_crack_history(store, SIMULATED) == ()


def test_an_unreadable_store_gives_no_history_and_says_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "roasts.sqlite3"
    store = RoastStore(path)
    try:
        keep(store, HOTTOP, 190.0, minutes=10)
        with sqlite3.connect(path) as db:
            db.execute("DROP TABLE events")
        with caplog.at_level(logging.WARNING, logger="roastctl.forecast.first_crack"):
            assert first_crack_history(store, HOTTOP) == ()
        assert "cannot be read from the roast store" in caplog.text
    finally:
        store.close()


# ----------------------------------------------------------------- the BT picked


def test_the_history_median_is_used_once_it_is_long_enough() -> None:
    history = (190.0, 186.0, 194.0)
    reference = first_crack_reference(history, configured_c=200.0, model_c=205.0, min_roasts=3)
    assert reference.basis is FirstCrackBasis.HISTORY
    assert reference.bean_temp_c == 190.0
    assert reference.roasts == 3
    # Three roasts are too few for their spread: the default band.
    assert (reference.low_c, reference.high_c) == (190.0 - DEFAULT_SPREAD_C, 196.0)


def test_too_short_a_history_falls_back_to_the_configured_bt_then_the_model() -> None:
    configured = first_crack_reference((190.0,), configured_c=200.0, model_c=205.0, min_roasts=3)
    assert configured == FirstCrackReference(
        bean_temp_c=200.0,
        basis=FirstCrackBasis.CONFIG,
        roasts=0,
        low_c=200.0 - DEFAULT_SPREAD_C,
        high_c=200.0 + DEFAULT_SPREAD_C,
    )
    modelled = first_crack_reference((), configured_c=None, model_c=205.0, min_roasts=1)
    assert modelled.basis is FirstCrackBasis.MODEL
    assert (modelled.bean_temp_c, modelled.roasts) == (205.0, 0)
    assert (modelled.low_c, modelled.high_c) == (199.0, 211.0)


def test_a_long_history_gives_its_own_10th_and_90th_percentiles() -> None:
    history = [180.0 + i for i in range(11)]  # 180 .. 190
    reference = first_crack_reference(history, configured_c=None, model_c=205.0, min_roasts=3)
    assert reference.bean_temp_c == 185.0
    assert reference.roasts == 11
    assert reference.low_c == pytest.approx(181.0)
    assert reference.high_c == pytest.approx(189.0)
    deciles = statistics.quantiles(history, n=10, method="inclusive")
    assert (reference.low_c, reference.high_c) == pytest.approx((deciles[0], deciles[-1]))


def test_the_spread_is_skewed_as_the_history_is_and_never_collapses() -> None:
    skewed = first_crack_reference(
        (178.0, 181.0, 181.0, 181.0, 190.0), configured_c=None, model_c=205.0, min_roasts=3
    )
    assert skewed.bean_temp_c == 181.0
    assert skewed.low_c == pytest.approx(181.0 - 1.8)
    assert skewed.high_c == pytest.approx(181.0 + 5.4)
    narrow = first_crack_reference(
        (180.0, 181.0, 181.0, 181.0, 190.0), configured_c=None, model_c=205.0, min_roasts=3
    )
    assert narrow.low_c == 181.0 - MIN_SPREAD_C  # 0.6 below by the deciles
    same = first_crack_reference([185.0] * 6, configured_c=None, model_c=205.0, min_roasts=3)
    assert (same.low_c, same.high_c) == (185.0 - MIN_SPREAD_C, 185.0 + MIN_SPREAD_C)


def test_a_history_short_of_min_roasts_still_lends_its_spread_to_the_configured_bt() -> None:
    history = [180.0 + i for i in range(11)]
    reference = first_crack_reference(history, configured_c=200.0, model_c=205.0, min_roasts=20)
    assert reference.basis is FirstCrackBasis.CONFIG
    assert reference.roasts == 0
    assert (reference.low_c, reference.high_c) == pytest.approx((196.0, 204.0))


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="min_roasts 0"):
        first_crack_reference((), configured_c=None, model_c=205.0, min_roasts=0)
    with pytest.raises(ValueError, match="model_c nan"):
        first_crack_reference((), configured_c=None, model_c=float("nan"), min_roasts=3)
