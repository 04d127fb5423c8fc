"""Every real roast log in ``../shared/data/roasts/`` replayed through the safety supervisor.

Prints, per roaster family, how many logs and samples before the recorded DROP were judged and
which faults the default limits would have latched, with the recorded value behind each; then the
replay speed. Run: ``.venv/bin/python benchmarks/safety_replay.py [FOLDER]``
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path

from roastctl.config import SafetyConfig
from roastctl.lab.safety_replay import SafetyReplay, replay_safety
from roastctl.logs.load import find_roast_logs, load_recorded_roast
from roastctl.models import RoastEventType

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "shared" / "data" / "roasts"


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FOLDER
    if not folder.is_dir():
        print(f"no roast logs at {folder}; pass a folder of .alog/.json/.log/.klog files")
        return 1
    limits = SafetyConfig()
    by_family: dict[str, list[tuple[str, SafetyReplay, float | None]]] = defaultdict(list)
    started = time.perf_counter()
    for path in find_roast_logs(folder):
        roast = load_recorded_roast(path)
        drop = roast.marks.get(RoastEventType.DROP)
        drop_s = None if drop is None else roast.times[drop] - roast.times[0]
        family = path.name.split("__")[0]
        by_family[family].append((path.name, replay_safety(roast, limits), drop_s))
    took = time.perf_counter() - started
    print(
        f"limits: BT {limits.bean_temp_limit_c:g} C, ET {limits.env_temp_limit_c:g} C, "
        f"stale {limits.stale_after_s:g} s\n"
    )
    print(f"{'family':<18} {'logs':>4} {'samples':>8} {'tripped':>7}")
    logs = samples = 0
    trips: list[str] = []
    for family, results in sorted(by_family.items()):
        tripped = [r for r in results if r[1].tripped]
        count = sum(r[1].samples_judged for r in results)
        print(f"{family:<18} {len(results):>4} {count:>8} {len(tripped):>7}")
        logs += len(results)
        samples += count
        for name, result, drop_s in tripped:
            for fault in result.faults:
                at = fault.monotonic_s - 1000.0
                before = "" if drop_s is None else f", {drop_s - at:.0f} s before the DROP mark"
                trips.append(
                    f"  {name}: {fault.rule.value} at {at:.0f} s of the recording{before} "
                    f"(BT {fault.bean_temp_c:.1f} C, ET {fault.env_temp_c:.1f} C; recorded max "
                    f"before DROP BT {result.max_bean_temp_c:.1f} C, ET "
                    f"{result.max_env_temp_c or 0:.1f} C)"
                )
    tripped_logs = sum(1 for r in by_family.values() for x in r if x[1].tripped)
    print(f"{'all':<18} {logs:>4} {samples:>8} {tripped_logs:>7}\n")
    print("faults latched before the recorded drop:")
    print("\n".join(trips) if trips else "  none")
    print(f"\nreplay: {samples / took:,.0f} samples/s ({took:.2f} s for {logs} logs incl. parsing)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
