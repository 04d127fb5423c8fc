"""The following MCP tools: the server sets the heat every sample so BT follows a reference.

An agent that reads the status every 10-30 s cannot steer the heater sample by sample; it sets
its intent instead (:meth:`~roastctl.session.manager.RoastSessionManager.follow_profile`: a kept
roast, a roast file or a designed curve) and supervises. The bounds in the schemas come from
:data:`roastctl.control.reference.DESIGNED_LIMITS`, the limits the manager enforces.

This module deliberately does not use ``from __future__ import annotations``: the SDK reads the
tools' ``Annotated`` bounds as objects.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from roastctl.control.reference import DESIGNED_LIMITS, DesignedCurve, RorSegment, Waypoint
from roastctl.errors import InvalidCommandError
from roastctl.mcp.registry import ToolRegistry, refusals, tool_annotations
from roastctl.mcp.roast_tools import ROAST_ID_MAX
from roastctl.mcp.views import FollowingView, View, following_view
from roastctl.models import FollowingStatus, RoastEventType
from roastctl.session.following import HOLD_ROR_RANGE
from roastctl.session.manager import RoastSessionManager

LIMITS = DESIGNED_LIMITS
#: Longest path a client may send (a path longer than this is no roast file of the user's).
PATH_MAX_CHARS = 4096
#: Most fan changes a designed curve may carry.
FAN_MAX_CHANGES = 100

#: Events a designed curve may carry (CHARGE is its 0 s; TP is computed).
CurveEvent = Literal["DRY_END", "FC_START", "FC_END", "SC_START", "SC_END", "DROP"]

Seconds = Annotated[
    float,
    Field(ge=0.0, le=LIMITS.max_time_s, allow_inf_nan=False, description="Seconds after CHARGE."),
]
FanPercent = Annotated[int, Field(ge=0, le=100, description="Fan, %.")]


class BtWaypoint(BaseModel):
    """BT ``bt_c`` at ``at_s`` seconds after CHARGE (``bt_c`` null only at 0: BT at charge)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    at_s: Seconds
    bt_c: Annotated[
        float | None,
        Field(ge=LIMITS.min_bt_c, le=LIMITS.max_bt_c, allow_inf_nan=False, description="deg C."),
    ] = None


class RorStretch(BaseModel):
    """BT rising at ``ror_c_per_min`` from the point before until ``until_s`` after CHARGE."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    until_s: Seconds
    ror_c_per_min: Annotated[
        float,
        Field(
            ge=LIMITS.min_ror_c_per_min,
            le=LIMITS.max_ror_c_per_min,
            allow_inf_nan=False,
            description="deg C/min.",
        ),
    ]


class FollowResult(View):
    """What a following tool did, and following now."""

    action: str
    done: str
    following: FollowingView | None = Field(description="Following now; null when none is set.")


def designed_curve(
    waypoints: list[BtWaypoint | RorStretch],
    events: dict[CurveEvent, float] | None,
    fan: list[tuple[float, int]] | None,
) -> DesignedCurve:
    """Return the designed curve the tool's arguments describe (the manager checks it)."""
    points = tuple(
        Waypoint(p.at_s, p.bt_c)
        if isinstance(p, BtWaypoint)
        else RorSegment(p.until_s, p.ror_c_per_min)
        for p in waypoints
    )
    return DesignedCurve(
        points=points,
        name="designed curve",
        events={RoastEventType(kind): at_s for kind, at_s in (events or {}).items()},
        fan=tuple((float(at_s), int(percent)) for at_s, percent in (fan or [])),
    )


def _result(action: str, done: str, status: FollowingStatus | None) -> FollowResult:
    return FollowResult(
        action=action, done=done, following=None if status is None else following_view(status)
    )


def register_follow_tools(registry: ToolRegistry, manager: RoastSessionManager) -> None:
    """Register follow_reference, pause_following, resume_following and stop_following."""
    low_ror, high_ror = HOLD_ROR_RANGE

    def follow_reference(
        roast_id: Annotated[
            int | None,
            Field(
                ge=1, le=ROAST_ID_MAX, strict=True, description="A kept roast's id (list_roasts)."
            ),
        ] = None,
        path: Annotated[
            str | None,
            Field(
                min_length=1,
                max_length=PATH_MAX_CHARS,
                description="A roast file on the server (.alog, Artisan CSV/JSON, .klog, ...).",
            ),
        ] = None,
        waypoints: Annotated[
            list[BtWaypoint | RorStretch] | None,
            Field(
                min_length=2,
                max_length=LIMITS.max_points,
                description="A designed curve: {at_s, bt_c} points and {until_s, ror_c_per_min} "
                "stretches, times rising, starting with a point (bt_c null at 0 s: BT at charge).",
            ),
        ] = None,
        events: Annotated[
            dict[CurveEvent, Seconds] | None,
            Field(description="With waypoints: target events, e.g. {FC_START: 570, DROP: 690}."),
        ] = None,
        fan: Annotated[
            list[tuple[Seconds, FanPercent]] | None,
            Field(
                max_length=FAN_MAX_CHANGES,
                description="With waypoints: the fan by time, [[s, %], ...].",
            ),
        ] = None,
        hold_ror_after_first_crack: Annotated[
            float | None,
            Field(
                ge=low_ror,
                le=high_ror,
                allow_inf_nan=False,
                description="From first crack on, hold this BT RoR (deg C/min) instead of the "
                "reference.",
            ),
        ] = None,
    ) -> FollowResult:
        with refusals("follow_reference"):
            given = [
                n
                for n, v in (("roast_id", roast_id), ("path", path), ("waypoints", waypoints))
                if v is not None
            ]
            if len(given) != 1:
                raise InvalidCommandError(
                    "follow_reference needs exactly one of roast_id, path, waypoints; got "
                    f"{', '.join(given) or 'none'}. Nothing was changed; send one of them."
                )
            if waypoints is None and (events is not None or fan is not None):
                raise InvalidCommandError(
                    "events and fan describe a designed curve: send them with waypoints. "
                    "Nothing was changed."
                )
            reference = (
                roast_id
                if roast_id is not None
                else path
                if path is not None
                else designed_curve(waypoints or [], events, fan)
            )
            status = manager.follow_profile(
                reference, hold_ror_after_first_crack=hold_ror_after_first_crack
            )
            when = "from CHARGE on" if status.state.value == "waiting_for_charge" else "from now on"
            return _result(
                "follow_reference",
                f"the server follows {status.reference} ({status.source}) {when}, setting the "
                "heat every sample",
                status,
            )

    registry.add(
        follow_reference,
        description=(
            "Have the server set the heat on every sample so BT follows a reference, from CHARGE "
            "to the reference's DROP: give exactly one of roast_id (a kept roast), path (a roast "
            "file on the server) or waypoints (a designed curve: {at_s, bt_c} points and "
            f"{{until_s, ror_c_per_min}} stretches; BT {LIMITS.min_bt_c:g}-{LIMITS.max_bt_c:g} "
            f"deg C, RoR {LIMITS.min_ror_c_per_min:g}-{LIMITS.max_ror_c_per_min:g} deg C/min, "
            f"times 0-{LIMITS.max_time_s:g} s, at most {LIMITS.max_points} points; optional "
            "events and fan [[s, %]]). Set before CHARGE it waits and begins at CHARGE. The fan "
            "replays the reference's until you set_fan; a set_heat pauses following until "
            "resume_following. It never overrides a safety rule: a refusal, a fault or a drop "
            "stops it and the status says why. Then supervise with get_roast_status every 10-30 "
            "s (following: target_bt_c, deviation_c, ahead_s, state) and set the drop with "
            "set_drop_target. It replaces an earlier reference. Refused (nothing changes) "
            "without a session, after DROP, with a fault latched or the forecast switched off."
        ),
        annotations=tool_annotations("Follow a reference", destructive=True),
    )

    def pause_following() -> FollowResult:
        with refusals("pause_following"):
            status = manager.pause_following()
            return _result(
                "pause_following",
                "following paused: the heat stays as it is and is yours (set_heat) until "
                "resume_following",
                status,
            )

    registry.add(
        pause_following,
        description=(
            "Pause following: the server stops setting the heat (it stays where it is) until "
            "resume_following. A set_heat pauses following by itself too. Refused when nothing "
            "is being followed."
        ),
        annotations=tool_annotations("Pause following"),
    )

    def resume_following() -> FollowResult:
        with refusals("resume_following"):
            status = manager.resume_following()
            return _result(
                "resume_following",
                f"following {status.reference} again: the server sets the heat from now on "
                f"({status.state.value})",
                status,
            )

    registry.add(
        resume_following,
        description=(
            "Hand the heater back to the server after a pause (a set_heat or pause_following): "
            "it follows the reference again from where the roast is now. Refused, naming the "
            "state, when nothing is paused, after DROP or with a fault latched."
        ),
        annotations=tool_annotations("Resume following", destructive=True),
    )

    def stop_following() -> FollowResult:
        with refusals("stop_following"):
            had = manager.stop_following()
            done = (
                "following stopped and the reference forgotten: the heat stays where it is and "
                "is yours (set_heat)"
                if had
                else "no reference was set; nothing changed"
            )
            return _result("stop_following", done, None)

    registry.add(
        stop_following,
        description=(
            "Stop following and forget the reference: the server no longer sets the heat, which "
            "stays where it is. Always allowed; idempotent."
        ),
        annotations=tool_annotations("Stop following"),
    )


__all__ = ["BtWaypoint", "FollowResult", "RorStretch", "register_follow_tools"]
