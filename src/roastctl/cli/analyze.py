"""``roastctl analyze``: print the analysis of recorded roasts, as a table or one JSON line each."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from roastctl.roast.events import DEFAULT_FCS_TEMP_C
from roastctl.roast.phases import format_mmss_rounded

if TYPE_CHECKING:
    from roastctl.roast.analysis import EventPoint, RoastAnalysis


def add_analyze_command(commands: Any) -> None:  # noqa: ANN401 - argparse's private type
    """Register ``roastctl analyze`` on the CLI's subcommands."""
    analyze = commands.add_parser(
        "analyze",
        help="events, phases, DTR, RoR and AUC of recorded roasts, beside their marks",
        description="Read roast logs (Artisan .alog/JSON/CSV, roastctl exports, Aillio RoasTime, "
        "split-key-roast, Kaffelogic .klog) and print, per roast, the events detected in the "
        "samples, the file's own marks, Artisan's statistics and Artisan's own numbers.",
    )
    analyze.add_argument("files", type=Path, nargs="+", metavar="FILE")
    analyze.add_argument("--json", action="store_true", help="one JSON object per roast and line")
    analyze.add_argument(
        "--fcs-temp",
        type=float,
        default=DEFAULT_FCS_TEMP_C,
        metavar="C",
        help=f"BT (deg C) for the FCs estimate when a file has no FCs mark "
        f"(default {DEFAULT_FCS_TEMP_C:.0f})",
    )


class _ProgressBar:
    """A one-line progress bar on a terminal; nothing at all when the stream is not a TTY."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream = stream
        self.total = total
        self.live = total > 1 and stream.isatty()

    def show(self, done: int, name: str) -> None:
        if not self.live:
            return
        width = 30
        filled = width * done // self.total
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r[{bar}] {done}/{self.total} {name[:40]:<40}")
        self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.stream.write("\r" + " " * 80 + "\r")
            self.stream.flush()


def run_analyze(args: argparse.Namespace, out: TextIO, err: TextIO | None = None) -> int:
    """Run ``roastctl analyze``; return 0 if every file was analyzed, else 1."""
    # The analysis brings every roast-file reader; only this command needs them.
    from roastctl.roast.analysis import AnalyzeError, analyze_file

    err = err or sys.stderr
    files: list[Path] = list(args.files)
    progress = _ProgressBar(err, len(files))
    failed = 0
    for done, path in enumerate(files):
        progress.show(done, path.name)
        try:
            analysis = analyze_file(path, fcs_temp_c=args.fcs_temp)
        except AnalyzeError as exc:
            failed += 1
            progress.close()
            err.write(f"roastctl analyze: {exc}\n")
            if args.json:
                out.write(json.dumps({"file": str(path), "error": str(exc)}) + "\n")
            continue
        if args.json:
            out.write(json.dumps(analysis.as_dict()) + "\n")
        else:
            out.write(format_analysis(analysis) + "\n")
    progress.show(len(files), "")
    progress.close()
    if failed:
        err.write(f"roastctl analyze: {failed} of {len(files)} file(s) could not be analyzed\n")
    return 1 if failed else 0


# --- the table ----------------------------------------------------------------------------------


def _event_cell(point: EventPoint | None, *, with_source: bool = True) -> str:
    if point is None:
        return "--"
    when = format_mmss_rounded(point.time_s) or "--:--"
    bean = f"{point.bean_temp_c:5.1f} C" if point.bean_temp_c is not None else "  --- "
    quiet = not with_source or point.source in ("detected", "mark")
    return f"{when} {bean}" + ("" if quiet else f" ({point.source})")


def _number(value: float | None, unit: str = "", digits: int = 1) -> str:
    if value is None or not math.isfinite(value):
        return "--"
    return f"{value:.{digits}f}{unit}"


def _duration(value: float | None) -> str:
    return format_mmss_rounded(value) or "--"


def format_analysis(analysis: RoastAnalysis) -> str:
    """Return the human-readable table of one roast."""
    from roastctl.roast.analysis import EVENTS  # loaded already: the analysis came from it

    lines = [f"== {analysis.file or analysis.title}"]
    interval = _number(analysis.sampling_interval_s, " s", 2)
    lines.append(
        f"   {analysis.title or '(untitled)'}  unit {analysis.unit}  "
        f"{analysis.samples} samples every {interval}"
    )
    lines.append(f"{'event':<10}{'detected':<34}{'file mark':<22}{'used for statistics'}")
    stats = analysis.statistics
    names = {"TP": "TP", "DRY_END": "DRY END", "FC_START": "FCs"}
    for name in (*EVENTS[:4], "FC_END", "DROP"):
        label = names.get(name, name.replace("_", " "))
        detected = _event_cell(analysis.detected.get(name)) if name != "FC_END" else ""
        used = stats.events.get(name)
        basis = (
            f"{_event_cell(used, with_source=False)} [{stats.basis[name]}]"
            if used is not None
            else ""
        )
        lines.append(
            f"{label:<10}{detected:<34}{_event_cell(analysis.marked.get(name)):<22}{basis}"
        )
    art = analysis.artisan_computed or {}
    lines.append("")
    lines.append(f"{'statistic':<22}{'ours':>12}{'Artisan':>12}")
    rows: list[tuple[str, str, str]] = [
        ("total", _duration(stats.total_s), _duration(art.get("totaltime"))),
        ("drying", _duration(stats.drying_s), _duration(art.get("dryphasetime"))),
        ("maillard", _duration(stats.maillard_s), _duration(art.get("midphasetime"))),
        ("development", _duration(stats.development_s), _duration(art.get("finishphasetime"))),
        ("drying %", _number(stats.drying_percent, " %"), _share(art, "dryphasetime")),
        ("maillard %", _number(stats.maillard_percent, " %"), _share(art, "midphasetime")),
        ("DTR", _number(stats.development_percent, " %"), _number(art.get("dtr_percent"), " %")),
        ("dry RoR (from TP)", _number(stats.dry_phase_ror), _number(art.get("dry_phase_ror"))),
        ("maillard RoR", _number(stats.mid_phase_ror), _number(art.get("mid_phase_ror"))),
        ("development RoR", _number(stats.finish_phase_ror), _number(art.get("finish_phase_ror"))),
        ("total RoR (from TP)", _number(stats.total_ror), _number(art.get("total_ror"))),
        ("RoR at FCs", _number(stats.ror_at_fcs_c_per_min), _number(art.get("fcs_ror"))),
        ("AUC (C min)", _number(stats.auc_c_min, "", 0), _number(art.get("AUC"), "", 0)),
        ("AUC base (C)", _number(stats.auc_base_c), _number(art.get("AUCbase"))),
    ]
    lines += [f"{label:<22}{ours:>12}{theirs:>12}" for label, ours, theirs in rows]
    lines.append("(RoR in C/min; times mm:ss from CHARGE)")
    if analysis.warnings:
        lines.append("warnings:")
        lines += [f"  - {warning}" for warning in analysis.warnings]
    return "\n".join(lines)


def _share(art: dict[str, float], key: str) -> str:
    total, part = art.get("totaltime"), art.get(key)
    if not total or part is None:
        return "--"
    return f"{part / total * 100.0:.1f} %"
