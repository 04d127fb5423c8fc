"""Bounded summaries of outside values for log lines."""

from __future__ import annotations

import pytest

from roastctl.mcp.brief import BRIEF_MAX_CHARS, brief, digits

HUGE: list[object] = [
    "x" * 1_000_000,
    b"\x00" * 1_000_000,
    {"reason": "x" * 1_000_000, "more": list(range(100_000))},
    [[[[[["deep"]]]]]] * 10_000,
    10**5000,
    [10**5000, -(10**9000)],
    {str(i): i for i in range(100_000)},
]


@pytest.mark.parametrize("value", HUGE, ids=lambda v: type(v).__name__)
def test_a_summary_stays_short_whatever_the_value(value: object) -> None:
    text = brief(value)
    assert len(text) <= BRIEF_MAX_CHARS + 40
    assert text.startswith(type(value).__name__)


def test_a_summary_says_the_size_and_the_start() -> None:
    assert brief("x" * 1000).startswith("str, 1000 characters: 'xxx")
    assert brief([1, 2]) == "list, 2 items: [1, 2]"
    assert brief({"a": 1}) == "dict, 1 item: {'a': 1}"
    assert brief(42) == "int: 42"
    assert brief(10**5000) == "int: <int of about 5000 digits>"


def test_digits_are_about_right_where_str_refuses() -> None:
    assert digits(10**4999) in (4999, 5000, 5001)
    assert digits(0) == 1
