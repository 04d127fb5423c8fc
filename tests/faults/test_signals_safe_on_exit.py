"""The signal handler of :func:`~roastctl.session.shutdown.safe_on_exit` for a loop owning its end.

A web server cannot be interrupted with :class:`KeyboardInterrupt` mid-request; it is asked to
stop instead. Whatever the loop does after that, the heater goes off at once: the handler starts
the shutdown on a thread of its own as it asks, on every terminating signal, SIGINT included.
"""

from __future__ import annotations

import os
import signal
import threading

import pytest

from roastctl.clock import ManualClock
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.models import SafetyRule
from roastctl.session.manager import RoastSessionManager
from roastctl.session.shutdown import safe_on_exit
from support import simulated_session

SIGNALS = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP]


def _heating() -> tuple[RoastSessionManager, SimulatedRoaster]:
    clock = ManualClock()
    manager, sim, _ = simulated_session(None, clock)
    manager.start_session()
    manager.start_roaster()
    manager.set_heat(100)
    return manager, sim


def _signal_and_wait(signum: signal.Signals, asked: threading.Event) -> None:
    """Send ``signum`` to this process (handled in the main thread, as in a server); wait."""
    os.kill(os.getpid(), signum)
    assert asked.wait(5), "the loop was never asked to stop"
    assert asked.is_set()


@pytest.mark.parametrize("signum", SIGNALS, ids=[s.name for s in SIGNALS])
def test_a_signal_cuts_the_heat_and_asks_the_loop_to_stop(signum: signal.Signals) -> None:
    manager, sim = _heating()
    asked = threading.Event()
    before = signal.getsignal(signum)
    with pytest.raises(KeyboardInterrupt), safe_on_exit(manager, "web", stop_loop=asked.set):
        _signal_and_wait(signum, asked)
    assert sim.actuators().heat_percent == 0
    assert not manager.is_active()
    (shutdown,) = [e for e in manager.safety.events if e.rule is SafetyRule.SHUTDOWN]
    assert shutdown.message.startswith(f"{signum.name} received: heater off")
    assert signal.getsignal(signum) is before  # the previous handler is back


def test_a_loop_that_ends_on_its_own_is_not_reported_as_interrupted() -> None:
    manager, sim = _heating()
    with safe_on_exit(manager, "web", stop_loop=lambda: None):
        pass
    assert sim.actuators().heat_percent == 0
    assert not manager.is_active()
