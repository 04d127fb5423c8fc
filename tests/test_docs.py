"""The documentation keeps up with the code."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from roastctl.config import (
    HardwareConfig,
    SafetyConfig,
    ServerConfig,
    SimulatorConfig,
    StoreConfig,
    TrackerConfig,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "section",
    [HardwareConfig, TrackerConfig, SimulatorConfig, SafetyConfig, StoreConfig, ServerConfig],
)
def test_every_config_key_is_documented(section: type[BaseModel]) -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    nested = {"hardware", "tracker", "simulator", "safety", "store"}
    for name in section.model_fields:
        if section is ServerConfig and name in nested:
            continue
        assert f"| `{name}` |" in text, f"{section.__name__}.{name} is not in docs/configuration.md"


def test_readme_quick_start_has_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    assert "roastctl demo" in text
    assert "roastctl simulate" in text
    assert 'pip install -e ".[dev]"' in text
    assert "pytest" in text
