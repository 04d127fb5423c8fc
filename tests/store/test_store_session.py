"""A session with a roast store keeps everything: samples, events, commands and the safety log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from roastctl.access.caller import AGENT_CALLER, Caller, calling_as
from roastctl.agents.recipe import run_scripted_roast
from roastctl.clock import ManualClock
from roastctl.config import ServerConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.errors import InvalidCommandError
from roastctl.logs.record import RecordStatus
from roastctl.models import RoastEventType
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore, StoreError
from support import simulated_session


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RoastStore]:
    opened = RoastStore(tmp_path / "roasts.sqlite3")
    yield opened
    opened.close()


def make(
    clock: ManualClock, store: RoastStore | None
) -> tuple[RoastSessionManager, SimulatedRoaster]:
    manager, sim, _ = simulated_session(store, clock)
    return manager, sim


def test_a_whole_roast_is_kept_sample_for_sample(clock: ManualClock, store: RoastStore) -> None:
    manager, sim = make(clock, store)
    manager.start_session()
    roast_id = manager.roast_id
    assert roast_id is not None
    run_scripted_roast(manager, sim)
    final = manager.get_status()  # after stop_cooling, which put COOL on the time line
    samples = final.connection.samples
    manager.stop_session()
    record = store.get_roast(roast_id)
    assert record.status is RecordStatus.COMPLETE
    assert len(record.samples) == samples
    assert record.samples[0].time_s == 0.0
    # Events as the tracker had them, on the store's time axis (seconds since the first sample).
    kept = {e.type: e for e in record.events}
    live = {e.type: e for e in final.events}
    assert set(kept) == set(live)
    assert set(kept) >= {
        RoastEventType.CHARGE,
        RoastEventType.FIRST_CRACK_START,
        RoastEventType.DROP,
        RoastEventType.COOL,
    }
    charge_kept, charge_live = kept[RoastEventType.CHARGE].time_s, live[RoastEventType.CHARGE]
    for kind, event in live.items():
        assert kept[kind].time_s - charge_kept == pytest.approx(
            event.monotonic_s - charge_live.monotonic_s, abs=1e-3
        )
        assert kept[kind].bean_temp_c == event.bean_temp_c
        assert kept[kind].source == event.source.value
    charge = record.event(RoastEventType.CHARGE)
    assert charge is not None
    at_charge = min(record.samples, key=lambda s: abs(s.time_s - charge.time_s))
    assert at_charge.bean_temp_c == pytest.approx(charge.bean_temp_c, abs=0.01)


def test_commands_and_refusals_are_kept_with_the_caller(
    clock: ManualClock, store: RoastStore
) -> None:
    manager, _sim = make(clock, store)
    manager.start_session()
    roast_id = manager.roast_id
    assert roast_id is not None
    with pytest.raises(InvalidCommandError):
        manager.set_heat(40)  # the drum is stopped
    with pytest.raises(InvalidCommandError):
        manager.set_fan(35)  # not a fan level
    with calling_as(Caller(AGENT_CALLER)):
        manager.start_roaster()
        manager.set_heat(40)
    manager.emergency_stop()
    manager.stop_session()
    commands = [(c.command, c.arguments, c.refused, c.caller) for c in store.commands(roast_id)]
    assert commands[:4] == [
        ("set_heat", {"percent": 40}, True, "api"),
        ("set_fan", {"percent": 35}, True, "api"),
        ("start_roaster", {}, False, "agent"),
        ("set_heat", {"percent": 40}, False, "agent"),
    ]
    assert commands[4][:3] == ("emergency_stop", {}, False)
    refusal = store.commands(roast_id)[0].result
    assert "drum is stopped" in refusal
    rules = [(entry["kind"], entry["rule"]) for entry in store.safety_log(roast_id)]
    assert ("refusal", "drum_stopped") in rules
    assert ("fault", "emergency_stop") in rules


def test_new_roast_closes_one_and_opens_the_next(clock: ManualClock, store: RoastStore) -> None:
    manager, _sim = make(clock, store)
    manager.start_session()
    first = manager.roast_id
    clock.advance(1.0)
    manager.poll_once()
    manager.new_roast()
    second = manager.roast_id
    assert first is not None
    assert second is not None
    assert second != first
    clock.advance(1.0)
    manager.poll_once()
    store.flush()
    assert store.summary(first).status is RecordStatus.COMPLETE
    assert store.summary(second).status is RecordStatus.RECORDING
    assert store.summary(second).samples == 1
    manager.stop_session()
    assert store.summary(second).status is RecordStatus.COMPLETE


def test_roast_info_is_validated_and_kept(clock: ManualClock, store: RoastStore) -> None:
    manager, _sim = make(clock, store)
    manager.start_session()
    kept = manager.set_roast_info(bean="Ethiopia Guji", batch_g=230.0, notes="first try")
    assert kept["bean"] == "Ethiopia Guji"
    with pytest.raises(InvalidCommandError, match=r"batch_g = -5\.0 is not a weight"):
        manager.set_roast_info(batch_g=-5.0)
    with pytest.raises(InvalidCommandError, match="unknown roast field 'colour'"):
        manager.set_roast_info(colour="dark")
    roast_id = manager.roast_id
    assert roast_id is not None
    summary = store.summary(roast_id)
    assert (summary.bean, summary.batch_g) == ("Ethiopia Guji", 230.0)
    manager.stop_session()


def test_without_a_store_roast_info_says_why(clock: ManualClock) -> None:
    manager, _sim = make(clock, None)
    manager.start_session()
    assert manager.roast_id is None
    with pytest.raises(StoreError, match="without a roast store"):
        manager.set_roast_info(bean="x")
    manager.stop_session()


def test_after_a_crash_the_new_session_says_so_and_that_the_roaster_runs(
    clock: ManualClock, tmp_path: Path
) -> None:
    path = tmp_path / "roasts.sqlite3"
    crashed = RoastStore(path)
    manager, sim = make(clock, crashed)
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(70)
    for _ in range(5):
        clock.advance(1.0)
        manager.poll_once()
    lost = manager.roast_id
    crashed.flush()
    # The server dies; the roaster keeps heating. A new server starts on the same store.
    store = RoastStore(path)
    restarted = RoastSessionManager(
        sim, ServerConfig(timezone="UTC"), clock=clock, background_polling=False, store=store
    )
    restarted.start_session()
    notices = restarted.get_status().notices
    assert notices[0].startswith(f"roast {lost} (started ")
    assert "was interrupted" in notices[0]
    assert "6 samples are kept" in notices[0]
    assert notices[1].startswith("The roaster is still running: heat 70 %, drum on")
    restarted.stop_session()
    store.close()
    crashed.close()


def test_an_agents_mark_is_kept_as_the_agents(clock: ManualClock, store: RoastStore) -> None:
    manager, sim = make(clock, store)
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(100)
    for _ in range(700):
        clock.advance(1.0)
        manager.poll_once()
    sim.charge()
    for _ in range(120):
        clock.advance(1.0)
        manager.poll_once()
    with calling_as(Caller(AGENT_CALLER)):
        manager.mark_event("DRY_END")
    manager.mark_event("FC_START")  # a person at the roaster, through the Python API
    roast_id = manager.roast_id
    assert roast_id is not None
    manager.stop_session()
    sources = {e.type: e.source for e in store.get_roast(roast_id).events}
    assert sources[RoastEventType.CHARGE] == "auto"
    assert sources[RoastEventType.DRY_END] == "agent"
    assert sources[RoastEventType.FIRST_CRACK_START] == "manual"
    assert sources[RoastEventType.DROP] == "safety"  # hot beans dropped on stop


def test_a_store_that_fails_never_stops_the_polling(clock: ManualClock, tmp_path: Path) -> None:
    store = RoastStore(tmp_path / "roasts.sqlite3")
    manager, _sim = make(clock, store)
    manager.start_session()
    store.close()  # the disk went away under a running session
    for _ in range(5):
        clock.advance(1.0)
        assert manager.poll_once() is not None
    manager.start_roaster()
    assert manager.get_status().connection.poll_errors == 0
    manager.stop_session()
