"""The live-control and status MCP tools: typed, bounded arguments in, one manager call, a result.

Every tool is a thin translation of :class:`~roastctl.session.manager.RoastSessionManager`: the
arguments are validated at the edge (their JSON-schema bounds come from the ranges declared once in
:mod:`roastctl.controls`), the manager does the work and enforces the interlocks, and every
:class:`~roastctl.errors.RoasterError` reaches the agent as a tool error with the manager's own
message, which names the value, the allowed range and the next step. The answers are the views
of :mod:`roastctl.mcp.views`; the registration plumbing is :mod:`roastctl.mcp.registry`.

This module deliberately does not use ``from __future__ import annotations``: the tools are
closures whose ``Annotated`` bounds are built from the configured ranges at run time, and the SDK
reads the annotations as objects.
"""

import logging
from collections.abc import Callable
from typing import Annotated, Literal

import anyio
import anyio.to_thread
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BeforeValidator, Field

from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.brief import digits
from roastctl.mcp.control_tools import register_drop_target_tools
from roastctl.mcp.follow_tools import register_follow_tools
from roastctl.mcp.forecast_tools import register_forecast_tools
from roastctl.mcp.registry import (
    TIMESTAMP_EXAMPLE,
    ToolRegistry,
    parse_utc,
    range_check,
    range_field,
    refusals,
    tool_annotations,
)
from roastctl.mcp.views import (
    CommandResult,
    CurveView,
    EmergencyStopResult,
    EventResult,
    FirstCrackHeard,
    RoasterState,
    SafetyView,
    SessionResult,
    StatusView,
    curve_view,
    event_view,
    read_curve,
    roaster_state,
    safety_view,
    status_answer,
)
from roastctl.models import RoastEvent
from roastctl.session.manager import FIRST_CRACK_TEMP_RANGE_C, RoastSessionManager

logger = logging.getLogger(__name__)

#: Bounds of the curve query arguments.
CURVE_LAST_N_MAX = 5000
CURVE_MAX_POINTS_MAX = 2000
#: since_s reaches at most a day either side of CHARGE: no roast is longer.
CURVE_SINCE_S_LIMIT = 86_400.0
#: The simulated batch a person can pour (the Hottop takes up to 250 g).
CHARGE_MASS_MIN_G = 50.0
CHARGE_MASS_MAX_G = 250.0
MARKABLE_EVENTS = (
    "CHARGE",
    "DRY_END",
    "FC_START",
    "FC_END",
    "SC_START",
    "SC_END",
    "DROP",
    "COOL",
)

MarkableEvent = Literal[
    "CHARGE", "DRY_END", "FC_START", "FC_END", "SC_START", "SC_END", "DROP", "COOL"
]
ClearableFault = Literal[
    "bean_over_temperature", "env_over_temperature", "stale_data", "dead_man", "emergency_stop"
]


def since_s_check(value: object) -> object:
    """Refuse a huge integer by the range (pydantic calls one too big for a float not a number)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > CURVE_SINCE_S_LIMIT:
        raise ValueError(
            f"since_s must be between {-CURVE_SINCE_S_LIMIT:g} and {CURVE_SINCE_S_LIMIT:g} "
            f"seconds since CHARGE, got a number of about {digits(value)} digits; resend a time "
            "within the roast"
        )
    return value


def fresh_state(manager: RoastSessionManager) -> RoasterState | None:
    """Return a reading taken now (the newest one kept, if none can be taken)."""
    reading = manager.poll_once()
    if reading is None:
        reading = manager.get_status(forecast=False).sensors
    return roaster_state(reading, manager.clock.monotonic())


def command(
    manager: RoastSessionManager, action: str, done: str, fn: Callable[[], object]
) -> CommandResult:
    """Run a control command; answer what was done with a reading taken after it."""
    with refusals(action):
        fn()
        return CommandResult(action=action, done=done, roaster=fresh_state(manager))


def register_tools(
    registry: ToolRegistry,
    manager: RoastSessionManager,
    simulator: SimulatedRoaster | None = None,
) -> None:
    """Register every live tool on ``registry``'s server, calling ``manager`` (and ``simulator``).

    The order is the order ``tools/list`` shows them in.
    """
    register_status_tools(registry, manager)
    register_forecast_tools(registry, manager)
    register_heat_and_drum_tools(registry, manager)
    register_drop_and_cooling_tools(registry, manager)
    register_drop_target_tools(registry, manager)
    register_follow_tools(registry, manager)
    register_event_tools(registry, manager)
    register_session_tools(registry, manager)
    register_safety_tools(registry, manager)
    if simulator is not None:
        register_simulator_tools(registry, manager, simulator)


def register_status_tools(registry: ToolRegistry, manager: RoastSessionManager) -> None:
    """Register the read-only tools: the roast's status and its curve."""

    def get_roast_status() -> StatusView:
        with refusals("get_roast_status"):
            return status_answer(manager.get_status(), manager.clock.monotonic())

    registry.add(
        get_roast_status,
        description=(
            "Read the live state of the roaster and the roast; changes nothing. Returns BT/ET "
            "(deg C), heat and fan (%), drum/door/cooling, the roast phase, elapsed time since "
            "CHARGE, BT rate of rise (deg C/min), the events so far (CHARGE, TP, DRY_END, "
            "FC_START, FC_END, SC_START, SC_END, DROP, COOL) and development time ratio (DTR %) "
            "against its target. "
            "Check data_fresh, last_sample_age_s and poll_errors: stale data refuses heat. "
            "safety shows latched faults (and what clears each), warnings near the temperature "
            "limits, the supervisor's last action and the seconds before the dead-man cuts the "
            "heat. forecast says where the roast is going if heat and fan stay as they are: BT "
            "in 60/120/180 s and seconds until dry end, first crack and the drop at the DTR "
            "target, each with an 80 % interval (use what_if to try other settings). "
            "notices says what to know since start-up (a roast a crash interrupted); store "
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


def register_heat_and_drum_tools(registry: ToolRegistry, manager: RoastSessionManager) -> None:
    """Register the heater, fan and drum tools, bounded by the configured ranges."""
    heat = manager.heat_range
    fan = manager.fan_range
    heat_field, heat_check = range_field(heat), range_check(heat)
    fan_field, fan_check = range_field(fan), range_check(fan)

    def set_heat(percent: Annotated[int, heat_field, heat_check]) -> CommandResult:
        return command(
            manager, "set_heat", f"heater set to {percent} %", lambda: manager.set_heat(percent)
        )

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
        return command(
            manager, "set_fan", f"fan set to {percent} %", lambda: manager.set_fan(percent)
        )

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
        return command(manager, "start_roaster", "drum motor started", manager.start_roaster)

    registry.add(
        start_roaster,
        description=(
            "Start the drum motor. Needed before any heat: set_heat above 0 is refused while "
            "the drum is stopped. Idempotent. Refused when no session is active."
        ),
        annotations=tool_annotations("Start drum", destructive=True),
    )

    def stop_roaster() -> CommandResult:
        return command(
            manager, "stop_roaster", "drum motor and heater stopped", manager.stop_roaster
        )

    registry.add(
        stop_roaster,
        description=(
            "Stop the drum motor; the heater goes off with it (heat 0). Do not use this to end a "
            "roast with beans inside: use drop_beans. Idempotent. Refused when no session is "
            "active."
        ),
        annotations=tool_annotations("Stop drum", destructive=True),
    )


def register_drop_and_cooling_tools(registry: ToolRegistry, manager: RoastSessionManager) -> None:
    """Register the end of a batch: drop the beans, cool them, stop cooling."""

    def drop_beans() -> CommandResult:
        with refusals("drop_beans"):
            event = manager.drop_beans()
            mark = (
                "DROP marked on the time line"
                if event is not None
                else "no beans were charged, so no DROP mark"
            )
            done = f"dropped: heater off, door open, drum on, cooling stirrer on, fan 100 %; {mark}"
            return CommandResult(action="drop_beans", done=done, roaster=fresh_state(manager))

    registry.add(
        drop_beans,
        description=(
            "End the roast: heater 0, drop door open, drum on (so every bean leaves), cooling "
            "stirrer on and fan 100 %; DROP goes on the time line if beans were charged. This "
            "cannot be undone for the batch. To drop at a DTR, BT or development time, prefer "
            "set_drop_target: the server then drops on the sample itself. Call this at once if "
            "BT runs away, or when you decide to end the roast now. Repeat "
            "calls are harmless. Refused when no session is active. Afterwards let the beans "
            "cool (about 4 min), then stop_cooling."
        ),
        annotations=tool_annotations("Drop beans", destructive=True),
    )

    def start_cooling() -> CommandResult:
        return command(
            manager, "start_cooling", "cooling stirrer on, fan 100 %", manager.start_cooling
        )

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
            manager,
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
            "tell; call it again once they are below. After a DROP it marks COOL (the end of "
            "cooling, unless COOL was marked already). It ends the drop interlock; for the next "
            "batch then call stop_session and start_session, start_roaster and set_heat. "
            "Idempotent. Refused when no session is active."
        ),
        annotations=tool_annotations("Stop cooling", destructive=True),
    )


def register_event_tools(registry: ToolRegistry, manager: RoastSessionManager) -> None:
    """Register the tools that put events on the roast's time line."""
    fc_low, fc_high = FIRST_CRACK_TEMP_RANGE_C
    timestamp_field = Field(
        min_length=1,
        max_length=64,
        description=f"ISO-8601 time in UTC with a timezone, e.g. {TIMESTAMP_EXAMPLE}.",
    )

    def event_result(action: str, event: RoastEvent) -> EventResult:
        metrics = manager.get_status(forecast=False).metrics
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
            "normally detected automatically; the turning point is always computed). SC_START "
            "and SC_END are second crack (after FC_START and SC_START, at or before DROP); COOL "
            "is the end of cooling (after DROP; stop_cooling marks it too). Refused (nothing "
            "recorded) when no session is active, for events other than CHARGE before CHARGE, "
            "for a mark out of that order, and for malformed, naive or future times."
        ),
        annotations=tool_annotations("Mark roast event"),
    )


def register_session_tools(registry: ToolRegistry, manager: RoastSessionManager) -> None:
    """Register the connection tools: start and stop the session."""

    def session_result(action: str, done: str) -> SessionResult:
        status = manager.get_status(forecast=False)
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


def register_safety_tools(registry: ToolRegistry, manager: RoastSessionManager) -> None:
    """Register the emergency stop and the clearing of latched faults."""

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
            roaster=await anyio.to_thread.run_sync(fresh_state, manager, limiter=limiter),
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
            return safety_view(manager.get_status(forecast=False).safety)

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


def register_simulator_tools(
    registry: ToolRegistry, manager: RoastSessionManager, sim: SimulatedRoaster
) -> None:
    """Register the simulator's own tools: pour the beans, hear first crack."""

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
            manager,
            "charge_beans",
            f"{mass_g:g} g of green beans poured in",
            lambda: sim.charge(mass_g),
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


# The answer models are the tools' return types, and part of this module's public face.
__all__ = [
    "CommandResult",
    "CurveView",
    "EventResult",
    "StatusView",
    "register_tools",
]
