"""The read-only ``what_if`` MCP tool: the forecast under other heat and fan settings.

An agent that decides every 10-30 s can ask, before it changes anything, what a heat or fan change
(now, or a short schedule of them) would do to BT, first crack and the drop. The tool calls
:meth:`~roastctl.session.manager.RoastSessionManager.what_if`, which sends nothing to the roaster;
its answer is the :class:`~roastctl.models.WhatIf` (the forecast under the schedule and the one
holding today's settings) as structured content, with a few lines of text comparing the two.

The arguments carry their bounds in the JSON schema (heat from the configured range, fan in steps
of 10, horizon and change times from the forecast's look-ahead); what the schema cannot say (a
change after the horizon, too many changes in all) the manager refuses, naming the value.

This module deliberately does not use ``from __future__ import annotations``: the argument types
are built from the configured heat range at run time, and the SDK reads them as objects.
"""

from collections.abc import Sequence
from typing import Annotated

from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from roastctl.controls import FAN_RANGE, ControlRange
from roastctl.mcp.brief import digits
from roastctl.mcp.registry import (
    ToolRegistry,
    range_check,
    range_field,
    refusals,
    tool_annotations,
)
from roastctl.models import ForecastState, RoastForecast, RoastStatus, SettingChange, WhatIf
from roastctl.session.live_forecast import MAX_SCHEDULE_CHANGES, WHAT_IF_HORIZON_RANGE_S
from roastctl.session.manager import RoastSessionManager

#: The look-ahead a what-if runs when none is given (s).
DEFAULT_HORIZON_S = 180.0
HORIZON_MIN_S, HORIZON_MAX_S = WHAT_IF_HORIZON_RANGE_S


def seconds_check(name: str, low: float, high: float) -> BeforeValidator:
    """Refuse an integer too big to be a float by the range, not as "not a number"."""

    def check(value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > high:
            raise ValueError(
                f"{name} must be between {low:g} and {high:g} seconds, got a number of about "
                f"{digits(value)} digits"
            )
        return value

    return BeforeValidator(check)


def optional_percent(control: ControlRange, when: str) -> object:
    """Return the ``Annotated`` type of an optional heat or fan argument bounded by ``control``."""
    bounds = range_field(control)
    bounds.description = f"{control.description} {when} Allowed: {control.allowed}."
    return Annotated[int | None, bounds, range_check(control, optional=True)]


def change_model(heat: ControlRange) -> type[BaseModel]:
    """Return the model of one scheduled change, its heat bounded by the configured ``heat``."""
    heat_type = optional_percent(heat, "Leave out to keep the heat.")
    fan_type = optional_percent(FAN_RANGE, "Leave out to keep the fan.")

    class ScheduledChange(BaseModel):
        """Heat and/or fan from at_s seconds from now on (at least one of them)."""

        # A misspelt key ("heat": 50) must be refused, never dropped: the answer would be wrong.
        model_config = ConfigDict(extra="forbid", frozen=True)

        at_s: Annotated[
            float,
            Field(
                strict=True,
                ge=0.0,
                le=HORIZON_MAX_S,
                allow_inf_nan=False,
                description="Seconds from now; at most horizon_s.",
            ),
            seconds_check("at_s", 0.0, HORIZON_MAX_S),
        ]
        heat_percent: heat_type = None  # type: ignore[valid-type]
        fan_percent: fan_type = None  # type: ignore[valid-type]

    return ScheduledChange


def schedule_of(
    heat_percent: int | None, fan_percent: int | None, changes: Sequence[BaseModel]
) -> list[SettingChange]:
    """Return the manager's schedule: the change now (if any) first, then ``changes``."""
    schedule: list[SettingChange] = []
    if heat_percent is not None or fan_percent is not None:
        schedule.append(SettingChange(at_s=0.0, heat_percent=heat_percent, fan_percent=fan_percent))
    schedule += (SettingChange.model_validate(change.model_dump()) for change in changes)
    return schedule


# --------------------------------------------------------------------- the text summary
def _schedule_text(answer: WhatIf) -> str:
    if not answer.schedule:
        return "no change"
    parts = []
    for change in answer.schedule:
        settings = [
            f"{name} {value} %"
            for name, value in (("heat", change.heat_percent), ("fan", change.fan_percent))
            if value is not None
        ]
        when = "now" if change.at_s == 0 else f"at {change.at_s:g} s"
        parts.append(f"{' and '.join(settings)} {when}")
    return "; ".join(parts)


def _interval(value: float | None, low: float | None, high: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    band = "" if low is None or high is None else f" (80 %: {low:g}-{high:g})"
    return f"{value:g}{unit}{band}"


def _at_horizon(forecast: RoastForecast) -> str:
    if not forecast.curve:
        return "n/a"
    last = forecast.curve[-1]
    ror = "" if last.bean_ror_c_per_min is None else f", RoR {last.bean_ror_c_per_min:g} C/min"
    band = _interval(last.bean_temp_c, last.bean_temp_low_c, last.bean_temp_high_c, " C")
    return f"{band}{ror}"


def _eta(forecast: RoastForecast, event: str) -> str:
    value = getattr(forecast, f"{event}_in_s")
    if value is None:
        return f"not within {HORIZON_MAX_S:g} s"
    low = getattr(forecast, f"{event}_in_s_low")
    high = getattr(forecast, f"{event}_in_s_high")
    return "in " + _interval(value, low, high, " s")


def summary(answer: WhatIf, status: RoastStatus) -> str:
    """Return a few lines comparing the forecast under the schedule with the one holding."""
    new, hold = answer.forecast, answer.holding
    horizon = new.curve[-1].in_s if new.curve else answer.horizon_s
    lines = [
        f"what_if: {_schedule_text(answer)} (holding heat {hold.heat_percent} %, fan "
        f"{hold.fan_percent} %). Nothing was sent to the roaster.",
        f"BT in {horizon:g} s: {_at_horizon(new)}; holding: {_at_horizon(hold)}.",
    ]
    metrics = status.metrics
    if metrics.roast_elapsed_s is None:
        lines.append("No ETAs before CHARGE.")
        return "\n".join(lines)
    if metrics.dry_end_s is None:
        lines.append(f"Dry end: {_eta(new, 'dry_end')}; holding: {_eta(hold, 'dry_end')}.")
    if metrics.first_crack_s is None:
        lines.append(
            f"First crack (BT {new.first_crack_bt_c:g} C): {_eta(new, 'first_crack')}; "
            f"holding: {_eta(hold, 'first_crack')}."
            if new.first_crack_bt_c is not None
            else "First crack: n/a."
        )
    elif new.drop_in_s is not None:
        dtr = new.drop_development_percent
        lines.append(
            f"Drop at {dtr:g} % DTR in {new.drop_in_s:g} s: BT {new.drop_bt_c} C; holding: BT "
            f"{hold.drop_bt_c} C."
        )
    return "\n".join(lines)


def not_ready_text(forecast: RoastForecast) -> str:
    """Return the refusal for a what-if the estimate cannot answer yet (or any more)."""
    reason = forecast.reason or forecast.state.value
    if forecast.state is ForecastState.ROAST_OVER:
        step = "start a new roast to ask again"
    elif forecast.state is ForecastState.DIVERGED:
        step = "check the probes in get_roast_status; ask again once the forecast state is ok"
    else:
        step = "ask again once get_roast_status shows forecast.state ok"
    return f"what_if has no answer now: {reason}. Nothing was changed; {step}."


# --------------------------------------------------------------------- registration
def register_forecast_tools(registry: ToolRegistry, manager: RoastSessionManager) -> None:
    """Register ``what_if`` for ``manager`` (read-only: an observer may call it)."""
    heat = manager.heat_range
    # Named as the wire shows it: the $defs key of what_if's input schema.
    ScheduledChange = change_model(heat)
    heat_now = optional_percent(heat, "From now on; leave out to keep the heat.")
    fan_now = optional_percent(FAN_RANGE, "From now on; leave out to keep the fan.")

    def what_if(
        heat_percent: heat_now = None,  # type: ignore[valid-type]
        fan_percent: fan_now = None,  # type: ignore[valid-type]
        changes: Annotated[
            list[ScheduledChange] | None,  # type: ignore[valid-type]
            Field(
                max_length=MAX_SCHEDULE_CHANGES,
                description="Later changes, each {at_s, heat_percent?, fan_percent?}; at most "
                f"{MAX_SCHEDULE_CHANGES} changes in all, counting the one now.",
            ),
        ] = None,
        horizon_s: Annotated[
            float,
            Field(
                strict=True,
                ge=HORIZON_MIN_S,
                le=HORIZON_MAX_S,
                allow_inf_nan=False,
                description=f"How far ahead, seconds ({HORIZON_MIN_S:g}-{HORIZON_MAX_S:g}).",
            ),
            seconds_check("horizon_s", HORIZON_MIN_S, HORIZON_MAX_S),
        ] = DEFAULT_HORIZON_S,
    ) -> Annotated[CallToolResult, WhatIf]:
        with refusals("what_if"):
            schedule = schedule_of(heat_percent, fan_percent, changes or [])
            answer = manager.what_if(schedule, horizon_s)
            if answer.forecast.state is not ForecastState.OK:
                raise ToolError(not_ready_text(answer.forecast))
            text = summary(answer, manager.get_status())
            return CallToolResult(
                content=[TextContent(type="text", text=text)],
                structured_content=answer.model_dump(mode="json"),
            )

    registry.add(
        what_if,
        description=(
            "Ask what would follow if heat and/or fan changed, before changing anything: "
            "read-only, nothing is sent to the roaster. heat_percent and fan_percent apply from "
            "now; changes adds later ones at at_s seconds from now. Returns forecast (under those "
            "settings) beside holding (today's settings): BT in 60/120/180 s, the BT curve to "
            "horizon_s with RoR, and the seconds until dry end, first crack and the drop at the "
            "DTR target, each with an 80 % interval. Refused, changing nothing, for values "
            f"outside the ranges (heat {heat.allowed}, fan {FAN_RANGE.allowed}, horizon_s "
            f"{HORIZON_MIN_S:g}-{HORIZON_MAX_S:g}, at most {MAX_SCHEDULE_CHANGES} changes, none "
            "after horizon_s), with no session, or while the forecast cannot answer "
            "(get_roast_status forecast.state not ok)."
        ),
        annotations=tool_annotations("What if", read_only=True),
    )


__all__ = ["register_forecast_tools", "summary"]
