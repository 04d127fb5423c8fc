"""The session's forecast: the live estimate fed from the poll, read by the status and what-if.

One :class:`LiveForecast` lives in a session manager. The poll hands it every reading (under the
manager's state lock); it tells the estimator about the batch when the tracker marks CHARGE and
stops it at DROP. The forecast itself is made when someone reads it, and again only after
``[forecast] refresh_s`` of samples or a change of settings, marks or state; a session nobody
watches spends only the estimator's fraction of a millisecond per sample.

The roaster model is the twin the simulator runs: ``[simulator] model_file`` when set (a twin
calibrated to the user's own roaster), else the built-in ``[simulator] model`` (by default the
one fitted to real Hottop logs). The first-crack BT comes from the user's kept roasts of the
same roaster (:mod:`roastctl.forecast.first_crack`), looked up once per roast, at CHARGE.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from roastctl.config import ServerConfig
from roastctl.controls import FAN_RANGE, ControlRange
from roastctl.errors import InvalidCommandError
from roastctl.forecast.correction import (
    ForecastCorrection,
    builtin_correction,
    load_correction,
)
from roastctl.forecast.estimator import EstimatorTuning, TwinEstimator
from roastctl.forecast.first_crack import (
    FirstCrackReference,
    first_crack_history,
    first_crack_reference,
)
from roastctl.forecast.forecaster import (
    MAX_LOOK_AHEAD_S,
    RoastProgress,
    RoastTargets,
    make_forecast,
)
from roastctl.forecast.model_first_crack import model_first_crack_bt
from roastctl.models import (
    RoastEventType,
    RoastForecast,
    SensorReading,
    SettingChange,
    WhatIf,
)
from roastctl.physics.param_sets import TwinModel, builtin_model, load_model
from roastctl.roast.tracker import RoastTracker
from roastctl.store.database import RoastStore

__all__ = [
    "MAX_SCHEDULE_CHANGES",
    "WHAT_IF_HORIZON_RANGE_S",
    "LiveForecast",
    "check_what_if",
    "forecast_correction",
    "twin_model",
]

logger = logging.getLogger(__name__)

#: Look-aheads a what-if may ask for (s).
WHAT_IF_HORIZON_RANGE_S = (10.0, MAX_LOOK_AHEAD_S)
#: Most setting changes one what-if schedule may hold.
MAX_SCHEDULE_CHANGES = 20


def forecast_correction(config: ServerConfig, model: TwinModel) -> ForecastCorrection | None:
    """Return the correction the forecast applies: the configured file, else the model's own."""
    if config.forecast.correction_file is not None:
        return load_correction(config.forecast.correction_file)
    if config.hardware.driver == "simulator":
        return None  # the simulator is the model: it has none of the model's real-world error
    if config.simulator.model_file is not None:
        return None  # a user's own twin: the shipped correction was learned on another model
    return builtin_correction(model.name)


def twin_model(config: ServerConfig) -> TwinModel:
    """Return the roaster model the live estimate runs: the simulator's twin."""
    if config.simulator.model_file is not None:
        return load_model(config.simulator.model_file)
    return builtin_model(config.simulator.model)


class LiveForecast:
    """The estimator of one session, its targets, and the forecast made from them."""

    def __init__(self, config: ServerConfig, store: RoastStore | None) -> None:
        """Prepare the live forecast for a session with ``config``, learning from ``store``."""
        self.config = config
        self.store = store
        self.model = twin_model(config)
        # The simulator is the model: its preheat needs no re-seating at the charge.
        tuning = EstimatorTuning(reseat_at_charge=config.hardware.driver != "simulator")
        self.estimator = TwinEstimator(
            self.model, ambient_c=config.simulator.ambient_c, tuning=tuning
        )
        self.correction = forecast_correction(config, self.model)
        self._first_crack: FirstCrackReference | None = None
        self._batch_kg: float | None = None
        self._cached: tuple[object, RoastForecast] | None = None

    # ------------------------------------------------------------------ fed by the session

    def reset(self) -> None:
        """Start over for a new roast: the estimate restarts from the next reading."""
        self.estimator.reset()
        self._first_crack = None
        self._batch_kg = None
        self._cached = None

    def set_batch(self, batch_g: float) -> None:
        """Use ``batch_g`` grams as the batch that goes in at the next CHARGE."""
        self._batch_kg = batch_g / 1000.0

    def observe(
        self,
        reading: SensorReading,
        tracker: RoastTracker,
        *,
        roaster: str,
        roast_id: int | None,
    ) -> None:
        """Feed one reading; put the batch in at CHARGE, stop at DROP. Never raises."""
        try:
            self.estimator.observe(reading)
            charge = tracker.event(RoastEventType.CHARGE)
            if charge is not None and not self.estimator.charged:
                self.estimator.charge(charge.monotonic_s, self._mass_kg())
                self._first_crack = self._reference(roaster, roast_id)
            if tracker.event(RoastEventType.DROP) is not None:
                self.estimator.finish()
        except Exception:  # a forecast must never stop the sampling
            logger.exception("the live estimate failed on a reading; it restarts")
            self.estimator.reset()
            self._cached = None

    # ------------------------------------------------------------------ read by the front ends

    def forecast(self, tracker: RoastTracker) -> RoastForecast:
        """Return the forecast holding today's settings.

        It is made again once ``[forecast] refresh_s`` of samples have passed, or at once when a
        setting, a mark or the estimate's state changes; in between the last one is returned
        (its ``as_of_s`` says which sample it was made at).
        """
        progress = _progress(tracker, self.estimator.time_s)
        actuators = self.estimator.actuators
        situation = (
            self.estimator.state,
            None if actuators is None else (actuators.heat_percent, actuators.fan_percent),
            progress.elapsed_s is None,
            progress.dry_end_reached,
            progress.first_crack_elapsed_s,
            progress.dropped,
        )
        cached = self._cached
        now = self.estimator.time_s
        if (
            cached is not None
            and cached[0] == situation
            and now is not None
            and now - cached[1].as_of_s < self.config.forecast.refresh_s
        ):
            return cached[1]
        made = make_forecast(self.estimator, progress, self._targets(), correction=self.correction)
        self._cached = (situation, made)
        return made

    def what_if(
        self,
        tracker: RoastTracker,
        schedule: Sequence[SettingChange],
        horizon_s: float,
        *,
        heat: ControlRange,
    ) -> WhatIf:
        """Return the forecast under ``schedule`` beside the one holding today's settings.

        Raises:
            InvalidCommandError: the horizon, the number of changes, a change's time or a heat
                value is outside what is allowed; the message names it and the range.

        """
        check_what_if(schedule, horizon_s, heat=heat)
        progress = _progress(tracker, self.estimator.time_s)
        targets = self._targets()
        return WhatIf(
            schedule=tuple(sorted(schedule, key=lambda change: change.at_s)),
            horizon_s=horizon_s,
            forecast=make_forecast(
                self.estimator,
                progress,
                targets,
                schedule=schedule,
                curve_horizon_s=horizon_s,
                correction=self.correction,
            ),
            holding=make_forecast(
                self.estimator,
                progress,
                targets,
                curve_horizon_s=horizon_s,
                correction=self.correction,
            ),
        )

    # ------------------------------------------------------------------ targets

    def _mass_kg(self) -> float:
        if self._batch_kg is not None:
            return self._batch_kg
        return self.config.simulator.batch_mass_g / 1000.0

    def _targets(self) -> RoastTargets:
        tracker = self.config.tracker
        development = (
            tracker.development_target_min_percent + tracker.development_target_max_percent
        ) / 2.0
        return RoastTargets(
            dry_end_bt_c=tracker.dry_end_temp_c,
            first_crack=self._first_crack or self._reference(None, None),
            development_percent=development,
        )

    def _reference(self, roaster: str | None, roast_id: int | None) -> FirstCrackReference:
        history: tuple[float, ...] = ()
        if self.store is not None and roaster is not None:
            history = first_crack_history(
                self.store,
                roaster,
                limit=self.config.forecast.history_roasts,
                exclude_roast_id=roast_id,
            )
        return first_crack_reference(
            history,
            configured_c=self.config.forecast.first_crack_bt_c,
            model_c=model_first_crack_bt(self.model) or math.nan,
            min_roasts=self.config.forecast.history_min_roasts,
        )


def check_what_if(
    schedule: Sequence[SettingChange], horizon_s: float, *, heat: ControlRange
) -> None:
    """Refuse a what-if outside the allowed ranges, naming the value and the range.

    Heat and fan are checked by the same ranges ``set_heat`` and ``set_fan`` use.
    """
    low, high = WHAT_IF_HORIZON_RANGE_S
    if not (math.isfinite(horizon_s) and low <= horizon_s <= high):
        raise InvalidCommandError(
            f"horizon_s {horizon_s!r} is out of range: give {low:g} to {high:g} seconds"
        )
    if len(schedule) > MAX_SCHEDULE_CHANGES:
        raise InvalidCommandError(
            f"the schedule has {len(schedule)} changes; at most {MAX_SCHEDULE_CHANGES} are "
            "allowed: merge changes that come close together"
        )
    for index, change in enumerate(schedule):
        if change.at_s > horizon_s:
            raise InvalidCommandError(
                f"change {index} at_s {change.at_s:g} s is after the horizon ({horizon_s:g} s): "
                "give a time from 0 to horizon_s, or a longer horizon_s"
            )
        if change.heat_percent is None and change.fan_percent is None:
            raise InvalidCommandError(
                f"change {index} at {change.at_s:g} s sets neither heat_percent nor fan_percent: "
                "give at least one"
            )
        for control, value in ((heat, change.heat_percent), (FAN_RANGE, change.fan_percent)):
            if value is None:
                continue
            try:
                control.validate(value)
            except InvalidCommandError as exc:
                raise InvalidCommandError(f"change {index}: {exc}") from None


def _progress(tracker: RoastTracker, now_s: float | None) -> RoastProgress:
    """Return where the roast stands at session time ``now_s`` (the estimate's newest sample)."""
    charge = tracker.event(RoastEventType.CHARGE)
    first_crack = tracker.event(RoastEventType.FIRST_CRACK_START)
    newest = now_s
    return RoastProgress(
        elapsed_s=None if charge is None or newest is None else newest - charge.monotonic_s,
        dry_end_reached=tracker.event(RoastEventType.DRY_END) is not None,
        first_crack_elapsed_s=None if first_crack is None else first_crack.elapsed_s,
        dropped=tracker.event(RoastEventType.DROP) is not None,
    )
