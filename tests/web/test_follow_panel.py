"""The dashboard's Follow panel without a browser: the designed curve as typed, the reference's
curve for the chart, and the controls over real HTTP (operators only, refusals named and kept)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from roastctl.access.principal import Principal
from roastctl.access.roles import Role
from roastctl.access.server_access import McpAccess
from roastctl.access.tokens import TokenFile
from roastctl.control.reference import Waypoint, designed_reference
from roastctl.errors import InvalidCommandError
from roastctl.models import RoastEventType
from roastctl.store.database import RoastStore
from roastctl.web.access_gate import SESSION_COOKIE
from roastctl.web.curve_text import parse_curve_text
from roastctl.web.following import reference_view
from support import preheat_and_charge, run_until, scripted_roast_record
from web_support import SteppedServer, live_server, stepped_server

CURVE = "0:00 charge\n1:00 88\n4:30 150 DRY\n8:15 180 FCs\n10:15 192 DROP\n"


def test_a_designed_curve_is_read_from_mm_ss_bt_lines_with_events() -> None:
    curve = parse_curve_text(CURVE, name="plan")
    assert curve.name == "plan"
    assert curve.points == (
        Waypoint(0.0, None),
        Waypoint(60.0, 88.0),
        Waypoint(270.0, 150.0),
        Waypoint(495.0, 180.0),
        Waypoint(615.0, 192.0),
    )
    assert curve.events == {
        RoastEventType.DRY_END: 270.0,
        RoastEventType.FIRST_CRACK_START: 495.0,
        RoastEventType.DROP: 615.0,
    }
    # One line with separators, seconds instead of m:ss, comments and blank lines.
    same = parse_curve_text("# plan\n\n0 ; 60 88 / 270 150 dry_end; 495 180 fc_start; 615 192")
    assert [p.at_s for p in same.points if isinstance(p, Waypoint)] == [0, 60, 270, 495, 615]
    reference = designed_reference(curve)
    assert reference.drop_s == 615.0
    assert reference.bt_at(495.0) == pytest.approx(180.0)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("0:00 charge\n5:00 hot", "line 2"),
        ("0:00 charge\n5:61 140", "line 2"),
        ("0:00 charge\n5:00 140 BOIL", "'BOIL'"),
        ("0:00 charge\n5:00 140 TP", "'TP'"),
        ("0:00 charge\n5:00 140 DRY extra", "more than"),
        ("0:00 charge\n5:00 nan", "not a number"),
        ("\n# nothing\n", "empty"),
        ("1:00 100\n" * 500, "at most 4000"),
    ],
)
def test_a_bad_curve_line_is_refused_naming_it_and_the_format(text: str, named: str) -> None:
    with pytest.raises(InvalidCommandError) as refused:
        parse_curve_text(text)
    assert named in str(refused.value)
    assert "Nothing was changed" in str(refused.value)


def test_the_reference_view_is_seconds_since_charge_thinned_with_its_ends_kept() -> None:
    reference = designed_reference(parse_curve_text(CURVE))
    assert len(reference.times_s) == 556  # 1 s steps from 60 to 615 s
    view = reference_view(reference, max_points=100)
    assert len(view["times_s"]) <= 101
    assert view["times_s"][0] == 60.0
    assert view["times_s"][-1] == view["drop_s"] == 615.0
    assert view["bean_temps_c"][-1] == 192.0
    assert view["events"] == {"DRY_END": 270.0, "FC_START": 495.0, "DROP": 615.0}
    assert view["source"] == "designed"
    assert view["name"] == "designed curve"


@pytest.fixture
def server() -> Iterator[SteppedServer]:
    with stepped_server() as live:
        yield live


def _post(server: SteppedServer, name: str, body: object = None) -> httpx.Response:
    return httpx.post(f"{server.url}/api/control/{name}", json=body or {}, timeout=10)


def test_follow_a_typed_curve_set_a_drop_target_and_stop_over_http(
    server: SteppedServer,
) -> None:
    assert httpx.get(server.url + "/api/following/reference", timeout=10).status_code == 404
    answer = _post(server, "follow", {"curve": CURVE, "name": "my plan"})
    assert answer.status_code == 200, answer.text
    following = answer.json()["status"]["following"]
    assert following["state"] == "waiting_for_charge"
    assert following["reference"] == "my plan"
    assert following["reference_drop_s"] == 615
    curve = httpx.get(server.url + "/api/following/reference", timeout=10).json()
    assert curve["name"] == "my plan"
    assert curve["times_s"][0] == 60.0
    assert curve["drop_s"] == 615.0

    target = _post(server, "drop-target", {"dtr_percent": 20})
    assert target.status_code == 200, target.text
    assert target.json()["status"]["drop_target"] == {
        "kind": "dtr_percent",
        "target": 20.0,
        "unit": "%",
        "state": "waiting_for_charge",
        "drop_in_s": None,
        "achieved": None,
        "dropped_by": None,
    }

    manager, clock = server.manager, server.clock
    preheat_and_charge(manager, clock, charge_at_env_c=180.0)
    run_until(manager, clock, lambda s: (s.metrics.roast_elapsed_s or 0.0) >= 90.0)
    status = httpx.get(server.url + "/api/status", timeout=10).json()
    following = status["following"]
    assert following["state"] == "following"
    assert following["target_bt_c"] is not None
    assert following["deviation_c"] == pytest.approx(
        status["bean_temp_c"] - following["target_bt_c"], abs=0.15
    )
    assert following["next_event"] == "DRY_END"

    paused = _post(server, "follow-pause")
    assert paused.status_code == 200, paused.text
    assert paused.json()["status"]["following"]["state"] == "paused"
    resumed = _post(server, "follow-resume")
    assert resumed.json()["status"]["following"]["state"] == "following"
    stopped = _post(server, "follow-stop")
    assert stopped.status_code == 200
    assert stopped.json()["status"]["following"] is None
    cleared = _post(server, "drop-target-clear")
    assert cleared.json()["status"]["drop_target"] is None
    assert httpx.get(server.url + "/api/following/reference", timeout=10).status_code == 404


def test_follow_requests_the_page_cannot_read_are_refused_and_change_nothing(
    server: SteppedServer,
) -> None:
    for body, named in (
        ({}, "exactly one of roast_id"),
        ({"curve": CURVE, "path": "roast.alog"}, "got path, curve"),
        ({"roast_id": "7"}, "roast_id must be"),
        ({"roast_id": 3}, "roasts are not being kept"),  # this server keeps none
        ({"curve": "0:00 charge\n5:00 hot"}, "line 2"),
        ({"path": "/nonexistent/roast.alog"}, "no roast file at"),
        ({"colour": "red"}, "unknown key"),
    ):
        answer = _post(server, "follow", body)
        assert answer.status_code == 400, (body, answer.text)
        assert named in answer.json()["error"], (body, answer.json())
    for body, named in (({"dtr_percent": 80}, "dtr_percent"), ({}, "exactly one")):
        answer = _post(server, "drop-target", body)
        assert answer.status_code == 400, answer.text
        assert named in answer.json()["error"]
    resumed = _post(server, "follow-resume")
    assert resumed.status_code == 400
    status = server.manager.get_status()
    assert status.following is None
    assert status.drop_target is None


def test_an_observer_sees_what_is_followed_but_cannot_change_it(tmp_path: Path) -> None:
    tokens = TokenFile(tmp_path / "tokens.json")
    tokens.create(Role.OPERATOR, "bootstrap")
    token, _ = tokens.create(Role.OBSERVER, "phone")
    access = McpAccess(launch=Principal(Role.OBSERVER), tokens=tokens)
    with (
        live_server(tmp_path / "roasts.sqlite3", speed=20.0, access=access) as live,
        httpx.Client(base_url=live.url, timeout=10) as browser,
    ):
        live.manager.follow_profile(designed_reference(parse_curve_text(CURVE)))
        login = browser.post("/login", data={"token": token})
        assert login.status_code == 303
        assert SESSION_COOKIE in login.headers["set-cookie"]
        page = browser.get("/").text
        assert 'id="fo-state"' in page  # the readouts are for everyone
        assert 'id="follow-start"' not in page  # the controls are not
        assert browser.get("/api/following/reference").status_code == 200
        for name, body in (
            ("follow", {"curve": CURVE}),
            ("follow-pause", {}),
            ("follow-stop", {}),
            ("drop-target", {"dtr_percent": 20}),
            ("drop-target-clear", {}),
        ):
            refused = browser.post(f"/api/control/{name}", json=body)
            assert refused.status_code == 403, name
            assert "observer role" in refused.json()["error"]
        following = live.manager.get_status().following
        assert following is not None
        assert following.state.value == "waiting_for_charge"


def test_a_kept_roast_is_followed_by_its_id_and_every_follow_command_is_logged(
    tmp_path: Path,
) -> None:
    store = RoastStore(tmp_path / "roasts.sqlite3")
    try:
        kept = scripted_roast_record(store)
        assert kept.id is not None
        with stepped_server(store) as server:
            answer = _post(server, "follow", {"roast_id": kept.id})
            assert answer.status_code == 200, answer.text
            assert answer.json()["status"]["following"]["source"] == "roast"
            curve = httpx.get(server.url + "/api/following/reference", timeout=10).json()
            assert curve["roast_id"] == kept.id
            assert curve["times_s"][0] == 0.0  # a recorded roast starts at its CHARGE
            assert curve["events"]["FC_START"] > 0
            assert _post(server, "follow", {"curve": "0:00 charge\n5:00 hot"}).status_code == 400
            assert _post(server, "follow-stop").status_code == 200
            roast_id = server.manager.roast_id
            assert roast_id is not None
            assert store.flush()
            logged = [
                (c.command, c.caller, c.refused)
                for c in store.commands(roast_id)
                if "follow" in c.command
            ]
            assert logged == [
                ("follow_profile", "dashboard", False),
                ("dashboard follow", "dashboard", True),  # refused by the page: kept too
                ("stop_following", "dashboard", False),
            ]
    finally:
        store.close()
