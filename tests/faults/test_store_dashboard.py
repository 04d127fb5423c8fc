"""The dashboard shows the roast store's health and a crash's notice (headless Chromium).

Skipped when Chromium or chromedriver is missing, unless ``REQUIRE_BROWSER_TESTS=1``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from roastctl.store.database import RoastStore
from support import START
from web_support import element_text as text
from web_support import headless_chromium, live_server, wait


@pytest.fixture
def driver() -> Iterator[Any]:
    with headless_chromium() as chrome:
        yield chrome


def test_the_page_shows_a_failing_store_then_its_recovery_and_the_crash_notice(
    tmp_path: Path, driver: Any
) -> None:
    path = tmp_path / "roasts.sqlite3"
    crashed = RoastStore(path)
    lost = crashed.begin_roast(
        started_utc=START, roaster="Hottop", driver="hottop", sampling_interval_s=1.0
    )
    crashed.close()  # left "recording", as a crash leaves it
    with live_server(path, speed=20.0, sampling_interval_s=0.5) as server:
        chrome = driver
        chrome.get(server.url + "/")
        wait(lambda: text(chrome, "ro-store") == "ok", 10, "no store readout")
        wait(lambda: f"roast {lost} " in text(chrome, "faults"), 10, "no crash notice")
        other = sqlite3.connect(path, isolation_level=None, timeout=0.1)
        other.execute("BEGIN EXCLUSIVE")  # another writer holds the store
        try:
            wait(lambda: "failing" in text(chrome, "ro-store"), 15, "no failing readout")
            assert "waiting" in text(chrome, "ro-store")
            assert "cannot write" in text(chrome, "faults")
            assert "locked" in text(chrome, "faults")
        finally:
            other.execute("COMMIT")
            other.close()
        wait(lambda: text(chrome, "ro-store") == "ok", 15, "the store did not catch up")
