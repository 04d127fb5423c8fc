"""The dashboard's routes: pages, static files, live JSON, the event stream, controls, history.

:func:`dashboard_routes` returns Starlette routes to put in front of the MCP mount
(:func:`roastctl.mcp.server.build_http_app` takes them): ``/`` is the live page, ``/history``
the list of kept roasts and ``/roasts/{id}`` one kept roast's chart.
"""

from __future__ import annotations

import html
from importlib.resources import files
from pathlib import Path

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from roastctl.session.manager import RoastSessionManager
from roastctl.web.commands import Controls, is_operator
from roastctl.web.dashboard_status import dashboard_status
from roastctl.web.feed import LiveFeed
from roastctl.web.follow_controls import follow_actions
from roastctl.web.following import FollowedReference
from roastctl.web.history import History
from roastctl.web.params import ROAST_ID_MAX, shown, whole_number
from roastctl.web.sse import SNAPSHOT_MAX_POINTS, EventStream, parse_cursor

STATIC_DIR = Path(str(files("roastctl.web") / "static"))
#: Marks around the controls in index.html; a watcher's copy of the page leaves them out.
CONTROLS_START = "<!-- controls -->"
CONTROLS_END = "<!-- /controls -->"
#: Headers for everything live: never cached, never buffered by a proxy.
LIVE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def _page(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def live_page(operator: bool) -> str:
    """Return the live page's HTML; a watcher's copy has no controls in it at all."""
    html = _page("index.html")
    if operator:
        return html.replace('data-operator="false"', 'data-operator="true"')
    start, end = html.index(CONTROLS_START), html.index(CONTROLS_END) + len(CONTROLS_END)
    return html[:start] + html[end:]


class Dashboard:
    """The dashboard for one session manager."""

    def __init__(self, manager: RoastSessionManager, feed: LiveFeed | None = None) -> None:
        """Serve ``manager``; ``feed`` is made for it unless given."""
        self.manager = manager
        self.feed = feed or LiveFeed(manager)

    async def index(self, request: Request) -> HTMLResponse:
        """``GET /``: the live page (with controls for operators)."""
        return HTMLResponse(live_page(is_operator(request)), headers=LIVE_HEADERS)

    async def history_page(self, request: Request) -> HTMLResponse:
        """``GET /history``: the kept roasts."""
        return HTMLResponse(_page("history.html"))

    async def roast_page(self, request: Request) -> HTMLResponse:
        """``GET /roasts/{id}``: one kept roast's chart (the page loads the data itself)."""
        text = request.path_params["roast_id"]
        try:
            whole_number("roast id", text, 1, ROAST_ID_MAX, 1)
        except ValueError as exc:
            return HTMLResponse(html.escape(f"no such roast: {exc}"), status_code=404)
        return HTMLResponse(_page("roast.html"))

    async def status(self, request: Request) -> JSONResponse:
        """``GET /api/status``: the readouts, and whether this client may drive."""
        status = await anyio.to_thread.run_sync(lambda: self.feed.refresh(force=True))
        view = dashboard_status(self.manager, status)
        view["operator"] = is_operator(request)
        return JSONResponse(view, headers=LIVE_HEADERS)

    async def curve(self, request: Request) -> JSONResponse:
        """``GET /api/curve``: the current roast, thinned; ``?since=<roast>:<index>`` exact rows.

        With ``since`` the answer holds every sample after that index (``reset`` is true when
        the roast changed and the whole thinned roast comes instead).
        """
        since_text = request.query_params.get("since")
        cursor = parse_cursor(since_text)
        if since_text is not None and cursor is None:
            return JSONResponse(
                {
                    "error": f"since={shown(since_text)} is not <roast>:<index> (e.g. 3:120); take "
                    "it from a previous answer's roast_number and last_index"
                },
                status_code=400,
            )
        max_text = request.query_params.get("max_points", str(SNAPSHOT_MAX_POINTS))
        try:
            max_points = whole_number("max_points", max_text, 2, 100_000, SNAPSHOT_MAX_POINTS)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        view = None
        if cursor is not None:
            view = await anyio.to_thread.run_sync(self.feed.after, *cursor)
        reset = view is None
        if view is None:
            view = await anyio.to_thread.run_sync(self.feed.snapshot, max_points)
        return JSONResponse(
            {
                "roast_number": view.roast_number,
                "last_index": view.last_index,
                "reset": reset,
                "points": [list(p.row()) for p in view.points],
                "status": dashboard_status(self.manager, view.status),
            },
            headers=LIVE_HEADERS,
        )

    async def events(self, request: Request) -> Response:
        """``GET /events``: the live stream (``Last-Event-ID`` or ``?after=`` resumes)."""
        cursor = parse_cursor(
            request.headers.get("last-event-id") or request.query_params.get("after")
        )
        stream = EventStream(self.feed, self.manager, cursor)
        return StreamingResponse(
            stream.__aiter__(), media_type="text/event-stream", headers=LIVE_HEADERS
        )

    def routes(self) -> list[BaseRoute]:
        """Return every dashboard route."""
        return [
            Route("/", self.index),
            Route("/history", self.history_page),
            Route("/roasts/{roast_id}", self.roast_page),
            Route("/api/status", self.status),
            Route("/api/curve", self.curve),
            Route("/events", self.events),
            *FollowedReference(self.manager).routes(),
            *Controls(self.manager, self.feed).routes(follow_actions(self.manager)),
            *History(self.manager.store, self.manager.config).routes(),
            Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
        ]


def dashboard_routes(manager: RoastSessionManager) -> list[BaseRoute]:
    """Return the dashboard's routes for ``manager`` (put them before the MCP mount)."""
    return Dashboard(manager).routes()


__all__ = ["Dashboard", "dashboard_routes", "live_page"]
