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
    SafetyConfig,
    ServerConfig,
    SimulatorConfig,
    StoreConfig,
    TrackerConfig,
    load_config,
)
from roastctl.devices.base import Roaster
from roastctl.devices.replay import ReplayRoaster
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
