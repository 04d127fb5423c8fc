"""The machine state two probe readings imply: where a replay or a live estimate starts.

A recording (or a live session) starts on a machine that may already be hot. The probes give the
air and themselves; the drum metal and the heater element are not measured. The drum is put at
the model's charge offset from the air, scaled by how far the machine is into its preheat, and
the element at the steady state of the heat setting: it settles within a minute or two, against
which the rest of the machine barely moves.
"""

from __future__ import annotations

import dataclasses

from roastctl.physics.model import RoasterPhysics
from roastctl.physics.param_sets import TwinModel

__all__ = ["put_at_readings", "warmth"]

#: The air temperature (degC) at which a machine counts as fully preheated.
_PREHEATED_AIR_C = 200.0


def warmth(et: float, ambient: float) -> float:
    """Return how far a machine reading ``et`` is into its preheat, 0 (cold) to 1 (~200 degC).

    A cold machine is at room temperature throughout; the drum only falls behind (or stays
    ahead of) the air once the machine is warm, so the offset scales with the air's excess.
    """
    return min(1.0, max(0.0, (et - ambient) / (_PREHEATED_AIR_C - ambient)))


def put_at_readings(
    physics: RoasterPhysics, model: TwinModel, bt: float, et: float, heat_percent: float
) -> None:
    """Put ``physics`` at the recorded BT/ET, the drum at the model's offset, the element settled.

    The beans (if any) keep their mass; their temperature is not touched.
    """
    params = physics.params
    ambient = physics.ambient_c
    drum = max(ambient, et + model.charge_drum_offset_c * warmth(et, ambient))
    g_ea = params.element_air_conductance_w_per_k
    g_ed = params.element_drum_conductance_w_per_k
    power = params.heater_power_w * min(max(heat_percent, 0.0), 100.0) / 100.0
    element = (power + g_ea * et + g_ed * drum) / (g_ea + g_ed)
    physics.restore(
        dataclasses.replace(
            physics.snapshot(),
            element_c=element,
            air_c=et,
            drum_c=drum,
            bt_probe_c=bt,
            et_probe_c=et,
        )
    )
