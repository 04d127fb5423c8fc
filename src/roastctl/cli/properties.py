"""The roast properties as ``roastctl show`` prints them: one labelled line each, set ones only."""

from __future__ import annotations

from roastctl.logs.record import RoastProperties


def property_lines(properties: RoastProperties) -> list[str]:
    """Return a line per property that is set, with its unit (none when nothing is set)."""
    p = properties
    lines: list[str] = []

    def add(label: str, text: str) -> None:
        lines.append(f"{label:<9} {text}")

    if p.batch_number is not None or p.batch_prefix:
        add("batch", f"{p.batch_prefix}{p.batch_number if p.batch_number is not None else ''}")
    if p.density_g_per_l is not None:
        add("density", f"{p.density_g_per_l:g} g/l (green)")
    if p.volume_in_l is not None or p.volume_out_l is not None:
        add("volume", f"in {_number(p.volume_in_l, ' l')}   out {_number(p.volume_out_l, ' l')}")
    if p.bean_size_min is not None or p.bean_size_max is not None:
        add("size", f"screen {_number(p.bean_size_min, '')}-{_number(p.bean_size_max, '')}")
    ambient = [
        _number(value, unit)
        for value, unit in (
            (p.ambient_temp_c, " deg C"),
            (p.ambient_humidity_percent, " %RH"),
            (p.ambient_pressure_hpa, " hPa"),
        )
        if value is not None
    ]
    if ambient:
        add("ambient", "   ".join(ambient))
    if p.whole_color is not None or p.ground_color is not None or p.color_system:
        system = f" ({p.color_system})" if p.color_system else ""
        add(
            "colour",
            f"whole {_number(p.whole_color, '')}   ground {_number(p.ground_color, '')}{system}",
        )
    if p.flavors:
        add("flavours", ", ".join(f"{label} {score:g}" for label, score in p.flavors))
    if p.cupping_notes:
        add("cupping", p.cupping_notes)
    return lines


def _number(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value:g}{unit}"


__all__ = ["property_lines"]
