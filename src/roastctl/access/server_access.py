"""Who may use a server: the caller without a token, and the tokens that admit the others.

Kept apart from the MCP middleware so that deciding the rules (at start-up, in the CLI) does not
load the MCP SDK.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from roastctl.access.principal import LOCAL_OPERATOR, Principal
from roastctl.access.tokens import TokenFile

#: Keeps a refusal in the roast's command log: (command, arguments, reason).
RefusalLog = Callable[[str, Mapping[str, object], str], None]


@dataclass(frozen=True, slots=True)
class McpAccess:
    """Who may use an MCP server.

    ``launch`` is the caller without a token: the local user over stdio (operator unless the
    server was started with ``--role observer``), or anyone on a loopback HTTP server with no
    tokens. With ``tokens`` set (HTTP), every request needs one of its bearer tokens, issued for
    ``resource_url``.
    """

    launch: Principal = LOCAL_OPERATOR
    tokens: TokenFile | None = None
    resource_url: str = "http://127.0.0.1:8765/mcp"
    #: A loopback server started without tokens watches the file they would be in: once it holds
    #: an active token, every request needs one (:func:`tokens_in_force`), without a restart.
    watched_tokens: TokenFile | None = None


def tokens_in_force(access: McpAccess) -> TokenFile | None:
    """Return the token file every request must now prove itself against, or ``None``.

    A server started with tokens always needs them. One started without them (loopback only)
    needs them from the moment its watched file holds an active token, and no longer once every
    token is revoked. Checking costs a ``stat`` of the file; an unreadable file raises
    :class:`~roastctl.access.tokens.TokenError`, so a damaged file never opens the server.
    """
    if access.tokens is not None:
        return access.tokens
    watched = access.watched_tokens
    if watched is not None and watched.active():
        return watched
    return None


__all__ = ["McpAccess", "RefusalLog", "tokens_in_force"]
