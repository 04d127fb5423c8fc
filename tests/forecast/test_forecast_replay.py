"""The forecast on real Hottop roasts played by the replay driver, with a real roast store."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest

from roastctl.clock import ManualClock
from roastctl.config import HardwareConfig, ServerConfig
from roastctl.devices.replay import ReplayRoaster
from roastctl.logs.load import load_recorded_roast, load_roast_record
from roastctl.logs.record import RecordedRoast
from roastctl.models import FirstCrackBasis, ForecastState, RoastEventType, RoastForecast
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore
from support import START, roast_file

REPLAYED = "hottop__hamade__Kenya"
HISTORY = ("hottop__hamade__Sumatra", "hottop__hamade__Twigfoot", "hottop__hamade__Mountain")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RoastStore]:
    opened = RoastStore(tmp_path / "roasts.sqlite3")
    yield opened
    opened.close()


def replay(store: RoastStore, roast: RecordedRoast) -> list[tuple[float, float, RoastForecast]]:
    """Replay ``roast`` into a session kept in ``store``; return (log time, BT, forecast) rows."""
    clock = ManualClock(start=START)
    roaster = ReplayRoaster(roast, clock)
    config = ServerConfig(hardware=HardwareConfig(driver="replay"), timezone="UTC")
    manager = RoastSessionManager(
        roaster, config, clock=clock, background_polling=False, store=store
    )
    origin = clock.monotonic()
    manager.start_session()
    assert roast.batch_mass_g is not None
    manager.set_roast_info(batch_g=roast.batch_mass_g)
    rows: list[tuple[float, float, RoastForecast]] = []
    while roaster.is_connected():
        clock.advance(2.0)
        reading = manager.poll_once()
        forecast = manager.get_status().forecast
        if reading is not None and forecast is not None:
            rows.append((reading.monotonic_s - origin, reading.bean_temp_c, forecast))
    manager.stop_session()
    return rows


def bt_at(roast: RecordedRoast, time_s: float) -> float:
    index = min(range(len(roast.times)), key=lambda i: abs(roast.times[i] - time_s))
    value = roast.bean_temps[index]
    assert value is not None
    return value


def test_a_real_roast_is_forecast_from_its_own_samples_and_the_users_history(
    store: RoastStore,
) -> None:
    for prefix in HISTORY:
        store.import_record(load_roast_record(roast_file(prefix)))
    roast = load_recorded_roast(roast_file(REPLAYED))
    fcs_at = roast.times[roast.marks[RoastEventType.FIRST_CRACK_START]]
    drop_at = roast.times[roast.marks[RoastEventType.DROP]]
    rows = replay(store, roast)
    roasting = [row for row in rows if row[2].first_crack_bt_c is not None]
    assert roasting, "the session saw CHARGE and forecast the roast"
    # The first-crack BT is the median of the three kept roasts' FCs marks.
    marked = []
    for prefix in HISTORY:
        kept = load_recorded_roast(roast_file(prefix))
        bean = kept.bean_temps[kept.marks[RoastEventType.FIRST_CRACK_START]]
        assert bean is not None
        marked.append(bean)
    forecast = roasting[-1][2]
    assert forecast.first_crack_bt_basis is FirstCrackBasis.HISTORY
    assert forecast.first_crack_history_roasts == len(HISTORY)
    assert forecast.first_crack_bt_c == pytest.approx(statistics.median(marked), abs=0.05)
    # Two minutes ahead, from the turning point's minute to two minutes before the drop.
    errors = [
        row[2].bt_in_120s_c - bt_at(roast, row[0] + 120.0)
        for row in roasting
        if row[2].state is ForecastState.OK
        and row[2].bt_in_120s_c is not None
        and 240.0 <= row[0] - roasting[0][0] <= drop_at - roasting[0][0] - 120.0
    ]
    assert len(errors) > 100
    rmse = math.sqrt(sum(e * e for e in errors) / len(errors))
    assert rmse < 4.0, f"BT 120 s ahead RMSE {rmse:.2f} degC on {REPLAYED}"
    factor = forecast.heater_power_factor
    assert factor is not None
    assert 0.8 < factor < 1.25
    # A minute before the FCs mark, first crack is forecast to come within a minute of it.
    before = next(row for row in rows if row[0] >= fcs_at - 60.0)
    eta = before[2].first_crack_in_s
    assert eta is not None
    assert abs(before[0] + eta - fcs_at) < 60.0


def test_after_the_drop_mark_of_a_replay_the_forecast_ends(store: RoastStore) -> None:
    roast = load_recorded_roast(roast_file(REPLAYED))
    rows = replay(store, roast)
    drop_at = roast.times[roast.marks[RoastEventType.DROP]]
    after = [row[2] for row in rows if row[0] > drop_at + 10.0]
    assert after
    assert all(f.state is ForecastState.ROAST_OVER for f in after)
