"""Which HTTP status a dashboard refusal gets: one per kind of refusal, the same on every route.

* **400**: the request itself is wrong (a value out of range, a wrong type, an unknown key, a
  body that is not a JSON object): fix the request.
* **403**: the caller's role may not do it (the access gate) or the request came from another
  site's page.
* **409**: the request is fine but the roaster's or the roast's state forbids it now (no session,
  no CHARGE yet, a safety interlock, a latched fault): change the state first.
* **502**: the roaster did not carry out the command (the link or the device failed).
"""

from __future__ import annotations

from roastctl.errors import (
    BeansNotAddedError,
    InvalidCommandError,
    NoActiveRoastError,
    RoasterError,
    RoasterNotConnectedError,
    SafetyInterlockError,
)
from roastctl.roast.tracker import NoSamplesError

#: Refusals because of the current state, not the request: 409.
STATE_REFUSALS: tuple[type[RoasterError], ...] = (
    RoasterNotConnectedError,
    BeansNotAddedError,
    NoActiveRoastError,
    NoSamplesError,
    SafetyInterlockError,  # with FaultActiveError
)


def status_for(exc: RoasterError) -> int:
    """Return the HTTP status for a refusal or failure ``exc`` (module docstring)."""
    if isinstance(exc, STATE_REFUSALS):
        return 409
    if isinstance(exc, InvalidCommandError):
        return 400
    return 502


def describe(exc: RoasterError) -> str:
    """Return the answer's message: the refusal's own words; a failure says it was not done."""
    if status_for(exc) == 502:
        return f"the roaster did not carry out the command: {exc}"
    return str(exc)


__all__ = ["STATE_REFUSALS", "describe", "status_for"]
