"""The dead-man's heartbeat over MCP: a request from a caller that may control keeps it alive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext

from roastctl.access.caller import current_caller
from roastctl.access.roles import may_control
from roastctl.session.manager import RoastSessionManager


def agent_heartbeat(manager: RoastSessionManager) -> Callable[..., Any]:
    """Return a middleware that tells the dead-man the agent is alive on every request.

    Only requests from a caller that may control count: an observer polling the status must not
    keep the heater on for an operator agent that has gone quiet. The role gate, which runs
    before it, has already said who is calling (:func:`roastctl.mcp.gate.role_gate`).
    """

    async def note_agent_call(
        ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        if may_control(current_caller().role):
            manager.note_agent_call()
        return await call_next(ctx)

    return note_agent_call


__all__ = ["agent_heartbeat"]
