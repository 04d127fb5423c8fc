"""Leaving the roaster safe when the process ends: stop, SIGINT/SIGTERM/SIGHUP, or a crash.

A server that is killed must not abandon a hot roaster. :func:`safe_on_exit` wraps a front end's
main loop: SIGTERM and SIGHUP are turned into the same orderly exit as Ctrl-C (SIGINT), and the
session is stopped on every way out, which switches the heater off and drops and cools hot beans
still in the drum (see :meth:`RoastSessionManager.stop_session`). The signal handler starts that
shutdown on a thread of its own at once, so the roaster is made safe while the main loop is busy
or still waiting for clients (heater 0 goes out before anything else happens).

A main loop that owns its end (the HTTP server, which must first close its open streams) passes
``stop_loop``: the handler then takes SIGINT too and asks the loop to finish instead of raising
:class:`KeyboardInterrupt` inside it; once the loop has returned, the exit is reported as
:class:`KeyboardInterrupt` all the same, so every front end ends a signalled run alike.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from roastctl.session.manager import RoastSessionManager

logger = logging.getLogger(__name__)

#: Signals that end the process in an orderly way (SIGINT keeps Python's own Ctrl-C handling).
TERMINATING_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextmanager
def safe_on_exit(
    manager: RoastSessionManager, name: str, *, stop_loop: Callable[[], None] | None = None
) -> Iterator[None]:
    """Run the body; on any way out (return, error, signal) leave ``manager``'s roaster safe.

    ``stop_loop`` asks the body's main loop to finish; it is called from the signal handler on
    every SIGINT, SIGTERM and SIGHUP (so it must only set a flag). Without it, a signal ends the
    body with :class:`KeyboardInterrupt`.
    """
    previous: dict[int, object] = {}
    received: list[str] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        label = signal.Signals(signum).name
        if not received:
            logger.warning("%s received: leaving the roaster safe and stopping", label)
            # At once and off the main thread: the loop may be busy, or waiting for clients.
            threading.Thread(
                target=manager.stop_session,
                args=(f"{label} received",),
                name="roastctl-shutdown",
                daemon=True,
            ).start()
        received.append(label)
        if stop_loop is None:
            signal.raise_signal(signal.SIGINT)  # the main loop ends as on Ctrl-C
        else:
            stop_loop()

    handled = TERMINATING_SIGNALS if stop_loop is None else (signal.SIGINT, *TERMINATING_SIGNALS)
    if threading.current_thread() is threading.main_thread():
        for signum in handled:
            previous[signum] = signal.signal(signum, on_signal)
    reason = f"{name} ended"
    try:
        yield
        if received:  # the loop finished because it was asked to: report it as Ctrl-C does
            raise KeyboardInterrupt(f"{received[0]} received")
    except BaseException as exc:
        reason = f"{name} ended by {type(exc).__name__}"
        raise
    finally:
        manager.stop_session(reason)  # idempotent: waits for a shutdown already under way
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


__all__ = ["TERMINATING_SIGNALS", "safe_on_exit"]
