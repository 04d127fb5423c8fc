"""The page's view of a :class:`~roastctl.models.RoastStatus`: just what the readouts show.

The full status (with the safety log) is several kilobytes; the page refreshes its readouts a
few times a second, so it gets this flat summary instead. Times are wall seconds (epoch) of the
session's clock, like the feed's samples, so the page can place events on its own axis.
"""

from __future__ import annotations

from typing import Any

from roastctl.models import RoastStatus
from roastctl.session.manager import RoastSessionManager
from roastctl.web.following import drop_target_view, following_view
from roastctl.web.forecast_view import forecast_view


def dashboard_status(manager: RoastSessionManager, status: RoastStatus) -> dict[str, Any]:
    """Return the readouts, controls' state and events the page needs, as JSON-ready data."""
    metrics = status.metrics
    sensors = status.sensors
    connection = status.connection
    safety = status.safety
    charge = next((e for e in status.events if e.type.value == "CHARGE"), None)
    return {
        "roast_number": status.roast_number,
        "roast_id": status.roast_id,
        "session_active": status.session_active,
        "phase": metrics.phase.value,
        "elapsed_s": metrics.roast_elapsed_s,
        "charge_wall_s": None if charge is None else round(charge.timestamp.timestamp(), 3),
        "now_wall_s": None if sensors is None else round(sensors.timestamp.timestamp(), 3),
        "bean_temp_c": None if sensors is None else round(sensors.bean_temp_c, 1),
        "env_temp_c": None if sensors is None else round(sensors.env_temp_c, 1),
        "ror_c_per_min": metrics.rate_of_rise_c_per_min,
        "heat_percent": None if sensors is None else sensors.heat_percent,
        "fan_percent": None if sensors is None else sensors.fan_percent,
        "drum_on": status.roaster_running,
        "door_open": None if sensors is None else sensors.door_open,
        "cooling_on": None if sensors is None else sensors.cooling_on,
        "dtr_percent": metrics.development_time_percent,
        "dtr_target_percent": metrics.development_target_percent,
        "phase_times_s": {
            "dry_end": metrics.dry_end_s,
            "first_crack": metrics.first_crack_s,
            "drop": metrics.drop_s,
        },
        "data_age_s": connection.last_sample_age_s,
        "connected": connection.connected,
        "data_fresh": connection.data_fresh,
        "samples": connection.samples,
        "poll_errors": connection.poll_errors,
        "last_error": connection.last_error,
        "safety_state": safety.state,
        "heat_allowed": safety.heat_allowed,
        "heat_refused_because": safety.heat_refused_because,
        "faults": [
            {"rule": f.rule.value, "message": f.message, "clears_when": f.clears_when}
            for f in safety.faults
        ],
        "warnings": list(safety.warnings),
        "notices": list(status.notices),
        "store": None if status.store is None else status.store.model_dump(mode="json"),
        "events": [
            {
                "type": e.type.value,
                "wall_s": round(e.timestamp.timestamp(), 3),
                "elapsed_s": e.elapsed_s,
                "bean_temp_c": e.bean_temp_c,
                "source": e.source.value,
            }
            for e in status.events
        ],
        "forecast": forecast_view(status.forecast, sensors),
        "following": following_view(status.following),
        "drop_target": drop_target_view(status.drop_target),
        "limits": {
            "heat": _range(manager, "heat"),
            "fan": _range(manager, "fan"),
        },
    }


def _range(manager: RoastSessionManager, which: str) -> dict[str, int | str]:
    control = manager.heat_range if which == "heat" else manager.fan_range
    return {
        "min": control.minimum,
        "max": control.maximum,
        "step": control.step,
        "allowed": control.allowed,
    }


__all__ = ["dashboard_status"]
