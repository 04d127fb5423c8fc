"""The dashboard shows the roast store's health and a crash's notice (headless Chromium).

Skipped when Chromium or chromedriver is missing, unless ``REQUIRE_BROWSER_TESTS=1``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from roastctl.store import RoastStore
from support import START
from web_support import live_server, wait


@pytest.fixture
def driver() -> Iterator[Any]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if not (browser and chromedriver):
        if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
            pytest.fail("headless Chromium is required (REQUIRE_BROWSER_TESTS=1)")
        pytest.skip("headless Chromium is not installed")
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    chrome = webdriver.Chrome(options=options, service=webdriver.ChromeService(chromedriver))
    chrome.set_page_load_timeout(20)
    try:
        yield chrome
    finally:
        chrome.quit()


def text(chrome: Any, element_id: str) -> str:
    script = "const e = document.getElementById(arguments[0]); return e ? e.innerText : '';"
    return str(chrome.execute_script(script, element_id)).strip()


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
