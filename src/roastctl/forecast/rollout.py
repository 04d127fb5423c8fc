"""Running the roaster model ahead from an estimate: the BT curve a set of settings leads to."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from roastctl.models import SettingChange
from roastctl.physics.model import Actuators, RoasterPhysics

__all__ = ["STEP_S", "Trajectory", "run_ahead"]

#: Spacing of the forecast curve (s). Between points the curve is linear; BT bends over tens of
#: seconds, so 2 s costs nothing in accuracy and keeps a ten-minute look ahead to 300 points.
STEP_S = 2.0

#: Rounding slack (s) when asking for a time at the very end of a curve.
_SLACK_S = 1e-6


@dataclass(frozen=True, slots=True)
class Trajectory:
    """Forecast BT (probe reading) at times from now, the first point being now."""

    times_s: tuple[float, ...]
    bean_temps_c: tuple[float, ...]

    def shifted(self, offset_c: Callable[[float], float]) -> Trajectory:
        """Return the curve with ``offset_c(seconds ahead)`` added to every point."""
        return Trajectory(
            times_s=self.times_s,
            bean_temps_c=tuple(
                bt + offset_c(t) for t, bt in zip(self.times_s, self.bean_temps_c, strict=True)
            ),
        )

    @property
    def horizon_s(self) -> float:
        """How far ahead the curve reaches (s)."""
        return self.times_s[-1]

    def at(self, in_s: float) -> float | None:
        """Return BT ``in_s`` seconds from now (interpolated), None beyond the curve."""
        times = self.times_s
        if in_s < 0.0 or in_s > times[-1] + _SLACK_S:
            return None
        in_s = min(in_s, times[-1])  # sums of steps may fall a hair short of the horizon
        index = bisect.bisect_left(times, in_s)
        if times[index] == in_s or index == 0:
            return self.bean_temps_c[index]
        t0, t1 = times[index - 1], times[index]
        b0, b1 = self.bean_temps_c[index - 1], self.bean_temps_c[index]
        return b0 + (b1 - b0) * (in_s - t0) / (t1 - t0)

    def ror_c_per_min(self, in_s: float) -> float | None:
        """Return the forecast BT rate of rise ``in_s`` seconds from now (degC/min)."""
        half = STEP_S
        before = self.at(max(0.0, in_s - half))
        after = self.at(min(self.horizon_s, in_s + half))
        span = min(self.horizon_s, in_s + half) - max(0.0, in_s - half)
        if before is None or after is None or span <= 0.0:
            return None
        return (after - before) / span * 60.0

    def reaches(self, target_c: float) -> float | None:
        """Return when BT first reaches ``target_c`` (s from now, 0 if it is there), or None."""
        temps = self.bean_temps_c
        if temps[0] >= target_c:
            return 0.0
        for index in range(1, len(temps)):
            if temps[index] >= target_c:
                t0, t1 = self.times_s[index - 1], self.times_s[index]
                b0, b1 = temps[index - 1], temps[index]
                return t0 + (t1 - t0) * (target_c - b0) / (b1 - b0)
        return None


def run_ahead(
    physics: RoasterPhysics,
    actuators: Actuators,
    horizon_s: float,
    *,
    schedule: Sequence[SettingChange] = (),
    bt_offset_c: float = 0.0,
    stop_at_c: float | None = None,
    min_horizon_s: float = 0.0,
) -> Trajectory:
    """Run ``physics`` (changed in place) up to ``horizon_s`` seconds ahead; return its BT curve.

    ``actuators`` hold from now, changed by ``schedule`` (sorted by ``at_s``) as it comes; the
    door stays shut (a forecast of the roast, not of the drop). ``bt_offset_c`` is added to
    the model's probe. With ``stop_at_c`` the run ends once BT has passed it and
    ``min_horizon_s`` is covered, which saves the rest of a long look ahead.
    """
    heat = actuators.heat_percent
    fan = actuators.fan_percent
    changes = sorted(schedule, key=lambda change: change.at_s)
    pending = 0
    times = [0.0]
    temps = [physics.bean_probe_c + bt_offset_c]
    now = 0.0
    current = Actuators(heat, fan, actuators.drum_on, False, actuators.cooling_on)
    while now < horizon_s - 1e-9:
        while pending < len(changes) and changes[pending].at_s <= now + 1e-9:
            change = changes[pending]
            heat = float(change.heat_percent) if change.heat_percent is not None else heat
            fan = float(change.fan_percent) if change.fan_percent is not None else fan
            current = Actuators(heat, fan, current.drum_on, False, current.cooling_on)
            pending += 1
        step = min(STEP_S, horizon_s - now)
        if pending < len(changes):
            step = min(step, max(changes[pending].at_s - now, 1e-6))
        physics.advance(step, current)
        now += step
        times.append(now)
        temps.append(physics.bean_probe_c + bt_offset_c)
        if stop_at_c is not None and temps[-1] >= stop_at_c and now >= min_horizon_s:
            break
    return Trajectory(times_s=tuple(times), bean_temps_c=tuple(temps))
