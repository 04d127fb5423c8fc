"""Every real roast in the shared logs, replayed through the supervisor, trips only for cause.

A trip before the recorded DROP is justified only by the recording itself: BT at or above 220
deg C, ET at or above 260 deg C, or a probe that read nonsense for longer than the 3 s stale
limit. The expectations are computed here from the raw samples, independently of the supervisor.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from roastctl.config import SafetyConfig
from roastctl.lab.safety_replay import replay_safety
from roastctl.logs.load import find_roast_logs, load_recorded_roast
from roastctl.logs.record import RecordedRoast
from roastctl.models import RoastEventType, SafetyRule
from roastctl.safety import PLAUSIBLE_RANGE_C
from support import roasts_dir

LIMITS = SafetyConfig()


def _before_drop(roast: RecordedRoast) -> range:
    return range(roast.marks.get(RoastEventType.DROP, len(roast.times)))


def _ok(value: float) -> bool:
    return PLAUSIBLE_RANGE_C[0] <= value <= PLAUSIBLE_RANGE_C[1]


def _recorded_max(roast: RecordedRoast, channel: str) -> float:
    values = roast.bean_temps if channel == "bean" else roast.env_temps
    found = [
        v
        for i in _before_drop(roast)
        if (v := values[i]) is not None and roast.bean_temps[i] is not None and _ok(v)
    ]
    return max(found, default=float("-inf"))


def _longest_probe_fault_s(roast: RecordedRoast) -> float:
    """The longest a probe read nonsense: from the last good reading to a later bad one.

    A gap in the recording itself is not a probe fault: the replay checks after each sample.
    """
    longest, last_good = 0.0, None
    for i in _before_drop(roast):
        bean, env = roast.bean_temps[i], roast.env_temps[i]
        if bean is None:
            continue
        if _ok(bean) and _ok(env if env is not None else bean):
            last_good = roast.times[i]
        elif last_good is not None:
            longest = max(longest, roast.times[i] - last_good)
    return longest


def _logs() -> list[Path]:
    return find_roast_logs(roasts_dir())


def test_the_whole_shared_set_is_replayed() -> None:
    assert len(_logs()) == 44


@pytest.mark.parametrize("index", range(44))
def test_a_real_roast_trips_only_for_cause(index: int) -> None:
    logs = _logs()
    path = logs[index]
    roast = load_recorded_roast(path)
    result = replay_safety(roast, LIMITS)
    assert result.samples_judged > 30, path.name
    tripped = {fault.rule for fault in result.faults}
    hot_beans = _recorded_max(roast, "bean") >= LIMITS.bean_temp_limit_c
    hot_air = _recorded_max(roast, "env") >= LIMITS.env_temp_limit_c
    probe_fault = _longest_probe_fault_s(roast) > LIMITS.stale_after_s
    assert (SafetyRule.BEAN_OVER_TEMPERATURE in tripped) == hot_beans, path.name
    assert (SafetyRule.ENV_OVER_TEMPERATURE in tripped) == hot_air, path.name
    assert (SafetyRule.STALE_DATA in tripped) == probe_fault, path.name
    assert tripped <= {
        SafetyRule.BEAN_OVER_TEMPERATURE,
        SafetyRule.ENV_OVER_TEMPERATURE,
        SafetyRule.STALE_DATA,
    }, path.name
    for fault in result.faults:
        if fault.rule is SafetyRule.BEAN_OVER_TEMPERATURE:
            assert fault.bean_temp_c is not None
            assert fault.bean_temp_c >= LIMITS.bean_temp_limit_c
        if fault.rule is SafetyRule.ENV_OVER_TEMPERATURE:
            assert fault.env_temp_c is not None
            assert fault.env_temp_c >= LIMITS.env_temp_limit_c


def test_hottop_roasts_trip_only_where_the_beans_passed_220() -> None:
    hottop = [p for p in _logs() if p.name.startswith("hottop__")]
    assert len(hottop) == 24
    tripped = [p.name for p in hottop if replay_safety(load_recorded_roast(p), LIMITS).tripped]
    # One roast went into second crack and logged BT 222 deg C before its drop; Artisan's cut-off
    # (220 deg C, our default) would have dropped it about 20 s early too.
    assert tripped == ["hottop__hypersprite__20-10-13_2050.alog"]
