"""The live roast dashboard: a page, an event stream, controls and the roast history over HTTP.

``roastctl serve --http`` serves it at ``/`` next to MCP at ``/mcp``; see ``docs/dashboard.md``.
"""

from roastctl.web.routes import dashboard_routes

__all__ = ["dashboard_routes"]
