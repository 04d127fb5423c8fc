"""The roast history commands: ``roastctl history``, ``show``, ``audit``, ``export``, ``import``.

They read and write the roast store named by the config (``[store] path``), never a running
session, so they work while ``roastctl serve`` is recording (SQLite WAL allows readers).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from roastctl.cli.properties import property_lines
from roastctl.config import ServerConfig
from roastctl.errors import RoasterError
from roastctl.files.write import OutputPathError, regular_file_target, write_text_atomically
from roastctl.logs.record import RoastRecord
from roastctl.models import RoastEventType
from roastctl.roast.phases import development_ratio, format_mmss
from roastctl.store.database import RoastStore
from roastctl.store.summary import summary_dict

EXPORT_FORMATS = ("alog", "csv", "json")
ROAST_COMMANDS = frozenset({"history", "show", "audit", "export", "import", "plot"})
#: Events in the order a history line shows them.
_EVENT_ORDER = ("CHARGE", "DRY_END", "FC_START", "FC_END", "SC_START", "SC_END", "DROP", "COOL")


def add_roast_commands(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    """Register history, show, export and import on the CLI's subcommands."""
    history = commands.add_parser(
        "history",
        help="list the kept roasts, newest first",
        description="List the roasts in the roast store: id, start, status, bean, duration, "
        "events and DTR.",
    )
    history.add_argument("--limit", type=_positive_int, default=20, help="how many (default 20)")
    history.add_argument("--json", action="store_true", help="print JSON")
    show = commands.add_parser(
        "show", help="show one kept roast", description="One roast's details and events."
    )
    show.add_argument("roast_id", type=_positive_int, metavar="ID")
    show.add_argument("--json", action="store_true", help="print JSON (with every sample)")
    audit = commands.add_parser(
        "audit",
        help="list the commands one kept roast received, with who sent them",
        description="Every command and refusal of one roast, oldest first: time (UTC), command, "
        "its arguments, ok or the refusal, the front end (caller), the role and the token name.",
    )
    audit.add_argument("roast_id", type=_positive_int, metavar="ID")
    audit.add_argument("--json", action="store_true", help="print JSON")
    export = commands.add_parser(
        "export",
        help="export a kept roast as Artisan .alog, CSV or JSON",
        description="Write one roast as an Artisan profile (.alog, which Artisan opens), "
        "Artisan's tab-separated CSV, or Artisan JSON.",
    )
    export.add_argument("roast_id", type=_positive_int, metavar="ID")
    export.add_argument("--format", choices=EXPORT_FORMATS, default="alog")
    export.add_argument(
        "-o", "--output", type=_output_path, required=True, help="the file to write"
    )
    importer = commands.add_parser(
        "import",
        help="import roast logs (Artisan .alog, JSON or CSV, and others) into the roast store",
        description="Read roast logs into the store: Artisan .alog, JSON and CSV (deg C or F, "
        "roastctl's own exports included), Aillio RoasTime JSON, split-key-roast logs and "
        "Kaffelogic .klog.",
    )
    importer.add_argument("files", type=Path, nargs="+", metavar="FILE")
    plot = commands.add_parser(
        "plot",
        help="draw a roast as a PNG chart (needs the 'plot' extra: matplotlib)",
        description="Draw a kept roast (by id) or a roast log file as a PNG: BT, ET and RoR, "
        "heat and fan, event markers and phase bands.",
    )
    plot.add_argument("roast", metavar="ID|FILE", help="a kept roast's id, or a roast log file")
    plot.add_argument("-o", "--output", type=_output_path, required=True, help="the PNG to write")


def run_roast_command(args: argparse.Namespace, config: ServerConfig, out: TextIO) -> int:
    """Run one of the history commands; return the exit code."""
    store = RoastStore(config.store.path, recover=False)  # a recording server may be running
    try:
        if args.command == "history":
            return _history(store, args.limit, args.json, out)
        if args.command == "show":
            return _show(store, args.roast_id, args.json, out)
        if args.command == "audit":
            return _audit(store, args.roast_id, args.json, out)
        if args.command == "export":
            return _export(store, args.roast_id, args.format, args.output, out)
        if args.command == "plot":
            return _plot(store, args.roast, args.output, config, out)
        return _import(store, args.files, out)
    finally:
        store.close()


def record_dict(record: RoastRecord) -> dict[str, Any]:
    """Return a whole roast as JSON-ready data."""
    data = asdict(record)
    data["started_utc"] = record.started_utc.isoformat()
    data["ended_utc"] = record.ended_utc.isoformat() if record.ended_utc else None
    data["status"] = record.status.value
    data["events"] = [{**asdict(event), "type": event.type.value} for event in record.events]
    return data


def _history(store: RoastStore, limit: int, as_json: bool, out: TextIO) -> int:
    roasts = store.list_roasts(limit=limit)
    if as_json:
        out.write(json.dumps([summary_dict(r) for r in roasts], indent=2) + "\n")
        return 0
    if not roasts:
        out.write(f"no roasts kept yet in {store.path}\n")
        return 0
    out.write(
        f"{'id':>4}  {'started (UTC)':<16}  {'status':<11}  {'length':>6}  {'DTR':>5}  bean\n"
    )
    for roast in roasts:
        charge = roast.events.get("CHARGE")
        drop = roast.events.get("DROP")
        length = format_mmss(drop - charge) if charge is not None and drop is not None else None
        dtr = development_ratio(roast.events)
        out.write(
            f"{roast.id:>4}  {roast.started_utc:%Y-%m-%d %H:%M}  {roast.status.value:<11}  "
            f"{length or '--:--':>6}  {f'{dtr:.1f}%' if dtr is not None else '--':>5}  "
            f"{roast.bean or roast.title or '-'}\n"
        )
    return 0


def _show(store: RoastStore, roast_id: int, as_json: bool, out: TextIO) -> int:
    record = store.get_roast(roast_id)
    if as_json:
        out.write(json.dumps(record_dict(record), indent=2) + "\n")
        return 0
    summary = store.summary(roast_id)
    out.write(
        f"roast {record.id} ({record.uuid})\n"
        f"  started   {record.started_utc:%Y-%m-%d %H:%M:%S} UTC, {record.status.value}\n"
        f"  roaster   {record.roaster}\n"
        f"  bean      {record.bean or '-'}   batch {record.batch_g or '-'} g   "
        f"roasted {record.roasted_g or '-'} g\n"
        f"  samples   {len(record.samples)} over {format_mmss(summary.duration_s or 0.0)}\n"
    )
    charge = record.event(RoastEventType.CHARGE)
    origin = charge.time_s if charge is not None else 0.0
    out.write("  event       time    BT (C)   source\n")
    for event in sorted(record.events, key=lambda e: e.time_s):
        bean = f"{event.bean_temp_c:6.1f}" if event.bean_temp_c is not None else "   ---"
        out.write(
            f"  {event.type.value:<10}  {format_mmss(event.time_s - origin)}  {bean}   "
            f"{event.source}\n"
        )
    dtr = development_ratio(summary.events)
    if dtr is not None:
        out.write(f"  DTR       {dtr:.1f} %\n")
    if record.notes:
        out.write(f"  notes     {record.notes}\n")
    for line in property_lines(record.properties):
        out.write(f"  {line}\n")
    return 0


def _audit(store: RoastStore, roast_id: int, as_json: bool, out: TextIO) -> int:
    store.summary(roast_id)  # an unknown id is named with the way out
    commands = store.commands(roast_id)
    if as_json:
        rows = [{**asdict(c), "at_utc": c.at_utc.isoformat()} for c in commands]
        out.write(json.dumps(rows, indent=2) + "\n")
        return 0
    if not commands:
        out.write(f"roast {roast_id} received no commands\n")
        return 0
    out.write(f"{'time (UTC)':<19}  {'command':<16} {'who':<28} result\n")
    for c in commands:
        who = f"{c.caller}/{c.role or '-'}" + (f"/{c.token_name}" if c.token_name else "")
        arguments = ", ".join(f"{k}={v}" for k, v in c.arguments.items())
        command = f"{c.command}({arguments})" if arguments else c.command
        result = f"REFUSED: {c.result}" if c.refused else c.result
        out.write(f"{c.at_utc:%Y-%m-%d %H:%M:%S}  {command:<16} {who:<28} {result}\n")
    return 0


def _export(store: RoastStore, roast_id: int, fmt: str, output: Path, out: TextIO) -> int:
    from roastctl.logs.artisan_write import dump_alog, export_csv, export_json

    if output.is_dir():
        raise OutputPathError(
            f"{output} is a directory; give the name of a file to write, e.g. "
            f"{output / f'roast-{roast_id}.{fmt}'}"
        )
    regular_file_target(output)  # refused before the roast is read
    record = store.get_roast(roast_id)
    text = {"alog": dump_alog, "csv": export_csv, "json": export_json}[fmt](record)
    try:
        write_text_atomically(output, text)
    except OSError as exc:
        raise OutputPathError(
            f"{output} cannot be written: {exc.strerror or exc}; nothing was written. Check that "
            "its folder can be made and written to"
        ) from exc
    out.write(f"roast {roast_id} written to {output} ({fmt}, {len(record.samples)} samples)\n")
    return 0


def _plot(store: RoastStore, target: str, output: Path, config: ServerConfig, out: TextIO) -> int:
    from roastctl.logs.load import load_roast_record  # every reader, for this command only
    from roastctl.roast.plot import render_roast_png

    record = store.get_roast(int(target)) if target.isdigit() else load_roast_record(target)
    drawn = render_roast_png(
        record, output, ror_span_s=config.tracker.ror_span_s, ror_method=config.tracker.ror_method
    )
    out.write(
        f"{output}: {drawn.width_px}x{drawn.height_px} PNG, {drawn.samples} samples, events "
        f"{' '.join(drawn.events) or 'none'}\n"
    )
    return 0


def _import(store: RoastStore, files: list[Path], out: TextIO) -> int:
    from roastctl.logs.load import load_roast_record  # every reader, for this command only

    failures = 0
    for path in files:
        try:
            record = load_roast_record(path)
            roast_id = store.import_record(record)
        except (OSError, ValueError, RoasterError) as exc:  # each names the file or the roast
            failures += 1
            out.write(f"{path}: not imported: {exc}\n")
            continue
        out.write(f"{path}: imported as roast {roast_id} ({len(record.samples)} samples)\n")
    return 1 if failures else 0


def _output_path(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("the output path is empty; give a file name")
    return Path(text)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be 1 or more")
    return value


__all__ = [
    "EXPORT_FORMATS",
    "ROAST_COMMANDS",
    "add_roast_commands",
    "run_roast_command",
]
