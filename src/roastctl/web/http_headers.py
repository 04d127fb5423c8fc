"""The request headers every HTTP door reads alike: ``Authorization: Bearer`` and ``Host``.

The MCP endpoint and the dashboard must give the same answer to the same request, so both read
these headers through the functions here:

* :func:`bearer_token`: the scheme in any case, then one or more spaces, then the token (RFC 6750:
  ``"Bearer" 1*SP b64token``); trailing spaces are not part of it, and a token never holds one.
* :func:`host_name`: host names are case-insensitive (RFC 3986), so ``LOCALHOST`` is
  ``localhost``. :class:`CanonicalHost` hands the MCP SDK, whose Host check compares text, the
  header in lower case, and :func:`local_transport_security` lets it accept the local names with
  or without a port, as the dashboard does.
"""

from __future__ import annotations

from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp, Receive, Scope, Send

#: Host names a loopback-only server answers to.
LOCAL_HOST_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
#: Addresses ``--host`` may name for a loopback-only server, as the SDK spells them.
_LOOPBACK_BINDS = frozenset({"127.0.0.1", "localhost", "::1"})


def strip_token(credentials: str) -> str | None:
    """Return the token in what follows ``Bearer``, or ``None`` when there is not exactly one."""
    token = credentials.strip(" ")
    if not token or any(ch.isspace() for ch in token):
        return None
    return token


def bearer_token(authorization: str | None) -> str | None:
    """Return the token of an ``Authorization: Bearer <token>`` header, or ``None``."""
    if not authorization:
        return None
    scheme, space, credentials = authorization.partition(" ")
    if not space or scheme.lower() != "bearer":
        return None
    return strip_token(credentials)


def host_name(host: str) -> str:
    """Return the name in a ``Host`` header, in lower case, without its port."""
    host = host.strip().lower()
    if host.startswith("["):  # an IPv6 literal: "[::1]" or "[::1]:8765"
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if ":" in host else host


def is_local_host(host: str) -> bool:
    """Whether a ``Host`` header names this machine by a loopback name."""
    return host_name(host) in LOCAL_HOST_NAMES


def local_transport_security(bind: str) -> TransportSecuritySettings | None:
    """Return the SDK's DNS-rebinding settings for a server bound to ``bind``.

    For a loopback address: the local names with any port or none (the SDK's own default wants a
    port), and their origins. Otherwise ``None``: the SDK's default applies.
    """
    if bind not in _LOOPBACK_BINDS:
        return None
    names = sorted(LOCAL_HOST_NAMES)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[*names, *(f"{name}:*" for name in names)],
        allowed_origins=[
            *(f"http://{name}" for name in names),
            *(f"http://{name}:*" for name in names),
        ],
    )


class CanonicalHost:
    """ASGI middleware: the app behind sees the ``Host`` header in lower case."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with its ``Host`` header lower-cased."""
        if scope["type"] == "http":
            headers = [
                (key, value.lower() if key == b"host" else value) for key, value in scope["headers"]
            ]
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


__all__ = [
    "LOCAL_HOST_NAMES",
    "CanonicalHost",
    "bearer_token",
    "host_name",
    "is_local_host",
    "local_transport_security",
    "strip_token",
]
