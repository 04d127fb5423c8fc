"""Tests for the lumped roaster physics model (roastctl.physics.model)."""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roastctl.physics.model import (
    Actuators,
    Beans,
    PhysicsParams,
    PhysicsState,
    RoasterPhysics,
)

AMBIENT = 22.0
PREHEAT = Actuators(
    heat_percent=100, fan_percent=0, drum_on=True, door_open=False, cooling_on=False
)
IDLE = Actuators(heat_percent=0, fan_percent=0, drum_on=True, door_open=False, cooling_on=False)
DROP = Actuators(heat_percent=0, fan_percent=100, drum_on=True, door_open=True, cooling_on=True)


def roast_actuators(t: int) -> Actuators:
    """Actuators of the reference recipe at ``t`` seconds after charge (before the drop)."""
    heat = 100 if t < 240 else 85 if t < 360 else 70
    fan = 0 if t < 180 else 20 if t < 360 else 30
    return Actuators(
        heat_percent=heat, fan_percent=fan, drum_on=True, door_open=False, cooling_on=False
    )


@dataclass
class Sample:
    """One per-second record of the recipe run."""

    t: int
    bt: float
    et: float
    bean: float | None
    in_drum: bool
    in_tray: bool
    moisture: float | None
    state: PhysicsState


@dataclass
class RecipeRun:
    """Result of the reference recipe."""

    preheat_s: int
    trace: list[Sample]  # index == seconds since charge
    fc_s: float
    drop_s: int

    def roast(self) -> list[Sample]:
        """Samples from charge to drop inclusive."""
        return self.trace[: self.drop_s + 1]

    def tp(self) -> Sample:
        """Turning point: minimum BT between charge and drop."""
        return min(self.roast(), key=lambda s: s.bt)

    def ror(self, t: int, half: int = 15) -> float:
        """BT rate of rise (degC/min) by a centred difference over 2*half seconds."""
        a = self.trace[t - half].bt
        b = self.trace[t + half].bt
        return (b - a) * 60.0 / (2 * half)


def preheat(model: RoasterPhysics, target_et: float = 190.0, limit_s: int = 3600) -> int:
    """Run heat 100 / fan 0 until ET reaches ``target_et``; return the seconds it took."""
    seconds = 0
    while model.env_probe_c < target_et:
        model.advance(1.0, PREHEAT)
        seconds += 1
        assert seconds < limit_s, "preheat never reached the target"
    return seconds


def run_recipe(params: PhysicsParams | None = None) -> RecipeRun:
    """Drive the model through the reference Hottop recipe with 1 s steps."""
    model = RoasterPhysics(params or PhysicsParams.hottop(), ambient_c=AMBIENT)
    preheat_s = preheat(model)
    model.charge(Beans(mass_kg=0.22, moisture_fraction=0.11, first_crack_temp_c=196.0))
    trace: list[Sample] = []
    drop_s: int | None = None
    t = 0
    while t <= 1800:
        fc = model.first_crack_elapsed_s
        if drop_s is None and fc is not None and t >= fc / 0.8:
            drop_s = t
        trace.append(
            Sample(
                t,
                model.bean_probe_c,
                model.env_probe_c,
                model.bean_mass_temp_c,
                model.beans_in_drum,
                model.beans_in_cooling_tray,
                model.moisture_fraction,
                model.snapshot(),
            )
        )
        if drop_s is not None and t >= drop_s + 300:
            break
        model.advance(1.0, roast_actuators(t) if drop_s is None else DROP)
        t += 1
    assert drop_s is not None, "first crack never came"
    fc_s = model.first_crack_elapsed_s
    assert fc_s is not None
    return RecipeRun(preheat_s, trace, fc_s, drop_s)


@pytest.fixture(scope="module")
def recipe() -> RecipeRun:
    return run_recipe()


# --------------------------------------------------------------------------- recipe targets


def test_preheat_takes_a_few_minutes(recipe: RecipeRun) -> None:
    assert 4 * 60 <= recipe.preheat_s <= 15 * 60


def test_charge_dips_bt_to_a_realistic_turning_point(recipe: RecipeRun) -> None:
    assert recipe.trace[0].bt > 150.0  # the probe read hot drum air before the charge
    tp = recipe.tp()
    assert 60 <= tp.t <= 100
    assert 80.0 <= tp.bt <= 110.0
    # A real turning point: falling before, rising after.
    assert recipe.trace[tp.t - 20].bt > tp.bt + 1.0
    assert recipe.trace[tp.t + 30].bt > tp.bt + 3.0


def test_dry_end_and_first_crack_times(recipe: RecipeRun) -> None:
    dry_end = next(s.t for s in recipe.roast() if s.t > recipe.tp().t and s.bt >= 150.0)
    assert 270 <= dry_end <= 360
    assert 480.0 <= recipe.fc_s <= 660.0
    assert 600 <= recipe.drop_s <= 780
    assert recipe.drop_s == math.ceil(recipe.fc_s / 0.8)
    fc_sample = recipe.trace[math.ceil(recipe.fc_s)]
    assert fc_sample.bean is not None
    assert fc_sample.bean >= 196.0
    # The Hottop probe reads the bean mass low near first crack.
    assert fc_sample.bean - 20.0 < fc_sample.bt < fc_sample.bean


def test_et_band_and_bt_ceiling(recipe: RecipeRun) -> None:
    tp = recipe.tp().t
    et = [s.et for s in recipe.roast()[tp:]]
    assert min(et) >= 170.0
    assert max(et) <= 240.0
    assert max(s.bt for s in recipe.roast()) <= 215.0


def test_rate_of_rise_peaks_early_then_declines(recipe: RecipeRun) -> None:
    tp = recipe.tp().t
    rors = {t: recipe.ror(t) for t in range(tp + 20, recipe.drop_s - 15)}
    peak_t = max(rors, key=lambda t: rors[t])
    assert 90 <= peak_t <= 200
    assert 15.0 <= rors[peak_t] <= 25.0
    # Steady decline: each minute after the peak is slower than the peak, and the RoR
    # before first crack is well below the peak.
    fc = int(recipe.fc_s)
    assert rors[fc - 60] < 0.6 * rors[peak_t]
    assert all(r > 0.0 for r in rors.values())
    # Minute by minute from the peak to a minute before FC the RoR only goes down.
    minutes = list(range(peak_t, fc - 60, 60))
    assert len(minutes) >= 5
    assert all(rors[b] <= rors[a] + 0.2 for a, b in itertools.pairwise(minutes))


def test_exotherm_bends_the_ror_near_first_crack(recipe: RecipeRun) -> None:
    fc = int(recipe.fc_s)
    before = recipe.ror(fc - 20, half=10)
    after = max(recipe.ror(t, half=10) for t in range(fc + 10, min(fc + 90, recipe.drop_s - 10)))
    # Without the exotherm the RoR keeps sagging; with it the curve picks up after FC.
    assert after > before
    plain = RoasterPhysics(
        dataclasses.replace(PhysicsParams.hottop(), exotherm_energy_j_per_kg=0.0), AMBIENT
    )
    preheat(plain)
    plain.charge(Beans(mass_kg=0.22, moisture_fraction=0.11, first_crack_temp_c=196.0))
    for t in range(recipe.drop_s):
        plain.advance(1.0, roast_actuators(t))
    bean = recipe.trace[recipe.drop_s].bean
    assert bean is not None
    plain_bean = plain.bean_mass_temp_c
    assert plain_bean is not None
    assert 1.0 < bean - plain_bean < 10.0


def test_moisture_dries_out_during_the_roast(recipe: RecipeRun) -> None:
    drop = recipe.trace[recipe.drop_s]
    assert drop.moisture is not None
    assert 0.0 <= drop.moisture < 0.04
    # Drying barely starts before the beans pass 90 degC.
    early = next(s for s in recipe.roast() if s.bean is not None and s.bean >= 90.0)
    assert early.moisture is not None
    assert early.moisture > 0.108
    # Evaporation takes mass with it.
    charged = recipe.trace[0].state
    dropped = drop.state
    assert dropped.drum_water_kg + dropped.tray_water_kg < charged.drum_water_kg


def test_drying_latent_heat_slows_the_rise_only_above_90c() -> None:
    def run(evaporation_rate: float) -> list[float]:
        params = dataclasses.replace(
            PhysicsParams.hottop(), evaporation_rate_per_s=evaporation_rate
        )
        model = RoasterPhysics(params, ambient_c=AMBIENT)
        model.advance(600.0, PREHEAT)
        model.charge(Beans())
        temps = []
        for t in range(300):
            model.advance(1.0, roast_actuators(t))
            temp = model.bean_mass_temp_c
            assert temp is not None
            temps.append(temp)
        return temps

    drying = run(PhysicsParams.hottop().evaporation_rate_per_s)
    no_drying = run(0.0)
    below_90 = [i for i, temp in enumerate(no_drying) if temp < 90.0]
    assert below_90
    assert all(drying[i] == no_drying[i] for i in below_90)  # bound water stays put
    assert no_drying[-1] - drying[-1] > 10.0  # latent heat holds the beans back


def test_drop_empties_drum_and_tray_cools(recipe: RecipeRun) -> None:
    d = recipe.drop_s
    assert recipe.trace[d].in_drum
    assert not recipe.trace[d + 6].in_drum
    assert recipe.trace[d + 6].in_tray
    # After the drop the probe reads drum air, not the beans in the tray.
    late = recipe.trace[d + 120]
    assert late.bean is not None
    assert late.bt - late.bean > 30.0
    assert abs(late.bt - late.state.air_c) < 25.0
    # Cooling with the stirrer on: below 50 degC within five minutes.
    end = recipe.trace[d + 300]
    assert end.bean is not None
    assert end.bean < 50.0
    assert end.bean >= AMBIENT


def test_generic_params_roast_like_a_hottop_too() -> None:
    run = run_recipe(PhysicsParams.generic())
    assert 4 * 60 <= run.preheat_s <= 15 * 60
    assert 60 <= run.tp().t <= 100
    assert 480.0 <= run.fc_s <= 660.0


# --------------------------------------------------------------------------- integration


def _drive(model: RoasterPhysics, slices: list[float], act: Actuators) -> PhysicsState:
    for dt in slices:
        model.advance(dt, act)
    return model.snapshot()


def _charged_hot_model() -> RoasterPhysics:
    model = RoasterPhysics(ambient_c=AMBIENT)
    model.advance(600.0, PREHEAT)
    model.charge(Beans())
    model.advance(200.0, roast_actuators(0))
    return model


def _close(a: PhysicsState, b: PhysicsState, tol: float) -> bool:
    for field in dataclasses.fields(PhysicsState):
        x = getattr(a, field.name)
        y = getattr(b, field.name)
        if x is None or y is None:
            if x is not y:
                return False
        elif abs(x - y) > tol:
            return False
    return True


def test_determinism() -> None:
    def trace() -> list[PhysicsState]:
        model = RoasterPhysics(ambient_c=AMBIENT)
        out = []
        model.advance(400.0, PREHEAT)
        model.charge(Beans())
        for t in range(60):
            model.advance(1.0, roast_actuators(t))
            out.append(model.snapshot())
        return out

    assert trace() == trace()


@pytest.mark.parametrize("slices", [[1.0] * 10, [0.1] * 100, [2.5, 2.5, 5.0]])
def test_step_size_independence(slices: list[float]) -> None:
    act = Actuators(
        heat_percent=80, fan_percent=30, drum_on=True, door_open=False, cooling_on=False
    )
    a = _drive(_charged_hot_model(), [10.0], act)
    b = _drive(_charged_hot_model(), slices, act)
    assert _close(a, b, 1e-6)


def test_step_size_independence_through_the_drop() -> None:
    a = _drive(_charged_hot_model(), [10.0], DROP)
    b = _drive(_charged_hot_model(), [1.0] * 10, DROP)
    assert _close(a, b, 1e-6)
    assert not a.drum_dry_kg


def test_huge_step_is_stable() -> None:
    model = RoasterPhysics(ambient_c=AMBIENT)
    model.charge(Beans())
    model.advance(3600.0, PREHEAT)
    s = model.snapshot()
    for value in (s.air_c, s.drum_c, s.drum_beans_c, s.bt_probe_c, s.et_probe_c):
        assert math.isfinite(value)
        assert AMBIENT < value < 400.0
    assert math.isfinite(s.element_c)
    assert 0.0 <= s.drum_water_kg < 1e-3


def test_no_heat_decays_towards_ambient_without_oscillation() -> None:
    model = RoasterPhysics(ambient_c=AMBIENT)
    model.advance(600.0, PREHEAT)
    model.charge(Beans())
    model.advance(300.0, roast_actuators(0))
    names = ("element_c", "air_c", "drum_c", "drum_beans_c", "bt_probe_c", "et_probe_c")
    series: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(3600 // 30):
        model.advance(30.0, IDLE)
        s = model.snapshot()
        for name in names:
            series[name].append(getattr(s, name))
    for name, values in series.items():
        assert min(values) >= AMBIENT, name
        # No oscillation: once a node starts to cool it never warms again.
        first_fall = next(i for i in range(1, len(values)) if values[i] < values[i - 1])
        tail = values[first_fall - 1 :]
        assert all(b <= a + 1e-9 for a, b in itertools.pairwise(tail)), name
        assert values[-1] - AMBIENT < 0.2 * (max(values) - AMBIENT), name


# --------------------------------------------------------------------------- bookkeeping


def test_no_beans_means_no_bean_temperature() -> None:
    model = RoasterPhysics(ambient_c=AMBIENT)
    assert model.bean_mass_temp_c is None
    assert model.moisture_fraction is None
    assert model.time_since_charge_s is None
    assert model.first_crack_elapsed_s is None
    assert not model.first_crack_started
    assert not model.beans_in_drum
    assert not model.beans_in_cooling_tray
    model.advance(60.0, PREHEAT)
    assert model.bean_mass_temp_c is None
    assert model.bean_probe_c > AMBIENT


def test_charge_validation() -> None:
    model = RoasterPhysics(ambient_c=AMBIENT)
    with pytest.raises(ValueError, match="mass"):
        model.charge(Beans(mass_kg=0.0))
    with pytest.raises(ValueError, match="mass"):
        model.charge(Beans(mass_kg=0.6))
    model.charge(Beans(temp_c=15.0))
    assert model.bean_mass_temp_c == 15.0
    assert model.time_since_charge_s == 0.0
    with pytest.raises(ValueError, match="already"):
        model.charge(Beans())


def test_charge_defaults_to_ambient_temperature() -> None:
    model = RoasterPhysics(ambient_c=25.0)
    model.charge(Beans())
    assert model.bean_mass_temp_c == 25.0
    assert model.moisture_fraction == pytest.approx(0.11)


def test_actuators_reject_nan() -> None:
    with pytest.raises(ValueError, match="finite"):
        Actuators(math.nan, 0, drum_on=True, door_open=False, cooling_on=False)


def test_out_of_range_actuators_are_clamped() -> None:
    a = RoasterPhysics(ambient_c=AMBIENT)
    b = RoasterPhysics(ambient_c=AMBIENT)
    a.advance(100.0, Actuators(150, -20, drum_on=True, door_open=False, cooling_on=False))
    b.advance(100.0, Actuators(100, 0, drum_on=True, door_open=False, cooling_on=False))
    assert a.snapshot() == b.snapshot()


def test_dt_validation() -> None:
    model = RoasterPhysics()
    with pytest.raises(ValueError, match="dt_s"):
        model.advance(-1.0, PREHEAT)
    with pytest.raises(ValueError, match="dt_s"):
        model.advance(math.nan, PREHEAT)
    before = model.snapshot()
    model.advance(0.0, PREHEAT)
    assert model.snapshot() == before


def test_door_with_drum_off_only_partly_empties() -> None:
    model = _charged_hot_model()
    batch = model.snapshot().batch_dry_kg
    model.advance(30.0, Actuators(0, 0, drum_on=False, door_open=True, cooling_on=False))
    s = model.snapshot()
    assert model.beans_in_drum
    assert model.beans_in_cooling_tray
    assert 0.35 * batch < s.drum_dry_kg < 0.65 * batch
    assert s.drum_dry_kg + s.tray_dry_kg == pytest.approx(batch)
    # Starting the drum lets the rest out.
    model.advance(10.0, Actuators(0, 0, drum_on=True, door_open=True, cooling_on=False))
    assert not model.beans_in_drum
    assert model.snapshot().tray_dry_kg == pytest.approx(batch)


def test_door_with_drum_on_empties_within_seconds() -> None:
    model = _charged_hot_model()
    hot = model.bean_mass_temp_c
    assert hot is not None
    model.advance(2.0, DROP)
    assert model.beans_in_drum  # not instantaneous
    model.advance(4.0, DROP)
    assert not model.beans_in_drum
    assert model.beans_in_cooling_tray
    tray = model.bean_mass_temp_c
    assert tray is not None
    assert hot - 15.0 < tray <= hot + 1.0
    # A new batch may be charged once the drum is empty.
    model.charge(Beans())
    assert model.beans_in_drum
    assert model.first_crack_elapsed_s is None


def test_first_crack_flag_latches() -> None:
    model = RoasterPhysics(ambient_c=AMBIENT)
    model.advance(500.0, PREHEAT)
    model.charge(Beans(first_crack_temp_c=120.0))
    for _ in range(600):
        model.advance(1.0, PREHEAT)
        if model.first_crack_started:
            break
    fc = model.first_crack_elapsed_s
    assert fc is not None
    assert model.time_since_charge_s is not None
    assert 0.0 < fc <= model.time_since_charge_s
    model.advance(120.0, DROP)
    assert model.first_crack_started
    assert model.first_crack_elapsed_s == fc


def test_cooling_tray_stirrer_matters() -> None:
    def tray_temp(cooling: bool) -> float:
        model = _charged_hot_model()
        model.advance(6.0, DROP)
        model.advance(180.0, Actuators(0, 100, True, True, cooling))
        temp = model.bean_mass_temp_c
        assert temp is not None
        return temp

    assert tray_temp(True) < tray_temp(False) - 30.0


def test_drum_off_heats_beans_much_less() -> None:
    def bean_rise(drum_on: bool) -> float:
        model = RoasterPhysics(ambient_c=AMBIENT)
        model.advance(600.0, PREHEAT)
        model.charge(Beans())
        model.advance(60.0, Actuators(0, 0, drum_on, False, False))
        temp = model.bean_mass_temp_c
        assert temp is not None
        return temp - AMBIENT

    assert bean_rise(False) < 0.5 * bean_rise(True)


# --------------------------------------------------------------------------- property


actuator_strategy = st.builds(
    Actuators,
    heat_percent=st.floats(0.0, 100.0),
    fan_percent=st.floats(0.0, 100.0),
    drum_on=st.booleans(),
    door_open=st.booleans(),
    cooling_on=st.booleans(),
)


@settings(max_examples=20, deadline=None)
@given(
    preheat_s=st.floats(0.0, 900.0),
    moisture=st.floats(0.0, 0.2),
    mass=st.floats(0.01, 0.5),
    segments=st.lists(st.tuples(actuator_strategy, st.floats(0.0, 120.0)), max_size=6),
)
def test_random_actuation_stays_physical(
    preheat_s: float, moisture: float, mass: float, segments: list[tuple[Actuators, float]]
) -> None:
    model = RoasterPhysics(ambient_c=AMBIENT)
    model.advance(preheat_s, PREHEAT)
    model.charge(Beans(mass_kg=mass, moisture_fraction=moisture))
    for act, dt in segments:
        model.advance(dt, act)
        s = model.snapshot()
        temps = [s.air_c, s.drum_c, s.bt_probe_c, s.et_probe_c]
        if s.drum_dry_kg > 0.0:
            temps.append(s.drum_beans_c)
        if s.tray_dry_kg > 0.0:
            temps.append(s.tray_beans_c)
        for temp in temps:
            assert math.isfinite(temp)
            assert AMBIENT - 1.0 <= temp <= 400.0
        m = model.moisture_fraction
        assert m is not None
        assert 0.0 <= m <= moisture + 1e-12
        assert s.drum_water_kg >= 0.0
        assert s.tray_water_kg >= 0.0
        assert s.drum_dry_kg + s.tray_dry_kg == pytest.approx(s.batch_dry_kg)
