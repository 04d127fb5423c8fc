"""Writing files all or nothing: only regular files are replaced, new ones follow the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from roastctl.files.write import OutputPathError, write_bytes_atomically, write_text_atomically


@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0o022)
    os.umask(previous)
    yield
    os.umask(previous)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_what_a_plain_write_gives_under_the_umask(
    tmp_path: Path, umask: None, mask: int, expected: int
) -> None:
    os.umask(mask)
    plain = tmp_path / "plain"
    plain.write_text("x")
    target = tmp_path / "atomic"

    write_text_atomically(target, "x")

    assert stat.S_IMODE(target.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode) == expected


def test_an_asked_mode_wins_and_an_existing_file_keeps_its_own(tmp_path: Path) -> None:
    private = tmp_path / "tokens.json"
    write_text_atomically(private, "{}", mode=0o600)
    kept = tmp_path / "kept"
    kept.write_text("old")
    kept.chmod(0o640)

    write_text_atomically(kept, "new")

    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert kept.read_text() == "new"


def test_no_kind_of_non_regular_file_is_ever_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    to_fifo = tmp_path / "to-fifo"
    to_fifo.symlink_to(fifo)
    to_folder = tmp_path / "to-folder"
    to_folder.symlink_to(folder)

    for target, problem in [
        (folder, "is a directory"),
        (to_folder, "is a directory"),
        (fifo, "not a regular file"),
        (to_fifo, "not a regular file"),
        (Path(""), "empty"),
    ]:
        with pytest.raises(OutputPathError, match=problem):
            write_bytes_atomically(target, b"x")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert to_fifo.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "folder", "to-fifo", "to-folder"]


def test_a_symlink_to_a_file_stays_and_its_file_is_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.write_text("old")
    link = tmp_path / "link"
    link.symlink_to(real)

    write_text_atomically(link, "new")

    assert link.is_symlink()
    assert real.read_text() == "new"
