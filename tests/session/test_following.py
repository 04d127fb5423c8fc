"""Following a reference on the simulator: the server sets the heat (and fan) every sample.

Each roast is stepped by hand (ManualClock + poll_once). The references are short (a designed
curve to 5:00, a few minutes of a recorded roast) so each test runs in a few seconds of CPU;
the statuses are read without the forecast (the follower plans on the live estimate itself).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from roastctl.clock import ManualClock
from roastctl.config import ServerConfig, SimulatorConfig
from roastctl.control.reference import DesignedCurve, RorSegment, Waypoint
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.errors import InvalidCommandError, RoasterNotConnectedError
from roastctl.logs.artisan_write import record_to_profile, write_alog
from roastctl.logs.load import load_roast_record
from roastctl.models import FollowState, RoastEventType, RoastStatus
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore
from simulated_files import write_roast_files
from support import START, preheat_and_charge, roasts_dir, run_until, simulated_session

#: A short designed roast: TP region, dry end at 4:00, DROP at 5:00; fan 0 -> 20 -> 40 %.
SHORT = DesignedCurve(
    points=(
        Waypoint(0.0, None),
        Waypoint(90.0, 100.0),
        Waypoint(240.0, 150.0),
        Waypoint(300.0, 162.0),
    ),
    name="short designed",
    events={RoastEventType.DRY_END: 240.0},
    fan=((0.0, 0), (60.0, 20), (150.0, 40)),
)


def elapsed(status: RoastStatus) -> float:
    return status.metrics.roast_elapsed_s or 0.0


def following(status: RoastStatus) -> FollowState | None:
    return None if status.following is None else status.following.state


def run_for(manager: RoastSessionManager, clock: ManualClock, seconds: float) -> RoastStatus:
    start = elapsed(manager.get_status(forecast=False))
    return run_until(manager, clock, lambda s: elapsed(s) >= start + seconds, limit_s=seconds + 5)


@pytest.fixture
def session() -> Iterator[tuple[RoastSessionManager, SimulatedRoaster, ManualClock]]:
    """A started simulated session with the forecast on (following needs it), no store."""
    manager, roaster, clock = simulated_session(None)
    manager.start_session()
    yield manager, roaster, clock
    manager.stop_session()


@pytest.fixture
def charged(
    session: tuple[RoastSessionManager, SimulatedRoaster, ManualClock],
) -> tuple[RoastSessionManager, SimulatedRoaster, ManualClock]:
    """The session with its beans just charged."""
    manager, _, clock = session
    preheat_and_charge(manager, clock)
    return session


def test_a_designed_curve_waits_for_charge_follows_and_finishes_at_its_drop(
    tmp_path: Path,
) -> None:
    store = RoastStore(tmp_path / "roasts.sqlite3")
    manager, _, clock = simulated_session(store)
    manager.start_session()
    roast_id = manager.roast_id
    assert roast_id is not None
    status = manager.follow_profile(SHORT)
    assert status.state is FollowState.WAITING_FOR_CHARGE
    assert (status.reference, status.source, status.reference_drop_s) == (
        "short designed",
        "designed",
        300.0,
    )
    assert status.target_bt_c is None  # no target before CHARGE
    charged = preheat_and_charge(manager, clock)
    assert following(charged) is FollowState.FOLLOWING
    seen: list[RoastStatus] = []

    def done(status: RoastStatus) -> bool:
        seen.append(status)
        return following(status) is not FollowState.FOLLOWING

    end = run_until(manager, clock, done, limit_s=330)
    info = end.following
    assert info is not None
    assert info.state is FollowState.FINISHED
    assert elapsed(end) == pytest.approx(300.0, abs=1.5)
    assert info.reason is not None
    assert "reached the reference's DROP at 05:00" in info.reason
    assert f"holds at {end.sensors.heat_percent} %" in info.reason  # type: ignore[union-attr]
    assert info.heat_changes >= 3
    mid = next(s for s in seen if elapsed(s) >= 200.0).following
    assert mid is not None
    assert mid.target_bt_c is not None
    assert mid.deviation_c is not None
    mid_s = next(elapsed(s) for s in seen if elapsed(s) >= 200.0)
    assert mid.target_bt_c == pytest.approx(100.0 + 50.0 * (mid_s - 90.0) / 150.0, abs=0.2)
    assert mid.next_event == "DRY_END"
    assert mid.next_event_in_s is not None
    assert mid.ahead_s is not None
    assert mid.target_ror_c_per_min == pytest.approx(20.0, abs=0.5)
    # The heat holds after the end: following no longer acts.
    heat_at_end = end.sensors.heat_percent  # type: ignore[union-attr]
    after = run_for(manager, clock, 20)
    assert after.sensors.heat_percent == heat_at_end  # type: ignore[union-attr]
    manager.stop_session()
    heat_commands = [
        c for c in store.commands(roast_id) if c.caller == "follower" and c.command == "set_heat"
    ]
    assert len(heat_commands) == info.heat_changes
    times = [c.at_utc for c in heat_commands]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert all(gap >= 5.0 - 1e-6 for gap in gaps), gaps  # never more often than one per 5 s
    assert all(not c.refused for c in heat_commands)


def test_following_a_roast_file_begins_at_once_after_charge(
    charged: tuple[RoastSessionManager, SimulatedRoaster, ManualClock], tmp_path: Path
) -> None:
    manager, roaster, clock = charged
    files = write_roast_files(tmp_path)
    heat_before = roaster.actuators().heat_percent
    status = manager.follow_profile(files.alog)
    assert status.state is FollowState.FOLLOWING
    assert (status.reference, status.source) == ("Simulated Hottop roast", "file")
    assert status.target_bt_c is not None
    end = run_for(manager, clock, 60)
    info = end.following
    assert info is not None
    assert info.state is FollowState.FOLLOWING
    assert info.heat_changes >= 1
    assert roaster.actuators().heat_percent != heat_before or info.heat_percent is not None
    assert manager.stop_following() is True
    assert manager.get_status(forecast=False).following is None
    heat = roaster.actuators().heat_percent
    run_for(manager, clock, 15)
    assert roaster.actuators().heat_percent == heat  # stop_following leaves the heat


def test_a_shared_hottop_log_is_followed_from_charge() -> None:
    logs = sorted(roasts_dir().glob("hottop__hamade*"))
    if not logs:
        pytest.skip(f"no hottop__hamade log in {roasts_dir()}")
    manager, _, clock = simulated_session(None)
    manager.start_session()
    status = manager.follow_profile(logs[0])
    assert status.state is FollowState.WAITING_FOR_CHARGE
    assert status.source == "file"
    preheat_and_charge(manager, clock)
    end = run_for(manager, clock, 90)
    assert following(end) is FollowState.FOLLOWING
    assert end.following is not None
    assert end.following.heat_changes >= 1
    manager.stop_session()
    assert following(manager.get_status(forecast=False)) is FollowState.STOPPED


def test_a_kept_roast_is_followed_and_named_in_the_kept_roast_and_its_alog(
    tmp_path: Path,
) -> None:
    store = RoastStore(tmp_path / "roasts.sqlite3")
    files = write_roast_files(tmp_path)
    reference_id = store.import_record(files.record)
    manager, _, clock = simulated_session(store)
    manager.start_session()
    roast_id = manager.roast_id
    assert roast_id is not None
    status = manager.follow_profile(reference_id)
    assert (status.reference, status.source) == ("Simulated Hottop roast", "roast")
    preheat_and_charge(manager, clock)
    run_for(manager, clock, 30)
    manager.stop_session()
    kept = store.get_roast(roast_id)
    assert kept.extra["reference"] == {
        "name": "Simulated Hottop roast",
        "source": "roast",
        "roast_id": reference_id,
        "path": None,
        "uuid": files.record.uuid,
    }
    commands = {c.command: c for c in store.commands(roast_id)}
    assert commands["follow_profile"].arguments == {
        "reference": reference_id,
        "hold_ror_after_first_crack": None,
    }
    profile = record_to_profile(kept)
    assert profile["backgroundpath"] == "Simulated Hottop roast"
    assert profile["backgroundUUID"] == files.record.uuid
    # Exported and imported again, the file still names its background.
    alog = write_alog(kept, tmp_path / "followed.alog")
    again = load_roast_record(alog)
    assert record_to_profile(again)["backgroundUUID"] == files.record.uuid
    other = RoastStore(tmp_path / "other.sqlite3")  # the same roast, kept elsewhere
    reimported = other.get_roast(other.import_record(again))
    reexported = record_to_profile(reimported)
    assert (reexported["backgroundpath"], reexported["backgroundUUID"]) == (
        "Simulated Hottop roast",
        files.record.uuid,
    )


def test_a_followed_file_is_named_by_its_path_in_the_alog(tmp_path: Path) -> None:
    store = RoastStore(tmp_path / "roasts.sqlite3")
    files = write_roast_files(tmp_path)
    manager, _, _ = simulated_session(store)
    manager.start_session()
    roast_id = manager.roast_id
    assert roast_id is not None
    manager.follow_profile(str(files.alog))
    manager.stop_session()
    kept = store.get_roast(roast_id)
    assert kept.extra["reference"]["path"] == str(files.alog)  # type: ignore[index]
    profile = record_to_profile(kept)
    assert profile["backgroundpath"] == str(files.alog)
    assert "backgroundUUID" not in profile


def test_refusals_name_the_value_and_change_nothing(
    session: tuple[RoastSessionManager, SimulatedRoaster, ManualClock], tmp_path: Path
) -> None:
    manager, _, _ = session
    manager.follow_profile(SHORT)
    before = manager.get_status(forecast=False).following
    bad_curve = DesignedCurve(points=(Waypoint(0.0, None), Waypoint(300.0, 400.0)))
    refusals: list[tuple[object, str]] = [
        (4711, "reference roast 4711 cannot be read: roasts are not being kept"),
        (tmp_path / "missing.alog", "missing.alog"),
        ("", "the reference path is empty"),
        (bad_curve, "BT of point 2 is 400.0 deg C; allowed 20-240 deg C"),
        (
            DesignedCurve(points=(Waypoint(0.0, 120.0), RorSegment(200.0, 90.0))),
            "RoR of point 2 is 90.0 deg C/min",
        ),
        (True, "True is not a roast"),
    ]
    for reference, message in refusals:
        with pytest.raises(InvalidCommandError, match=message.replace("(", r"\(")):
            manager.follow_profile(reference)  # type: ignore[arg-type]
        assert manager.get_status(forecast=False).following == before
    with pytest.raises(InvalidCommandError, match=r"hold_ror_after_first_crack 99\.0 deg C/min"):
        manager.follow_profile(SHORT, hold_ror_after_first_crack=99.0)
    with pytest.raises(InvalidCommandError, match="following is waiting_for_charge, not paused"):
        manager.resume_following()
    assert manager.get_status(forecast=False).following == before


def test_a_kept_roast_id_not_in_the_store_is_refused(tmp_path: Path) -> None:
    manager, _, _ = simulated_session(RoastStore(tmp_path / "roasts.sqlite3"))
    manager.start_session()
    with pytest.raises(InvalidCommandError, match="reference roast 999 is not in the roast store"):
        manager.follow_profile(999)
    assert manager.get_status(forecast=False).following is None
    manager.stop_session()


def test_no_following_without_a_session_or_the_forecast_or_after_the_drop(
    charged: tuple[RoastSessionManager, SimulatedRoaster, ManualClock],
) -> None:
    idle, _, _ = simulated_session(None)
    with pytest.raises(RoasterNotConnectedError, match="start_session"):
        idle.follow_profile(SHORT)
    clock = ManualClock(start=START)
    no_forecast = RoastSessionManager(
        SimulatedRoaster(SimulatorConfig(seed=7), clock),
        ServerConfig(timezone="UTC", forecast={"enabled": False}),
        clock=clock,
        background_polling=False,
    )
    no_forecast.start_session()
    with pytest.raises(InvalidCommandError, match=r"\[forecast\] enabled = true"):
        no_forecast.follow_profile(SHORT)
    assert no_forecast.get_status(forecast=False).following is None
    no_forecast.stop_session()
    manager, _, _ = charged
    manager.drop_beans()
    with pytest.raises(InvalidCommandError, match="already dropped"):
        manager.follow_profile(SHORT)
    assert manager.get_status(forecast=False).following is None
    with pytest.raises(InvalidCommandError, match="no reference is set"):
        manager.pause_following()


def test_a_manual_set_heat_pauses_following_until_resumed(
    charged: tuple[RoastSessionManager, SimulatedRoaster, ManualClock],
) -> None:
    manager, roaster, clock = charged
    manager.follow_profile(SHORT)
    run_for(manager, clock, 30)
    manager.set_heat(30)
    paused = manager.get_status(forecast=False).following
    assert paused is not None
    assert paused.state is FollowState.PAUSED
    assert paused.reason is not None
    assert "set_heat 30 % at 00:" in paused.reason
    assert "resume_following()" in paused.reason
    run_for(manager, clock, 30)
    assert roaster.actuators().heat_percent == 30  # the agent's heat holds while paused
    changes = paused.heat_changes
    resumed = manager.resume_following()
    assert resumed.state is FollowState.FOLLOWING
    assert resumed.reason is None
    end = run_for(manager, clock, 20)
    assert end.following is not None
    assert end.following.heat_changes > changes
    assert roaster.actuators().heat_percent != 30  # the follower took the heater back
    manager.pause_following()
    assert following(manager.get_status(forecast=False)) is FollowState.PAUSED
    with pytest.raises(InvalidCommandError, match="following is paused, so there is nothing"):
        manager.pause_following()


def test_the_fan_replays_the_reference_until_the_agent_sets_it(
    charged: tuple[RoastSessionManager, SimulatedRoaster, ManualClock],
) -> None:
    manager, roaster, clock = charged
    manager.follow_profile(SHORT)
    status = run_until(manager, clock, lambda s: elapsed(s) >= 62.0, limit_s=70)
    assert roaster.actuators().fan_percent == 20  # the reference's fan from 60 s
    assert status.following is not None
    assert status.following.fan_source == "reference"
    manager.set_fan(50)
    status = manager.get_status(forecast=False)
    assert status.following is not None
    assert status.following.fan_source == "agent"
    assert status.following.state is FollowState.FOLLOWING  # the fan does not pause the heat
    run_until(manager, clock, lambda s: elapsed(s) >= 160.0, limit_s=100)
    assert roaster.actuators().fan_percent == 50  # the reference's 40 % at 150 s is not sent


def test_holding_a_ror_after_first_crack(
    charged: tuple[RoastSessionManager, SimulatedRoaster, ManualClock],
) -> None:
    manager, _, clock = charged
    status = manager.follow_profile(SHORT, hold_ror_after_first_crack=6.0)
    assert status.state is FollowState.FOLLOWING
    run_for(manager, clock, 200)
    event = manager.mark_event(RoastEventType.FIRST_CRACK_START)
    assert event.bean_temp_c is not None
    end = run_for(manager, clock, 30)
    info = end.following
    assert info is not None
    assert info.state is FollowState.FOLLOWING
    assert info.target_ror_c_per_min == 6.0
    expected = event.bean_temp_c + 6.0 * (elapsed(end) - event.elapsed_s) / 60.0
    assert info.target_bt_c == pytest.approx(expected, abs=0.15)


def test_a_new_reference_replaces_the_old_one(
    charged: tuple[RoastSessionManager, SimulatedRoaster, ManualClock], tmp_path: Path
) -> None:
    manager, _, clock = charged
    manager.follow_profile(SHORT)
    run_for(manager, clock, 10)
    status = manager.follow_profile(write_roast_files(tmp_path).alog)
    assert (status.reference, status.state, status.heat_changes) == (
        "Simulated Hottop roast",
        FollowState.FOLLOWING,
        0,
    )
