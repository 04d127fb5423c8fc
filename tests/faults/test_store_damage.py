"""A damaged or read-only store is named with what is wrong and what to do; nothing is written.

A real SQLite file with a page overwritten; a real read-only filesystem (a tmpfs remounted
read-only, when this machine lets the test mount one) and a real read-only folder seen by an
unprivileged process; ``roastctl history`` run as a real process.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from faults.conftest import tmpfs
from roastctl.logs.record import RecordSample
from roastctl.store.database import RoastStore, StoreError
from support import START

PAGE = 4096


def filled_store(path: Path) -> None:
    """Write three roasts of 600 samples each, then close (the WAL is folded into the file)."""
    store = RoastStore(path)
    for number in range(3):
        roast_id = store.begin_roast(
            started_utc=START + timedelta(hours=number),
            roaster="Hottop",
            driver="hottop",
            sampling_interval_s=1.0,
        )
        for seq in range(600):
            store.add_sample(
                roast_id,
                seq,
                RecordSample(
                    time_s=float(seq),
                    bean_temp_c=20.0 + seq / 10,
                    env_temp_c=30.0,
                    heat_percent=50,
                    fan_percent=10,
                    drum_on=True,
                    door_open=False,
                    cooling_on=False,
                ),
            )
        store.finish_roast(roast_id, ended_utc=START + timedelta(hours=number, minutes=10))
    store.close()


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    """A store with one page of samples overwritten, as a failing disk leaves it."""
    path = tmp_path / "roasts.sqlite3"
    filled_store(path)
    assert not Path(f"{path}-wal").exists()
    with path.open("r+b") as handle:
        handle.seek(PAGE * 10)
        handle.write(b"\xff" * PAGE)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_store_with_a_damaged_page_is_refused_for_recording_and_left_alone(
    damaged: Path,
) -> None:
    before = digest(damaged)
    with pytest.raises(StoreError) as refused:
        RoastStore(damaged)
    message = str(refused.value)
    assert str(damaged) in message
    assert "damaged" in message
    assert "nothing was written" in message
    assert "copy" in message
    assert "move it aside" in message
    assert "roastctl export" in message
    assert digest(damaged) == before


def run_cli(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROASTCTL_STORE__PATH": str(store), "HOME": str(store.parent)}
    return subprocess.run(
        [sys.executable, "-m", "roastctl", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )


def test_history_on_a_damaged_store_is_a_clear_error_not_a_traceback(damaged: Path) -> None:
    done = run_cli("history", store=damaged)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "damaged" in done.stderr
    assert str(damaged) in done.stderr


@pytest.fixture
def read_only_mount() -> Iterator[Path]:
    """A tmpfs holding a store, remounted read-only (needs a machine that lets us mount)."""
    with tmpfs("4m", "roastctl-ro-") as (folder, mount):
        filled_store(folder / "roasts.sqlite3")
        subprocess.run([mount, "-o", "remount,ro", str(folder)], check=True)
        yield folder


def test_a_store_on_a_read_only_filesystem_says_so_and_what_to_do(read_only_mount: Path) -> None:
    path = read_only_mount / "roasts.sqlite3"
    for recover in (True, False):
        with pytest.raises(StoreError) as refused:
            RoastStore(path, recover=recover)
        message = str(refused.value)
        assert "read-only" in message
        assert "not a readable database" not in message
        assert "move it aside" not in message
        assert "ROASTCTL_STORE__PATH" in message
    with pytest.raises(StoreError, match="read-only"):
        RoastStore(read_only_mount / "new" / "roasts.sqlite3")
    done = run_cli("history", store=path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "read-only" in done.stderr


def test_a_read_only_folder_is_named_by_the_cli(tmp_path: Path) -> None:
    """The same rule through the real CLI, for a user who may not write the store's folder."""
    if os.geteuid() == 0:
        pytest.skip("root writes any folder; the read-only filesystem test covers root")
    folder = Path(tempfile.mkdtemp(prefix="roastctl-ro-"))
    try:
        path = folder / "roasts.sqlite3"
        filled_store(path)
        path.chmod(0o444)
        folder.chmod(0o555)
        done = run_cli("history", store=path)
        assert done.returncode != 0
        assert "Traceback" not in done.stderr
        assert "read-only" in done.stderr
        assert "not a readable database" not in done.stderr
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_a_new_store_respects_the_users_umask(tmp_path: Path) -> None:
    """Created by a real process with umask 077: the store and its WAL files are private."""
    path = tmp_path / "data" / "roasts.sqlite3"
    script = (
        "import os, sys\n"
        "os.umask(0o077)\n"
        "from roastctl.store.database import RoastStore\n"
        "store = RoastStore(sys.argv[1])\n"
        "print('open', flush=True)\n"
        "sys.stdin.readline()\n"
        "store.close()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "open"
        modes = {p.name: p.stat().st_mode & 0o777 for p in path.parent.iterdir() if p.is_file()}
    finally:
        process.communicate("\n", timeout=10)
    assert modes == {
        "roasts.sqlite3": 0o600,
        "roasts.sqlite3-wal": 0o600,
        "roasts.sqlite3-shm": 0o600,
    }
    assert path.parent.stat().st_mode & 0o777 == 0o700
