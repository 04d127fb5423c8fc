"""The dashboard over real HTTP: pages, live JSON, the event stream, controls and history."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx2 as httpx
import pytest

from roastctl.logs.artisan import parse_profile
from roastctl.logs.artisan_check import check_artisan_profile
from web_support import LiveServer, charge, live_server, read_events, sse_events, wait


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One sped-up roast shared by the module's tests (2 Hz samples, 60x real time)."""
    path = tmp_path_factory.mktemp("dashboard") / "roasts.sqlite3"
    with live_server(path, speed=60.0, sampling_interval_s=0.5) as live:
        yield live


def test_page_and_static_files_are_served_with_their_types(server: LiveServer) -> None:
    page = server.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="estop"' in page.text  # loopback: an operator
    assert 'data-operator="true"' in page.text
    for name, kind in (
        ("app.js", "text/javascript"),
        ("chart.js", "text/javascript"),
        ("uPlot.iife.min.js", "text/javascript"),
        ("uPlot.min.css", "text/css"),
        ("style.css", "text/css"),
    ):
        answer = server.get(f"/static/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["content-type"].startswith(kind), name
    assert "MIT" in server.get("/static/uPlot.LICENSE").text
    assert server.get("/history").status_code == 200


def test_curve_thins_for_display_but_since_gives_every_sample(server: LiveServer) -> None:
    wait(lambda: server.status()["samples"] > 150, 20, "samples did not accumulate")
    thin = server.get("/api/curve", params={"max_points": 50}).json()
    assert 2 < len(thin["points"]) <= 50
    assert thin["points"][-1][0] == thin["last_index"]
    full = server.get("/api/curve", params={"max_points": 100_000}).json()
    assert full["points"][0][0] == thin["points"][0][0]  # the first sample is kept
    assert [row[0] for row in full["points"]] == list(
        range(full["points"][0][0], full["last_index"] + 1)
    )
    cursor = f"{full['roast_number']}:{full['last_index'] - 5}"
    since = server.get("/api/curve", params={"since": cursor}).json()
    assert not since["reset"]
    assert [row[0] for row in since["points"]][:5] == list(
        range(full["last_index"] - 4, full["last_index"] + 1)
    )
    stale = server.get("/api/curve", params={"since": "999:3"}).json()
    assert stale["reset"]  # another roast: the whole thinned roast instead


def test_bad_query_values_are_refused_with_the_allowed_form(server: LiveServer) -> None:
    answer = server.get("/api/curve", params={"since": "yesterday"})
    assert answer.status_code == 400
    assert "<roast>:<index>" in answer.json()["error"]
    answer = server.get("/api/curve", params={"max_points": "1"})
    assert answer.status_code == 400
    assert "2-100000" in answer.json()["error"]
    answer = server.get("/api/roasts", params={"limit": "0"})
    assert answer.status_code == 400
    assert "1-500" in answer.json()["error"]


def test_stream_resumes_with_exactly_the_missed_samples(server: LiveServer) -> None:
    with httpx.stream("GET", server.url + "/events", timeout=10) as first:
        (snapshot_id, kind, snapshot), (_, status_kind, _) = read_events(first, 2)
    assert kind == "snapshot"
    assert status_kind == "status"
    assert snapshot_id is not None
    roast, last = (int(part) for part in snapshot_id.split(":"))
    assert snapshot["points"][-1][0] == last
    time.sleep(1.5)  # about 180 samples arrive while the browser is away
    headers = {"Last-Event-ID": snapshot_id}
    resumed: list[list[float]] = []
    with httpx.stream("GET", server.url + "/events", headers=headers, timeout=10) as again:
        for event_id, kind, data in sse_events(again):
            if kind == "status":
                break
            assert kind == "samples"  # no snapshot: a resume
            assert event_id == f"{roast}:{data['points'][-1][0]}"
            resumed.extend(data["points"])
    indices = [int(row[0]) for row in resumed]
    assert len(indices) > 100
    assert indices == list(range(last + 1, last + 1 + len(indices)))  # no gap, no repeat
    walls = [row[1] for row in resumed]
    kept = [
        round(p.timestamp.timestamp(), 3)
        for p in server.manager.get_curve()
        if walls[0] <= round(p.timestamp.timestamp(), 3) <= walls[-1]
    ]
    assert walls == kept  # exactly the session's samples in that span


def test_control_refusals_name_the_value_and_change_nothing(server: LiveServer) -> None:
    before = server.status()
    cases = [
        ("heat", {"percent": 45}, "40 and 50"),
        ("heat", {"percent": 150}, "0-100 % in steps of 10"),
        ("heat", {"percent": "hot"}, "must be a number"),
        ("fan", {"percent": -10}, "0-100 %"),
        ("drum", {"on": "yes"}, "true or false"),
        ("cooling", {}, "true or false"),
    ]
    for name, body, expected in cases:
        answer = server.post(f"/api/control/{name}", body)
        assert answer.status_code == 400, (name, body, answer.text)
        assert expected in answer.json()["error"], answer.json()
    answer = httpx.post(
        server.url + "/api/control/heat",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert "not JSON" in answer.json()["error"]
    after = server.status()
    for key in ("heat_percent", "fan_percent", "drum_on", "cooling_on"):
        assert after[key] == before[key], key


def test_cross_origin_commands_are_refused(server: LiveServer) -> None:
    before = server.status()["fan_percent"]
    answer = server.post(
        "/api/control/fan", {"percent": 50}, headers={"Origin": "http://evil.example"}
    )
    assert answer.status_code == 403
    assert "another site" in answer.json()["error"]
    assert server.status()["fan_percent"] == before
    same = server.post("/api/control/fan", {"percent": 20}, headers={"Origin": server.url})
    assert same.status_code == 200, same.text


def test_a_roast_driven_from_the_page_api_is_logged_as_the_dashboard(server: LiveServer) -> None:
    charge(server)
    status = server.status()
    assert status["drum_on"] is True
    assert status["heat_percent"] == 100
    assert [e["type"] for e in status["events"]][:1] == ["CHARGE"]
    answer = server.post("/api/control/heat", {"percent": 70})
    assert answer.status_code == 200
    assert answer.json()["status"]["roast_number"] == status["roast_number"]
    wait(lambda: server.status()["heat_percent"] == 70, 10, "heat did not change")
    roast_id = status["roast_id"]
    assert roast_id is not None
    assert server.manager.store is not None
    server.manager.store.flush()
    commands = server.manager.store.commands(roast_id)
    mine = [c for c in commands if c.caller == "dashboard"]
    assert {"start_roaster", "set_heat"} <= {c.command for c in mine}


def test_emergency_stop_cuts_heat_and_latches_a_fault(server: LiveServer) -> None:
    answer = server.post("/api/control/emergency-stop")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["failures"] == []
    assert body["status"]["heat_allowed"] is False
    assert "emergency_stop" in [f["rule"] for f in body["status"]["faults"]]
    wait(lambda: server.status()["heat_percent"] == 0, 10, "heater still on")
    refused = server.post("/api/control/heat", {"percent": 50})
    assert refused.status_code == 409  # a latched fault: a state refusal
    assert "emergency" in refused.json()["error"].lower()


def test_history_lists_the_roast_and_exports_it(server: LiveServer) -> None:
    roast_id = server.status()["roast_id"]
    listing = server.get("/api/roasts").json()
    assert listing["kept"] is True
    assert roast_id in [r["id"] for r in listing["roasts"]]
    assert server.manager.store is not None
    server.manager.store.flush()
    view = server.get(f"/api/roasts/{roast_id}", params={"max_points": 100}).json()
    assert view["samples"] > 300
    assert len(view["points"]) <= 100
    assert "CHARGE" in [e["type"] for e in view["events"]]
    alog = server.get(f"/api/roasts/{roast_id}/export.alog")
    assert alog.status_code == 200
    assert f'filename="roast-{roast_id}.alog"' in alog.headers["content-disposition"]
    profile = parse_profile(alog.text)
    assert check_artisan_profile(profile, allow_provenance=True) == []
    assert len(profile["timex"]) >= view["samples"] - 50  # every stored sample, not the thinned
    csv = server.get(f"/api/roasts/{roast_id}/export.csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text.splitlines()) > 300
    missing = server.get("/api/roasts/999999")
    assert missing.status_code == 404
    assert "history page" in missing.json()["error"]
