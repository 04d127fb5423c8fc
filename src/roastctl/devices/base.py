"""The roaster interface every driver implements (the seed's HardwareInterface).

Semantics are the Hottop's, so an agent that learns on the simulator acts the same on hardware:

* ``set_heat`` / ``set_fan`` take percent; the fan moves in 10 % steps (Hottop levels 0-10).
* ``stop_drum`` also switches the heater off: the element must never heat a still drum.
* ``drop_beans``: heater 0, door open, drum on (so the whole batch leaves), cooling stirrer on,
  fan 100 %.
* ``start_cooling``: stirrer on and fan 100 %; ``stop_cooling``: stirrer off, fan 0, door closed
  (so the next charge does not fall through), drum off, heater 0.
* ``read_sensors`` returns what the device reports, stamped by the injected clock; a driver that
  cannot read raises :class:`~roastctl.errors.RoasterConnectionError`, never stale data.

Drivers validate nothing about policy (steps, interlocks): the session does that before calling.
They do reject values no roaster could take (heat outside 0-100).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from roastctl.models import RoasterInfo, SensorReading


@dataclass(frozen=True, slots=True)
class LinkOutage:
    """A lost link that has come back: how long the roaster was on its own, what it said after."""

    lost_s: float
    """Clock time of the last status frame before the link was lost."""
    restored_s: float
    """Clock time of the first status frame after the link came back."""
    watchdog_s: float | None
    """The roaster's own eject watchdog (seconds without control), None if it has none."""
    reading: SensorReading
    """The roaster's state as it reported it on return, before anything was sent to it."""

    @property
    def silent_s(self) -> float:
        """How long the roaster may have gone without a control frame."""
        return self.restored_s - self.lost_s

    @property
    def past_watchdog(self) -> bool:
        """Whether the outage outlasted the roaster's watchdog, so it must be assumed to eject."""
        return self.watchdog_s is not None and self.silent_s > self.watchdog_s


class Roaster(ABC):
    """A coffee roaster: probes in, actuators out."""

    @abstractmethod
    def connect(self) -> None:
        """Open the link; idempotent. Raises ``RoasterConnectionError`` on failure."""

    @abstractmethod
    def disconnect(self) -> None:
        """Close the link; idempotent and never raises."""

    @abstractmethod
    def is_connected(self) -> bool:
        """Return whether the link is open and the device is answering."""

    @abstractmethod
    def get_roaster_info(self) -> RoasterInfo:
        """Describe the device."""

    @abstractmethod
    def read_sensors(self) -> SensorReading:
        """Return the newest reading of probes and actuator state."""

    @abstractmethod
    def set_heat(self, percent: int) -> None:
        """Set heater power, 0-100 %."""

    @abstractmethod
    def set_fan(self, percent: int) -> None:
        """Set main fan speed, 0-100 % in 10 % steps."""

    @abstractmethod
    def start_drum(self) -> None:
        """Start the drum motor."""

    @abstractmethod
    def stop_drum(self) -> None:
        """Stop the drum motor and switch the heater off."""

    @abstractmethod
    def drop_beans(self) -> None:
        """Run the drop sequence (see the module docstring)."""

    @abstractmethod
    def start_cooling(self) -> None:
        """Start the cooling-tray stirrer with the fan at 100 %."""

    @abstractmethod
    def stop_cooling(self) -> None:
        """End cooling: stirrer, fan, drum and heater off, door closed."""

    def take_link_outages(self) -> list[LinkOutage]:
        """Return the link outages that ended since the last call (oldest first), once each.

        A driver whose link can drop while the roaster runs on (the Hottop over USB) reports
        them so the session can record what the roaster may have done on its own.
        """
        return []


def require_percent(name: str, value: int, step: int = 1) -> int:
    """Return ``value`` if it is a whole percent in 0-100 on ``step``; else raise ``ValueError``.

    This is the device's own sanity check, the last line behind the session's validation.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int percent, got {value!r}")
    if not 0 <= value <= 100 or value % step:
        raise ValueError(f"{name} {value} % is outside 0-100 in steps of {step}")
    return value
