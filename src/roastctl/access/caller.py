"""Who is calling: the front end, the role and the token name, carried together.

One context holds the :class:`Caller` of the code running now. Each front end sets it once around
every request with :func:`calling_as`; the roast recorder reads it (:func:`current_caller`) to put
the front end, role and token name on every command and refusal in the command log, and the MCP
server's dead-man counts only calls whose role may control. Keeping the three in one value means
a front end cannot set the role and forget the name, or the other way round.

Code that sets nothing (Python using the session directly, the CLI) is :data:`PYTHON_API`: the
caller ``api``, the local operator, no token.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from roastctl.access.principal import LOCAL_OPERATOR, Principal
from roastctl.access.roles import Role

#: The front-end names the command log's ``caller`` column holds.
API_CALLER = "api"
AGENT_CALLER = "agent"
DASHBOARD_CALLER = "dashboard"
#: The server itself, carrying out a drop target the agent set.
TARGET_CALLER = "target"
#: The server itself, following the reference the agent set (its heat and fan changes).
FOLLOWER_CALLER = "follower"


@dataclass(frozen=True, slots=True)
class Caller:
    """A front end (``api``, ``agent``, ``dashboard``) and the principal it acts for."""

    name: str
    principal: Principal = LOCAL_OPERATOR

    @property
    def role(self) -> Role:
        """The principal's role: what this caller may do."""
        return self.principal.role

    @property
    def token_name(self) -> str | None:
        """The name of the token the principal presented (``None``: no token)."""
        return self.principal.token_name


#: Whoever sets nothing: Python code using the session directly, the CLI.
PYTHON_API = Caller(API_CALLER, LOCAL_OPERATOR)

_CALLER: ContextVar[Caller] = ContextVar("roastctl_caller", default=PYTHON_API)


def current_caller() -> Caller:
    """Return who the code running now acts for (:data:`PYTHON_API` when nobody said)."""
    return _CALLER.get()


@contextmanager
def calling_as(caller: Caller) -> Iterator[Caller]:
    """Attribute everything done inside the block to ``caller``; yield it."""
    token = _CALLER.set(caller)
    try:
        yield caller
    finally:
        _CALLER.reset(token)


__all__ = [
    "AGENT_CALLER",
    "API_CALLER",
    "DASHBOARD_CALLER",
    "FOLLOWER_CALLER",
    "PYTHON_API",
    "TARGET_CALLER",
    "Caller",
    "calling_as",
    "current_caller",
]
