"""Bearer tokens: created once, kept only as hashes, revocable, named for the audit trail.

The token file (JSON, private to its owner) holds, per token, its name, role, the SHA-256 of the
token and when it was created or revoked. The token itself is shown once, at creation, and is not
recoverable from the file: tokens are 256 random bits, so an unsalted hash cannot be reversed or
guessed. Checking compares hashes in constant time.

A running server sees creations and revocations at once: :meth:`TokenFile.verify` reloads the file
whenever it changed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from roastctl.access.roles import Role
from roastctl.errors import RoasterError
from roastctl.files.write import write_text_atomically

TOKEN_FILE_NAME = "tokens.json"  # noqa: S105 - a file name, not a secret
FILE_VERSION = 1
#: Tokens start with this, so a leaked one is easy to recognise and to grep for.
TOKEN_PREFIX = "rct_"  # noqa: S105 - a public marker, not a secret
_TOKEN_BYTES = 32
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


class TokenError(RoasterError):
    """A token cannot be created, revoked or read."""

    code = "token_error"


@dataclass(frozen=True, slots=True)
class TokenEntry:
    """One token as the file keeps it: never the token itself."""

    name: str
    role: Role
    sha256: str
    created_utc: datetime
    revoked_utc: datetime | None = None

    @property
    def active(self) -> bool:
        """Whether the token is still accepted."""
        return self.revoked_utc is None


def token_digest(token: str) -> str:
    """Return the hex SHA-256 of ``token``, as the file keeps it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenFile:
    """The tokens of one server, in one JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._entries: tuple[TokenEntry, ...] = ()
        self._loaded_stamp: tuple[int, int] | None = None

    # ------------------------------------------------------------------ reading

    def _stamp(self) -> tuple[int, int] | None:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None
        return (info.st_mtime_ns, info.st_size)

    def entries(self) -> tuple[TokenEntry, ...]:
        """Return every token entry, revoked ones too, reloading the file if it changed."""
        with self._lock:
            stamp = self._stamp()
            if stamp != self._loaded_stamp:
                self._entries = self._read() if stamp is not None else ()
                self._loaded_stamp = stamp
            return self._entries

    def _read(self) -> tuple[TokenEntry, ...]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return tuple(_entry(item) for item in data["tokens"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise TokenError(
                f"the token file {self.path} cannot be read ({exc}). Fix or delete it, then "
                "create the tokens again with roastctl token create."
            ) from exc

    def active(self) -> tuple[TokenEntry, ...]:
        """Return the tokens that are accepted."""
        return tuple(entry for entry in self.entries() if entry.active)

    def verify(self, token: str) -> TokenEntry | None:
        """Return the active entry ``token`` belongs to, or ``None``.

        Every active entry is compared, in constant time, so the time taken says nothing about
        which hash was close.
        """
        digest = token_digest(token)
        found: TokenEntry | None = None
        for entry in self.active():
            if hmac.compare_digest(digest, entry.sha256):
                found = entry
        return found

    # ------------------------------------------------------------------ writing

    def create(self, role: Role, name: str | None = None) -> tuple[str, TokenEntry]:
        """Create a token for ``role``; return the token (shown once) and its entry."""
        with self._lock:
            entries = list(self._read()) if self.path.exists() else []
            names = {entry.name for entry in entries}
            if name is None:
                number = len(entries) + 1
                while f"{role.value}-{number}" in names:
                    number += 1
                name = f"{role.value}-{number}"
            elif not _NAME_PATTERN.match(name):
                raise TokenError(
                    f"token name {name!r} is not allowed: use 1-40 letters, digits, '.', '_' or "
                    "'-', starting with a letter or digit. No token was created."
                )
            elif name in names:
                raise TokenError(
                    f"a token named {name!r} already exists. Choose another name, or revoke it "
                    f"first (roastctl token revoke {name}). No token was created."
                )
            token = TOKEN_PREFIX + secrets.token_urlsafe(_TOKEN_BYTES)
            entry = TokenEntry(name, role, token_digest(token), datetime.now(UTC))
            self._write([*entries, entry])
            return token, entry

    def revoke(self, name: str) -> TokenEntry:
        """Revoke the token called ``name`` (kept, marked revoked); return its entry."""
        with self._lock:
            entries = list(self._read()) if self.path.exists() else []
            for index, entry in enumerate(entries):
                if entry.name == name:
                    if not entry.active:
                        raise TokenError(f"token {name!r} is already revoked. Nothing changed.")
                    revoked = TokenEntry(
                        entry.name, entry.role, entry.sha256, entry.created_utc, datetime.now(UTC)
                    )
                    entries[index] = revoked
                    self._write(entries)
                    return revoked
            known = ", ".join(entry.name for entry in entries) or "none"
            raise TokenError(
                f"no token named {name!r} (tokens: {known}). See roastctl token list. Nothing "
                "changed."
            )

    def _write(self, entries: list[TokenEntry]) -> None:
        data = {"version": FILE_VERSION, "tokens": [_entry_json(entry) for entry in entries]}
        # Private to its owner: the hashes are not secrets, but the names and roles are nobody
        # else's business, and nobody else may add a token.
        write_text_atomically(self.path, json.dumps(data, indent=2) + "\n", mode=0o600)
        self._loaded_stamp = None


def _entry(item: dict[str, Any]) -> TokenEntry:
    revoked = item.get("revoked_utc")
    digest = str(item["sha256"])
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise ValueError(f"token {item.get('name')!r} has no valid sha256")
    return TokenEntry(
        name=str(item["name"]),
        role=Role(item["role"]),
        sha256=digest,
        created_utc=datetime.fromisoformat(item["created_utc"]),
        revoked_utc=None if revoked is None else datetime.fromisoformat(revoked),
    )


def _entry_json(entry: TokenEntry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "role": entry.role.value,
        "sha256": entry.sha256,
        "created_utc": entry.created_utc.isoformat(),
        "revoked_utc": None if entry.revoked_utc is None else entry.revoked_utc.isoformat(),
    }


__all__ = [
    "TOKEN_FILE_NAME",
    "TOKEN_PREFIX",
    "TokenEntry",
    "TokenError",
    "TokenFile",
    "token_digest",
]
