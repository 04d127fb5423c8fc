"""A scripted roast: a simple operator that runs a whole roast through the session manager.

It does what a person at a simulated Hottop does: preheat, charge, step the heat down and the fan
up on a schedule, report first crack when the simulator "hears" it, drop at the target
development time ratio, cool, and stop. Everything goes through the public
:class:`~roastctl.session.manager.RoastSessionManager` API, so the run exercises the real polling
thread, tracker and commands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from roastctl.devices.simulator import SimulatedRoaster
from roastctl.errors import RoasterError
from roastctl.models import RoastStatus
from roastctl.session.manager import RoastSessionManager


@dataclass(frozen=True, slots=True)
class Step:
    """From ``after_s`` seconds after CHARGE on, hold this heat and fan."""

    after_s: float
    heat_percent: int
    fan_percent: int


@dataclass(frozen=True, slots=True)
class Recipe:
    """What the scripted operator does.

    The defaults are a typical Hottop KN-8828B-2K+ roast of 220 g on the simulator's default
    model (the parameters fitted to real Hottop logs): charge once the preheat has ET at
    180 deg C, full heat through drying, then the heat comes down in steps as the beans brown so
    the rise slows into first crack at about 8-9 minutes instead of racing through it, as
    Hottop operators do; the fan comes up to carry off chaff and smoke.
    """

    preheat_heat_percent: int = 100
    charge_at_env_c: float = 180.0
    steps: tuple[Step, ...] = field(
        default=(Step(0, 100, 0), Step(180, 100, 20), Step(240, 80, 20), Step(330, 60, 30))
    )
    target_dtr_percent: float = 20.0
    cooling_s: float = 240.0
    check_interval_s: float = 1.0
    max_preheat_s: float = 1800.0
    max_roast_s: float = 1500.0


ProgressCallback = Callable[[RoastStatus], None]


class ScriptedRoastError(RoasterError):
    """The scripted roast could not complete (a limit was hit or a command was refused)."""

    code = "scripted_roast_failed"


def run_scripted_roast(
    manager: RoastSessionManager,
    roaster: SimulatedRoaster,
    recipe: Recipe | None = None,
    on_progress: ProgressCallback | None = None,
) -> RoastStatus:
    """Run preheat to cooling on a started session; return the status at the end of cooling.

    With a background-polling session the roast runs at the clock's pace; without one (a
    :class:`~roastctl.clock.ManualClock` session) it steps time itself and runs as fast as the CPU
    allows, deterministically.
    """
    recipe = recipe or Recipe()
    clock = manager.clock
    interval = manager.config.tracker.sampling_interval_s

    def pause() -> None:
        """Let ``check_interval_s`` of roast time pass (polling by hand if no thread does)."""
        if manager.background_polling:
            clock.sleep(recipe.check_interval_s)
            return
        waited = 0.0
        while waited < recipe.check_interval_s - 1e-9:
            clock.sleep(interval)  # a manual clock advances; a real one waits
            manager.poll_once()
            waited += interval

    def wait_until(done: Callable[[RoastStatus], bool], limit_s: float, what: str) -> RoastStatus:
        deadline = clock.monotonic() + limit_s
        while True:
            status = manager.get_status(forecast=False)
            if on_progress is not None:
                on_progress(status)
            if done(status):
                return status
            if clock.monotonic() > deadline:
                raise ScriptedRoastError(f"{what} did not happen within {limit_s:.0f} s")
            pause()

    manager.start_roaster()
    manager.set_fan(0)
    manager.set_heat(recipe.preheat_heat_percent)
    wait_until(
        lambda s: s.sensors is not None and s.sensors.env_temp_c >= recipe.charge_at_env_c,
        recipe.max_preheat_s,
        f"preheat to ET {recipe.charge_at_env_c:.0f} deg C",
    )
    roaster.charge()
    wait_until(lambda s: s.metrics.roast_elapsed_s is not None, 120, "CHARGE detection")

    applied: Step | None = None
    fc_reported = False

    def roast_step(status: RoastStatus) -> bool:
        nonlocal applied, fc_reported
        elapsed = status.metrics.roast_elapsed_s or 0.0
        step = [s for s in recipe.steps if s.after_s <= elapsed][-1]
        if step != applied:
            manager.set_fan(step.fan_percent)
            manager.set_heat(step.heat_percent)
            applied = step
        if not fc_reported:
            heard = roaster.first_crack_time()
            if heard is not None:
                manager.report_first_crack(heard)
                fc_reported = True
        dtr = status.metrics.development_time_percent
        return fc_reported and dtr is not None and dtr >= recipe.target_dtr_percent

    wait_until(roast_step, recipe.max_roast_s, "first crack and development")
    manager.drop_beans()
    cool_until = clock.monotonic() + recipe.cooling_s
    final = wait_until(lambda s: clock.monotonic() >= cool_until, recipe.cooling_s + 60, "cooling")
    manager.stop_cooling()
    return final
