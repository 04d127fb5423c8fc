"""Tests for roastctl.clock: real, scaled and manual time."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roastctl.clock import Clock, ManualClock, ScaledClock, SystemClock


def set_event() -> threading.Event:
    event = threading.Event()
    event.set()
    return event


@pytest.mark.parametrize("clock", [SystemClock(), ScaledClock(10.0), ManualClock()])
def test_every_clock_satisfies_the_protocol(clock: object) -> None:
    assert isinstance(clock, Clock)


# --- SystemClock --------------------------------------------------------------------------------


def test_system_clock_now_is_aware_utc() -> None:
    before = datetime.now(UTC)
    now = SystemClock().now()
    after = datetime.now(UTC)
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)
    assert before <= now <= after


def test_system_clock_monotonic_follows_time_monotonic() -> None:
    clock = SystemClock()
    before = time.monotonic()
    value = clock.monotonic()
    after = time.monotonic()
    assert before <= value <= after


def test_system_clock_sleep_and_wait_do_not_block_for_non_positive_times() -> None:
    clock = SystemClock()
    start = time.monotonic()
    clock.sleep(0)
    clock.sleep(-5)
    assert clock.wait(threading.Event(), -5) is False
    assert clock.wait(set_event(), 100) is True
    assert time.monotonic() - start < 0.5


# --- ScaledClock --------------------------------------------------------------------------------


@pytest.mark.parametrize("speed", [0, 0.0, -1, -0.5, float("nan")])
def test_scaled_clock_refuses_non_positive_speed(speed: float) -> None:
    with pytest.raises(ValueError, match="speed must be > 0"):
        ScaledClock(speed)


def test_scaled_clock_runs_speed_times_faster() -> None:
    clock = ScaledClock(1000)
    start = clock.monotonic()
    time.sleep(0.05)
    elapsed = clock.monotonic() - start
    assert 40 < elapsed < 500


def test_scaled_clock_now_starts_at_start_and_follows_monotonic() -> None:
    start = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    clock = ScaledClock(1000, start=start)
    first = clock.now()
    assert first.utcoffset() == timedelta(0)
    assert start <= first < start + timedelta(seconds=60)
    elapsed = clock.monotonic()
    assert clock.now() >= start + timedelta(seconds=elapsed)


def test_scaled_clock_default_start_is_real_now() -> None:
    before = datetime.now(UTC)
    now = ScaledClock(2).now()
    assert now.utcoffset() == timedelta(0)
    assert before <= now < before + timedelta(seconds=10)


def test_scaled_clock_sleep_takes_scaled_real_time() -> None:
    clock = ScaledClock(1000)
    real_start = time.monotonic()
    start = clock.monotonic()
    clock.sleep(10)  # 0.01 s of real time
    assert clock.monotonic() - start >= 9.5
    assert time.monotonic() - real_start < 0.5


def test_scaled_clock_wait_returns_at_once_when_event_is_set() -> None:
    clock = ScaledClock(1000)
    real_start = time.monotonic()
    assert clock.wait(set_event(), 1000) is True  # would be 1 s real if it waited
    assert time.monotonic() - real_start < 0.5


def test_scaled_clock_wait_times_out_when_event_is_not_set() -> None:
    clock = ScaledClock(1000)
    real_start = time.monotonic()
    start = clock.monotonic()
    assert clock.wait(threading.Event(), 10) is False  # 0.01 s of real time
    assert clock.monotonic() - start >= 9.5
    assert time.monotonic() - real_start < 0.5


# --- ManualClock --------------------------------------------------------------------------------


def test_manual_clock_defaults() -> None:
    clock = ManualClock()
    assert clock.monotonic() == 1000.0
    assert clock.now() == datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def test_manual_clock_does_not_move_by_itself() -> None:
    clock = ManualClock()
    first = (clock.monotonic(), clock.now())
    time.sleep(0.001)
    assert (clock.monotonic(), clock.now()) == first


def test_manual_clock_advance_moves_now_and_monotonic_together() -> None:
    start = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    clock = ManualClock(start=start, monotonic_start=5.0)
    clock.advance(90)
    assert clock.monotonic() == 95.0
    assert clock.now() == start + timedelta(seconds=90)
    clock.advance(0.5)
    assert clock.monotonic() == 95.5
    assert clock.now() == start + timedelta(seconds=90.5)
    assert clock.now().utcoffset() == timedelta(0)


def test_manual_clock_refuses_negative_advance() -> None:
    clock = ManualClock()
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
    assert clock.monotonic() == 1000.0


def test_manual_clock_sleep_advances_exactly() -> None:
    clock = ManualClock()
    real_start = time.monotonic()
    clock.sleep(2.5)
    clock.sleep(3600)
    assert clock.monotonic() == 1000.0 + 2.5 + 3600
    assert clock.now() == datetime(2026, 1, 1, 9, 0, 2, 500000, tzinfo=UTC)
    assert time.monotonic() - real_start < 0.5


@pytest.mark.parametrize("seconds", [0, -3])
def test_manual_clock_sleep_non_positive_does_nothing(seconds: float) -> None:
    clock = ManualClock()
    clock.sleep(seconds)
    assert clock.monotonic() == 1000.0


def test_manual_clock_wait_advances_and_returns_false_when_not_set() -> None:
    clock = ManualClock()
    assert clock.wait(threading.Event(), 30) is False
    assert clock.monotonic() == 1030.0


def test_manual_clock_wait_returns_true_without_advancing_when_set() -> None:
    clock = ManualClock()
    assert clock.wait(set_event(), 30) is True
    assert clock.monotonic() == 1000.0


def test_manual_clock_wait_lets_another_thread_stop_the_loop() -> None:
    clock = ManualClock()
    stop = threading.Event()
    ticks: list[float] = []

    def loop() -> None:
        while not clock.wait(stop, 1.0):
            ticks.append(clock.monotonic())

    worker = threading.Thread(target=loop)
    worker.start()
    while len(ticks) < 5:
        time.sleep(0.001)
    stop.set()
    worker.join(timeout=1.0)
    assert not worker.is_alive()
    # Each pass of the loop saw exactly the one second it asked for.
    assert ticks[:5] == [1001.0, 1002.0, 1003.0, 1004.0, 1005.0]


@given(st.lists(st.integers(min_value=0, max_value=10**6), max_size=20))
def test_manual_clock_advances_add_up(steps: list[int]) -> None:
    clock = ManualClock(monotonic_start=0.0)
    for step in steps:
        clock.advance(step)
    assert clock.monotonic() == sum(steps)
    assert clock.now() == datetime(2026, 1, 1, 8, 0, tzinfo=UTC) + timedelta(seconds=sum(steps))


def test_paced_clock_steps_exactly_and_keeps_the_real_pace() -> None:
    from roastctl.clock import PacedClock

    clock = PacedClock(2000.0)
    start_clock = clock.monotonic()
    started = time.monotonic()
    for _ in range(100):
        clock.sleep(1.0)
    real = time.monotonic() - started
    assert clock.monotonic() - start_clock == 100.0  # every step exactly, whatever the load
    assert real >= 100 / 2000.0 * 0.9  # and paced: 100 clock s at 2000x is at least ~50 ms
    with pytest.raises(ValueError, match="speed"):
        PacedClock(0)
