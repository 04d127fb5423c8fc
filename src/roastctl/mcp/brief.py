"""Bounded one-line summaries of values that came from outside, for log lines.

A log line quotes what a client sent so a person can see what happened, but a client decides how
big that is: a megabyte of arguments must not become a megabyte of log. :func:`brief` says what
kind of value it was and how big, with the start of it, and never exceeds its limit however large
or deeply nested the value is (the summary is built piece by piece, never from the whole repr).
"""

from __future__ import annotations

import reprlib

#: Characters of a summary at most (the kind and size come on top, a few dozen characters).
BRIEF_MAX_CHARS = 200


def digits(number: int) -> int:
    """Return about how many decimal digits ``number`` has (``str()`` refuses 4300 and more)."""
    return max(1, round(abs(number).bit_length() * 0.30103))


class _BriefRepr(reprlib.Repr):
    """reprlib's bounded repr, also for integers too long to print at all."""

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 128:  # about 39 digits: printing more says nothing more
            return f"<int of about {digits(x)} digits>"
        return super().repr_int(x, level)


def _repr_tool() -> reprlib.Repr:
    tool = _BriefRepr()
    tool.maxlevel = 3
    tool.maxdict = tool.maxlist = tool.maxtuple = tool.maxset = 6
    tool.maxstring = tool.maxother = 60
    tool.maxlong = 40
    return tool


_REPR = _repr_tool()


def _size(value: object) -> str:
    if isinstance(value, str | bytes):
        return f"{len(value)} characters" if isinstance(value, str) else f"{len(value)} bytes"
    if isinstance(value, dict | list | tuple | set | frozenset):
        return f"{len(value)} item" + ("" if len(value) == 1 else "s")
    return ""


def brief(value: object, limit: int = BRIEF_MAX_CHARS) -> str:
    """Return ``<type>[, <size>]: <start of the value>``, at most about ``limit`` characters."""
    size = _size(value)
    head = type(value).__name__ + (f", {size}" if size else "")
    text = _REPR.repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{head}: {text}"


__all__ = ["BRIEF_MAX_CHARS", "brief", "digits"]
