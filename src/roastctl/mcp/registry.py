"""The plumbing every MCP tool registration uses.

:class:`ToolRegistry` registers a tool under its function's name and refuses arguments the tool
does not declare; :func:`refusals` turns every failure inside a tool into a tool error the agent
can act on; :func:`tool_annotations` gives a tool its behaviour hints; :func:`range_field` and
:func:`range_check` bound an argument by a :class:`~roastctl.controls.ControlRange`;
:func:`parse_utc` reads the one timestamp format the tools accept.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from mcp.server import MCPServer
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BeforeValidator, Field
from pydantic.fields import FieldInfo

from roastctl.controls import ControlRange
from roastctl.errors import RoasterError
from roastctl.mcp.brief import brief

logger = logging.getLogger(__name__)

#: Shown in every timestamp error: the one format the agent should send.
TIMESTAMP_EXAMPLE = "2026-11-24T10:15:30Z"

#: Tools that run whatever arguments come with them: a safety stop is never refused for a typo.
NEVER_REFUSED = frozenset({"emergency_stop"})


# --------------------------------------------------------------------- arguments
def parse_utc(value: str, name: str = "timestamp") -> datetime:
    """Parse an ISO-8601 time with a timezone (a trailing ``Z`` is accepted); else ToolError."""
    text = value.strip()
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ToolError(
            f"{name} {value!r} is not an ISO-8601 time. Send UTC with a timezone, e.g. "
            f"{TIMESTAMP_EXAMPLE}. Nothing was recorded."
        ) from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise ToolError(
            f"{name} {value!r} has no timezone, so it cannot be placed on the roast's time line. "
            f"Send UTC with a Z or an offset, e.g. {TIMESTAMP_EXAMPLE} or "
            f"{when.isoformat()}+00:00. Nothing was recorded."
        )
    return when


@contextmanager
def refusals(tool: str) -> Iterator[None]:
    """Turn every failure inside a tool into a :class:`ToolError` the agent can act on."""
    try:
        yield
    except ToolError:
        raise
    except RoasterError as exc:
        raise ToolError(str(exc)) from exc
    except Exception as exc:
        logger.exception("tool %s failed unexpectedly", tool)
        raise ToolError(
            f"{tool} failed unexpectedly ({type(exc).__name__}: {exc}); it may not have been "
            "carried out. Call get_roast_status to see the roaster's state, and emergency_stop "
            "if anything looks wrong."
        ) from exc


def range_field(control: ControlRange) -> FieldInfo:
    """Return the JSON-schema bounds of an argument set within ``control``."""
    bounds: FieldInfo = Field(
        ge=control.minimum,
        le=control.maximum,
        multiple_of=control.step,
        strict=True,
        description=f"{control.description} Allowed: {control.allowed}.",
    )
    return bounds


def range_check(control: ControlRange, *, optional: bool = False) -> BeforeValidator:
    """Return a validator that runs ``control``'s own check before the schema bounds.

    A refusal then reads exactly like the manager's: the value, the allowed values and the
    nearest allowed ones. With ``optional``, null (the argument left out) passes as is.
    """

    def check(value: object) -> int | None:
        if optional and value is None:
            return None
        try:
            return control.validate(value)
        except RoasterError as exc:
            raise ValueError(str(exc)) from None

    return BeforeValidator(check)


# --------------------------------------------------------------------- registration
def tool_annotations(
    title: str, *, read_only: bool = False, destructive: bool = False, idempotent: bool = True
) -> ToolAnnotations:
    """Return a tool's behaviour hints (read-only tools are never destructive)."""
    return ToolAnnotations(
        title=title,
        read_only_hint=read_only,
        destructive_hint=False if read_only else destructive,
        idempotent_hint=idempotent,
        open_world_hint=False,
    )


class ToolRegistry:
    """Registers tools on the server and remembers each tool's argument names.

    The SDK ignores arguments a tool does not declare; :meth:`reject_unknown_arguments` is a
    server middleware that refuses them instead, so a misspelt argument is never silently dropped.
    """

    def __init__(self, mcp: MCPServer) -> None:
        self.mcp = mcp
        self.arguments: dict[str, frozenset[str]] = {}

    def add(
        self, fn: Callable[..., Any], *, description: str, annotations: ToolAnnotations
    ) -> None:
        """Register ``fn`` as the tool of the same name."""
        name = fn.__name__
        self.arguments[name] = frozenset(inspect.signature(fn).parameters)
        self.mcp.add_tool(
            fn,
            name=name,
            title=annotations.title,
            description=description,
            annotations=annotations,
            structured_output=True,
        )

    async def reject_unknown_arguments(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        """Middleware: answer a ``tools/call`` with unknown argument names with a tool error."""
        params = ctx.params
        if ctx.method == "tools/call" and isinstance(params, Mapping):
            name = params.get("name")
            arguments = params.get("arguments")
            allowed = self.arguments.get(name) if isinstance(name, str) else None
            if name in NEVER_REFUSED:
                if arguments is not None and arguments != {}:  # an object, a string, a megabyte
                    logger.warning("%s called with arguments (ignored): %s", name, brief(arguments))
                # Passed on without them, so not even the SDK's check of their type can refuse it.
                return await call_next(replace(ctx, params={**params, "arguments": {}}))
            if allowed is not None and isinstance(arguments, Mapping):
                unknown = sorted(str(key) for key in arguments if key not in allowed)
                if unknown:
                    accepted = ", ".join(sorted(allowed)) or "no arguments"
                    text = (
                        f"{name} refused: unknown argument(s) {', '.join(unknown)}. It takes "
                        f"{accepted}. Nothing was changed; resend with only those."
                    )
                    return CallToolResult(
                        content=[TextContent(type="text", text=text)], is_error=True
                    )
        return await call_next(ctx)


__all__ = [
    "NEVER_REFUSED",
    "TIMESTAMP_EXAMPLE",
    "ToolRegistry",
    "parse_utc",
    "range_check",
    "range_field",
    "refusals",
    "tool_annotations",
]
