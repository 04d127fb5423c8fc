r"""Reading a Python or JSON literal (an Artisan ``.alog``) without ``eval`` and within limits.

:func:`ast.literal_eval` builds a syntax tree of the whole file first: about 400 bytes per number,
so a 20 MB log took 8 GB. This reader walks the text once with an explicit stack (no recursion,
so deep nesting is an error, not a crash) and builds only the values. It reads what ``repr()``
and :func:`json.dumps` write: dicts, lists, tuples, strings (``u`` prefix allowed), numbers,
``True``/``False``/``None`` and ``true``/``false``/``null``. String escapes are Python's, plus
JSON's ``\/`` and surrogate pairs, so a Python literal and its JSON twin read the same.
Beyond a :class:`~roastctl.files.limits.LiteralLimits` it raises :class:`LiteralError` naming the
value and the limit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from roastctl.errors import RoastFileError
from roastctl.files.limits import ROAST_LOG_LIMITS, LiteralLimits


class LiteralError(RoastFileError):
    """The text is not a literal this reader accepts, or it is beyond the limits."""

    code = "literal_error"


_NUMBER = r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_SPACE = re.compile(r"\s*")
_NUMBER_TOKEN = re.compile(_NUMBER)
# The inside of a list of plain numbers (the bulk of a roast log), read in one step.
_NUMBER_LIST_BODY = re.compile(r"[0-9\s.,eE+-]*\]")
_NAME = re.compile(r"[A-Za-z_]\w*")
_NAMES: dict[str, object] = {
    "True": True,
    "False": False,
    "None": None,
    "true": True,
    "false": False,
    "null": None,
    "NaN": float("nan"),  # json.dumps writes these for non-finite floats
    "Infinity": float("inf"),
}
_STRING_STOP = {"'": re.compile(r"['\\\n]"), '"': re.compile(r'["\\\n]')}
_ESCAPE = re.compile(
    r"\\(?:(?P<simple>[\\'\"abfnrtv/\n])|x(?P<x>[0-9a-fA-F]{2})|u(?P<u>[0-9a-fA-F]{4})"
    r"|U(?P<U>[0-9a-fA-F]{8})|(?P<oct>[0-7]{1,3})|N\{(?P<name>[^}]{1,100})\})"
)
_SIMPLE_ESCAPES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "/": "/",
    "\n": "",
}
_CLOSERS = {"[": "]", "(": ")", "{": "}"}
_OPENERS = frozenset(_CLOSERS)
_PUNCTUATION = frozenset("[](){},:")


@dataclass(slots=True)
class _Container:
    """A list, tuple or dict being read."""

    opener: str
    items: list[object] = field(default_factory=list)
    pairs: dict[object, object] = field(default_factory=dict)
    key: object = None
    has_key: bool = False  # a dict key has been read, its value not yet
    after_comma: bool = False

    def size(self) -> int:
        return len(self.pairs) if self.opener == "{" else len(self.items)


class _Reader:
    def __init__(self, text: str, limits: LiteralLimits) -> None:
        self.text = text
        self.limits = limits
        self.pos = 0
        self.values = 0

    def fail(self, message: str) -> LiteralError:
        line = self.text.count("\n", 0, self.pos) + 1
        return LiteralError(f"{message} (line {line}, character {self.pos + 1})")

    def skip_space(self) -> str:
        """Move past white space; return the next character ('' at the end)."""
        match = _SPACE.match(self.text, self.pos)
        if match is not None:
            self.pos = match.end()
        return self.text[self.pos : self.pos + 1]

    def count(self, added: int) -> None:
        self.values += added
        if self.values > self.limits.max_values:
            raise self.fail(f"more than {self.limits.max_values:,} values in the file (the limit)")

    def number_list(self) -> list[object] | None:
        """Read ``[1, 2.5, ...]`` at the cursor in one step; ``None`` if it is not one.

        Anything unusual (a malformed or over-long number) returns ``None``: the list is then
        read item by item, which names the problem and where it is.
        """
        body = _NUMBER_LIST_BODY.match(self.text, self.pos + 1)
        if body is None:
            return None
        tokens = self.text[self.pos + 1 : body.end() - 1].split(",")
        if not tokens[-1].strip():
            tokens.pop()  # a trailing comma, or an empty list
        if len(tokens) > self.limits.max_items:
            raise self.fail(
                f"a list of {len(tokens):,} items; the limit is {self.limits.max_items:,}"
            )
        if tokens and max(map(len, tokens)) > self.limits.max_number_chars:
            return None
        try:
            numbers: list[object] = [_number(token) for token in tokens]
        except ValueError:
            return None
        self.count(len(numbers))
        self.pos = body.end()
        return numbers

    def scalar(self) -> object:
        """Read a string, number or name at the cursor."""
        char = self.text[self.pos]
        if char in "uU" and self.text[self.pos + 1 : self.pos + 2] in ("'", '"'):
            self.pos += 1
            char = self.text[self.pos]
        if char in ("'", '"'):
            return self.string(char)
        if self.text.startswith("-Infinity", self.pos):
            self.pos += len("-Infinity")
            return float("-inf")
        number = _NUMBER_TOKEN.match(self.text, self.pos)
        if number is not None:
            token = number.group()
            if len(token) > self.limits.max_number_chars:
                raise self.fail(
                    f"a number of {len(token):,} characters ({token[:20]}...); the limit is "
                    f"{self.limits.max_number_chars}"
                )
            self.pos = number.end()
            return _number(token)
        name = _NAME.match(self.text, self.pos)
        if name is not None and name.group() in _NAMES:
            self.pos = name.end()
            return _NAMES[name.group()]
        shown = name.group()[:40] if name is not None else repr(char)
        raise self.fail(f"{shown} is not a literal value (only dicts, lists, text and numbers)")

    def string(self, quote: str) -> str:
        if self.text.startswith(quote * 3, self.pos):
            raise self.fail("triple-quoted text is not read")
        start = self.pos + 1
        scan = start
        escaped = False
        stop = _STRING_STOP[quote]
        # An escape such as \U0001f600 takes up to 10 characters for one.
        end = start + self.limits.max_string_chars * 10 + 2
        while True:
            found = stop.search(self.text, scan, end)
            if found is None:
                if len(self.text) >= end:
                    raise self.fail(
                        f"a text longer than {self.limits.max_string_chars:,} characters "
                        "(the limit)"
                    )
                raise self.fail("text without its closing quote")
            char = found.group()
            if char == "\\":
                escaped = True
                scan = found.end() + 1
                continue
            if char == "\n":
                raise self.fail("a line break inside a text without its closing quote")
            break
        raw = self.text[start : found.start()]
        value = _unescape(raw) if escaped else raw
        if len(value) > self.limits.max_string_chars:
            raise self.fail(
                f"a text of {len(value):,} characters; the limit is "
                f"{self.limits.max_string_chars:,}"
            )
        self.pos = found.end()
        return value

    def read(self) -> object:
        stack: list[_Container] = []
        expecting_value = True
        while True:
            char = self.skip_space()
            if expecting_value:
                if char in _OPENERS:
                    if len(stack) >= self.limits.max_depth:
                        raise self.fail(
                            f"containers nested more than {self.limits.max_depth} deep (the limit)"
                        )
                    numbers = self.number_list() if char == "[" else None
                    if numbers is None:
                        stack.append(_Container(char))
                        self.pos += 1
                        continue
                    value: object = numbers
                elif char in _CLOSERS.values() and stack and _may_close(stack[-1], char):
                    self.pos += 1
                    value = _finish(stack.pop())
                elif char == "":
                    raise self.fail("the text ends where a value was expected")
                elif char in _PUNCTUATION:
                    raise self.fail(f"{char!r} where a value was expected")
                else:
                    value = self.scalar()
            elif not stack:
                if char:
                    raise self.fail(f"{char!r} after the end of the value")
                return value
            else:
                top = stack[-1]
                if char == "," and not (top.opener == "{" and top.has_key):
                    self.pos += 1
                    top.after_comma = True
                    expecting_value = True
                    continue
                if char == ":" and top.opener == "{" and top.has_key:
                    self.pos += 1
                    expecting_value = True
                    continue
                if char == _CLOSERS[top.opener] and not top.has_key:
                    self.pos += 1
                    value = _finish(stack.pop())
                else:
                    expected = "':'" if top.has_key else f"',' or {_CLOSERS[top.opener]!r}"
                    found = repr(char) if char else "the end of the text"
                    raise self.fail(f"{found} where {expected} was expected")
            self.deliver(stack, value)
            expecting_value = False

    def deliver(self, stack: list[_Container], value: object) -> None:
        """Put a finished value into the container being read."""
        self.count(1)
        if not stack:
            return
        top = stack[-1]
        top.after_comma = False
        if top.size() >= self.limits.max_items:
            raise self.fail(
                f"more than {self.limits.max_items:,} items in one container (the limit)"
            )
        if top.opener != "{":
            top.items.append(value)
        elif not top.has_key:
            try:
                hash(value)
            except TypeError:
                raise self.fail(f"a {type(value).__name__} as a dict key") from None
            top.key, top.has_key = value, True
        else:
            top.pairs[top.key] = value
            top.has_key = False


def _may_close(top: _Container, closer: str) -> bool:
    """Tell whether ``closer`` may stand where a value is expected (after an opener or a comma)."""
    return (
        closer == _CLOSERS[top.opener] and not top.has_key and (top.after_comma or top.size() == 0)
    )


def _finish(container: _Container) -> object:
    if container.opener == "{":
        return container.pairs
    if container.opener == "(":
        if len(container.items) == 1 and not container.after_comma:
            return container.items[0]  # (x) is x; (x,) is a tuple
        return tuple(container.items)
    return container.items


def _number(token: str) -> int | float:
    """Convert a number token (white space around it allowed); ValueError if it is not one."""
    if "." in token or "e" in token or "E" in token:
        return float(token)
    return int(token)


def _unescape(raw: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if (simple := match.group("simple")) is not None:
            return _SIMPLE_ESCAPES[simple]
        if (octal := match.group("oct")) is not None:
            return chr(int(octal, 8))
        if (name := match.group("name")) is not None:
            try:
                return unicodedata.lookup(name)
            except KeyError:
                return match.group()
        digits = match.group("x") or match.group("u") or match.group("U")
        code = int(digits, 16)
        return chr(code) if code <= 0x10FFFF else match.group()

    text = _ESCAPE.sub(replace, raw)
    if any("\ud800" <= char <= "\udfff" for char in text):
        # JSON writes a character beyond the BMP as a surrogate pair; join the pairs.
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def parse_literal(text: str, limits: LiteralLimits = ROAST_LOG_LIMITS) -> object:
    """Return the value of ``text``, a Python or JSON literal; raise :class:`LiteralError`."""
    reader = _Reader(text.removeprefix("\ufeff"), limits)
    return reader.read()


def parse_mapping(text: str, limits: LiteralLimits = ROAST_LOG_LIMITS) -> dict[str, Any]:
    """Return the dict ``text`` holds; raise :class:`LiteralError` if it holds anything else.

    Every roast file written as one literal (Artisan's profile, RoasTime and split-key JSON) is a
    dict at the top.
    """
    data = parse_literal(text, limits)
    if not isinstance(data, dict):
        raise LiteralError(f"top level is {type(data).__name__}, expected a dict")
    return data


__all__ = ["LiteralError", "parse_literal", "parse_mapping"]
