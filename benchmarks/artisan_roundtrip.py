"""What an Artisan ``.alog`` keeps through ``import`` -> store -> ``export --format alog``.

For each shared ``.alog`` (``../shared/data/roasts/``) the file is read as ``import`` reads it,
its ``extra`` passed through JSON as the store keeps it, exported as ``.alog`` and parsed again;
then counted, original vs export:

* keys kept: keys of the file whose value comes back equal;
* special events kept: the file's (index, type, value, label) events found in the export;
* marks kept: the file's set ``timeindex`` slots (non-zero; CHARGE >= 0) that come back equal;
* extra devices kept: the file's ``extradevices`` entries found in the export.

"before" runs the same measurement on another revision (default: the merge base with ``main``)
in a temporary ``git worktree``, as a subprocess; "after" on this tree.

Run: ``.venv/bin/python benchmarks/artisan_roundtrip.py [--before main] [--roasts DIR]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROASTS = ROOT.parent / "shared" / "data" / "roasts"

# Runs in a child with PYTHONPATH set to a revision's src; prints one JSON object.
_MEASURE = r"""
import ast, dataclasses, json, sys
from collections import Counter
from pathlib import Path
from roastctl.logs.artisan import parse_profile
from roastctl.logs.artisan_write import dump_alog
from roastctl.logs.load import load_roast_record

def events(profile):
    keys = ("specialevents", "specialeventstype", "specialeventsvalue", "specialeventsStrings")
    lists = [profile.get(key) or [] for key in keys]
    return Counter(zip(*lists)) if all(isinstance(x, list) for x in lists) else Counter()

def marks(profile):
    index = profile.get("timeindex") or []
    return {slot: v for slot, v in enumerate(index) if (v >= 0 if slot == 0 else v > 0)}

result = {}
for path in sorted(Path(sys.argv[1]).glob("*.alog")):
    original = parse_profile(path.read_text(encoding="utf-8"))
    record = load_roast_record(path)
    record = dataclasses.replace(record, extra=json.loads(json.dumps(record.extra, default=str)))
    exported = ast.literal_eval(dump_alog(record))
    theirs, ours = marks(original), marks(exported)
    result[path.name] = {
        "keys": [sum(exported.get(k, KeyError) == v for k, v in original.items()), len(original)],
        "events": [sum((events(original) & events(exported)).values()),
                   sum(events(original).values())],
        "marks": [sum(ours.get(s) == v for s, v in theirs.items()), len(theirs)],
        "devices": [sum((Counter(original.get("extradevices") or [])
                         & Counter(exported.get("extradevices") or [])).values()),
                    len(original.get("extradevices") or [])],
    }
print(json.dumps(result))
"""

_COUNTS = ("keys", "events", "marks", "devices")


def measure(src: Path, roasts: Path) -> dict[str, dict[str, list[int]]]:
    """Run the measurement with the roastctl in ``src``; return the counts per file."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", _MEASURE, str(roasts)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        timeout=600,
    )
    counts: dict[str, dict[str, list[int]]] = json.loads(done.stdout.splitlines()[-1])
    return counts


def measure_revision(revision: str, roasts: Path) -> dict[str, dict[str, list[int]]]:
    """Check ``revision`` out in a temporary worktree, measure there, and remove the worktree."""
    with tempfile.TemporaryDirectory(prefix="rt-before-") as folder:
        tree = Path(folder) / "tree"
        git = ["git", "-C", str(ROOT)]
        add = [*git, "worktree", "add", "--detach", str(tree), revision]
        subprocess.run(add, check=True)  # noqa: S603 - git on a revision the user names
        try:
            return measure(tree / "src", roasts)
        finally:
            remove = [*git, "worktree", "remove", "--force", str(tree)]
            subprocess.run(remove, check=True)  # noqa: S603 - the worktree made above


#: The last commit whose import dropped what roastctl did not model (the "before" of the counts).
LAST_LOSSY_REVISION = "007c7a0"


def main() -> None:
    """Print before/after counts per shared ``.alog`` and in total."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--before",
        default=LAST_LOSSY_REVISION,
        help=f"revision to compare with (default {LAST_LOSSY_REVISION}, before lossless import)",
    )
    parser.add_argument("--roasts", type=Path, default=ROASTS)
    args = parser.parse_args()
    if not args.roasts.is_dir():
        sys.exit(f"{args.roasts} does not exist: no shared roast logs to measure")
    base = subprocess.run(  # noqa: S603
        ["git", "-C", str(ROOT), "merge-base", "HEAD", args.before],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    before = measure_revision(base, args.roasts)
    after = measure(ROOT / "src", args.roasts)
    print(f"before = {base[:12]}, after = this tree; kept/in the file, before -> after")
    print(f"{'file':<44}" + "".join(f"{name:>22}" for name in _COUNTS))
    totals = {name: [0, 0, 0] for name in _COUNTS}
    for name in sorted(after):
        cells = []
        for count in _COUNTS:
            was, now = before[name][count], after[name][count]
            totals[count][0] += was[0]
            totals[count][1] += now[0]
            totals[count][2] += now[1]
            cells.append(f"{was[0]}->{now[0]}/{now[1]}")
        print(f"{name[:44]:<44}" + "".join(f"{cell:>22}" for cell in cells))
    print(
        f"{'total (' + str(len(after)) + ' files)':<44}"
        + "".join(f"{f'{t[0]}->{t[1]}/{t[2]}':>22}" for t in totals.values())
    )


if __name__ == "__main__":
    main()
