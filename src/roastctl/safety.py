"""The safety supervisor: judges every reading and every command, independent of the agent.

It decides; it does no I/O. The session feeds it each reading
(:meth:`SafetySupervisor.judge_reading`), asks it on a timer whether the data went stale or the
agent went silent (:meth:`SafetySupervisor.watch`), asks it before every heat or fan command
(:meth:`SafetySupervisor.check_heat`), and carries out the :class:`SafetyAction` values it
returns on the roaster. Keeping the rules free of threads and devices lets the same code be
tested on an injected clock, replayed over recorded roasts and run live.

Rules (defaults in :class:`~roastctl.config.SafetyConfig`, reasons in ``docs/safety.md``):

* over-temperature: BT or ET at or above its limit latches a fault and forces the drop sequence;
* stale data: no fresh, plausible reading for ``stale_after_s`` while heating cuts the heat and
  latches a fault; a reading that repeats an old timestamp is not fresh;
* dead-man: no agent call for ``dead_man_s`` while heating cuts the heat and latches a fault;
* emergency stop: latches a fault (the session drives the roaster to the safe state);
* interlocks: no heat with the drum stopped, with the door open or the stirrer running (as the
  roaster reports them, whatever the session remembers), after the drop or while cooling, while
  data is stale, while a fault is latched, or (if configured) above a cap with the fan off after
  first crack; no end of cooling while the beans are hot;
* a latched fault is cleared only by :meth:`SafetySupervisor.clear_fault`, which is refused while
  its cause persists.

The supervisor is not thread-safe: the session calls it under its state lock.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from roastctl.clock import Clock
from roastctl.config import SafetyConfig
from roastctl.errors import FaultActiveError, InvalidCommandError, SafetyInterlockError
from roastctl.models import (
    SafetyEvent,
    SafetyEventKind,
    SafetyFault,
    SafetyLimits,
    SafetyRule,
    SafetyStatus,
    SensorReading,
)

logger = logging.getLogger(__name__)

#: Outside this range a value is a probe or link fault (an open thermocouple reads e.g. 2046),
#: never a temperature: it does not count as fresh data and does not trip a temperature limit.
PLAUSIBLE_RANGE_C = (-40.0, 500.0)
#: The newest safety events kept in a roast's log (a refusing loop cannot grow memory).
MAX_EVENTS = 500
#: A sped-up simulation clock turns the host's scheduling jitter into clock seconds (at 200x a
#: 20 ms hiccup is 4 s), so the stale and dead-man limits never go below this many real seconds.
#: At real speed the configured limits apply exactly.
MIN_REAL_LIMIT_S = 0.5
#: Time limits are "more than N s": an age equal to the limit within float noise does not trip.
_TIME_TOLERANCE_S = 1e-6


class SafetyAction(StrEnum):
    """What the session must do on the roaster, at once."""

    CUT_HEAT = "cut_heat"  # heater 0
    FORCED_DROP = "forced_drop"  # heater 0, door open, drum and stirrer on, fan 100


@dataclass(frozen=True, slots=True)
class SafetyInputs:
    """What the interlocks need to know about the roaster and the roast, at one moment."""

    drum_on: bool
    fan_percent: int
    heat_percent: int
    first_crack_passed: bool
    door_open: bool = False
    """The drop door, as the newest reading reports it (or as last commanded, if newer)."""
    cooling_on: bool = False
    """The cooling-tray stirrer, likewise."""


def open_or_cooling(door_open: bool, cooling_on: bool) -> str | None:
    """Say what the roaster reports that keeps heat out (door open, stirrer on); None if neither."""
    parts = [
        text
        for text, on in (
            ("the drop door open", door_open),
            ("the cooling stirrer running", cooling_on),
        )
        if on
    ]
    return f"the roaster reports {' and '.join(parts)}" if parts else None


def plausible(reading: SensorReading) -> bool:
    """Return whether both probes read something a roaster can be at."""
    low, high = PLAUSIBLE_RANGE_C
    return low <= reading.bean_temp_c <= high and low <= reading.env_temp_c <= high


class SafetySupervisor:
    """Judges readings and commands against the safety limits; latches faults."""

    def __init__(
        self, config: SafetyConfig, clock: Clock, *, dead_man_s: float | None = None
    ) -> None:
        """Create a supervisor with ``config``'s limits; ``dead_man_s`` ``None`` means off."""
        self.config = config
        self.clock = clock
        self.dead_man_s = dead_man_s
        self._faults: dict[SafetyRule, SafetyFault] = {}
        self._events: deque[SafetyEvent] = deque(maxlen=MAX_EVENTS)
        self._last_action: SafetyEvent | None = None
        self._latest: SensorReading | None = None
        self._newest_seen_s: float | None = None
        self._watch_start_s = clock.monotonic()
        self._last_agent_call_s: float | None = None
        self._interlock: str | None = None
        self._warned: set[SafetyRule] = set()
        self._implausible = False
        self._jitter_floor_s = MIN_REAL_LIMIT_S * float(getattr(clock, "speed", 0.0))
        #: Called with every new safety event (the session keeps them in the roast store).
        self.on_event: Callable[[SafetyEvent], None] | None = None

    @property
    def stale_after_s(self) -> float:
        """The stale-data limit in clock seconds (see :data:`MIN_REAL_LIMIT_S`)."""
        return max(self.config.stale_after_s, self._jitter_floor_s)

    def _stale(self, age_s: float) -> bool:
        return age_s > self.stale_after_s + _TIME_TOLERANCE_S

    def _dead_man_limit_s(self) -> float | None:
        if self.dead_man_s is None:
            return None
        return max(self.dead_man_s, self._jitter_floor_s)

    # ----------------------------------------------------------------- inputs
    def start_watching(self) -> None:
        """Begin a watch (a session start): staleness counts from now until the first reading."""
        self._watch_start_s = self.clock.monotonic()
        self._latest = None
        self._newest_seen_s = None
        self._implausible = False

    def note_agent_call(self) -> None:
        """Record that the agent is alive (any MCP request); re-arms the dead-man."""
        self._last_agent_call_s = self.clock.monotonic()

    def judge_reading(self, reading: SensorReading) -> list[SafetyAction]:
        """Judge one reading; return what must be done at once (empty when all is well)."""
        if self._newest_seen_s is not None and reading.monotonic_s <= self._newest_seen_s:
            return self._enforce(reading)  # the same old reading again: a frozen device
        self._newest_seen_s = reading.monotonic_s
        if not plausible(reading):
            if not self._implausible:
                self._record(
                    SafetyEventKind.WARNING,
                    SafetyRule.IMPLAUSIBLE_READING,
                    f"reading ignored: BT {reading.bean_temp_c:g} / ET {reading.env_temp_c:g} "
                    f"deg C is outside {PLAUSIBLE_RANGE_C[0]:g}-{PLAUSIBLE_RANGE_C[1]:g} deg C, "
                    "a probe or link fault; it is not counted as fresh data",
                    reading,
                )
            self._implausible = True
            return self._enforce(reading)
        self._implausible = False
        self._latest = reading
        actions = self._judge_temperature(
            reading,
            SafetyRule.BEAN_OVER_TEMPERATURE,
            "BT",
            reading.bean_temp_c,
            self.config.bean_temp_limit_c,
        )
        actions += self._judge_temperature(
            reading,
            SafetyRule.ENV_OVER_TEMPERATURE,
            "ET",
            reading.env_temp_c,
            self.config.env_temp_limit_c,
        )
        return _unique(actions + self._enforce(reading))

    def _judge_temperature(
        self, reading: SensorReading, rule: SafetyRule, probe: str, value: float, limit: float
    ) -> list[SafetyAction]:
        if value >= limit:
            if rule in self._faults:
                return []
            release = self._release_temp(rule)
            self._latch(
                rule,
                f"{probe} {value:.1f} deg C reached the {limit:.0f} deg C limit: the beans were "
                "dropped and cooled (heater 0, door open, drum and stirrer on, fan 100)",
                f"{probe} is below {release:.0f} deg C",
                reading,
            )
            return [SafetyAction.FORCED_DROP]
        band_start = limit - self.config.warning_band_c
        if value >= band_start and self.config.warning_band_c > 0:
            if rule not in self._warned:
                self._warned.add(rule)
                self._record(
                    SafetyEventKind.WARNING,
                    rule,
                    f"{probe} {value:.1f} deg C is within {self.config.warning_band_c:.0f} deg C "
                    f"of the {limit:.0f} deg C limit, where the beans are dropped automatically",
                    reading,
                )
        else:
            self._warned.discard(rule)
        return []

    def _enforce(self, reading: SensorReading) -> list[SafetyAction]:
        """Switch a roaster that heats against a latched fault or interlock off again."""
        if reading.heat_percent > 0 and (
            self.heat_refused_because() is not None
            or open_or_cooling(reading.door_open, reading.cooling_on) is not None
        ):
            return [SafetyAction.CUT_HEAT]
        return []

    def watch(self, *, heating: bool) -> list[SafetyAction]:
        """Check the clock-driven rules (stale data, dead-man); call it a few times a second.

        ``heating`` is whether heat is commanded or reported above 0.
        """
        if not heating:
            return []
        now = self.clock.monotonic()
        actions: list[SafetyAction] = []
        age = self.data_age_s(now)
        if self._stale(age) and SafetyRule.STALE_DATA not in self._faults:
            self._latch(
                SafetyRule.STALE_DATA,
                f"no fresh reading for {age:.1f} s (limit {self.stale_after_s:g} s) "
                "while heating: the heater was switched off; the roaster may be frozen, "
                "unplugged or sending nothing",
                "fresh readings arrive again",
                self._latest,
            )
            actions.append(SafetyAction.CUT_HEAT)
        silent = self.agent_silence_s(now)
        dead_man = self._dead_man_limit_s()
        if (
            dead_man is not None
            and silent >= dead_man - _TIME_TOLERANCE_S
            and SafetyRule.DEAD_MAN not in self._faults
        ):
            self._latch(
                SafetyRule.DEAD_MAN,
                f"no agent call for {silent:.0f} s (dead-man {dead_man:g} s) while "
                "heating: the heater was switched off so an unattended roast cannot run on",
                "call clear_fault: it confirms the agent is back, and the dead-man restarts",
                self._latest,
            )
            actions.append(SafetyAction.CUT_HEAT)
        return actions

    # ----------------------------------------------------------------- commands
    def check_heat(self, percent: int, inputs: SafetyInputs) -> None:
        """Raise :class:`SafetyInterlockError` if heat ``percent`` is unsafe now; 0 passes."""
        if percent <= 0:
            return
        if self._faults:
            self._refuse(
                SafetyRule.FAULT_LATCHED, f"heat {percent} % refused: " + self._faults_text()
            )
        refusal = self._heat_interlock(inputs)
        if refusal is not None:
            rule, why = refusal
            self._refuse(rule, f"heat {percent} % refused: {why}. Heat 0 is always allowed.")
        cap = self.config.fan_off_heat_cap_percent
        if (
            cap is not None
            and inputs.first_crack_passed
            and inputs.fan_percent == 0
            and percent > cap
        ):
            self._refuse(
                SafetyRule.FAN_OFF_AFTER_FIRST_CRACK,
                f"heat {percent} % refused: after first crack heat is capped at {cap} % while the "
                f"fan is at 0 (safety.fan_off_heat_cap_percent). Set the fan first, or heat "
                f"0-{cap} %.",
            )

    def _heat_interlock(self, inputs: SafetyInputs) -> tuple[SafetyRule, str] | None:
        if not inputs.drum_on:
            return (
                SafetyRule.DRUM_STOPPED,
                "the drum is stopped, and the heater must never heat a still drum. "
                "Call start_roaster() first",
            )
        # The roaster's own report counts whatever the session remembers (a restart, a new
        # server, the panel's eject button); the remembered drop counts until stop_cooling().
        reported = open_or_cooling(inputs.door_open, inputs.cooling_on)
        if reported is not None:
            return (
                SafetyRule.AFTER_DROP,
                ", and ".join(c for c in (self._interlock, reported) if c)
                + ", so the heater stays off until stop_cooling() closes the door and ends "
                "cooling (once the beans are cool)",
            )
        if self._interlock is not None:
            return (
                SafetyRule.AFTER_DROP,
                f"{self._interlock}, so the heater stays off until stop_cooling() ends cooling "
                "(or new_roast() starts the next batch)",
            )
        age = self.data_age_s(self.clock.monotonic())
        if self._stale(age):
            return (
                SafetyRule.STALE_DATA,
                f"the newest reading is {age:.1f} s old (limit {self.stale_after_s:g} s); "
                "heat waits for fresh data. Check the roaster's cable and power",
            )
        return None

    def check_fan(self, percent: int, inputs: SafetyInputs) -> None:
        """Raise if fan ``percent`` is unsafe now (the fan-off cap after first crack)."""
        cap = self.config.fan_off_heat_cap_percent
        if (
            cap is not None
            and percent == 0
            and inputs.first_crack_passed
            and inputs.heat_percent > cap
        ):
            self._refuse(
                SafetyRule.FAN_OFF_AFTER_FIRST_CRACK,
                f"fan 0 % refused: after first crack the fan may go to 0 only with heat at or "
                f"below {cap} % (now {inputs.heat_percent} %). Lower the heat first.",
            )

    def check_new_roast(self, then: str = "") -> None:
        """Raise :class:`FaultActiveError` while a fault is latched; ``then`` ends the message."""
        if self._faults:
            self._refuse(
                SafetyRule.FAULT_LATCHED,
                "a new roast cannot start: " + self._faults_text() + (" " + then if then else ""),
            )

    def check_stop_cooling(self) -> None:
        """Raise :class:`SafetyInterlockError` unless fresh data shows the roaster cooled enough.

        Ending cooling stops the stirrer, the fan and the drum and closes the door. Right after
        a drop from near the limit (BT 219 deg C) that leaves hot beans unstirred and a hot drum
        without air, so it waits for the release temperatures that also clear an
        over-temperature fault: BT below ``release_temp_c`` and ET below ``env_release_temp_c``.
        """
        latest = self._latest
        age = self.data_age_s(self.clock.monotonic())
        if latest is None or self._stale(age):
            self._refuse(
                SafetyRule.BEANS_HOT,
                "stop_cooling refused: no fresh reading, so it cannot be told whether the beans "
                "have cooled; cooling goes on. Try again once the status shows fresh readings.",
            )
            return
        for probe, value, limit, key in (
            ("BT", latest.bean_temp_c, self.config.release_temp_c, "release_temp_c"),
            ("ET", latest.env_temp_c, self.config.env_release_temp_c, "env_release_temp_c"),
        ):
            if value >= limit:
                self._refuse(
                    SafetyRule.BEANS_HOT,
                    f"stop_cooling refused: {probe} {value:.1f} deg C is not yet below "
                    f"{limit:.0f} deg C (safety.{key}): the beans and the drum are still hot, "
                    "so the stirrer and the fan keep cooling them. It is allowed once "
                    f"{probe} is below {limit:.0f} deg C; watch get_roast_status and call it "
                    "again then.",
                )

    def _faults_text(self) -> str:
        parts = [
            f"{f.rule.value} ({f.message}; clears when {f.clears_when})"
            for f in self._faults.values()
        ]
        return (
            "safety fault latched: "
            + "; ".join(parts)
            + ". Call clear_fault() once the cause is gone."
        )

    def _refuse(self, rule: SafetyRule, message: str) -> None:
        self._record(SafetyEventKind.REFUSAL, rule, message, self._latest)
        error = FaultActiveError if rule is SafetyRule.FAULT_LATCHED else SafetyInterlockError
        raise error(message)

    # ----------------------------------------------------------------- roast state
    def note_dropped(self, why: str = "the beans were dropped") -> None:
        """Heat is refused from now on until :meth:`note_ready` (drop or cooling started)."""
        self._interlock = why

    def note_ready(self) -> None:
        """Cooling ended or a new batch begins: the drop interlock is released."""
        self._interlock = None

    def emergency_stop(self) -> None:
        """Latch the emergency-stop fault (the session puts the roaster in the safe state)."""
        self._interlock = "an emergency stop was made"
        if SafetyRule.EMERGENCY_STOP in self._faults:
            return
        self._latch(
            SafetyRule.EMERGENCY_STOP,
            "emergency stop: heater 0 and the drop sequence (door open, drum and stirrer on, "
            "fan 100)",
            f"BT is below {self.config.release_temp_c:.0f} deg C",
            self._latest,
        )

    def record_action(self, rule: SafetyRule, message: str) -> None:
        """Put an action the session took (a shutdown, a failed step) in the safety log."""
        self._record(SafetyEventKind.ACTION, rule, message, self._latest)

    def clear_fault(self, rule: SafetyRule | str | None = None) -> list[SafetyRule]:
        """Clear ``rule`` (or every latched fault); refused, changing nothing, while a cause lasts.

        Returns the rules cleared (empty when nothing was latched).
        """
        if rule is not None:
            wanted = _rule(rule)
            if wanted not in self._faults:
                latched = ", ".join(r.value for r in self._faults) or "none"
                raise InvalidCommandError(
                    f"no {wanted.value} fault is latched (latched: {latched}); nothing was cleared."
                )
            targets = [wanted]
        else:
            targets = list(self._faults)
        blocked = [why for why in (self._still_unsafe(r) for r in targets) if why is not None]
        if blocked:
            message = "clear_fault refused, nothing was cleared: " + "; ".join(blocked)
            self._record(SafetyEventKind.REFUSAL, SafetyRule.FAULT_LATCHED, message, self._latest)
            raise SafetyInterlockError(message)
        for target in targets:
            fault = self._faults.pop(target)
            self._record(SafetyEventKind.CLEARED, target, f"cleared: {fault.message}", self._latest)
        return targets

    def _still_unsafe(self, rule: SafetyRule) -> str | None:
        if rule is SafetyRule.DEAD_MAN:
            return None
        now = self.clock.monotonic()
        age = self.data_age_s(now)
        latest = self._latest
        if latest is None or self._stale(age):
            return (
                f"{rule.value}: no fresh reading (newest {age:.1f} s old), so the roaster cannot "
                "be judged safe; restore the link first"
            )
        if rule in (SafetyRule.BEAN_OVER_TEMPERATURE, SafetyRule.EMERGENCY_STOP):
            release = self.config.release_temp_c
            if latest.bean_temp_c >= release:
                return (
                    f"{rule.value}: BT {latest.bean_temp_c:.1f} deg C is not yet below "
                    f"{release:.0f} deg C; let the roaster cool (fan on) and try again"
                )
        if rule is SafetyRule.ENV_OVER_TEMPERATURE:
            release = self.config.env_release_temp_c
            if latest.env_temp_c >= release:
                return (
                    f"{rule.value}: ET {latest.env_temp_c:.1f} deg C is not yet below "
                    f"{release:.0f} deg C; let the roaster cool (fan on) and try again"
                )
        return None

    def _release_temp(self, rule: SafetyRule) -> float:
        if rule is SafetyRule.ENV_OVER_TEMPERATURE:
            return self.config.env_release_temp_c
        return self.config.release_temp_c

    # ----------------------------------------------------------------- state
    def data_age_s(self, now_s: float) -> float:
        """Seconds since the newest fresh, plausible reading (or since watching began)."""
        reference = self._latest.monotonic_s if self._latest is not None else self._watch_start_s
        return max(0.0, now_s - reference)

    def data_fresh(self, now_s: float) -> bool:
        """Return whether a fresh, plausible reading arrived within the stale limit."""
        return self._latest is not None and not self._stale(self.data_age_s(now_s))

    def agent_silence_s(self, now_s: float) -> float:
        """Seconds since the last agent call (or since watching began)."""
        reference = max(self._last_agent_call_s or self._watch_start_s, self._watch_start_s)
        return max(0.0, now_s - reference)

    def heat_allowed(self) -> bool:
        """Return whether heat above 0 could be accepted at all (no fault, no drop interlock)."""
        return self.heat_refused_because() is None

    def heat_refused_because(self, inputs: SafetyInputs | None = None) -> str | None:
        """Why heat is refused regardless of the request (a fault or the drop interlock).

        With ``inputs``, the door and stirrer they report count too.
        """
        if self._faults:
            return self._faults_text()
        reported = None if inputs is None else open_or_cooling(inputs.door_open, inputs.cooling_on)
        causes = [c for c in (self._interlock, reported) if c]
        return ", and ".join(causes) if causes else None

    @property
    def faults(self) -> tuple[SafetyFault, ...]:
        """The latched faults, oldest first."""
        return tuple(self._faults.values())

    @property
    def events(self) -> tuple[SafetyEvent, ...]:
        """The safety log, oldest first."""
        return tuple(self._events)

    def clear_log(self) -> None:
        """Start a new roast's safety log (latched faults stay)."""
        self._events.clear()
        self._warned.clear()

    def status(self, *, heating: bool, inputs: SafetyInputs | None = None) -> SafetyStatus:
        """Return what the supervisor sees and has done (``inputs``: see heat_refused_because)."""
        now = self.clock.monotonic()
        warnings = []
        latest = self._latest
        if latest is not None:
            for probe, value, limit in (
                ("BT", latest.bean_temp_c, self.config.bean_temp_limit_c),
                ("ET", latest.env_temp_c, self.config.env_temp_limit_c),
            ):
                if limit - self.config.warning_band_c <= value < limit:
                    warnings.append(
                        f"{probe} {value:.1f} deg C is within {limit - value:.1f} deg C of the "
                        f"{limit:.0f} deg C limit"
                    )
        age = self.data_age_s(now)
        if self._stale(age):
            warnings.append(f"no fresh reading for {age:.1f} s: the roaster data is stale")
        dead_man_left = None
        dead_man = self._dead_man_limit_s()
        if dead_man is not None and heating and SafetyRule.DEAD_MAN not in self._faults:
            dead_man_left = round(max(0.0, dead_man - self.agent_silence_s(now)), 1)
        refused = self.heat_refused_because(inputs)
        return SafetyStatus(
            state="fault" if self._faults else "warning" if warnings else "ok",
            heat_allowed=refused is None,
            heat_refused_because=refused,
            faults=self.faults,
            warnings=tuple(warnings),
            last_action=self._last_action,
            events=self.events,
            limits=SafetyLimits(
                bean_temp_limit_c=self.config.bean_temp_limit_c,
                env_temp_limit_c=self.config.env_temp_limit_c,
                warning_band_c=self.config.warning_band_c,
                release_temp_c=self.config.release_temp_c,
                env_release_temp_c=self.config.env_release_temp_c,
                stale_after_s=self.stale_after_s,
                dead_man_s=self._dead_man_limit_s(),
                fan_off_heat_cap_percent=self.config.fan_off_heat_cap_percent,
            ),
            dead_man_seconds_left=dead_man_left,
        )

    # ----------------------------------------------------------------- log
    def _latch(
        self, rule: SafetyRule, message: str, clears_when: str, reading: SensorReading | None
    ) -> None:
        now_s, now_utc = self.clock.monotonic(), self.clock.now()
        self._faults[rule] = SafetyFault(
            rule=rule,
            message=message,
            since_utc=now_utc,
            since_monotonic_s=now_s,
            clears_when=clears_when,
        )
        logger.warning("SAFETY FAULT %s: %s", rule.value, message)
        self._record(SafetyEventKind.FAULT, rule, message, reading)

    def _record(
        self, kind: SafetyEventKind, rule: SafetyRule, message: str, reading: SensorReading | None
    ) -> None:
        event = SafetyEvent(
            kind=kind,
            rule=rule,
            message=message,
            monotonic_s=self.clock.monotonic(),
            timestamp=self.clock.now(),
            bean_temp_c=reading.bean_temp_c if reading is not None else None,
            env_temp_c=reading.env_temp_c if reading is not None else None,
        )
        self._events.append(event)
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # keeping the log must never stop a safety decision
                logger.exception("could not keep a safety event")
        if kind in (SafetyEventKind.FAULT, SafetyEventKind.ACTION, SafetyEventKind.CLEARED):
            self._last_action = event
        if kind is SafetyEventKind.REFUSAL:
            logger.info("safety refusal (%s): %s", rule.value, message)


def _rule(value: SafetyRule | str) -> SafetyRule:
    if isinstance(value, SafetyRule):
        return value
    try:
        return SafetyRule(str(value).lower())
    except ValueError:
        allowed = ", ".join(
            r.value
            for r in (
                SafetyRule.BEAN_OVER_TEMPERATURE,
                SafetyRule.ENV_OVER_TEMPERATURE,
                SafetyRule.STALE_DATA,
                SafetyRule.DEAD_MAN,
                SafetyRule.EMERGENCY_STOP,
            )
        )
        raise InvalidCommandError(
            f"unknown fault {value!r}; faults are {allowed}. Leave it out to clear them all."
        ) from None


def _unique(actions: list[SafetyAction]) -> list[SafetyAction]:
    if SafetyAction.FORCED_DROP in actions:
        return [SafetyAction.FORCED_DROP]  # the drop sequence cuts the heat too
    return list(dict.fromkeys(actions))


__all__ = [
    "PLAUSIBLE_RANGE_C",
    "SafetyAction",
    "SafetyInputs",
    "SafetySupervisor",
    "open_or_cooling",
    "plausible",
]
