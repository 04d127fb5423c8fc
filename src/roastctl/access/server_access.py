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


__all__ = ["McpAccess", "RefusalLog"]
