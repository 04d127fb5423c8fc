"""The drop-target MCP tools: the server drops the beans by itself on a target, every sample.

An agent that reads the status every 10-30 s cannot time a drop to the sample; it sets the
target instead (:meth:`~roastctl.session.manager.RoastSessionManager.set_drop_target`) and
supervises. The bounds in the schemas come from :data:`roastctl.controls.DROP_TARGET_RANGES`,
the ranges the manager enforces.

This module deliberately does not use ``from __future__ import annotations``: the SDK reads the
tools' ``Annotated`` bounds as objects.
"""

from typing import Annotated

from pydantic import BeforeValidator, Field
from pydantic.fields import FieldInfo

from roastctl.controls import DROP_TARGET_RANGES, TargetRange
from roastctl.errors import RoasterError
from roastctl.mcp.registry import ToolRegistry, refusals, tool_annotations
from roastctl.mcp.views import DropTargetView, View, drop_target_view
from roastctl.session.manager import RoastSessionManager


class DropTargetResult(View):
    """What set_drop_target or clear_drop_target did, and the target now."""

    action: str
    done: str
    drop_target: DropTargetView | None = Field(description="The target now; null when none.")


def target_field(control: TargetRange) -> FieldInfo:
    """Return the JSON-schema bounds of an optional drop-target argument."""
    bounds: FieldInfo = Field(
        strict=False,
        ge=control.minimum,
        le=control.maximum,
        allow_inf_nan=False,
        description=f"{control.description} Allowed: {control.allowed}.",
    )
    return bounds


def target_check(control: TargetRange) -> BeforeValidator:
    """Run ``control``'s own check first, so a refusal reads as the manager's (null passes)."""

    def check(value: object) -> float | None:
        if value is None:
            return None
        try:
            return control.validate(value)
        except RoasterError as exc:
            raise ValueError(str(exc)) from None

    return BeforeValidator(check)


DTR = DROP_TARGET_RANGES["dtr_percent"]
BT = DROP_TARGET_RANGES["bt_c"]
DEVELOPMENT = DROP_TARGET_RANGES["development_s"]


def register_drop_target_tools(registry: ToolRegistry, manager: RoastSessionManager) -> None:
    """Register set_drop_target and clear_drop_target."""

    def set_drop_target(
        dtr_percent: Annotated[float | None, target_field(DTR), target_check(DTR)] = None,
        bt_c: Annotated[float | None, target_field(BT), target_check(BT)] = None,
        development_s: Annotated[
            float | None, target_field(DEVELOPMENT), target_check(DEVELOPMENT)
        ] = None,
    ) -> DropTargetResult:
        with refusals("set_drop_target"):
            status = manager.set_drop_target(
                dtr_percent=dtr_percent, bt_c=bt_c, development_s=development_s
            )
            return DropTargetResult(
                action="set_drop_target",
                done=f"the server drops the beans by itself at {status.kind.value} "
                f"{status.target:g} {status.unit} ({status.state.value})",
                drop_target=drop_target_view(status),
            )

    registry.add(
        set_drop_target,
        description=(
            "Have the server drop the beans by itself when the roast reaches a target: give "
            f"exactly one of dtr_percent (development time ratio, {DTR.allowed}), bt_c (bean "
            f"temperature, {BT.allowed}, below the safety limit) or development_s (seconds "
            f"after first crack, {DEVELOPMENT.allowed}). The server checks every sample and "
            "runs the drop_beans sequence (heater 0, door open, drum, stirrer and fan 100 %) on "
            "the sample nearest the target, so you need not time drop_beans yourself: set the "
            "target, then supervise with get_roast_status (drop_target shows its state, when "
            "the drop is due and, after it, the value reached). DTR and development targets "
            "wait for first crack (report it with report_first_crack); a BT target waits for "
            "the turning point. It replaces an earlier target. Refused (nothing changes) "
            "without a session, after DROP, or out of range. A new roast, stop_session and "
            "emergency_stop clear it; the safety limits still drop first."
        ),
        annotations=tool_annotations("Set drop target", destructive=True),
    )

    def clear_drop_target() -> DropTargetResult:
        with refusals("clear_drop_target"):
            had = manager.clear_drop_target()
            done = (
                "drop target cleared: drop with drop_beans yourself"
                if had
                else "no drop target was set; nothing changed"
            )
            return DropTargetResult(action="clear_drop_target", done=done, drop_target=None)

    registry.add(
        clear_drop_target,
        description=(
            "Forget the drop target: the server no longer drops by itself, and you drop with "
            "drop_beans. Always allowed; idempotent."
        ),
        annotations=tool_annotations("Clear drop target"),
    )


__all__ = ["DropTargetResult", "register_drop_target_tools"]
