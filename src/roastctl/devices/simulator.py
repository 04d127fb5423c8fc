"""A simulated roaster: the physics model behind the :class:`Roaster` interface.

Time comes from the injected clock, and the model is integrated up to the clock's "now" before
every read and every command, so a command takes effect from the moment it is given, whatever the
polling rate. With a :class:`~roastctl.clock.ScaledClock` a 15-minute roast runs in a second.

Beyond the interface it offers what a person does by hand on a real roaster: :meth:`charge` (pour
green beans into the hopper) and :meth:`first_crack_time` (hear first crack).
"""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta

from roastctl.clock import Clock, SystemClock
from roastctl.config import SimulatorConfig
from roastctl.devices.base import Roaster, require_percent
from roastctl.errors import InvalidCommandError, RoasterConnectionError, RoasterNotConnectedError
from roastctl.models import RoasterInfo, SensorReading
from roastctl.physics.model import Actuators, Beans, PhysicsParams, RoasterPhysics
from roastctl.physics.param_sets import DEFAULT_FIRST_CRACK_C, builtin_model, load_model


class SimulatedRoaster(Roaster):
    """A Hottop-like drum roaster driven by a physical model; deterministic for a given seed."""

    def __init__(
        self,
        config: SimulatorConfig | None = None,
        clock: Clock | None = None,
        *,
        params: PhysicsParams | None = None,
    ) -> None:
        self.config = config or SimulatorConfig()
        self.clock: Clock = clock or SystemClock()
        self._rng = random.Random(self.config.seed)  # noqa: S311 - probe noise, not secrets
        # The first-crack temperature belongs to the parameter set: what BT reads when the bean
        # mass cracks depends on the model's probe.  Explicit params come without one.
        self._first_crack_c = DEFAULT_FIRST_CRACK_C
        if params is None:
            model = (
                load_model(self.config.model_file)
                if self.config.model_file is not None
                else builtin_model(self.config.model)
            )
            params = model.physics
            self._first_crack_c = model.first_crack_temp_c
        if self.config.first_crack_temp_c is not None:
            self._first_crack_c = self.config.first_crack_temp_c
        self._physics = RoasterPhysics(params, self.config.ambient_c)
        self._lock = threading.Lock()
        self._connected = False
        self._last_time: float | None = None
        self._heat = 0
        self._fan = 0
        self._drum = False
        self._door = False
        self._cooling = False
        self._charge_wall: datetime | None = None
        self.batches = 0
        # Fault injection (see freeze_readings, unplug, override_probes).
        self._frozen: SensorReading | None = None
        self._freeze = False
        self._unplugged = False
        self._probe_override: tuple[float | None, float | None] = (None, None)

    # ----------------------------------------------------------------- time
    def _advance(self) -> None:
        """Integrate the model up to the clock's now; call with the lock held."""
        now = self.clock.monotonic()
        if self._last_time is not None and now > self._last_time:
            self._physics.advance(now - self._last_time, self._actuators())
        self._last_time = now if self._last_time is None else max(now, self._last_time)

    def _actuators(self) -> Actuators:
        return Actuators(
            heat_percent=float(self._heat),
            fan_percent=float(self._fan),
            drum_on=self._drum,
            door_open=self._door,
            cooling_on=self._cooling,
        )

    def _require_connected(self) -> None:
        if not self._connected:
            raise RoasterNotConnectedError(
                "the simulated roaster is not connected; call connect() (or start the session)"
            )
        if self._unplugged:
            raise RoasterConnectionError(
                "the simulated roaster's cable is unplugged (fault injected); plug it back in "
                "with replug()"
            )

    # ----------------------------------------------------------------- Roaster interface
    def connect(self) -> None:
        """Switch the simulated roaster on; idempotent."""
        with self._lock:
            if not self._connected:
                self._advance()
                self._connected = True

    def disconnect(self) -> None:
        """Switch it off: actuators go to rest, as the real machine does when power is cut."""
        with self._lock:
            if self._connected:
                self._advance()
                self._heat = 0
                self._connected = False

    def is_connected(self) -> bool:
        """Return whether :meth:`connect` was called and the cable is in."""
        return self._connected and not self._unplugged

    def get_roaster_info(self) -> RoasterInfo:
        """Describe the simulator."""
        return RoasterInfo(
            model="Simulated Hottop KN-8828B-2K+", driver="simulator", simulated=True
        )

    def read_sensors(self) -> SensorReading:
        """Return the probes (with optional noise and whole-degree rounding) and actuators."""
        with self._lock:
            self._require_connected()
            self._advance()
            if self._freeze and self._frozen is not None:
                return self._frozen
            bean_override, env_override = self._probe_override
            reading = SensorReading(
                timestamp=self.clock.now(),
                monotonic_s=self.clock.monotonic(),
                bean_temp_c=(
                    bean_override
                    if bean_override is not None
                    else self._measure(self._physics.bean_probe_c)
                ),
                env_temp_c=(
                    env_override
                    if env_override is not None
                    else self._measure(self._physics.env_probe_c)
                ),
                heat_percent=self._heat,
                fan_percent=self._fan,
                drum_on=self._drum,
                door_open=self._door,
                cooling_on=self._cooling,
            )
            self._frozen = reading
            return reading

    def _measure(self, value: float) -> float:
        if self.config.noise_c > 0:
            value += self._rng.gauss(0.0, self.config.noise_c)
        return float(round(value)) if self.config.whole_degrees else round(value, 2)

    def _command(self, **changes: int | bool) -> None:
        with self._lock:
            self._require_connected()
            self._advance()
            for name, value in changes.items():
                setattr(self, "_" + name, value)

    def set_heat(self, percent: int) -> None:
        """Set heater power, 0-100 %."""
        self._command(heat=require_percent("heat", percent))

    def set_fan(self, percent: int) -> None:
        """Set main fan, 0-100 % in 10 % steps."""
        self._command(fan=require_percent("fan", percent, 10))

    def start_drum(self) -> None:
        """Start the drum."""
        self._command(drum=True)

    def stop_drum(self) -> None:
        """Stop the drum and the heater with it."""
        self._command(drum=False, heat=0)

    def drop_beans(self) -> None:
        """Heater off, door open, drum on, stirrer on, fan 100 %."""
        self._command(heat=0, door=True, drum=True, cooling=True, fan=100)

    def start_cooling(self) -> None:
        """Stirrer on, fan 100 %."""
        self._command(cooling=True, fan=100)

    def stop_cooling(self) -> None:
        """Stirrer, fan, drum and heater off; door closed for the next batch."""
        self._command(cooling=False, fan=0, door=False, drum=False, heat=0)

    # ----------------------------------------------------------------- simulator only
    # ----------------------------------------------------------------- fault injection
    def freeze_readings(self, frozen: bool = True) -> None:
        """Make read_sensors repeat its last reading, timestamp and all: a hung driver cache.

        Commands still reach the heater, which goes on heating: the case the supervisor's stale
        data rule exists for.
        """
        with self._lock:
            self._freeze = frozen

    def unplug(self) -> None:
        """Pull the cable: reads and commands fail, and the heater keeps its last setting."""
        with self._lock:
            self._advance()
            self._unplugged = True

    def replug(self) -> None:
        """Plug the cable back in."""
        with self._lock:
            self._advance()
            self._unplugged = False

    def override_probes(self, bean_c: float | None = None, env_c: float | None = None) -> None:
        """Report these probe values instead of the model's (``None``: the model's again).

        Stands in for a failed thermocouple (an open one reads e.g. 2046) or a probe stuck high.
        """
        with self._lock:
            self._probe_override = (bean_c, env_c)

    def actuators(self) -> Actuators:
        """Return the settings the machine really runs with (readable while disconnected)."""
        with self._lock:
            return self._actuators()

    def charge(self, mass_g: float | None = None) -> None:
        """Pour green beans into the drum (a person does this by hand on a real Hottop).

        The batch's first-crack temperature varies by ``bean_variance_c`` (seeded).
        """
        mass = self.config.batch_mass_g if mass_g is None else mass_g
        if not 0 < mass <= 300:
            raise InvalidCommandError(
                f"batch mass {mass} g is outside 0-300 g (the Hottop takes up to 250 g)"
            )
        with self._lock:
            self._require_connected()
            self._advance()
            if self._physics.beans_in_drum:
                raise InvalidCommandError(
                    "beans are already in the drum; drop them before charging a new batch"
                )
            first_crack = self._first_crack_c
            if self.config.bean_variance_c > 0:
                first_crack += self._rng.gauss(0.0, self.config.bean_variance_c)
            self._physics.charge(
                Beans(
                    mass_kg=mass / 1000.0,
                    moisture_fraction=self.config.moisture_percent / 100.0,
                    first_crack_temp_c=first_crack,
                )
            )
            self._charge_wall = self.clock.now()
            self.batches += 1

    def first_crack_time(self) -> datetime | None:
        """Return the wall time (UTC) first crack started in this batch, or ``None`` so far."""
        with self._lock:
            if self._connected:
                self._advance()
            elapsed = self._physics.first_crack_elapsed_s
            if elapsed is None or self._charge_wall is None:
                return None
            return self._charge_wall + timedelta(seconds=elapsed)

    @property
    def beans_in_drum(self) -> bool:
        """Whether a batch is in the drum now."""
        with self._lock:
            if self._connected:
                self._advance()
            return self._physics.beans_in_drum

    @property
    def physics(self) -> RoasterPhysics:
        """The model itself, for tests and diagnostics."""
        return self._physics


#: The seed's name for the simulator.
MockRoaster = SimulatedRoaster
