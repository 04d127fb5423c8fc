"""A kept roast's history line as JSON-ready data, for the CLI and the dashboard alike."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from roastctl.roast.phases import development_ratio
from roastctl.store.database import RoastSummary


def summary_dict(roast: RoastSummary) -> dict[str, Any]:
    """Return a history line as JSON-ready data."""
    data = asdict(roast)
    data["started_utc"] = roast.started_utc.isoformat()
    data["ended_utc"] = roast.ended_utc.isoformat() if roast.ended_utc else None
    data["status"] = roast.status.value
    data["dtr_percent"] = development_ratio(roast.events)
    return data
