"""Data models shared by every layer: readings, events, metrics and the status snapshot.

Temperatures are degrees Celsius everywhere inside roastctl; times are seconds. Models are frozen:
a snapshot handed to a caller can never change under it.
"""

from __future__ import annotations

import math
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _aware_utc(value: datetime) -> datetime:
    """Reject naive datetimes: a naive time cannot be placed on the roast's time line."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"timestamp {value.isoformat()} has no timezone; give it in UTC, e.g. "
            f"'{value.isoformat()}Z' or with an offset like '+00:00'"
        )
    return value


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError(f"temperature must be a finite number, got {value!r}")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware_utc)]
#: No upper cap: an over-temperature must be seen, not rejected as a bad reading.
Celsius = Annotated[float, Field(ge=-273.15), AfterValidator(_finite)]
Percent = Annotated[int, Field(ge=0, le=100)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SensorReading(_Frozen):
    """One sample from the roaster: probes and actuator state as the device reports them."""

    timestamp: AwareDatetime = Field(description="Wall time of the sample (UTC).")
    monotonic_s: float = Field(description="Session clock seconds; used for all time arithmetic.")
    bean_temp_c: Celsius = Field(description="BT: bean probe temperature, deg C.")
    env_temp_c: Celsius = Field(description="ET: environment (drum air) temperature, deg C.")
    heat_percent: Percent = Field(description="Heater power, %.")
    fan_percent: Percent = Field(description="Main fan speed, % (10 % per Hottop level).")
    drum_on: bool = Field(description="Drum motor running.")
    door_open: bool = Field(description="Drop door (solenoid) open.")
    cooling_on: bool = Field(description="Cooling-tray stirrer running.")


class CurvePoint(_Frozen):
    """One sample of the roast curve, as charts and agents read it."""

    time_s: float = Field(
        description="Seconds since CHARGE (negative before it); since the first sample if none."
    )
    timestamp: AwareDatetime
    bean_temp_c: float
    env_temp_c: float
    bean_ror_c_per_min: float | None = Field(description="BT rate of rise at this sample.")
    heat_percent: int
    fan_percent: int


class RoasterInfo(_Frozen):
    """What the connected roaster is."""

    model: str
    driver: str
    port: str | None = None
    simulated: bool = False


class RoastEventType(StrEnum):
    """Roast events, in the order they normally happen (Artisan's names in the comments)."""

    CHARGE = "CHARGE"  # beans in: T0
    TURNING_POINT = "TP"
    DRY_END = "DRY_END"  # DRY
    FIRST_CRACK_START = "FC_START"  # FCs
    FIRST_CRACK_END = "FC_END"  # FCe
    SECOND_CRACK_START = "SC_START"  # SCs
    SECOND_CRACK_END = "SC_END"  # SCe
    DROP = "DROP"
    COOL = "COOL"  # COOL: the end of cooling, after DROP


class EventSource(StrEnum):
    """Who put an event on the time line."""

    AUTO = "auto"  # detected from the samples
    MANUAL = "manual"  # marked by a person or an agent through mark_event / report_first_crack
    COMMAND = "command"  # a control command caused it (drop_beans, stop_cooling)
    SAFETY = "safety"  # the safety supervisor caused it (a forced drop)
    WATCHDOG = "watchdog"  # the roaster's own watchdog ejected the beans while the link was down
    TARGET = "target"  # the server dropped the beans on reaching the drop target the agent set


class RoastPhase(StrEnum):
    """Where the roast is."""

    NOT_CHARGED = "not_charged"
    DRYING = "drying"
    MAILLARD = "maillard"
    DEVELOPMENT = "development"
    DROPPED = "dropped"


class RoastEvent(_Frozen):
    """An event on the roast's time line."""

    type: RoastEventType
    source: EventSource
    monotonic_s: float = Field(description="Session clock seconds of the event itself.")
    timestamp: AwareDatetime = Field(description="Wall time of the event (UTC).")
    elapsed_s: float = Field(description="Seconds since CHARGE (0 for CHARGE itself).")
    bean_temp_c: float | None = Field(description="BT at the event, deg C.")
    env_temp_c: float | None = Field(default=None, description="ET at the event, deg C.")
    detected_monotonic_s: float = Field(
        description="When the event was detected; later than monotonic_s for back-dated events."
    )


class RoastMetrics(_Frozen):
    """Live analytics of the current roast (Artisan's definitions)."""

    phase: RoastPhase = RoastPhase.NOT_CHARGED
    roast_elapsed_s: float | None = Field(
        default=None, description="Seconds since CHARGE; stops at DROP and never decreases."
    )
    roast_elapsed_display: str | None = Field(default=None, description="Same as MM:SS.")
    rate_of_rise_c_per_min: float | None = Field(default=None, description="BT RoR, deg C/min.")
    env_rate_of_rise_c_per_min: float | None = Field(default=None, description="ET RoR.")
    charge_temp_c: float | None = None
    turning_point_s: float | None = None
    turning_point_temp_c: float | None = None
    dry_end_s: float | None = None
    first_crack_s: float | None = None
    first_crack_temp_c: float | None = None
    first_crack_display: str | None = None
    drop_s: float | None = None
    drop_temp_c: float | None = None
    drying_time_s: float | None = Field(default=None, description="CHARGE to DRY END.")
    maillard_time_s: float | None = Field(default=None, description="DRY END to FCs.")
    development_time_s: float | None = Field(default=None, description="FCs to DROP (or now).")
    drying_percent: float | None = None
    maillard_percent: float | None = None
    development_time_percent: float | None = Field(
        default=None, description="DTR: development time / total time since CHARGE, %."
    )
    development_target_percent: tuple[float, float] | None = None
    development_target_reached: bool | None = None
    total_duration_s: float | None = Field(default=None, description="CHARGE to DROP.")
    auc_c_min: float | None = Field(
        default=None, description="Area under BT above 110 deg C from TP, deg C x min."
    )


class RoastTimestamps(_Frozen):
    """Wall times of the key events, in UTC and in the configured local timezone."""

    t0_utc: datetime | None = None
    t0_local: datetime | None = None
    first_crack_utc: datetime | None = None
    first_crack_local: datetime | None = None
    second_crack_utc: datetime | None = None
    second_crack_local: datetime | None = None
    drop_utc: datetime | None = None
    drop_local: datetime | None = None
    cool_utc: datetime | None = Field(default=None, description="End of cooling (COOL).")
    cool_local: datetime | None = None


class ConnectionInfo(_Frozen):
    """How the link to the roaster is doing, honestly."""

    connected: bool
    driver: str
    roaster_info: RoasterInfo | None = None
    last_sample_utc: datetime | None = None
    last_sample_age_s: float | None = Field(
        default=None, description="Seconds since the newest sample was taken."
    )
    samples: int = 0
    poll_errors: int = 0
    last_error: str | None = None
    data_fresh: bool = Field(
        default=False,
        description="A new reading arrived within the safety stale limit; a frozen or silent "
        "device is never fresh, and then 'connected' is false too.",
    )


class SafetyRule(StrEnum):
    """What the safety supervisor guards; each fault and refusal names one."""

    BEAN_OVER_TEMPERATURE = "bean_over_temperature"
    ENV_OVER_TEMPERATURE = "env_over_temperature"
    STALE_DATA = "stale_data"
    IMPLAUSIBLE_READING = "implausible_reading"
    DEAD_MAN = "dead_man"
    EMERGENCY_STOP = "emergency_stop"
    DRUM_STOPPED = "drum_stopped"
    AFTER_DROP = "after_drop"
    FAN_OFF_AFTER_FIRST_CRACK = "fan_off_after_first_crack"
    FAULT_LATCHED = "fault_latched"
    SHUTDOWN = "shutdown"
    LINK_LOST = "link_lost"
    BEANS_HOT = "beans_hot"


class SafetyEventKind(StrEnum):
    """What kind of safety event happened."""

    FAULT = "fault"  # a fault latched
    ACTION = "action"  # the supervisor acted on the roaster
    REFUSAL = "refusal"  # a command was refused
    WARNING = "warning"  # a limit is near, or a reading was dropped
    CLEARED = "cleared"  # a fault was cleared


class SafetyEvent(_Frozen):
    """One safety decision, in the roast's log."""

    kind: SafetyEventKind
    rule: SafetyRule
    message: str = Field(description="What happened and why, for a person or an agent.")
    monotonic_s: float
    timestamp: AwareDatetime
    bean_temp_c: float | None = None
    env_temp_c: float | None = None


class SafetyFault(_Frozen):
    """A latched fault: heat stays refused until ``clear_fault`` succeeds."""

    rule: SafetyRule
    message: str
    since_utc: AwareDatetime
    since_monotonic_s: float
    clears_when: str = Field(description="The condition clear_fault checks before it clears.")


class SafetyLimits(_Frozen):
    """The limits in force (from the ``[safety]`` config)."""

    bean_temp_limit_c: float
    env_temp_limit_c: float
    warning_band_c: float
    release_temp_c: float
    env_release_temp_c: float
    stale_after_s: float
    dead_man_s: float | None = Field(description="None: the dead-man is off.")
    fan_off_heat_cap_percent: int | None


class SafetyStatus(_Frozen):
    """What the safety supervisor sees and has done."""

    state: Literal["ok", "warning", "fault"] = "ok"
    heat_allowed: bool = True
    heat_refused_because: str | None = None
    faults: tuple[SafetyFault, ...] = ()
    warnings: tuple[str, ...] = ()
    last_action: SafetyEvent | None = None
    events: tuple[SafetyEvent, ...] = Field(default=(), description="Newest last.")
    limits: SafetyLimits | None = None
    dead_man_seconds_left: float | None = Field(
        default=None, description="Seconds until the dead-man cuts the heat; None when idle."
    )


class StoreHealth(_Frozen):
    """How the roast store's writer is doing; rows wait in memory while it cannot write."""

    state: Literal["ok", "lagging", "failing"] = Field(
        default="ok",
        description="ok; lagging: rows wait longer than usual; failing: writes fail and are "
        "retried (see last_error).",
    )
    pending: int = Field(default=0, description="Rows waiting in memory to be written.")
    buffer_limit: int = Field(description="At most this many rows wait; more are dropped.")
    dropped: int = Field(
        default=0,
        description="Rows lost since start-up: the buffer was full, or the store refused a row.",
    )
    last_error: str | None = Field(default=None, description="The latest write error.")
    last_error_utc: datetime | None = None
    roasts_waiting: int = Field(
        default=0,
        description="Roasts begun while the store could not be written, waiting to be created "
        "with their rows (the status's roast_id is null until then).",
    )
    since_utc: datetime | None = Field(
        default=None, description="When the current lagging or failing began; null when ok."
    )


class ForecastState(StrEnum):
    """Whether a forecast can be given now, and if not, why not."""

    OK = "ok"
    """The estimate follows the roaster: the numbers below are meant."""
    WARMING_UP = "warming_up"
    """Too few samples since the start (or a restart) to trust the estimate yet."""
    DIVERGED = "diverged"
    """The readings left what the model can explain (a probe fault, a jump): no numbers until it
    has settled again."""
    ROAST_OVER = "roast_over"
    """The beans are out: nothing left to forecast for this roast."""


class FirstCrackBasis(StrEnum):
    """Where the first-crack BT a forecast aims at came from."""

    HISTORY = "history"
    """The median BT at the FCs marks of the kept roasts of this roaster."""
    CONFIG = "config"
    """The configured ``forecast.first_crack_bt_c``."""
    MODEL = "model"
    """The BT the roaster model reads when its beans reach first crack."""


class ForecastPoint(_Frozen):
    """One point of the forecast BT curve, with its 80 % interval."""

    in_s: float = Field(description="Seconds from now.")
    bean_temp_c: float
    bean_temp_low_c: float = Field(description="10th percentile.")
    bean_temp_high_c: float = Field(description="90th percentile.")
    bean_ror_c_per_min: float | None = Field(default=None, description="Forecast BT rate of rise.")


class RoastForecast(_Frozen):
    """Where the roast is going if the settings stay as they are, from the live twin estimate.

    Every number is null where it cannot be known yet; intervals are 80 % (10th to 90th
    percentile). Times are seconds from the sample the forecast was made at.
    """

    state: ForecastState
    reason: str | None = Field(default=None, description="Why the numbers are null, if they are.")
    as_of_s: float = Field(description="Session clock seconds of the sample it was made at.")
    heat_percent: int = Field(
        description="Heater setting the forecast holds (under a what-if schedule, the last one)."
    )
    fan_percent: int = Field(
        description="Fan setting the forecast holds (under a what-if schedule, the last one)."
    )
    bt_in_60s_c: float | None = None
    bt_in_60s_c_low: float | None = None
    bt_in_60s_c_high: float | None = None
    bt_in_120s_c: float | None = None
    bt_in_120s_c_low: float | None = None
    bt_in_120s_c_high: float | None = None
    bt_in_180s_c: float | None = None
    bt_in_180s_c_low: float | None = None
    bt_in_180s_c_high: float | None = None
    dry_end_in_s: float | None = Field(default=None, description="Until BT reaches dry end.")
    dry_end_in_s_low: float | None = None
    dry_end_in_s_high: float | None = None
    dry_end_bt_c: float | None = Field(default=None, description="The dry-end BT it aims at.")
    first_crack_in_s: float | None = Field(default=None, description="Until first crack starts.")
    first_crack_in_s_low: float | None = None
    first_crack_in_s_high: float | None = None
    first_crack_bt_c: float | None = Field(
        default=None, description="The first-crack BT the forecast assumes."
    )
    first_crack_bt_basis: FirstCrackBasis | None = None
    first_crack_history_roasts: int = Field(
        default=0, description="Kept roasts the first-crack BT was learned from."
    )
    drop_in_s: float | None = Field(
        default=None, description="Until the drop that gives the development target (DTR)."
    )
    drop_bt_c: float | None = Field(default=None, description="Forecast BT at that drop.")
    drop_development_percent: float | None = Field(
        default=None, description="The development time ratio the drop is timed for."
    )
    heater_power_factor: float | None = Field(
        default=None, description="Heater power the roaster behaves as having, over the model's."
    )
    heater_power_factor_std: float | None = None
    bean_mass_temp_c: float | None = Field(
        default=None, description="Estimated bean-mass temperature (the probe lags it)."
    )
    bean_mass_temp_std_c: float | None = None
    moisture_percent: float | None = Field(default=None, description="Estimated bean moisture.")
    curve: tuple[ForecastPoint, ...] = Field(
        default=(), description="BT ahead every few seconds, for drawing."
    )


class DropTargetKind(StrEnum):
    """What a drop target measures (the name of the argument that sets it)."""

    DTR = "dtr_percent"  # development time ratio, %
    BT = "bt_c"  # bean temperature, deg C
    DEVELOPMENT = "development_s"  # seconds since first crack


class DropTargetState(StrEnum):
    """Where a drop target stands."""

    WAITING_FOR_CHARGE = "waiting_for_charge"
    #: A BT target: the BT read at charge (often above it) is no reason to drop.
    WAITING_FOR_TURNING_POINT = "waiting_for_turning_point"
    WAITING_FOR_FIRST_CRACK = "waiting_for_first_crack"  # a DTR or development target
    ARMED = "armed"  # the server drops on the sample that reaches it
    DONE = "done"  # the server dropped the beans on it
    SUPERSEDED = "superseded"  # the beans were dropped otherwise first (command, safety, ...)


class DropTargetStatus(_Frozen):
    """The drop target the server carries out by itself, and how it stands."""

    kind: DropTargetKind
    target: float = Field(description="The target value, in the unit of its kind.")
    unit: str
    state: DropTargetState
    drop_at_s: float | None = Field(
        default=None,
        description="Seconds since CHARGE the drop is due at (DTR and development targets, "
        "once first crack is marked); null when not known.",
    )
    drop_in_s: float | None = Field(
        default=None, description="Seconds from now until the drop is due; null when not known."
    )
    achieved: float | None = Field(
        default=None, description="The value reached at the drop (state done), in the unit."
    )
    dropped_by: EventSource | None = Field(
        default=None, description="Who dropped the beans (target, command, safety, ...)."
    )


class FollowState(StrEnum):
    """Where following a reference stands (docs/control.md)."""

    #: A reference is set; following begins at CHARGE.
    WAITING_FOR_CHARGE = "waiting_for_charge"
    #: The server sets the heat (and the fan, unless the agent set it) on every sample.
    FOLLOWING = "following"
    #: A manual set_heat took the heater over; resume_following() hands it back.
    PAUSED = "paused"
    #: The reference's DROP time was reached; the heat holds where it was.
    FINISHED = "finished"
    #: Stopped by stop_following, a safety rule, a refusal, a fault or the drop; ``reason`` says.
    STOPPED = "stopped"


class FollowingStatus(_Frozen):
    """The reference the server follows and how far the roast is from it.

    Deviations are this roast minus the reference, at the same time since CHARGE.
    """

    state: FollowState
    reference: str = Field(description="The reference's name (file, kept roast or designed).")
    source: str = Field(description="Where the reference came from: file, roast or designed.")
    reason: str | None = Field(
        default=None, description="Why following is paused, finished or stopped."
    )
    target_bt_c: float | None = Field(
        default=None, description="The reference's BT now (deg C); null before CHARGE."
    )
    target_ror_c_per_min: float | None = None
    deviation_c: float | None = Field(default=None, description="BT minus the target BT now.")
    ror_deviation_c_per_min: float | None = Field(
        default=None, description="RoR minus the reference's RoR now."
    )
    ahead_s: float | None = Field(
        default=None,
        description="Seconds the roast is ahead of the reference (negative: behind), from when "
        "the reference reached today's BT.",
    )
    next_event: str | None = Field(
        default=None, description="The reference's next event (e.g. FCs, DROP)."
    )
    next_event_in_s: float | None = Field(
        default=None, description="Seconds until the reference reaches its next event."
    )
    reference_drop_s: float | None = Field(
        default=None, description="The reference's DROP, s after CHARGE: following ends there."
    )
    heat_percent: int | None = Field(
        default=None, description="The heat the follower last sent; null before it sent any."
    )
    fan_source: str = Field(
        default="reference",
        description="Who sets the fan: 'reference' (replayed) or 'agent' (a set_fan holds).",
    )
    heat_changes: int = Field(default=0, description="Heat changes the follower sent so far.")


class RoastStatus(_Frozen):
    """One consistent snapshot of the session, the roaster and the roast."""

    session_active: bool
    roaster_running: bool = Field(description="Drum motor running.")
    roast_number: int = Field(description="Roasts started in this session manager (1-based).")
    timestamps: RoastTimestamps
    sensors: SensorReading | None
    metrics: RoastMetrics
    events: tuple[RoastEvent, ...] = ()
    connection: ConnectionInfo
    safety: SafetyStatus = Field(default_factory=SafetyStatus)
    roast_id: int | None = Field(
        default=None, description="The roast's id in the roast store; null when not kept."
    )
    notices: tuple[str, ...] = Field(
        default=(),
        description="Things to know since start-up, e.g. a roast a crash interrupted.",
    )
    store: StoreHealth | None = Field(
        default=None, description="The roast store's health; null when roasts are not kept."
    )
    forecast: RoastForecast | None = Field(
        default=None,
        description="Where the roast is going (docs/forecast.md); null when the session is off.",
    )
    drop_target: DropTargetStatus | None = Field(
        default=None,
        description="The drop target the server carries out (docs/control.md); null when none.",
    )
    following: FollowingStatus | None = Field(
        default=None,
        description="The reference the server follows (docs/control.md); null when none is set.",
    )


class SettingChange(_Frozen):
    """A heater and/or fan change at a time from now, in a what-if schedule."""

    at_s: float = Field(ge=0.0, description="Seconds from now.")
    heat_percent: int | None = Field(default=None, ge=0, le=100)
    fan_percent: int | None = Field(default=None, ge=0, le=100)


class WhatIf(_Frozen):
    """The answer to "what follows if the settings were these": the forecast under a schedule."""

    schedule: tuple[SettingChange, ...]
    horizon_s: float
    forecast: RoastForecast = Field(description="The forecast under the schedule.")
    holding: RoastForecast = Field(description="The forecast holding today's settings.")
