"""Drop targets on the simulator: how near the server's own drop lands, beside an agent's.

For each of 10 seeds (each batch's first-crack BT varies by seed) a roast is run on the simulator,
stepped by hand at 1 s samples: the scripted recipe's heat and fan steps (a hotter schedule for the
BT target, so BT passes 205 deg C), first crack reported the moment the simulator hears it. Then:

* the server's drop target: DTR 20 %, BT 205 deg C, development 90 s;
* beside it, an agent that reads the status every 1 s or 10 s and calls ``drop_beans`` once DTR
  shows 20 % (what the scripted recipe and a polling LLM do).

Printed per case: the error of the value reached at DROP (median, max |error|). The goal of
issue 19: DTR within +-0.3 pp, BT within +-1 deg C.

Run: ``.venv/bin/python benchmarks/drop_target.py``
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from roastctl.clock import ManualClock
from roastctl.config import ServerConfig, SimulatorConfig
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.models import RoastEventType, RoastStatus
from roastctl.session.manager import RoastSessionManager

SEEDS = range(1, 11)
GENTLE = ((0.0, 100, 0), (180.0, 100, 20), (240.0, 80, 20), (330.0, 60, 30))
HOT = ((0.0, 100, 0), (180.0, 100, 20), (420.0, 80, 30))
DTR_TARGET = 20.0
BT_TARGET = 205.0
DEVELOPMENT_TARGET = 90.0
Schedule = tuple[tuple[float, int, int], ...]


def charged(seed: int) -> tuple[RoastSessionManager, SimulatedRoaster, ManualClock]:
    """A session on the simulator, preheated to ET 180 deg C and charged."""
    clock = ManualClock()
    roaster = SimulatedRoaster(SimulatorConfig(seed=seed), clock)
    config = ServerConfig.model_validate({"timezone": "UTC", "forecast": {"enabled": False}})
    manager = RoastSessionManager(roaster, config, clock=clock, background_polling=False)
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(100)
    step_until(manager, clock, lambda s: s.sensors is not None and s.sensors.env_temp_c >= 180)
    roaster.charge()
    step_until(manager, clock, lambda s: s.metrics.roast_elapsed_s is not None)
    return manager, roaster, clock


def step_until(
    manager: RoastSessionManager,
    clock: ManualClock,
    done: Callable[[RoastStatus], bool],
    limit_s: float = 3600.0,
) -> RoastStatus:
    for _ in range(int(limit_s)):
        status = manager.get_status(forecast=False)
        if done(status):
            return status
        clock.advance(1.0)
        manager.poll_once()
    raise RuntimeError(f"not done within {limit_s:.0f} s")


def roast(
    seed: int,
    schedule: Schedule,
    *,
    target: dict[str, float] | None = None,
    agent_poll_s: float | None = None,
) -> RoastStatus:
    """Roast to DROP, dropped by ``target`` or by an agent polling every ``agent_poll_s``."""
    manager, roaster, clock = charged(seed)
    if target is not None:
        manager.set_drop_target(**target)
    applied: tuple[float, int, int] | None = None
    last_look = -1e9

    def step(status: RoastStatus) -> bool:
        nonlocal applied, last_look
        if status.metrics.drop_s is not None:
            return True
        elapsed = status.metrics.roast_elapsed_s or 0.0
        now = [s for s in schedule if s[0] <= elapsed][-1]
        if now != applied:
            manager.set_fan(now[2])
            manager.set_heat(now[1])
            applied = now
        if status.metrics.first_crack_s is None and (heard := roaster.first_crack_time()):
            manager.report_first_crack(heard)
        if agent_poll_s is not None and elapsed - last_look >= agent_poll_s - 1e-9:
            last_look = elapsed
            dtr = status.metrics.development_time_percent
            if dtr is not None and dtr >= DTR_TARGET:
                manager.drop_beans()
        return False

    step_until(manager, clock, step, limit_s=1500)
    status = manager.get_status(forecast=False)
    manager.stop_session()
    return status


def reached(status: RoastStatus, kind: str) -> float:
    """The DTR, BT or development time at DROP (unrounded, from the events)."""
    events = {e.type: e for e in status.events}
    drop = events[RoastEventType.DROP]
    if kind == "bt_c":
        assert drop.bean_temp_c is not None
        return drop.bean_temp_c
    fc = events[RoastEventType.FIRST_CRACK_START].elapsed_s
    if kind == "dtr_percent":
        return 100.0 * (drop.elapsed_s - fc) / drop.elapsed_s
    return drop.elapsed_s - fc


def main() -> None:
    cases: list[tuple[str, str, float, Callable[[int], RoastStatus]]] = [
        (
            "target: DTR 20 %",
            "dtr_percent",
            DTR_TARGET,
            lambda s: roast(s, GENTLE, target={"dtr_percent": DTR_TARGET}),
        ),
        (
            "target: BT 205 deg C",
            "bt_c",
            BT_TARGET,
            lambda s: roast(s, HOT, target={"bt_c": BT_TARGET}),
        ),
        (
            "target: development 90 s",
            "development_s",
            DEVELOPMENT_TARGET,
            lambda s: roast(s, GENTLE, target={"development_s": DEVELOPMENT_TARGET}),
        ),
        (
            "agent polls 1 s, drop_beans",
            "dtr_percent",
            DTR_TARGET,
            lambda s: roast(s, GENTLE, agent_poll_s=1.0),
        ),
        (
            "agent polls 10 s, drop_beans",
            "dtr_percent",
            DTR_TARGET,
            lambda s: roast(s, GENTLE, agent_poll_s=10.0),
        ),
    ]
    print(f"{len(SEEDS)} seeds on the simulator, 1 s samples; error = reached - target\n")
    print(f"{'case':32} {'unit':6} {'median err':>11} {'max |err|':>10} {'errors per seed'}")
    started = time.perf_counter()
    for label, kind, goal, run in cases:
        errors = []
        for seed in SEEDS:
            status = run(seed)
            drop = next(e for e in status.events if e.type is RoastEventType.DROP)
            expected = "target" if label.startswith("target") else "command"
            assert drop.source.value == expected, (label, seed, drop.source)
            errors.append(reached(status, kind) - goal)
        unit = {"dtr_percent": "pp", "bt_c": "deg C", "development_s": "s"}[kind]
        worst = max(abs(e) for e in errors)
        each = " ".join(f"{e:+.2f}" for e in errors)
        print(f"{label:32} {unit:6} {statistics.median(errors):+11.3f} {worst:10.3f} {each}")
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
