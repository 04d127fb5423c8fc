"""Roles on the dashboard: who each browser request is, and whether it may do what it asks.

With no tokens (a loopback-only server) the local user is the operator, as over stdio. Once
tokens exist, a browser proves who it is once, on ``/login``, with its token; the server answers
with a session cookie (HttpOnly, SameSite=Strict) that names a server-side session, never the
token. ``EventSource`` cannot send an ``Authorization`` header, so the cookie is what lets the
live stream through; API clients may send ``Authorization: Bearer`` instead. A session follows
its token: revoking the token ends it.

:class:`DashboardGate` wraps the HTTP app (outside the MCP endpoint, which the SDK guards) and
applies :func:`roastctl.access.roles.route_role` to every request: 401 (or a redirect to the login
page for a page) without a valid identity, 403 when an observer asks to change something. The
request's :class:`Principal` is left in the ASGI scope for the handlers (:func:`principal_of`,
:func:`caller_of`).

Before anything else, every dashboard body is capped (:mod:`roastctl.web.body_limit`). Whether
tokens are needed is looked up per request (:func:`~roastctl.access.server_access.tokens_in_force`):
on a server started without tokens, the first token created makes every request need one at once,
``/mcp`` included (:mod:`roastctl.web.late_tokens`), and ends the streams let in without one
(:mod:`roastctl.web.stream_guard`).
"""

from __future__ import annotations

import html
import secrets
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from roastctl.access.caller import DASHBOARD_CALLER, Caller, calling_as
from roastctl.access.network import is_loopback
from roastctl.access.principal import Principal
from roastctl.access.roles import MCP_PATH_PREFIXES, Role, refusal_text, route_role
from roastctl.access.server_access import McpAccess, RefusalLog, tokens_in_force
from roastctl.access.tokens import TokenEntry, TokenError, TokenFile
from roastctl.web.body_limit import bounded_receive
from roastctl.web.http_headers import bearer_token, is_local_host
from roastctl.web.late_tokens import admit_mcp
from roastctl.web.stream_guard import disconnect_when

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The session cookie's name.
SESSION_COOKIE = "roastctl_session"
#: Where the gate leaves the request's principal in the ASGI scope.
PRINCIPAL_KEY = "roastctl.principal"


class BrowserSessions:
    """Login sessions: a random id per browser, mapped to the hash of its login token."""

    def __init__(self, tokens: TokenFile) -> None:
        self.tokens = tokens
        self._lock = threading.Lock()
        self._sessions: dict[str, str] = {}

    def open(self, entry: TokenEntry) -> str:
        """Start a session for ``entry``'s holder; return its id (the cookie's value)."""
        session_id = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[session_id] = entry.sha256
        return session_id

    def close(self, session_id: str) -> None:
        """End a session (log out)."""
        with self._lock:
            self._sessions.pop(session_id, None)

    def principal(self, session_id: str) -> Principal | None:
        """Return the session's principal, or ``None`` if unknown or its token was revoked."""
        with self._lock:
            digest = self._sessions.get(session_id)
        if digest is None:
            return None
        for entry in self.tokens.active():
            if secrets.compare_digest(entry.sha256, digest):
                return Principal(entry.role, entry.name)
        self.close(session_id)  # the token was revoked: so is the session
        return None


def _foreign_host(request: Request) -> Response | None:
    """Refuse a request addressed to another host name: DNS rebinding protection.

    Without tokens the local user is trusted, so a web page must not reach this server by
    re-pointing its own host name at 127.0.0.1 (its requests would carry that name, and its
    Origin would match it). The MCP endpoint has the SDK's own check.
    """
    host = request.headers.get("host", "")
    if is_local_host(host):
        return None
    return JSONResponse(
        {
            "error": f"refused a request for host {host!r}: without access tokens this server "
            "only answers to 127.0.0.1, localhost or [::1]. Open it by one of those names, or "
            "create a token (roastctl token create) to serve other names."
        },
        status_code=421,
    )


def principal_of(request: Request) -> Principal:
    """Return the principal :class:`DashboardGate` found for ``request``."""
    principal = request.scope.get(PRINCIPAL_KEY)
    if not isinstance(principal, Principal):
        # Behind no gate (a test app, say): nobody is trusted with control.
        return Principal(Role.OBSERVER)
    return principal


def caller_of(request: Request) -> Caller:
    """Return who the command log names for ``request``: the dashboard, for its principal."""
    return Caller(DASHBOARD_CALLER, principal_of(request))


class DashboardGate:
    """ASGI middleware: identify each browser request and enforce its role (module docstring)."""

    def __init__(self, app: ASGIApp, access: McpAccess, refusals: RefusalLog | None = None) -> None:
        """Guard ``app``; ``refusals`` keeps each refusal by role in the roast's command log."""
        self.app = app
        self.access = access
        self.refusals = refusals
        file = access.tokens if access.tokens is not None else access.watched_tokens
        self.sessions = BrowserSessions(file) if file is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        mcp = str(scope.get("path", "")).startswith(MCP_PATH_PREFIXES)
        if not mcp:
            # Before anything reads it, whoever sends it: the cap protects the supervisor's process.
            bounded = await bounded_receive(scope, receive, send)
            if bounded is None:
                return
            receive = bounded
        try:
            # Looked up per request (a stat of the file), so a new first token counts at once.
            tokens = tokens_in_force(self.access)
        except TokenError as exc:
            # Unreadable tokens must never leave the server open: refuse everything, say why.
            await JSONResponse({"error": str(exc)}, status_code=503)(scope, receive, send)
            return
        if mcp:
            if (
                tokens is not None
                and self.access.tokens is None
                and scope["path"].startswith("/mcp")
            ):
                # Started without tokens, so the SDK checks none: the first token is checked here.
                await admit_mcp(
                    self.app,
                    scope,
                    receive,
                    send,
                    tokens=tokens,
                    resource_url=self.access.resource_url,
                )
            else:
                await self.app(scope, receive, send)
            return
        await self._dashboard(Request(scope, receive), tokens is not None, send)

    async def _dashboard(self, request: Request, need_token: bool, send: Send) -> None:
        scope, receive = request.scope, request.receive
        path = request.url.path
        sessions = self.sessions if need_token else None
        if sessions is None:
            refused = _foreign_host(request)
            if refused is not None:
                await refused(scope, receive, send)
                return
        if path == "/login" and sessions is not None:
            await (await self._login(request, sessions))(scope, receive, send)
            return
        if path == "/logout" and request.method == "POST":
            await self._logout(request, sessions)(scope, receive, send)
            return
        needed = route_role(request.method, path)
        if needed is None:
            await self.app(scope, receive, send)
            return
        principal = self._identify(request, sessions)
        if principal is None:
            await self._unauthenticated(request)(scope, receive, send)
            return
        if needed is Role.OPERATOR and principal.role is not Role.OPERATOR:
            action = f"{request.method} {path}"
            if self.refusals is not None:
                with calling_as(Caller(DASHBOARD_CALLER, principal)):
                    self.refusals(action, {}, refusal_text(action, principal.role))
            await JSONResponse({"error": refusal_text(action, principal.role)}, status_code=403)(
                scope, receive, send
            )
            return
        scope[PRINCIPAL_KEY] = principal
        if sessions is None and self.access.watched_tokens is not None:
            # Let in without a token: a stream still open when the first token appears ends.
            receive = disconnect_when(receive, self._token_required)
        await self.app(scope, receive, send)

    def _token_required(self) -> bool:
        try:
            return tokens_in_force(self.access) is not None
        except TokenError:
            return True  # unreadable tokens: nothing stays open on them

    def _identify(self, request: Request, sessions: BrowserSessions | None) -> Principal | None:
        if sessions is None:
            # No tokens: the server listens on loopback only, and its local user is the launch
            # principal. Should a request still come from elsewhere, it may only watch.
            client = request.client
            local = client is not None and is_loopback(client.host.removeprefix("::ffff:"))
            return self.access.launch if local else Principal(Role.OBSERVER)
        token = bearer_token(request.headers.get("authorization"))
        if token is not None:
            entry = sessions.tokens.verify(token)
            return None if entry is None else Principal(entry.role, entry.name)
        session_id = request.cookies.get(SESSION_COOKIE)
        return None if session_id is None else sessions.principal(session_id)

    @staticmethod
    def _unauthenticated(request: Request) -> Response:
        wants_page = request.method == "GET" and "text/html" in request.headers.get("accept", "")
        if wants_page:
            return RedirectResponse("/login", status_code=303)
        return JSONResponse(
            {
                "error": "this server needs an access token: log in at /login with a token "
                "from 'roastctl token create', or send 'Authorization: Bearer <token>'"
            },
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="roastctl"'},
        )

    @staticmethod
    async def _login(request: Request, sessions: BrowserSessions) -> Response:
        if request.method != "POST":
            return HTMLResponse(login_page())
        body = await request.body()  # at most MAX_BODY_BYTES: the gate read it
        fields = parse_qs(body.decode("utf-8", "replace"))
        token = (fields.get("token") or [""])[0].strip()
        entry = sessions.tokens.verify(token) if token else None
        if entry is None:
            page = login_page("That token is not valid (unknown or revoked). Nothing changed.")
            return HTMLResponse(page, status_code=401)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            sessions.open(entry),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    @staticmethod
    def _logout(request: Request, sessions: BrowserSessions | None) -> Response:
        session_id = request.cookies.get(SESSION_COOKIE)
        if session_id is not None and sessions is not None:
            sessions.close(session_id)
        response = RedirectResponse("/login" if sessions is not None else "/", 303)
        response.delete_cookie(SESSION_COOKIE)
        return response


def login_page(message: str | None = None) -> str:
    """Return the login page's HTML, with ``message`` shown above the form."""
    note = f'<p class="login-error" role="alert">{html.escape(message)}</p>' if message else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>roastctl: log in</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/style.css"></head>
<body><header><h1>roastctl</h1></header>
<main class="login"><h2>Log in with an access token</h2>{note}
<form method="post" action="/login">
<label>Token <input type="password" name="token" autocomplete="current-password" required></label>
<button type="submit">Log in</button></form>
<p>Create one on the roaster's computer: <code>roastctl token create --role observer</code>
(to watch) or <code>--role operator</code> (to control).</p></main></body></html>
"""


__all__ = [
    "SESSION_COOKIE",
    "BrowserSessions",
    "DashboardGate",
    "caller_of",
    "login_page",
    "principal_of",
]
