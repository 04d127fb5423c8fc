"""Tests for roastctl.controls: declared ranges and their validation messages."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roastctl.controls import FAN_RANGE, HEAT_STEPS_ALLOWED, ControlRange, heat_range
from roastctl.errors import InvalidCommandError


def refusal(control: ControlRange, value: object) -> str:
    with pytest.raises(InvalidCommandError) as info:
        control.validate(value)
    assert info.value.code == "invalid_command"
    return str(info.value)


@pytest.mark.parametrize("value", range(0, 101, 10))
def test_heat_accepts_multiples_of_ten_and_returns_int(value: int) -> None:
    result = heat_range(10).validate(value)
    assert result == value
    assert type(result) is int


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (105, "105"),
        (-10, "-10"),
        (110, "110"),
        (55, "55"),
        (50.5, "50.5"),
        ("50", "'50'"),
        (True, "True"),
        (None, "None"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
        ([50], "[50]"),
    ],
)
def test_heat_refusal_names_value_and_allowed_range(value: object, shown: str) -> None:
    message = refusal(heat_range(10), value)
    assert shown in message
    assert "Allowed" in message
    assert "0-100 % in steps of 10" in message
    assert message.startswith("heat ")


def test_heat_out_of_range_says_so() -> None:
    assert "out of range" in refusal(heat_range(10), 105)


def test_heat_not_a_multiple_names_nearest_allowed_values() -> None:
    message = refusal(heat_range(10), 55)
    assert "not a multiple of 10" in message
    assert "nearest allowed values are 50 and 60" in message


def test_nearest_values_are_relative_to_the_minimum() -> None:
    control = ControlRange(
        name="x", unit="u", minimum=5, maximum=25, step=10, description="offset range"
    )
    assert control.validate(15) == 15
    assert "nearest allowed values are 5 and 15" in refusal(control, 12)
    assert "nearest allowed values are 15 and 25" in refusal(control, 24)


def test_integral_float_accepted_as_int() -> None:
    result = heat_range(10).validate(50.0)
    assert result == 50
    assert type(result) is int


def test_bool_false_is_refused_even_though_zero_is_allowed() -> None:
    assert heat_range(10).validate(0) == 0
    assert "False" in refusal(heat_range(10), False)


def test_fan_range_has_step_ten() -> None:
    assert FAN_RANGE.name == "fan"
    assert (FAN_RANGE.minimum, FAN_RANGE.maximum, FAN_RANGE.step) == (0, 100, 10)
    assert FAN_RANGE.validate(70) == 70
    message = refusal(FAN_RANGE, 75)
    assert message.startswith("fan ")
    assert "nearest allowed values are 70 and 80" in message


def test_heat_step_five_accepts_55() -> None:
    assert heat_range(5).validate(55) == 55
    assert "nearest allowed values are 55 and 60" in refusal(heat_range(5), 57)


def test_allowed_description_omits_step_one() -> None:
    assert heat_range(1).allowed == "0-100 %"
    assert heat_range(25).allowed == "0-100 % in steps of 25"


@pytest.mark.parametrize("step", [3, 7, 0, -10])
def test_step_that_does_not_divide_the_range_is_refused(step: int) -> None:
    with pytest.raises(ValueError, match=re.escape("must be > 0 and divide the range 0..100")):
        ControlRange(name="heat", unit="%", minimum=0, maximum=100, step=step, description="")


def test_every_allowed_heat_step_builds_a_range() -> None:
    for step in HEAT_STEPS_ALLOWED:
        assert heat_range(step).step == step


@given(st.sampled_from(HEAT_STEPS_ALLOWED), st.integers(min_value=-1000, max_value=1000))
def test_validate_over_integers(step: int, value: int) -> None:
    control = heat_range(step)
    if 0 <= value <= 100 and value % step == 0:
        assert control.validate(value) == value
        assert control.validate(float(value)) == value
    else:
        message = refusal(control, value)
        assert str(value) in message
        assert "Allowed" in message
        # A float of the same whole value is judged the same way.
        assert refusal(control, float(value)) == message


@given(st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not x.is_integer()))
def test_non_integral_floats_are_refused(value: float) -> None:
    message = refusal(heat_range(1), value)
    assert repr(value) in message
    assert "whole number" in message
