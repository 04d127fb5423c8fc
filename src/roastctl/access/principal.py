"""Who is behind the current request: role and token name, for the checks and the audit trail.

Front ends set it around each request (:func:`acting_as`); the roast recorder stores it with
every command and refusal. Python code that uses the session directly is the local operator.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from roastctl.access.roles import Role


@dataclass(frozen=True, slots=True)
class Principal:
    """A caller: its role and the name of the token it presented (``None``: no token)."""

    role: Role
    token_name: str | None = None


#: The local user (Python API, stdio launched without ``--role``, loopback HTTP with no tokens).
LOCAL_OPERATOR = Principal(Role.OPERATOR)

PRINCIPAL: ContextVar[Principal] = ContextVar("roastctl_principal", default=LOCAL_OPERATOR)


@contextmanager
def acting_as(principal: Principal) -> Iterator[None]:
    """Attribute everything done inside the block to ``principal``."""
    token = PRINCIPAL.set(principal)
    try:
        yield
    finally:
        PRINCIPAL.reset(token)


__all__ = ["LOCAL_OPERATOR", "PRINCIPAL", "Principal", "acting_as"]
