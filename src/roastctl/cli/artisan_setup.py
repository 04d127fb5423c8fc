"""``roastctl artisan-setup``: write the Artisan machine setup file for this roastctl.

The file points Artisan's WebSocket device at ``roastctl serve --http --artisan`` (docs/artisan.md).
A token, when given, is read from a file and written only into the setup file (readable by its
owner alone): it is never printed.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from roastctl.access.network import is_loopback
from roastctl.artisan.protocol import DEFAULT_PATH
from roastctl.artisan.setup_file import ArtisanSetupError, artisan_settings, check_host, check_port
from roastctl.files.limits import FileLimitError, read_text_within
from roastctl.files.write import write_text_atomically

ARTISAN_SETUP_COMMAND = "artisan-setup"
#: Where ``roastctl serve --http`` listens unless told otherwise.
SERVE_DEFAULT_HOST = "127.0.0.1"
SERVE_DEFAULT_PORT = 8765
#: A token file holds one token (about 50 characters); anything far larger is the wrong file.
MAX_TOKEN_FILE_BYTES = 4096
#: The setup file with a token in it is its owner's alone, as the token file is.
_PRIVATE_MODE = 0o600


def add_artisan_setup_command(commands: Any) -> None:  # noqa: ANN401 - argparse's private type
    """Register ``artisan-setup``."""
    setup = commands.add_parser(
        ARTISAN_SETUP_COMMAND,
        help="write the Artisan machine setup file (.aset) for 'serve --http --artisan'",
        description="Write an Artisan settings file that configures Artisan's WebSocket device "
        "for this roastctl: address, channels, heater and fan sliders, buttons for drum, drop, "
        "cooling and emergency stop, and the event mapping. Load it in Artisan with Help > Load "
        "Settings (it switches Artisan to Celsius). See docs/artisan.md.",
    )
    setup.add_argument(
        "--host",
        default=SERVE_DEFAULT_HOST,
        help=f"the address Artisan reaches roastctl at (default {SERVE_DEFAULT_HOST})",
    )
    setup.add_argument(
        "--port",
        type=int,
        default=SERVE_DEFAULT_PORT,
        help=f"the port of 'roastctl serve --http' (default {SERVE_DEFAULT_PORT})",
    )
    setup.add_argument(
        "--token-file",
        type=Path,
        help="a file holding the token Artisan connects with (from 'roastctl token create'); "
        "needed once tokens exist",
    )
    setup.add_argument("-o", "--output", type=Path, required=True, help="the .aset file to write")


def read_token_file(path: Path) -> str:
    """Return the one token ``path`` holds; errors name the file, never its content."""
    try:
        text = read_text_within(path, MAX_TOKEN_FILE_BYTES, "token")
    except FileNotFoundError:
        raise ArtisanSetupError(
            f"token file {str(path)!r} does not exist; write the token 'roastctl token create "
            "--role operator' printed into it (or --role observer for an Artisan that only watches)"
        ) from None
    except UnicodeDecodeError:
        raise ArtisanSetupError(
            f"token file {str(path)!r} is not text; it should hold only the token"
        ) from None
    except (OSError, FileLimitError) as exc:
        raise ArtisanSetupError(f"token file {str(path)!r} cannot be read: {exc}") from None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) != 1:
        raise ArtisanSetupError(
            f"token file {str(path)!r} has {len(lines)} non-empty lines; it should hold only the "
            "token, on one line"
        )
    return lines[0]


def run_artisan_setup(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``roastctl artisan-setup``; return the exit code."""
    host = check_host(str(args.host))
    port = check_port(int(args.port))
    token = None if args.token_file is None else read_token_file(Path(args.token_file))
    text = artisan_settings(host, port, DEFAULT_PATH, token)
    output = Path(args.output)
    write_text_atomically(output, text, mode=_PRIVATE_MODE if token is not None else None)
    shown_path = DEFAULT_PATH if token is None else f"{DEFAULT_PATH}/<token>"
    out.write(
        f"wrote {output}: Artisan will connect to ws://{host}:{port}/{shown_path}\n"
        f"Start roastctl with 'roastctl serve --http --artisan --port {port}', then in Artisan: "
        "Help > Load Settings... and pick this file (it switches Artisan to Celsius).\n"
    )
    if token is not None:
        out.write(f"The token is in {output} (readable by you only); keep the file private.\n")
    elif not is_loopback(host.strip("[]")):
        err.write(
            f"note: {host} is not this computer's loopback address. Without tokens, roastctl "
            "serves this computer only: create one (roastctl token create --role operator), "
            "save it in a file and pass --token-file\n"
        )
    return 0


__all__ = [
    "ARTISAN_SETUP_COMMAND",
    "SERVE_DEFAULT_HOST",
    "SERVE_DEFAULT_PORT",
    "add_artisan_setup_command",
    "read_token_file",
    "run_artisan_setup",
]
