"""``roastctl artisan-setup``: it writes the user's setup file and never shows the token."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from roastctl.artisan.protocol import DEFAULT_PATH
from roastctl.cli.main import main
from support import run

TOKEN = "rct_" + "Zx9-_" * 8


@pytest.fixture(autouse=True)
def _no_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROASTCTL_CONFIG", raising=False)


def setup(*args: str) -> int:
    return main(["artisan-setup", *args])


def websocket(path: Path) -> dict[str, str]:
    """The ``[WebSocket]`` keys of a written file (plain values only)."""
    lines = path.read_text().split("[WebSocket]\n", 1)[1].split("\n\n", 1)[0].splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_it_writes_the_file_with_the_default_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "roastctl.aset"
    assert setup("-o", str(output)) == 0
    socket = websocket(output)
    assert (socket["host"], socket["port"], socket["path"]) == ("127.0.0.1", "8765", DEFAULT_PATH)
    assert output.read_text().startswith("[General]\nMode=C\n")
    out = capsys.readouterr().out
    assert str(output) in out
    assert "ws://127.0.0.1:8765/artisan" in out
    assert "Load Settings" in out
    assert "Celsius" in out


def test_host_and_port_are_the_users(tmp_path: Path) -> None:
    output = tmp_path / "r.aset"
    assert setup("--host", "192.168.1.20", "--port", "9001", "-o", str(output)) == 0
    socket = websocket(output)
    assert (socket["host"], socket["port"]) == ("192.168.1.20", "9001")


def test_the_token_goes_into_the_file_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token_file = tmp_path / "artisan.token"
    token_file.write_text(TOKEN + "\n")
    output = tmp_path / "roastctl.aset"
    assert setup("--token-file", str(token_file), "-o", str(output)) == 0
    assert websocket(output)["path"] == f"{DEFAULT_PATH}/{TOKEN}"
    assert stat.S_IMODE(output.stat().st_mode) == 0o600  # the token is its owner's alone
    captured = capsys.readouterr()
    assert TOKEN not in captured.out
    assert TOKEN not in captured.err
    assert "<token>" in captured.out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--port", "0"], "port 0 is not a TCP port: use 1-65535"),
        (["--port", "70000"], "1-65535"),
        (["--host", "not a host"], "host 'not a host'"),
        (["--host", "0.0.0.0"], "wildcard"),  # noqa: S104 - a refused value, nothing binds
    ],
)
def test_a_bad_address_is_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    output = tmp_path / "roastctl.aset"
    assert setup(*args, "-o", str(output)) == 2
    assert expected in capsys.readouterr().err
    assert not output.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "does not exist"),
        ("", "0 non-empty lines"),
        (f"{TOKEN}\n{TOKEN}\n", "2 non-empty lines"),
        (TOKEN + " !", "not one 'roastctl token create' prints"),
    ],
)
def test_a_bad_token_file_is_refused_without_showing_the_token(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    expected: str,
) -> None:
    token_file = tmp_path / "artisan.token"
    if content is not None:
        token_file.write_text(content)
    output = tmp_path / "roastctl.aset"
    assert setup("--token-file", str(token_file), "-o", str(output)) == 2
    captured = capsys.readouterr()
    assert expected in captured.err
    assert TOKEN not in captured.err
    assert TOKEN not in captured.out
    assert not output.exists()


def test_a_remote_host_without_a_token_gets_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert setup("--host", "192.168.1.20", "-o", str(tmp_path / "r.aset")) == 0
    assert "--token-file" in capsys.readouterr().err


def test_the_installed_command_writes_the_file(tmp_path: Path) -> None:
    token_file = tmp_path / "artisan.token"
    token_file.write_text(TOKEN)
    output = tmp_path / "roastctl.aset"
    result = run("artisan-setup", "--token-file", str(token_file), "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert TOKEN not in result.stdout
    assert TOKEN not in result.stderr
    assert websocket(output)["path"] == f"{DEFAULT_PATH}/{TOKEN}"
