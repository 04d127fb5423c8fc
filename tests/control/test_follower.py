"""The follower's plan, closed around the roaster model itself: it lands BT on a reachable
reference, saturates on an unreachable one, and never aims at the safety limit."""

from __future__ import annotations

import dataclasses
import math

import pytest

from roastctl.control.follower import FollowerTuning, ProfileFollower
from roastctl.control.reference import Reference, ReferenceSource
from roastctl.controls import heat_range
from roastctl.models import RoastEventType
from roastctl.physics.model import Actuators, Beans, RoasterPhysics
from roastctl.physics.param_sets import builtin_model

PARAMS = builtin_model("hottop").physics
#: The live estimate's model steps 1 s at a time (EstimatorTuning.substep_s); so does the plan.
ESTIMATE_PARAMS = dataclasses.replace(PARAMS, max_substep_s=1.0)
FAN = 20.0


def charged_plant() -> RoasterPhysics:
    """The hottop model preheated 12 minutes at full heat, with 220 g just charged."""
    plant = RoasterPhysics(PARAMS)
    plant.advance(720.0, Actuators(100.0, FAN, True, False, False))
    plant.charge(Beans(mass_kg=0.22))
    return plant


def recorded_reference(schedule: list[tuple[float, float]], drop_s: float = 480.0) -> Reference:
    """The BT curve the model itself draws under ``schedule`` ((from s, heat %), ...)."""
    plant = charged_plant()
    times, temps = [0.0], [plant.bean_probe_c]
    for second in range(1, int(drop_s) + 1):
        heat = [h for start, h in schedule if start <= second - 1][-1]
        plant.advance(1.0, Actuators(heat, FAN, True, False, False))
        times.append(float(second))
        temps.append(plant.bean_probe_c)
    tp = times[min(range(min(240, len(temps))), key=temps.__getitem__)]
    return Reference(
        name="model run",
        source=ReferenceSource.DESIGNED,
        times_s=tuple(times),
        bean_temps_c=tuple(temps),
        track_from_s=tp,
        drop_s=drop_s,
        events_s={RoastEventType.DROP: drop_s},
    )


def follow(
    reference: Reference, *, step: int = 10, start_heat: float = 50.0
) -> tuple[list[tuple[float, float]], list[int]]:
    """Follow ``reference`` on the model; return (s, BT) every second and the heats sent."""
    follower = ProfileFollower(reference, heat_range(step))
    plant = charged_plant()
    heat = start_heat
    sent: list[int] = []
    trace: list[tuple[float, float]] = []
    for second in range(int(reference.drop_s)):
        elapsed = float(second)
        if follower.due(elapsed):
            estimate = RoasterPhysics(ESTIMATE_PARAMS)
            estimate.restore(plant.snapshot())
            decision = follower.decide(
                elapsed_s=elapsed,
                physics=estimate,
                heat_percent=heat,
                fan_at=lambda _t: FAN,
                bean_temp_c=plant.bean_probe_c,
            )
            heat = float(decision.heat_percent)
            sent.append(decision.heat_percent)
        plant.advance(1.0, Actuators(heat, FAN, True, False, False))
        trace.append((elapsed + 1.0, plant.bean_probe_c))
    return trace, sent


def rmse_after(reference: Reference, trace: list[tuple[float, float]], from_s: float) -> float:
    errors = [(bt - reference.bt_at(t)) ** 2 for t, bt in trace if t >= from_s]
    return math.sqrt(sum(errors) / len(errors))


def test_it_lands_bt_on_a_reachable_reference() -> None:
    reference = recorded_reference([(0.0, 100.0), (200.0, 70.0), (420.0, 45.0)])
    trace, sent = follow(reference, start_heat=30.0)
    assert rmse_after(reference, trace, reference.track_from_s) < 1.0
    assert rmse_after(reference, trace, 300.0) < 0.6
    assert all(h % 10 == 0 for h in sent)
    # One decision per 5 s, so never more than one heat change per 5 s.
    assert len(sent) == math.ceil(reference.drop_s / 5.0)


def test_finer_heat_steps_are_used_when_configured() -> None:
    reference = recorded_reference([(0.0, 100.0), (200.0, 65.0)], drop_s=360.0)
    trace, sent = follow(reference, step=5, start_heat=30.0)
    assert any(h % 10 == 5 for h in sent)
    assert rmse_after(reference, trace, 250.0) < 0.6


def test_an_unreachable_reference_gets_full_heat() -> None:
    hot = recorded_reference([(0.0, 100.0)], drop_s=360.0)
    hotter = Reference(
        name="hotter",
        source=ReferenceSource.DESIGNED,
        times_s=hot.times_s,
        bean_temps_c=tuple(bt + 15.0 for bt in hot.bean_temps_c),
        track_from_s=hot.track_from_s,
        drop_s=hot.drop_s,
    )
    _, sent = follow(hotter)
    # Full heat throughout, but for the last decisions, whose moves land past the DROP.
    assert sent[1:-20] == [100] * (len(sent) - 21)


def test_a_reference_below_the_zero_heat_curve_gets_no_heat() -> None:
    cold = recorded_reference([(0.0, 0.0)], drop_s=240.0)
    colder = Reference(
        name="colder",
        source=ReferenceSource.DESIGNED,
        times_s=cold.times_s,
        bean_temps_c=tuple(bt - 10.0 for bt in cold.bean_temps_c),
        track_from_s=cold.track_from_s,
        drop_s=cold.drop_s,
    )
    _, sent = follow(colder)
    assert set(sent) == {0}


def test_it_never_aims_within_the_margin_of_the_bean_temperature_limit() -> None:
    reference = Reference(
        name="too hot",
        source=ReferenceSource.DESIGNED,
        times_s=(0.0, 600.0),
        bean_temps_c=(100.0, 235.0),
        track_from_s=0.0,
        drop_s=600.0,
    )
    follower = ProfileFollower(reference, heat_range(10), bt_limit_c=220.0)
    assert follower.target_bt(100.0) == pytest.approx(122.5)
    assert follower.target_bt(590.0) == pytest.approx(215.0)


def test_decisions_come_every_decision_interval() -> None:
    reference = recorded_reference([(0.0, 80.0)], drop_s=200.0)
    follower = ProfileFollower(reference, heat_range(10), tuning=FollowerTuning(decision_s=8.0))
    assert follower.due(0.0)
    follower.decide(
        elapsed_s=0.0, physics=charged_plant(), heat_percent=80.0, fan_at=lambda _t: FAN
    )
    assert not follower.due(7.0)
    assert follower.due(8.0)


def test_holding_a_ror_replaces_the_reference_from_then_on() -> None:
    reference = recorded_reference([(0.0, 80.0)], drop_s=300.0)
    follower = ProfileFollower(reference, heat_range(10))
    follower.hold_ror_from(200.0, 180.0, 6.0)
    assert follower.holding_ror
    assert follower.target_bt(100.0) == pytest.approx(reference.bt_at(100.0))
    assert follower.target_bt(260.0) == pytest.approx(186.0)


def test_a_plan_that_counts_on_full_heat_later_keeps_more_heat_now() -> None:
    # A reference the model meets only with 50 % now and full heat from 2:30 on: a plan that
    # leans on the full heat later is made again for a weaker heater, and sends more now.
    reference = recorded_reference([(0.0, 100.0), (60.0, 50.0), (150.0, 100.0)], drop_s=480.0)
    plant = charged_plant()
    plant.advance(90.0, Actuators(100.0, FAN, True, False, False))
    planned = {}
    for margin in (0.0, 0.1):
        follower = ProfileFollower(
            reference, heat_range(10), tuning=FollowerTuning(saturation_margin=margin)
        )
        estimate = RoasterPhysics(ESTIMATE_PARAMS)
        estimate.restore(plant.snapshot())
        planned[margin] = follower.decide(
            elapsed_s=90.0, physics=estimate, heat_percent=50.0, fan_at=lambda _t: FAN
        ).planned_percent
    assert planned[0.1] > planned[0.0] + 2.0
