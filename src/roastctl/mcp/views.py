"""What the MCP tools answer: compact, typed views of the session's state.

Each view is a frozen pydantic model; the SDK turns it into the tool's output schema, so the class
names here are on the wire (a tool's ``outputSchema`` names them in ``$defs``) and stay as they
are. The functions below build the views from the session's own models, in one place for the
tools and the resources alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from roastctl.models import (
    CurvePoint,
    DropTargetStatus,
    FirstCrackBasis,
    FollowingStatus,
    ForecastState,
    RoastEvent,
    RoastForecast,
    RoastPhase,
    RoastStatus,
    SafetyStatus,
    SensorReading,
    StoreHealth,
)
from roastctl.session.manager import RoastSessionManager


class View(BaseModel):
    """Base of every answer a tool gives: frozen, so an answer never changes once made."""

    model_config = ConfigDict(frozen=True)


# Named as clients see it: the class name is the "$defs" key of every control tool's output
# schema. (The supervisor's own view of the roaster is roastctl.safety.SafetyInputs.)
class RoasterState(View):
    """Probes and actuators as the roaster itself reported them in one reading."""

    bean_temp_c: float = Field(description="BT: bean probe, deg C.")
    env_temp_c: float = Field(description="ET: drum air probe, deg C.")
    heat_percent: int = Field(description="Heater power, %.")
    fan_percent: int = Field(description="Main fan, %.")
    drum_on: bool
    door_open: bool = Field(description="Drop door open.")
    cooling_on: bool = Field(description="Cooling-tray stirrer running.")
    sample_age_s: float | None = Field(description="Seconds since this reading was taken.")


class CommandResult(View):
    """What a control tool did, confirmed by a reading taken after it."""

    action: str = Field(description="The tool that ran.")
    done: str = Field(description="What was carried out.")
    roaster: RoasterState | None = Field(
        description="A fresh reading taken after the command; null if none could be taken."
    )


class EventView(View):
    """One event on the roast's time line."""

    type: str = Field(
        description="CHARGE, TP, DRY_END, FC_START, FC_END, SC_START, SC_END, DROP or COOL."
    )
    elapsed_s: float = Field(description="Seconds since CHARGE (0 for CHARGE).")
    bean_temp_c: float | None
    source: str = Field(
        description="auto (detected), manual (marked) or command (drop_beans, stop_cooling)."
    )
    timestamp_utc: datetime


class FaultView(View):
    """A latched safety fault."""

    fault: str = Field(description="The rule that tripped; pass it to clear_fault.")
    message: str
    clears_when: str = Field(description="What clear_fault checks before it clears.")
    since_utc: datetime


class SafetyView(View):
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


class StoreView(View):
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


class DropTargetView(View):
    """The drop target the server carries out (set_drop_target)."""

    kind: str = Field(description="dtr_percent, bt_c or development_s.")
    target: float
    unit: str
    state: str = Field(
        description="waiting_for_charge, waiting_for_turning_point, waiting_for_first_crack, "
        "armed, done (dropped on it) or superseded (dropped otherwise first)."
    )
    drop_at_s: float | None = Field(description="Seconds since CHARGE it is due at.")
    drop_in_s: float | None
    achieved: float | None = Field(description="The value reached at the drop.")
    dropped_by: str | None = Field(description="The DROP's source.")


def drop_target_view(status: DropTargetStatus) -> DropTargetView:
    """Return the view of a drop target's status."""
    return DropTargetView.model_validate(status.model_dump(mode="json"))


class FollowingView(View):
    """The reference the server follows (follow_reference); deviations are BT minus it."""

    state: str = Field(
        description="waiting_for_charge, following, paused, finished or stopped (see reason)."
    )
    reference: str
    source: str = Field(description="file, roast or designed.")
    reason: str | None
    target_bt_c: float | None
    target_ror_c_per_min: float | None
    deviation_c: float | None
    ror_deviation_c_per_min: float | None
    ahead_s: float | None = Field(description="Negative: behind the reference.")
    next_event: str | None
    next_event_in_s: float | None
    reference_drop_s: float | None
    heat_percent: int | None = Field(description="The heat the server last sent.")
    fan_source: str = Field(description="reference, or agent (your set_fan holds).")
    heat_changes: int


def following_view(status: FollowingStatus) -> FollowingView:
    """Return the view of following's status."""
    return FollowingView.model_validate(status.model_dump(mode="json"))


class ForecastView(View):
    """Where the roast is going if heat and fan stay as they are.

    Times are seconds from the newest sample; ``_low``/``_high`` bound an 80 % interval. Every
    number is null where it cannot be known yet (see state and reason). The status resource adds
    the BT curve ahead; what_if asks the same question for other settings.
    """

    state: ForecastState = Field(description="ok: the numbers are meant; else see reason.")
    reason: str | None
    heat_percent: int = Field(description="The heat the forecast holds.")
    fan_percent: int = Field(description="The fan the forecast holds.")
    bt_in_60s_c: float | None
    bt_in_60s_c_low: float | None
    bt_in_60s_c_high: float | None
    bt_in_120s_c: float | None
    bt_in_120s_c_low: float | None
    bt_in_120s_c_high: float | None
    bt_in_180s_c: float | None
    bt_in_180s_c_low: float | None
    bt_in_180s_c_high: float | None
    dry_end_in_s: float | None
    dry_end_in_s_low: float | None
    dry_end_in_s_high: float | None
    dry_end_bt_c: float | None
    first_crack_in_s: float | None
    first_crack_in_s_low: float | None
    first_crack_in_s_high: float | None
    first_crack_bt_c: float | None = Field(description="The first-crack BT assumed.")
    first_crack_bt_basis: FirstCrackBasis | None = Field(
        description="Where that BT came from: history (kept roasts), config or model."
    )
    first_crack_history_roasts: int
    drop_in_s: float | None = Field(description="Until the drop at the DTR target.")
    drop_bt_c: float | None
    drop_development_percent: float | None
    heater_power_factor: float | None = Field(
        description="Heater power the roaster behaves as having, over the model's."
    )
    heater_power_factor_std: float | None
    bean_mass_temp_c: float | None = Field(description="Estimated; the BT probe lags it.")
    bean_mass_temp_std_c: float | None
    moisture_percent: float | None


class StatusView(View):
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
    forecast: ForecastView | None = Field(
        description="Where BT, first crack and the drop are going; null when the session is off."
    )
    drop_target: DropTargetView | None = None
    following: FollowingView | None = Field(
        default=None, description="The reference the server follows; null when none is set."
    )


class EventResult(View):
    """An event put on the time line, and the metrics it changed."""

    action: str
    event: EventView
    phase: RoastPhase
    first_crack_s: float | None
    development_time_percent: float | None


class SessionResult(View):
    """The session after start_session or stop_session."""

    action: str
    done: str
    session_active: bool
    roast_number: int
    connected: bool
    roaster_model: str | None


class CurveSample(View):
    """One sample of the roast curve."""

    time_s: float = Field(description="Seconds since CHARGE (negative before it).")
    bean_temp_c: float
    env_temp_c: float
    bean_ror_c_per_min: float | None
    heat_percent: int
    fan_percent: int


class CurveView(View):
    """The current roast's samples, oldest first."""

    roast_number: int
    time_origin: Literal["CHARGE", "first_sample"] = Field(
        description="What time_s counts from: CHARGE, or the first sample before CHARGE."
    )
    points: list[CurveSample]


class EmergencyStopResult(View):
    """What emergency_stop did."""

    done: str
    heat_off: bool = Field(description="The heater-off command was accepted by the roaster.")
    drop_sequence_sent: bool = Field(description="The drop sequence was accepted by the roaster.")
    roaster: RoasterState | None = Field(description="A reading taken after the stop.")


class FirstCrackHeard(View):
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


def status_answer(status: RoastStatus, now_s: float) -> StatusView:
    """Return what get_roast_status answers: the compact view of a full status snapshot."""
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
        forecast=None if status.forecast is None else forecast_view(status.forecast),
        drop_target=None if status.drop_target is None else drop_target_view(status.drop_target),
        following=None if status.following is None else following_view(status.following),
    )


#: What the status tool leaves out of the forecast: the curve (two dozen points on every poll;
#: the status resource and what_if carry it) and the session-clock time it was made at.
FORECAST_VIEW_OMITS = frozenset({"curve", "as_of_s"})


def forecast_view(forecast: RoastForecast) -> ForecastView:
    """Return the compact view of a forecast: every number, without the curve."""
    return ForecastView.model_validate(forecast.model_dump(exclude=set(FORECAST_VIEW_OMITS)))


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
    status = manager.get_status(forecast=False)
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


__all__ = [
    "CommandResult",
    "CurveSample",
    "CurveView",
    "DropTargetView",
    "EmergencyStopResult",
    "EventResult",
    "EventView",
    "FaultView",
    "FirstCrackHeard",
    "FollowingView",
    "ForecastView",
    "RoasterState",
    "SafetyView",
    "SessionResult",
    "StatusView",
    "StoreView",
    "View",
    "curve_view",
    "drop_target_view",
    "event_view",
    "following_view",
    "forecast_view",
    "read_curve",
    "roaster_state",
    "safety_view",
    "status_answer",
    "store_view",
]
