"""Lumped thermal model of a small electric drum roaster (Hottop KN-8828B-2K+).

The model is pure and deterministic: no I/O, no threads, no clock.  The caller owns time and
advances the model by ``dt_s`` seconds with the actuator settings that held during that span.

Lumped states (all temperatures in degC):

* ``element``: the sheathed heater element.  Electrical power heats it; it passes the heat on
  to the air (convection) and to the shell and the bean pile (linearised radiation).  Its heat
  capacity is why the machine answers a heat change only after tens of seconds.
* ``air``: the drum air together with the thin parts that follow it within seconds.  The ET
  probe reads it through a short lag.  The fan and a small natural draft replace it with room
  air.
* ``drum``: the drum shell and the inner body, the big thermal mass that stores the preheat
  energy, hands it to the beans by contact and loses heat to the room (convection + T^4
  radiation, which is what bounds the machine left at full power).
* ``drum beans`` / ``tray beans``: the two places a batch can be, each with dry mass, water
  mass and temperature.  Water raises the heat capacity and, above ~90 degC, evaporates and
  takes its latent heat with it.
* probes: the BT and ET thermocouples, first-order lags towards what they are immersed in.  The
  BT probe sits low in the drum: buried in the pile it reads mostly beans with some air (and a
  little low, heat leaks along its stem); in an empty drum it reads the air.
* exotherm: a two-stage energy reservoir, filled when first crack starts, that releases heat
  into the beans with a rise-then-taper profile.

Integration is explicit Euler on a fixed grid of sub-steps no longer than
``PhysicsParams.max_substep_s`` (the bean lot, whose heat capacity can be tiny, is updated
implicitly).  Every time constant of the network is far longer than that step, so each update
is a convex mix of neighbouring temperatures: the model cannot overshoot, oscillate or fall
below ambient however large a ``dt_s`` the caller passes, and slicing the same span of time
differently gives the same result.

``PhysicsParams.hottop()`` was fitted to real Hottop KN-8828B-2K+ Artisan logs (BT, ET, heater
and fan from preheat to two minutes after the drop, 200-250 g batches) and then nudged so that
a reference recipe (full heat, 85 % at 4:00, 70 % at 6:00, fan 20-30 % from 3:00) gives a
Hottop-like roast: turning point ~1:10 at ~93 degC, 150 degC at ~4:45, first crack ~8:45.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "LATENT_HEAT_J_PER_KG",
    "MAX_SUBSTEP_S",
    "WATER_SPECIFIC_HEAT_J_PER_KG_K",
    "Actuators",
    "Beans",
    "PhysicsParams",
    "PhysicsState",
    "RoasterPhysics",
]

#: Latent heat of vaporisation of water (J/kg); bound water needs a little more, but the
#: difference is inside the uncertainty of every other parameter.
LATENT_HEAT_J_PER_KG = 2.26e6

#: Specific heat of liquid water (J/kg/K); the moisture in green beans raises their heat capacity.
WATER_SPECIFIC_HEAT_J_PER_KG_K = 4186.0

#: Largest batch the drum accepts (kg).  The Hottop is rated 250 g; 0.5 kg is a hard physical
#: limit of the drum volume, beyond which the model's contact laws mean nothing.
MAX_CHARGE_KG = 0.5

#: Longest integration sub-step the model accepts (s); see ``PhysicsParams.max_substep_s``.
MAX_SUBSTEP_S = 1.0

#: Offset from degC to kelvin, for the radiative loss.
_KELVIN = 273.15

#: Stefan-Boltzmann constant (W/m^2/K^4).
_STEFAN_BOLTZMANN = 5.670e-8

#: Below this dry mass (kg) a lot counts as gone; the exponential emptying of the drum never
#: reaches exactly zero, so the last half gram (a few beans) is moved all at once.
_EMPTY_DRY_KG = 5e-4


@dataclass(frozen=True, slots=True)
class Actuators:
    """Actuator settings held constant over one ``advance`` call."""

    heat_percent: float
    """Heater power, 0-100 % of ``PhysicsParams.heater_power_w`` (clamped)."""
    fan_percent: float
    """Main (exhaust) fan, 0-100 % (clamped)."""
    drum_on: bool
    """Drum motor running: tumbles the beans against the hot shell."""
    door_open: bool
    """Drop door open: beans leave the drum (all with the drum on, about half with it off)."""
    cooling_on: bool
    """Cooling-tray stirrer (and the tray's air draw) running."""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.heat_percent) and math.isfinite(self.fan_percent)):
            raise ValueError("heat_percent and fan_percent must be finite")


@dataclass(frozen=True, slots=True)
class Beans:
    """A batch of green coffee about to be charged."""

    mass_kg: float = 0.22
    """Green mass including moisture (kg)."""
    moisture_fraction: float = 0.11
    """Water mass over total mass (wet basis, 0-1); green coffee is typically 0.09-0.12."""
    first_crack_temp_c: float = 196.0
    """Bean-mass temperature at which first crack starts (degC)."""
    temp_c: float | None = None
    """Green bean temperature at charge (degC); None means ambient."""


@dataclass(frozen=True, slots=True)
class PhysicsParams:
    """Tunable constants of the lumped model; units are in every field's name."""

    heater_power_w: float
    """Electrical power of the element at 100 % (W).  The Hottop element is ~1.3-1.4 kW."""
    element_heat_capacity_j_per_k: float
    """Heat capacity of the sheathed element and its reflector (J/K).

    It makes the machine answer a heat change only after tens of seconds, as a real Hottop
    does: the sheath has to warm up (or cool down) before the drum air notices.
    """
    element_air_conductance_w_per_k: float
    """Convection from the element to the drum air (W/K)."""
    element_drum_conductance_w_per_k: float
    """Linearised radiation from the element to the drum shell (W/K)."""
    element_bean_conductance_w_per_k: float
    """Linearised radiation from the element onto a tumbling reference batch (W/K).

    Scales with the pile's exposed surface, (mass / reference)^(2/3).
    """
    air_heat_capacity_j_per_k: float
    """Heat capacity of the air node (J/K).

    Air itself is a few J/K; this lumps in the probe wells, baffles and thin sheet parts that
    follow the air within seconds, and it sets how fast ET reacts.
    """
    drum_heat_capacity_j_per_k: float
    """Heat capacity of the drum shell and inner body (J/K): ~1 kg of steel plus parts."""
    air_drum_conductance_w_per_k: float
    """Convective exchange between drum air and drum metal (W/K)."""
    drum_ambient_conductance_w_per_k: float
    """Linear (convective) loss of the drum body to the room through the casing (W/K)."""
    drum_radiative_loss_w_per_k4: float
    """Emissivity x Stefan-Boltzmann constant x hot casing area (W/K^4).

    Radiation from the hot body grows like T^4, which is what bounds the machine left at full
    heat: a purely linear loss would let the drum creep far past 400 degC.
    """
    draft_conductance_w_per_k: float
    """Natural draft through the drum with the fan off (W/K): air mass flow times cp."""
    fan_conductance_w_per_k: float
    """Extra exhaust loss with the fan at 100 % (W/K): its air mass flow times cp."""
    drum_bean_conductance_w_per_k: float
    """Contact conduction between the tumbling pile and the shell, reference batch (W/K).

    Scales with the pile's contact area, i.e. (mass / reference)^(2/3): bigger batches get less
    heat per kilogram, as on a real drum.
    """
    air_bean_conductance_w_per_k: float
    """Convection from drum air to the tumbling pile, reference batch, fan off (W/K)."""
    fan_convection_boost: float
    """Relative increase of air-to-bean convection with the fan at 100 % (dimensionless)."""
    reference_batch_kg: float
    """Batch mass the bean conductances are quoted for (kg)."""
    drum_off_transfer_factor: float
    """Multiplier of all heat transfer into the beans when the drum is stopped (0-1).

    A still pile only exchanges through its top layer and the strip touching the shell.
    """
    bean_dry_specific_heat_j_per_kg_k: float
    """Specific heat of the dry bean matter (J/kg/K).

    Together with the water content it gives the 1.3-1.7 kJ/kg/K range of coffee beans.
    """
    evaporation_onset_c: float
    """Bean temperature below which no moisture leaves (degC).

    Water is bound in the cell structure and barely moves before ~95-100 degC.
    """
    evaporation_reference_c: float
    """Bean temperature at which the drying rate equals ``evaporation_rate_per_s`` (degC)."""
    evaporation_rate_per_s: float
    """Fraction of the remaining water that leaves per second at the reference temperature (1/s).

    Away from the reference the rate scales with the temperature excess over the onset raised
    to ``evaporation_exponent``.
    """
    evaporation_exponent: float
    """Exponent of the drying-rate ramp (dimensionless, >= 1 keeps the onset smooth).

    Vapour pressure and diffusion both speed up with temperature, so the rate grows faster
    than linearly above the onset.
    """
    exotherm_energy_j_per_kg: float
    """Reaction heat released per kg of dry beans after first crack starts (J/kg)."""
    exotherm_time_constant_s: float
    """Time constant of each of the two exotherm stages (s); the release peaks at that time."""
    bt_probe_bean_weight: float
    """Weight of the bean pile in what a fully covered BT probe senses (0-1); the rest is air."""
    bt_probe_cover_mass_kg: float
    """Drum bean mass that fully covers the BT probe (kg); less leaves it partly in the air."""
    bt_probe_stem_loss: float
    """Fraction of the probe's excess over ambient lost along its stem into the casing (0-1).

    Why the Hottop BT reads ~10 degC under the bean mass near first crack.
    """
    bt_probe_tau_s: float
    """Time constant of the BT thermocouple and its well (s)."""
    et_probe_tau_s: float
    """Time constant of the ET thermocouple (s)."""
    drop_time_constant_s: float
    """Time constant of beans leaving through the open door with the drum on (s)."""
    drum_off_retained_fraction: float
    """Share of the batch that stays in a stopped drum when the door opens (0-1)."""
    tray_cooling_on_w_per_kg_k: float
    """Heat loss of tray beans per kg with the stirrer and air draw on (W/kg/K)."""
    tray_cooling_off_w_per_kg_k: float
    """Heat loss of tray beans per kg in still air (W/kg/K)."""
    max_substep_s: float
    """Longest internal integration step (s).

    0.1 s keeps the result independent of how the caller slices time.  Up to 1 s is accepted
    for fast replays of recorded roasts: the shortest time constant of the network (the air
    node, ~7 s) keeps a 1 s explicit step stable, at the cost of a few tenths of a degree.
    """
    bean_area_exponent: float = 2.0 / 3.0
    """Exponent of the batch-mass scaling of every bean conductance (dimensionless).

    A pile's surface grows like mass^(2/3) if it kept its shape; in a drum a bigger batch also
    spreads further along the shell, so real machines sit between 2/3 and 1.
    """
    et_probe_drum_weight: float = 0.0
    """Share of the drum metal in what the ET probe senses (0-1); the rest is the drum air.

    A probe mounted close to the shell exchanges radiation with it as well as convection with
    the air, so it reads between the two.
    """

    @classmethod
    def hottop(cls) -> PhysicsParams:
        """Return the defaults tuned against real Hottop KN-8828B-2K+ logs."""
        return cls(
            heater_power_w=1350.0,
            element_heat_capacity_j_per_k=420.0,
            element_air_conductance_w_per_k=2.0,
            element_drum_conductance_w_per_k=1.15,
            element_bean_conductance_w_per_k=0.30,
            air_heat_capacity_j_per_k=480.0,
            drum_heat_capacity_j_per_k=1800.0,
            air_drum_conductance_w_per_k=60.0,
            drum_ambient_conductance_w_per_k=0.95,
            drum_radiative_loss_w_per_k4=0.185 * _STEFAN_BOLTZMANN,
            draft_conductance_w_per_k=0.8,
            fan_conductance_w_per_k=1.5,
            drum_bean_conductance_w_per_k=0.54,
            air_bean_conductance_w_per_k=0.44,
            fan_convection_boost=0.5,
            reference_batch_kg=0.22,
            drum_off_transfer_factor=0.25,
            bean_dry_specific_heat_j_per_kg_k=1300.0,
            evaporation_onset_c=92.0,
            evaporation_reference_c=160.0,
            evaporation_rate_per_s=0.004,
            evaporation_exponent=1.1,
            exotherm_energy_j_per_kg=8000.0,
            exotherm_time_constant_s=30.0,
            bt_probe_bean_weight=0.83,
            bt_probe_cover_mass_kg=0.08,
            bt_probe_stem_loss=0.08,
            bt_probe_tau_s=38.0,
            et_probe_tau_s=4.0,
            drop_time_constant_s=0.7,
            drum_off_retained_fraction=0.5,
            tray_cooling_on_w_per_kg_k=16.0,
            tray_cooling_off_w_per_kg_k=2.5,
            max_substep_s=0.1,
        )

    @classmethod
    def generic(cls) -> PhysicsParams:
        """Return a generic small electric drum roaster: the Hottop tuning, rounder numbers."""
        return cls(
            heater_power_w=1350.0,
            element_heat_capacity_j_per_k=400.0,
            element_air_conductance_w_per_k=2.0,
            element_drum_conductance_w_per_k=1.0,
            element_bean_conductance_w_per_k=0.3,
            air_heat_capacity_j_per_k=500.0,
            drum_heat_capacity_j_per_k=2000.0,
            air_drum_conductance_w_per_k=50.0,
            drum_ambient_conductance_w_per_k=1.0,
            drum_radiative_loss_w_per_k4=0.2 * _STEFAN_BOLTZMANN,
            draft_conductance_w_per_k=1.0,
            fan_conductance_w_per_k=2.0,
            drum_bean_conductance_w_per_k=0.5,
            air_bean_conductance_w_per_k=0.4,
            fan_convection_boost=0.5,
            reference_batch_kg=0.22,
            drum_off_transfer_factor=0.25,
            bean_dry_specific_heat_j_per_kg_k=1300.0,
            evaporation_onset_c=90.0,
            evaporation_reference_c=160.0,
            evaporation_rate_per_s=0.004,
            evaporation_exponent=1.0,
            exotherm_energy_j_per_kg=10_000.0,
            exotherm_time_constant_s=30.0,
            bt_probe_bean_weight=0.8,
            bt_probe_cover_mass_kg=0.08,
            bt_probe_stem_loss=0.05,
            bt_probe_tau_s=40.0,
            et_probe_tau_s=5.0,
            drop_time_constant_s=1.0,
            drum_off_retained_fraction=0.5,
            tray_cooling_on_w_per_kg_k=15.0,
            tray_cooling_off_w_per_kg_k=2.5,
            max_substep_s=0.1,
        )


@dataclass(frozen=True, slots=True)
class PhysicsState:
    """Complete internal state of :class:`RoasterPhysics`, for tests and debugging."""

    time_s: float
    """Model time since construction (s)."""
    ambient_c: float
    """Room temperature (degC)."""
    element_c: float
    """Heater element node (degC); runs several hundred degrees above the air at full power."""
    air_c: float
    """Drum air node (degC)."""
    drum_c: float
    """Drum metal node (degC)."""
    bt_probe_c: float
    """BT thermocouple (degC)."""
    et_probe_c: float
    """ET thermocouple (degC)."""
    drum_dry_kg: float
    """Dry bean mass in the drum (kg)."""
    drum_water_kg: float
    """Water in the drum beans (kg)."""
    drum_beans_c: float
    """Drum bean temperature (degC); meaningless when the drum is empty."""
    tray_dry_kg: float
    """Dry bean mass in the cooling tray (kg)."""
    tray_water_kg: float
    """Water in the tray beans (kg)."""
    tray_beans_c: float
    """Tray bean temperature (degC); meaningless when the tray is empty."""
    batch_dry_kg: float
    """Dry mass of the current batch at charge (kg); 0 before the first charge."""
    charge_time_s: float | None
    """Model time of the last charge (s)."""
    first_crack_temp_c: float
    """First-crack temperature of the current batch (degC)."""
    first_crack_time_s: float | None
    """Model time at which the current batch started first crack (s)."""
    exotherm_pending_j: float
    """Exotherm energy not yet activated (J)."""
    exotherm_active_j: float
    """Exotherm energy being released (J)."""


class RoasterPhysics:
    """Time-stepped lumped thermal model of a drum roaster, its beans and its probes."""

    def __init__(self, params: PhysicsParams | None = None, ambient_c: float = 22.0) -> None:
        self._p = params if params is not None else PhysicsParams.hottop()
        if not 0.0 < self._p.max_substep_s <= MAX_SUBSTEP_S:
            raise ValueError(
                f"max_substep_s is {self._p.max_substep_s}; it must be in (0, {MAX_SUBSTEP_S}]"
            )
        amb = float(ambient_c)
        if not math.isfinite(amb):
            raise ValueError("ambient_c must be finite")
        self._amb = amb
        self._amb_k4 = (amb + _KELVIN) ** 4
        self._t = 0.0
        # Everything starts at room temperature: a cold machine.
        self._te = amb
        self._ta = amb
        self._td = amb
        self._bt = amb
        self._et = amb
        self._dd = 0.0  # drum lot dry mass (kg)
        self._wd = 0.0  # drum lot water (kg)
        self._tb = amb
        self._dt = 0.0  # tray lot dry mass (kg)
        self._wt = 0.0  # tray lot water (kg)
        self._tt = amb
        self._batch_dry = 0.0
        self._charge_t: float | None = None
        self._fc_temp = 196.0
        self._fc_t: float | None = None
        self._exo_pending = 0.0
        self._exo_active = 0.0

    # ------------------------------------------------------------------ public API

    @property
    def params(self) -> PhysicsParams:
        """Parameters the model runs with."""
        return self._p

    @property
    def ambient_c(self) -> float:
        """Room temperature (degC)."""
        return self._amb

    @property
    def bean_probe_c(self) -> float:
        """BT probe reading (degC), before noise and quantisation."""
        return self._bt

    @property
    def env_probe_c(self) -> float:
        """ET probe reading (degC), before noise and quantisation."""
        return self._et

    @property
    def bean_mass_temp_c(self) -> float | None:
        """True temperature of the beans: the drum lot if any, else the tray lot, else None."""
        if self._dd > 0.0:
            return self._tb
        if self._dt > 0.0:
            return self._tt
        return None

    @property
    def beans_in_drum(self) -> bool:
        """Whether any beans are in the drum."""
        return self._dd > 0.0

    @property
    def beans_in_cooling_tray(self) -> bool:
        """Whether any beans are in the cooling tray."""
        return self._dt > 0.0

    @property
    def first_crack_started(self) -> bool:
        """Whether the current batch's bean mass has reached its first-crack temperature."""
        return self._fc_t is not None

    @property
    def first_crack_elapsed_s(self) -> float | None:
        """Time from charge to the start of first crack (s), None before it."""
        if self._fc_t is None or self._charge_t is None:
            return None
        return self._fc_t - self._charge_t

    @property
    def time_since_charge_s(self) -> float | None:
        """Model time since the last charge (s), None before the first charge."""
        if self._charge_t is None:
            return None
        return self._t - self._charge_t

    @property
    def moisture_fraction(self) -> float | None:
        """Wet-basis moisture of the beans reported by ``bean_mass_temp_c``, None if no beans."""
        if self._dd > 0.0:
            return self._wd / (self._dd + self._wd)
        if self._dt > 0.0:
            return self._wt / (self._dt + self._wt)
        return None

    def snapshot(self) -> PhysicsState:
        """Return a frozen copy of the complete internal state."""
        return PhysicsState(
            time_s=self._t,
            ambient_c=self._amb,
            element_c=self._te,
            air_c=self._ta,
            drum_c=self._td,
            bt_probe_c=self._bt,
            et_probe_c=self._et,
            drum_dry_kg=self._dd,
            drum_water_kg=self._wd,
            drum_beans_c=self._tb,
            tray_dry_kg=self._dt,
            tray_water_kg=self._wt,
            tray_beans_c=self._tt,
            batch_dry_kg=self._batch_dry,
            charge_time_s=self._charge_t,
            first_crack_temp_c=self._fc_temp,
            first_crack_time_s=self._fc_t,
            exotherm_pending_j=self._exo_pending,
            exotherm_active_j=self._exo_active,
        )

    def restore(self, state: PhysicsState) -> None:
        """Put the model into ``state`` (from :meth:`snapshot`, or built to match a recording).

        Replaying a recorded roast starts from the machine's state at its charge, which is not
        the cold start the constructor gives.
        """
        values = (
            state.time_s,
            state.ambient_c,
            state.element_c,
            state.air_c,
            state.drum_c,
            state.bt_probe_c,
            state.et_probe_c,
            state.drum_beans_c,
            state.tray_beans_c,
        )
        if not all(math.isfinite(v) for v in values):
            raise ValueError("every temperature and the time in the state must be finite")
        masses = (state.drum_dry_kg, state.drum_water_kg, state.tray_dry_kg, state.tray_water_kg)
        if not all(m >= 0.0 for m in masses):
            raise ValueError("bean and water masses in the state must be >= 0 kg")
        self._t = state.time_s
        self._amb = state.ambient_c
        self._amb_k4 = (state.ambient_c + _KELVIN) ** 4
        self._te = state.element_c
        self._ta = state.air_c
        self._td = state.drum_c
        self._bt = state.bt_probe_c
        self._et = state.et_probe_c
        self._dd = state.drum_dry_kg
        self._wd = state.drum_water_kg
        self._tb = state.drum_beans_c
        self._dt = state.tray_dry_kg
        self._wt = state.tray_water_kg
        self._tt = state.tray_beans_c
        self._batch_dry = state.batch_dry_kg
        self._charge_t = state.charge_time_s
        self._fc_temp = state.first_crack_temp_c
        self._fc_t = state.first_crack_time_s
        self._exo_pending = state.exotherm_pending_j
        self._exo_active = state.exotherm_active_j

    def charge(self, beans: Beans) -> None:
        """Drop a batch of green beans into the drum; it starts a new batch."""
        if self._dd > 0.0:
            raise ValueError("beans are already in the drum")
        if not 0.0 < beans.mass_kg <= MAX_CHARGE_KG:
            raise ValueError(f"bean mass must be in (0, {MAX_CHARGE_KG}] kg")
        if not 0.0 <= beans.moisture_fraction < 1.0:
            raise ValueError("moisture_fraction must be in [0, 1)")
        temp = self._amb if beans.temp_c is None else float(beans.temp_c)
        if not (math.isfinite(temp) and math.isfinite(beans.first_crack_temp_c)):
            raise ValueError("bean temperatures must be finite")
        self._wd = beans.mass_kg * beans.moisture_fraction
        self._dd = beans.mass_kg - self._wd
        self._tb = temp
        self._batch_dry = self._dd
        self._charge_t = self._t
        self._fc_temp = beans.first_crack_temp_c
        self._fc_t = None
        self._exo_pending = 0.0
        self._exo_active = 0.0

    def advance(self, dt_s: float, actuators: Actuators) -> None:
        """Integrate ``dt_s`` seconds with ``actuators`` held constant."""
        if not dt_s >= 0.0:  # also rejects NaN
            raise ValueError("dt_s must be >= 0")
        if dt_s == 0.0:
            return
        if math.isinf(dt_s):
            raise ValueError("dt_s must be finite")
        # A fixed grid: n equal steps no longer than max_substep_s.  The small tolerance keeps
        # 1.0 / 0.1 at 10 steps, so advance(10) and ten advance(1) run identical arithmetic.
        n = max(1, math.ceil(dt_s / self._p.max_substep_s - 1e-9))
        h = dt_s / n
        for _ in range(n):
            self._step(h, actuators)

    # ------------------------------------------------------------------ integration

    def _step(self, h: float, act: Actuators) -> None:
        """Advance every state by one explicit-Euler sub-step of ``h`` seconds."""
        p = self._p
        amb = self._amb
        heat = min(max(act.heat_percent, 0.0), 100.0) / 100.0
        fan = min(max(act.fan_percent, 0.0), 100.0) / 100.0
        ta, td, tb, tt = self._ta, self._td, self._tb, self._tt
        dd, wd, dt_, wt = self._dd, self._wd, self._dt, self._wt
        rot = 1.0 if act.drum_on else p.drum_off_transfer_factor

        # --- heater: electrical power warms the element, which hands it on to the air by
        # convection and to the shell and the pile by (linearised) radiation.
        te = self._te
        p_heat = heat * p.heater_power_w
        q_ea = p.element_air_conductance_w_per_k * (te - ta)
        q_ed = p.element_drum_conductance_w_per_k * (te - td)

        md = dd + wd
        if md > 0.0:
            # Exposed / contact area of a pile grows like mass^(2/3) (surface of a volume).
            # A still pile only exchanges through its top layer and the strip on the shell.
            expo = math.pow(md / p.reference_batch_kg, p.bean_area_exponent) * rot
            g_eb = p.element_bean_conductance_w_per_k * expo
            g_ab = p.air_bean_conductance_w_per_k * expo * (1.0 + p.fan_convection_boost * fan)
            g_db = p.drum_bean_conductance_w_per_k * expo
            c_b = dd * p.bean_dry_specific_heat_j_per_kg_k + wd * WATER_SPECIFIC_HEAT_J_PER_KG_K
        else:
            g_eb = g_ab = g_db = 0.0
            c_b = 1.0  # unused: no flows reach an empty lot

        # --- conductive / advective flows (W), positive in the named direction.
        q_eb = g_eb * (te - tb)  # element -> beans
        q_ab = g_ab * (ta - tb)  # air -> beans
        q_db = g_db * (td - tb)  # drum -> beans
        q_ad = p.air_drum_conductance_w_per_k * (ta - td)  # air -> drum
        # Exhaust: the fan replaces hot drum air with room air, carrying m_dot*cp*(Ta - amb).
        q_exh = (p.draft_conductance_w_per_k + p.fan_conductance_w_per_k * fan) * (ta - amb)
        # Casing loss: linear convection plus grey-body radiation (absolute temperatures).
        tdk = td + _KELVIN
        q_dl = p.drum_ambient_conductance_w_per_k * (td - amb) + p.drum_radiative_loss_w_per_k4 * (
            tdk * tdk * tdk * tdk - self._amb_k4
        )

        # --- drying: latent heat leaves with the water.
        evap_d = self._evaporation(wd, tb, h)  # kg of water lost this step
        evap_t = self._evaporation(wt, tt, h)

        # --- exotherm: two first-order stages so the release rises, peaks at tau, then tapers.
        p_exo = 0.0
        if self._exo_pending > 0.0 or self._exo_active > 0.0:
            k = h / p.exotherm_time_constant_s
            moved = self._exo_pending * k
            p_exo = self._exo_active * k / h
            self._exo_pending -= moved
            self._exo_active += moved - self._exo_active * k
        dry_total = dd + dt_
        if dry_total > 0.0:
            p_exo_d = p_exo * dd / dry_total
            p_exo_t = p_exo - p_exo_d
        else:
            p_exo_d = p_exo_t = 0.0

        # --- temperature updates.
        self._te = te + h * (p_heat - q_ea - q_ed - q_eb) / p.element_heat_capacity_j_per_k
        self._ta = ta + h * (q_ea - q_ab - q_ad - q_exh) / p.air_heat_capacity_j_per_k
        self._td = td + h * (q_ed + q_ad - q_db - q_dl) / p.drum_heat_capacity_j_per_k
        if md > 0.0:
            # Implicit in the bean temperature: a tiny batch has a tiny heat capacity but a
            # comparatively large surface (G/C ~ mass^-1/3), which would make an explicit
            # update overshoot.  Implicit Euler is a convex mix of the sources for any mass.
            g_sum = g_eb + g_ab + g_db
            gained = h * (g_eb * te + g_ab * ta + g_db * td + p_exo_d)
            self._tb = (c_b * tb + gained - evap_d * LATENT_HEAT_J_PER_KG) / (c_b + h * g_sum)
            self._wd = wd - evap_d
        if dt_ > 0.0:
            rate = p.tray_cooling_on_w_per_kg_k if act.cooling_on else p.tray_cooling_off_w_per_kg_k
            c_t = dt_ * p.bean_dry_specific_heat_j_per_kg_k + wt * WATER_SPECIFIC_HEAT_J_PER_KG_K
            e_t = h * (p_exo_t - rate * (dt_ + wt) * (tt - amb)) - evap_t * LATENT_HEAT_J_PER_KG
            self._tt = tt + e_t / c_t
            self._wt = wt - evap_t

        # --- first crack: interpolate the crossing inside the sub-step so its time does not
        # depend on the step grid.
        if (
            md > 0.0
            and self._fc_t is None
            and self._charge_t is not None
            and self._tb >= self._fc_temp
        ):
            frac = (
                1.0
                if self._tb <= tb
                else min(1.0, max(0.0, (self._fc_temp - tb) / (self._tb - tb)))
            )
            self._fc_t = self._t + frac * h
            self._exo_pending = p.exotherm_energy_j_per_kg * self._dd

        # --- drop door: beans move from the drum to the tray.
        if act.door_open and self._dd > 0.0:
            self._drop(h, act.drum_on)

        # --- probes: first-order lags towards what each junction is immersed in.
        self._update_probes(h)
        self._t += h

    def _evaporation(self, water_kg: float, temp_c: float, h: float) -> float:
        """Return the water mass (kg) a lot loses in ``h`` seconds at ``temp_c``."""
        p = self._p
        if water_kg <= 0.0 or temp_c <= p.evaporation_onset_c:
            return 0.0
        x = (temp_c - p.evaporation_onset_c) / (p.evaporation_reference_c - p.evaporation_onset_c)
        # Power-law ramp from the onset (vapour pressure and diffusion speed up with
        # temperature).  The per-step fraction is capped at 1 so moisture never goes negative.
        frac = min(1.0, p.evaporation_rate_per_s * math.pow(x, p.evaporation_exponent) * h)
        return water_kg * frac

    def _drop(self, h: float, drum_on: bool) -> None:
        """Move beans through the open door for ``h`` seconds."""
        p = self._p
        # A still drum only sheds what sits above the door lip.
        free = self._dd if drum_on else self._dd - p.drum_off_retained_fraction * self._batch_dry
        if free <= 0.0:
            return
        frac_of_free = min(1.0, h / p.drop_time_constant_s)
        moved_dry = free * frac_of_free
        if self._dd - moved_dry < _EMPTY_DRY_KG and drum_on:
            moved_dry = self._dd
        share = moved_dry / self._dd
        moved_water = self._wd * share
        # Mixing: the tray lot takes the heat-capacity-weighted mean temperature.
        cp_d = self._p.bean_dry_specific_heat_j_per_kg_k
        c_old = self._dt * cp_d + self._wt * WATER_SPECIFIC_HEAT_J_PER_KG_K
        c_new = moved_dry * cp_d + moved_water * WATER_SPECIFIC_HEAT_J_PER_KG_K
        if c_old + c_new > 0.0:
            self._tt = (c_old * self._tt + c_new * self._tb) / (c_old + c_new)
        self._dt += moved_dry
        self._wt += moved_water
        if moved_dry >= self._dd:
            self._dd = 0.0
            self._wd = 0.0
        else:
            self._dd -= moved_dry
            self._wd -= moved_water

    def _update_probes(self, h: float) -> None:
        """Move the BT and ET readings one lag step towards their targets."""
        p = self._p
        amb = self._amb
        md = self._dd + self._wd
        if md > 0.0:
            # The BT probe sits low in the drum: a covering pile dominates what it senses.
            w = p.bt_probe_bean_weight * min(1.0, md / p.bt_probe_cover_mass_kg)
            immersed = w * self._tb + (1.0 - w) * self._ta
        else:
            immersed = self._ta
        bt_target = amb + (1.0 - p.bt_probe_stem_loss) * (immersed - amb)
        self._bt += (bt_target - self._bt) * min(1.0, h / p.bt_probe_tau_s)
        w_et = p.et_probe_drum_weight
        et_target = self._ta if w_et == 0.0 else (1.0 - w_et) * self._ta + w_et * self._td
        self._et += (et_target - self._et) * min(1.0, h / p.et_probe_tau_s)
