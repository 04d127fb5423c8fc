"""Following a reference in a session: its state, the follower, and the status it shows.

The session manager owns one :class:`Following` while a reference is set (``None`` otherwise).
This module keeps the bookkeeping (state, reason, counts, who sets the fan) and decides, sample
by sample, what following wants sent; the manager does the I/O. Its split of the work:

* under the manager's state lock, :meth:`Following.step` reads the roast (:class:`FollowInputs`),
  moves the state (CHARGE begins following, DROP or a fault stops it, the reference's DROP ends
  it) and, when a heat decision is due, takes a copy of the live estimate's model;
* outside the lock, :meth:`Following.decide` runs the model-predictive follower (~30 ms);
* the manager sends the heat and fan through the safety supervisor, which outranks following:
  a refusal stops following with the refusal as its reason.

Following is never a sign of life for the dead-man, and never survives a restart: a new session
or a new roast starts without a reference.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from roastctl.control.follower import ProfileFollower
from roastctl.control.reference import (
    DESIGNED_LIMITS,
    DesignedCurve,
    Reference,
    designed_reference,
    reference_from_file,
    reference_from_record,
)
from roastctl.controls import ControlRange
from roastctl.errors import FaultActiveError, InvalidCommandError
from roastctl.models import FollowingStatus, FollowState
from roastctl.physics.model import RoasterPhysics
from roastctl.roast.phases import format_mmss
from roastctl.store.database import RoastStore, StoreError

__all__ = [
    "ACTIVE_STATES",
    "HOLD_ROR_RANGE",
    "MIN_HEAT_CHANGE_S",
    "FollowInputs",
    "FollowStep",
    "Following",
    "ReferenceSpec",
    "check_can_follow",
    "check_hold_ror",
    "describe_reference",
    "resolve_reference",
]

#: What ``follow_profile`` takes: a roast file, a kept roast id, a designed curve or a reference.
ReferenceSpec = str | Path | int | DesignedCurve | Reference
#: States in which following still acts (or will, at CHARGE, or after a resume).
ACTIVE_STATES = frozenset(
    {FollowState.WAITING_FOR_CHARGE, FollowState.FOLLOWING, FollowState.PAUSED}
)
#: The RoR (deg C/min) hold_ror_after_first_crack may ask for: a designed curve's RoR range.
HOLD_ROR_RANGE = (DESIGNED_LIMITS.min_ror_c_per_min, DESIGNED_LIMITS.max_ror_c_per_min)
#: Seconds between two heat changes at least, also when the reference's heat is replayed:
#: the Hottop's element needs no faster changes, and chattering wears its relay.
MIN_HEAT_CHANGE_S = 5.0
_AGENT = "agent"
_REFERENCE = "reference"


def check_hold_ror(value: float | None) -> float | None:
    """Return ``value`` if it is a RoR following may hold after first crack, else refuse it."""
    if value is None:
        return None
    low, high = HOLD_ROR_RANGE
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidCommandError(
            f"hold_ror_after_first_crack must be a number of deg C/min, got {value!r}. Allowed: "
            f"{low:g}-{high:g} deg C/min, or leave it out. Nothing was changed."
        )
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidCommandError(
            f"hold_ror_after_first_crack {value!r} deg C/min is outside {low:g}-{high:g} "
            "deg C/min. Nothing was changed; send a RoR in that range, or leave it out."
        )
    return float(value)


def check_can_follow(*, forecast_on: bool, dropped: bool, fault: str | None) -> None:
    """Refuse following, naming why and what to do, when the roast cannot be followed now."""
    if not forecast_on:
        raise InvalidCommandError(
            "following is refused: the forecast is switched off ([forecast] enabled = false), "
            "and following plans the heat on its live estimate. Nothing was changed; set "
            "[forecast] enabled = true in the config and restart the server."
        )
    if dropped:
        raise InvalidCommandError(
            "the beans were already dropped in this roast; a reference is followed from CHARGE "
            "to DROP. Nothing was changed; set it for the next roast (start a new roast first)."
        )
    if fault is not None:
        raise FaultActiveError(f"following is refused: {fault} Nothing was changed.")


def describe_reference(spec: ReferenceSpec) -> str | int:
    """Return how the command log names ``spec``: the path, the id or the curve's name."""
    if isinstance(spec, int) and not isinstance(spec, bool):
        return spec
    if isinstance(spec, str | Path):
        return str(spec)
    if isinstance(spec, DesignedCurve):
        return f"designed: {spec.name}"
    if isinstance(spec, Reference):
        return f"{spec.source.value}: {spec.name}"
    return repr(spec)


def resolve_reference(
    spec: ReferenceSpec, store: RoastStore | None
) -> tuple[Reference, str | None]:
    """Return the reference ``spec`` names and, for a kept roast, its uuid.

    Refused (:class:`InvalidCommandError`, naming the value and the next step) for a kept
    roast id without a store or not in it, a missing or unreadable file, a curve out of range
    or anything else.
    """
    if isinstance(spec, Reference):
        return spec, None
    if isinstance(spec, DesignedCurve):
        return designed_reference(spec), None
    if isinstance(spec, bool):
        raise InvalidCommandError(
            f"reference {spec!r} is not a roast: give a roast file's path, a kept roast's id "
            "or a designed curve. Nothing was changed."
        )
    if isinstance(spec, int):
        return _kept_reference(spec, store)
    if isinstance(spec, str | Path):
        if not str(spec).strip():
            raise InvalidCommandError(
                "the reference path is empty. Nothing was changed; give the path of a roast "
                "log (.alog, .csv, .json, .klog) or a kept roast's id."
            )
        return reference_from_file(spec), None
    raise InvalidCommandError(
        f"reference {spec!r} ({type(spec).__name__}) is not a roast file's path, a kept roast's "
        "id, a DesignedCurve or a Reference. Nothing was changed."
    )


def _kept_reference(roast_id: int, store: RoastStore | None) -> tuple[Reference, str | None]:
    if store is None:
        raise InvalidCommandError(
            f"reference roast {roast_id} cannot be read: roasts are not being kept (the manager "
            "has no roast store). Nothing was changed; give a roast file's path or a designed "
            "curve instead."
        )
    try:
        record = store.get_roast(roast_id)
    except StoreError as exc:
        raise InvalidCommandError(
            f"reference roast {roast_id} is not in the roast store ({exc}). Nothing was "
            "changed; list the kept roasts (list_roasts / roastctl roasts) and give one's id."
        ) from exc
    return reference_from_record(record), record.uuid


@dataclass(frozen=True, slots=True)
class FollowInputs:
    """What one sample tells following about the roast, read under the manager's state lock."""

    #: Seconds since CHARGE; None before CHARGE.
    elapsed_s: float | None
    #: Whether the beans were dropped (a DROP on the time line or a drop under way).
    dropped: bool
    #: The latched faults, as the supervisor words them; None when none is latched.
    fault: str | None
    #: The heat and fan the session last commanded.
    heat_percent: int
    fan_percent: int
    bean_temp_c: float | None
    #: (seconds since CHARGE, BT) of first crack, once it is on the time line.
    first_crack: tuple[float, float | None] | None = None


@dataclass(frozen=True, slots=True)
class FollowStep:
    """What following wants on one sample; a plan (``physics``) is decided outside the lock."""

    elapsed_s: float
    #: A fan to send (already in the fan's step); None: leave the fan.
    fan_percent: int | None
    #: A heat to send without a plan (the reference's own, while the estimate warms up).
    heat_percent: int | None
    #: A copy of the live estimate's model when a plan is due; None: no plan this sample.
    physics: RoasterPhysics | None
    heat_now: int
    fan_now: int
    bean_temp_c: float | None


class Following:
    """One reference being followed: the follower, its state and what it has sent."""

    def __init__(
        self,
        reference: Reference,
        follower: ProfileFollower,
        fan_range: ControlRange,
        *,
        hold_ror_after_first_crack: float | None = None,
        uuid: str | None = None,
    ) -> None:
        """Follow ``reference`` with ``follower``; fans are sent in ``fan_range``'s step."""
        self.reference = reference
        self.follower = follower
        self.fan_range = fan_range
        self.hold_ror = hold_ror_after_first_crack
        self.uuid = uuid
        self.state = FollowState.WAITING_FOR_CHARGE
        self.reason: str | None = None
        #: The heat the follower last sent, and how many heat changes it sent.
        self.heat_sent: int | None = None
        self.heat_changes = 0
        #: Who sets the fan: the reference (replayed) or the agent (a set_fan holds).
        self.fan_source = _REFERENCE
        self._last_heat_change_s: float | None = None

    # ----------------------------------------------------------------- state
    @property
    def acting(self) -> bool:
        """Whether following sets the roaster's heat (and fan) now."""
        return self.state is FollowState.FOLLOWING

    def begin(self) -> None:
        """Begin following now: the beans are in (from waiting for CHARGE)."""
        if self.state is FollowState.WAITING_FOR_CHARGE:
            self.state = FollowState.FOLLOWING
            self.reason = None

    def stop(self, reason: str) -> bool:
        """Stop following for ``reason`` (unless it already ended); return whether it stopped."""
        if self.state not in ACTIVE_STATES:
            return False
        self.state = FollowState.STOPPED
        self.reason = reason
        return True

    def pause(self, reason: str) -> bool:
        """Pause following for ``reason``; return whether it was following or waiting."""
        if self.state not in (FollowState.FOLLOWING, FollowState.WAITING_FOR_CHARGE):
            return False
        self.state = FollowState.PAUSED
        self.reason = reason
        return True

    def resume(self, *, charged: bool) -> None:
        """Hand the heater back: following if the beans are in, else waiting for CHARGE."""
        self.state = FollowState.FOLLOWING if charged else FollowState.WAITING_FOR_CHARGE
        self.reason = None

    def heat_taken_over(self, percent: int, elapsed_s: float | None) -> None:
        """Pause for a manual set_heat while following, saying which heat and when."""
        if self.state is not FollowState.FOLLOWING:
            return
        at = "before CHARGE" if elapsed_s is None else f"at {format_mmss(elapsed_s)}"
        self.pause(
            f"a manual set_heat {percent} % {at} took the heater over; resume_following() "
            "hands it back to the follower"
        )

    def fan_taken_over(self) -> None:
        """Let the agent's fan hold from now on (a set_fan while following)."""
        if self.state in (FollowState.FOLLOWING, FollowState.PAUSED):
            self.fan_source = _AGENT

    # ----------------------------------------------------------------- each sample
    def step(
        self, inputs: FollowInputs, physics: Callable[[], RoasterPhysics | None]
    ) -> FollowStep | None:
        """Move the state on this sample and say what to send; call under the state lock.

        ``physics`` returns a copy of the live estimate's model, or None while it cannot give
        one (warming up, diverged); it is called only when a heat decision is due.
        """
        if self.state not in ACTIVE_STATES:
            return None
        if inputs.dropped:
            self.stop("the beans were dropped")
            return None
        if inputs.fault is not None:
            self.stop(inputs.fault)
            return None
        elapsed = inputs.elapsed_s
        if elapsed is None or self.state is FollowState.PAUSED:
            return None
        self.begin()
        if elapsed >= self.reference.drop_s:
            self.state = FollowState.FINISHED
            self.reason = (
                f"reached the reference's DROP at {format_mmss(self.reference.drop_s)}; the heat "
                f"holds at {inputs.heat_percent} %; set a drop target or drop the beans"
            )
            return None
        self._hold_ror(inputs)
        fan = self._fan_wanted(elapsed, inputs.fan_percent)
        model: RoasterPhysics | None = None
        replay: int | None = None
        if self.follower.due(elapsed):
            model = physics()
            if model is None and self._may_change_heat(elapsed):
                replay = self.reference.heat_at(elapsed)
                replay = None if replay is None or replay == inputs.heat_percent else replay
        if fan is None and model is None and replay is None:
            return None
        return FollowStep(
            elapsed_s=elapsed,
            fan_percent=fan,
            heat_percent=replay,
            physics=model,
            heat_now=inputs.heat_percent,
            fan_now=inputs.fan_percent,
            bean_temp_c=inputs.bean_temp_c,
        )

    def decide(self, step: FollowStep) -> int | None:
        """Return the heat to send for ``step`` (None: leave it); runs outside the state lock."""
        if step.physics is None:
            return step.heat_percent
        fan_now = step.fan_percent if step.fan_percent is not None else step.fan_now
        decision = self.follower.decide(
            elapsed_s=step.elapsed_s,
            physics=step.physics,
            heat_percent=step.heat_now,
            fan_at=self._fan_plan(fan_now),
            bean_temp_c=step.bean_temp_c,
        )
        heat = decision.heat_percent
        if heat == step.heat_now or not self._may_change_heat(step.elapsed_s):
            return None
        return heat

    def note_heat(self, percent: int, elapsed_s: float) -> None:
        """Count the heat ``percent`` sent ``elapsed_s`` after CHARGE."""
        self.heat_sent = percent
        self.heat_changes += 1
        self._last_heat_change_s = elapsed_s

    def _may_change_heat(self, elapsed_s: float) -> bool:
        last = self._last_heat_change_s
        return last is None or elapsed_s - last >= MIN_HEAT_CHANGE_S - 1e-6

    def _hold_ror(self, inputs: FollowInputs) -> None:
        if self.hold_ror is None or inputs.first_crack is None or self.follower.holding_ror:
            return
        fc_s, fc_bt = inputs.first_crack
        bt = fc_bt if fc_bt is not None else self.follower.target_bt(fc_s)
        self.follower.hold_ror_from(fc_s, bt, self.hold_ror)

    def _fan_wanted(self, elapsed_s: float, fan_now: int) -> int | None:
        if self.fan_source != _REFERENCE:
            return None
        wanted = self.reference.fan_at(elapsed_s)
        if wanted is None:
            return None
        rounded = self._fan_step(wanted)
        return None if rounded == fan_now else rounded

    def _fan_step(self, percent: float) -> int:
        fans = self.fan_range
        value = fans.minimum + round((percent - fans.minimum) / fans.step) * fans.step
        return int(min(max(value, fans.minimum), fans.maximum))

    def _fan_plan(self, fan_now: int) -> Callable[[float], float]:
        """Return the fan the plan assumes: the reference's while replayed, else today's."""
        reference = self.reference
        replayed = self.fan_source == _REFERENCE and reference.fan_changes

        def fan_at(elapsed_s: float) -> float:
            if replayed:
                wanted = reference.fan_at(elapsed_s)
                if wanted is not None:
                    return float(self._fan_step(wanted))
            return float(fan_now)

        return fan_at

    # ----------------------------------------------------------------- what it shows
    def status(
        self,
        *,
        elapsed_s: float | None,
        bean_temp_c: float | None,
        ror_c_per_min: float | None,
    ) -> FollowingStatus:
        """Return the status at ``elapsed_s`` after CHARGE (None before) with today's BT/RoR."""
        reference = self.reference
        target = target_ror = deviation = ror_deviation = ahead = None
        next_kind: str | None = None
        next_in: float | None = None
        if elapsed_s is not None:
            target = self.follower.target_bt(elapsed_s)
            target_ror = (
                self.hold_ror
                if self.follower.holding_ror and self.hold_ror is not None
                else reference.ror_at(elapsed_s)
            )
            if bean_temp_c is not None:
                deviation = bean_temp_c - target
                if elapsed_s >= reference.track_from_s:
                    reached = reference.time_at_bt(bean_temp_c)
                    ahead = None if reached is None else reached - elapsed_s
            if ror_c_per_min is not None:
                ror_deviation = ror_c_per_min - target_ror
            upcoming = reference.next_event(elapsed_s)
            if upcoming is not None:
                next_kind, next_in = upcoming[0].value, upcoming[1] - elapsed_s
        return FollowingStatus(
            state=self.state,
            reference=reference.name,
            source=reference.source.value,
            reason=self.reason,
            target_bt_c=_round(target),
            target_ror_c_per_min=_round(target_ror),
            deviation_c=_round(deviation),
            ror_deviation_c_per_min=_round(ror_deviation),
            ahead_s=_round(ahead),
            next_event=next_kind,
            next_event_in_s=_round(next_in),
            reference_drop_s=round(reference.drop_s, 1),
            heat_percent=self.heat_sent,
            fan_source=self.fan_source,
            heat_changes=self.heat_changes,
        )

    def record(self) -> dict[str, object]:
        """Return what the kept roast stores of its reference (``extra["reference"]``)."""
        reference = self.reference
        kept: dict[str, object] = {
            "name": reference.name,
            "source": reference.source.value,
            "roast_id": reference.roast_id,
            "path": reference.path,
        }
        if self.uuid is not None:
            kept["uuid"] = self.uuid
        return kept


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
