"""Where the HTTP server may listen, and with which access rules.

Loopback (127.0.0.1, ::1, localhost) is the default. Listening on any other address lets other
machines reach a heater, so it is refused unless bearer tokens exist: then every request needs one.
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

from roastctl.access.principal import LOCAL_OPERATOR, Principal
from roastctl.access.roles import Role
from roastctl.access.server_access import McpAccess
from roastctl.access.tokens import TOKEN_FILE_NAME, TokenFile
from roastctl.config import ServerConfig
from roastctl.errors import RoasterError
from roastctl.files.places import default_store_path


class AccessConfigError(RoasterError):
    """The server cannot start with these access settings."""

    code = "access_config_error"


def token_file(config: ServerConfig) -> TokenFile:
    """Return the configured token file (``[auth] tokens_path``, else beside the roast store)."""
    if config.auth.tokens_path is not None:
        return TokenFile(config.auth.tokens_path)
    store = config.store.path if config.store.path is not None else default_store_path()
    return TokenFile(Path(store).parent / TOKEN_FILE_NAME)


def is_loopback(host: str) -> bool:
    """Return whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def public_host(host: str) -> str:
    """Return the name clients use for ``host`` (a wildcard is reached by the machine's name)."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - recognising the wildcard, not binding it
        return socket.gethostname()
    return f"[{host}]" if ":" in host else host


def http_access(config: ServerConfig, host: str, port: int) -> McpAccess:
    """Return the access rules for an HTTP server on ``host``:``port``.

    With active tokens, every request needs one. Without any, only loopback is allowed and the
    local user is the operator until the first token is created; another address is refused with
    the way out.
    """
    tokens = token_file(config)
    resource = f"http://{public_host(host)}:{port}/mcp"
    if tokens.active():
        return McpAccess(launch=Principal(Role.OBSERVER), tokens=tokens, resource_url=resource)
    if not is_loopback(host):
        raise AccessConfigError(
            f"refusing to listen on {host}: no access token exists ({tokens.path}), so anyone who "
            "can reach this address could control the roaster. Create one first with "
            "'roastctl token create --role operator' (and '--role observer' for watchers), or "
            "listen on 127.0.0.1 (the default)."
        )
    # The first token created while it runs switches authentication on (docs/access.md).
    return McpAccess(launch=LOCAL_OPERATOR, resource_url=resource, watched_tokens=tokens)


def describe_access(access: McpAccess) -> str:
    """Return one line saying who may use a server with these rules (never a token)."""
    if access.tokens is not None:
        active = access.tokens.active()
        return (
            f"access: a bearer token is required ({len(active)} active in {access.tokens.path}); "
            "browsers log in at /login"
        )
    if access.watched_tokens is not None:
        return (
            f"access: no tokens, so this machine only, as {access.launch.role.value}; the first "
            f"token created (roastctl token create) makes every request need one, at once"
        )
    return (
        f"access: no tokens, so this machine only, as {access.launch.role.value} "
        "(roastctl token create adds tokens)"
    )


def stdio_access(role: Role) -> McpAccess:
    """Return the access rules over stdio: the local user, with the role chosen at launch."""
    return McpAccess(launch=Principal(role))


__all__ = [
    "AccessConfigError",
    "describe_access",
    "http_access",
    "is_loopback",
    "public_host",
    "stdio_access",
    "token_file",
]
