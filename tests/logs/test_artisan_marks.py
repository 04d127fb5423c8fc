"""All eight Artisan marks both ways: SCs, SCe and COOL in ``timeindex[4]``, ``[5]``, ``[7]``."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from roastctl.logs.artisan import parse_profile
from roastctl.logs.artisan_check import check_artisan_profile
from roastctl.logs.artisan_write import export_csv, record_to_profile, write_alog
from roastctl.logs.load import load_roast_record
from roastctl.logs.record import RecordEvent, RecordSample, RoastRecord
from roastctl.models import RoastEventType
from support import roasts_dir

CHARGE = RoastEventType.CHARGE
DRY_END = RoastEventType.DRY_END
FC_START = RoastEventType.FIRST_CRACK_START
FC_END = RoastEventType.FIRST_CRACK_END
SC_START = RoastEventType.SECOND_CRACK_START
SC_END = RoastEventType.SECOND_CRACK_END
DROP = RoastEventType.DROP
COOL = RoastEventType.COOL

#: Sample index of every mark, in Artisan's timeindex order.
ALL_MARKS = {
    CHARGE: 2,
    DRY_END: 6,
    FC_START: 10,
    FC_END: 12,
    SC_START: 14,
    SC_END: 16,
    DROP: 18,
    COOL: 26,
}


def record_with_all_marks() -> RoastRecord:
    samples = tuple(
        RecordSample(
            time_s=0.5 + i,
            bean_temp_c=100.0 + 5 * i if i <= 18 else 190.0 - 4 * (i - 18),
            env_temp_c=200.0 + i / 2,
            heat_percent=50,
            fan_percent=20,
        )
        for i in range(30)
    )
    events = tuple(
        RecordEvent(kind, samples[index].time_s, samples[index].bean_temp_c, source="manual")
        for kind, index in ALL_MARKS.items()
    )
    return RoastRecord(
        uuid="1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        started_utc=datetime(2026, 3, 1, 9, 30, 15, tzinfo=UTC),
        samples=samples,
        events=events,
        title="All marks",
    )


def test_export_puts_every_mark_in_its_timeindex_slot() -> None:
    profile = record_to_profile(record_with_all_marks())
    assert profile["timeindex"] == [2, 6, 10, 12, 14, 16, 18, 26]
    assert check_artisan_profile(profile) == []
    computed = profile["computed"]
    # Artisan's computed block: times from CHARGE and BT at each mark.
    assert (computed["SCs_time"], computed["SCe_time"], computed["COOL_time"]) == (12.0, 14.0, 24.0)
    assert computed["SCs_BT"] == 170.0
    assert computed["COOL_BT"] == 158.0
    # DTR's inputs stay DROP and FCs: COOL does not lengthen the roast.
    assert computed["totaltime"] == 16.0
    assert computed["finishphasetime"] == 8.0


def test_alog_round_trip_keeps_second_crack_and_cool(tmp_path: Path) -> None:
    record = record_with_all_marks()
    path = write_alog(record, tmp_path / "marks.alog")
    assert parse_profile(path.read_text(encoding="utf-8"))["timeindex"][4:] == [14, 16, 18, 26]
    again = load_roast_record(path)
    assert [(e.type, e.time_s) for e in again.events] == [(e.type, e.time_s) for e in record.events]


def test_csv_lists_and_reads_back_second_crack_and_cool(tmp_path: Path) -> None:
    text = export_csv(record_with_all_marks())
    header = next(csv.reader(io.StringIO(text), delimiter="\t"))
    assert [cell for cell in header if cell.startswith(("SCs:", "SCe:", "COOL:"))] == [
        "SCs:00:14",
        "SCe:00:16",
        "COOL:00:26",
    ]
    path = tmp_path / "marks.csv"
    path.write_text(text, encoding="utf-8")
    kept = {e.type for e in load_roast_record(path).events}
    assert {SC_START, SC_END, COOL} <= kept


def _slots_set(profile: dict[str, Any], slot: int) -> bool:
    timeindex = profile.get("timeindex")
    return isinstance(timeindex, list) and len(timeindex) > slot and timeindex[slot] > 0


def test_shared_artisan_logs_keep_scs_sce_and_cool_through_import_and_export(
    tmp_path: Path,
) -> None:
    paths = sorted(roasts_dir().glob("*.alog"))
    if not paths:
        pytest.skip(f"no .alog files in {roasts_dir()}")
    slots = {4: "SCs", 5: "SCe", 7: "COOL"}
    before = dict.fromkeys(slots.values(), 0)
    after = dict.fromkeys(slots.values(), 0)
    for path in paths:
        original = parse_profile(path.read_text(encoding="utf-8"))
        exported = record_to_profile(load_roast_record(path))
        for slot, name in slots.items():
            had, has = _slots_set(original, slot), _slots_set(exported, slot)
            before[name] += had
            after[name] += had and has
            if had:
                # The mark stays on the same moment of the recording.
                want = original["timex"][original["timeindex"][slot]] - original["timex"][0]
                got = exported["timex"][exported["timeindex"][slot]] - exported["timex"][0]
                assert got == pytest.approx(want, abs=0.01), f"{path.name}: {name} moved"
    print(f"\n{len(paths)} .alog files; marks in the files -> kept after import and export:")
    for name in slots.values():
        print(f"  {name}: {before[name]} -> {after[name]}")
    assert after == before
