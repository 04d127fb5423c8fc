"""``roastctl demo --follow REF``: the watching agent, its arguments and its measure, and a whole
run as a user starts it (a real subprocess at high speed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from roastctl.agents.follow_demo import (
    BUILTIN,
    BUILTIN_CURVE,
    bt_rmse,
    follow_arguments,
    load_reference,
)
from roastctl.control.reference import designed_reference
from roastctl.errors import InvalidCommandError
from roastctl.models import FollowState, RoastEventType
from support import run, run_until, simulated_session


def test_the_builtin_curve_goes_to_the_server_as_waypoints_and_a_file_as_its_path(
    tmp_path: Path,
) -> None:
    arguments = follow_arguments(BUILTIN)
    assert arguments["waypoints"][0] == {"at_s": 0.0, "bt_c": None}
    assert arguments["waypoints"][-1] == {"at_s": 615.0, "bt_c": 192.0}
    assert arguments["events"] == {"DRY_END": 270.0, "FC_START": 495.0, "DROP": 615.0}
    assert set(arguments) == {"waypoints", "events"}
    assert follow_arguments(str(tmp_path / "my.alog")) == {"path": str(tmp_path / "my.alog")}
    assert load_reference(BUILTIN).drop_s == 615.0
    with pytest.raises(InvalidCommandError, match="no roast file at"):
        load_reference(str(tmp_path / "missing.alog"))


def test_bt_rmse_counts_only_the_window_asked_for() -> None:
    reference = designed_reference(BUILTIN_CURVE)
    on_it = [(t, reference.bt_at(t)) for t in range(0, 700, 5)]
    rmse, count = bt_rmse(reference, on_it, 270.0, 615.0)
    assert rmse == pytest.approx(0.0)
    assert count == 70
    off = [(t, bt + (3.0 if 270 <= t <= 615 else 50.0)) for t, bt in on_it]
    rmse, count = bt_rmse(reference, off, 270.0, 615.0)  # 3 C off inside the window
    assert rmse == pytest.approx(3.0)
    assert count == 70
    assert bt_rmse(reference, [], 270.0, 615.0) == (None, 0)


def test_the_builtin_curve_is_one_the_simulator_can_follow_to_a_20_percent_dtr() -> None:
    """The curve shipped with the demo, followed in process on the simulator it was drawn for."""
    manager, roaster, clock = simulated_session(None)
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(100)
    run_until(manager, clock, lambda s: s.sensors is not None and s.sensors.env_temp_c >= 180)
    manager.follow_profile(BUILTIN_CURVE)
    manager.set_drop_target(dtr_percent=20.0)
    roaster.charge()
    points: list[tuple[float, float]] = []

    def dropped(status: object) -> bool:
        heard = roaster.first_crack_time()
        if heard is not None and manager.tracker.event(RoastEventType.FIRST_CRACK_START) is None:
            manager.report_first_crack(heard)
        metrics = manager.get_status(forecast=False)
        elapsed, sensors = metrics.metrics.roast_elapsed_s, metrics.sensors
        if elapsed is not None and sensors is not None and metrics.metrics.drop_s is None:
            points.append((elapsed, sensors.bean_temp_c))
        return metrics.metrics.drop_s is not None

    status = run_until(manager, clock, dropped, limit_s=1500)
    manager.stop_session()
    metrics = status.metrics
    assert metrics.dry_end_s is not None
    assert metrics.drop_s is not None
    rmse, count = bt_rmse(load_reference(BUILTIN), points, metrics.dry_end_s, metrics.drop_s)
    assert count > 200
    assert rmse is not None
    assert rmse < 2.0, f"BT RMSE {rmse:.2f} C from DRY END to DROP"
    assert metrics.development_time_percent == pytest.approx(20.0, abs=0.5)
    assert status.following is not None
    assert status.following.state in (FollowState.FINISHED, FollowState.STOPPED)


def test_demo_follow_builtin_lands_the_roast_on_the_reference_through_mcp() -> None:
    result = run("demo", "--follow", "builtin", "--speed", "100")
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "followed builtin demo curve (its DROP at 10:15)" in out
    readings = [
        (float(at), float(deviation))
        for at, deviation in re.findall(
            r"^\s+(\d+) s: BT .* dBT\s+([+-]\d+\.\d) C", out, re.MULTILINE
        )
    ]
    assert len(readings) >= 20, out  # every 20 s over a 10-minute roast
    tracked = [d for at, d in readings if 270 <= at <= 615]  # DRY END to the reference's DROP
    assert tracked
    assert max(abs(d) for d in tracked) < 3.0, out
    for event in ("CHARGE", "TP", "DRY_END", "FC_START", "DROP"):
        assert f"\n{event}" in out
    assert re.search(r"^DROP\s.*\starget$", out, re.MULTILINE), out  # the server dropped
    rmse = float(
        re.findall(r"BT RMSE against the reference, DRY END to DROP: (\d+\.\d+) C", out)[0]
    )
    assert rmse < 3.0, out
    dtr = float(re.findall(r"DTR reached (\d+\.\d) %", out)[0])
    assert 19.0 <= dtr <= 21.5, out
    calls = dict(
        (tool, int(n))
        for tool, n in re.findall(r"(\w+) (\d+)", out.split("calls by tool: ")[1].splitlines()[0])
    )
    assert calls["set_heat"] == calls["set_fan"] == 1  # the preheat's: the agent never steered
    assert calls["follow_reference"] == calls["set_drop_target"] == 1
    assert "drop_beans" not in calls
