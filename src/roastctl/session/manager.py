"""The roast session manager: owns the roaster and the tracker, polls, and runs commands.

Locking (the seed's guarantees, made precise):

* ``_state_lock`` guards every piece of shared state. It is held only for in-memory work, never
  across device I/O or ``thread.join``, so :meth:`RoastSessionManager.get_status` answers at once
  even while the device is slow.
* ``_command_lock`` makes each control command atomic (validate, act on the device, record) with
  respect to other commands. It may be held across device I/O; status reads never take it.
* ``_lifecycle_lock`` serialises start and stop.

The polling thread catches every exception, counts it, and goes on; it wakes on drift-free
deadlines (start + k x interval on the monotonic clock) and stops within one interval of being
asked, or is abandoned after 2 s if the device hangs inside a read.

Safety: every reading goes through the :class:`~roastctl.safety.SafetySupervisor` in the poll that
took it, and a separate safety thread asks it four times a second whether the data went stale or
the agent went silent, so a device that hangs inside a read cannot hold the heater on. What the
supervisor orders (heat off, the drop sequence) is carried out at once, without the command lock.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TypeVar

from roastctl.access.caller import FOLLOWER_CALLER, TARGET_CALLER, Caller, calling_as
from roastctl.clock import Clock, SystemClock
from roastctl.config import ServerConfig
from roastctl.control.drop_target import DropTarget, achieved, due, target_status
from roastctl.control.follower import ProfileFollower
from roastctl.control.reference import Reference
from roastctl.controls import (
    FAN_RANGE,
    ControlRange,
    heat_range,
)
from roastctl.devices.base import LinkOutage, Roaster
from roastctl.devices.link_loss import beans_left, drop_time_s, outage_message
from roastctl.errors import (
    FaultActiveError,
    InvalidCommandError,
    RoasterError,
    RoasterNotConnectedError,
)
from roastctl.models import (
    ConnectionInfo,
    CurvePoint,
    DropTargetKind,
    DropTargetStatus,
    EventSource,
    FollowingStatus,
    FollowState,
    ForecastState,
    RoastEvent,
    RoastEventType,
    RoastMetrics,
    RoastStatus,
    RoastTimestamps,
    SafetyEvent,
    SafetyRule,
    SensorReading,
    SettingChange,
    WhatIf,
)
from roastctl.physics.model import RoasterPhysics
from roastctl.roast.phases import format_mmss
from roastctl.roast.tracker import FUTURE_TOLERANCE_S, RoastTracker
from roastctl.safety import SafetyAction, SafetyInputs, SafetySupervisor
from roastctl.session.following import (
    Following,
    FollowInputs,
    FollowStep,
    ReferenceSpec,
    check_can_follow,
    check_hold_ror,
    describe_reference,
    resolve_reference,
)
from roastctl.session.live_forecast import LiveForecast
from roastctl.session.recorder import RoastRecorder
from roastctl.session.roast_info import check_info
from roastctl.store.database import PendingRoast, RoastStore, StoreError

logger = logging.getLogger(__name__)

STOP_TIMEOUT_S = 2.0
#: Clock seconds between the safety thread's checks of stale data and the dead-man.
SAFETY_TICK_S = 0.25
MIN_SAFETY_TICK_REAL_S = 0.005
#: The drop sequence and cooling run the main fan at full speed.
DROP_FAN_PERCENT = 100
#: Real seconds an emergency stop waits for a slow device before it answers anyway.
EMERGENCY_STOP_WAIT_S = 1.0
#: Plausible BT for a first-crack report; outside it the report is almost surely a unit mix-up.
FIRST_CRACK_TEMP_RANGE_C = (150.0, 250.0)

_T = TypeVar("_T")


class RoastSessionManager:
    """Connects to a roaster, polls it, tracks the roast and carries out commands."""

    def __init__(
        self,
        hardware: Roaster,
        config: ServerConfig | None = None,
        *,
        clock: Clock | None = None,
        background_polling: bool = True,
        store: RoastStore | None = None,
    ) -> None:
        """Create a manager for ``hardware``.

        ``clock`` defaults to the roaster's own clock (the simulator's), else the system clock.
        With ``background_polling=False`` no thread is started: the caller steps the session with
        :meth:`poll_once`, which makes tests deterministic. With a ``store`` every roast is kept
        in it: samples, events, commands and the safety log (the front ends open the configured
        store; the Python API keeps roasts only when given one).
        """
        self.hardware = hardware
        self.background_polling = background_polling
        self.config = config or ServerConfig()
        self.clock: Clock = clock or getattr(hardware, "clock", None) or SystemClock()
        self.heat_range: ControlRange = heat_range(self.config.hardware.heat_step_percent)
        self.fan_range: ControlRange = FAN_RANGE
        self._zone = self.config.local_zone()
        self._state_lock = threading.Lock()
        self._command_lock = threading.Lock()
        self._lifecycle_lock = threading.Lock()
        self._tracker = RoastTracker(self.config.tracker)
        self._active = False
        self._thread: threading.Thread | None = None
        self._stop_event = threading.Event()
        self._latest: SensorReading | None = None
        self._samples = 0
        self._poll_errors = 0
        self._last_error: str | None = None
        self._roast_number = 0
        self._drum_commanded = False
        self._heat_commanded = 0
        self._fan_commanded = 0
        self._drop_noted = False
        #: Clock time of the last stop_cooling: a reading older than it predates the closed door.
        self._cooling_stopped_s: float | None = None
        #: (CHARGE time, the largest roast_elapsed_s shown since): it never goes back.
        self._elapsed_shown: tuple[float, float] | None = None
        self._safety_thread: threading.Thread | None = None
        self.safety = SafetySupervisor(
            self.config.safety,
            self.clock,
            dead_man_s=self.config.safety.dead_man_timeout_s(None),
        )
        self.store = store
        self._recorder = (
            RoastRecorder(
                store,
                driver=self.config.hardware.driver,
                sampling_interval_s=self.config.tracker.sampling_interval_s,
                config=self.config.model_dump(mode="json"),
            )
            if store is not None
            else None
        )
        self.safety.on_event = self._keep_safety_event
        self._notices: list[str] = []
        #: The live twin estimate and its forecasts; None when [forecast] enabled is false.
        self._live = LiveForecast(self.config, store) if self.config.forecast.enabled else None
        self._roaster_name = ""
        #: The drop target the server carries out itself, and the value its drop reached.
        self._drop_target: DropTarget | None = None
        self._drop_target_achieved: float | None = None
        #: The reference the server follows (session/following.py); None when none is set.
        self._following: Following | None = None

    def _keep_safety_event(self, event: SafetyEvent) -> None:
        if self._recorder is not None:
            self._recorder.safety(event)

    def use_dead_man_default(self, default_s: float | None) -> None:
        """Arm the dead-man with ``default_s`` unless the config sets it (``serve`` does this)."""
        timeout = self.config.safety.dead_man_timeout_s(default_s)
        if timeout is None and self.config.safety.dead_man_s == 0:
            logger.warning("the dead-man is switched off by safety.dead_man_s = 0")
        with self._state_lock:
            self.safety.dead_man_s = timeout
            self.safety.note_agent_call()

    # ----------------------------------------------------------------- lifecycle
    def start_session(self) -> None:
        """Connect and start polling; starts a new roast. Idempotent.

        A restart changes nothing that keeps the roaster safe: latched faults stay, and so does
        the drop interlock (only stop_cooling() or new_roast() ends it); heat is refused while
        the roaster reports its door open or its stirrer running. While a fault is latched the
        roaster is connected and watched (so the fault can be judged and cleared) but no new
        roast begins: :class:`FaultActiveError` names the fault and what clears it, and
        new_roast() begins the roast once clear_fault() succeeds.
        """
        with self._lifecycle_lock:
            with self._state_lock:
                if self._active:
                    return
                latched = bool(self.safety.faults)
            self.hardware.connect()
            if not latched:
                self._open_record()
            roaster_name = self.hardware.get_roaster_info().model
            with self._state_lock:
                self._roaster_name = roaster_name
                if self._live is not None:
                    self._live.reset()
                if not latched:
                    self._tracker.reset()
                    self._roast_number += 1
                    self._drop_noted = False
                    self.safety.clear_log()
                self._forget_drop_target()
                self._following = None  # a restart never resumes following by itself
                self._latest = None
                self._samples = 0
                self._poll_errors = 0
                self._last_error = None
                self._active = True
                self._heat_commanded = 0
                self._cooling_stopped_s = None
                self.safety.start_watching()
                self._stop_event = threading.Event()
            self.poll_once()  # a status right after start already has readings
            with self._state_lock:
                self._drum_commanded = self._latest.drum_on if self._latest else False
                self._fan_commanded = self._latest.fan_percent if self._latest else 0
                self._notices = self._recovery_notices()
            if self.background_polling:
                self._thread = self._start_thread(self._poll_loop, "roastctl-poller")
                self._safety_thread = self._start_thread(self._safety_loop, "roastctl-safety")
            logger.info("session started: %s", self.hardware.get_roaster_info().model)
        if latched:
            self._refuse_roast_while_faulted()

    def _refuse_roast_while_faulted(self) -> None:
        """Raise (and keep) the refusal of a new roast at a start with a fault latched."""
        try:
            with self._state_lock:
                self.safety.check_new_roast(
                    "The roaster is connected and watched, but no new roast was started: once "
                    "clear_fault() succeeds, call stop_session and start_session again (or "
                    "new_roast() from Python)."
                )
        except FaultActiveError as exc:
            self._log_command("start_session", {}, str(exc), refused=True)
            raise

    def _start_thread(self, loop: Callable[[threading.Event], None], name: str) -> threading.Thread:
        thread = threading.Thread(target=loop, args=(self._stop_event,), name=name, daemon=True)
        thread.start()
        return thread

    def stop_session(self, reason: str = "the session was stopped") -> None:
        """Leave the roaster safe, stop polling and disconnect. Idempotent; returns within ~2 s.

        Safe means heater 0, and charged beans that are still in the drum and hot (BT at or
        above ``safety.shutdown_drop_min_bean_temp_c``) dropped into the cooling tray with the
        stirrer and fan on: a roast is never just abandoned.
        """
        with self._lifecycle_lock:
            with self._state_lock:
                if not self._active:
                    return
            with self._state_lock:
                self._stop_following(reason)  # first: the safe stop's drop is not the reason
            self._leave_safe(reason)
            with self._state_lock:
                self._forget_drop_target()
                self._active = False
                self._stop_event.set()
                threads = [t for t in (self._thread, self._safety_thread) if t is not None]
                self._thread = self._safety_thread = None
            for thread in threads:
                if thread is threading.current_thread():
                    continue
                thread.join(timeout=STOP_TIMEOUT_S)
                if thread.is_alive():
                    # The device hangs inside a read; the thread exits when it returns, since its
                    # own stop event is set, so it can never become a second poller.
                    logger.warning(
                        "%s did not stop within %.0f s; abandoned", thread.name, STOP_TIMEOUT_S
                    )
            self.hardware.disconnect()
            self._close_record()
            logger.info("session stopped")

    # ----------------------------------------------------------------- the roast store
    def _open_record(self) -> None:
        """Open a roast in the store (I/O outside the lock) and record into it."""
        if self._recorder is None:
            return
        try:
            roast = self._recorder.open_roast(
                self.clock.now(), self.hardware.get_roaster_info().model
            )
        except StoreError:
            logger.exception("the roast store cannot open a roast; this roast is not kept")
            return
        with self._state_lock:
            self._recorder.use(roast)

    def _close_record(self) -> None:
        if self._recorder is None:
            return
        with self._state_lock:
            roast = self._recorder.release()
        if roast is not None:
            try:
                self._recorder.close_roast(roast, self.clock.now())
            except StoreError:
                logger.exception("the roast store cannot close roast %s", roast)

    def _recovery_notices(self) -> list[str]:
        """Say which roasts a crash interrupted, and whether the roaster is still running."""
        if self.store is None or not self.store.recovered:
            return []
        notices = [
            f"roast {roast.id} (started {roast.started_utc:%Y-%m-%d %H:%M} UTC) was "
            f"interrupted: the server stopped while recording. Its {roast.samples} samples are "
            f"kept (roastctl show {roast.id})."
            for roast in self.store.recovered
        ]
        latest = self._latest
        if latest is not None and (
            latest.heat_percent > 0 or latest.drum_on or latest.bean_temp_c >= 60.0
        ):
            notices.append(
                f"The roaster is still running: heat {latest.heat_percent} %, drum "
                f"{'on' if latest.drum_on else 'off'}, BT {latest.bean_temp_c:.0f} deg C. Take "
                "control (set_heat, drop_beans) or call emergency_stop."
            )
        return notices

    def set_roast_info(self, **fields: object) -> dict[str, object]:
        """Set the current roast's information and properties; return its stored line.

        The fields: ``title``, ``bean``, ``batch_g``, ``roasted_g``, ``notes`` and any of its
        properties (:class:`~roastctl.logs.record.RoastProperties`: cupping notes,
        flavours as label -> score, density, volumes, batch number and prefix, ambient
        conditions, colours and colour system, bean sizes).

        Every value is checked before any is kept
        (:func:`~roastctl.session.roast_info.check_info`). Needs a session and a roast store.
        """
        with self._command_log("set_roast_info", fields):
            with self._state_lock:
                self._require_active()
                recorder = self._recorder
                roast_id = recorder.roast_id if recorder is not None else None
                waiting = recorder is not None and isinstance(recorder.roast, PendingRoast)
            if self.store is not None and waiting and roast_id is None:
                raise StoreError(
                    "this roast is waiting to be created: the roast store cannot be written now "
                    f"({self.store.health().last_error}); its samples are kept in memory. Set "
                    "its information again once the status shows a roast_id; nothing was changed"
                )
            if self.store is None or roast_id is None:
                raise StoreError(
                    "roasts are not being kept: the manager was made without a roast store "
                    "(RoastSessionManager(..., store=RoastStore(path)))"
                )
            check_info(fields)
            summary = self.store.update_info(roast_id, fields)
            batch_g = fields.get("batch_g")
            if self._live is not None and isinstance(batch_g, int | float):
                with self._state_lock:
                    self._live.set_batch(float(batch_g))
            return {
                "id": summary.id,
                "title": summary.title,
                "bean": summary.bean,
                "batch_g": summary.batch_g,
                "roasted_g": summary.roasted_g,
            }

    @property
    def roast_id(self) -> int | None:
        """The store id of the roast being recorded (``None`` without a store or session)."""
        with self._state_lock:
            return self._recorder.roast_id if self._recorder is not None else None

    @contextmanager
    def _command_log(self, command: str, arguments: Mapping[str, object]) -> Iterator[None]:
        """Keep the command, its arguments and its result or refusal in the roast store."""
        try:
            yield
        except RoasterError as exc:
            self._log_command(command, arguments, str(exc), refused=True)
            raise
        except Exception as exc:
            self._log_command(
                command, arguments, f"failed: {type(exc).__name__}: {exc}", refused=True
            )
            raise
        else:
            self._log_command(command, arguments, "ok", refused=False)

    def record_refusal(self, command: str, arguments: Mapping[str, object], reason: str) -> None:
        """Keep a command a front end refused before it reached the session (e.g. by role)."""
        self._log_command(command, arguments, reason, refused=True)

    def _log_command(
        self, command: str, arguments: Mapping[str, object], result: str, *, refused: bool
    ) -> None:
        if self._recorder is None:
            return
        with self._state_lock:
            try:
                self._recorder.command(
                    command, arguments, result, refused=refused, at_utc=self.clock.now()
                )
            except StoreError:
                logger.exception("could not keep command %s", command)

    def _leave_safe(self, reason: str) -> None:
        """Heater off; hot charged beans still in the drum are dropped and cooled."""
        with self._state_lock:
            latest = self._latest
            beans_in = self._tracker.charged and self._tracker.event(RoastEventType.DROP) is None
            hot = (
                latest is not None
                and latest.bean_temp_c >= self.config.safety.shutdown_drop_min_bean_temp_c
            )
        steps: list[tuple[str, Callable[[], None]]] = [("heater off", self._heater_off)]
        if beans_in and hot:
            steps.append(("drop and cool", self._forced_drop))
        done = [label for label, step in steps if _attempt(label, step)]
        with self._state_lock:
            self.safety.record_action(
                SafetyRule.SHUTDOWN,
                f"{reason}: " + (", ".join(done) if done else "no step reached the roaster"),
            )

    def _heater_off(self) -> None:
        self.hardware.set_heat(0)
        with self._state_lock:
            self._heat_commanded = 0

    def _forced_drop(self) -> None:
        """Run the drop sequence on the supervisor's order; DROP goes on the time line."""
        self._drop_sequence()
        with self._state_lock:
            if self._tracker.charged and self._tracker.event(RoastEventType.DROP) is None:
                self._tracker.mark_event(RoastEventType.DROP, source=EventSource.SAFETY)
        self._keep_events()

    def _drop_sequence(self) -> None:
        """Run the drop sequence every drop runs: heater 0, door open, drum, stirrer, fan 100 %.

        Heat is refused from the start, so a heat command running meanwhile is refused or
        switched back off. Callers mark DROP with their own source.
        """
        with self._state_lock:
            self.safety.note_dropped()
            self._drop_noted = True
            self._stop_following("the beans were dropped")
        self.hardware.drop_beans()
        with self._state_lock:
            self._note_drop_sequence()

    def _note_drop_sequence(self) -> None:
        """Record what the drop sequence set (heater 0, drum on, fan 100); under the state lock."""
        self._heat_commanded = 0
        self._drum_commanded = True
        self._fan_commanded = DROP_FAN_PERCENT

    def is_active(self) -> bool:
        """Return whether a session is running."""
        with self._state_lock:
            return self._active

    def new_roast(self) -> None:
        """Start a new roast in the running session: events and metrics start from scratch.

        Refused while a safety fault is latched (see :meth:`clear_fault`).
        """
        with self._command_log("new_roast", {}):
            with self._state_lock:
                self._require_active()
                self.safety.check_new_roast()
            self._close_record()
            self._open_record()
            with self._state_lock:
                self._tracker.reset()
                if self._live is not None:
                    self._live.reset()
                self._roast_number += 1
                self._drop_noted = False
                self._forget_drop_target()
                self._following = None
                self.safety.note_ready()
                self.safety.clear_log()

    # ----------------------------------------------------------------- polling
    def _poll_loop(self, stop: threading.Event) -> None:
        interval = self.config.tracker.sampling_interval_s
        start = self.clock.monotonic()
        tick = 0
        while not stop.is_set():
            tick += 1
            deadline = start + tick * interval
            now = self.clock.monotonic()
            if deadline < now:
                # Fell behind (a slow device): skip the missed ticks rather than burst.
                tick += math.ceil((now - deadline) / interval)
                deadline = start + tick * interval
            if self.clock.wait(stop, deadline - now):
                break
            self.poll_once()

    def _safety_loop(self, stop: threading.Event) -> None:
        # Paced on real time, not through the clock: waiting on a manual clock would move the
        # time every other thread sees. A scaled clock's tick shrinks with its speed, but never
        # below 5 ms real, so a fast simulation cannot turn the watchdog into a busy loop.
        speed = getattr(self.clock, "speed", 1.0)
        real_tick_s = max(MIN_SAFETY_TICK_REAL_S, SAFETY_TICK_S / speed)
        while not stop.wait(real_tick_s):
            try:
                self.check_safety()
            except Exception:  # the safety thread must never die either
                logger.exception("safety check failed")

    def poll_once(self) -> SensorReading | None:
        """Take a sample, feed it to the tracker and the supervisor; return it (``None`` on error).

        Whatever the supervisor orders for this sample is done before this returns, and one more
        sample is then taken so the status shows the roaster as the supervisor left it. Safe to
        call from tests to step a session deterministically; never raises.
        """
        reading, acted = self._poll()
        if acted:
            confirmed, _ = self._poll()
            return confirmed or reading
        return reading

    def _poll(self) -> tuple[SensorReading | None, bool]:
        """Take one sample; return it and whether the supervisor acted on it."""
        # Outages first: each carries the reading it ended with, never newer than the sample.
        outages = self.hardware.take_link_outages()
        if outages:
            with self._state_lock:
                for outage in outages:
                    self._after_link_outage(outage)
            self._keep_events()
        try:
            reading = self.hardware.read_sensors()
        except Exception as exc:  # the poller must never die; the error is counted and shown
            with self._state_lock:
                self._poll_errors += 1
                self._last_error = f"{type(exc).__name__}: {exc}"
            logger.warning("poll failed: %s", exc)
            self.check_safety()
            return None, False
        with self._state_lock:
            if not self._active:
                return None, False
            try:
                self._tracker.update(reading)
            except Exception as exc:  # analytics must not stop the sampling either
                self._poll_errors += 1
                self._last_error = f"tracker: {type(exc).__name__}: {exc}"
                logger.exception("tracker failed on a reading")
            if self._latest is None or reading.monotonic_s >= self._latest.monotonic_s:
                self._latest = reading
                if self._recorder is not None:
                    self._recorder.sample(reading)
                if self._live is not None:
                    self._live.observe(
                        reading,
                        self._tracker,
                        roaster=self._roaster_name,
                        roast_id=self._recorder.roast_id if self._recorder is not None else None,
                    )
            self._samples += 1
            if not self._drop_noted and self._tracker.event(RoastEventType.DROP) is not None:
                self._drop_noted = True  # a drop seen on the roaster (door opened at the panel)
                self.safety.note_dropped()
            target_due = self._drop_target_due(reading)
            actions = self.safety.judge_reading(reading)
            actions += self.safety.watch(heating=self._heating())
        self._carry_out(actions)
        # The supervisor's drop comes first when both fall on one sample; the target then finds
        # the beans dropped and does nothing.
        dropped = target_due is not None and SafetyAction.FORCED_DROP not in actions
        if dropped and target_due is not None:
            _attempt("drop on target", lambda: self._target_drop(target_due, reading))
        if self._following is not None:
            _attempt("following", lambda: self._follow(reading))
        self._keep_events()
        return reading, bool(actions) or dropped

    def _after_link_outage(self, outage: LinkOutage) -> None:
        """Record a lost link that came back; call with the state lock held.

        The roaster may have acted on its own while it could not be seen (see
        :mod:`roastctl.devices.link_loss`). The driver has set the heater to 0 and left everything
        else as the roaster reported it, so the commanded state follows the report, and heat comes
        back only by an explicit set_heat.
        """
        if not self._active:
            return
        seen = outage.reading
        self._heat_commanded = 0
        self._drum_commanded = seen.drum_on
        self._fan_commanded = seen.fan_percent
        beans_in = self._tracker.charged and self._tracker.event(RoastEventType.DROP) is None
        dropped = beans_left(outage, beans_in=beans_in)
        if dropped:
            self._drop_noted = True
            self.safety.note_dropped(
                "the roaster's own watchdog ejected the beans while the link was down"
            )
            try:
                self._tracker.mark_event(
                    RoastEventType.DROP, time_s=drop_time_s(outage), source=EventSource.WATCHDOG
                )
            except RoasterError:
                logger.exception("could not mark the watchdog's DROP")
        self.safety.record_action(SafetyRule.LINK_LOST, outage_message(outage, dropped=dropped))

    def _keep_events(self) -> None:
        if self._recorder is None:
            return
        with self._state_lock:
            self._recorder.events(self._tracker.events())

    def check_safety(self) -> None:
        """Check stale data and the dead-man now and act on the result; never raises.

        The safety thread calls this four times a second; tests without threads call it after
        moving the clock.
        """
        with self._state_lock:
            if not self._active:
                return
            actions = self.safety.watch(heating=self._heating())
            if not actions and self._heat_commanded > 0 and not self.safety.heat_allowed():
                actions = [SafetyAction.CUT_HEAT]  # an earlier cut did not reach the roaster
        self._carry_out(actions)

    def _heating(self) -> bool:
        latest = self._latest
        return self._heat_commanded > 0 or (latest is not None and latest.heat_percent > 0)

    def _carry_out(self, actions: list[SafetyAction]) -> None:
        """Do what the supervisor ordered, at once and without the command lock."""
        if actions:
            with self._state_lock:  # the supervisor outranks following: it stops, saying why
                faults = self.safety.faults
                self._stop_following(
                    f"safety: {faults[-1].rule.value}: {faults[-1].message}"
                    if faults
                    else "safety: the supervisor cut the heat"
                )
        for action in actions:
            if action is SafetyAction.FORCED_DROP:
                _attempt("forced drop", self._forced_drop)
            elif action is SafetyAction.CUT_HEAT:
                _attempt("heater off", self._heater_off)

    # ----------------------------------------------------------------- commands
    def _require_active(self) -> None:
        if not self._active:
            raise RoasterNotConnectedError(
                "no active session: the roaster is not connected. Call start_session() first."
            )

    def _run(self, command: str, arguments: Mapping[str, object], action: Callable[[], _T]) -> _T:
        """Run one command atomically with respect to other commands, and keep it in the store.

        A command is a sign of life for the dead-man, refused or not; status reads are not,
        since the server's own status publisher makes them too.
        """
        with self._command_log(command, arguments), self._command_lock:
            with self._state_lock:
                self.safety.note_agent_call()
                self._require_active()
            return action()

    def set_heat(self, percent: int) -> None:
        """Set heater power (0-100 % in the configured step).

        The safety supervisor refuses heat above 0 with the drum stopped, after the drop or
        during cooling, on stale data, while a fault is latched, and (if configured) above the
        fan-off cap after first crack; heat 0 is always accepted.
        """

        def act() -> None:
            value = self.heat_range.validate(percent)
            with self._state_lock:
                self.safety.check_heat(value, self._safety_inputs())
            self.hardware.set_heat(value)
            with self._state_lock:
                self._heat_commanded = value
                refused_meanwhile = value > 0 and not self.safety.heat_allowed()
                if self._following is not None:
                    self._following.heat_taken_over(value, self._elapsed_now())
            if refused_meanwhile:
                self._heater_off()  # a fault or an emergency stop landed while this command ran

        self._run("set_heat", {"percent": percent}, act)

    def _safety_inputs(self) -> SafetyInputs:
        latest = self._latest
        # Door and stirrer as the roaster reports them, unless the reading is not newer than
        # the last stop_cooling (it closed the door; the next reading confirms or contradicts).
        reported = latest is not None and (
            self._cooling_stopped_s is None or latest.monotonic_s > self._cooling_stopped_s
        )
        return SafetyInputs(
            drum_on=self._drum_commanded,
            fan_percent=self._fan_commanded,
            heat_percent=max(self._heat_commanded, latest.heat_percent if latest else 0),
            first_crack_passed=self._tracker.event(RoastEventType.FIRST_CRACK_START) is not None,
            door_open=reported and latest is not None and latest.door_open,
            cooling_on=reported and latest is not None and latest.cooling_on,
        )

    def set_fan(self, percent: int) -> None:
        """Set the main fan (0-100 % in steps of 10)."""

        def act() -> None:
            value = self.fan_range.validate(percent)
            with self._state_lock:
                self.safety.check_fan(value, self._safety_inputs())
            self.hardware.set_fan(value)
            with self._state_lock:
                self._fan_commanded = value
                if self._following is not None:
                    self._following.fan_taken_over()

        self._run("set_fan", {"percent": percent}, act)

    def start_roaster(self) -> None:
        """Start the drum motor."""

        def act() -> None:
            self.hardware.start_drum()
            self._drum_commanded = True

        self._run("start_roaster", {}, act)

    def stop_roaster(self) -> None:
        """Stop the drum motor; the heater goes off with it."""

        def act() -> None:
            self.hardware.stop_drum()
            self._drum_commanded = False
            with self._state_lock:
                self._heat_commanded = 0

        self._run("stop_roaster", {}, act)

    def drop_beans(self) -> RoastEvent | None:
        """Drop: heater off, door open, drum on, stirrer and fan on; DROP goes on the time line.

        Returns the DROP event, or ``None`` when no beans were charged in this roast.
        """

        def act() -> RoastEvent | None:
            self._drop_sequence()
            self.poll_once()  # the DROP mark goes on a sample taken after the door opened
            with self._state_lock:
                if not self._tracker.charged:
                    return None
                existing = self._tracker.event(RoastEventType.DROP)
                if existing is not None and existing.source is not EventSource.AUTO:
                    return existing
                return self._tracker.mark_event(RoastEventType.DROP, source=EventSource.COMMAND)

        event = self._run("drop_beans", {}, act)
        self._keep_events()
        return event

    def start_cooling(self) -> None:
        """Start the cooling-tray stirrer with the fan at 100 %; heat is refused until it ends."""

        def act() -> None:
            with self._state_lock:
                self.safety.note_dropped("cooling is running")
            self.hardware.start_cooling()
            with self._state_lock:
                self._fan_commanded = DROP_FAN_PERCENT

        self._run("start_cooling", {}, act)

    def stop_cooling(self) -> None:
        """End cooling: stirrer, fan, drum and heater off, door closed for the next batch.

        Refused while the roaster is still hot: BT at or above ``safety.release_temp_c``, ET at
        or above ``safety.env_release_temp_c``, or no fresh reading to tell. After a DROP it puts
        COOL (Artisan's end of cooling, source "command") on the newest sample, unless COOL was
        already marked.
        """

        def act() -> None:
            with self._state_lock:
                self.safety.check_stop_cooling()
            self.hardware.stop_cooling()
            with self._state_lock:
                self._drum_commanded = False
                self._heat_commanded = self._fan_commanded = 0
                self._cooling_stopped_s = self.clock.monotonic()
                self.safety.note_ready()
                self._mark_cool()

        self._run("stop_cooling", {}, act)
        self._keep_events()

    def _mark_cool(self) -> None:
        """COOL on the time line when cooling of dropped beans ends; under the state lock.

        Only a roast that was dropped gets COOL, and a COOL already marked is kept. A failure
        to mark is logged, never raised: the cooling was stopped all the same.
        """
        tracker = self._tracker
        if not (self._active and tracker.dropped) or tracker.event(RoastEventType.COOL):
            return
        try:
            tracker.mark_event(RoastEventType.COOL, source=EventSource.COMMAND)
        except Exception:  # the cooling was stopped: a mark must not make the command look failed
            logger.exception("could not mark COOL at the end of cooling")

    def emergency_stop(self) -> list[str]:
        """Heater off and the drop sequence, at once, ahead of any command in flight.

        It never takes the command lock (a command stuck in a slow device cannot hold it up),
        waits at most 1 s for a slow device, and works whether or not a session is active. It
        latches the ``emergency_stop`` fault: heat and new roasts are refused until
        :meth:`clear_fault` (once BT is below the release temperature), and heat stays off
        until stop_cooling() or new_roast(). A heat command that was already running is switched
        back off. Returns the steps that failed or are still pending (empty when both reached the
        roaster); it never raises.
        """
        with self._state_lock:
            self.safety.emergency_stop()
            self._heat_commanded = 0
            self._forget_drop_target()
            self._stop_following("emergency stop: heater 0 and the drop sequence")
        logger.warning("EMERGENCY STOP")
        failures: list[str] = []
        steps: tuple[tuple[str, Callable[[], None]], ...] = (
            ("heater off", lambda: self.hardware.set_heat(0)),
            ("drop sequence", self._emergency_drop),
        )

        def run_steps() -> None:
            for label, step in steps:
                try:
                    step()
                except Exception as exc:  # report every failure and still try the next step
                    logger.exception("emergency stop: %s failed", label)
                    failures.append(f"{label} failed ({type(exc).__name__}: {exc})")

        # The steps run on their own thread so a device stuck in I/O cannot hold the caller.
        worker = threading.Thread(target=run_steps, name="roastctl-estop", daemon=True)
        worker.start()
        worker.join(timeout=EMERGENCY_STOP_WAIT_S)
        if worker.is_alive():
            failures.append(
                f"the roaster did not confirm within {EMERGENCY_STOP_WAIT_S:g} s (slow device); "
                "the steps are still being sent and heat stays refused"
            )
        with self._state_lock:
            self.safety.record_action(
                SafetyRule.EMERGENCY_STOP,
                "emergency stop carried out"
                + (": " + "; ".join(failures) if failures else ": heater 0, drop sequence on"),
            )
        self._log_command(
            "emergency_stop", {}, "; ".join(failures) or "heater 0, drop sequence on", refused=False
        )
        return list(failures)

    def _emergency_drop(self) -> None:
        self.hardware.drop_beans()
        with self._state_lock:
            self._note_drop_sequence()
            if (
                self._active
                and self._tracker.charged
                and self._tracker.event(RoastEventType.DROP) is None
            ):
                self._drop_noted = True
                self._tracker.mark_event(RoastEventType.DROP, source=EventSource.SAFETY)
        self._keep_events()

    def clear_fault(self, rule: SafetyRule | str | None = None) -> list[SafetyRule]:
        """Clear a latched safety fault (or all); refused, changing nothing, while a cause lasts.

        Over-temperature and emergency-stop faults clear only once BT is below
        ``safety.release_temp_c`` on fresh data, an ET fault once ET is below
        ``safety.env_release_temp_c``, a stale-data fault once fresh readings arrive, a dead-man
        fault at once. Returns the faults cleared.
        """
        arguments = {"fault": None if rule is None else str(rule)}
        with self._command_log("clear_fault", arguments), self._state_lock:
            self.safety.note_agent_call()
            return self.safety.clear_fault(rule)

    def note_agent_call(self) -> None:
        """Tell the dead-man the agent is alive; every MCP request calls this."""
        with self._state_lock:
            self.safety.note_agent_call()

    # ----------------------------------------------------------------- drop targets
    def set_drop_target(
        self,
        *,
        dtr_percent: float | None = None,
        bt_c: float | None = None,
        development_s: float | None = None,
    ) -> DropTargetStatus:
        """Have the server drop the beans by itself at a DTR, a BT or a development time.

        Exactly one of ``dtr_percent`` (5-40 %), ``bt_c`` (150-240 deg C, below the safety
        limit) or ``development_s`` (10-600 s after first crack). The server decides on every
        sample and runs the same drop sequence as :meth:`drop_beans` on the sample nearest the
        target; DROP goes on the time line with source ``target`` and the command log keeps
        the value reached. A DTR or development target may be set before first crack (it waits
        for it), a BT target before the turning point (it waits for it). It replaces an earlier
        target. Refused, changing nothing, without a session, after DROP, or with values out
        of range. A new roast, stop_session and emergency_stop clear it; it is never kept
        across a restart. Returns the target's status.
        """
        arguments = {"dtr_percent": dtr_percent, "bt_c": bt_c, "development_s": development_s}

        def act() -> DropTargetStatus:
            target = DropTarget(dtr_percent=dtr_percent, bt_c=bt_c, development_s=development_s)
            limit = self.config.safety.bean_temp_limit_c
            if target.kind is DropTargetKind.BT and target.value >= limit:
                raise InvalidCommandError(
                    f"bt_c {target.value:g} deg C is at or above the safety limit "
                    f"bean_temp_limit_c ({limit:g} deg C), where the supervisor drops the beans "
                    f"itself. Nothing was changed; send a BT below {limit:g} deg C."
                )
            with self._state_lock:
                drop = self._tracker.event(RoastEventType.DROP)
                if drop is not None or self._drop_noted:
                    raise InvalidCommandError(
                        "the beans were already dropped in this roast; a drop target is for the "
                        "roast in the drum. Nothing was changed; set it after the next CHARGE "
                        "(start a new roast first)."
                    )
                self._drop_target = target
                self._drop_target_achieved = None
                metrics = self._tracker.metrics(self.clock.monotonic())
                return self._target_status(target, metrics)

        return self._run("set_drop_target", arguments, act)

    def clear_drop_target(self) -> bool:
        """Forget the drop target; the server no longer drops by itself. Return whether one was set.

        Always allowed, with or without a session.
        """
        with self._command_log("clear_drop_target", {}), self._state_lock:
            self.safety.note_agent_call()
            had = self._drop_target is not None
            self._forget_drop_target()
            return had

    def _forget_drop_target(self) -> None:
        """No drop target any more; call with the state lock held."""
        self._drop_target = None
        self._drop_target_achieved = None

    def _drop_target_due(self, reading: SensorReading) -> DropTarget | None:
        """Return the target if it says drop on ``reading``; call with the state lock held."""
        target = self._drop_target
        if target is None or self._drop_target_achieved is not None or self._drop_noted:
            return None
        charge = self._tracker.event(RoastEventType.CHARGE)
        if charge is None or self._tracker.event(RoastEventType.DROP) is not None:
            return None
        if self._latest is not reading:  # an older reading arrived late: decide on the newest
            return None
        first_crack = self._tracker.event(RoastEventType.FIRST_CRACK_START)
        turning_point = self._tracker.event(RoastEventType.TURNING_POINT)
        ror = (
            self._tracker.metrics(reading.monotonic_s).rate_of_rise_c_per_min
            if target.kind is DropTargetKind.BT
            else None
        )
        if not due(
            target,
            elapsed_s=reading.monotonic_s - charge.monotonic_s,
            first_crack_elapsed_s=None if first_crack is None else first_crack.elapsed_s,
            bean_temp_c=reading.bean_temp_c,
            turning_point_s=None if turning_point is None else turning_point.elapsed_s,
            bean_ror_c_per_min=ror,
            interval_s=self.config.tracker.sampling_interval_s,
        ):
            return None
        # Decided under the lock that decides it: no second poll (the poller and a tool's fresh
        # reading) can decide the same drop again.
        self._drop_noted = True
        self.safety.note_dropped()
        return target

    def _target_drop(self, target: DropTarget, reading: SensorReading) -> None:
        """Drop on the target: the drop sequence, DROP on the deciding sample, the log kept."""
        self._drop_sequence()
        with self._state_lock:
            if self._drop_target is not target:  # cleared or replaced meanwhile: still dropped
                logger.info("the drop target changed while its drop ran")
            reached: float | None = None
            if self._tracker.charged and self._tracker.event(RoastEventType.DROP) is None:
                event = self._tracker.mark_event(
                    RoastEventType.DROP, time_s=reading.monotonic_s, source=EventSource.TARGET
                )
                first_crack = self._tracker.event(RoastEventType.FIRST_CRACK_START)
                reached = achieved(
                    target,
                    elapsed_s=event.elapsed_s,
                    first_crack_elapsed_s=None if first_crack is None else first_crack.elapsed_s,
                    bean_temp_c=event.bean_temp_c,
                )
                if self._drop_target is target:
                    self._drop_target_achieved = reached if reached is not None else target.value
        self._keep_events()
        shown = "n/a" if reached is None else f"{reached:.2f} {target.unit}"
        logger.info("dropped on the drop target %s: reached %s", target.describe(), shown)
        with calling_as(Caller(TARGET_CALLER)):
            self._log_command(
                "drop_beans",
                {target.kind.value: target.value},
                f"dropped by the drop target {target.describe()}: reached {shown}",
                refused=False,
            )

    def _drop_target_status(self, metrics: RoastMetrics) -> DropTargetStatus | None:
        """Return the drop target's status for ``metrics``; call with the state lock held."""
        target = self._drop_target
        return None if target is None else self._target_status(target, metrics)

    def _target_status(self, target: DropTarget, metrics: RoastMetrics) -> DropTargetStatus:
        drop = self._tracker.event(RoastEventType.DROP)
        return target_status(
            target,
            elapsed_s=metrics.roast_elapsed_s,
            turning_point_s=metrics.turning_point_s,
            first_crack_elapsed_s=metrics.first_crack_s,
            dropped_by=None if drop is None else drop.source,
            achieved_value=self._drop_target_achieved,
        )

    # ----------------------------------------------------------------- following a reference
    def follow_profile(
        self, reference: ReferenceSpec, *, hold_ror_after_first_crack: float | None = None
    ) -> FollowingStatus:
        """Have the server set the heat (and fan) so BT follows ``reference``, every sample.

        ``reference`` is a roast file's path, a kept roast's id (needs a store), a
        :class:`~roastctl.control.reference.DesignedCurve` or a ready ``Reference``. Set before
        CHARGE it waits (``waiting_for_charge``) and begins at CHARGE; set after, it begins now.
        The fan replays the reference's fan until a set_fan (then the agent's fan holds); a
        manual set_heat pauses following until :meth:`resume_following`. It ends at the
        reference's DROP (the heat holds there); a drop, a safety action or a refusal stops it,
        saying why. ``hold_ror_after_first_crack`` (deg C/min) holds that RoR from first crack
        on instead of the reference. It replaces an earlier reference. Refused, changing
        nothing, without a session, after DROP, while a fault is latched or with the forecast
        switched off (following plans on the live estimate). Returns the status.
        """
        arguments = {
            "reference": describe_reference(reference),
            "hold_ror_after_first_crack": hold_ror_after_first_crack,
        }

        def act() -> FollowingStatus:
            hold = check_hold_ror(hold_ror_after_first_crack)
            with self._state_lock:
                self._check_can_follow()
            resolved, uuid = resolve_reference(reference, self.store)  # file I/O: no state lock
            follower = ProfileFollower(
                resolved, self.heat_range, bt_limit_c=self.config.safety.bean_temp_limit_c
            )
            following = Following(
                resolved, follower, self.fan_range, hold_ror_after_first_crack=hold, uuid=uuid
            )
            with self._state_lock:
                self._check_can_follow()  # a drop or a fault may have come meanwhile
                if self._tracker.charged:
                    following.begin()
                self._following = following
                if self._recorder is not None:
                    self._recorder.keep_extra("reference", following.record())
                return self._following_now(following)

        return self._run("follow_profile", arguments, act)

    @property
    def following_reference(self) -> Reference | None:
        """The reference the server follows (in any state but forgotten), or None."""
        with self._state_lock:
            following = self._following
            return None if following is None else following.reference

    def stop_following(self) -> bool:
        """Forget the reference; the heat stays where it is. Return whether one was set.

        Always allowed, with or without a session.
        """
        with self._command_log("stop_following", {}), self._state_lock:
            self.safety.note_agent_call()
            had = self._following is not None
            self._following = None
            return had

    def pause_following(self) -> FollowingStatus:
        """Hand the heater back to the agent until :meth:`resume_following`; the status says so.

        Refused, naming the state, when nothing is being followed or waited for.
        """

        def act() -> FollowingStatus:
            with self._state_lock:
                following = self._require_following()
                if not following.pause(
                    "paused by pause_following(); resume_following() hands "
                    "the heater back to the follower"
                ):
                    raise InvalidCommandError(
                        f"following is {following.state.value}, so there is nothing to pause. "
                        "Nothing was changed; follow_profile sets a reference to follow."
                    )
                return self._following_now(following)

        return self._run("pause_following", {}, act)

    def resume_following(self) -> FollowingStatus:
        """Hand the heater back to the follower: following if charged, else waiting for CHARGE.

        Refused, naming the state, when nothing is paused, after DROP or while a fault is latched.
        """

        def act() -> FollowingStatus:
            with self._state_lock:
                following = self._require_following()
                if following.state is not FollowState.PAUSED:
                    raise InvalidCommandError(
                        f"following is {following.state.value}, not paused, so there is nothing "
                        "to resume. Nothing was changed; follow_profile sets a new reference."
                    )
                self._check_can_follow()
                following.resume(charged=self._tracker.charged)
                return self._following_now(following)

        return self._run("resume_following", {}, act)

    def _require_following(self) -> Following:
        """Return the reference followed now, or refuse; call with the state lock held."""
        if self._following is None:
            raise InvalidCommandError(
                "no reference is set. Nothing was changed; call follow_profile first."
            )
        return self._following

    def _check_can_follow(self) -> None:
        """Refuse following when it cannot run now; call with the state lock held."""
        self._require_active()
        check_can_follow(
            forecast_on=self._live is not None,
            dropped=self._drop_noted or self._tracker.event(RoastEventType.DROP) is not None,
            fault=self.safety.heat_refused_because() if self.safety.faults else None,
        )

    def _stop_following(self, reason: str) -> None:
        """Stop following for ``reason`` (if it acts); call with the state lock held."""
        if self._following is not None and self._following.stop(reason):
            logger.info("following stopped: %s", reason)

    def _elapsed_now(self) -> float | None:
        """Seconds from CHARGE to the newest sample; call with the state lock held."""
        charge = self._tracker.event(RoastEventType.CHARGE)
        if charge is None:
            return None
        return max(0.0, self._newest_sample_s() - charge.monotonic_s)

    def _following_status(self, metrics: RoastMetrics) -> FollowingStatus | None:
        """Return the status of following for ``metrics``; call with the state lock held."""
        following = self._following
        if following is None:
            return None
        latest = self._latest
        return following.status(
            elapsed_s=metrics.roast_elapsed_s,
            bean_temp_c=None if latest is None else latest.bean_temp_c,
            ror_c_per_min=metrics.rate_of_rise_c_per_min,
        )

    def _following_now(self, following: Following) -> FollowingStatus:
        latest = self._latest
        return following.status(
            elapsed_s=self._elapsed_now(),
            bean_temp_c=None if latest is None else latest.bean_temp_c,
            ror_c_per_min=self._tracker.metrics(self.clock.monotonic()).rate_of_rise_c_per_min,
        )

    def _follow(self, reading: SensorReading) -> None:
        """Follow the reference on ``reading``: decide outside the state lock, send safely.

        Never waits for the command lock: while a command runs, this sample is skipped and the
        next one decides.
        """
        if not self._command_lock.acquire(blocking=False):
            return
        try:
            with self._state_lock:
                following = self._following
                if following is None or self._latest is not reading:
                    return
                step = following.step(self._follow_inputs(reading), self._follow_physics)
            if step is None:
                return
            try:
                heat = following.decide(step)
            except Exception as exc:  # a failed plan stops following; the heat stays
                logger.exception("the follower failed")
                with self._state_lock:
                    following.stop(f"the follower failed ({type(exc).__name__}: {exc})")
                return
            self._follow_send(following, step, heat)
        finally:
            self._command_lock.release()

    def _follow_inputs(self, reading: SensorReading) -> FollowInputs:
        """Return what following needs from the roast now; call with the state lock held."""
        charge = self._tracker.event(RoastEventType.CHARGE)
        first_crack = self._tracker.event(RoastEventType.FIRST_CRACK_START)
        dropped = self._drop_noted or self._tracker.event(RoastEventType.DROP) is not None
        return FollowInputs(
            elapsed_s=None if charge is None else reading.monotonic_s - charge.monotonic_s,
            dropped=dropped,
            fault=self.safety.heat_refused_because() if self.safety.faults else None,
            heat_percent=self._heat_commanded,
            fan_percent=self._fan_commanded,
            bean_temp_c=reading.bean_temp_c,
            first_crack=(
                None if first_crack is None else (first_crack.elapsed_s, first_crack.bean_temp_c)
            ),
        )

    def _follow_physics(self) -> RoasterPhysics | None:
        """Return a copy of the live estimate's model, or None while it cannot be trusted."""
        live = self._live
        if live is None or live.estimator.state is not ForecastState.OK:
            return None
        return live.estimator.physics_at_estimate()

    def _follow_send(self, following: Following, step: FollowStep, heat: int | None) -> None:
        """Send following's fan and heat through the supervisor; a refusal stops following.

        Logged as the follower's, and only when a value changes; never a sign of life.
        """
        sends = (("set_fan", step.fan_percent), ("set_heat", heat))
        for command, value in sends:
            if value is None:
                continue
            try:
                with self._state_lock:
                    if self._following is not following or not following.acting:
                        return  # stopped, paused or replaced meanwhile
                    inputs = self._safety_inputs()
                    if command == "set_heat":
                        if value == self._heat_commanded:
                            continue
                        self.safety.check_heat(value, inputs)
                    else:
                        self.safety.check_fan(value, inputs)
                if command == "set_heat":
                    self.hardware.set_heat(value)
                else:
                    self.hardware.set_fan(value)
                with self._state_lock:
                    if command == "set_heat":
                        self._heat_commanded = value
                        following.note_heat(value, step.elapsed_s)
                    else:
                        self._fan_commanded = value
                    refused_meanwhile = value > 0 and not self.safety.heat_allowed()
                if command == "set_heat" and refused_meanwhile:
                    self._heater_off()  # a fault or an emergency stop landed meanwhile
            except Exception as exc:
                reason = (
                    str(exc)
                    if isinstance(exc, RoasterError)
                    else (f"{command} {value} % failed ({type(exc).__name__}: {exc})")
                )
                with self._state_lock:
                    following.stop(reason)
                with calling_as(Caller(FOLLOWER_CALLER)):
                    self._log_command(command, {"percent": value}, reason, refused=True)
                return
            with calling_as(Caller(FOLLOWER_CALLER)):
                self._log_command(
                    command,
                    {"percent": value},
                    f"following {following.reference.name} at {format_mmss(step.elapsed_s)}",
                    refused=False,
                )

    # ----------------------------------------------------------------- events
    def report_first_crack(self, timestamp: datetime, temp_c: float | None = None) -> RoastEvent:
        """Record first crack at ``timestamp`` (UTC, timezone-aware; may be in the past).

        ``temp_c`` is BT at first crack; by default the BT recorded at that moment. A second
        report moves first crack to the new time.
        """
        return self.mark_event(RoastEventType.FIRST_CRACK_START, timestamp, temp_c)

    def mark_event(
        self,
        event_type: RoastEventType | str,
        timestamp: datetime | None = None,
        temp_c: float | None = None,
    ) -> RoastEvent:
        """Mark an event (CHARGE, DRY_END, FC_START, FC_END, SC_START, SC_END, DROP, COOL).

        It goes on the time line now or at ``timestamp``; COOL is the end of cooling.
        SC_START needs FC_START before it, SC_END needs SC_START, both lie at or before DROP, and
        COOL needs DROP before it; a mark out of that order is refused and changes nothing.
        """
        arguments = {
            "event": str(event_type),
            "timestamp": None if timestamp is None else timestamp.isoformat(),
            "temp_c": temp_c,
        }
        with self._command_log("mark_event", arguments):
            event = self._mark_event(event_type, timestamp, temp_c)
        self._keep_events()
        return event

    def _mark_event(
        self,
        event_type: RoastEventType | str,
        timestamp: datetime | None,
        temp_c: float | None,
    ) -> RoastEvent:
        kind = _event_type(event_type)
        if timestamp is not None and (timestamp.tzinfo is None or timestamp.utcoffset() is None):
            raise InvalidCommandError(
                f"timestamp {timestamp.isoformat()} has no timezone; send it in UTC with an "
                f"offset, e.g. {timestamp.isoformat()}+00:00 or ...Z. Nothing was recorded."
            )
        if temp_c is not None:
            low, high = (
                FIRST_CRACK_TEMP_RANGE_C
                if kind is RoastEventType.FIRST_CRACK_START
                else (
                    0.0,
                    300.0,
                )
            )
            if not (math.isfinite(temp_c) and low <= temp_c <= high):
                raise InvalidCommandError(
                    f"{kind.value} temperature {temp_c!r} deg C is outside {low:.0f}-{high:.0f} "
                    "deg C; send BT in deg C, or leave it out to use the recorded BT."
                )
        with self._state_lock:
            self._require_active()
            time_s = None
            if timestamp is not None:
                ahead = (timestamp - self.clock.now()).total_seconds()
                if ahead > FUTURE_TOLERANCE_S:
                    raise InvalidCommandError(
                        f"{kind.value} time {timestamp.isoformat()} is {ahead:.1f} s in the "
                        "future; an event cannot be in the future. Check the caller's clock "
                        "(UTC) and resend."
                    )
                # "Now" may be newer than the newest sample: it then lands on that sample.
                time_s = min(self._tracker.wall_to_monotonic(timestamp), self._newest_sample_s())
            event = self._tracker.mark_event(
                kind, time_s=time_s, bean_temp_c=temp_c, source=EventSource.MANUAL
            )
            if self._recorder is not None:
                self._recorder.note_mark(kind)
            return event

    def _newest_sample_s(self) -> float:
        latest = self._latest
        return latest.monotonic_s if latest is not None else self.clock.monotonic()

    # ----------------------------------------------------------------- status
    def get_status(self, *, forecast: bool = True) -> RoastStatus:
        """Return one consistent snapshot of session, sensors, events and metrics.

        With ``forecast=False`` the snapshot's ``forecast`` is left null: a caller that only
        waits for a reading or a mark spares the server running the roaster model ahead.
        """
        connected = self.hardware.is_connected()
        with self._state_lock:
            now = self.clock.monotonic()
            fresh = self._active and self.safety.data_fresh(now)
            latest = self._latest
            metrics = self._steady_elapsed(self._tracker.metrics(now if self._active else None))
            events = self._tracker.events()
            age = None if latest is None else round(max(0.0, now - latest.monotonic_s), 3)
            by_type = {event.type: event for event in events}
            return RoastStatus(
                session_active=self._active,
                roaster_running=latest.drum_on if latest else self._drum_commanded,
                roast_number=self._roast_number,
                timestamps=RoastTimestamps(
                    t0_utc=self._utc(by_type, RoastEventType.CHARGE),
                    t0_local=self._local(by_type, RoastEventType.CHARGE),
                    first_crack_utc=self._utc(by_type, RoastEventType.FIRST_CRACK_START),
                    first_crack_local=self._local(by_type, RoastEventType.FIRST_CRACK_START),
                    second_crack_utc=self._utc(by_type, RoastEventType.SECOND_CRACK_START),
                    second_crack_local=self._local(by_type, RoastEventType.SECOND_CRACK_START),
                    drop_utc=self._utc(by_type, RoastEventType.DROP),
                    drop_local=self._local(by_type, RoastEventType.DROP),
                    cool_utc=self._utc(by_type, RoastEventType.COOL),
                    cool_local=self._local(by_type, RoastEventType.COOL),
                ),
                sensors=latest,
                metrics=metrics,
                events=events,
                connection=ConnectionInfo(
                    connected=connected and fresh,
                    driver=self.config.hardware.driver,
                    roaster_info=self.hardware.get_roaster_info(),
                    last_sample_utc=latest.timestamp if latest else None,
                    last_sample_age_s=age,
                    samples=self._samples,
                    poll_errors=self._poll_errors,
                    last_error=self._last_error,
                    data_fresh=fresh,
                ),
                safety=self.safety.status(
                    heating=self._active and self._heating(),
                    inputs=self._safety_inputs() if self._active else None,
                ),
                roast_id=self._recorder.roast_id if self._recorder is not None else None,
                notices=tuple(self._notices),
                store=self.store.health() if self.store is not None else None,
                forecast=(
                    self._live.forecast(self._tracker)
                    if forecast and self._live is not None and self._active
                    else None
                ),
                drop_target=self._drop_target_status(metrics),
                following=self._following_status(metrics),
            )

    def _steady_elapsed(self, metrics: RoastMetrics) -> RoastMetrics:
        """Never show less time since CHARGE than before; call with the state lock held.

        A status read runs on the clock's now, a DROP mark lands on a sample up to a sampling
        interval earlier: without this the time went back at the moment DROP was marked. It
        starts afresh when CHARGE moves or a new roast begins.
        """
        charge = self._tracker.event(RoastEventType.CHARGE)
        value = metrics.roast_elapsed_s
        if charge is None or value is None:
            self._elapsed_shown = None
            return metrics
        shown = self._elapsed_shown
        if shown is not None and shown[0] == charge.monotonic_s and shown[1] > value:
            return metrics.model_copy(
                update={"roast_elapsed_s": shown[1], "roast_elapsed_display": format_mmss(shown[1])}
            )
        self._elapsed_shown = (charge.monotonic_s, value)
        return metrics

    @staticmethod
    def _utc(events: dict[RoastEventType, RoastEvent], kind: RoastEventType) -> datetime | None:
        event = events.get(kind)
        return None if event is None else event.timestamp

    def _local(
        self, events: dict[RoastEventType, RoastEvent], kind: RoastEventType
    ) -> datetime | None:
        event = events.get(kind)
        return None if event is None else event.timestamp.astimezone(self._zone)

    def what_if(self, schedule: Sequence[SettingChange], horizon_s: float = 180.0) -> WhatIf:
        """Return what follows if the settings changed as ``schedule`` says, beside holding them.

        Read-only: nothing is sent to the roaster. ``schedule`` holds heater and/or fan changes
        at seconds from now; the answer runs the live estimate ``horizon_s`` seconds ahead.

        Raises:
            SessionNotActiveError: no session is running.
            InvalidCommandError: a value is outside its range (the message names it); the
                forecast is off (``[forecast] enabled = false``).

        """
        with self._state_lock:
            self._require_active()
            if self._live is None:
                raise InvalidCommandError(
                    "the forecast is switched off ([forecast] enabled = false); switch it on "
                    "and restart the server to ask what-if questions"
                )
            return self._live.what_if(self._tracker, schedule, horizon_s, heat=self.heat_range)

    def get_curve(
        self,
        *,
        since_s: float | None = None,
        last_n: int | None = None,
        max_points: int | None = None,
    ) -> list[CurvePoint]:
        """Return the current roast's curve (see :meth:`RoastTracker.curve`)."""
        if last_n is not None and last_n < 1:
            raise InvalidCommandError(f"last_n must be at least 1, got {last_n}")
        if max_points is not None and max_points < 2:
            raise InvalidCommandError(f"max_points must be at least 2, got {max_points}")
        with self._state_lock:
            rows = self._tracker.curve_rows(since_s=since_s, last_n=last_n, max_points=max_points)
        # Built outside the lock: thousands of models would hold up polling and the safety check.
        return rows.points()

    @property
    def tracker(self) -> RoastTracker:
        """The roast tracker (read it under :meth:`get_status`; do not mutate it directly)."""
        return self._tracker


def _attempt(label: str, step: Callable[[], None]) -> bool:
    """Run one safety step; log a failure instead of raising, so the next step still runs."""
    try:
        step()
    except Exception:
        logger.exception("safety step failed: %s", label)
        return False
    return True


def _event_type(value: RoastEventType | str) -> RoastEventType:
    if isinstance(value, RoastEventType):
        return value
    try:
        return RoastEventType(str(value).upper())
    except ValueError:
        allowed = ", ".join(
            e.value for e in RoastEventType if e is not RoastEventType.TURNING_POINT
        )
        raise InvalidCommandError(
            f"unknown event {value!r}; allowed: {allowed}. (TP is computed, not marked.)"
        ) from None


__all__ = ["RoastSessionManager", "RoasterError"]
