"""The public Python API: what ``from roastctl import ...`` and ``roastctl.config`` offer stays.

The names below are the seed's contract plus what was added since; a rearrangement of the package
may move where a thing lives, never what a user's ``import`` finds.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import roastctl

PUBLIC_NAMES = (
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
)

CONFIG_NAMES = (
    "HardwareConfig",
    "SafetyConfig",
    "ServerConfig",
    "SimulatorConfig",
    "StoreConfig",
    "TrackerConfig",
    "load_config",
)


@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_every_public_name_is_importable_from_the_top(name: str) -> None:
    assert getattr(roastctl, name) is not None
    assert name in roastctl.__all__


def test_the_top_offers_nothing_it_does_not_list() -> None:
    assert sorted(roastctl.__all__) == sorted(PUBLIC_NAMES)


@pytest.mark.parametrize("name", CONFIG_NAMES)
def test_the_config_module_keeps_its_sections(name: str) -> None:
    config = importlib.import_module("roastctl.config")
    assert getattr(config, name) is getattr(roastctl, name)


def test_the_replay_roaster_is_a_roaster() -> None:
    assert issubclass(roastctl.ReplayRoaster, roastctl.Roaster)


def test_every_error_a_user_may_catch_is_a_roaster_error() -> None:
    errors = [
        value
        for name in PUBLIC_NAMES
        if isinstance(value := getattr(roastctl, name), type) and issubclass(value, Exception)
    ]
    assert errors
    assert all(issubclass(error, roastctl.RoasterError) for error in errors)


def test_every_error_class_roastctl_defines_derives_from_roaster_error() -> None:
    defined: list[type[BaseException]] = []
    for module_info in pkgutil.walk_packages(roastctl.__path__, "roastctl."):
        if module_info.name == "roastctl.__main__":
            continue
        module = importlib.import_module(module_info.name)
        defined += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, BaseException)
            and value.__module__ == module.__name__
        ]
    assert len(defined) > 10, "the walk found too few error classes to mean anything"
    strays = sorted(
        f"{e.__module__}.{e.__qualname__}"
        for e in defined
        if not issubclass(e, roastctl.RoasterError)
    )
    assert not strays, f"errors outside RoasterError: {strays}"
