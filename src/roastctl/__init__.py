"""roastctl: watch and drive a coffee roaster safely, with live roast analytics.

The seed's API::

    config = ServerConfig()
    hardware = MockRoaster()            # the simulator; or a Hottop driver
    manager = RoastSessionManager(hardware, config)
    manager.start_session()
    manager.set_heat(80)
    status = manager.get_status()
    manager.stop_session()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from roastctl.clock import Clock, ManualClock, ScaledClock, SystemClock
from roastctl.config import (
    HardwareConfig,
    SafetyConfig,
    ServerConfig,
    SimulatorConfig,
    StoreConfig,
    TrackerConfig,
    load_config,
)
from roastctl.devices.base import Roaster
from roastctl.devices.simulator import MockRoaster, SimulatedRoaster
from roastctl.errors import (
    BeansNotAddedError,
    ConfigError,
    InvalidCommandError,
    NoActiveRoastError,
    RoasterConnectionError,
    RoasterError,
    RoasterNotConnectedError,
    SafetyInterlockError,
)
from roastctl.models import (
    ConnectionInfo,
    EventSource,
    RoasterInfo,
    RoastEvent,
    RoastEventType,
    RoastMetrics,
    RoastPhase,
    RoastStatus,
    RoastTimestamps,
    SensorReading,
)
from roastctl.roast.tracker import RoastTracker
from roastctl.safety import SafetySupervisor
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore, StoreError

if TYPE_CHECKING:
    from roastctl.devices.replay import ReplayRoaster

__all__ = [
    "BeansNotAddedError",
    "Clock",
    "ConfigError",
    "ConnectionInfo",
    "EventSource",
    "HardwareConfig",
    "InvalidCommandError",
    "ManualClock",
    "MockRoaster",
    "NoActiveRoastError",
    "ReplayRoaster",
    "RoastEvent",
    "RoastEventType",
    "RoastMetrics",
    "RoastPhase",
    "RoastSessionManager",
    "RoastStatus",
    "RoastStore",
    "RoastTimestamps",
    "RoastTracker",
    "Roaster",
    "RoasterConnectionError",
    "RoasterError",
    "RoasterInfo",
    "RoasterNotConnectedError",
    "SafetyConfig",
    "SafetyInterlockError",
    "SafetySupervisor",
    "ScaledClock",
    "SensorReading",
    "ServerConfig",
    "SimulatedRoaster",
    "SimulatorConfig",
    "StoreConfig",
    "StoreError",
    "SystemClock",
    "TrackerConfig",
    "__version__",
    "load_config",
]


def __getattr__(name: str) -> Any:  # noqa: ANN401 - the attribute's own type, seen by mypy above
    """Import the replayed roaster on first use.

    It brings every roast-file reader with it, which ``roastctl serve`` on a simulator or a Hottop
    never needs at start-up.
    """
    if name == "ReplayRoaster":
        from roastctl.devices.replay import ReplayRoaster

        return ReplayRoaster
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
