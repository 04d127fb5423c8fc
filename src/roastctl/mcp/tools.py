"""The MCP tools: typed, bounded arguments in, one manager call, a compact result out.

Every tool is a thin translation of :class:`~roastctl.session.manager.RoastSessionManager`: the
arguments are validated at the edge (their JSON-schema bounds come from the ranges declared once in
:mod:`roastctl.controls`), the manager does the work and enforces the interlocks, and every
:class:`~roastctl.errors.RoasterError` reaches the agent as a tool error with the manager's own
message, which names the value, the allowed range and the next step.

This module deliberately does not use ``from __future__ import annotations``: the tools are
closures whose ``Annotated`` bounds are built from the configured ranges at run time, and the SDK
reads the annotations as objects.
"""

import inspect
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any, Literal

import anyio
import anyio.to_thread
from mcp.server import MCPServer
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.fields import FieldInfo

from roastctl.access.principal import PRINCIPAL
from roastctl.access.roles import may_control
from roastctl.controls import ControlRange
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.errors import RoasterError
from roastctl.mcp.brief import brief, digits
from roastctl.models import (
    CurvePoint,
    RoastEvent,
    RoastPhase,
    RoastStatus,
    SafetyStatus,
    SensorReading,
    StoreHealth,
)
from roastctl.session.manager import FIRST_CRACK_TEMP_RANGE_C, RoastSessionManager
from roastctl.session.recorder import calling_as

logger = logging.getLogger(__name__)

#: Shown in every timestamp error: the one format the agent should send.
TIMESTAMP_EXAMPLE = "2026-11-24T10:15:30Z"
#: Bounds of the curve query arguments.
CURVE_LAST_N_MAX = 5000
CURVE_MAX_POINTS_MAX = 2000
#: since_s reaches at most a day either side of CHARGE: no roast is longer.
CURVE_SINCE_S_LIMIT = 86_400.0
#: Roast ids and list offsets stop at SQLite's largest integer (2^63 - 1): beyond it the store
#: cannot even look, and no roast can have such an id.
ROAST_ID_MAX = 2**63 - 1
#: The simulated batch a person can pour (the Hottop takes up to 250 g).
CHARGE_MASS_MIN_G = 50.0
CHARGE_MASS_MAX_G = 250.0
MARKABLE_EVENTS = ("CHARGE", "DRY_END", "FC_START", "FC_END", "DROP")

#: Tools that run whatever arguments come with them: a safety stop is never refused for a typo.
NEVER_REFUSED = frozenset({"emergency_stop"})

MarkableEvent = Literal["CHARGE", "DRY_END", "FC_START", "FC_END", "DROP"]
ClearableFault = Literal[
    "bean_over_temperature", "env_over_temperature", "stale_data", "dead_man", "emergency_stop"
]


# --------------------------------------------------------------------- output models
class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class RoasterState(_Out):
    """Probes and actuators as the roaster itself reported them in one reading."""

    bean_temp_c: float = Field(description="BT: bean probe, deg C.")
    env_temp_c: float = Field(description="ET: drum air probe, deg C.")
    heat_percent: int = Field(description="Heater power, %.")
    fan_percent: int = Field(description="Main fan, %.")
    drum_on: bool
    door_open: bool = Field(description="Drop door open.")
    cooling_on: bool = Field(description="Cooling-tray stirrer running.")
    sample_age_s: float | None = Field(description="Seconds since this reading was taken.")


class CommandResult(_Out):
    """What a control tool did, confirmed by a reading taken after it."""

    action: str = Field(description="The tool that ran.")
    done: str = Field(description="What was carried out.")
    roaster: RoasterState | None = Field(
        description="A fresh reading taken after the command; null if none could be taken."
    )


class EventView(_Out):
    """One event on the roast's time line."""

    type: str = Field(description="CHARGE, TP, DRY_END, FC_START, FC_END or DROP.")
    elapsed_s: float = Field(description="Seconds since CHARGE (0 for CHARGE).")
    bean_temp_c: float | None
    source: str = Field(description="auto (detected), manual (marked) or command (drop_beans).")
    timestamp_utc: datetime


class FaultView(_Out):
    """A latched safety fault."""

    fault: str = Field(description="The rule that tripped; pass it to clear_fault.")
    message: str
    clears_when: str = Field(description="What clear_fault checks before it clears.")
    since_utc: datetime


class SafetyView(_Out):
    """What the safety supervisor sees and has done."""

    state: Literal["ok", "warning", "fault"]
    heat_allowed: bool
    heat_refused_because: str | None
    faults: list[FaultView]
    warnings: list[str]
    last_action: str | None = Field(description="The supervisor's newest action, and why.")
    dead_man_seconds_left: float | None = Field(
        description="Seconds until the heat is cut unless a call arrives; null when idle."
    )


class StoreView(_Out):
    """ok, lagging (rows wait) or failing (writes fail, retried); rows waiting and lost."""

    state: str
    pending: int
    dropped: int
    last_error: str | None
    roasts_waiting: int = Field(
        default=0,
        description="Roasts begun while the store could not be written, to be created with "
        "their rows; roast_id is null until then.",
    )


class StatusView(_Out):
    """A compact snapshot of the session, the roaster and the roast."""

    session_active: bool
    roast_number: int = Field(description="Roasts started since the server started (1-based).")
    phase: RoastPhase
    roast_elapsed_s: float | None = Field(description="Seconds since CHARGE; stops at DROP.")
    roast_elapsed_display: str | None = Field(description="The same as MM:SS.")
    rate_of_rise_c_per_min: float | None = Field(description="BT rate of rise, deg C/min.")
    roaster: RoasterState | None = Field(description="The newest reading; null before the first.")
    events: list[EventView]
    charge_temp_c: float | None
    turning_point_s: float | None
    dry_end_s: float | None
    first_crack_s: float | None
    first_crack_temp_c: float | None
    drop_s: float | None
    development_time_s: float | None = Field(description="First crack to DROP (or now).")
    development_time_percent: float | None = Field(
        description="DTR: development time / time since CHARGE, %."
    )
    development_target_percent: tuple[float, float] | None
    development_target_reached: bool | None
    connected: bool
    driver: str
    samples: int
    poll_errors: int
    last_error: str | None
    last_sample_age_s: float | None = Field(
        description="Seconds since the newest reading; large values mean stale data."
    )
    data_fresh: bool = Field(description="False when the roaster's data is stale or frozen.")
    safety: SafetyView
    notices: list[str] = Field(description="E.g. a roast a crash interrupted.")
    store: StoreView | None = Field(description="The roast store's health; null: not kept.")


class EventResult(_Out):
    """An event put on the time line, and the metrics it changed."""

    action: str
    event: EventView
    phase: RoastPhase
    first_crack_s: float | None
    development_time_percent: float | None


class SessionResult(_Out):
    """The session after start_session or stop_session."""

    action: str
    done: str
    session_active: bool
    roast_number: int
    connected: bool
    roaster_model: str | None


class CurveSample(_Out):
    """One sample of the roast curve."""

    time_s: float = Field(description="Seconds since CHARGE (negative before it).")
    bean_temp_c: float
    env_temp_c: float
    bean_ror_c_per_min: float | None
    heat_percent: int
    fan_percent: int


class CurveView(_Out):
    """The current roast's samples, oldest first."""

    roast_number: int
    time_origin: Literal["CHARGE", "first_sample"] = Field(
        description="What time_s counts from: CHARGE, or the first sample before CHARGE."
    )
    points: list[CurveSample]


class EmergencyStopResult(_Out):
    """What emergency_stop did."""

    done: str
    heat_off: bool = Field(description="The heater-off command was accepted by the roaster.")
    drop_sequence_sent: bool = Field(description="The drop sequence was accepted by the roaster.")
    roaster: RoasterState | None = Field(description="A reading taken after the stop.")


class FirstCrackHeard(_Out):
    """What the simulator's 'ear' heard."""

    heard: bool
    first_crack_utc: datetime | None = Field(
        description="When first crack started (UTC); pass it to report_first_crack."
    )


# --------------------------------------------------------------------- conversions
def roaster_state(reading: SensorReading | None, now_s: float) -> RoasterState | None:
    """Return the compact view of a reading (``now_s`` on the session clock)."""
    if reading is None:
        return None
    return RoasterState(
        bean_temp_c=reading.bean_temp_c,
        env_temp_c=reading.env_temp_c,
        heat_percent=reading.heat_percent,
        fan_percent=reading.fan_percent,
        drum_on=reading.drum_on,
        door_open=reading.door_open,
        cooling_on=reading.cooling_on,
        sample_age_s=round(max(0.0, now_s - reading.monotonic_s), 3),
    )


def event_view(event: RoastEvent) -> EventView:
    """Return the compact view of an event."""
    return EventView(
        type=event.type.value,
        elapsed_s=event.elapsed_s,
        bean_temp_c=event.bean_temp_c,
        source=event.source.value,
        timestamp_utc=event.timestamp,
    )


def safety_view(safety: SafetyStatus) -> SafetyView:
    """Return the compact view of the supervisor's status."""
    last = safety.last_action
    return SafetyView(
        state=safety.state,
        heat_allowed=safety.heat_allowed,
        heat_refused_because=safety.heat_refused_because,
        faults=[
            FaultView(
                fault=fault.rule.value,
                message=fault.message,
                clears_when=fault.clears_when,
                since_utc=fault.since_utc,
            )
            for fault in safety.faults
        ],
        warnings=list(safety.warnings),
        last_action=None if last is None else f"{last.rule.value}: {last.message}",
        dead_man_seconds_left=safety.dead_man_seconds_left,
    )


def status_view(status: RoastStatus, now_s: float) -> StatusView:
    """Return the compact view of a full status snapshot."""
    metrics = status.metrics
    connection = status.connection
    return StatusView(
        session_active=status.session_active,
        roast_number=status.roast_number,
        phase=metrics.phase,
        roast_elapsed_s=metrics.roast_elapsed_s,
        roast_elapsed_display=metrics.roast_elapsed_display,
        rate_of_rise_c_per_min=metrics.rate_of_rise_c_per_min,
        roaster=roaster_state(status.sensors, now_s),
        events=[event_view(event) for event in status.events],
        charge_temp_c=metrics.charge_temp_c,
        turning_point_s=metrics.turning_point_s,
        dry_end_s=metrics.dry_end_s,
        first_crack_s=metrics.first_crack_s,
        first_crack_temp_c=metrics.first_crack_temp_c,
        drop_s=metrics.drop_s,
        development_time_s=metrics.development_time_s,
        development_time_percent=metrics.development_time_percent,
        development_target_percent=metrics.development_target_percent,
        development_target_reached=metrics.development_target_reached,
        connected=connection.connected,
        driver=connection.driver,
        samples=connection.samples,
        poll_errors=connection.poll_errors,
        last_error=connection.last_error,
        last_sample_age_s=connection.last_sample_age_s,
        data_fresh=connection.data_fresh,
        safety=safety_view(status.safety),
        notices=list(status.notices),
        store=None if status.store is None else store_view(status.store),
    )


def store_view(health: StoreHealth) -> StoreView:
    """Return the compact view of the roast store's health."""
    return StoreView(
        state=health.state,
        pending=health.pending,
        dropped=health.dropped,
        last_error=health.last_error,
        roasts_waiting=health.roasts_waiting,
    )


def read_curve(
    manager: RoastSessionManager,
    *,
    since_s: float | None = None,
    last_n: int | None = None,
    max_points: int | None = None,
) -> list[CurvePoint]:
    """Return the current roast's curve points: the one place the adapter reads samples."""
    return manager.get_curve(since_s=since_s, last_n=last_n, max_points=max_points)


def curve_view(manager: RoastSessionManager, points: list[CurvePoint]) -> CurveView:
    """Return the compact view of curve points for the current roast."""
    status = manager.get_status()
    charged = any(event.type.value == "CHARGE" for event in status.events)
    return CurveView(
        roast_number=status.roast_number,
        time_origin="CHARGE" if charged else "first_sample",
        points=[
            CurveSample(
                time_s=point.time_s,
                bean_temp_c=point.bean_temp_c,
                env_temp_c=point.env_temp_c,
                bean_ror_c_per_min=point.bean_ror_c_per_min,
                heat_percent=point.heat_percent,
                fan_percent=point.fan_percent,
            )
            for point in points
        ],
    )


def parse_utc(value: str, name: str = "timestamp") -> datetime:
    """Parse an ISO-8601 time with a timezone (a trailing ``Z`` is accepted); else ToolError."""
    text = value.strip()
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ToolError(
            f"{name} {value!r} is not an ISO-8601 time. Send UTC with a timezone, e.g. "
            f"{TIMESTAMP_EXAMPLE}. Nothing was recorded."
        ) from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise ToolError(
            f"{name} {value!r} has no timezone, so it cannot be placed on the roast's time line. "
            f"Send UTC with a Z or an offset, e.g. {TIMESTAMP_EXAMPLE} or "
            f"{when.isoformat()}+00:00. Nothing was recorded."
        )
    return when


@contextmanager
def refusals(tool: str) -> Iterator[None]:
    """Turn every failure inside a tool into a :class:`ToolError` the agent can act on."""
    try:
        yield
    except ToolError:
        raise
    except RoasterError as exc:
        raise ToolError(str(exc)) from exc
    except Exception as exc:
        logger.exception("tool %s failed unexpectedly", tool)
        raise ToolError(
            f"{tool} failed unexpectedly ({type(exc).__name__}: {exc}); it may not have been "
            "carried out. Call get_roast_status to see the roaster's state, and emergency_stop "
            "if anything looks wrong."
        ) from exc


def since_s_check(value: object) -> object:
    """Refuse a huge integer by the range (pydantic calls one too big for a float not a number)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > CURVE_SINCE_S_LIMIT:
        raise ValueError(
            f"since_s must be between {-CURVE_SINCE_S_LIMIT:g} and {CURVE_SINCE_S_LIMIT:g} "
            f"seconds since CHARGE, got a number of about {digits(value)} digits; resend a time "
            "within the roast"
        )
    return value


def range_field(control: ControlRange) -> FieldInfo:
    """Return the JSON-schema bounds of an argument set within ``control``."""
    bounds: FieldInfo = Field(
        ge=control.minimum,
        le=control.maximum,
        multiple_of=control.step,
        strict=True,
        description=f"{control.description} Allowed: {control.allowed}.",
    )
    return bounds


def range_check(control: ControlRange) -> BeforeValidator:
    """Return a validator that runs ``control``'s own check before the schema bounds.

    A refusal then reads exactly like the manager's: the value, the allowed values and the
    nearest allowed ones.
    """

    def check(value: object) -> int:
        try:
            return control.validate(value)
        except RoasterError as exc:
            raise ValueError(str(exc)) from None

    return BeforeValidator(check)


# --------------------------------------------------------------------- registration
def tool_annotations(
    title: str, *, read_only: bool = False, destructive: bool = False, idempotent: bool = True
) -> ToolAnnotations:
    """Return a tool's behaviour hints (read-only tools are never destructive)."""
    return ToolAnnotations(
        title=title,
        read_only_hint=read_only,
        destructive_hint=False if read_only else destructive,
        idempotent_hint=idempotent,
        open_world_hint=False,
    )


class ToolRegistry:
    """Registers tools on the server and remembers each tool's argument names.

    The SDK ignores arguments a tool does not declare; :meth:`reject_unknown_arguments` is a
    server middleware that refuses them instead, so a misspelt argument is never silently dropped.
    """

    def __init__(self, mcp: MCPServer) -> None:
        self.mcp = mcp
        self.arguments: dict[str, frozenset[str]] = {}

    def add(
        self, fn: Callable[..., Any], *, description: str, annotations: ToolAnnotations
    ) -> None:
        """Register ``fn`` as the tool of the same name."""
        name = fn.__name__
        self.arguments[name] = frozenset(inspect.signature(fn).parameters)
        self.mcp.add_tool(
            fn,
            name=name,
            title=annotations.title,
            description=description,
            annotations=annotations,
            structured_output=True,
        )

    async def reject_unknown_arguments(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        """Middleware: answer a ``tools/call`` with unknown argument names with a tool error."""
        params = ctx.params
        if ctx.method == "tools/call" and isinstance(params, Mapping):
            name = params.get("name")
            arguments = params.get("arguments")
            allowed = self.arguments.get(name) if isinstance(name, str) else None
            if name in NEVER_REFUSED:
                if arguments is not None and arguments != {}:  # an object, a string, a megabyte
                    logger.warning("%s called with arguments (ignored): %s", name, brief(arguments))
                # Passed on without them, so not even the SDK's check of their type can refuse it.
                return await call_next(replace(ctx, params={**params, "arguments": {}}))
            if allowed is not None and isinstance(arguments, Mapping):
                unknown = sorted(str(key) for key in arguments if key not in allowed)
                if unknown:
                    accepted = ", ".join(sorted(allowed)) or "no arguments"
                    text = (
                        f"{name} refused: unknown argument(s) {', '.join(unknown)}. It takes "
                        f"{accepted}. Nothing was changed; resend with only those."
                    )
                    return CallToolResult(
                        content=[TextContent(type="text", text=text)], is_error=True
                    )
        return await call_next(ctx)


def agent_heartbeat(manager: RoastSessionManager) -> Callable[..., Any]:
    """Return a middleware that tells the dead-man the agent is alive on every request.

    Only requests from a caller that may control count: an observer polling the status must not
    keep the heater on for an operator agent that has gone quiet.
    """

    async def note_agent_call(
        ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        if may_control(PRINCIPAL.get().role):
            manager.note_agent_call()
        with calling_as("agent"):  # the roast store attributes commands to the agent
            return await call_next(ctx)

    return note_agent_call


def register_tools(
    registry: ToolRegistry,
    manager: RoastSessionManager,
    simulator: SimulatedRoaster | None = None,
) -> None:
    """Register every tool on ``registry``'s server, calling ``manager`` (and ``simulator``)."""
    heat = manager.heat_range
    fan = manager.fan_range
    fc_low, fc_high = FIRST_CRACK_TEMP_RANGE_C

    def fresh_state() -> RoasterState | None:
        reading = manager.poll_once()
        if reading is None:
            reading = manager.get_status().sensors
        return roaster_state(reading, manager.clock.monotonic())

    def command(action: str, done: str, fn: Callable[[], object]) -> CommandResult:
        with refusals(action):
            fn()
            return CommandResult(action=action, done=done, roaster=fresh_state())

    # ------------------------------------------------------------- read-only
    def get_roast_status() -> StatusView:
        with refusals("get_roast_status"):
            return status_view(manager.get_status(), manager.clock.monotonic())

    registry.add(
        get_roast_status,
        description=(
            "Read the live state of the roaster and the roast; changes nothing. Returns BT/ET "
            "(deg C), heat and fan (%), drum/door/cooling, the roast phase, elapsed time since "
            "CHARGE, BT rate of rise (deg C/min), the events so far (CHARGE, TP, DRY_END, "
            "FC_START, FC_END, DROP) and development time ratio (DTR %) against its target. "
            "Check data_fresh, last_sample_age_s and poll_errors: stale data refuses heat. "
            "safety shows latched faults (and what clears each), warnings near the temperature "
            "limits, the supervisor's last action and the seconds before the dead-man cuts the "
            "heat. notices says what to know since start-up (a roast a crash interrupted); store "
            "says whether the roast is being written (ok, lagging, failing, and why). Poll this "
            "every 5-15 s during a roast."
        ),
        annotations=tool_annotations("Roast status", read_only=True),
    )

    def get_roast_curve(
        since_s: Annotated[
            float | None,
            Field(
                strict=True,
                allow_inf_nan=False,
                ge=-CURVE_SINCE_S_LIMIT,
                le=CURVE_SINCE_S_LIMIT,
                description="Only samples at or after this time (seconds since CHARGE; "
                "negative values reach before CHARGE).",
            ),
            BeforeValidator(since_s_check),
        ] = None,
        last_n: Annotated[
            int | None,
            Field(ge=1, le=CURVE_LAST_N_MAX, strict=True, description="Only the newest n samples."),
        ] = None,
        max_points: Annotated[
            int | None,
            Field(
                ge=2,
                le=CURVE_MAX_POINTS_MAX,
                strict=True,
                description="Thin the result evenly to at most this many points "
                "(first and last kept).",
            ),
        ] = None,
    ) -> CurveView:
        with refusals("get_roast_curve"):
            points = read_curve(manager, since_s=since_s, last_n=last_n, max_points=max_points)
            return curve_view(manager, points)

    registry.add(
        get_roast_curve,
        description=(
            "Read the current roast's samples, oldest first; changes nothing. Each point has "
            "time_s (seconds since CHARGE, or since the first sample before CHARGE), BT and ET "
            "(deg C), BT rate of rise (deg C/min), heat and fan (%). Filters apply in this order: "
            f"since_s, last_n (1-{CURVE_LAST_N_MAX}), then max_points "
            f"(2-{CURVE_MAX_POINTS_MAX}) thins evenly. Use it to judge the RoR trend, e.g. "
            "last_n=60 for the last minute at 1 Hz."
        ),
        annotations=tool_annotations("Roast curve", read_only=True),
    )

    # ------------------------------------------------------------- actuators
    heat_field, heat_check = range_field(heat), range_check(heat)
    fan_field, fan_check = range_field(fan), range_check(fan)

    def set_heat(percent: Annotated[int, heat_field, heat_check]) -> CommandResult:
        return command("set_heat", f"heater set to {percent} %", lambda: manager.set_heat(percent))

    registry.add(
        set_heat,
        description=(
            f"Set heater power to percent ({heat.allowed}). Takes effect at once and holds until "
            "changed. Refused (nothing changes) when the value is not allowed, when no session is "
            "active (call start_session), when percent > 0 while the drum is stopped (call "
            "start_roaster first): the heater must never heat a still drum, when percent > 0 "
            "after drop_beans or during cooling (until stop_cooling), on stale data, or while a "
            "safety fault is latched (emergency_stop latches one; see clear_fault). Heat 0 is "
            "always allowed. Returns the roaster's reading taken after the change."
        ),
        annotations=tool_annotations("Set heat", destructive=True),
    )

    def set_fan(percent: Annotated[int, fan_field, fan_check]) -> CommandResult:
        return command("set_fan", f"fan set to {percent} %", lambda: manager.set_fan(percent))

    registry.add(
        set_fan,
        description=(
            f"Set the main (exhaust) fan to percent ({fan.allowed}; each 10 % is one Hottop fan "
            "level). More fan removes chaff and smoke and slows the rise of BT. Refused "
            "(nothing changes) when the value is not allowed or no session is active. Returns the "
            "reading taken after the change."
        ),
        annotations=tool_annotations("Set fan", destructive=True),
    )

    def start_roaster() -> CommandResult:
        return command("start_roaster", "drum motor started", manager.start_roaster)

    registry.add(
        start_roaster,
        description=(
            "Start the drum motor. Needed before any heat: set_heat above 0 is refused while "
            "the drum is stopped. Idempotent. Refused when no session is active."
        ),
        annotations=tool_annotations("Start drum", destructive=True),
    )

    def stop_roaster() -> CommandResult:
        return command("stop_roaster", "drum motor and heater stopped", manager.stop_roaster)

    registry.add(
        stop_roaster,
        description=(
            "Stop the drum motor; the heater goes off with it (heat 0). Do not use this to end a "
            "roast with beans inside: use drop_beans. Idempotent. Refused when no session is "
            "active."
        ),
        annotations=tool_annotations("Stop drum", destructive=True),
    )

    def drop_beans() -> CommandResult:
        with refusals("drop_beans"):
            event = manager.drop_beans()
            mark = (
                "DROP marked on the time line"
                if event is not None
                else "no beans were charged, so no DROP mark"
            )
            done = f"dropped: heater off, door open, drum on, cooling stirrer on, fan 100 %; {mark}"
            return CommandResult(action="drop_beans", done=done, roaster=fresh_state())

    registry.add(
        drop_beans,
        description=(
            "End the roast: heater 0, drop door open, drum on (so every bean leaves), cooling "
            "stirrer on and fan 100 %; DROP goes on the time line if beans were charged. This "
            "cannot be undone for the batch. Call it when the development time ratio "
            "(development_time_percent) reaches the target, or at once if BT runs away. Repeat "
            "calls are harmless. Refused when no session is active. Afterwards let the beans "
            "cool (about 4 min), then stop_cooling."
        ),
        annotations=tool_annotations("Drop beans", destructive=True),
    )

    def start_cooling() -> CommandResult:
        return command("start_cooling", "cooling stirrer on, fan 100 %", manager.start_cooling)

    registry.add(
        start_cooling,
        description=(
            "Start the cooling-tray stirrer with the fan at 100 %. drop_beans already does this; "
            "use it to restart cooling. Idempotent. Refused when no session is active."
        ),
        annotations=tool_annotations("Start cooling", destructive=True),
    )

    def stop_cooling() -> CommandResult:
        return command(
            "stop_cooling",
            "cooling stopped: stirrer, fan, drum and heater off, door closed",
            manager.stop_cooling,
        )

    registry.add(
        stop_cooling,
        description=(
            "End cooling once the beans are cool (about 4 min after the drop): stirrer, fan, "
            "drum and heater off, drop door closed for the next batch. Refused (cooling goes "
            "on) while BT is at or above safety.release_temp_c (180 deg C by default) or ET at "
            "or above safety.env_release_temp_c (220 deg C), and without a fresh reading to "
            "tell; call it again once they are below. It ends the drop interlock; for the next "
            "batch then call stop_session and start_session, start_roaster and set_heat. "
            "Idempotent. Refused when no session is active."
        ),
        annotations=tool_annotations("Stop cooling", destructive=True),
    )

    # ------------------------------------------------------------- events
    timestamp_field = Field(
        min_length=1,
        max_length=64,
        description=f"ISO-8601 time in UTC with a timezone, e.g. {TIMESTAMP_EXAMPLE}.",
    )

    def event_result(action: str, event: RoastEvent) -> EventResult:
        metrics = manager.get_status().metrics
        return EventResult(
            action=action,
            event=event_view(event),
            phase=metrics.phase,
            first_crack_s=metrics.first_crack_s,
            development_time_percent=metrics.development_time_percent,
        )

    def report_first_crack(
        timestamp: Annotated[str, timestamp_field],
        temperature_c: Annotated[
            float | None,
            Field(
                strict=True,
                ge=fc_low,
                le=fc_high,
                allow_inf_nan=False,
                description=f"BT at first crack, deg C ({fc_low:.0f}-{fc_high:.0f}); "
                "leave out to use the BT recorded at that moment.",
            ),
        ] = None,
    ) -> EventResult:
        with refusals("report_first_crack"):
            when = parse_utc(timestamp)
            event = manager.report_first_crack(when, temperature_c)
            return event_result("report_first_crack", event)

    registry.add(
        report_first_crack,
        description=(
            "Record first crack (FC_START) at timestamp: when the first cracks were heard, in UTC "
            f"(ISO-8601 with Z or an offset, e.g. {TIMESTAMP_EXAMPLE}); it may be in the past, "
            "not more than a few seconds in the future. From then on development time and DTR "
            "are computed. A second report moves first crack to the new time. Refused (nothing "
            "recorded) before CHARGE, with a time without timezone, a malformed time, a time "
            "before CHARGE, or a temperature outside the range."
        ),
        annotations=tool_annotations("Report first crack"),
    )

    def mark_event(
        event: Annotated[
            MarkableEvent,
            Field(description=f"One of {', '.join(MARKABLE_EVENTS)}."),
        ],
        timestamp: Annotated[str | None, timestamp_field] = None,
    ) -> EventResult:
        with refusals("mark_event"):
            when = None if timestamp is None else parse_utc(timestamp)
            marked = manager.mark_event(event, when)
            return event_result("mark_event", marked)

    registry.add(
        mark_event,
        description=(
            f"Put an event ({', '.join(MARKABLE_EVENTS)}) on the roast's time line at timestamp "
            f"(UTC, e.g. {TIMESTAMP_EXAMPLE}) or, without one, now. A mark replaces any earlier "
            "mark or automatic detection of the same event (CHARGE, DRY_END and DROP are "
            "normally detected automatically; the turning point is always computed). Refused "
            "(nothing recorded) when no session is active, for events other than CHARGE before "
            "CHARGE, and for malformed, naive or future times."
        ),
        annotations=tool_annotations("Mark roast event"),
    )

    # ------------------------------------------------------------- session
    def session_result(action: str, done: str) -> SessionResult:
        status = manager.get_status()
        info = status.connection.roaster_info
        return SessionResult(
            action=action,
            done=done,
            session_active=status.session_active,
            roast_number=status.roast_number,
            connected=status.connection.connected,
            roaster_model=None if info is None else info.model,
        )

    def start_session() -> SessionResult:
        with refusals("start_session"):
            if manager.is_active():
                return session_result(
                    "start_session", "a session was already active; nothing changed"
                )
            manager.start_session()
            return session_result("start_session", "connected; polling started; a new roast begins")

    registry.add(
        start_session,
        description=(
            "Connect to the roaster and start sampling; begins a new roast (fresh events and "
            "metrics). Idempotent: when a session is already active nothing changes. A restart "
            "keeps every safety rule: heat stays refused while the roaster reports its door open "
            "or its stirrer running (call stop_cooling once the beans are cool), and while a "
            "safety fault is latched the roaster is connected and watched but no new roast "
            "begins: the error names the fault and what clears it; once clear_fault succeeds, "
            "call stop_session and start_session again."
        ),
        annotations=tool_annotations("Start session"),
    )

    def stop_session() -> SessionResult:
        with refusals("stop_session"):
            was_active = manager.is_active()
            manager.stop_session()
            done = (
                "roaster left safe (heater off; hot beans dropped and cooling), sampling "
                "stopped, roaster disconnected"
                if was_active
                else "no session was active; nothing changed"
            )
            return session_result("stop_session", done)

    registry.add(
        stop_session,
        description=(
            "Leave the roaster safe, stop sampling and disconnect: the heater goes off, and "
            "charged beans still in the drum and hot are dropped and cooled (door open, "
            "stirrer and fan on). Drop the beans yourself first when you can. Afterwards every "
            "control tool is refused until start_session, which begins a new roast. It is not "
            "needed between batches, and clears nothing: a latched fault stays latched. Safe "
            "next batch: drop_beans, let the beans cool, stop_cooling (refused while BT is "
            "hot), stop_session, start_session, start_roaster, set_heat. Idempotent."
        ),
        annotations=tool_annotations("Stop session", destructive=True),
    )

    # ------------------------------------------------------------- emergency

    async def emergency_stop() -> EmergencyStopResult:
        logger.warning("EMERGENCY STOP requested")
        # A limiter of its own: never waits for worker threads taken by other calls, and never
        # takes the manager's command lock, so a stuck command cannot hold it up.
        limiter = anyio.CapacityLimiter(1)
        failures = await anyio.to_thread.run_sync(manager.emergency_stop, limiter=limiter)
        if failures:  # a device that did not answer is not polled again for the reply
            active = manager.is_active()
            raise ToolError(
                "EMERGENCY STOP INCOMPLETE: "
                + "; ".join(failures)
                + (
                    ". The heater was switched off when the session stopped, but confirm it."
                    if not active
                    else ". Switch the roaster off at its power switch now."
                )
                + " Then call get_roast_status."
            )
        return EmergencyStopResult(
            done="heater off; drop sequence: door open, drum on, cooling stirrer on, fan 100 %",
            heat_off=True,
            drop_sequence_sent=True,
            roaster=await anyio.to_thread.run_sync(fresh_state, limiter=limiter),
        )

    registry.add(
        emergency_stop,
        description=(
            "EMERGENCY: switch the heater off at once and run the drop sequence (door open, drum "
            "on so the beans leave, cooling stirrer on, fan 100 %). It goes straight to the "
            "roaster, ahead of any other command in flight, and works with or without beans; "
            "DROP is detected from the door opening. Call it on anything odd: BT or ET rising "
            "out of control, smoke, stale or frozen readings, readings that disagree with your "
            "commands, or errors you cannot explain. Takes no arguments (any given are ignored, so "
            "it is never refused). Safe to repeat. It latches the emergency_stop fault: heat and "
            "new roasts are refused until clear_fault, once BT is below 180 deg C. If it reports "
            "failure, cut the roaster's power."
        ),
        annotations=tool_annotations("Emergency stop", destructive=True),
    )

    def clear_fault(fault: ClearableFault | None = None) -> SafetyView:
        with refusals("clear_fault"):
            manager.clear_fault(fault)
            return safety_view(manager.get_status().safety)

    registry.add(
        clear_fault,
        description=(
            "Clear a latched safety fault (or all of them when fault is left out). The server "
            "latches a fault when BT or ET reaches its limit (the beans are dropped), when the "
            "roaster's data goes stale while heating, when no call arrives for the dead-man "
            "time while heating, or after emergency_stop; while one is latched, heat above 0 "
            "and new roasts are refused. Clearing is refused, changing nothing, while the cause "
            "persists: over-temperature and emergency stop need BT below the release "
            "temperature (180 deg C by default) on fresh data, stale data needs fresh readings. "
            "Read safety.faults in get_roast_status first; each names what clears it."
        ),
        annotations=tool_annotations("Clear safety fault"),
    )

    # ------------------------------------------------------------- simulator only
    if simulator is None:
        return
    sim = simulator

    def charge_beans(
        mass_g: Annotated[
            float,
            Field(
                strict=True,
                ge=CHARGE_MASS_MIN_G,
                le=CHARGE_MASS_MAX_G,
                allow_inf_nan=False,
                description=f"Green beans, g ({CHARGE_MASS_MIN_G:.0f}-{CHARGE_MASS_MAX_G:.0f}).",
            ),
        ],
    ) -> CommandResult:
        return command(
            "charge_beans", f"{mass_g:g} g of green beans poured in", lambda: sim.charge(mass_g)
        )

    registry.add(
        charge_beans,
        description=(
            "SIMULATOR ONLY: pour mass_g grams of green beans into the drum, as a person does "
            "by hand on a real Hottop. Do it after preheating (ET around 180-200 deg C) with "
            "the drum turning. CHARGE is detected automatically from the BT fall within about "
            "20 s. Refused when beans are already in the drum (drop them first) or no session "
            "is active."
        ),
        annotations=tool_annotations("Charge beans (simulator)", idempotent=False),
    )

    def first_crack_heard() -> FirstCrackHeard:
        with refusals("first_crack_heard"):
            when = sim.first_crack_time()
            return FirstCrackHeard(heard=when is not None, first_crack_utc=when)

    registry.add(
        first_crack_heard,
        description=(
            "SIMULATOR ONLY: the simulator's ear. Returns when first crack started in this "
            "batch (UTC), or heard=false so far. It does not record anything: pass "
            "first_crack_utc to report_first_crack to put first crack on the time line."
        ),
        annotations=tool_annotations("First crack heard? (simulator)", read_only=True),
    )
