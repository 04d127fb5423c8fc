"""``roastctl export -o`` given odd targets: clear errors, nothing but regular files replaced.

The installed command runs in a subprocess against a real SQLite store holding one imported roast.
"""

from __future__ import annotations

import os
import stat
import subprocess
import uuid
from pathlib import Path

import pytest
from test_cli import _roastctl, run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A store holding roast 1, imported from a small Artisan profile."""
    environment = {**os.environ, "ROASTCTL_STORE__PATH": str(tmp_path / "roasts.sqlite3")}
    source = tmp_path / "source.alog"
    profile = {
        "mode": "C",
        "timex": [0.0, 1.0, 2.0],
        "temp1": [150.0, 151.0, 152.0],
        "temp2": [100.0, 101.0, 102.0],
        "timeindex": [0, 0, 0, 0, 0, 0, 2, 0],
        "roastepoch": 1_700_000_000,
        "roastUUID": uuid.uuid4().hex,
    }
    source.write_text(repr(profile), encoding="utf-8")
    result = run("import", str(source), env=environment)
    assert "imported as roast 1" in result.stdout, result.stdout + result.stderr
    return environment


def export(target: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run("export", "1", "-o", target, env=env)


def assert_refused(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_a_directory_as_output_is_refused_naming_it(tmp_path: Path, env: dict[str, str]) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()

    assert_refused(export(str(folder), env), str(folder), "is a directory", "roast-1.alog")
    assert list(folder.iterdir()) == []


def test_an_empty_output_is_refused(env: dict[str, str]) -> None:
    assert_refused(export("", env), "empty")


def test_a_fifo_is_not_replaced_by_a_file(tmp_path: Path, env: dict[str, str]) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link.alog"
    link.symlink_to(fifo)

    for target in (fifo, link):
        assert_refused(export(str(target), env), str(target), "not a regular file")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert link.is_symlink()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may make a device node")
def test_a_device_node_is_not_replaced_by_a_file(tmp_path: Path, env: dict[str, str]) -> None:
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a /dev/null of our own

    assert_refused(export(str(device), env), str(device), "not a regular file")
    assert stat.S_ISCHR(device.stat().st_mode)


def test_a_missing_folder_is_named(tmp_path: Path, env: dict[str, str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    assert_refused(export(str(blocker / "roast.alog"), env), str(blocker / "roast.alog"))


def test_a_new_export_respects_the_umask(tmp_path: Path, env: dict[str, str]) -> None:
    target = tmp_path / "private.alog"
    result = subprocess.run(
        [*_roastctl(), "export", "1", "-o", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
        umask=0o077,
    )

    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_an_existing_export_keeps_its_mode_and_a_symlink_stays(
    tmp_path: Path, env: dict[str, str]
) -> None:
    real = tmp_path / "real.alog"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.alog"
    link.symlink_to(real)

    assert export(str(link), env).returncode == 0

    assert link.is_symlink()
    assert real.read_text().startswith("{")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
