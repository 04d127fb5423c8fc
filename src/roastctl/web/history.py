"""Kept roasts over HTTP: the list, one roast for a static chart, and its Artisan/CSV export.

Everything is read from the :class:`~roastctl.store.database.RoastStore`; a roast shown here is
thinned for the chart only, the export carries every stored sample.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from roastctl.config import ServerConfig
from roastctl.logs.artisan_write import dump_alog, export_csv
from roastctl.logs.record import RoastRecord
from roastctl.models import RoastEventType
from roastctl.roast.ror import ror_series
from roastctl.store.database import RoastStore, StoreError
from roastctl.store.summary import summary_dict
from roastctl.web.downsample import min_max_indices
from roastctl.web.params import ROAST_ID_MAX, whole_number

#: Roasts per page of the history list, and the most one request may ask for.
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
#: Points of a stored roast's chart (or of a reference curve).
CHART_MAX_POINTS = 2000
#: Media types of the exports.
ALOG_TYPE = "text/plain; charset=utf-8"  # a Python dict literal, as Artisan writes it
CSV_TYPE = "text/csv; charset=utf-8"


def _error(status_code: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status_code)


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    text = request.query_params.get(name)
    if text is None:
        return default
    return whole_number(name, text, low, high, default)


def chart_view(record: RoastRecord, config: ServerConfig, max_points: int) -> dict[str, Any]:
    """Return one kept roast as chart data: rows of [t, BT, ET, RoR, heat, fan] and its events.

    ``t`` is seconds since the roast's recording began; ``origin_s`` is CHARGE on that axis (the
    first sample when there is none), so the page can draw time since CHARGE.
    """
    samples = [s for s in record.samples if s.bean_temp_c is not None]
    charge = record.event(RoastEventType.CHARGE)
    origin = charge.time_s if charge is not None else (samples[0].time_s if samples else 0.0)
    after = [s for s in samples if s.time_s >= origin]
    tracker = config.tracker
    ror_after = ror_series(
        [s.time_s for s in after],
        [float(s.bean_temp_c or 0.0) for s in after],
        tracker.ror_span_s,
        tracker.ror_method,
    )
    before: list[float | None] = [None] * (len(samples) - len(after))
    ror = before + ror_after
    bean = [s.bean_temp_c for s in samples]
    env = [s.env_temp_c for s in samples]
    rows = [
        [
            round(samples[k].time_s, 3),
            bean[k],
            env[k],
            None if ror[k] is None else round(ror[k] or 0.0, 2),
            samples[k].heat_percent,
            samples[k].fan_percent,
        ]
        for k in min_max_indices([bean, env, ror], max_points)
    ]
    return {
        "id": record.id,
        "title": record.title,
        "bean": record.bean,
        "started_utc": record.started_utc.isoformat(),
        "status": record.status.value,
        "samples": len(record.samples),
        "origin_s": origin,
        "points": rows,
        "events": [
            {"type": e.type.value, "time_s": e.time_s, "bean_temp_c": e.bean_temp_c}
            for e in record.events
        ],
    }


class History:
    """The history endpoints for one store."""

    def __init__(self, store: RoastStore | None, config: ServerConfig) -> None:
        """Serve ``store`` (``None``: this session keeps no roasts, and the list is empty)."""
        self.store = store
        self.config = config

    def routes(self) -> list[Route]:
        """Return the JSON and download routes under ``/api/roasts``."""
        return [
            Route("/api/roasts", self.list_roasts),
            # Ids are read by whole_number, not Starlette's int convertor: thousands of digits
            # would make that one fail with a 500.
            Route("/api/roasts/{roast_id}", self.roast),
            Route("/api/roasts/{roast_id}/export.alog", self.export_alog),
            Route("/api/roasts/{roast_id}/export.csv", self.export_csv),
        ]

    async def list_roasts(self, request: Request) -> JSONResponse:
        """``GET /api/roasts?limit=&offset=``: the newest kept roasts first."""
        try:
            limit = _int_param(request, "limit", PAGE_SIZE, 1, MAX_PAGE_SIZE)
            offset = _int_param(request, "offset", 0, 0, 10**9)
        except ValueError as exc:
            return _error(400, str(exc))
        store = self.store
        if store is None:
            return JSONResponse({"roasts": [], "kept": False})
        roasts = await anyio.to_thread.run_sync(
            lambda: store.list_roasts(limit=limit, offset=offset)
        )
        return JSONResponse({"roasts": [summary_dict(r) for r in roasts], "kept": True})

    async def _record(self, request: Request) -> RoastRecord | JSONResponse:
        try:
            roast_id = whole_number("roast id", request.path_params["roast_id"], 1, ROAST_ID_MAX, 1)
        except ValueError as exc:
            return _error(404, f"no such roast: {exc}; the history page lists the kept roasts")
        store = self.store
        if store is None:
            return _error(404, "this session keeps no roasts (no roast store is configured)")
        try:
            return await anyio.to_thread.run_sync(store.get_roast, roast_id)
        except StoreError:
            return _error(
                404, f"no roast {roast_id} in the store; the history page lists the kept roasts"
            )

    async def roast(self, request: Request) -> JSONResponse:
        """``GET /api/roasts/{id}?max_points=``: one roast as chart data."""
        try:
            max_points = _int_param(request, "max_points", CHART_MAX_POINTS, 2, 100_000)
        except ValueError as exc:
            return _error(400, str(exc))
        record = await self._record(request)
        if isinstance(record, JSONResponse):
            return record
        view = await anyio.to_thread.run_sync(chart_view, record, self.config, max_points)
        return JSONResponse(view)

    async def export_alog(self, request: Request) -> Response:
        """``GET /api/roasts/{id}/export.alog``: the roast as an Artisan profile, every sample."""
        return await self._export(request, "alog")

    async def export_csv(self, request: Request) -> Response:
        """``GET /api/roasts/{id}/export.csv``: the roast as Artisan-style CSV, every sample."""
        return await self._export(request, "csv")

    async def _export(self, request: Request, fmt: str) -> Response:
        record = await self._record(request)
        if isinstance(record, JSONResponse):
            return record
        write = dump_alog if fmt == "alog" else export_csv
        text = await anyio.to_thread.run_sync(write, record)
        filename = f"roast-{record.id}.{fmt}"
        return Response(
            text,
            media_type=ALOG_TYPE if fmt == "alog" else CSV_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


__all__ = ["History", "chart_view"]
