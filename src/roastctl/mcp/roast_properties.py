"""The roast properties as the MCP tools show them (``get_roast``) and take them.

The bounds of ``set_roast_info``'s property arguments come from
:data:`roastctl.controls.ROAST_PROPERTY_RANGES`, so the schema and the session's check say the
same thing.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from roastctl.controls import (
    ROAST_FLAVOR_SCORE_RANGE,
    ROAST_FLAVORS_MAX,
    ROAST_PROPERTY_RANGES,
    ROAST_SHORT_TEXT_MAX_CHARS,
    ROAST_TEXT_MAX_CHARS,
)
from roastctl.logs.record import RoastProperties
from roastctl.mcp.views import View


class RoastPropertiesView(View):
    """What was measured and noted about a roast; null or empty where nothing was."""

    cupping_notes: str
    flavors: dict[str, float] = Field(description="Cupping scores, label -> 0-10.")
    density_g_per_l: float | None = Field(description="Green density, g/l.")
    volume_in_l: float | None
    volume_out_l: float | None
    batch_number: int | None
    batch_prefix: str
    ambient_temp_c: float | None
    ambient_humidity_percent: float | None
    ambient_pressure_hpa: float | None
    whole_color: float | None
    ground_color: float | None
    color_system: str
    bean_size_min: int | None = Field(description="Screen size (64ths of an inch).")
    bean_size_max: int | None


def properties_view(properties: RoastProperties) -> RoastPropertiesView:
    """Return the view of a roast's properties."""
    return RoastPropertiesView(
        cupping_notes=properties.cupping_notes,
        flavors=dict(properties.flavors),
        density_g_per_l=properties.density_g_per_l,
        volume_in_l=properties.volume_in_l,
        volume_out_l=properties.volume_out_l,
        batch_number=properties.batch_number,
        batch_prefix=properties.batch_prefix,
        ambient_temp_c=properties.ambient_temp_c,
        ambient_humidity_percent=properties.ambient_humidity_percent,
        ambient_pressure_hpa=properties.ambient_pressure_hpa,
        whole_color=properties.whole_color,
        ground_color=properties.ground_color,
        color_system=properties.color_system,
        bean_size_min=properties.bean_size_min,
        bean_size_max=properties.bean_size_max,
    )


def _bounded(name: str) -> Any:  # noqa: ANN401 - pydantic's FieldInfo, typed Any by pydantic
    bounds = ROAST_PROPERTY_RANGES[name]
    return Field(ge=bounds.minimum, le=bounds.maximum, description=bounds.unit or None)


#: ``set_roast_info``'s property arguments, each bounded by its declared range.
CuppingNotes = Annotated[str | None, Field(max_length=ROAST_TEXT_MAX_CHARS)]
ShortText = Annotated[str | None, Field(max_length=ROAST_SHORT_TEXT_MAX_CHARS)]
Flavors = Annotated[
    dict[
        Annotated[str, Field(min_length=1, max_length=100)],
        Annotated[
            float,
            Field(ge=ROAST_FLAVOR_SCORE_RANGE.minimum, le=ROAST_FLAVOR_SCORE_RANGE.maximum),
        ],
    ]
    | None,
    Field(min_length=1, max_length=ROAST_FLAVORS_MAX),
]
Density = Annotated[float | None, _bounded("density_g_per_l")]
VolumeIn = Annotated[float | None, _bounded("volume_in_l")]
VolumeOut = Annotated[float | None, _bounded("volume_out_l")]
BatchNumber = Annotated[int | None, _bounded("batch_number")]
AmbientTemp = Annotated[float | None, _bounded("ambient_temp_c")]
Humidity = Annotated[float | None, _bounded("ambient_humidity_percent")]
Pressure = Annotated[float | None, _bounded("ambient_pressure_hpa")]
WholeColor = Annotated[float | None, _bounded("whole_color")]
GroundColor = Annotated[float | None, _bounded("ground_color")]
BeanSizeMin = Annotated[int | None, _bounded("bean_size_min")]
BeanSizeMax = Annotated[int | None, _bounded("bean_size_max")]


def properties_help() -> str:
    """Describe the property arguments and their ranges for the tool's description."""
    ranges = "; ".join(f"{name} {r.allowed}" for name, r in ROAST_PROPERTY_RANGES.items())
    return (
        "Properties (kept, shown by get_roast, exported to Artisan's roast properties): "
        "cupping_notes; flavors as label -> score 0-10 (Artisan's cupping form, e.g. "
        "{'Acidity': 7, 'Body': 6}); batch_prefix and color_system as short text; " + ranges + "."
    )


__all__ = ["RoastPropertiesView", "properties_help", "properties_view"]
