"""Peak memory and time of reading a large Artisan ``.alog``: ``ast.literal_eval`` and the reader.

Generates a profile of about ``--mb`` megabytes (15 channels: timex, ET, BT and six extra devices,
as Artisan writes with many extra devices) and, each in a fresh process, measures the time, the
peak resident memory (``VmHWM``, Linux) above the process's baseline after its imports, and (in a
second process, as tracing slows it) the peak of Python's allocations (``tracemalloc``):

* ``ast.literal_eval`` (how ``.alog`` files were read before) on a ``--before-mb`` file;
* :func:`roastctl.logs.literal.parse_literal` on the same file and on the large one;
* ``roastctl import`` of the large file into a new store (parse, check, store).

Run: ``.venv/bin/python benchmarks/import_memory.py [--mb 20] [--before-mb 2]``
(``--before-mb 20`` reproduces the original 8 GB, minute-long read; mind the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

#: Numbers per sample: timex, temp1, temp2 and two channels of each of six extra devices.
CHANNELS_PER_SAMPLE = 15
_BYTES_PER_SAMPLE = 140  # measured: "123.456789, " for each of the 15 numbers, rounded up

# Each child prints {"baseline_kib", "peak_kib", "seconds", "traced_mb"} as JSON, last line.
# The peak is VmHWM: ru_maxrss would include the parent's size, inherited through fork and exec.
_CHILD = """
import json, sys, time, tracemalloc
mode, path, traced = sys.argv[1], sys.argv[2], sys.argv[3] == "traced"

def peak_kib():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1])

if mode == "ast":
    import ast
    read = lambda text: ast.literal_eval(text)
elif mode == "reader":
    from roastctl.logs.literal import parse_literal
    read = parse_literal
else:
    from roastctl.cli.main import main
baseline = peak_kib()
if traced:
    tracemalloc.start()
started = time.perf_counter()
if mode == "import":
    code = main(["import", path])
    if code:
        raise SystemExit(code)
else:
    with open(path, encoding="utf-8") as handle:
        read(handle.read())
seconds = time.perf_counter() - started
traced_mb = tracemalloc.get_traced_memory()[1] / 1e6 if traced else 0.0
peak = peak_kib()
figures = {"baseline_kib": baseline, "peak_kib": peak, "seconds": seconds, "traced_mb": traced_mb}
print(json.dumps(figures))
"""


def write_profile(path: Path, megabytes: float) -> int:
    """Write an ``.alog`` of about ``megabytes`` MB; return its sample count."""
    samples = int(megabytes * 1e6 / _BYTES_PER_SAMPLE)
    devices = 6

    def channel(offset: float) -> list[float]:
        return [round(offset + (i % 600) * 0.123456789, 6) for i in range(samples)]

    profile = {
        "mode": "C",
        "title": "generated",
        "roastUUID": uuid.uuid4().hex,
        "roastepoch": 1_700_000_000,
        "samplinginterval": 0.1,
        "timex": [round(i * 0.1, 6) for i in range(samples)],
        "temp1": channel(150.0),
        "temp2": channel(20.0),
        "timeindex": [0, 0, 0, 0, 0, 0, samples - 1, 0],
        "extradevices": [25] * devices,
        "extraname1": [f"A{n}" for n in range(devices)],
        "extraname2": [f"B{n}" for n in range(devices)],
        "extratemp1": [channel(10.0 + n) for n in range(devices)],
        "extratemp2": [channel(30.0 + n) for n in range(devices)],
        "weight": [200.0, 170.0, "g"],
    }
    path.write_text(repr(profile), encoding="utf-8")
    return samples


def measure(mode: str, path: Path, env: dict[str, str]) -> dict[str, float]:
    """Run one read in a fresh process and once more traced; return the figures."""
    figures = _child(mode, path, env, "plain")
    figures["traced_mb"] = _child(mode, path, env, "traced")["traced_mb"]
    return figures


def _child(mode: str, path: Path, env: dict[str, str], tracing: str) -> dict[str, float]:
    # A store of its own per run: the same roast cannot be imported twice into one.
    env = {**env, "ROASTCTL_STORE__PATH": f"{env['ROASTCTL_STORE__PATH']}.{tracing}"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", _CHILD, mode, str(path), tracing],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env=env,
    )
    if result.returncode != 0:
        raise SystemExit(f"{mode} on {path} failed: {result.stdout}{result.stderr}")
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def report(label: str, path: Path, figures: dict[str, float]) -> None:
    """Print one line: file size, peaks (and their multiple of the file), time."""
    size_mb = path.stat().st_size / 1e6
    grown_mb = (figures["peak_kib"] - figures["baseline_kib"]) * 1024 / 1e6
    traced_mb = figures["traced_mb"]
    print(
        f"{label:<26} {size_mb:6.1f} MB file  RSS +{grown_mb:7.1f} MB "
        f"({grown_mb / size_mb:5.1f}x)  traced {traced_mb:7.1f} MB ({traced_mb / size_mb:5.1f}x)"
        f"  {figures['seconds']:6.2f} s"
    )


def main() -> None:
    """Generate the files, measure each way of reading them, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0, help="size of the large file")
    parser.add_argument("--before-mb", type=float, default=2.0, help="size for literal_eval")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "ROASTCTL_STORE__PATH": str(Path(folder) / "roasts.sqlite3")}
        small, large = Path(folder) / "small.alog", Path(folder) / "large.alog"
        small_samples = write_profile(small, args.before_mb)
        large_samples = write_profile(large, args.mb)
        print(f"samples: {small_samples} and {large_samples}, {CHANNELS_PER_SAMPLE} channels")
        report("ast.literal_eval (before)", small, measure("ast", small, env))
        report("parse_literal", small, measure("reader", small, env))
        report("parse_literal", large, measure("reader", large, env))
        report("roastctl import", large, measure("import", large, env))


if __name__ == "__main__":
    main()
