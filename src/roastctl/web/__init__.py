"""The live roast dashboard: a page, an event stream, controls and the roast history over HTTP.

``roastctl serve --http`` serves it at ``/`` next to MCP at ``/mcp``; see ``docs/dashboard.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from roastctl.web.routes import dashboard_routes

__all__ = ["dashboard_routes"]


def __getattr__(name: str) -> Any:  # noqa: ANN401 - the attribute's own type, seen by mypy above
    """Import the dashboard's routes on first use.

    The MCP server over stdio and the CLI import small helpers from this package (the header
    checks); they must not pay for the whole dashboard (pages, stream, history, exports).
    """
    if name == "dashboard_routes":
        from roastctl.web.routes import dashboard_routes

        return dashboard_routes
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
