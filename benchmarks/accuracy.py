"""Event detection and statistics of ``roastctl analyze`` against the marks of real roasts.

Over every log in ``../shared/data/roasts/`` (skipped with a message where that folder is
absent), it counts the share of roasts where:

* detected CHARGE is within 1 sample of the file's CHARGE mark;
* detected TP is within 4 s of Artisan's computed ``TP_time``;
* detected DROP is within 4 s of the file's DROP mark;
* DTR and the phase times computed from the file's marks equal Artisan's ``computed`` values
  within 0.5 percentage points and 1 s.

Only roasts with the relevant mark or computed value count; the table says how many. Every roast
that misses a target is listed with the reason (what the file itself shows, from the logs'
MANIFEST.md and roast-data notes, or the measured gap). It also reports, without a target, how
far the FCs estimate (BT crossing ``DEFAULT_FCS_TEMP_C``) lands from the FCs marks, and how our
AUC and mean phase RoR compare with Artisan's.

Run: ``.venv/bin/python benchmarks/accuracy.py [FOLDER]``
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from roastctl.logs.load import find_roast_logs
from roastctl.roast.analysis import RoastAnalysis, analyze_file
from roastctl.roast.events import DEFAULT_FCS_TEMP_C

ROASTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "roasts"
TP_TOLERANCE_S = 4.0
DROP_TOLERANCE_S = 4.0
DTR_TOLERANCE_PP = 0.5
PHASE_TOLERANCE_S = 1.0
TARGETS = {"CHARGE": 95.0, "TP": 90.0, "DROP": 90.0, "PHASES": 100.0}

#: Why a roast's mark and its curve disagree, from MANIFEST.md, roast-data.md and the data.
KNOWN_REASONS: dict[tuple[str, str], str] = {
    ("airroaster-sr800__jacciz__21-02-09", "CHARGE"): (
        "air roaster, beans loaded cold: no charge fall; the mark is 36 s into a heating curve "
        "that starts at the first sample (MANIFEST: BT already ~90 C at the mark)"
    ),
    ("airroaster-sr800__jacciz__21-03-09", "CHARGE"): (
        "air roaster, beans loaded cold: no charge fall; BT starts to rise 6 s after the mark "
        "(the operator pressed CHARGE before the heat reached the probe)"
    ),
    ("airroaster-sr800__jacciz__21-03-23", "CHARGE"): (
        "air roaster, beans loaded cold, probe a few inches above the beans (owner's note): BT "
        "starts to rise 16 s after the mark"
    ),
    ("airroaster-sr800__jacciz__21-03-09", "TP"): (
        "no dip: Artisan's TP is the CHARGE mark itself, which is 6 s before the heating start"
    ),
    ("airroaster-sr800__jacciz__21-03-23", "TP"): (
        "no dip: Artisan's TP is 0.1 F of noise 5 s after the CHARGE mark, 16 s before the "
        "heating start"
    ),
    ("airroaster-sr800__jacciz__21-02-09", "TP"): (
        "no dip: Artisan's TP is the CHARGE mark itself, 36 s into the heating curve"
    ),
    ("bullet__hypersprite__21-01-17", "CHARGE"): (
        "no charge fall at the mark (a probe reset 235 -> 25 C in 1 s is not a charge); the "
        "heating start is found 27 s before the mark"
    ),
    ("bullet__hypersprite__21-01-17", "TP"): (
        "no dip after the mark: Artisan's TP is the CHARGE mark; the heating start is 27 s earlier"
    ),
    ("bullet__hypersprite__21-01-17", "DROP"): (
        "DROP found from the IBTS (ET) fall 5 s after the mark: the Bullet's BT probe heats up "
        "in the empty drum, so only ET shows the drop, with a few seconds of lag"
    ),
    ("hottop__frogmoses__4_", "CHARGE"): (
        "the mark precedes a 7 C wobble; the beans' fall (148 -> 112 C) starts 38 s later"
    ),
    ("skywalker__scottjames__roast_25-08-17", "CHARGE"): (
        "mark is 3 min late: the button was pressed after the fall (MANIFEST: no BT dip after "
        "CHARGE); the charge fall starts 10 s into the recording"
    ),
    ("skywalker__scottjames__roast_25-08-17", "TP"): (
        "mark is 3 min late, so Artisan's TP is 2 s after it, not the real turning point 1.5 min "
        "after the real charge"
    ),
    ("hottop__hamade__Belfalas", "DROP"): (
        "the DROP mark was pressed after cooling (MANIFEST: ~1148 s after CHARGE at BT ~128 C); "
        "heater off and fan full are logged 390 s earlier"
    ),
    ("hottop__hamade__JacobTaylor", "DROP"): (
        "the heater was already off and the fan was set to full 15 s before DROP was pressed; "
        "the log has no door channel, so nothing marks the drop itself"
    ),
    ("hottop__hypersprite__20-05-13", "DROP"): (
        "the heater was already off and the fan went to full 48 s before DROP was pressed; "
        "no door channel in the log"
    ),
    ("hottop__hypersprite__20-10-13", "DROP"): (
        "the heater was already off and the fan went to full 30 s before DROP was pressed; "
        "no door channel in the log"
    ),
    ("bullet__hypersprite__21-01-22", "DROP"): (
        "the Bullet's BT starts to fall 8 s after the mark; its fan step at +2 s (40 -> 70 %) "
        "is not the heater-off, fan-full pattern"
    ),
    ("kaffelogic__jakemo136__EGB", "DROP"): (
        "Kaffelogic logs roast_end when the program ends; BT stays at 209 C for 8 s after it "
        "and only then falls"
    ),
    ("skywalker__scottjames__roast_25-08-17", "DROP"): (
        "BT was already falling 8 s before the DROP mark (MANIFEST: this file's marks are "
        "suspect: CHARGE 3 min late, DRY and FCs 6 s apart)"
    ),
    ("skywalker__scottjames__roast_25-08-30", "DROP"): (
        "BT keeps rising for 8 s after the DROP mark and falls from +10 s (probe lag; the file "
        "has no ET channel to show the drop sooner)"
    ),
    ("hottop__splitkey", "CHARGE"): (
        "0.69 s sampling: the 'Charge' entry is logged 1.4 s after BT began to fall (the fall "
        "is already 2 F deep at the mark)"
    ),
}
for _prefix in ("20-05-24", "20-10-13", "20-12-16"):
    KNOWN_REASONS[(f"hottop__hypersprite__{_prefix}", "CHARGE")] = (
        "Artisan 2.1.2 smoothed BT: the fall shows 2 samples (4 s) after the button press"
    )


@dataclass
class Metric:
    """One row of the table."""

    name: str
    target: float
    counted: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def share(self) -> float:
        passed = len(self.counted) - len(self.failures)
        return 100.0 * passed / len(self.counted) if self.counted else 0.0


def _reason(name: str, metric: str, measured: str) -> str:
    for (prefix, key), reason in KNOWN_REASONS.items():
        if key == metric and name.startswith(prefix):
            return f"{measured}: {reason}"
    return f"{measured}: no known fault in the file"


def _check_charge(name: str, result: RoastAnalysis, metric: Metric) -> None:
    mark = result.marked.get("CHARGE")
    if mark is None:
        return
    metric.counted.append(name)
    found = result.detected.get("CHARGE")
    if found is None:
        metric.failures.append((name, _reason(name, "CHARGE", "no CHARGE detected")))
    elif abs(found.index - mark.index) > 1:
        gap = found.index - mark.index
        measured = f"detected {gap:+d} samples ({found.recording_s - mark.recording_s:+.1f} s)"
        metric.failures.append((name, _reason(name, "CHARGE", measured)))


def _check_tp(name: str, result: RoastAnalysis, metric: Metric) -> None:
    art = result.artisan_computed or {}
    if "TP_time" not in art:
        return
    metric.counted.append(name)
    charge = result.marked.get("CHARGE")
    # Artisan counts computed times from 0 when a file has no CHARGE.
    expected = (charge.recording_s if charge else 0.0) + art["TP_time"]
    found = result.detected.get("TP")
    if found is None:
        metric.failures.append((name, _reason(name, "TP", "no TP detected")))
    elif round(abs(found.recording_s - expected), 1) > TP_TOLERANCE_S:
        measured = f"detected TP {found.recording_s - expected:+.1f} s from Artisan's"
        metric.failures.append((name, _reason(name, "TP", measured)))


def _check_drop(name: str, result: RoastAnalysis, metric: Metric) -> None:
    mark = result.marked.get("DROP")
    if mark is None:
        return
    metric.counted.append(name)
    found = result.detected.get("DROP")
    if found is None:
        metric.failures.append((name, _reason(name, "DROP", "no DROP detected")))
    elif round(abs(found.recording_s - mark.recording_s), 1) > DROP_TOLERANCE_S:
        measured = f"detected DROP {found.recording_s - mark.recording_s:+.1f} s from the mark"
        metric.failures.append((name, _reason(name, "DROP", measured)))


def _check_phases(name: str, result: RoastAnalysis, metric: Metric) -> None:
    art = result.artisan_computed or {}
    stats = result.statistics
    needed = ("totaltime", "dryphasetime", "midphasetime", "finishphasetime", "dtr_percent")
    if not all(key in art for key in needed):
        return
    if any(stats.basis.get(event) != "mark" for event in ("CHARGE", "FC_START", "DROP")):
        return
    metric.counted.append(name)
    pairs = {
        "totaltime": stats.total_s,
        "dryphasetime": stats.drying_s,
        "midphasetime": stats.maillard_s,
        "finishphasetime": stats.development_s,
    }
    problems = [
        f"{key} {ours} vs {art[key]}"
        for key, ours in pairs.items()
        if ours is None or abs(ours - art[key]) > PHASE_TOLERANCE_S + 1e-6
    ]
    dtr = stats.development_percent
    if dtr is None or abs(dtr - art["dtr_percent"]) > DTR_TOLERANCE_PP + 1e-6:
        problems.append(f"DTR {dtr} vs {art['dtr_percent']}")
    if problems:
        metric.failures.append((name, _reason(name, "PHASES", "; ".join(problems))))


def _fcs_errors(results: dict[str, RoastAnalysis]) -> list[float]:
    errors = []
    for result in results.values():
        mark, estimate = result.marked.get("FC_START"), result.detected.get("FC_START")
        if mark is not None and estimate is not None:
            errors.append(estimate.recording_s - mark.recording_s)
    return errors


def _agreement(
    results: dict[str, RoastAnalysis], ours: Callable[[RoastAnalysis], float | None], key: str
) -> list[float]:
    gaps = []
    for result in results.values():
        art = result.artisan_computed or {}
        value = ours(result)
        if key in art and value is not None and art[key] != 0:
            gaps.append(value - art[key])
    return gaps


def measure(folder: Path) -> tuple[dict[str, RoastAnalysis], list[Metric]]:
    """Analyze every log in ``folder``; return the analyses and the four measures."""
    results = {path.name: analyze_file(path) for path in find_roast_logs(folder)}
    metrics = [
        Metric("CHARGE within 1 sample of the mark", TARGETS["CHARGE"]),
        Metric(f"TP within {TP_TOLERANCE_S:.0f} s of Artisan's TP_time", TARGETS["TP"]),
        Metric(f"DROP within {DROP_TOLERANCE_S:.0f} s of the mark", TARGETS["DROP"]),
        Metric("DTR (0.5 pp) and phase times (1 s) = Artisan's", TARGETS["PHASES"]),
    ]
    checks = (_check_charge, _check_tp, _check_drop, _check_phases)
    for name, result in results.items():
        for check, metric in zip(checks, metrics, strict=True):
            check(name, result, metric)
    return results, metrics


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROASTS
    if not folder.is_dir():
        print(f"accuracy: no roast logs at {folder}; nothing to measure (skipped)")
        return 0
    results, metrics = measure(folder)
    print(f"{len(results)} roast logs in {folder}\n")
    print(f"| {'measure':<48} | roasts | passed | share   | target  | met |")
    print(f"|{'-' * 50}|--------|--------|---------|---------|-----|")
    for metric in metrics:
        passed = len(metric.counted) - len(metric.failures)
        met = "yes" if metric.share >= metric.target else "no"
        print(
            f"| {metric.name:<48} | {len(metric.counted):>6} | {passed:>6} | "
            f"{metric.share:6.1f}% | >= {metric.target:3.0f}% | {met:<3} |"
        )
    errors = _fcs_errors(results)
    if errors:
        absolute = sorted(abs(e) for e in errors)
        within = sum(1 for e in absolute if e <= 30.0)
        print(
            f"\nFCs estimate (BT >= {DEFAULT_FCS_TEMP_C:.0f} C) vs {len(errors)} FCs marks: median "
            f"error {statistics.median(errors):+.0f} s, median |error| "
            f"{statistics.median(absolute):.0f} s, within 30 s: {within}/{len(errors)}"
        )
    for label, ours, key, unit in (
        ("AUC", lambda r: r.statistics.auc_c_min, "AUC", "C min"),
        ("dry phase RoR", lambda r: r.statistics.dry_phase_ror, "dry_phase_ror", "C/min"),
        ("development RoR", lambda r: r.statistics.finish_phase_ror, "finish_phase_ror", "C/min"),
    ):
        gaps = _agreement(results, ours, key)
        if gaps:
            print(
                f"{label} vs Artisan's ({len(gaps)} roasts): median |difference| "
                f"{statistics.median(abs(g) for g in gaps):.1f} {unit}, "
                f"largest {max(gaps, key=abs):+.1f} {unit}"
            )
    for metric in metrics:
        if not metric.failures:
            continue
        print(f"\nmissed: {metric.name}")
        for name, reason in metric.failures:
            print(f"  - {name}: {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
