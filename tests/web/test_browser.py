"""The dashboard in a real headless Chromium against a server running a simulated roast at speed.

Skipped when Chromium or chromedriver is missing, unless ``REQUIRE_BROWSER_TESTS=1`` (CI sets
it), when a missing browser fails the run. The screenshot is kept in ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web_support import LiveServer, charge, element_text, headless_chromium, live_server, wait

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("browser") / "roasts.sqlite3"
    with live_server(path, speed=60.0, sampling_interval_s=0.5) as live:
        yield live


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    with headless_chromium() as chrome:
        yield chrome


def _points(chrome: Any) -> int:
    return int(element_text(chrome, "point-count") or 0)


def _console_errors(chrome: Any) -> list[dict[str, Any]]:
    return [entry for entry in chrome.get_log("browser") if entry["level"] == "SEVERE"]


def test_the_live_page_follows_a_roast_and_drives_the_roaster(
    server: LiveServer, driver: Any
) -> None:
    chrome = driver
    chrome.get(server.url + "/")
    wait(lambda: element_text(chrome, "connection") == "live", 10, "the stream did not connect")
    wait(lambda: _points(chrome) > 5, 10, "the chart got no points")
    first_bt = element_text(chrome, "ro-bt")
    assert first_bt not in ("", "-")

    # A control click changes the roaster: the drum starts.
    assert server.status()["drum_on"] is False
    chrome.find_element("id", "drum-start").click()
    wait(lambda: server.status()["drum_on"] is True, 10, "the drum did not start")
    wait(lambda: "done" in element_text(chrome, "command-result"), 5, "no answer shown")
    chrome.find_element("id", "heat-input").clear()
    chrome.find_element("id", "heat-input").send_keys("100")
    chrome.find_element("id", "heat-set").click()
    wait(lambda: server.status()["heat_percent"] == 100, 10, "the heat did not change")

    assert _console_errors(chrome) == []

    # A refused value is shown, and changes nothing.
    chrome.find_element("id", "fan-input").clear()
    chrome.find_element("id", "fan-input").send_keys("35")
    chrome.find_element("id", "fan-set").click()
    wait(lambda: "refused" in element_text(chrome, "command-result"), 5, "no refusal shown")
    assert "multiple of 10" in element_text(chrome, "command-result")
    assert server.status()["fan_percent"] == 0
    refusals = _console_errors(chrome)  # Chromium logs the 400 answer itself, nothing else
    assert all("/api/control/fan" in e["message"] and "400" in e["message"] for e in refusals)

    charge(server)  # drum and heat are already on: this waits for ET, pours, waits for CHARGE
    wait(lambda: "CHARGE" in _markers(chrome), 10, "no CHARGE marker")
    wait(lambda: "TP" in _markers(chrome), 20, "no TP marker")
    wait(lambda: element_text(chrome, "ro-phase") == "drying", 5, "phase readout")
    elapsed = element_text(chrome, "ro-elapsed")
    wait(lambda: element_text(chrome, "ro-elapsed") != elapsed, 5, "time since CHARGE stands still")
    assert element_text(chrome, "ro-bt") != first_bt
    assert element_text(chrome, "ro-ror") not in ("", "-")
    drying = chrome.find_element("css selector", "#phase-bar .drying").get_attribute("style")
    assert "width: 100%" in drying

    chrome.execute_script("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dashboard-live.png"
    assert chrome.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")

    # The emergency stop: heater off, beans out, a latched fault shown on the page.
    chrome.find_element("id", "estop").click()
    wait(lambda: server.status()["heat_percent"] == 0, 10, "the heater is still on")
    wait(lambda: "emergency_stop" in element_text(chrome, "faults"), 10, "no fault shown")
    status = server.status()
    assert status["heat_allowed"] is False
    assert status["door_open"] is True
    wait(lambda: "DROP" in _markers(chrome), 10, "no DROP marker")
    assert _console_errors(chrome) == []


def _markers(chrome: Any) -> list[str]:
    """The event types the page lists (the chart's markers are drawn from the same list)."""
    # One script call: the list is re-rendered as events arrive, which would leave an element
    # found by one WebDriver call stale for the next.
    script = "return Array.from(document.querySelectorAll('#events li'), li => li.dataset.type);"
    return [str(kind) for kind in chrome.execute_script(script)]


def test_history_lists_the_roast_and_shows_its_chart(server: LiveServer, driver: Any) -> None:
    chrome = driver
    roast_id = server.status()["roast_id"]
    chrome.get(server.url + "/history")
    wait(
        lambda: bool(chrome.find_elements("css selector", f'tr[data-roast-id="{roast_id}"]')),
        10,
        "the roast is not listed",
    )
    row = chrome.find_element("css selector", f'tr[data-roast-id="{roast_id}"]')
    hrefs = [a.get_attribute("href") for a in row.find_elements("tag name", "a")]
    assert any(h.endswith(f"/api/roasts/{roast_id}/export.alog") for h in hrefs)
    assert any(h.endswith(f"/api/roasts/{roast_id}/export.csv") for h in hrefs)
    chrome.get(server.url + f"/roasts/{roast_id}")
    wait(lambda: _points(chrome) > 5, 10, "the kept roast's chart is empty")
    assert f"Roast #{roast_id}" in element_text(chrome, "roast-title")
    assert _console_errors(chrome) == []


def test_a_kept_roast_is_drawn_as_the_reference(server: LiveServer, driver: Any) -> None:
    chrome = driver
    roast_id = str(server.status()["roast_id"])
    chrome.get(server.url + "/")
    option = f'#reference option[value="{roast_id}"]'
    wait(
        lambda: bool(chrome.find_elements("css selector", option)),
        10,
        "the kept roast is not offered as a reference",
    )
    pick = (
        "const s = document.getElementById('reference'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('change'));"
    )
    chrome.execute_script(pick, roast_id)
    wait(lambda: "points" in element_text(chrome, "reference-info"), 10, "no reference drawn")
    words = element_text(chrome, "reference-info").split()
    assert words[0] == "BT"
    assert words[3] == "ET"
    assert int(words[1]) > 5
    assert int(words[4]) > 5
    ARTIFACTS.mkdir(exist_ok=True)
    assert chrome.save_screenshot(str(ARTIFACTS / "dashboard-reference.png"))
    chrome.execute_script(pick, "")
    wait(lambda: element_text(chrome, "reference-info") == "", 5, "the reference was not cleared")
    assert _console_errors(chrome) == []
