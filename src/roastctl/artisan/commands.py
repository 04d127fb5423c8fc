"""Reading Artisan's messages and carrying out its commands through the session.

Every command runs through the same :class:`~roastctl.session.manager.RoastSessionManager` method
an MCP tool or a dashboard button uses, so validation, the safety supervisor and the command log
apply alike. A slider sends its value as a float (``70.0``): it is rounded to the step the
session takes (the heater's configured step, the fan's 10 %) and then checked by the session's
own ranges, so a refusal names the value and the allowed range. A refusal here (wrong
parameters, the observer role) is kept in the command log, as the session keeps its own.
"""

from __future__ import annotations

import json
import math
from typing import Any

from roastctl.artisan.protocol import COMMANDS, CommandSpec, Param
from roastctl.controls import FAN_RANGE
from roastctl.errors import InvalidCommandError
from roastctl.session.manager import RoastSessionManager


class MessageRefused(InvalidCommandError):
    """A message the endpoint refuses before any session command runs."""


def parse_message(text: str) -> dict[str, Any]:
    """Return the JSON object in ``text``; :class:`MessageRefused` says what is wrong."""
    try:
        message = json.loads(text)
    except RecursionError:
        raise MessageRefused(
            "the message is nested too deeply to read; send a flat object"
        ) from None
    except ValueError as exc:
        raise MessageRefused(
            f'the message is not JSON ({exc}); send e.g. {{"command": "getData", "id": 1}}'
        ) from None
    if not isinstance(message, dict):
        raise MessageRefused(
            f"the message must be a JSON object, got {type(message).__name__}; "
            'send e.g. {"command": "getData", "id": 1}'
        )
    return message


def command_spec(name: object) -> CommandSpec:
    """Return the spec of command ``name``; :class:`MessageRefused` names the known ones."""
    spec = COMMANDS.get(name) if isinstance(name, str) else None
    if spec is None:
        shown = repr(name)[:60]
        raise MessageRefused(
            f"unknown command {shown}; known: getData, {', '.join(COMMANDS)}. Nothing was changed."
        )
    return spec


def command_params(spec: CommandSpec, params: object) -> dict[str, Any]:
    """Return ``params`` checked against ``spec``: an object with exactly its parameters."""
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise MessageRefused(
            f"{spec.name}: params must be a JSON object, got {type(params).__name__}. "
            "Nothing was changed."
        )
    unknown = [key for key in params if key not in spec.param_names]
    if unknown:
        allowed = ", ".join(spec.param_names) or "none"
        raise MessageRefused(
            f"{spec.name}: unknown parameter {str(unknown[0])[:40]!r}; allowed: {allowed}. "
            "Nothing was changed."
        )
    for param in spec.params:
        if param.name not in params:
            raise MessageRefused(
                f"{spec.name}: the parameter {param.name!r} is missing ({_example(spec, param)}). "
                "Nothing was changed."
            )
        if param.kind == "flag" and not isinstance(params[param.name], bool):
            raise MessageRefused(
                f"{spec.name}: {param.name} must be true or false, got "
                f"{str(params[param.name])[:40]!r} ({_example(spec, param)}). Nothing was changed."
            )
    return params


def _example(spec: CommandSpec, param: Param) -> str:
    value = "true" if param.kind == "flag" else "70"
    return f'e.g. {{"command": "{spec.name}", "params": {{"{param.name}": {value}}}}}'


def to_step(value: object, step: int) -> object:
    """Return a slider's ``value`` rounded to a multiple of ``step``; anything else as it is.

    What is not a finite number goes on unchanged, so the session's own check refuses it by name.
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return value
    return int(step * math.floor(value / step + 0.5))


def carry_out(manager: RoastSessionManager, spec: CommandSpec, params: dict[str, Any]) -> object:
    """Run the command on ``manager`` (call it on a worker thread, inside ``calling_as``)."""
    name = spec.name
    if name == "setHeat":
        step = manager.config.hardware.heat_step_percent
        manager.set_heat(to_step(params["value"], step))  # type: ignore[arg-type]
    elif name == "setFan":
        manager.set_fan(to_step(params["value"], FAN_RANGE.step))  # type: ignore[arg-type]
    elif name == "drum":
        if params["on"]:
            manager.start_roaster()
        else:
            manager.stop_roaster()
    elif name == "drop":
        manager.drop_beans()
    elif name == "cooling":
        if params["on"]:
            manager.start_cooling()
        else:
            manager.stop_cooling()
    elif name == "emergencyStop":
        return manager.emergency_stop()
    else:  # pragma: no cover - COMMANDS and this function are kept together by a test
        raise MessageRefused(f"{name} is not carried out by this server")
    return None


__all__ = [
    "MessageRefused",
    "carry_out",
    "command_params",
    "command_spec",
    "parse_message",
    "to_step",
]
