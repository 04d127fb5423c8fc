"""/mcp and the dashboard read Authorization and Host alike (one parser in roastctl.access).

A real ``roastctl serve --http`` is asked the same thing at both doors with raw headers: every
variant must get the same answer from the MCP endpoint and from the dashboard's API. Bearer
takes one or more spaces before the token (RFC 6750: ``"Bearer" 1*SP b64token``) and any case;
host names are case-insensitive (RFC 3986), so ``LOCALHOST`` is ``localhost``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx2 as httpx
import pytest

from roastctl.web.http_headers import bearer_token, host_name
from support import MCP_HTTP_HEADERS, MCP_INITIALIZE, HttpServer, serve_http


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "ROASTCTL_STORE__PATH": str(tmp_path / "roasts.sqlite3")}
    env["ROASTCTL_AUTH__TOKENS_PATH"] = str(tmp_path / "tokens.json")
    env.pop("ROASTCTL_CONFIG", None)
    return env


def _create_token(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "roastctl", "token", "create", "--role", "operator"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return next(line for line in done.stdout.splitlines() if line.startswith("rct_"))


def _both_doors(server: HttpServer, headers: dict[str, str]) -> tuple[int, int]:
    """The status of /mcp (initialize) and of the dashboard's /api/status for ``headers``."""
    base = f"http://127.0.0.1:{server.port}"
    mcp = httpx.post(
        base + "/mcp", json=MCP_INITIALIZE, headers={**MCP_HTTP_HEADERS, **headers}, timeout=10
    )
    page = httpx.get(base + "/api/status", headers=headers, timeout=10)
    return mcp.status_code, page.status_code


@pytest.fixture
async def with_token(tmp_path: Path) -> AsyncIterator[tuple[HttpServer, str]]:
    env = _env(tmp_path)
    token = _create_token(env)
    async with serve_http("--speed", "20", env=env) as server:
        yield server, token


@pytest.fixture
async def without_token(tmp_path: Path) -> AsyncIterator[HttpServer]:
    async with serve_http("--speed", "20", env=_env(tmp_path)) as server:
        yield server


@pytest.mark.anyio
async def test_bearer_with_two_spaces_is_accepted_at_both_doors(
    with_token: tuple[HttpServer, str],
) -> None:
    server, token = with_token
    assert _both_doors(server, {"Authorization": f"Bearer  {token}"}) == (200, 200)


@pytest.mark.anyio
async def test_every_authorization_variant_gets_the_same_answer_at_both_doors(
    with_token: tuple[HttpServer, str],
) -> None:
    server, token = with_token
    variants = {
        "plain": f"Bearer {token}",
        "lower case": f"bearer {token}",
        "upper case": f"BEARER {token}",
        "two spaces": f"Bearer  {token}",
        "many spaces": f"Bearer      {token}",
        "tab": f"Bearer\t{token}",
        "no space": f"Bearer{token}",
        "basic": f"Basic {token}",
        "no token": "Bearer",
        "wrong token": "Bearer rct_wrong",
        "two tokens": f"Bearer {token} {token}",
    }
    answers = {
        name: _both_doors(server, {"Authorization": value}) for name, value in variants.items()
    }
    disagree = {
        name: codes for name, codes in answers.items() if (codes[0] == 200) != (codes[1] == 200)
    }
    assert disagree == {}
    accepted = {name for name, (mcp, _page) in answers.items() if mcp == 200}
    assert accepted == {
        "plain",
        "lower case",
        "upper case",
        "two spaces",
        "many spaces",
    }


@pytest.mark.anyio
async def test_host_names_are_case_insensitive_at_both_doors(without_token: HttpServer) -> None:
    assert _both_doors(without_token, {"Host": f"LOCALHOST:{without_token.port}"}) == (200, 200)


@pytest.mark.anyio
async def test_every_host_variant_gets_the_same_answer_at_both_doors(
    without_token: HttpServer,
) -> None:
    port = without_token.port
    hosts = [
        f"127.0.0.1:{port}",
        f"localhost:{port}",
        f"LOCALHOST:{port}",
        f"LocalHost:{port}",
        f"[::1]:{port}",
        "localhost",
        "127.0.0.1",
        f"example.com:{port}",
        f"localhost.example.com:{port}",
        f"EVIL.example:{port}",
    ]
    answers = {host: _both_doors(without_token, {"Host": host}) for host in hosts}
    disagree = {h: codes for h, codes in answers.items() if (codes[0] == 200) != (codes[1] == 200)}
    assert disagree == {}
    refused = {host for host, (mcp, _page) in answers.items() if mcp != 200}
    assert refused == {
        f"example.com:{port}",
        f"localhost.example.com:{port}",
        f"EVIL.example:{port}",
    }


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("BEARER abc", "abc"),
        ("Bearer\tabc", None),
        ("Bearerabc", None),
        ("Basic abc", None),
        ("Bearer ", None),
        ("Bearer a b", None),
        ("", None),
        (None, None),
    ],
)
def test_the_one_bearer_parser(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("LOCALHOST:8765", "localhost"),
        ("localhost", "localhost"),
        ("[::1]:8765", "[::1]"),
        ("[::1]", "[::1]"),
        ("127.0.0.1:80", "127.0.0.1"),
        ("Example.COM", "example.com"),
    ],
)
def test_the_one_host_parser(host: str, name: str) -> None:
    assert host_name(host) == name
