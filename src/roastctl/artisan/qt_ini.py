"""Writing Qt's INI settings format (``QSettings.IniFormat``), the format of Artisan's ``.aset``.

Only what a machine setup file needs: sections of keys whose values are text, numbers, booleans
or lists of those. Qt reads a value with a top-level comma as a string list and anything else as
one string, so a one-element list written plainly would come back as a string (Artisan then
iterates its characters). Such lists are refused here: a caller pads or avoids them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

#: One value in a setting: Qt keeps them all as text; Artisan converts on reading.
Scalar = str | int | float | bool
Value = Scalar | Sequence[Scalar]
#: A whole settings file: ``{section: {key: value}}``, written in this order.
Settings = Mapping[str, Mapping[str, Value]]

#: Characters that make Qt quote a string so a reader does not split or cut it there.
_QUOTE_IF_CONTAINS = frozenset(',;="')
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def scalar_text(value: Scalar) -> str:
    """Return ``value`` as Qt writes it in an INI file (quoted and escaped where needed)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return _string_text(value)


def _string_text(text: str) -> str:
    for char in text:
        if not (char.isascii() and (char.isprintable() or char in "\n\t\r")):
            raise ValueError(
                f"setting text {text!r} holds {char!r}: only printable ASCII is written; "
                "use plain ASCII names and labels"
            )
    escaped = "".join(_ESCAPES.get(char, char) for char in text)
    if escaped.startswith("@"):  # Qt reads a leading @ as a typed value (@Variant, @Invalid)
        escaped = "@" + escaped
    if text != text.strip() or _QUOTE_IF_CONTAINS & set(text):
        return f'"{escaped}"'
    return escaped


def value_text(value: Value) -> str:
    """Return a setting's value as one INI line's right-hand side."""
    if isinstance(value, str | int | float | bool):
        return scalar_text(value)
    items = list(value)
    if len(items) < 2:
        raise ValueError(
            f"a list of {len(items)} element(s) ({items!r}) does not survive Qt's INI format: it "
            "reads back as one string; write at least two elements"
        )
    return ", ".join(scalar_text(item) for item in items)


def write_ini(settings: Settings) -> str:
    """Return ``settings`` as the text of a Qt INI file: newline line ends, sections apart."""
    blocks = []
    for section, entries in settings.items():
        lines = [f"[{section}]"]
        lines += [f"{key}={value_text(value)}" for key, value in entries.items()]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


__all__ = ["Scalar", "Settings", "Value", "scalar_text", "value_text", "write_ini"]
