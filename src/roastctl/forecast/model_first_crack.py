"""The BT a roaster model's probe reads when its beans reach first crack: the last fallback.

A model knows first crack as a bean-mass temperature (``TwinModel.first_crack_temp_c``); a roast
log and an operator know it as a BT reading, which lags the beans and reads low. Running the
model through a plain roast (preheated, full heat, a reference batch) gives the BT it shows at
its own first crack.
"""

from __future__ import annotations

import dataclasses
import functools

from roastctl.physics.model import Actuators, Beans, PhysicsParams, RoasterPhysics
from roastctl.physics.param_sets import TwinModel

__all__ = ["model_first_crack_bt"]

#: The air temperature (degC) the plain roast charges at: a usual Hottop charge.
_CHARGE_AIR_C = 200.0
#: Longest the plain roast runs (s) before giving up on reaching first crack.
_LIMIT_S = 3600.0


def model_first_crack_bt(model: TwinModel, *, ambient_c: float = 22.0) -> float | None:
    """Return the BT the model reads at its own first crack, None if full heat never gets there.

    The plain roast is run once per model and room (a session asks at its first CHARGE).
    """
    return _first_crack_bt(model.physics, model.first_crack_temp_c, ambient_c)


@functools.lru_cache(maxsize=16)
def _first_crack_bt(
    physics_params: PhysicsParams, first_crack_temp_c: float, ambient_c: float
) -> float | None:
    params = dataclasses.replace(physics_params, max_substep_s=1.0)
    physics = RoasterPhysics(params, ambient_c)
    heat = Actuators(100.0, 0.0, drum_on=True, door_open=False, cooling_on=False)
    elapsed = 0.0
    while physics.env_probe_c < _CHARGE_AIR_C:
        physics.advance(5.0, heat)
        elapsed += 5.0
        if elapsed > _LIMIT_S:
            return None
    physics.charge(Beans(mass_kg=params.reference_batch_kg, first_crack_temp_c=first_crack_temp_c))
    elapsed = 0.0
    while not physics.first_crack_started:
        physics.advance(1.0, heat)
        elapsed += 1.0
        if elapsed > _LIMIT_S:
            return None
    return physics.bean_probe_c
