"""Drop targets: the pure decision of when the server drops the beans by itself.

An agent decides every 10-30 s; a drop timed by such an agent lands up to a poll late. A drop
target is handed to the server instead, which decides on every sample: at a development time
ratio (DTR), at a bean temperature (BT) or a development time after first crack.

Everything here is a pure function of the sample's numbers (seconds since CHARGE, first crack,
BT); the session manager (:mod:`roastctl.session.manager`) calls :func:`due` on every sample and
runs the drop sequence when it says so.

Why "nearest" rather than "at or past": the drop can only happen on a sample. DTR and development
time grow by a known amount per sample, so the decision compares this sample's value with the
next one's and drops on the one nearer the target: the error is at most half a sample's step
instead of a whole one (DTR rises by 100 x FC / t^2 % per second, about 0.13 pp at FC 8:20 and
a drop at 10:25). BT's next value is predicted from its rate of rise the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from roastctl.controls import DROP_TARGET_RANGES
from roastctl.errors import InvalidCommandError
from roastctl.models import (
    DropTargetKind,
    DropTargetState,
    DropTargetStatus,
    EventSource,
)


@dataclass(frozen=True, slots=True)
class DropTarget:
    """Drop at one of: a DTR (%), a BT (deg C), or a development time after first crack (s).

    Exactly one is set, within its range in :data:`roastctl.controls.DROP_TARGET_RANGES`;
    anything else raises :class:`~roastctl.errors.InvalidCommandError` naming the values and the
    ranges.
    """

    dtr_percent: float | None = None
    bt_c: float | None = None
    development_s: float | None = None

    def __post_init__(self) -> None:
        given = {
            name: value
            for name, value in (
                ("dtr_percent", self.dtr_percent),
                ("bt_c", self.bt_c),
                ("development_s", self.development_s),
            )
            if value is not None
        }
        if len(given) != 1:
            ranges = "; ".join(f"{r.name} {r.allowed}" for r in DROP_TARGET_RANGES.values())
            sent = ", ".join(f"{k}={v!r}" for k, v in given.items()) or "none"
            raise InvalidCommandError(
                f"a drop target needs exactly one of dtr_percent, bt_c, development_s; got "
                f"{sent}. Allowed: {ranges}. Nothing was changed; send one of them."
            )
        ((name, value),) = given.items()
        object.__setattr__(self, name, DROP_TARGET_RANGES[name].validate(value))

    @property
    def kind(self) -> DropTargetKind:
        """What the target measures."""
        if self.dtr_percent is not None:
            return DropTargetKind.DTR
        if self.bt_c is not None:
            return DropTargetKind.BT
        return DropTargetKind.DEVELOPMENT

    @property
    def value(self) -> float:
        """The target value, in the unit of its kind."""
        for value in (self.dtr_percent, self.bt_c, self.development_s):
            if value is not None:
                return value
        raise ValueError("a DropTarget has exactly one value")  # pragma: no cover - __post_init__

    @property
    def unit(self) -> str:
        """The unit of the value."""
        return DROP_TARGET_RANGES[self.kind.value].unit

    def describe(self) -> str:
        """Describe the target as a person reads it, e.g. ``DTR 20 %``."""
        label = {
            DropTargetKind.DTR: "DTR",
            DropTargetKind.BT: "BT",
            DropTargetKind.DEVELOPMENT: "development time",
        }[self.kind]
        return f"{label} {self.value:g} {self.unit}"


def dtr_percent(elapsed_s: float, first_crack_elapsed_s: float) -> float:
    """Return the development time ratio, %, of a drop ``elapsed_s`` after CHARGE."""
    return 100.0 * (elapsed_s - first_crack_elapsed_s) / elapsed_s


def drop_at_s(target: DropTarget, first_crack_elapsed_s: float | None) -> float | None:
    """Seconds since CHARGE at which the target lands exactly; ``None`` when not known.

    A DTR of d needs the drop at FC / (1 - d); a development time at FC + it. A BT target's time
    depends on the roast to come (see the forecast).
    """
    if first_crack_elapsed_s is None or target.kind is DropTargetKind.BT:
        return None
    if target.kind is DropTargetKind.DTR:
        return first_crack_elapsed_s / (1.0 - target.value / 100.0)
    return first_crack_elapsed_s + target.value


def achieved(
    target: DropTarget,
    *,
    elapsed_s: float,
    first_crack_elapsed_s: float | None,
    bean_temp_c: float | None,
) -> float | None:
    """Return the target's measure for a drop at ``elapsed_s`` (BT ``bean_temp_c``).

    ``None`` when it cannot be known (no first crack for a DTR or development target).
    """
    if target.kind is DropTargetKind.BT:
        return bean_temp_c
    if first_crack_elapsed_s is None or elapsed_s <= 0.0:
        return None
    if target.kind is DropTargetKind.DTR:
        return dtr_percent(elapsed_s, first_crack_elapsed_s)
    return elapsed_s - first_crack_elapsed_s


def due(
    target: DropTarget,
    *,
    elapsed_s: float | None,
    first_crack_elapsed_s: float | None,
    bean_temp_c: float,
    turning_point_s: float | None = None,
    bean_ror_c_per_min: float | None = None,
    interval_s: float = 1.0,
) -> bool:
    """Whether to drop on this sample (``elapsed_s`` after CHARGE, BT ``bean_temp_c``).

    Never before CHARGE (``elapsed_s`` None). DTR and development targets wait for first crack;
    a BT target for the turning point, so the BT the probe reads at charge (often above the
    target) never drops the beans. Each drops on this sample if it is at least as near the
    target as the next one (``interval_s`` later) would be, so it may drop up to half a sample
    before the exact moment, never a whole sample after.
    """
    if elapsed_s is None or elapsed_s < 0.0:
        return False
    goal = target.value
    if target.kind is DropTargetKind.BT:
        if turning_point_s is None or elapsed_s < turning_point_s:
            return False
        rise = max(0.0, bean_ror_c_per_min or 0.0) * interval_s / 60.0
        return bean_temp_c + (bean_temp_c + rise) >= 2.0 * goal
    if first_crack_elapsed_s is None or elapsed_s <= first_crack_elapsed_s:
        return False
    if target.kind is DropTargetKind.DTR:
        now = dtr_percent(elapsed_s, first_crack_elapsed_s)
        after = dtr_percent(elapsed_s + interval_s, first_crack_elapsed_s)
    else:
        now = elapsed_s - first_crack_elapsed_s
        after = now + interval_s
    return now + after >= 2.0 * goal


def target_status(
    target: DropTarget,
    *,
    elapsed_s: float | None,
    turning_point_s: float | None,
    first_crack_elapsed_s: float | None,
    dropped_by: EventSource | None,
    achieved_value: float | None,
) -> DropTargetStatus:
    """How ``target`` stands in the roast: waiting, armed, done (with what it achieved), or not.

    ``dropped_by`` is the DROP event's source (``None``: not dropped); ``achieved_value`` is what
    the server's own drop on the target reached (``None``: the target did not drop).
    """
    at = drop_at_s(target, first_crack_elapsed_s)
    if achieved_value is not None:
        state = DropTargetState.DONE
    elif dropped_by is not None:
        state = DropTargetState.SUPERSEDED
    elif elapsed_s is None:
        state = DropTargetState.WAITING_FOR_CHARGE
    elif target.kind is DropTargetKind.BT and turning_point_s is None:
        state = DropTargetState.WAITING_FOR_TURNING_POINT
    elif target.kind is not DropTargetKind.BT and first_crack_elapsed_s is None:
        state = DropTargetState.WAITING_FOR_FIRST_CRACK
    else:
        state = DropTargetState.ARMED
    waiting = state in (DropTargetState.ARMED, DropTargetState.WAITING_FOR_FIRST_CRACK)
    return DropTargetStatus(
        kind=target.kind,
        target=target.value,
        unit=target.unit,
        state=state,
        drop_at_s=None if at is None else round(at, 1),
        drop_in_s=(
            round(max(0.0, at - elapsed_s), 1)
            if waiting and at is not None and elapsed_s is not None
            else None
        ),
        achieved=None if achieved_value is None else round(achieved_value, 2),
        dropped_by=dropped_by,
    )


__all__ = ["DropTarget", "achieved", "drop_at_s", "dtr_percent", "due", "target_status"]
