"""The documentation keeps up with the code."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from roastctl.config import ServerConfig

ROOT = Path(__file__).resolve().parents[1]

#: The config sections: every ServerConfig field that is itself a settings model.
SECTIONS: dict[str, type[BaseModel]] = {
    name: field.annotation
    for name, field in ServerConfig.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
}


def test_the_sections_are_found() -> None:
    assert {"hardware", "tracker", "simulator", "safety", "store", "auth"} <= set(SECTIONS)


@pytest.mark.parametrize("section", [*SECTIONS.values(), ServerConfig])
def test_every_config_key_is_documented(section: type[BaseModel]) -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    if section is not ServerConfig:
        heading = next(name for name, model in SECTIONS.items() if model is section)
        assert f"## `[{heading}]`" in text, f"[{heading}] has no section in the docs"
    for name in section.model_fields:
        if section is ServerConfig and name in SECTIONS:
            continue
        assert f"| `{name}` |" in text, f"{section.__name__}.{name} is not in docs/configuration.md"


def test_readme_quick_start_has_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    assert "roastctl demo" in text
    assert "roastctl simulate" in text
    assert 'pip install -e ".[dev]"' in text
    assert "pytest" in text
