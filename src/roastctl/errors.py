"""One error root for everything roastctl refuses or fails at.

Every message is written for the reader that acts on it, often an AI agent: it names the value, the
allowed range or state, and what to do next. ``code`` is a stable machine-readable identifier.
"""

from __future__ import annotations


class RoasterError(Exception):
    """Root of all roastctl errors."""

    code = "roaster_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class ConfigError(RoasterError):
    """A configuration value is invalid; raised at start-up, before anything is touched."""

    code = "config_error"


class RoasterNotConnectedError(RoasterError):
    """A command needs a connected roaster and an active session, and there is none."""

    code = "not_connected"


class RoasterConnectionError(RoasterError):
    """Connecting to, or talking with, the roaster failed."""

    code = "connection_error"


class InvalidCommandError(RoasterError):
    """A command's value is out of range or not allowed in the roaster's current state."""

    code = "invalid_command"


class NoActiveRoastError(RoasterError):
    """The request needs a roast in progress (beans charged) and there is none."""

    code = "no_active_roast"


class BeansNotAddedError(RoasterError):
    """The request needs CHARGE (T0) to have happened first."""

    code = "beans_not_added"


class SafetyInterlockError(InvalidCommandError):
    """The safety supervisor refused a command: doing it would be unsafe in this state."""

    code = "safety_interlock"


class FaultActiveError(SafetyInterlockError):
    """A latched safety fault blocks the request; see ``get_status().safety.faults``."""

    code = "fault_active"


class RoastFileError(RoasterError, ValueError):
    """A roast file cannot be read: unreadable, beyond a limit, or not a log roastctl understands.

    Also a :class:`ValueError` (as python-kasa's ``TimeoutError`` is also an
    :class:`asyncio.TimeoutError`): the file readers raised ``ValueError`` before they joined
    :class:`RoasterError`, and callers that catch it keep working. The message names the file,
    the problem and what to do next.
    """

    code = "roast_file_error"
