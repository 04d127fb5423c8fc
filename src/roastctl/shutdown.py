"""Leaving the roaster safe when the process ends: stop, SIGINT/SIGTERM/SIGHUP, or a crash.

A server that is killed must not abandon a hot roaster. :func:`safe_on_exit` wraps a front end's
main loop: SIGTERM and SIGHUP are turned into the same orderly exit as Ctrl-C (SIGINT), and the
session is stopped on every way out, which switches the heater off and drops and cools hot beans
still in the drum (see :meth:`RoastSessionManager.stop_session`). The signal handler also starts
that shutdown on a thread of its own at once, so the roaster is made safe even while the main
loop is busy.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from roastctl.session import RoastSessionManager

logger = logging.getLogger(__name__)

#: Signals that end the process in an orderly way (SIGINT keeps Python's own Ctrl-C handling).
TERMINATING_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextmanager
def safe_on_exit(manager: RoastSessionManager, name: str) -> Iterator[None]:
    """Run the body; on any way out (return, error, signal) leave ``manager``'s roaster safe."""
    previous: dict[int, object] = {}

    def on_signal(signum: int, frame: FrameType | None) -> None:
        label = signal.Signals(signum).name
        logger.warning("%s received: leaving the roaster safe and stopping", label)
        threading.Thread(
            target=manager.stop_session,
            args=(f"{label} received",),
            name="roastctl-shutdown",
            daemon=True,
        ).start()
        signal.raise_signal(signal.SIGINT)  # the main loop ends as on Ctrl-C

    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread:
        for signum in TERMINATING_SIGNALS:
            previous[signum] = signal.signal(signum, on_signal)
    reason = f"{name} ended"
    try:
        yield
    except BaseException as exc:
        reason = f"{name} ended by {type(exc).__name__}"
        raise
    finally:
        manager.stop_session(reason)  # idempotent: waits for a shutdown already under way
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


__all__ = ["TERMINATING_SIGNALS", "safe_on_exit"]
