"""A simulated Hottop whose heater the forecast is not told about, stepped by hand."""

from __future__ import annotations

import dataclasses

from roastctl.clock import ManualClock
from roastctl.config import ForecastConfig, ServerConfig, SimulatorConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.models import RoastStatus
from roastctl.physics.param_sets import builtin_model
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore
from support import START, preheat_and_charge, run_until


def hidden_heater_session(
    heater_factor: float = 1.0,
    *,
    seed: int = 3,
    forecast: ForecastConfig | None = None,
    store: RoastStore | None = None,
) -> tuple[RoastSessionManager, SimulatedRoaster, ManualClock]:
    """A session on a simulated Hottop whose heater is ``heater_factor`` x the model's.

    Readings are whole degrees with 0.3 degC noise, as a Hottop's; the forecast runs on the plain
    ``hottop`` model, so it has to find the heater multiple by itself.
    """
    clock = ManualClock(start=START)
    model = builtin_model("hottop")
    params = dataclasses.replace(
        model.physics, heater_power_w=model.physics.heater_power_w * heater_factor
    )
    simulator = SimulatorConfig(
        seed=seed,
        bean_variance_c=0.0,
        whole_degrees=True,
        noise_c=0.3,
        first_crack_temp_c=model.first_crack_temp_c,
    )
    roaster = SimulatedRoaster(simulator, clock, params=params)
    config = ServerConfig(
        timezone="UTC", forecast=forecast or ForecastConfig(refresh_s=0.0), simulator=simulator
    )
    manager = RoastSessionManager(
        roaster, config, clock=clock, background_polling=False, store=store
    )
    return manager, roaster, clock


def charged_and_roasting(
    manager: RoastSessionManager, clock: ManualClock, *, seconds: float, heat: int = 80
) -> RoastStatus:
    """Preheat, charge, then hold ``heat`` % and fan 30 % for ``seconds`` after CHARGE."""
    manager.start_session()
    preheat_and_charge(manager, clock)
    manager.set_heat(heat)
    manager.set_fan(30)
    return run_until(
        manager,
        clock,
        lambda s: (s.metrics.roast_elapsed_s or 0.0) >= seconds,
        limit_s=seconds + 60.0,
        forecast=True,
    )
