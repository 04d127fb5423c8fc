"""``/mcp`` on a server that started without tokens and has some now: the bearer check, here.

The MCP SDK's bearer middleware is set up when the server starts, and only if tokens exist then.
A loopback server started without any watches its token file instead
(:func:`~roastctl.access.server_access.tokens_in_force`); once a token exists, the access gate
sends each ``/mcp`` request through :func:`admit_mcp`, which does what the SDK's middleware would:
401 without a valid token, and otherwise the token's identity and scopes in the request's auth
context, where the role gate (:mod:`roastctl.mcp.gate`) reads them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from mcp.server.auth.middleware.auth_context import auth_context_var
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from starlette.authentication import AuthCredentials
from starlette.datastructures import Headers
from starlette.responses import JSONResponse

from roastctl.access.roles import ROLE_SCOPES
from roastctl.access.tokens import TokenFile
from roastctl.web.http_headers import bearer_token

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_REFUSAL = (
    "this server needs an access token since one was created: send 'Authorization: Bearer "
    "<token>' with a token from 'roastctl token create'"
)


async def admit_mcp(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    tokens: TokenFile,
    resource_url: str,
) -> None:
    """Pass an ``/mcp`` request to ``app`` as its token's holder, or answer 401."""
    # The one parser every door uses, so all give the same answer to the same header.
    token = bearer_token(Headers(scope=scope).get("authorization")) or ""
    entry = tokens.verify(token) if token else None
    if entry is None:
        if token:
            # Never the token itself: logs must not hold secrets.
            logger.warning("refused a request with an unknown or revoked bearer token")
        response = JSONResponse(
            {"error": "invalid_token", "error_description": _REFUSAL},
            status_code=401,
            headers={
                "WWW-Authenticate": f'Bearer error="invalid_token", error_description="{_REFUSAL}"'
            },
        )
        await response(scope, receive, send)
        return
    access = AccessToken(
        token=token,
        client_id=entry.name,
        subject=entry.name,
        scopes=list(ROLE_SCOPES[entry.role]),
        resource=resource_url,
    )
    user = AuthenticatedUser(access)
    scope["user"] = user
    scope["auth"] = AuthCredentials(access.scopes)
    reset = auth_context_var.set(user)
    try:
        await app(scope, receive, send)
    finally:
        auth_context_var.reset(reset)


__all__ = ["admit_mcp"]
