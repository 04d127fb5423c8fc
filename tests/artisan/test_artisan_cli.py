"""``roastctl serve --http --artisan`` (or ``[artisan] enabled``) serves Artisan next to MCP."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from artisan_support import artisan_client
from roastctl.cli.main import run_serve
from roastctl.config import ServerConfig
from roastctl.errors import ConfigError
from support import serve_http


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_serve_http_artisan_serves_the_endpoint_beside_the_dashboard_and_says_where() -> None:
    async with serve_http("--artisan", "--speed", "50") as server:
        url = f"ws://127.0.0.1:{server.port}/artisan"
        async with artisan_client(url) as artisan:
            data = await artisan.request()
            assert {"BT", "ET", "heat", "fan"} <= set(data)
            answer = await artisan.answer(await artisan.command("drum", {"on": True}))
            assert answer["result"] == "ok"
    assert f"Artisan's WebSocket roaster at {url}" in server.stderr


@pytest.mark.anyio
async def test_the_config_key_turns_it_on_and_it_is_off_by_default(tmp_path: Path) -> None:
    config = tmp_path / "roastctl.toml"
    config.write_text("[artisan]\nenabled = true\n", encoding="utf-8")
    env = {**os.environ, "ROASTCTL_CONFIG": str(config)}
    async with (
        serve_http(env=env) as server,
        artisan_client(f"ws://127.0.0.1:{server.port}/artisan") as artisan,
    ):
        await artisan.request()
    async with serve_http() as plain:
        with pytest.raises(InvalidStatus):  # no such WebSocket route: refused at the handshake
            async with connect(f"ws://127.0.0.1:{plain.port}/artisan", open_timeout=5):
                pass


def test_artisan_without_http_is_refused_with_the_way_out() -> None:
    with pytest.raises(ConfigError, match="serve --http --artisan"):
        run_serve(ServerConfig(), http=False, host="127.0.0.1", port=8765, speed=1.0, artisan=True)
