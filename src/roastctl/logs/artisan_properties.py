"""Roast properties to and from Artisan's profile keys (import and export).

:func:`properties_from_profile` reads a profile's cupping notes, flavours, density, volume,
batch number, ambient conditions, colour and bean size as a
:class:`~roastctl.logs.record.RoastProperties`; :func:`properties_to_profile` gives the profile
keys that say the same. The keys and their Artisan forms (``ProfileData`` in Artisan's
``atypes.py``):

==========================  =====================================================================
``cuppingnotes``            text, escaped as every Artisan text (``encodeLocal``)
``flavors``/``flavorlabels``  the cupping scores (0-10) and their labels, in parallel
``density``                 [weight, weight unit, volume, volume unit] of the green beans
``volume``                  [in, out, unit]: green and roasted volume
``roastbatchnr``            the batch number (0: none); ``roastbatchprefix`` its prefix text
``ambientTemp``             in the profile's ``mode`` (C or F)
``ambient_humidity``        %RH; ``ambient_pressure`` hPa
``whole_color``             the colour meter's numbers; ``ground_color``; ``color_system`` text
``beansize_min``/``_max``   screen sizes as text ("16"); legacy ``beansize`` is read as the max
==========================  =====================================================================

Artisan writes 0 for every number not measured, so a 0 reads as unset and an unset property is
written as 0. A value a file holds outside :data:`~roastctl.controls.ROAST_PROPERTY_RANGES`
(an ambient temperature of 140 deg C, say) is not taken as a property; the import keeps the
file's key as it is. On export only the keys whose meaning changed are written: a key the
profile already holds that reads as the same property (a density of 720 g per 1 l, a volume in
ml) is left as the file had it, so a round trip changes nothing it need not.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from roastctl.controls import (
    ROAST_FLAVOR_SCORE_RANGE,
    ROAST_FLAVORS_MAX,
    ROAST_PROPERTY_RANGES,
    ROAST_SHORT_TEXT_MAX_CHARS,
    ROAST_TEXT_MAX_CHARS,
)
from roastctl.logs.artisan import encode_local, profile_text
from roastctl.logs.record import RoastProperties
from roastctl.logs.values import fahrenheit_to_celsius, grams, number_from

#: Litres per Artisan volume unit (Artisan's volume units: l, gal, qt, pt, cup, ml).
VOLUME_UNITS_L: dict[str, float] = {
    "l": 1.0,
    "gal": 3.785411784,
    "qt": 0.946352946,
    "pt": 0.473176473,
    "cup": 0.2365882365,
    "ml": 0.001,
}
#: The profile keys this module reads and writes (and nothing else).
PROPERTY_KEYS: tuple[str, ...] = (
    "cuppingnotes",
    "flavors",
    "flavorlabels",
    "density",
    "volume",
    "roastbatchnr",
    "roastbatchprefix",
    "ambientTemp",
    "ambient_humidity",
    "ambient_pressure",
    "whole_color",
    "ground_color",
    "color_system",
    "beansize_min",
    "beansize_max",
)


# --- import -------------------------------------------------------------------------------------


def properties_from_profile(profile: Mapping[str, Any]) -> RoastProperties:
    """Return the roast properties an Artisan profile holds; what it lacks stays unset.

    Lenient by design: a key that is missing, malformed, 0 or out of range leaves its property
    unset instead of refusing the file (the file's key itself is kept by the import).
    """
    volume_in, volume_out = _volumes(profile.get("volume"))
    size_max = _whole(profile.get("beansize_max"), "bean_size_max")
    if size_max is None:
        size_max = _whole(profile.get("beansize"), "bean_size_max")  # Artisan < 2.4
    return RoastProperties(
        cupping_notes=_text(profile, "cuppingnotes", ROAST_TEXT_MAX_CHARS),
        flavors=_flavors(profile.get("flavors"), profile.get("flavorlabels")),
        density_g_per_l=_density(profile.get("density")),
        volume_in_l=volume_in,
        volume_out_l=volume_out,
        batch_number=_whole(profile.get("roastbatchnr"), "batch_number"),
        batch_prefix=_text(profile, "roastbatchprefix", ROAST_SHORT_TEXT_MAX_CHARS),
        ambient_temp_c=_ambient_temp_c(profile),
        ambient_humidity_percent=_measured(
            profile.get("ambient_humidity"), "ambient_humidity_percent"
        ),
        ambient_pressure_hpa=_measured(profile.get("ambient_pressure"), "ambient_pressure_hpa"),
        whole_color=_measured(profile.get("whole_color"), "whole_color"),
        ground_color=_measured(profile.get("ground_color"), "ground_color"),
        color_system=_text(profile, "color_system", ROAST_SHORT_TEXT_MAX_CHARS),
        bean_size_min=_whole(profile.get("beansize_min"), "bean_size_min"),
        bean_size_max=size_max,
    )


def _in_range(value: float | None, name: str) -> float | None:
    if value is None or value == 0 or not math.isfinite(value):
        return None  # 0 is Artisan's "not measured"
    bounds = ROAST_PROPERTY_RANGES[name]
    return value if bounds.minimum <= value <= bounds.maximum else None


def _measured(value: object, name: str) -> float | None:
    return _in_range(number_from(value), name)


def _whole(value: object, name: str) -> int | None:
    number = _measured(value, name)
    return round(number) if number is not None and float(number).is_integer() else None


def _text(profile: Mapping[str, Any], key: str, limit: int) -> str:
    text = profile_text(profile, key)
    return text if len(text) <= limit else ""


def _litres(value: object, unit: object) -> float | None:
    factor = VOLUME_UNITS_L.get(unit.lower()) if isinstance(unit, str) else None
    number = number_from(value)
    return None if factor is None or number is None else number * factor


def _density(value: object) -> float | None:
    """Green density in g/l from Artisan's [weight, weight unit, volume, volume unit]."""
    if not isinstance(value, list) or len(value) != 4 or not isinstance(value[1], str):
        return None
    weight_g = grams(value[0], value[1])
    volume_l = _litres(value[2], value[3])
    if weight_g is None or not volume_l:
        return None
    return _in_range(weight_g / volume_l, "density_g_per_l")


def _volumes(value: object) -> tuple[float | None, float | None]:
    """Green and roasted volume in litres from Artisan's [in, out, unit]."""
    if not isinstance(value, list) or len(value) != 3:
        return None, None
    return (
        _in_range(_litres(value[0], value[2]), "volume_in_l"),
        _in_range(_litres(value[1], value[2]), "volume_out_l"),
    )


def _ambient_temp_c(profile: Mapping[str, Any]) -> float | None:
    """``ambientTemp`` is in the profile's unit; 0 is Artisan's "not measured" in either."""
    reading = number_from(profile.get("ambientTemp"))
    if reading is None or reading == 0:
        return None
    celsius = fahrenheit_to_celsius(reading) if profile.get("mode") == "F" else reading
    return _in_range(celsius, "ambient_temp_c")


def _flavors(scores: object, labels: object) -> tuple[tuple[str, float], ...]:
    """Return the cupping scores with their labels.

    None when the two lists do not match or a score is off Artisan's 0-10 scale.
    """
    if not isinstance(scores, list) or not isinstance(labels, list):
        return ()
    if len(scores) != len(labels) or len(scores) > ROAST_FLAVORS_MAX:
        return ()
    pairs: list[tuple[str, float]] = []
    for label, score in zip(labels, scores, strict=True):
        number = number_from(score)
        low, high = ROAST_FLAVOR_SCORE_RANGE.minimum, ROAST_FLAVOR_SCORE_RANGE.maximum
        if not isinstance(label, str) or number is None or not low <= number <= high:
            return ()
        pairs.append((_decoded(label), number))
    return tuple(pairs)


def _decoded(label: str) -> str:
    return profile_text({"label": label}, "label")


# --- export -------------------------------------------------------------------------------------


def properties_to_profile(
    properties: RoastProperties, profile: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the profile keys to write for ``properties`` into ``profile`` (to ``update`` it).

    Only :data:`PROPERTY_KEYS` are returned, and of those only the ones ``profile`` lacks or
    holds with another meaning: a key already there that reads as the same property is left as
    it is. ``ambientTemp`` is written in ``profile["mode"]`` (C when it has none). Unset
    flavours are not written (Artisan then shows its default cupping form).
    """
    held = properties_from_profile(profile)
    fahrenheit = profile.get("mode") == "F"
    keys: dict[str, Any] = {}

    def group(same: bool, *names: str) -> bool:
        """Whether to write the keys ``names``: their meaning differs, or one is missing."""
        return not same or any(name not in profile for name in names)

    if group(held.cupping_notes == properties.cupping_notes, "cuppingnotes"):
        keys["cuppingnotes"] = encode_local(properties.cupping_notes)
    if properties.flavors and group(held.flavors == properties.flavors, "flavors", "flavorlabels"):
        keys["flavors"] = [score for _, score in properties.flavors]
        keys["flavorlabels"] = [encode_local(label) for label, _ in properties.flavors]
    if group(held.density_g_per_l == properties.density_g_per_l, "density"):
        keys["density"] = [_number(properties.density_g_per_l), "g", 1.0, "l"]
    same_volume = (held.volume_in_l, held.volume_out_l) == (
        properties.volume_in_l,
        properties.volume_out_l,
    )
    if group(same_volume, "volume"):
        keys["volume"] = [
            _number(properties.volume_in_l),
            _number(properties.volume_out_l),
            "l",
        ]
    if group(held.batch_number == properties.batch_number, "roastbatchnr"):
        keys["roastbatchnr"] = properties.batch_number or 0
    if group(held.batch_prefix == properties.batch_prefix, "roastbatchprefix"):
        keys["roastbatchprefix"] = encode_local(properties.batch_prefix)
    if group(held.ambient_temp_c == properties.ambient_temp_c, "ambientTemp"):
        celsius = properties.ambient_temp_c
        keys["ambientTemp"] = _number(
            celsius * 9.0 / 5.0 + 32.0 if celsius is not None and fahrenheit else celsius
        )
    for key, name in (
        ("ambient_humidity", "ambient_humidity_percent"),
        ("ambient_pressure", "ambient_pressure_hpa"),
        ("whole_color", "whole_color"),
        ("ground_color", "ground_color"),
    ):
        value = getattr(properties, name)
        if group(getattr(held, name) == value, key):
            keys[key] = _number(value)
    if group(held.color_system == properties.color_system, "color_system"):
        keys["color_system"] = encode_local(properties.color_system)
    for key, name in (("beansize_min", "bean_size_min"), ("beansize_max", "bean_size_max")):
        value = getattr(properties, name)
        if group(getattr(held, name) == value, key):
            keys[key] = str(value or 0)  # Artisan keeps bean sizes as text
    return keys


def _number(value: float | None) -> float:
    return 0.0 if value is None else float(value)


__all__ = [
    "PROPERTY_KEYS",
    "VOLUME_UNITS_L",
    "properties_from_profile",
    "properties_to_profile",
]
