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

__version__ = "0.1.0"

from roastctl.clock import Clock, ManualClock, ScaledClock, SystemClock
from roastctl.config import (
    HardwareConfig,
    ServerConfig,
    SimulatorConfig,
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
from roastctl.session import RoastSessionManager

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
    "RoastEvent",
    "RoastEventType",
    "RoastMetrics",
    "RoastPhase",
    "RoastSessionManager",
    "RoastStatus",
    "RoastTimestamps",
    "RoastTracker",
    "Roaster",
    "RoasterConnectionError",
    "RoasterError",
    "RoasterInfo",
    "RoasterNotConnectedError",
    "ScaledClock",
    "SensorReading",
    "ServerConfig",
    "SimulatedRoaster",
    "SimulatorConfig",
    "SystemClock",
    "TrackerConfig",
    "__version__",
    "load_config",
]
