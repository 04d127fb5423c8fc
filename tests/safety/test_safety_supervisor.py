"""The supervisor's rules on their own: readings and commands in, actions and faults out."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from roastctl.clock import ManualClock
from roastctl.config import SafetyConfig
from roastctl.errors import FaultActiveError, InvalidCommandError, SafetyInterlockError
from roastctl.models import SafetyEventKind, SafetyRule, SensorReading
from roastctl.safety import SafetyAction, SafetyInputs, SafetySupervisor

RUNNING = SafetyInputs(drum_on=True, fan_percent=30, heat_percent=80, first_crack_passed=False)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def supervisor(clock: ManualClock) -> SafetySupervisor:
    return SafetySupervisor(SafetyConfig(), clock)


def reading(
    clock: ManualClock, bean: float, env: float | None = None, *, heat: int = 80
) -> SensorReading:
    """A reading taken now on ``clock``."""
    return SensorReading(
        timestamp=clock.now(),
        monotonic_s=clock.monotonic(),
        bean_temp_c=bean,
        env_temp_c=bean + 20 if env is None else env,
        heat_percent=heat,
        fan_percent=30,
        drum_on=True,
        door_open=False,
        cooling_on=False,
    )


def feed(
    supervisor: SafetySupervisor,
    clock: ManualClock,
    bean: float,
    env: float | None = None,
    heat: int = 80,
) -> list[str]:
    """Advance one second, judge a reading; return the actions as strings."""
    clock.advance(1.0)
    return [a.value for a in supervisor.judge_reading(reading(clock, bean, env, heat=heat))]


# ----------------------------------------------------------------- over-temperature
def test_bean_temperature_at_the_limit_forces_a_drop_and_latches(
    supervisor: SafetySupervisor, clock: ManualClock
) -> None:
    assert feed(supervisor, clock, 219.9) == []
    assert feed(supervisor, clock, 220.0) == ["forced_drop"]
    (fault,) = supervisor.faults
    assert fault.rule is SafetyRule.BEAN_OVER_TEMPERATURE
    assert "220.0 deg C reached the 220 deg C limit" in fault.message
    assert "below 180" in fault.clears_when
    assert feed(supervisor, clock, 221.0, heat=0) == []  # one drop per fault, not per sample
    assert supervisor.status(heating=False).state == "fault"


def test_environment_temperature_has_its_own_limit(
    supervisor: SafetySupervisor, clock: ManualClock
) -> None:
    assert feed(supervisor, clock, 200.0, env=259.0) == []
    assert feed(supervisor, clock, 200.0, env=260.0) == ["forced_drop"]
    assert [f.rule for f in supervisor.faults] == [SafetyRule.ENV_OVER_TEMPERATURE]


def test_warning_band_is_reported_once_per_entry(
    supervisor: SafetySupervisor, clock: ManualClock
) -> None:
    feed(supervisor, clock, 209.0)
    assert supervisor.status(heating=True).state == "ok"
    feed(supervisor, clock, 210.5)
    feed(supervisor, clock, 212.0)
    status = supervisor.status(heating=True)
    assert status.state == "warning"
    assert status.warnings == ("BT 212.0 deg C is within 8.0 deg C of the 220 deg C limit",)
    warnings = [e for e in supervisor.events if e.kind is SafetyEventKind.WARNING]
    assert len(warnings) == 1
    feed(supervisor, clock, 200.0)
    feed(supervisor, clock, 211.0)
    assert len([e for e in supervisor.events if e.kind is SafetyEventKind.WARNING]) == 2


def test_tightened_limits_are_enforced(clock: ManualClock) -> None:
    supervisor = SafetySupervisor(SafetyConfig(bean_temp_limit_c=205.0, release_temp_c=170), clock)
    assert feed(supervisor, clock, 204.0) == []
    assert feed(supervisor, clock, 205.0) == ["forced_drop"]


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("bean_temp_limit_c", 400.0, "less than or equal to 240"),
        ("env_temp_limit_c", float("nan"), "less than or equal to 280"),
        ("stale_after_s", 0.2, "greater than or equal to 1"),
        ("release_temp_c", 225.0, "must be below bean_temp_limit_c"),
        ("dead_man_s", 3.0, "must be 0 (off) or 10-1800 s"),
        ("fan_off_heat_cap_percent", 120, "less than or equal to 100"),
    ],
)
def test_limits_cannot_be_loosened_past_their_range(key: str, value: float, allowed: str) -> None:
    with pytest.raises(ValidationError, match=allowed.replace("(", r"\(").replace(")", r"\)")):
        SafetyConfig.model_validate({key: value})


def test_dead_man_is_switched_off_only_by_an_explicit_zero() -> None:
    assert SafetyConfig().dead_man_timeout_s(None) is None
    assert SafetyConfig().dead_man_timeout_s(60.0) == 60.0
    assert SafetyConfig(dead_man_s=0).dead_man_timeout_s(60.0) is None
    assert SafetyConfig(dead_man_s=20).dead_man_timeout_s(60.0) == 20.0


# ----------------------------------------------------------------- implausible and stale data
def test_an_implausible_spike_is_ignored_not_tripped_on(
    supervisor: SafetySupervisor, clock: ManualClock
) -> None:
    feed(supervisor, clock, 150.0)
    assert feed(supervisor, clock, 150.0, env=2046.0) == []  # an open thermocouple's code
    assert supervisor.faults == ()
    (warning,) = [e for e in supervisor.events if e.rule is SafetyRule.IMPLAUSIBLE_READING]
    assert "2046" in warning.message
    assert supervisor.data_age_s(clock.monotonic()) == pytest.approx(1.0)  # not fresh


def test_data_that_stops_while_heating_cuts_the_heat_and_latches(
    supervisor: SafetySupervisor, clock: ManualClock
) -> None:
    feed(supervisor, clock, 150.0)
    clock.advance(3.0)
    assert supervisor.watch(heating=True) == []  # exactly at the limit: still fresh
    clock.advance(0.1)
    assert supervisor.watch(heating=True) == [SafetyAction.CUT_HEAT]
    assert [f.rule for f in supervisor.faults] == [SafetyRule.STALE_DATA]
    assert supervisor.watch(heating=True) == []  # latched once
    with pytest.raises(FaultActiveError, match="stale_data"):
        supervisor.check_heat(50, RUNNING)


def test_stale_data_without_heat_is_a_warning_not_a_fault(
    supervisor: SafetySupervisor, clock: ManualClock
) -> None:
    feed(supervisor, clock, 150.0)
    clock.advance(10.0)
    assert supervisor.watch(heating=False) == []
    assert supervisor.faults == ()
    assert supervisor.status(heating=False).warnings == (
        "no fresh reading for 10.0 s: the roaster data is stale",
    )
    with pytest.raises(SafetyInterlockError, match=r"10\.0 s old"):
        supervisor.check_heat(30, RUNNING)


def test_a_repeated_old_reading_is_not_fresh(
    supervisor: SafetySupervisor, clock: ManualClock
) -> None:
    clock.advance(1.0)
    frozen = reading(clock, 150.0)
    supervisor.judge_reading(frozen)
    for _ in range(5):
        clock.advance(1.0)
        supervisor.judge_reading(frozen)
    assert not supervisor.data_fresh(clock.monotonic())
    assert supervisor.watch(heating=True) == [SafetyAction.CUT_HEAT]


def test_persistent_implausible_readings_go_stale(
    supervisor: SafetySupervisor, clock: ManualClock
) -> None:
    feed(supervisor, clock, 150.0)
    for _ in range(4):
        feed(supervisor, clock, 2046.0)
    assert supervisor.watch(heating=True) == [SafetyAction.CUT_HEAT]
    assert [f.rule for f in supervisor.faults] == [SafetyRule.STALE_DATA]


# ----------------------------------------------------------------- dead-man
def test_dead_man_is_off_unless_armed(supervisor: SafetySupervisor, clock: ManualClock) -> None:
    for _ in range(600):
        feed(supervisor, clock, 150.0)
        assert supervisor.watch(heating=True) == []


def test_dead_man_cuts_the_heat_after_silence(clock: ManualClock) -> None:
    supervisor = SafetySupervisor(SafetyConfig(), clock, dead_man_s=60.0)
    supervisor.note_agent_call()
    for _ in range(59):
        feed(supervisor, clock, 150.0)
        assert supervisor.watch(heating=True) == []
    assert supervisor.status(heating=True).dead_man_seconds_left == pytest.approx(1.0)
    supervisor.note_agent_call()  # the agent speaks: re-armed
    for _ in range(59):
        feed(supervisor, clock, 150.0)
        assert supervisor.watch(heating=True) == []
    feed(supervisor, clock, 150.0)
    assert supervisor.watch(heating=True) == [SafetyAction.CUT_HEAT]
    (fault,) = supervisor.faults
    assert fault.rule is SafetyRule.DEAD_MAN
    assert "no agent call for 60 s" in fault.message


def test_dead_man_does_not_trip_without_heat(clock: ManualClock) -> None:
    supervisor = SafetySupervisor(SafetyConfig(), clock, dead_man_s=10.0)
    for _ in range(30):
        feed(supervisor, clock, 60.0)
        assert supervisor.watch(heating=False) == []


# ----------------------------------------------------------------- interlocks
def test_heat_zero_is_always_allowed(supervisor: SafetySupervisor, clock: ManualClock) -> None:
    supervisor.emergency_stop()
    supervisor.note_dropped()
    supervisor.check_heat(0, SafetyInputs(False, 0, 0, True))


def test_heat_with_the_drum_stopped_is_refused(
    supervisor: SafetySupervisor, clock: ManualClock
) -> None:
    feed(supervisor, clock, 100.0)
    still = SafetyInputs(drum_on=False, fan_percent=0, heat_percent=0, first_crack_passed=False)
    with pytest.raises(SafetyInterlockError, match="drum is stopped") as refused:
        supervisor.check_heat(40, still)
    assert refused.value.code == "safety_interlock"
    (event,) = supervisor.events
    assert (event.kind, event.rule) == (SafetyEventKind.REFUSAL, SafetyRule.DRUM_STOPPED)


def test_heat_after_drop_is_refused_until_ready(
    supervisor: SafetySupervisor, clock: ManualClock
) -> None:
    feed(supervisor, clock, 100.0)
    supervisor.note_dropped()
    with pytest.raises(SafetyInterlockError, match="the beans were dropped"):
        supervisor.check_heat(40, RUNNING)
    supervisor.note_ready()
    supervisor.check_heat(40, RUNNING)


def test_fan_off_cap_after_first_crack_when_configured(clock: ManualClock) -> None:
    supervisor = SafetySupervisor(SafetyConfig(fan_off_heat_cap_percent=30), clock)
    feed(supervisor, clock, 200.0)
    fan_off_late = SafetyInputs(
        drum_on=True, fan_percent=0, heat_percent=20, first_crack_passed=True
    )
    supervisor.check_heat(30, fan_off_late)
    with pytest.raises(SafetyInterlockError, match="capped at 30 %"):
        supervisor.check_heat(40, fan_off_late)
    supervisor.check_heat(80, SafetyInputs(True, 0, 20, first_crack_passed=False))
    hot_late = SafetyInputs(drum_on=True, fan_percent=30, heat_percent=60, first_crack_passed=True)
    with pytest.raises(SafetyInterlockError, match="fan 0 % refused"):
        supervisor.check_fan(0, hot_late)
    supervisor.check_fan(10, hot_late)


def test_new_roast_is_refused_while_a_fault_is_latched(
    supervisor: SafetySupervisor, clock: ManualClock
) -> None:
    supervisor.check_new_roast()
    feed(supervisor, clock, 220.0)
    with pytest.raises(FaultActiveError, match="bean_over_temperature"):
        supervisor.check_new_roast()


def test_a_roaster_heating_against_a_fault_is_switched_off_again(
    supervisor: SafetySupervisor, clock: ManualClock
) -> None:
    feed(supervisor, clock, 220.0)
    clock.advance(1.0)
    assert supervisor.judge_reading(reading(clock, 219.0, heat=50)) == [SafetyAction.CUT_HEAT]
    clock.advance(1.0)
    assert supervisor.judge_reading(reading(clock, 219.0, heat=0)) == []


# ----------------------------------------------------------------- clearing
def test_clear_is_refused_while_the_cause_persists_and_changes_nothing(
    supervisor: SafetySupervisor, clock: ManualClock
) -> None:
    feed(supervisor, clock, 220.0)
    feed(supervisor, clock, 181.0)
    with pytest.raises(SafetyInterlockError, match=r"BT 181\.0 deg C is not yet below 180"):
        supervisor.clear_fault()
    assert [f.rule for f in supervisor.faults] == [SafetyRule.BEAN_OVER_TEMPERATURE]
    feed(supervisor, clock, 179.0)
    assert supervisor.clear_fault("bean_over_temperature") == [SafetyRule.BEAN_OVER_TEMPERATURE]
    assert supervisor.faults == ()
    assert supervisor.events[-1].kind is SafetyEventKind.CLEARED


def test_clear_needs_fresh_data(supervisor: SafetySupervisor, clock: ManualClock) -> None:
    supervisor.emergency_stop()
    feed(supervisor, clock, 40.0)
    clock.advance(5.0)
    with pytest.raises(SafetyInterlockError, match="no fresh reading"):
        supervisor.clear_fault()
    feed(supervisor, clock, 40.0)
    assert supervisor.clear_fault() == [SafetyRule.EMERGENCY_STOP]


def test_clear_is_all_or_nothing(clock: ManualClock) -> None:
    supervisor = SafetySupervisor(SafetyConfig(), clock, dead_man_s=10.0)
    feed(supervisor, clock, 220.0)
    for _ in range(10):
        feed(supervisor, clock, 200.0)
    supervisor.watch(heating=True)
    assert {f.rule for f in supervisor.faults} == {
        SafetyRule.BEAN_OVER_TEMPERATURE,
        SafetyRule.DEAD_MAN,
    }
    with pytest.raises(SafetyInterlockError):
        supervisor.clear_fault()
    assert len(supervisor.faults) == 2
    assert supervisor.clear_fault(SafetyRule.DEAD_MAN) == [SafetyRule.DEAD_MAN]


def test_clear_names_unknown_and_unlatched_faults(supervisor: SafetySupervisor) -> None:
    assert supervisor.clear_fault() == []
    with pytest.raises(InvalidCommandError, match="unknown fault 'overheat'; faults are"):
        supervisor.clear_fault("overheat")
    with pytest.raises(InvalidCommandError, match="no dead_man fault is latched"):
        supervisor.clear_fault("dead_man")


def test_the_log_is_bounded(supervisor: SafetySupervisor, clock: ManualClock) -> None:
    feed(supervisor, clock, 100.0)
    supervisor.note_dropped()
    for _ in range(2000):
        with pytest.raises(SafetyInterlockError):
            supervisor.check_heat(50, RUNNING)
    assert len(supervisor.events) == 500


def test_the_dead_man_fault_says_plainly_what_clears_it(clock: ManualClock) -> None:
    supervisor = SafetySupervisor(SafetyConfig(), clock, dead_man_s=10.0)
    for _ in range(11):
        feed(supervisor, clock, 150.0)
        supervisor.watch(heating=True)
    (fault,) = supervisor.faults
    assert fault.rule is SafetyRule.DEAD_MAN
    assert fault.clears_when == (
        "call clear_fault: it confirms the agent is back, and the dead-man restarts"
    )
    assert supervisor.clear_fault() == [SafetyRule.DEAD_MAN]


@pytest.mark.parametrize(
    ("door_open", "cooling_on", "named"),
    [
        (True, False, "the drop door open"),
        (False, True, "the cooling stirrer running"),
        (True, True, "the drop door open and the cooling stirrer running"),
    ],
)
def test_heat_is_refused_while_the_roaster_reports_an_open_door_or_cooling(
    supervisor: SafetySupervisor, clock: ManualClock, door_open: bool, cooling_on: bool, named: str
) -> None:
    feed(supervisor, clock, 100.0)
    state = SafetyInputs(True, 30, 0, False, door_open=door_open, cooling_on=cooling_on)
    with pytest.raises(SafetyInterlockError, match=f"roaster reports {named}.*stop_cooling"):
        supervisor.check_heat(40, state)  # no drop was ever noted: the report alone counts
    assert supervisor.heat_refused_because(state) is not None
    assert supervisor.status(heating=False, inputs=state).heat_allowed is False
    supervisor.check_heat(0, state)  # heat 0 always passes
    # A roaster that heats with its door open or stirrer running is switched off again.
    clock.advance(1.0)
    heating = reading(clock, 100.0).model_copy(
        update={"door_open": door_open, "cooling_on": cooling_on}
    )
    assert supervisor.judge_reading(heating) == [SafetyAction.CUT_HEAT]
