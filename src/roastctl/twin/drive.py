"""Open-loop replay of a recorded roast through the physical model.

:func:`prepare_replay` turns a :class:`~roastctl.logs.record.RecordedRoast` into the input
schedule the model needs, from CHARGE to DROP: sample times, heater and fan settings, the batch
mass and the recorded BT/ET to compare against.  Hottop logs carry no drum or door channel:
the drum turns throughout and the door stays shut until DROP, where the replay ends.

:func:`replay` starts the model from the machine's state at CHARGE (air and ET probe at the
recorded ET, BT probe at the recorded BT, drum metal at ET plus the model's charge offset
scaled by how far the air is into its preheat, heater element at its steady state for the
recorded heat setting), charges the batch at room temperature and steps the physics through
the recorded settings.  Nothing is fed back: the simulated BT never sees the recorded one, so
the error measures the model, not a tracker.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass
from pathlib import Path

from roastctl.errors import RoasterError, RoastFileError
from roastctl.logs.load import load_recorded_roast
from roastctl.logs.record import RecordedRoast
from roastctl.models import RoastEventType
from roastctl.physics.model import Actuators, Beans, RoasterPhysics
from roastctl.physics.param_sets import TwinModel
from roastctl.physics.warm_start import put_at_readings

__all__ = [
    "AMBIENT_C",
    "DEFAULT_BATCH_G",
    "REPLAY_SUBSTEP_S",
    "ReplayInputs",
    "ReplayResult",
    "TwinDataError",
    "load_replay",
    "prepare_replay",
    "replay",
    "replay_until",
]

#: Room temperature assumed for every log (degC): none of them records it.
AMBIENT_C = 22.0

#: Batch mass assumed when a log does not record one (g): the Hottop's usual load.
DEFAULT_BATCH_G = 220.0

#: Integration sub-step for replays (s).  Against 0.1 s it moves BT by a few tenths of a
#: degree, far inside the model error, and makes calibration five times faster.
REPLAY_SUBSTEP_S = 0.5

#: A recording whose first BT and ET both read below this (degC) started on a cold machine:
#: everything, drum metal included, sits at room temperature, which the probes then give.
_COLD_START_C = 40.0

#: Room temperatures a cold start may imply (degC); outside them the probes are not at rest.
_AMBIENT_RANGE_C = (10.0, 35.0)

#: A recorded CHARGE pressed before the beans went in shows BT flat or rising after it: the
#: beans really entered where BT starts to fall this far (degC) within ``_CHARGE_FALL_S``.
_CHARGE_FALL_C = 15.0
_CHARGE_FALL_S = 20.0

#: How long after the recorded CHARGE the real one is looked for (s).
_CHARGE_SEARCH_S = 90.0

#: A recorded DROP after the beans visibly left (BT already this far below its peak) was
#: pressed late; the replay then ends at the BT peak, where the beans really dropped.
_LATE_DROP_FALL_C = 10.0


class TwinDataError(RoasterError):
    """A recorded roast cannot be replayed; the message says what is missing."""

    code = "twin_data_error"


@dataclass(frozen=True, slots=True)
class ReplayInputs:
    """What a replay needs from one log, from CHARGE (t = 0) to DROP."""

    name: str
    """Where the log came from (file name), for reports."""
    times_s: tuple[float, ...]
    """Sample times from CHARGE (s), starting at 0."""
    heat_percent: tuple[float, ...]
    """Heater setting held from each sample to the next (%)."""
    fan_percent: tuple[float, ...]
    """Fan setting held from each sample to the next (%)."""
    bean_temps_c: tuple[float | None, ...]
    """Recorded BT (degC); None where the probe gave nothing."""
    env_temps_c: tuple[float | None, ...]
    """Recorded ET (degC); None where the probe gave nothing."""
    batch_kg: float
    """Green batch mass (kg)."""
    batch_recorded: bool
    """Whether the log gave the batch mass (else :data:`DEFAULT_BATCH_G` was assumed)."""
    first_crack_index: int | None
    """Sample index of the recorded FCs mark (from CHARGE), None if unmarked."""
    drop_trimmed: bool
    """Whether the recorded DROP was judged late and the replay ends at the BT peak instead."""
    ambient_c: float = AMBIENT_C
    """Room temperature (degC): the first readings of a recording that starts on a cold
    machine, else :data:`AMBIENT_C`."""


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """Simulated probe readings at the log's sample times."""

    bean_temps_c: tuple[float, ...]
    env_temps_c: tuple[float, ...]
    first_crack_s: float | None
    """When the simulated bean mass reached first crack (s from CHARGE), None if it did not."""


def load_replay(path: Path | str) -> ReplayInputs:
    """Read a roast file of any format and prepare it for replay.

    Raises :class:`TwinDataError` naming the file if it cannot be read or replayed.
    """
    path = Path(path)
    try:
        roast = load_recorded_roast(path)
    except RoastFileError as exc:
        raise TwinDataError(str(exc)) from exc
    return prepare_replay(roast, path.name)


def _held(values: list[float | None], start: int, end: int) -> list[float]:
    """Carry the last known setting over gaps; before any, assume off."""
    out: list[float] = []
    last = 0.0
    for value in values[start : end + 1]:
        if value is not None and math.isfinite(value):
            last = min(max(value, 0.0), 100.0)
        out.append(last)
    return out


def prepare_replay(roast: RecordedRoast, name: str) -> ReplayInputs:
    """Build the replay schedule of ``roast`` from CHARGE to DROP.

    CHARGE moves forward to where BT starts its charge fall if the mark came early, and DROP
    back to the BT peak if the mark came late.

    Raises:
        TwinDataError: no heater or fan channel, no CHARGE or DROP mark, or no BT/ET at CHARGE.

    """
    if roast.heater_percent is None or roast.fan_percent is None:
        raise TwinDataError(
            f"{name}: no heater/fan channels; a replay needs the settings the roaster used "
            "(Artisan logs them as extra device 54 on a Hottop)"
        )
    charge = roast.marks.get(RoastEventType.CHARGE)
    drop = roast.marks.get(RoastEventType.DROP)
    if charge is None or drop is None or drop <= charge + 2:
        raise TwinDataError(
            f"{name}: needs CHARGE and DROP marks with samples between them (CHARGE="
            f"{charge}, DROP={drop}); mark them in Artisan and save the log again"
        )
    charge = _real_charge(roast.times, roast.bean_temps, charge, drop)
    bt0 = roast.bean_temps[charge]
    et0 = roast.env_temps[charge]
    if bt0 is None or et0 is None:
        raise TwinDataError(f"{name}: BT or ET missing at CHARGE (sample {charge})")
    end, trimmed = _real_drop(roast.bean_temps, charge, drop)
    t0 = roast.times[charge]
    times = tuple(t - t0 for t in roast.times[charge : end + 1])
    if any(b <= a for a, b in itertools.pairwise(times)):
        raise TwinDataError(f"{name}: sample times do not increase between CHARGE and DROP")
    fcs = roast.marks.get(RoastEventType.FIRST_CRACK_START)
    batch_g = roast.batch_mass_g
    found = _first_reading(roast, charge)
    ambient = AMBIENT_C
    if found is not None and max(found) < _COLD_START_C:
        low, high = _AMBIENT_RANGE_C
        ambient = min(max(min(found), low), high)
    return ReplayInputs(
        name=name,
        times_s=times,
        heat_percent=tuple(_held(roast.heater_percent, charge, end)),
        fan_percent=tuple(_held(roast.fan_percent, charge, end)),
        bean_temps_c=tuple(roast.bean_temps[charge : end + 1]),
        env_temps_c=tuple(roast.env_temps[charge : end + 1]),
        batch_kg=(batch_g if batch_g is not None else DEFAULT_BATCH_G) / 1000.0,
        batch_recorded=batch_g is not None,
        first_crack_index=fcs - charge if fcs is not None and charge < fcs <= end else None,
        drop_trimmed=trimmed,
        ambient_c=ambient,
    )


def _first_reading(roast: RecordedRoast, charge: int) -> tuple[float, float] | None:
    """Return the first (BT, ET) recorded before CHARGE, None if there is none."""
    for index in range(charge):
        bt = roast.bean_temps[index]
        et = roast.env_temps[index]
        if bt is not None and et is not None:
            return bt, et
    return None


def _real_charge(times: list[float], bean: list[float | None], charge: int, drop: int) -> int:
    """Return the sample where the beans really went in: where BT starts its charge fall.

    Operators sometimes press CHARGE a little before tipping the beans in; replaying from
    the mark would start the batch in a drum it has not reached yet.
    """
    for index in range(charge, drop):
        if times[index] - times[charge] > _CHARGE_SEARCH_S:
            break
        start = bean[index]
        if start is None:
            continue
        for later in range(index + 1, drop):
            if times[later] - times[index] > _CHARGE_FALL_S:
                break
            value = bean[later]
            if value is not None and value <= start - _CHARGE_FALL_C:
                return _peak(bean, index, later)
    return charge


def _peak(bean: list[float | None], start: int, stop: int) -> int:
    """Return the index of the highest BT in ``start..stop-1``.

    The last of equals: a flat top ends where the fall begins.
    """
    best = start
    for index in range(start, stop):
        value = bean[index]
        top = bean[best]
        if value is not None and (top is None or value >= top):
            best = index
    return best


def _real_drop(bean: list[float | None], charge: int, drop: int) -> tuple[int, bool]:
    """Return the DROP sample to end at, and whether the recorded one was late."""
    peak_index = charge
    peak = -math.inf
    for index in range(charge, drop + 1):
        value = bean[index]
        if value is not None and value > peak:
            peak, peak_index = value, index
    last = next((bean[i] for i in range(drop, charge, -1) if bean[i] is not None), None)
    if last is not None and peak - last > _LATE_DROP_FALL_C and peak_index > charge:
        return peak_index, True
    return drop, False


def initial_physics(inputs: ReplayInputs, model: TwinModel) -> RoasterPhysics:
    """Return the model in the machine's state at CHARGE, batch just charged."""
    params = dataclasses.replace(model.physics, max_substep_s=REPLAY_SUBSTEP_S)
    physics = RoasterPhysics(params, inputs.ambient_c)
    bt0 = inputs.bean_temps_c[0]
    et0 = inputs.env_temps_c[0]
    if bt0 is None or et0 is None:
        raise TwinDataError(f"{inputs.name}: BT or ET missing at CHARGE")
    put_at_readings(physics, model, bt0, et0, inputs.heat_percent[0])
    physics.charge(Beans(mass_kg=inputs.batch_kg, first_crack_temp_c=model.first_crack_temp_c))
    return physics


def _drive(
    physics: RoasterPhysics,
    times: tuple[float, ...],
    heat: tuple[float, ...],
    fan: tuple[float, ...],
) -> tuple[list[float], list[float]]:
    """Step ``physics`` through ``times`` with the settings held between samples.

    Returns the simulated BT and ET at each time after the first.
    """
    bt: list[float] = []
    et: list[float] = []
    previous: Actuators | None = None
    for index in range(1, len(times)):
        h = heat[index - 1]
        f = fan[index - 1]
        if previous is None or previous.heat_percent != h or previous.fan_percent != f:
            previous = Actuators(h, f, drum_on=True, door_open=False, cooling_on=False)
        physics.advance(times[index] - times[index - 1], previous)
        bt.append(physics.bean_probe_c)
        et.append(physics.env_probe_c)
    return bt, et


def replay_until(inputs: ReplayInputs, model: TwinModel, index: int) -> RoasterPhysics:
    """Return the model driven open-loop from CHARGE to sample ``index`` of ``inputs``."""
    physics = initial_physics(inputs, model)
    end = min(max(index, 0), len(inputs.times_s) - 1)
    _drive(
        physics,
        inputs.times_s[: end + 1],
        inputs.heat_percent[: end + 1],
        inputs.fan_percent[: end + 1],
    )
    return physics


def replay(inputs: ReplayInputs, model: TwinModel) -> ReplayResult:
    """Drive ``model`` open-loop with the recorded settings; return the simulated probes."""
    physics = initial_physics(inputs, model)
    first_bt = physics.bean_probe_c
    first_et = physics.env_probe_c
    bt, et = _drive(physics, inputs.times_s, inputs.heat_percent, inputs.fan_percent)
    return ReplayResult(
        bean_temps_c=(first_bt, *bt),
        env_temps_c=(first_et, *et),
        first_crack_s=physics.first_crack_elapsed_s,
    )
