"""The drop-target decision: exactly one target in range, and the sample nearest it."""

from __future__ import annotations

import pytest

from roastctl.control.drop_target import (
    DropTarget,
    achieved,
    drop_at_s,
    dtr_percent,
    due,
    target_status,
)
from roastctl.errors import InvalidCommandError
from roastctl.models import DropTargetKind, DropTargetState, EventSource

FC = 500.0  # first crack, seconds after CHARGE


def first_due(target: DropTarget, *, interval_s: float = 1.0, start: float = FC) -> float:
    """The first sample time (on a grid of ``interval_s``) the target says drop at."""
    t = start
    while not due(
        target, elapsed_s=t, first_crack_elapsed_s=FC, bean_temp_c=0.0, interval_s=interval_s
    ):
        t += interval_s
        assert t < 5000
    return t


def test_exactly_one_target_within_its_range() -> None:
    assert DropTarget(dtr_percent=20).kind is DropTargetKind.DTR
    assert DropTarget(bt_c=205).value == 205.0
    assert DropTarget(development_s=90).unit == "s"
    assert DropTarget(dtr_percent=20).describe() == "DTR 20 %"
    with pytest.raises(InvalidCommandError, match="got none"):
        DropTarget()
    with pytest.raises(InvalidCommandError, match="bt_c=200, development_s=60"):
        DropTarget(bt_c=200, development_s=60)
    for bad in ({"dtr_percent": 4.9}, {"bt_c": 241}, {"development_s": 601}):
        with pytest.raises(InvalidCommandError, match="out of range"):
            DropTarget(**bad)
    with pytest.raises(InvalidCommandError, match="must be a number"):
        DropTarget(dtr_percent=True)


def test_dtr_and_development_wait_for_first_crack() -> None:
    for target in (DropTarget(dtr_percent=5), DropTarget(development_s=10)):
        assert not due(target, elapsed_s=2000.0, first_crack_elapsed_s=None, bean_temp_c=200.0)
        assert not due(target, elapsed_s=None, first_crack_elapsed_s=None, bean_temp_c=200.0)


@pytest.mark.parametrize("goal", [12.0, 15.0, 20.0, 22.5, 25.0, 30.0])
@pytest.mark.parametrize("interval_s", [1.0, 0.5, 2.0])
def test_a_dtr_target_drops_on_the_sample_nearest_it(goal: float, interval_s: float) -> None:
    target = DropTarget(dtr_percent=goal)
    at = first_due(target, interval_s=interval_s)
    exact = drop_at_s(target, FC)
    assert exact is not None
    assert exact == pytest.approx(FC / (1 - goal / 100))
    # On the sample nearest the exact time: never a whole sample late, at most half early.
    assert abs(at - exact) <= interval_s / 2 + 1e-9
    reached = dtr_percent(at, FC)
    for other in (at - interval_s, at + interval_s):
        assert abs(reached - goal) <= abs(dtr_percent(other, FC) - goal) + 1e-12


def test_a_development_target_drops_within_half_a_sample() -> None:
    target = DropTarget(development_s=90)
    at = first_due(target, start=FC + 0.4)  # first crack between two samples
    assert abs((at - FC) - 90.0) <= 0.5
    assert achieved(target, elapsed_s=at, first_crack_elapsed_s=FC, bean_temp_c=None) == at - FC


def test_a_bt_target_waits_for_the_turning_point() -> None:
    target = DropTarget(bt_c=160)
    # At charge the probe reads the hot drum, above the target: no drop before TP.
    assert not due(target, elapsed_s=2.0, first_crack_elapsed_s=None, bean_temp_c=175.0)
    assert not due(
        target, elapsed_s=30.0, first_crack_elapsed_s=None, bean_temp_c=175.0, turning_point_s=60
    )
    assert due(
        target, elapsed_s=300.0, first_crack_elapsed_s=None, bean_temp_c=160.0, turning_point_s=60
    )
    assert not due(
        target, elapsed_s=300.0, first_crack_elapsed_s=None, bean_temp_c=159.0, turning_point_s=60
    )


def test_a_bt_target_looks_half_a_sample_ahead_by_its_rate_of_rise() -> None:
    target = DropTarget(bt_c=205)
    common = {"elapsed_s": 600.0, "first_crack_elapsed_s": FC, "turning_point_s": 60.0}
    # RoR 12 deg C/min: 0.2 deg C a sample. 204.92 now is nearer 205 than 205.12 next: drop.
    assert due(target, bean_temp_c=204.92, bean_ror_c_per_min=12.0, **common)
    assert not due(target, bean_temp_c=204.85, bean_ror_c_per_min=12.0, **common)
    # A falling BT is never predicted up to the target.
    assert not due(target, bean_temp_c=204.9, bean_ror_c_per_min=-5.0, **common)


def test_the_status_says_where_the_target_stands() -> None:
    target = DropTarget(dtr_percent=20)

    def state(**kwargs: object) -> DropTargetState:
        arguments: dict[str, object] = {
            "elapsed_s": 300.0,
            "turning_point_s": 60.0,
            "first_crack_elapsed_s": None,
            "dropped_by": None,
            "achieved_value": None,
        }
        arguments.update(kwargs)
        return target_status(target, **arguments).state  # type: ignore[arg-type]

    assert state(elapsed_s=None) is DropTargetState.WAITING_FOR_CHARGE
    assert state() is DropTargetState.WAITING_FOR_FIRST_CRACK
    assert state(first_crack_elapsed_s=FC, elapsed_s=550.0) is DropTargetState.ARMED
    assert state(dropped_by=EventSource.SAFETY) is DropTargetState.SUPERSEDED
    assert state(dropped_by=EventSource.TARGET, achieved_value=20.02) is DropTargetState.DONE
    armed = target_status(
        target,
        elapsed_s=550.0,
        turning_point_s=60.0,
        first_crack_elapsed_s=FC,
        dropped_by=None,
        achieved_value=None,
    )
    assert armed.drop_at_s == 625.0
    assert armed.drop_in_s == 75.0
    bt = DropTarget(bt_c=200)
    waiting = target_status(
        bt,
        elapsed_s=20.0,
        turning_point_s=None,
        first_crack_elapsed_s=None,
        dropped_by=None,
        achieved_value=None,
    )
    assert waiting.state is DropTargetState.WAITING_FOR_TURNING_POINT
    assert waiting.drop_at_s is None
