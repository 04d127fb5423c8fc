"""What a lost link means for the roast: when beans must be taken to have left, and the log text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from roastctl.devices.base import LinkOutage
from roastctl.devices.link_loss import beans_left, drop_time_s, outage_message
from roastctl.models import SensorReading

LOST_S = 100.0


def outage(silent_s: float, *, door_open: bool, watchdog_s: float | None = 1.0) -> LinkOutage:
    reading = SensorReading(
        timestamp=datetime(2026, 1, 1, tzinfo=UTC),
        monotonic_s=LOST_S + silent_s,
        bean_temp_c=190.0,
        env_temp_c=230.0,
        heat_percent=0 if door_open else 100,
        fan_percent=100 if door_open else 30,
        drum_on=True,
        door_open=door_open,
        cooling_on=door_open,
    )
    return LinkOutage(LOST_S, LOST_S + silent_s, watchdog_s, reading)


@pytest.mark.parametrize(
    ("silent_s", "door_open", "watchdog_s", "left"),
    [
        (0.5, False, 1.0, False),  # a blip: the roaster did not act
        (1.3, True, 1.0, True),  # past the watchdog: it ejected
        (1.3, False, 1.0, True),  # past it, whatever the door says: assume it ejected
        (0.5, True, 1.0, True),  # the door found open: the beans left
        (30.0, False, None, False),  # a roaster without a watchdog keeps its beans
    ],
)
def test_beans_are_taken_to_have_left_past_the_watchdog_or_with_the_door_open(
    silent_s: float, door_open: bool, watchdog_s: float | None, left: bool
) -> None:
    gap = outage(silent_s, door_open=door_open, watchdog_s=watchdog_s)
    assert beans_left(gap, beans_in=True) is left
    assert beans_left(gap, beans_in=False) is False  # no beans, nothing to drop


def test_the_drop_goes_where_the_watchdog_fired() -> None:
    assert drop_time_s(outage(1.3, door_open=True)) == pytest.approx(LOST_S + 1.0)
    assert drop_time_s(outage(0.5, door_open=True)) == pytest.approx(LOST_S + 0.5)


def test_the_message_says_how_long_what_happened_and_what_comes_next() -> None:
    ejected = outage_message(outage(1.3, door_open=True), dropped=True)
    assert "down for 1.3 s (its own watchdog: 1 s)" in ejected
    assert "ejected the beans" in ejected
    assert "door open" in ejected
    assert "stop_cooling" in ejected
    blip = outage_message(outage(0.5, door_open=False), dropped=False)
    assert "did not eject" in blip
    assert "explicit set_heat" in blip
    assert "heat 100 %" in blip  # what the roaster reported on its return
