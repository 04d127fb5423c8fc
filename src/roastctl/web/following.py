"""The page's view of following a reference and of the drop target, and the reference's curve.

The status the page gets several times a second carries :func:`following_view` and
:func:`drop_target_view` (small: no curve). The followed reference's BT curve is sent once per
reference, by ``GET /api/following/reference`` (:class:`FollowedReference`), as seconds since
CHARGE, so the page draws it aligned at today's CHARGE on its own time axis.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from roastctl.control.reference import Reference
from roastctl.models import DropTargetStatus, FollowingStatus
from roastctl.session.manager import RoastSessionManager

#: At most this many reference points go to the page (a 15-minute reference at 1 s is 900).
REFERENCE_MAX_POINTS = 1200
#: Headers for everything live: never cached (the reference changes when another is set).
NO_STORE = {"Cache-Control": "no-store"}


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def following_view(following: FollowingStatus | None) -> dict[str, Any] | None:
    """Return the Follow panel's readouts as JSON-ready data; ``None`` when nothing is followed."""
    if following is None:
        return None
    return {
        "state": following.state.value,
        "reference": following.reference,
        "source": following.source,
        "reason": following.reason,
        "target_bt_c": _r(following.target_bt_c),
        "target_ror_c_per_min": _r(following.target_ror_c_per_min),
        "deviation_c": _r(following.deviation_c),
        "ror_deviation_c_per_min": _r(following.ror_deviation_c_per_min),
        "ahead_s": _r(following.ahead_s, 0),
        "next_event": following.next_event,
        "next_event_in_s": _r(following.next_event_in_s, 0),
        "reference_drop_s": _r(following.reference_drop_s, 0),
        "heat_percent": following.heat_percent,
        "fan_source": following.fan_source,
        "heat_changes": following.heat_changes,
    }


def drop_target_view(target: DropTargetStatus | None) -> dict[str, Any] | None:
    """Return the drop target's readout as JSON-ready data; ``None`` when none is set."""
    if target is None:
        return None
    return {
        "kind": target.kind.value,
        "target": target.target,
        "unit": target.unit,
        "state": target.state.value,
        "drop_in_s": _r(target.drop_in_s, 0),
        "achieved": _r(target.achieved, 2),
        "dropped_by": None if target.dropped_by is None else target.dropped_by.value,
    }


def reference_view(reference: Reference, max_points: int = REFERENCE_MAX_POINTS) -> dict[str, Any]:
    """Return a reference's BT curve (seconds since CHARGE), its DROP and events, for the page.

    A longer curve is thinned evenly to ``max_points``, keeping its first and last points.
    """
    count = len(reference.times_s)
    stride = max(1, -(-count // max_points))
    indexes = list(range(0, count, stride))
    if indexes[-1] != count - 1:
        indexes.append(count - 1)
    return {
        "name": reference.name,
        "source": reference.source.value,
        "roast_id": reference.roast_id,
        "path": reference.path,
        "times_s": [round(reference.times_s[i], 2) for i in indexes],
        "bean_temps_c": [round(reference.bean_temps_c[i], 2) for i in indexes],
        "track_from_s": round(reference.track_from_s, 2),
        "drop_s": round(reference.drop_s, 2),
        "events": {kind.value: round(t, 2) for kind, t in reference.events_s.items()},
    }


def followed_reference(manager: RoastSessionManager) -> Reference | None:
    """Return the reference ``manager`` follows now, or None when none is set."""
    return manager.following_reference


class FollowedReference:
    """``GET /api/following/reference``: the curve of the reference being followed."""

    def __init__(self, manager: RoastSessionManager) -> None:
        """Answer for ``manager``'s reference."""
        self.manager = manager

    async def reference(self, request: Request) -> JSONResponse:
        """Answer the followed reference's curve; 404 with the next step when none is set."""
        reference = await anyio.to_thread.run_sync(followed_reference, self.manager)
        if reference is None:
            return JSONResponse(
                {
                    "error": "no reference is being followed; choose one in the Follow panel "
                    "(or with the MCP tool follow_reference) first"
                },
                status_code=404,
                headers=NO_STORE,
            )
        return JSONResponse(reference_view(reference), headers=NO_STORE)

    def routes(self) -> list[Route]:
        """Return the read-only route (observers may see what is followed)."""
        return [Route("/api/following/reference", self.reference)]


__all__ = [
    "REFERENCE_MAX_POINTS",
    "FollowedReference",
    "drop_target_view",
    "followed_reference",
    "following_view",
    "reference_view",
]
