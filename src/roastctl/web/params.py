"""Whole numbers from query strings and paths, refused clearly when they are not.

A query value is text of any length: ``int()`` of thousands of digits is slow, and refused past
4,300 digits with an error that would become a 500. Every dashboard number goes through
:func:`whole_number` instead, which looks at the text first (ASCII digits, a sane length) and
names the value, shortened, with the allowed range.
"""

from __future__ import annotations

#: Digits of the largest number any dashboard parameter takes (a roast id is below 2**63).
MAX_DIGITS = 19
#: Characters of a refused value shown back in the message.
SHOWN_MAX = 40
#: The largest roast id SQLite can hold.
ROAST_ID_MAX = 2**63 - 1


def shown(text: str) -> str:
    """Return ``text`` quoted for a message, shortened if long (with its length)."""
    if len(text) <= SHOWN_MAX:
        return repr(text)
    return f"{text[:SHOWN_MAX]!r}… ({len(text)} characters)"


def whole_number(name: str, text: str, low: int, high: int, example: int) -> int:
    """Return ``text`` as a whole number in ``low``-``high``; else raise ``ValueError``."""
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS):
        raise ValueError(
            f"{name}={shown(text)} is not a whole number in {low}-{high}; send e.g. "
            f"{name}={example}"
        )
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"{name}={value} is out of range; send a whole number in {low}-{high}")
    return value


__all__ = ["MAX_DIGITS", "ROAST_ID_MAX", "shown", "whole_number"]
