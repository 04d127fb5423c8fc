"""Safe shutdown: a stopped, signalled or crashing process leaves the roaster safe.

The signal tests run a real process: a small program on
:func:`roastctl.session.shutdown.safe_on_exit` that drives a virtual Hottop (a pseudo-terminal
owned by this test) through the real driver, and ``roastctl serve`` itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from roastctl.clock import ManualClock, ScaledClock
from roastctl.hottop.emulator import VirtualHottop
from roastctl.models import SafetyRule
from roastctl.session.shutdown import safe_on_exit
from support import preheat_and_charge, simulated_session

SPEED = 4.0

ROASTING_PROGRAM = textwrap.dedent(
    """
    import sys, time
    from roastctl.clock import ScaledClock
    from roastctl.config import SafetyConfig, ServerConfig
    from roastctl.hottop.driver import HottopRoaster
    from roastctl.session.manager import RoastSessionManager
    from roastctl.session.shutdown import safe_on_exit

    clock = ScaledClock(float(sys.argv[2]))
    config = ServerConfig(safety=SafetyConfig(shutdown_drop_min_bean_temp_c=0))
    manager = RoastSessionManager(HottopRoaster(sys.argv[1], clock=clock), config, clock=clock)
    manager.start_session()
    try:
        with safe_on_exit(manager, "roasting program"):
            manager.start_roaster()
            manager.set_heat(100)
            print("HEATING", flush=True)
            sys.stdin.readline()  # the test has poured the beans
            manager.mark_event("CHARGE")
            print("ROASTING", flush=True)
            while True:
                time.sleep(0.05)
    except KeyboardInterrupt:
        sys.exit(130)
    """
)


def _expect(process: subprocess.Popen[str], line: str) -> None:
    assert process.stdout is not None
    got = process.stdout.readline().strip()
    assert got == line, f"expected {line!r}, got {got!r}; stderr: {_stderr(process)}"


def _stderr(process: subprocess.Popen[str]) -> str:
    if process.poll() is None:
        return "(still running)"
    assert process.stderr is not None
    return process.stderr.read()[-2000:]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_mid_roast_drops_and_cools_before_the_process_ends(
    tmp_path: Path, signum: signal.Signals
) -> None:
    clock = ScaledClock(SPEED)
    link = tmp_path / "hottop"
    # The roaster's own eject watchdog is set long, so only our drop can open the door in time.
    with VirtualHottop(clock=clock, link_path=link, watchdog_s=30.0, seed=5) as hottop:
        with subprocess.Popen(
            [sys.executable, "-c", ROASTING_PROGRAM, str(link), str(SPEED)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as process:
            code, errors = _signal_mid_roast(process, hottop, signum)
        state = hottop.state
    assert code == 130, errors
    assert state.outputs.heat_percent == 0
    assert state.outputs.solenoid_open
    assert state.outputs.drum_on
    assert state.outputs.cooling_on
    assert state.outputs.main_fan_level == 10
    assert state.ejections == 0  # done by the program, not by the roaster's watchdog
    if signum != signal.SIGINT:
        assert "leaving the roaster safe" in errors


def _signal_mid_roast(
    process: subprocess.Popen[str], hottop: VirtualHottop, signum: signal.Signals
) -> tuple[int, str]:
    """Heat, pour the beans, mark CHARGE, send ``signum``; return the exit code and stderr."""
    try:
        _expect(process, "HEATING")
        hottop.charge(220)
        assert process.stdin is not None
        process.stdin.write("charged\n")
        process.stdin.flush()
        _expect(process, "ROASTING")
        deadline = time.monotonic() + 10
        while hottop.state.outputs.heat_percent != 100:
            assert time.monotonic() < deadline, "the heat never reached the roaster"
            time.sleep(0.01)
        process.send_signal(signum)
        _out, errors = process.communicate(timeout=15)  # drains the pipes while it exits
    finally:
        if process.poll() is None:
            process.kill()
    return process.returncode, errors[-2000:]


def test_roastctl_serve_leaves_the_roaster_safe_on_sigterm() -> None:
    env = {**os.environ, "ROASTCTL_HARDWARE__DRIVER": "simulator"}
    with subprocess.Popen(
        [sys.executable, "-m", "roastctl", "--verbose", "serve", "--speed", "10"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as process:
        try:
            assert process.stderr is not None
            deadline = time.monotonic() + 20
            seen = ""
            while "session started" not in seen:  # the --verbose log says the roaster is live
                assert time.monotonic() < deadline, seen[-2000:]
                seen += process.stderr.readline()
            process.send_signal(signal.SIGTERM)
            # Read the log while waiting: a full stderr pipe would block the server's exit.
            _out, rest = process.communicate(timeout=15)
            code = process.returncode
            seen += rest
        finally:
            if process.poll() is None:
                process.kill()
    assert code == 130, seen[-2000:]
    assert "SIGTERM received: leaving the roaster safe and stopping" in seen
    assert "session stopped" in seen


def test_an_unhandled_error_still_leaves_the_roaster_safe() -> None:
    clock = ManualClock()
    manager, sim, _ = simulated_session(None, clock)
    manager.start_session()
    preheat_and_charge(manager, clock)
    with pytest.raises(RuntimeError, match="agent crashed"), safe_on_exit(manager, "agent loop"):
        raise RuntimeError("agent crashed")
    now = sim.actuators()
    assert (now.heat_percent, now.door_open, now.cooling_on) == (0.0, True, True)
    assert not manager.is_active()
    (shutdown,) = [e for e in manager.safety.events if e.rule is SafetyRule.SHUTDOWN]
    assert shutdown.message == "agent loop ended by RuntimeError: heater off, drop and cool"
