"""Replay a recorded roast through the safety supervisor, to see whether and when it trips.

The recorded temperatures are fed to a :class:`~roastctl.safety.SafetySupervisor` on a manual
clock set to each sample's time, and the clock-driven rules are checked after every sample, as
the live session does. Only the stretch before the recorded DROP is judged (the whole recording
when no DROP is marked): what happens after the drop is cooling, which no rule objects to.
"""

from __future__ import annotations

from dataclasses import dataclass

from roastctl.clock import ManualClock
from roastctl.config import SafetyConfig
from roastctl.logs.record import RecordedRoast
from roastctl.models import RoastEventType, SafetyEvent, SafetyEventKind, SensorReading
from roastctl.safety import SafetySupervisor, plausible

#: Where the replayed recording starts on the replay clock (any value works; readings only
#: need increasing times).
_REPLAY_START_S = 1000.0


@dataclass(frozen=True, slots=True)
class SafetyReplay:
    """What the supervisor made of one recording.

    ``judged_until_s`` is the recording time of the last judged sample (the one before the DROP
    mark); the maxima are over plausible readings only.
    """

    samples_judged: int
    judged_until_s: float | None
    faults: tuple[SafetyEvent, ...]
    warnings: tuple[SafetyEvent, ...]
    max_bean_temp_c: float | None
    max_env_temp_c: float | None

    @property
    def tripped(self) -> bool:
        """Whether any fault latched before the recorded drop."""
        return bool(self.faults)


def replay_safety(roast: RecordedRoast, config: SafetyConfig | None = None) -> SafetyReplay:
    """Feed ``roast``'s samples before its DROP mark to a supervisor; report what it did."""
    clock = ManualClock(monotonic_start=_REPLAY_START_S)
    supervisor = SafetySupervisor(config or SafetyConfig(), clock)
    supervisor.start_watching()
    end = roast.marks.get(RoastEventType.DROP, len(roast.times))
    heaters = roast.heater_percent or [None] * len(roast.times)
    judged = 0
    last_time: float | None = None
    max_bean: float | None = None
    max_env: float | None = None
    origin = roast.times[0] if roast.times else 0.0
    for index in range(end):
        bean = roast.bean_temps[index]
        if bean is None:
            continue
        time_s = roast.times[index] - origin
        if last_time is not None and time_s <= last_time:
            continue  # a repeated or backwards time stamp is not a new reading
        clock.advance(time_s - (clock.monotonic() - _REPLAY_START_S))
        env = roast.env_temps[index]
        heat = heaters[index]
        reading = SensorReading(
            timestamp=clock.now(),
            monotonic_s=clock.monotonic(),
            bean_temp_c=bean,
            env_temp_c=env if env is not None else bean,
            heat_percent=round(min(100.0, max(0.0, heat))) if heat is not None else 0,
            fan_percent=0,
            drum_on=True,
            door_open=False,
            cooling_on=False,
        )
        supervisor.judge_reading(reading)
        supervisor.watch(heating=True)  # as strict as it gets: assume the heater is always on
        judged += 1
        last_time = time_s
        if plausible(reading):
            max_bean = bean if max_bean is None else max(max_bean, bean)
            if env is not None:
                max_env = env if max_env is None else max(max_env, env)
    events = supervisor.events
    return SafetyReplay(
        samples_judged=judged,
        judged_until_s=last_time,
        faults=tuple(e for e in events if e.kind is SafetyEventKind.FAULT),
        warnings=tuple(e for e in events if e.kind is SafetyEventKind.WARNING),
        max_bean_temp_c=max_bean,
        max_env_temp_c=max_env,
    )


__all__ = ["SafetyReplay", "replay_safety"]
