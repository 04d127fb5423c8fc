"""A config file or setting that is not what roastctl expects: a clear error, never a traceback.

Through the installed command (``roastctl --config FILE history``) and through load_config.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import run

from roastctl.config import load_config
from roastctl.errors import ConfigError
from roastctl.files.limits import MAX_CONFIG_FILE_BYTES

# Each config file, and what the refusal must say about it.
BAD_FILES: dict[str, tuple[str | bytes, str]] = {
    "deep.toml": ("a = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
    "binary.toml": (bytes(range(256)) * 4, "not UTF-8 text"),
    "table.toml": ("[a" + ".a" * 100_000 + "]\n", "nested too deeply"),
}


def make(tmp_path: Path, name: str) -> Path:
    content, _ = BAD_FILES[name]
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def assert_refused(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.stderr.startswith("roastctl: ")
    assert len(result.stderr) < 2000, "the message must not echo the whole value"
    for needle in needles:
        assert needle in result.stderr, result.stderr


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_broken_config_file_is_named_with_the_problem(tmp_path: Path, name: str) -> None:
    path = make(tmp_path, name)

    assert_refused(run("--config", str(path), "history"), str(path), BAD_FILES[name][1])


def test_a_directory_as_config_file_is_named(tmp_path: Path) -> None:
    assert_refused(run("--config", str(tmp_path), "history"), str(tmp_path), "is a directory")


def test_a_config_file_beyond_the_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    with path.open("wb") as handle:
        handle.truncate(MAX_CONFIG_FILE_BYTES + 1)
    endless = Path("/dev/zero")

    assert_refused(run("--config", str(path), "history"), str(path), f"{MAX_CONFIG_FILE_BYTES:,}")
    assert_refused(run("--config", str(endless), "history"), str(endless), "more than")


def test_a_config_from_a_pipe_still_works(tmp_path: Path) -> None:
    read, write = os.pipe()
    os.write(write, b'timezone = "UTC"\n')
    os.close(write)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "roastctl", "--config", f"/dev/fd/{read}", "history"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            pass_fds=(read,),
            env={**os.environ, "ROASTCTL_STORE__PATH": str(tmp_path / "r.sqlite3")},
        )
    finally:
        os.close(read)

    assert result.returncode == 0, result.stderr


def test_a_20_mb_timezone_is_refused_briefly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tz.toml"
    path.write_text(f'timezone = "{"A" * 200_000}"\n', encoding="utf-8")

    assert_refused(run("--config", str(path), "history"), "timezone", "at most 64 characters")
    monkeypatch.setenv("ROASTCTL_TIMEZONE", "A" * 20_000_000)  # as a service manager could
    with pytest.raises(ConfigError) as refused:
        load_config()
    assert len(str(refused.value)) < 1000
    assert "ROASTCTL_TIMEZONE" in str(refused.value)
