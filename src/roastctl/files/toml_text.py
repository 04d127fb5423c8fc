"""TOML values as text: the standard library reads TOML but writes none.

Enough for the files roastctl writes (parameter sets, forecast corrections): floats that read
back bit for bit, escaped strings, and free-form ``[fit]`` values.
"""

from __future__ import annotations

__all__ = ["toml_float", "toml_string", "toml_value"]


def toml_float(value: float) -> str:
    """Return ``value`` as a TOML float that reads back exactly."""
    # repr() round-trips a float exactly, so a saved file reloads bit for bit.
    text = repr(float(value))
    return text if any(c in text for c in ".en") else text + ".0"


def toml_string(value: str) -> str:
    """Return ``value`` as a TOML basic string."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def toml_value(value: str | float | int | list[str]) -> str:
    """Return a free-form value (bool, int, float, string or list of strings) as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return toml_float(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_string(str(v)) for v in value) + "]"
    return toml_string(value)
