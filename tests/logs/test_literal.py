"""The bounded literal reader gives what ast.literal_eval and json.loads give, within limits."""

from __future__ import annotations

import ast
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roastctl.files.limits import LiteralLimits
from roastctl.logs.literal import LiteralError, parse_literal
from support import roasts_dir

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
keys = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=6)
        | st.tuples(inner)
        | st.tuples(inner, inner)
        | st.dictionaries(keys, inner, max_size=5)
    ),
    max_leaves=30,
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_any_python_literal_reads_as_ast_literal_eval_reads_it(value: object) -> None:
    text = repr(value)
    assert parse_literal(text) == ast.literal_eval(text)


@settings(max_examples=300, deadline=None)
@given(json_values, st.booleans())
def test_any_json_reads_as_json_loads_reads_it(value: object, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert parse_literal(text) == json.loads(text)


def test_escapes_prefixes_tuples_and_trailing_commas() -> None:
    assert parse_literal(r"u'caf\xe9 \u2603 \U0001F600 \N{BULLET} \101 \d'") == (
        "caf\xe9 \u2603 \U0001f600 \N{BULLET} A \\d"
    )
    assert parse_literal(r'"a\/b \ud83d\ude00"') == "a/b \U0001f600"  # JSON escapes
    assert parse_literal("{'a': (1,), 'b': (2), 'c': (), 'd': [1, 2,],}") == {
        "a": (1,),
        "b": 2,
        "c": (),
        "d": [1, 2],
    }
    numbers = parse_literal("[NaN, Infinity, -Infinity, -1e400, 1e-5, +3, .5, 007.5]")
    assert isinstance(numbers, list)
    assert math.isnan(numbers[0])
    assert numbers[1:] == [math.inf, -math.inf, -math.inf, 1e-5, 3, 0.5, 7.5]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("__import__('os').system('true')", "__import__ is not a literal value"),
        ("{'a': 1", "the end of the text where ',' or '}' was expected"),
        ("{'a' 1}", "where ':' was expected"),
        ("{[1]: 2}", "a list as a dict key"),
        ("[1, 2] [3]", "after the end of the value"),
        ("'open", "without its closing quote"),
        ("'''doc'''", "triple-quoted"),
        ("{1, 2}", "where ':' was expected"),
        ("[1,,2]", "',' where a value was expected"),
    ],
)
def test_what_is_not_a_literal_is_refused_with_where(text: str, problem: str) -> None:
    with pytest.raises(LiteralError, match="line 1, character") as raised:
        parse_literal(text)
    assert problem in str(raised.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[" * 5 + "]" * 5, "nested more than 4 deep"),
        ("[" + "1," * 11 + "]", "a list of 11 items; the limit is 10"),
        ("['a'," + "'b'," * 10 + "]", "more than 10 items in one container"),
        ("{" + ",".join(f"{i}: [1, 2, 3]" for i in range(8)) + "}", "more than 30 values"),
        ("'" + "x" * 300 + "'", "a text longer than 20 characters"),
        ("'" + r"\x41" * 21 + "'", "a text of 21 characters; the limit is 20"),
        ("[" + "9" * 13 + ", 'a']", "a number of 13 characters"),
        ("[" + "9" * 13 + "]", "a number of 13 characters"),
    ],
)
def test_each_limit_is_enforced_and_named(text: str, problem: str) -> None:
    limits = LiteralLimits(
        max_depth=4, max_items=10, max_values=30, max_string_chars=20, max_number_chars=12
    )
    with pytest.raises(LiteralError) as raised:
        parse_literal(text, limits)
    assert problem in str(raised.value)


def test_nesting_far_beyond_the_recursion_limit_is_an_error_not_a_crash() -> None:
    with pytest.raises(LiteralError, match="nested more than 32 deep"):
        parse_literal("[" * 1_000_000 + "]" * 1_000_000)


def test_real_artisan_logs_read_exactly_as_before() -> None:
    paths = sorted(roasts_dir().rglob("*.alog"))
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert parse_literal(text) == ast.literal_eval(text), path
