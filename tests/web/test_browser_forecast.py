"""The forecast on the live page, in a real headless Chromium: the dashed curve ahead of the live
BT with its band, the first-crack, drop, dry-end and heater readouts, and the reason when there is
no forecast to draw.

The session is stepped by hand (a manual clock, no polling thread), so the page shows a known
roast. The chart is a canvas: the page keeps what it drew of the forecast in
``roastDashboard.chart.drawn.forecast`` (chart units), which the tests read. Skipped like
``test_browser.py`` when Chromium is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from roastctl.models import RoastStatus
from support import preheat_and_charge, run_until
from web_support import SteppedServer, element_text, headless_chromium, stepped_server, wait

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIME = r"\d+:\d\d"
EN_DASH = "\N{EN DASH}"  # between the ends of an interval, as the page writes it
TIMES = "\N{MULTIPLICATION SIGN}"  # before the heater factor


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    with headless_chromium() as chrome:
        yield chrome


@pytest.fixture
def server(driver: Any) -> Iterator[SteppedServer]:
    with stepped_server() as live:
        yield live
        driver.get("about:blank")  # close the page's stream before the server stops


def _drawn(chrome: Any) -> dict[str, Any] | None:
    """What the chart last drew of the forecast, and the live BT curve's last point."""
    script = """
        const chart = window.roastDashboard && window.roastDashboard.chart;
        if (!chart) return null;
        const xs = chart.data[0], bts = chart.data[1];
        return {forecast: chart.drawn.forecast,
                live_end: xs.length ? [xs[xs.length - 1], bts[bts.length - 1]] : null};
    """
    result: dict[str, Any] | None = chrome.execute_script(script)
    return result


def _console_errors(chrome: Any) -> list[dict[str, Any]]:
    return [entry for entry in chrome.get_log("browser") if entry["level"] == "SEVERE"]


def _elapsed(status: RoastStatus) -> float:
    return status.metrics.roast_elapsed_s or 0.0


def test_the_forecast_is_drawn_ahead_of_the_live_bt_with_its_band_and_etas(
    server: SteppedServer, driver: Any
) -> None:
    chrome = driver
    manager, clock = server.manager, server.clock
    preheat_and_charge(manager, clock)
    status = run_until(manager, clock, lambda s: _elapsed(s) >= 150, forecast=True)
    forecast = status.forecast
    assert forecast is not None
    assert forecast.state.value == "ok", forecast.reason

    chrome.get(server.url + "/")
    wait(lambda: element_text(chrome, "connection") == "live", 10, "the stream did not connect")

    def drawn_at_the_end() -> bool:
        drawn = _drawn(chrome)
        if not drawn or not drawn["forecast"] or not drawn["live_end"]:
            return False
        return bool(abs(drawn["forecast"]["points"][0][0] - drawn["live_end"][0]) < 1e-6)

    wait(drawn_at_the_end, 10, "no forecast drawn from the live curve's end")
    drawn = _drawn(chrome)
    assert drawn is not None
    path = drawn["forecast"]
    live_x, live_bt = drawn["live_end"]
    assert live_x == pytest.approx(150.0, abs=1.0)  # seconds since CHARGE
    assert path["dash"], "the forecast line is not dashed"
    assert all(d > 0 for d in path["dash"])
    xs = [x for x, _ in path["points"]]
    assert xs == sorted(xs), "the forecast does not run to the right"
    assert len(set(xs)) == len(xs)
    assert xs[-1] - xs[0] == pytest.approx(180.0)  # three minutes ahead
    assert path["points"][0][1] == pytest.approx(live_bt, abs=2.0)  # it starts on the live BT
    assert path["points"][-1][1] == pytest.approx(forecast.bt_in_180s_c, abs=0.1)
    band = path["band"]
    assert len(band) == len(path["points"])
    assert all(
        low <= bt <= high for (_, low, high), (_, bt) in zip(band, path["points"], strict=True)
    )
    assert band[-1][2] - band[-1][1] > 1.0, "the band has no width at 3 minutes"

    fc = element_text(chrome, "ro-fc")
    assert re.fullmatch(rf"FC in {TIME} \({TIME}{EN_DASH}{TIME}\) at \d+ °C", fc), fc
    assert f"at {forecast.first_crack_bt_c:.0f} °C" in fc
    assert element_text(chrome, "ro-fc-basis") == "model"  # an empty store: the model's BT
    assert element_text(chrome, "ro-drop") == "—"  # first crack is not marked yet
    assert re.fullmatch(rf"Dry end in {TIME}", element_text(chrome, "ro-dry"))
    assert re.fullmatch(rf"{TIMES}\d\.\d\d ± \d\.\d\d", element_text(chrome, "ro-heater"))
    assert element_text(chrome, "forecast-note") == ""
    ARTIFACTS.mkdir(exist_ok=True)
    assert chrome.save_screenshot(str(ARTIFACTS / "dashboard-forecast.png"))

    # First crack marked: the drop readout gives the DTR it is timed for, when, and the BT.
    run_until(
        manager,
        clock,
        lambda s: s.sensors is not None and s.sensors.bean_temp_c >= 180,
        forecast=True,
    )
    manager.report_first_crack(clock.now())
    run_until(
        manager,
        clock,
        lambda s: s.forecast is not None and s.forecast.drop_in_s is not None,
        forecast=True,
    )
    wait(lambda: element_text(chrome, "ro-drop") != "—", 10, "no drop readout after FC")
    drop = element_text(chrome, "ro-drop")
    assert re.fullmatch(rf"Drop at DTR \d+ % in {TIME}, BT \d+ °C", drop), drop

    assert element_text(chrome, "ro-fc") == "—"  # first crack is known now
    assert element_text(chrome, "ro-fc-basis") == ""

    # After DROP there is nothing left to forecast: no curve, the reason instead.
    manager.drop_beans()
    run_until(manager, clock, lambda s: s.metrics.drop_s is not None, limit_s=10, forecast=True)
    manager.poll_once()
    wait(lambda: (_drawn(chrome) or {}).get("forecast") is None, 10, "the forecast outlived DROP")
    wait(lambda: element_text(chrome, "forecast-note") != "", 10, "no note after DROP")
    assert element_text(chrome, "ro-fc") == "—"
    assert _console_errors(chrome) == []


def test_no_forecast_is_drawn_while_it_warms_up_and_the_reason_is_shown(
    server: SteppedServer, driver: Any
) -> None:
    chrome = driver
    status = server.manager.get_status()
    assert status.forecast is not None
    assert status.forecast.state.value == "warming_up"
    assert status.forecast.reason

    chrome.get(server.url + "/")
    wait(lambda: element_text(chrome, "connection") == "live", 10, "the stream did not connect")
    wait(lambda: element_text(chrome, "forecast-note") != "", 10, "no forecast note")
    note = element_text(chrome, "forecast-note")
    assert note == f"forecast warming up: {status.forecast.reason}"
    drawn = _drawn(chrome)
    assert drawn is not None
    assert drawn["forecast"] is None
    for readout in ("ro-fc", "ro-drop", "ro-dry", "ro-heater"):
        assert element_text(chrome, readout) == "—", readout
    assert element_text(chrome, "ro-fc-basis") == ""
    assert _console_errors(chrome) == []
