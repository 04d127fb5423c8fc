"""The simulator behind the Roaster interface: Hottop semantics, time-based, deterministic."""

from __future__ import annotations

import pytest

from roastctl.clock import ManualClock
from roastctl.config import SimulatorConfig
from roastctl.devices.simulator import MockRoaster, SimulatedRoaster
from roastctl.errors import InvalidCommandError, RoasterNotConnectedError


def _on(config: SimulatorConfig | None = None) -> tuple[SimulatedRoaster, ManualClock]:
    clock = ManualClock()
    sim = SimulatedRoaster(config or SimulatorConfig(), clock)
    sim.connect()
    return sim, clock


def _heat_for(sim: SimulatedRoaster, clock: ManualClock, seconds: float, step: float) -> float:
    sim.start_drum()
    sim.set_heat(100)
    elapsed = 0.0
    while elapsed < seconds - 1e-9:
        clock.advance(step)
        sim.read_sensors()
        elapsed += step
    return sim.read_sensors().env_temp_c


def test_mock_roaster_is_the_simulator() -> None:
    assert MockRoaster is SimulatedRoaster


def test_reads_need_a_connection() -> None:
    sim = SimulatedRoaster(clock=ManualClock())
    with pytest.raises(RoasterNotConnectedError, match="connect"):
        sim.read_sensors()
    with pytest.raises(RoasterNotConnectedError):
        sim.set_heat(10)


def test_physics_is_time_based_not_per_call() -> None:
    """The same 5 minutes give the same temperatures whether read every 0.5 s or every 30 s."""
    fine = _heat_for(*_on(), seconds=300, step=0.5)
    coarse = _heat_for(*_on(), seconds=300, step=30)
    assert fine == pytest.approx(coarse, abs=0.05)
    # And the heater really heats: the fitted Hottop's ET is ~90 deg C after 5 of the ~10 minutes
    # its preheat from cold takes, far above the 22 deg C room.
    assert fine > 70


def test_reading_twice_at_one_instant_changes_nothing() -> None:
    sim, clock = _on()
    sim.start_drum()
    sim.set_heat(100)
    clock.advance(60)
    assert sim.read_sensors() == sim.read_sensors()


def test_a_command_takes_effect_from_when_it_is_given() -> None:
    early, clock_a = _on()
    early.start_drum()
    early.set_heat(100)
    clock_a.advance(120)
    late, clock_b = _on()
    late.start_drum()
    clock_b.advance(60)
    late.set_heat(100)  # no read in between: the first minute must still be unheated
    clock_b.advance(60)
    assert late.read_sensors().env_temp_c < early.read_sensors().env_temp_c - 5


def test_hottop_command_semantics() -> None:
    sim, _ = _on()
    sim.start_drum()
    sim.set_heat(70)
    sim.stop_drum()
    r = sim.read_sensors()
    assert (r.drum_on, r.heat_percent) == (False, 0)
    sim.start_drum()
    sim.set_heat(60)
    sim.drop_beans()
    r = sim.read_sensors()
    assert (r.heat_percent, r.fan_percent, r.drum_on, r.door_open, r.cooling_on) == (
        0,
        100,
        True,
        True,
        True,
    )
    sim.stop_cooling()
    r = sim.read_sensors()
    assert (r.heat_percent, r.fan_percent, r.drum_on, r.door_open, r.cooling_on) == (
        0,
        0,
        False,
        False,
        False,
    )


def test_device_rejects_impossible_values() -> None:
    sim, _ = _on()
    with pytest.raises(ValueError, match="heat"):
        sim.set_heat(101)
    with pytest.raises(ValueError, match="fan"):
        sim.set_fan(15)


def test_charge_rules() -> None:
    sim, clock = _on()
    with pytest.raises(InvalidCommandError, match="0-300 g"):
        sim.charge(500)
    sim.charge()
    with pytest.raises(InvalidCommandError, match="already in the drum"):
        sim.charge()
    sim.start_drum()
    sim.drop_beans()
    clock.advance(30)
    assert not sim.beans_in_drum
    sim.charge(150)  # the next batch
    assert sim.batches == 2


def _noisy_trace(seed: int) -> list[tuple[float, float]]:
    sim, clock = _on(SimulatorConfig(seed=seed, noise_c=0.8, whole_degrees=True))
    sim.start_drum()
    sim.set_heat(100)
    out = []
    for _ in range(50):
        clock.advance(2)
        r = sim.read_sensors()
        out.append((r.bean_temp_c, r.env_temp_c))
    return out


def test_same_seed_same_noisy_roast_and_whole_degrees() -> None:
    first = _noisy_trace(42)
    assert first == _noisy_trace(42)
    assert first != _noisy_trace(43)
    assert all(bt.is_integer() and et.is_integer() for bt, et in first)


def test_first_crack_signal_after_charge() -> None:
    sim, clock = _on(SimulatorConfig(bean_variance_c=0.0))
    sim.start_drum()
    sim.set_heat(100)
    while sim.read_sensors().env_temp_c < 190:
        clock.advance(5)
    charged_at = clock.now()
    sim.charge()
    assert sim.first_crack_time() is None
    for _ in range(1200):
        clock.advance(1)
        if sim.first_crack_time() is not None:
            break
    heard = sim.first_crack_time()
    assert heard is not None
    assert 300 <= (heard - charged_at).total_seconds() <= 1200
    assert heard <= clock.now()
