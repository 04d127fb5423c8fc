"""Checking what a person or an agent says about a roast (``set_roast_info``) before it is kept.

Every field is checked before any is written, so a refusal changes nothing. Each refusal names
the field, the value, what is allowed and what to do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from roastctl.controls import (
    ROAST_FLAVOR_SCORE_RANGE,
    ROAST_FLAVORS_MAX,
    ROAST_MASS_MAX_G,
    ROAST_PROPERTY_RANGES,
    ROAST_SHORT_TEXT_MAX_CHARS,
    ROAST_TEXT_MAX_CHARS,
)
from roastctl.errors import InvalidCommandError

#: The roast's own columns a caller may set.
BASIC_FIELDS = ("title", "bean", "batch_g", "roasted_g", "notes")
#: Text properties and their longest length.
TEXT_PROPERTIES = {
    "cupping_notes": ROAST_TEXT_MAX_CHARS,
    "batch_prefix": ROAST_SHORT_TEXT_MAX_CHARS,
    "color_system": ROAST_SHORT_TEXT_MAX_CHARS,
}
#: Every field ``set_roast_info`` takes, in the order errors list them.
INFO_FIELDS_ALLOWED = (*BASIC_FIELDS, *TEXT_PROPERTIES, "flavors", *ROAST_PROPERTY_RANGES)


def check_info(fields: Mapping[str, object]) -> None:
    """Refuse roast information that cannot be right, naming the field and what is allowed."""
    for name, value in fields.items():
        if name not in INFO_FIELDS_ALLOWED:
            raise InvalidCommandError(
                f"unknown roast field {name!r}; allowed: {', '.join(INFO_FIELDS_ALLOWED)}. "
                "Nothing was changed."
            )
        if value is None:
            continue
        if name in ROAST_PROPERTY_RANGES:
            ROAST_PROPERTY_RANGES[name].validate(value)
        elif name == "flavors":
            _check_flavors(value)
        elif name.endswith("_g"):
            _check_weight(name, value)
        else:
            limit = TEXT_PROPERTIES.get(name, ROAST_TEXT_MAX_CHARS)
            if not isinstance(value, str) or len(value) > limit:
                raise InvalidCommandError(
                    f"{name} must be text of at most {limit} characters; nothing was changed."
                )
    low, high = fields.get("bean_size_min"), fields.get("bean_size_max")
    if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
        raise InvalidCommandError(
            f"bean_size_min = {low!r} is above bean_size_max = {high!r}; nothing was changed. "
            "Send the smaller screen size as the minimum."
        )


def _check_weight(name: str, value: object) -> None:
    high = ROAST_MASS_MAX_G
    # A boolean is not a weight (JSON true would otherwise count as 1 g).
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not (math.isfinite(value) and 0 < value <= high)
    ):
        raise InvalidCommandError(
            f"{name} = {value!r} is not a weight in grams above 0 and up to {high:g}; "
            "nothing was changed."
        )


def _check_flavors(value: object) -> None:
    """Flavours are a mapping of label -> score on Artisan's 0-10 cupping scale."""
    if not isinstance(value, Mapping) or not value:
        raise InvalidCommandError(
            f"flavors must be a mapping of label to score, e.g. {{'Acidity': 7.5}}, got "
            f"{value!r}; nothing was changed."
        )
    if len(value) > ROAST_FLAVORS_MAX:
        raise InvalidCommandError(
            f"flavors has {len(value)} scores; at most {ROAST_FLAVORS_MAX} are kept. Nothing "
            "was changed; send fewer."
        )
    for label, score in value.items():
        if not isinstance(label, str) or not label.strip() or len(label) > 100:
            raise InvalidCommandError(
                f"flavor label {label!r} must be text of 1 to 100 characters; nothing was changed."
            )
        ROAST_FLAVOR_SCORE_RANGE.validate(score)


__all__ = ["INFO_FIELDS_ALLOWED", "check_info"]
