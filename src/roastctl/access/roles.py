"""The two roles and what each may do, declared once for MCP tools and HTTP routes.

* **observer** reads: status, curves, forecasts (what_if), history, exports, resources, the
  prompt.
* **operator** does everything, including every control command and the emergency stop.

Anything not listed as an observer action needs the operator role, so a tool added later is
refused to observers until it is deliberately listed here.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A caller's role."""

    OBSERVER = "observer"
    OPERATOR = "operator"


#: OAuth scopes carried by the tokens of each role (MCP authorization: a resource server checks
#: scopes). Every token may read; only operator tokens may control.
READ_SCOPE = "roaster:read"
CONTROL_SCOPE = "roaster:control"
ROLE_SCOPES: dict[Role, tuple[str, ...]] = {
    Role.OBSERVER: (READ_SCOPE,),
    Role.OPERATOR: (READ_SCOPE, CONTROL_SCOPE),
}

#: The MCP tools an observer may call: those that change nothing.
OBSERVER_TOOLS = frozenset(
    {
        "get_roast_status",
        "get_roast_curve",
        "what_if",
        "first_crack_heard",
        "list_roasts",
        "get_roast",
        "export_roast",
    }
)


#: HTTP paths anyone may fetch: the login page and the page assets (no roast data in them).
PUBLIC_PATH_PREFIXES = ("/login", "/logout", "/static/")
#: HTTP paths the MCP SDK guards itself (bearer tokens, protected-resource metadata).
MCP_PATH_PREFIXES = ("/mcp", "/.well-known/")


def route_role(method: str, path: str) -> Role | None:
    """Return the role an HTTP request needs: ``None`` for public paths, else observer or operator.

    Reading (GET, HEAD) needs an observer; anything that changes something (POST, ...) needs an
    operator. The MCP endpoint is not decided here: its tools are gated per call.
    """
    if path.startswith(PUBLIC_PATH_PREFIXES) or path.startswith(MCP_PATH_PREFIXES):
        return None
    return Role.OBSERVER if method in ("GET", "HEAD") else Role.OPERATOR


def role_from_scopes(scopes: list[str] | tuple[str, ...]) -> Role | None:
    """Return the role a token's scopes grant, or ``None`` if they grant nothing."""
    if CONTROL_SCOPE in scopes and READ_SCOPE in scopes:
        return Role.OPERATOR
    if READ_SCOPE in scopes:
        return Role.OBSERVER
    return None


def may_call_tool(role: Role, tool: str) -> bool:
    """Return whether ``role`` may call the MCP tool ``tool``."""
    return role is Role.OPERATOR or tool in OBSERVER_TOOLS


def may_control(role: Role) -> bool:
    """Return whether ``role`` may change the roaster (HTTP control routes, e-stop)."""
    return role is Role.OPERATOR


def refusal_text(action: str, role: Role) -> str:
    """Return the message a caller gets when its role may not do ``action``."""
    return (
        f"{action} refused: this connection has the {role.value} role, which may only read "
        "(status, curves, history, exports). Nothing was changed. Controlling the roaster needs "
        "the operator role: an operator token over HTTP (roastctl token create --role operator), "
        "or roastctl serve without --role observer over stdio."
    )


__all__ = [
    "CONTROL_SCOPE",
    "MCP_PATH_PREFIXES",
    "OBSERVER_TOOLS",
    "PUBLIC_PATH_PREFIXES",
    "READ_SCOPE",
    "ROLE_SCOPES",
    "Role",
    "may_call_tool",
    "may_control",
    "refusal_text",
    "role_from_scopes",
    "route_role",
]
