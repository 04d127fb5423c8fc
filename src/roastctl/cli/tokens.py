"""``roastctl token create|list|revoke``: the bearer tokens of the HTTP server.

A token is printed once, at creation; the token file keeps only its hash (docs/access.md).
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any, TextIO

from roastctl.access.network import token_file
from roastctl.access.roles import Role
from roastctl.access.tokens import TokenEntry
from roastctl.config import ServerConfig

TOKEN_COMMAND = "token"  # noqa: S105 - a command name, not a secret


def add_token_commands(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    """Register ``token`` with its create, list and revoke actions."""
    token = commands.add_parser(
        TOKEN_COMMAND,
        help="create, list or revoke HTTP access tokens",
        description="Bearer tokens for 'roastctl serve --http'. An observer token may read "
        "(status, curves, history, exports); an operator token may also control the roaster.",
    )
    actions = token.add_subparsers(dest="token_action", required=True, metavar="ACTION")
    create = actions.add_parser(
        "create", help="create a token and print it once", description="Create a token."
    )
    create.add_argument("--role", choices=[role.value for role in Role], required=True)
    create.add_argument("--name", help="a name for the audit trail (default: ROLE-N)")
    listing = actions.add_parser("list", help="list the tokens (never the tokens themselves)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    revoke = actions.add_parser("revoke", help="revoke a token by name")
    revoke.add_argument("name", metavar="NAME")


def run_token_command(args: argparse.Namespace, config: ServerConfig, out: TextIO) -> int:
    """Run one token action; return the exit code."""
    tokens = token_file(config)
    action = str(args.token_action)
    if action == "create":
        first = not tokens.active()
        token, entry = tokens.create(Role(args.role), args.name)
        out.write(
            f"created {entry.role.value} token {entry.name!r}. It is shown only now; keep it "
            f"secret:\n{token}\n"
            f"Clients send it as 'Authorization: Bearer <token>'. Token file: {tokens.path}\n"
        )
        if first:
            out.write(
                "This is the first token: from now on a running 'roastctl serve --http' needs a "
                "token for every request (browsers log in at /login), without a restart.\n"
            )
        return 0
    if action == "revoke":
        entry = tokens.revoke(args.name)
        out.write(f"revoked token {entry.name!r}; a running server refuses it from now on\n")
        return 0
    entries = tokens.entries()
    if args.json:
        out.write(json.dumps([_entry_dict(entry) for entry in entries], indent=2) + "\n")
        return 0
    if not entries:
        out.write(f"no tokens ({tokens.path}); create one with roastctl token create\n")
        return 0
    out.write(f"{'name':<24} {'role':<9} {'created (UTC)':<20} state\n")
    for entry in entries:
        state = "active" if entry.active else f"revoked {_utc(entry.revoked_utc)}"
        out.write(f"{entry.name:<24} {entry.role.value:<9} {_utc(entry.created_utc):<20} {state}\n")
    return 0


def _utc(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


def _entry_dict(entry: TokenEntry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "role": entry.role.value,
        "created_utc": entry.created_utc.isoformat(),
        "revoked_utc": entry.revoked_utc.isoformat() if entry.revoked_utc else None,
        "active": entry.active,
    }


__all__ = ["TOKEN_COMMAND", "add_token_commands", "run_token_command"]
