"""The token file: tokens shown once, kept only as hashes, revocable, named, private."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from roastctl.access.roles import Role
from roastctl.access.tokens import TOKEN_PREFIX, TokenError, TokenFile, token_digest


@pytest.fixture
def tokens(tmp_path: Path) -> TokenFile:
    return TokenFile(tmp_path / "tokens.json")


def test_a_created_token_verifies_and_is_not_in_the_file(tokens: TokenFile) -> None:
    token, entry = tokens.create(Role.OPERATOR, "kitchen-agent")
    assert token.startswith(TOKEN_PREFIX)
    assert len(token) > 40
    assert entry.name == "kitchen-agent"
    assert tokens.verify(token) == entry
    text = tokens.path.read_text()
    assert token not in text
    assert token[len(TOKEN_PREFIX) :] not in text
    assert token_digest(token) in text
    # What is at rest is a SHA-256 of 256 random bits: nothing in the file is the token or
    # a reversible encoding of it.
    stored = json.loads(text)["tokens"][0]
    assert set(stored) == {"name", "role", "sha256", "created_utc", "revoked_utc"}


def test_the_token_file_is_private(tokens: TokenFile) -> None:
    tokens.create(Role.OBSERVER)
    mode = stat.S_IMODE(tokens.path.stat().st_mode)
    assert mode == 0o600


def test_wrong_tokens_do_not_verify(tokens: TokenFile) -> None:
    token, _ = tokens.create(Role.OBSERVER)
    assert tokens.verify(token + "x") is None
    assert tokens.verify("") is None
    assert tokens.verify(token.upper()) is None


def test_each_token_has_its_role_and_default_names_count_up(tokens: TokenFile) -> None:
    watcher, first = tokens.create(Role.OBSERVER)
    _, second = tokens.create(Role.OBSERVER)
    driver, third = tokens.create(Role.OPERATOR)
    assert (first.name, second.name, third.name) == ("observer-1", "observer-2", "operator-3")
    roles = {token: entry.role for token in (watcher, driver) if (entry := tokens.verify(token))}
    assert roles == {watcher: Role.OBSERVER, driver: Role.OPERATOR}


def test_a_revoked_token_is_refused_and_kept_in_the_list(tokens: TokenFile) -> None:
    token, _ = tokens.create(Role.OPERATOR, "old")
    kept, _ = tokens.create(Role.OPERATOR, "new")
    revoked = tokens.revoke("old")
    assert revoked.revoked_utc is not None
    assert tokens.verify(token) is None
    assert tokens.verify(kept) is not None
    assert [(e.name, e.active) for e in tokens.entries()] == [("old", False), ("new", True)]


def test_a_second_reader_sees_a_revocation_at_once(tmp_path: Path) -> None:
    writer = TokenFile(tmp_path / "tokens.json")
    reader = TokenFile(tmp_path / "tokens.json")  # a running server's copy
    token, _ = writer.create(Role.OPERATOR, "agent")
    assert reader.verify(token) is not None
    writer.revoke("agent")
    assert reader.verify(token) is None


@pytest.mark.parametrize("name", ["", "-dash-first", "has space", "x" * 41, "semi;colon"])
def test_bad_names_are_refused_and_nothing_is_written(tokens: TokenFile, name: str) -> None:
    with pytest.raises(TokenError, match="1-40 letters") as refused:
        tokens.create(Role.OBSERVER, name)
    assert repr(name) in str(refused.value)
    assert not tokens.path.exists()


def test_duplicate_names_and_unknown_revocations_change_nothing(tokens: TokenFile) -> None:
    tokens.create(Role.OBSERVER, "phone")
    before = tokens.path.read_bytes()
    with pytest.raises(TokenError, match="already exists"):
        tokens.create(Role.OPERATOR, "phone")
    with pytest.raises(TokenError, match=r"no token named 'tablet' \(tokens: phone\)"):
        tokens.revoke("tablet")
    tokens.revoke("phone")
    after_revoke = tokens.path.read_bytes()
    with pytest.raises(TokenError, match="already revoked"):
        tokens.revoke("phone")
    assert tokens.path.read_bytes() == after_revoke != before


def test_a_damaged_token_file_is_named_with_the_way_out(tokens: TokenFile) -> None:
    tokens.path.write_text('{"tokens": [{"name": "x"}]}')
    with pytest.raises(TokenError, match=r"cannot be read .*roastctl token create"):
        tokens.verify("rct_anything")
    tokens.path.write_text("not json")
    with pytest.raises(TokenError, match=str(tokens.path)):
        tokens.active()


def test_no_file_means_no_tokens(tokens: TokenFile) -> None:
    assert tokens.active() == ()
    assert tokens.verify("rct_x") is None
