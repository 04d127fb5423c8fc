"""MCP tools for the kept roasts: list them, read one, export one, and describe the current one.

``list_roasts``, ``get_roast`` and ``export_roast`` only read the roast store (safe for an
observer); ``set_roast_info`` writes the bean, weights and notes of the roast being recorded.
"""

from typing import Annotated, Literal

import anyio.to_thread
from pydantic import Field

from roastctl.controls import ROAST_MASS_MAX_G, ROAST_TEXT_MAX_CHARS
from roastctl.errors import InvalidCommandError
from roastctl.logs.record import RoastRecord
from roastctl.mcp.registry import ToolRegistry, refusals, tool_annotations
from roastctl.mcp.roast_properties import (
    AmbientTemp,
    BatchNumber,
    BeanSizeMax,
    BeanSizeMin,
    CuppingNotes,
    Density,
    Flavors,
    GroundColor,
    Humidity,
    Pressure,
    RoastPropertiesView,
    ShortText,
    VolumeIn,
    VolumeOut,
    WholeColor,
    properties_help,
    properties_view,
)
from roastctl.mcp.views import View
from roastctl.roast.phases import development_ratio
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore, RoastSummary, StoreError

#: Bounds of the roast tools' arguments.
LIST_LIMIT_MAX = 200
ROAST_POINTS_MAX = 2000
ROAST_POINTS_DEFAULT = 300
TEXT_MAX = ROAST_TEXT_MAX_CHARS
MASS_MAX_G = ROAST_MASS_MAX_G
#: Roast ids and list offsets stop at SQLite's largest integer (2^63 - 1): beyond it the store
#: cannot even look, and no roast can have such an id.
ROAST_ID_MAX = 2**63 - 1


class RoastLine(View):
    """One kept roast in the history."""

    id: int
    started_utc: str
    status: str = Field(description="recording, complete, interrupted or imported.")
    title: str
    bean: str | None
    batch_g: float | None
    roasted_g: float | None
    samples: int
    events: dict[str, float] = Field(description="Event -> seconds since recording start.")
    dtr_percent: float | None


class RoastList(View):
    """Kept roasts, newest first."""

    total: int
    roasts: list[RoastLine]


class RoastPoint(View):
    """One sample of a kept roast."""

    time_s: float = Field(description="Seconds since CHARGE (since the first sample if none).")
    bean_temp_c: float | None
    env_temp_c: float | None
    heat_percent: int | None
    fan_percent: int | None


class RoastEventView(View):
    """An event of a kept roast."""

    type: str
    time_s: float = Field(description="Seconds since CHARGE.")
    bean_temp_c: float | None
    source: str


class RoastDetail(View):
    """One kept roast: its line, events, notes, properties and a thinned curve."""

    roast: RoastLine
    notes: str
    roaster: str
    properties: RoastPropertiesView
    events: list[RoastEventView]
    points: list[RoastPoint]


class RoastExport(View):
    """A kept roast as a file's text."""

    roast_id: int
    format: Literal["alog", "csv", "json"]
    filename: str = Field(description="A suggested file name.")
    content: str = Field(description="The file's text: Artisan opens the .alog as is.")


def roast_line(summary: RoastSummary) -> RoastLine:
    """Return the compact view of a history line."""
    return RoastLine(
        id=summary.id,
        started_utc=summary.started_utc.isoformat(),
        status=summary.status.value,
        title=summary.title,
        bean=summary.bean,
        batch_g=summary.batch_g,
        roasted_g=summary.roasted_g,
        samples=summary.samples,
        events=summary.events,
        dtr_percent=development_ratio(summary.events),
    )


def roast_detail(summary: RoastSummary, record: RoastRecord, max_points: int) -> RoastDetail:
    """Return a kept roast with its curve thinned to at most ``max_points`` samples."""
    charge = next((e for e in record.events if e.type.value == "CHARGE"), None)
    origin = (
        charge.time_s
        if charge is not None
        else (record.samples[0].time_s if record.samples else 0.0)
    )
    step = max(1, -(-len(record.samples) // max_points))
    return RoastDetail(
        roast=roast_line(summary),
        notes=record.notes,
        roaster=record.roaster,
        properties=properties_view(record.properties),
        events=[
            RoastEventView(
                type=e.type.value,
                time_s=round(e.time_s - origin, 3),
                bean_temp_c=e.bean_temp_c,
                source=e.source,
            )
            for e in record.events
        ],
        points=[
            RoastPoint(
                time_s=round(s.time_s - origin, 3),
                bean_temp_c=s.bean_temp_c,
                env_temp_c=s.env_temp_c,
                heat_percent=s.heat_percent,
                fan_percent=s.fan_percent,
            )
            for s in record.samples[::step]
        ],
    )


def register_roast_tools(registry: ToolRegistry, manager: RoastSessionManager) -> None:
    """Register the roast-history tools for ``manager``'s store."""

    def store() -> RoastStore:
        if manager.store is None:
            raise StoreError(
                "this server keeps no roasts (it was started without a roast store); start it "
                "with 'roastctl serve', which keeps them in the configured store"
            )
        return manager.store

    async def list_roasts(
        limit: Annotated[int, Field(ge=1, le=LIST_LIMIT_MAX, strict=True)] = 20,
        offset: Annotated[int, Field(ge=0, le=ROAST_ID_MAX, strict=True)] = 0,
    ) -> RoastList:
        with refusals("list_roasts"):
            roasts = store()

            def read() -> RoastList:
                return RoastList(
                    total=roasts.count(),
                    roasts=[roast_line(r) for r in roasts.list_roasts(limit=limit, offset=offset)],
                )

            return await anyio.to_thread.run_sync(read)

    registry.add(
        list_roasts,
        description=(
            "List the kept roasts, newest first: id, start (UTC), status (recording, complete, "
            "interrupted by a crash, imported), bean, weights, sample count, event times and "
            "DTR. Read-only. Use get_roast for one roast's curve."
        ),
        annotations=tool_annotations("List roasts", read_only=True),
    )

    async def get_roast(
        roast_id: Annotated[int, Field(ge=1, le=ROAST_ID_MAX, strict=True)],
        max_points: Annotated[
            int, Field(ge=2, le=ROAST_POINTS_MAX, strict=True)
        ] = ROAST_POINTS_DEFAULT,
    ) -> RoastDetail:
        with refusals("get_roast"):
            roasts = store()

            def read() -> RoastDetail:
                return roast_detail(
                    roasts.summary(roast_id), roasts.get_roast(roast_id), max_points
                )

            return await anyio.to_thread.run_sync(read)

    registry.add(
        get_roast,
        description=(
            "Read one kept roast: its history line, events (seconds since CHARGE, BT, source), "
            "notes and its curve (BT, ET, heat, fan) thinned to at most max_points samples. "
            "Read-only."
        ),
        annotations=tool_annotations("Get roast", read_only=True),
    )

    async def export_roast(
        roast_id: Annotated[int, Field(ge=1, le=ROAST_ID_MAX, strict=True)],
        format: Literal["alog", "csv", "json"] = "alog",
    ) -> RoastExport:
        from roastctl.logs.artisan_write import dump_alog, export_csv, export_json

        with refusals("export_roast"):
            roasts = store()
            writer = {"alog": dump_alog, "csv": export_csv, "json": export_json}[format]

            def read() -> str:
                return writer(roasts.get_roast(roast_id))

            content = await anyio.to_thread.run_sync(read)
            return RoastExport(
                roast_id=roast_id,
                format=format,
                filename=f"roast-{roast_id}.{format}",
                content=content,
            )

    registry.add(
        export_roast,
        description=(
            "Export one kept roast as text: 'alog' is an Artisan profile Artisan opens as is, "
            "'csv' Artisan's tab-separated CSV, 'json' Artisan JSON. Read-only."
        ),
        annotations=tool_annotations("Export roast", read_only=True),
    )

    def set_roast_info(
        bean: Annotated[str | None, Field(max_length=TEXT_MAX)] = None,
        batch_g: Annotated[float | None, Field(gt=0, le=MASS_MAX_G, strict=True)] = None,
        roasted_g: Annotated[float | None, Field(gt=0, le=MASS_MAX_G, strict=True)] = None,
        notes: Annotated[str | None, Field(max_length=TEXT_MAX)] = None,
        title: Annotated[str | None, Field(max_length=TEXT_MAX)] = None,
        cupping_notes: CuppingNotes = None,
        flavors: Flavors = None,
        density_g_per_l: Density = None,
        volume_in_l: VolumeIn = None,
        volume_out_l: VolumeOut = None,
        batch_number: BatchNumber = None,
        batch_prefix: ShortText = None,
        ambient_temp_c: AmbientTemp = None,
        ambient_humidity_percent: Humidity = None,
        ambient_pressure_hpa: Pressure = None,
        whole_color: WholeColor = None,
        ground_color: GroundColor = None,
        color_system: ShortText = None,
        bean_size_min: BeanSizeMin = None,
        bean_size_max: BeanSizeMax = None,
    ) -> RoastLine:
        with refusals("set_roast_info"):
            given: dict[str, object] = {
                "bean": bean,
                "batch_g": batch_g,
                "roasted_g": roasted_g,
                "notes": notes,
                "title": title,
                "cupping_notes": cupping_notes,
                "flavors": flavors,
                "density_g_per_l": density_g_per_l,
                "volume_in_l": volume_in_l,
                "volume_out_l": volume_out_l,
                "batch_number": batch_number,
                "batch_prefix": batch_prefix,
                "ambient_temp_c": ambient_temp_c,
                "ambient_humidity_percent": ambient_humidity_percent,
                "ambient_pressure_hpa": ambient_pressure_hpa,
                "whole_color": whole_color,
                "ground_color": ground_color,
                "color_system": color_system,
                "bean_size_min": bean_size_min,
                "bean_size_max": bean_size_max,
            }
            fields = {name: value for name, value in given.items() if value is not None}
            if not fields:
                raise InvalidCommandError(
                    "set_roast_info needs at least one of bean, batch_g, roasted_g, notes, title "
                    "or a roast property (cupping_notes, flavors, density_g_per_l, ...); nothing "
                    "was changed"
                )
            stored = manager.set_roast_info(**fields)
            return roast_line(store().summary(int(str(stored["id"]))))

    registry.add(
        set_roast_info,
        description=(
            "Describe the roast being recorded: bean (name/origin), batch_g (green weight in), "
            "roasted_g (weight out), notes, title. Only the fields given change. Weights in "
            f"grams, above 0 and up to {MASS_MAX_G:g}; text up to {TEXT_MAX} characters. "
            + properties_help()
            + " A value out of range is refused and nothing is changed."
        ),
        annotations=tool_annotations("Set roast info"),
    )


__all__ = ["register_roast_tools", "roast_detail", "roast_line"]
