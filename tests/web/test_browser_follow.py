"""The Follow panel in a real headless Chromium: choose a reference (a kept roast, a designed curve
typed in), start following, see the reference drawn at CHARGE and the deviation read out, stop;
set and clear a drop target.

The session is stepped by hand (a manual clock, no polling thread), so the page shows a known
roast. The chart is a canvas: the page keeps what it drew of the followed reference in
``roastDashboard.chart.drawn.followed`` (chart units: seconds since CHARGE, deg C), which the
tests read. Skipped like ``test_browser.py`` when Chromium is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from roastctl.models import FollowState
from roastctl.store.database import RoastStore
from support import preheat_and_charge, run_until, scripted_roast_record
from web_support import SteppedServer, element_text, headless_chromium, stepped_server, wait

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
MINUS = "\N{MINUS SIGN}"


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    with headless_chromium() as chrome:
        yield chrome


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RoastStore]:
    """A roast store holding one kept roast of the scripted recipe, to follow."""
    store = RoastStore(tmp_path_factory.mktemp("follow") / "roasts.sqlite3")
    scripted_roast_record(store)
    yield store
    store.close()


@pytest.fixture
def server(driver: Any, store: RoastStore) -> Iterator[SteppedServer]:
    with stepped_server(store) as live:
        yield live
        driver.get("about:blank")  # close the page's stream before the server stops


def _followed(chrome: Any) -> dict[str, Any] | None:
    script = """
        const chart = window.roastDashboard && window.roastDashboard.chart;
        return chart ? chart.drawn.followed : null;
    """
    result: dict[str, Any] | None = chrome.execute_script(script)
    return result


def _console_errors(chrome: Any) -> list[dict[str, Any]]:
    return [entry for entry in chrome.get_log("browser") if entry["level"] == "SEVERE"]


def _open(chrome: Any, server: SteppedServer) -> None:
    chrome.get(server.url + "/")
    wait(lambda: element_text(chrome, "connection") == "live", 10, "the stream did not connect")


def _result(chrome: Any) -> str:
    return element_text(chrome, "command-result")


def test_follow_a_kept_roast_see_it_drawn_at_charge_with_the_deviation_then_stop(
    server: SteppedServer, driver: Any, store: RoastStore
) -> None:
    chrome = driver
    manager, clock = server.manager, server.clock
    [kept] = store.list_roasts(limit=5)[-1:]
    _open(chrome, server)
    wait(
        lambda: len(Select(chrome.find_element(By.ID, "follow-roast")).options) > 1,
        10,
        "the kept roasts were not listed",
    )
    Select(chrome.find_element(By.ID, "follow-source")).select_by_value("roast")
    Select(chrome.find_element(By.ID, "follow-roast")).select_by_value(str(kept.id))
    chrome.find_element(By.ID, "follow-start").click()
    wait(lambda: _result(chrome) == "follow: done", 10, f"follow not done: {_result(chrome)}")
    following = manager.get_status().following
    assert following is not None
    assert following.state is FollowState.WAITING_FOR_CHARGE
    wait(
        lambda: element_text(chrome, "fo-state").startswith("waiting for CHARGE: "),
        10,
        "no waiting readout",
    )
    assert _followed(chrome) is None  # nothing to align it with before CHARGE

    preheat_and_charge(manager, clock, charge_at_env_c=180.0)
    status = run_until(manager, clock, lambda s: (s.metrics.roast_elapsed_s or 0.0) >= 120.0)
    following = status.following
    assert following is not None
    assert following.state is FollowState.FOLLOWING
    assert following.deviation_c is not None
    manager.poll_once()  # one more sample: the stream sends the status it brings

    def drawn_at_charge() -> bool:
        drawn = _followed(chrome)
        return bool(drawn and drawn["target"] and drawn["target"][0] >= 120.0)

    wait(drawn_at_charge, 10, "the followed reference was not drawn with its target")
    drawn = _followed(chrome)
    assert drawn is not None
    reference = manager.get_status().following
    assert reference is not None
    assert drawn["points"][0][0] == pytest.approx(0.0)  # its CHARGE on today's CHARGE
    assert drawn["points"][-1][0] == pytest.approx(reference.reference_drop_s, abs=0.5)
    xs = [x for x, _ in drawn["points"]]
    assert xs == sorted(xs)
    _target_x, target_bt = drawn["target"]
    assert target_bt == pytest.approx(reference.target_bt_c, abs=0.3)

    now = manager.get_status().following
    assert now is not None
    assert now.deviation_c is not None
    wait(lambda: element_text(chrome, "fo-dev") != "—", 10, "no deviation readout")
    deviation = element_text(chrome, "fo-dev")
    assert re.fullmatch(rf"[+{MINUS}±]\d+\.\d", deviation), deviation
    shown = float(deviation.replace(MINUS, "-").replace("±", ""))
    assert shown == pytest.approx(now.deviation_c, abs=0.25)
    assert element_text(chrome, "fo-state").startswith("following: ")
    assert re.fullmatch(r"\d+\.\d", element_text(chrome, "fo-target"))
    assert re.fullmatch(r"\d+ s (ahead|behind)|on time|—", element_text(chrome, "fo-ahead"))
    assert re.fullmatch(r"(DRY|FCs|FCe|DROP) in \d+:\d\d", element_text(chrome, "fo-next"))
    assert element_text(chrome, "fo-fan") == "reference"
    ARTIFACTS.mkdir(exist_ok=True)
    chrome.execute_script("window.scrollTo(0, 0)")  # the readouts and the chart in the picture
    assert chrome.save_screenshot(str(ARTIFACTS / "dashboard-follow.png"))

    chrome.find_element(By.ID, "follow-stop").click()
    wait(lambda: element_text(chrome, "fo-state") == "not following", 10, "still following")
    wait(lambda: _followed(chrome) is None, 10, "the reference outlived stop")
    assert manager.get_status().following is None
    assert _console_errors(chrome) == []


def test_follow_a_typed_curve_pause_it_and_set_and_clear_a_drop_target(
    server: SteppedServer, driver: Any
) -> None:
    chrome = driver
    manager = server.manager
    _open(chrome, server)
    Select(chrome.find_element(By.ID, "follow-source")).select_by_value("curve")
    typed = chrome.find_element(By.ID, "follow-curve")
    assert typed.is_displayed()
    typed.send_keys("0:00 charge\n1:00 88\n4:30 150 DRY\n8:15 180 FCs\n10:15 192 DROP")
    chrome.find_element(By.ID, "follow-start").click()
    wait(lambda: _result(chrome) == "follow: done", 10, f"follow not done: {_result(chrome)}")
    wait(
        lambda: element_text(chrome, "fo-state") == "waiting for CHARGE: designed curve",
        10,
        "no waiting readout",
    )
    assert element_text(chrome, "fo-dev") == "—"  # nothing to compare before CHARGE

    chrome.find_element(By.ID, "follow-pause").click()
    wait(lambda: element_text(chrome, "fo-state").startswith("paused: "), 10, "not paused")
    chrome.find_element(By.ID, "follow-resume").click()
    wait(lambda: element_text(chrome, "fo-state").startswith("waiting for CHARGE"), 10, "resumed")

    # A bad line is refused with the line named; nothing changes.
    typed.clear()
    typed.send_keys("0:00 charge\n5:00 hot")
    chrome.find_element(By.ID, "follow-start").click()
    wait(lambda: "refused" in _result(chrome), 10, "no refusal shown")
    assert "line 2" in _result(chrome)

    Select(chrome.find_element(By.ID, "drop-kind")).select_by_value("dtr_percent")
    value = chrome.find_element(By.ID, "drop-value")
    value.clear()
    value.send_keys("20")
    chrome.find_element(By.ID, "drop-target-set").click()
    wait(
        lambda: element_text(chrome, "dt-state") == "DTR 20 %, waits for CHARGE",
        10,
        f"no drop target readout: {element_text(chrome, 'dt-state')}",
    )
    target = manager.get_status().drop_target
    assert target is not None
    assert target.target == 20.0
    chrome.find_element(By.ID, "drop-target-clear").click()
    wait(lambda: element_text(chrome, "dt-state") == "none", 10, "the drop target stayed")
    assert manager.get_status().drop_target is None
    refusals = [e for e in _console_errors(chrome) if "/api/control/follow" not in e["message"]]
    assert refusals == []  # the one refusal above is the only error the browser logged
