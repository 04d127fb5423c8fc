"""Roles over MCP: bearer-token verification for HTTP and the one gate every request passes.

:class:`TokenFileVerifier` is the SDK's ``TokenVerifier`` over a :class:`TokenFile`: the SDK's
bearer middleware answers 401 (with the protected-resource metadata) for a missing, unknown or
revoked token. :func:`role_gate` then decides per request, from the token's scopes or, without a
token (stdio), from the role the server was launched with:

* ``tools/list`` shows an observer only the tools it may call;
* ``tools/call`` of any other tool is refused with a tool error that says why, changes nothing
  and is kept in the roast's command log with the caller's role and token name;
* every request runs as the caller ``agent`` acting for that :class:`Principal`, so the commands
  it makes, and the refusal above, are attributed to it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken, TokenVerifier
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel

from roastctl.access.caller import AGENT_CALLER, Caller, calling_as
from roastctl.access.principal import Principal
from roastctl.access.roles import ROLE_SCOPES, Role, may_call_tool, refusal_text, role_from_scopes
from roastctl.access.server_access import RefusalLog
from roastctl.access.tokens import TokenFile
from roastctl.web.http_headers import strip_token

logger = logging.getLogger(__name__)


class TokenFileVerifier(TokenVerifier):
    """Accept the active tokens of a token file, with the scopes of their role."""

    def __init__(self, tokens: TokenFile, resource_url: str) -> None:
        self.tokens = tokens
        self.resource_url = resource_url

    async def verify_token(self, token: str) -> AccessToken | None:
        """Return the token's identity and scopes, or ``None`` for an unknown or revoked one.

        ``token`` is what follows ``Bearer `` (the SDK cuts one space): read by the same rule as
        the dashboard's, so ``Bearer  <token>`` is accepted at both doors.
        """
        token = strip_token(token) or ""
        entry = self.tokens.verify(token) if token else None
        if entry is None:
            # Never the token itself: logs must not hold secrets.
            logger.warning("refused a request with an unknown or revoked bearer token")
            return None
        return AccessToken(
            token=token,
            client_id=entry.name,
            subject=entry.name,
            scopes=list(ROLE_SCOPES[entry.role]),
            resource=self.resource_url,
        )


def current_principal(launch: Principal) -> Principal:
    """Return who makes the current request: its token's holder, or ``launch`` without a token."""
    access = get_access_token()
    if access is None:
        return launch
    role = role_from_scopes(access.scopes)
    # A token whose scopes grant nothing still only reads: never more than it was given.
    return Principal(role or Role.OBSERVER, access.client_id)


def role_gate(launch: Principal, refusals: RefusalLog) -> Callable[..., Any]:
    """Return the server middleware that enforces roles (see the module docstring)."""

    async def gate(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        principal = current_principal(launch)
        params = ctx.params
        with calling_as(Caller(AGENT_CALLER, principal)):
            if ctx.method == "tools/call" and isinstance(params, Mapping):
                name = str(params.get("name"))
                if not may_call_tool(principal.role, name):
                    arguments = params.get("arguments")
                    text = refusal_text(name, principal.role)
                    refusals(name, arguments if isinstance(arguments, Mapping) else {}, text)
                    content = [TextContent(type="text", text=text)]
                    return CallToolResult(content=content, is_error=True)
            result = await call_next(ctx)
            if ctx.method == "tools/list":
                return _only_allowed_tools(result, principal.role)
            return result

    return gate


def _only_allowed_tools(result: HandlerResult, role: Role) -> HandlerResult:
    """Drop from a ``tools/list`` result the tools ``role`` may not call."""
    if isinstance(result, BaseModel) and isinstance(getattr(result, "tools", None), list):
        tools = [tool for tool in result.tools if may_call_tool(role, tool.name)]  # type: ignore[attr-defined]
        return result.model_copy(update={"tools": tools})
    if isinstance(result, dict) and isinstance(result.get("tools"), list):
        tools = [
            tool
            for tool in result["tools"]
            if isinstance(tool, Mapping) and may_call_tool(role, str(tool.get("name")))
        ]
        return {**result, "tools": tools}
    return result


__all__ = ["TokenFileVerifier", "current_principal", "role_gate"]
