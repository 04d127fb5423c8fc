"""Which tokens a server demands right now: the rule behind taking a first token at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from roastctl.access.network import http_access
from roastctl.access.roles import Role
from roastctl.access.server_access import McpAccess, tokens_in_force
from roastctl.access.tokens import TokenError, TokenFile
from roastctl.config import ServerConfig


def _config(tmp_path: Path) -> ServerConfig:
    return ServerConfig.model_validate(
        {"timezone": "UTC", "auth": {"tokens_path": str(tmp_path / "tokens.json")}}
    )


def test_a_server_started_open_needs_tokens_exactly_while_one_is_active(tmp_path: Path) -> None:
    access = http_access(_config(tmp_path), "127.0.0.1", 8765)
    assert access.tokens is None
    assert tokens_in_force(access) is None
    tokens = TokenFile(tmp_path / "tokens.json")
    tokens.create(Role.OBSERVER, "phone")
    assert tokens_in_force(access) is not None  # no restart: the next request needs one
    tokens.revoke("phone")
    assert tokens_in_force(access) is None  # loopback only again, as it started


def test_a_server_started_with_tokens_always_needs_them(tmp_path: Path) -> None:
    tokens = TokenFile(tmp_path / "tokens.json")
    tokens.create(Role.OPERATOR, "agent")
    access = http_access(_config(tmp_path), "127.0.0.1", 8765)
    assert tokens_in_force(access) is access.tokens
    tokens.revoke("agent")
    assert tokens_in_force(access) is access.tokens  # every request refused, never open


def test_an_unreadable_token_file_never_opens_the_server(tmp_path: Path) -> None:
    access = http_access(_config(tmp_path), "127.0.0.1", 8765)
    (tmp_path / "tokens.json").write_text("{not json")
    with pytest.raises(TokenError, match=r"tokens\.json"):
        tokens_in_force(access)


def test_stdio_and_plain_access_watch_nothing() -> None:
    assert tokens_in_force(McpAccess()) is None
