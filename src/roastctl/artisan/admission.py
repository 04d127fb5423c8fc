"""Who an Artisan connection is, decided once when it connects and checked again while it stays.

Artisan can set no headers, so a token travels in the URL: ``/artisan/<token>`` or
``?token=<token>``. It is checked by :meth:`~roastctl.access.tokens.TokenFile.verify` (hashed,
compared in constant time with every active entry) and never written anywhere: refusals name what
is wrong, not the token.

Without tokens the server listens on loopback only and its local user is the operator, as on the
dashboard. A web page open in a browser on this machine can open a WebSocket to 127.0.0.1 too
(WebSockets are not bound by the same-origin rule), so a connection that names another host or a
foreign page as its origin is refused: Artisan's client sends no Origin at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from roastctl.access.network import is_loopback
from roastctl.access.principal import Principal
from roastctl.access.server_access import McpAccess, tokens_in_force
from roastctl.access.tokens import TokenError

#: Host names a loopback-only server answers to (the dashboard's list).
LOCAL_HOST_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})


def host_name(host: str) -> str:
    """Return the name in a ``Host`` header or an origin's authority, lower case, without port."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if ":" in host else host


def _local_origin(origin: str) -> bool:
    scheme, sep, authority = origin.partition("://")
    return bool(sep) and scheme in ("http", "https") and host_name(authority) in LOCAL_HOST_NAMES


@dataclass(frozen=True, slots=True)
class Admission:
    """The outcome of a connection's check: a principal, or the reason it is refused."""

    principal: Principal | None
    reason: str = ""
    #: The token it came with, kept only to notice its revocation (never shown in a repr).
    token: str | None = field(default=None, repr=False)
    with_token: bool = False

    def still_admitted(self, access: McpAccess) -> bool:
        """Whether the connection may stay: its token still active, or still no token needed."""
        try:
            tokens = tokens_in_force(access)
        except TokenError:
            return False  # an unreadable token file leaves nothing open
        if not self.with_token:
            return tokens is None
        return tokens is not None and self.token is not None and bool(tokens.verify(self.token))


def admit(
    access: McpAccess,
    *,
    token: str | None,
    client_host: str | None,
    host_header: str,
    origin: str | None,
) -> Admission:
    """Decide whether a connection may in, and as whom (see the module docstring)."""
    try:
        tokens = tokens_in_force(access)
    except TokenError as exc:
        return Admission(None, str(exc))
    if tokens is None:
        client = (client_host or "").removeprefix("::ffff:")
        if not is_loopback(client):
            return Admission(
                None,
                "without access tokens only this machine may connect; create one with "
                "'roastctl token create --role operator' and put it in Artisan's path "
                "(artisan/<token>)",
            )
        if host_name(host_header) not in LOCAL_HOST_NAMES or (
            origin is not None and not _local_origin(origin)
        ):
            return Admission(
                None,
                "refused a connection from a web page or another host name: without access "
                "tokens connect to 127.0.0.1, localhost or [::1], from Artisan",
            )
        return Admission(access.launch)
    if not token:
        return Admission(
            None,
            "this server needs an access token: set Artisan's WebSocket path to "
            "artisan/<token> (a token from 'roastctl token create')",
        )
    entry = tokens.verify(token)
    if entry is None:
        return Admission(None, "that access token is not valid (unknown or revoked)")
    return Admission(Principal(entry.role, entry.name), token=token, with_token=True)


__all__ = ["LOCAL_HOST_NAMES", "Admission", "admit", "host_name"]
