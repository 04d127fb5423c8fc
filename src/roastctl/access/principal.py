"""Who is behind a request: role and token name, as the access checks find them.

A front end wraps the principal it found in a :class:`~roastctl.access.caller.Caller` with its
own name and sets that around each request; the roast recorder stores all three with every
command and refusal. Python code that uses the session directly is the local operator.
"""

from __future__ import annotations

from dataclasses import dataclass

from roastctl.access.roles import Role


@dataclass(frozen=True, slots=True)
class Principal:
    """A caller: its role and the name of the token it presented (``None``: no token)."""

    role: Role
    token_name: str | None = None


#: The local user (Python API, stdio launched without ``--role``, loopback HTTP with no tokens).
LOCAL_OPERATOR = Principal(Role.OPERATOR)


__all__ = ["LOCAL_OPERATOR", "Principal"]
