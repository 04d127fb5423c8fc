"""``roastctl import`` given hostile or broken files: bounded memory, clear refusals, no changes.

Each file goes through the installed command in a subprocess into a real SQLite store; after a
refusal the store's history is what it was before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from test_cli import run

from roastctl.files.limits import MAX_ROAST_FILE_BYTES, MAX_SAMPLES, ROAST_LOG_LIMITS

# Runs the command in-process so the child's own peak memory (VmHWM, KiB) can be printed;
# ru_maxrss would include this test process's size, inherited through fork and exec.
_MEASURED_MAIN = (
    "import sys\n"
    "from roastctl.cli.main import main\n"
    "code = main(sys.argv[1:])\n"
    "status = open('/proc/self/status').read()\n"
    "print('maxrss_kib', status.split('VmHWM:')[1].split()[0])\n"
    "sys.exit(code)\n"
)


def profile(samples: int = 3, **changes: Any) -> dict[str, Any]:
    """An Artisan profile of ``samples`` readings at 1 s, deg C, CHARGE first, DROP last."""
    drop = samples - 1 if samples > 2 else 0
    data: dict[str, Any] = {
        "mode": "C",
        "timex": [float(i) for i in range(samples)],
        "temp1": [150.0 + i % 50 for i in range(samples)],
        "temp2": [100.0 + i % 90 for i in range(samples)],
        "timeindex": [0, 0, 0, 0, 0, 0, drop, 0],
        "samplinginterval": 1.0,
        "roastepoch": 1_700_000_000,
        "roastUUID": uuid.uuid4().hex,
        "title": "test roast",
        "weight": [200.0, 170.0, "g"],
    }
    data.update(changes)
    return data


def write(tmp_path: Path, data: object, name: str = "roast.alog") -> Path:
    path = tmp_path / name
    path.write_text(repr(data), encoding="utf-8")
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "ROASTCTL_STORE__PATH": str(tmp_path / "store" / "roasts.sqlite3")}


def history(env: dict[str, str]) -> list[dict[str, Any]]:
    result = run("history", "--json", env=env)
    assert result.returncode == 0, result.stderr
    lines: list[dict[str, Any]] = json.loads(result.stdout)
    return lines


def assert_refused(path: Path, env: dict[str, str], *needles: str) -> str:
    """Import ``path``; it must be refused with a message naming the file and ``needles``."""
    before = history(env)
    result = run("import", str(path), env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    message = result.stdout
    assert f"{path}: not imported: " in message
    for needle in needles:
        assert needle in message, message
    assert history(env) == before  # nothing half-imported
    return message


def imported_rss_kib(path: Path, env: dict[str, str]) -> int:
    result = subprocess.run(
        [sys.executable, "-c", _MEASURED_MAIN, "import", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "imported as roast" in result.stdout
    return int(result.stdout.split("maxrss_kib")[-1])


# --- memory and size limits ---------------------------------------------------------------------


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's VmHWM")
def test_import_memory_grows_with_a_small_multiple_of_the_file(
    tmp_path: Path, env: dict[str, str]
) -> None:
    small = write(tmp_path, profile(10), "small.alog")
    # Eleven channels of 20 000 samples: about 2 MB of text, like a long roast with extra devices.
    channels = {f"extratemp{n}": [[float(i % 97) for i in range(20_000)]] for n in (1, 2)}
    large = write(
        tmp_path,
        profile(20_000, extradevices=[25], extraname1=["A"], extraname2=["B"], **channels),
        "large.alog",
    )
    size_kib = large.stat().st_size // 1024
    baseline = imported_rss_kib(small, env)
    peak = imported_rss_kib(large, env)

    # ast.literal_eval needed about 400x the file (here ~800 MB); the reader needs a few times it.
    assert peak - baseline < 25 * size_kib, (baseline, peak, size_kib)


def test_a_file_beyond_the_size_limit_is_refused_unread(
    tmp_path: Path, env: dict[str, str]
) -> None:
    path = tmp_path / "huge.alog"
    with path.open("wb") as handle:
        handle.truncate(MAX_ROAST_FILE_BYTES + 1)  # sparse: no disk used, nothing to read

    assert_refused(path, env, f"{MAX_ROAST_FILE_BYTES + 1:,} bytes", f"{MAX_ROAST_FILE_BYTES:,}")


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        pytest.param(
            "{'timex': " + "[" * 100_000 + "]" * 100_000 + "}",
            (f"nested more than {ROAST_LOG_LIMITS.max_depth} deep",),
            id="deep-nesting",
        ),
        pytest.param(
            repr(profile(3, title="x" * (ROAST_LOG_LIMITS.max_string_chars + 1))),
            (f"{ROAST_LOG_LIMITS.max_string_chars:,}",),
            id="long-string",
        ),
        pytest.param(
            repr(profile(3)).replace("1700000000", "9" * 5000),
            ("5,000 characters", f"limit is {ROAST_LOG_LIMITS.max_number_chars}"),
            id="long-number",
        ),
        pytest.param(
            "{'timex': [" + "0," * (MAX_SAMPLES + 1) + "]}",
            (f"{MAX_SAMPLES + 1:,} items", f"{MAX_SAMPLES:,}"),
            id="too-many-samples",
        ),
        pytest.param(
            '{"a": ' * 50 + "1" + "}" * 50,
            ("nested more than",),
            id="deep-json",
        ),
    ],
)
def test_files_beyond_the_parse_limits_are_refused(
    tmp_path: Path, env: dict[str, str], text: str, needles: tuple[str, ...]
) -> None:
    path = tmp_path / "bad.alog"
    path.write_text(text, encoding="utf-8")

    assert_refused(path, env, *needles)


def test_a_directory_or_device_is_refused(tmp_path: Path, env: dict[str, str]) -> None:
    folder = tmp_path / "folder.alog"
    folder.mkdir()

    assert_refused(folder, env, "is a directory")
    assert_refused(Path("/dev/zero"), env, "not a regular file")


# --- values the live path refuses ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "needles"),
    [
        pytest.param({"weight": [1e308, 0, "Kg"]}, ("weight[0]", "1e+308", "100,000 g"), id="kg"),
        pytest.param(
            {"timex": [0.0, 2.0, 1.0]}, ("timex[2] = 1.0", "before timex[1] = 2.0"), id="backwards"
        ),
        pytest.param(
            {"timeindex": [2, 0, 0, 0, 0, 0, 1, 0]}, ("DROP", "before CHARGE"), id="drop-first"
        ),
        pytest.param(
            {"title": "t" * 5000}, ("title", "5,000 characters", "2,000"), id="long-title"
        ),
        pytest.param({"roastingnotes": "n" * 3000}, ("roastingnotes", "2,000"), id="long-notes"),
        pytest.param({"roastUUID": "u" * 65}, ("roastUUID", "65 characters", "64"), id="uuid"),
        pytest.param({"timex": [0.0, 1.0, 1e300]}, ("timex[2]", "1e+300", "86400"), id="timex"),
        pytest.param({"temp2": [100.0, 1e300, 102.0]}, ("temp2[1]", "1e+300"), id="temp2"),
        pytest.param({"temp2": [100.0, 10**60, 102.0]}, ("temp2[1]", "1e+60"), id="temp2-int"),
        pytest.param({"roastepoch": 1e300}, ("roastepoch", "1e+300"), id="epoch"),
        pytest.param(
            {
                "roastepoch": None,
                "roastisodate": "2024-01-01",
                "roasttime": "10:00:00",
                "roasttzoffset": 10**40,
            },
            ("roasttzoffset", "1e+40"),
            id="tz-offset",
        ),
    ],
)
def test_values_the_live_path_refuses_are_refused_on_import(
    tmp_path: Path, env: dict[str, str], changes: dict[str, Any], needles: tuple[str, ...]
) -> None:
    path = write(tmp_path, profile(3, **changes))

    assert_refused(path, env, *needles)


def test_a_refused_file_among_good_ones_leaves_the_good_ones_imported(
    tmp_path: Path, env: dict[str, str]
) -> None:
    good = write(tmp_path, profile(5), "good.alog")
    bad = write(tmp_path, profile(5, weight=[1e308, 0, "Kg"]), "bad.alog")

    result = run("import", str(good), str(bad), env=env)

    assert result.returncode == 1
    assert f"{good}: imported as roast" in result.stdout
    assert f"{bad}: not imported" in result.stdout
    assert [line["samples"] for line in history(env)] == [5]
