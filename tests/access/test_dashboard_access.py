"""Roles on the dashboard over real HTTP: log in with a token, watch as an observer, drive as an
operator; every refusal changes nothing and every command is kept with its role and token name."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
import pytest

from roastctl.access.principal import Principal
from roastctl.access.roles import Role
from roastctl.access.server_access import McpAccess
from roastctl.access.tokens import TokenFile
from roastctl.store.database import CommandRecord
from roastctl.web.access_gate import SESSION_COOKIE
from web_support import LiveServer, live_server, wait


@pytest.fixture
def tokens(tmp_path: Path) -> TokenFile:
    return TokenFile(tmp_path / "tokens.json")


@pytest.fixture
def server(tmp_path: Path, tokens: TokenFile) -> Iterator[LiveServer]:
    tokens.create(Role.OPERATOR, "bootstrap")  # tokens exist: every request needs one
    access = McpAccess(launch=Principal(Role.OBSERVER), tokens=tokens)
    with live_server(tmp_path / "roasts.sqlite3", speed=20.0, access=access) as live:
        yield live


@contextmanager
def _login(server: LiveServer, token: str) -> Iterator[httpx.Client]:
    """A browser-like client logged in with ``token`` through the login form."""
    with httpx.Client(base_url=server.url, timeout=10) as browser:
        answer = browser.post("/login", data={"token": token})
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == "/"
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}=")
        assert "HttpOnly" in cookie
        assert "samesite=strict" in cookie.lower()
        assert token not in cookie  # the cookie names a session, never the token
        yield browser


def _kept(
    server: LiveServer, which: Callable[[CommandRecord], bool], count: int
) -> list[CommandRecord]:
    """The current roast's kept commands that match ``which``, once there are ``count``."""
    store = server.manager.store
    roast_id = server.manager.roast_id
    assert store is not None
    assert roast_id is not None

    def matching() -> list[CommandRecord]:
        return [c for c in store.commands(roast_id) if which(c)]

    wait(lambda: len(matching()) >= count, 5, f"{count} matching commands were not kept")
    return matching()


def test_without_a_token_nothing_but_the_login_page(server: LiveServer) -> None:
    page = server.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 303
    assert page.headers["location"] == "/login"
    for path in ("/api/status", "/api/curve", "/api/roasts", "/events"):
        refused = server.get(path)
        assert refused.status_code == 401, path
        assert "roastctl token create" in refused.json()["error"]
    assert server.post("/api/control/emergency-stop").status_code == 401
    assert server.post("/api/control/drum", {"on": True}).status_code == 401
    assert server.manager.get_status().roaster_running is False
    login = server.get("/login")
    assert login.status_code == 200
    assert 'name="token"' in login.text
    assert server.get("/static/style.css").status_code == 200  # assets are public
    wrong = httpx.post(server.url + "/login", data={"token": "rct_wrong"}, timeout=10)
    assert wrong.status_code == 401
    assert "not valid" in wrong.text
    assert "set-cookie" not in wrong.headers


def test_an_observer_watches_but_cannot_drive(server: LiveServer, tokens: TokenFile) -> None:
    token, _ = tokens.create(Role.OBSERVER, "phone")
    with _login(server, token) as browser:
        page = browser.get("/")
        assert page.status_code == 200
        assert 'id="estop"' not in page.text
        assert 'id="heat-set"' not in page.text
        assert browser.get("/api/status").json()["operator"] is False
        with browser.stream("GET", "/events") as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
        before = server.manager.get_status()
        for name, body in (
            ("drum", {"on": True}),
            ("heat", {"percent": 50}),
            ("emergency-stop", {}),
        ):
            refused = browser.post(f"/api/control/{name}", json=body)
            assert refused.status_code == 403, name
            assert "observer role" in refused.json()["error"]
        after = server.manager.get_status()
        assert after.roaster_running is before.roaster_running is False
        assert not server.manager.safety.status(heating=False).faults  # no stop happened
    refusals = _kept(server, lambda c: c.refused and c.role == "observer", 3)
    assert [(c.command, c.caller, c.token_name) for c in refusals] == [
        ("POST /api/control/drum", "dashboard", "phone"),
        ("POST /api/control/heat", "dashboard", "phone"),
        ("POST /api/control/emergency-stop", "dashboard", "phone"),
    ]
    assert all("observer role" in c.result for c in refusals)


def test_an_operator_drives_and_is_named_in_the_log(server: LiveServer, tokens: TokenFile) -> None:
    token, _ = tokens.create(Role.OPERATOR, "kitchen")
    with _login(server, token) as browser:
        assert 'id="estop"' in browser.get("/").text
        assert browser.get("/api/status").json()["operator"] is True
        answer = browser.post("/api/control/drum", json={"on": True})
        assert answer.status_code == 200, answer.text
        wait(lambda: server.manager.get_status().roaster_running, 5, "the drum did not start")
        too_hot = browser.post("/api/control/heat", json={"percent": 150})
        assert too_hot.status_code == 400
        assert "150" in too_hot.json()["error"]
        broken = browser.post("/api/control/drum", content=b"{not json")
        assert broken.status_code == 400
    [command] = _kept(server, lambda c: c.command == "start_roaster", 1)
    who = (command.caller, command.role, command.token_name, command.refused)
    assert who == ("dashboard", "operator", "kitchen", False)
    refused = _kept(server, lambda c: c.refused, 2)
    assert [(c.command, c.role, c.token_name) for c in refused] == [
        ("set_heat", "operator", "kitchen"),
        ("dashboard drum", "operator", "kitchen"),
    ]
    assert refused[0].arguments == {"percent": 150}
    sensors = server.manager.get_status().sensors
    assert sensors is not None
    assert sensors.heat_percent == 0  # the refused value changed nothing


def test_bearer_tokens_work_without_a_login_and_revocation_ends_a_session(
    server: LiveServer, tokens: TokenFile
) -> None:
    token, _ = tokens.create(Role.OBSERVER, "script")
    with_header = server.get("/api/status", headers={"Authorization": f"Bearer {token}"})
    assert with_header.status_code == 200
    with _login(server, token) as browser:
        assert browser.get("/api/status").status_code == 200
        tokens.revoke("script")
        assert browser.get("/api/status").status_code == 401
        assert (
            server.get("/api/status", headers={"Authorization": f"Bearer {token}"}).status_code
            == 401
        )


def test_logging_out_ends_the_session(server: LiveServer, tokens: TokenFile) -> None:
    token, _ = tokens.create(Role.OBSERVER, "tablet")
    with _login(server, token) as browser:
        out = browser.post("/logout")
        assert out.status_code == 303
        assert browser.get("/api/status").status_code == 401
