"""What a lost link that came back means for the roast, and how the safety log says it.

While the link is down the roaster runs on its own; the Hottop ejects the beans about a second
after the last control frame. The driver reports each outage with the state the roaster showed on
its return (:class:`~roastctl.devices.base.LinkOutage`); these helpers decide whether the beans
must be taken to have left, when, and word the ``link_lost`` safety event (``docs/safety.md``).
"""

from __future__ import annotations

from roastctl.devices.base import LinkOutage


def beans_left(outage: LinkOutage, *, beans_in: bool) -> bool:
    """Whether charged beans must be taken to have left the drum during ``outage``.

    Past the roaster's watchdog it ejected; a door found open with beans in means they left,
    whatever the outage's length.
    """
    return beans_in and (outage.past_watchdog or outage.reading.door_open)


def drop_time_s(outage: LinkOutage) -> float:
    """Return the clock time to put the roaster's DROP at: where its watchdog fired, if it did."""
    at_s = outage.reading.monotonic_s
    if outage.past_watchdog and outage.watchdog_s is not None:
        at_s = min(at_s, outage.lost_s + outage.watchdog_s)
    return at_s


def outage_message(outage: LinkOutage, *, dropped: bool) -> str:
    """Say how long the link was down, what the roaster did and reported, and what comes next."""
    seen = outage.reading
    watchdog = "" if outage.watchdog_s is None else f" (its own watchdog: {outage.watchdog_s:g} s)"
    if dropped:
        what = (
            "it ejected the beans: DROP is marked (source watchdog); cooling goes on and heat "
            "stays refused until stop_cooling, then set_heat"
        )
    elif outage.past_watchdog:
        what = (
            "it must be taken to have ejected (no beans were in the drum); the heater stays at 0 "
            "until an explicit set_heat, once the door is closed (stop_cooling)"
        )
    else:
        what = (
            "it did not eject; the heater was set to 0 on its return, since nothing could be "
            "seen meanwhile, and comes back only by an explicit set_heat"
        )
    return (
        f"the link to the roaster was down for {outage.silent_s:.1f} s{watchdog}: {what}. "
        f"On its return it reported heat {seen.heat_percent} %, door "
        f"{'open' if seen.door_open else 'closed'}, drum {'on' if seen.drum_on else 'off'}, "
        f"stirrer {'on' if seen.cooling_on else 'off'}, fan {seen.fan_percent} %; nothing else "
        "was changed"
    )
