"""One context says who is calling: front end, role and token name, kept together in the audit log.

A real session on the simulator records into a real SQLite roast store; the rows are read back
from the file, as ``roastctl audit`` reads them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from roastctl.access.caller import (
    AGENT_CALLER,
    API_CALLER,
    DASHBOARD_CALLER,
    PYTHON_API,
    Caller,
    calling_as,
    current_caller,
)
from roastctl.access.principal import LOCAL_OPERATOR, Principal
from roastctl.access.roles import Role
from roastctl.clock import ManualClock
from roastctl.errors import InvalidCommandError
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import RoastStore
from support import simulated_session

#: (command, refused, caller, role, token name): what the audit shows of each command.
Row = tuple[str, bool, str, str | None, str | None]

TABLET = Caller(DASHBOARD_CALLER, Principal(Role.OPERATOR, "kitchen-tablet"))
PHONE = Caller(AGENT_CALLER, Principal(Role.OBSERVER, "phone"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RoastStore]:
    opened = RoastStore(tmp_path / "roasts.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def session(store: RoastStore, clock: ManualClock) -> Iterator[RoastSessionManager]:
    manager, _, _ = simulated_session(store, clock)
    manager.start_session()
    manager.poll_once()
    yield manager
    manager.stop_session()


def audit(session: RoastSessionManager, store: RoastStore) -> list[Row]:
    """The roast's command log as the store file holds it."""
    roast_id = session.roast_id
    assert roast_id is not None
    store.flush()
    return [
        (c.command, c.refused, c.caller, c.role, c.token_name) for c in store.commands(roast_id)
    ]


def test_code_that_sets_nothing_is_the_python_api_operator_without_a_token(
    session: RoastSessionManager, store: RoastStore
) -> None:
    assert current_caller() == PYTHON_API == Caller(API_CALLER, LOCAL_OPERATOR)
    session.start_roaster()
    with pytest.raises(InvalidCommandError):
        session.set_fan(35)  # not a fan level
    assert audit(session, store) == [
        ("start_roaster", False, "api", "operator", None),
        ("set_fan", True, "api", "operator", None),
    ]


def test_a_front_end_that_sets_only_the_caller_gets_its_name_role_and_token(
    session: RoastSessionManager, store: RoastStore
) -> None:
    with calling_as(TABLET):
        session.start_roaster()
        session.set_heat(40)
        with pytest.raises(InvalidCommandError):
            session.set_fan(35)
    with calling_as(PHONE):  # what the MCP role gate does with an observer's refused call
        session.record_refusal("set_heat", {"percent": 90}, "set_heat refused: observer role")
    session.set_heat(0)  # back outside: the Python API again
    assert audit(session, store) == [
        ("start_roaster", False, "dashboard", "operator", "kitchen-tablet"),
        ("set_heat", False, "dashboard", "operator", "kitchen-tablet"),
        ("set_fan", True, "dashboard", "operator", "kitchen-tablet"),
        ("set_heat", True, "agent", "observer", "phone"),
        ("set_heat", False, "api", "operator", None),
    ]


def test_the_caller_is_restored_after_the_block_even_when_it_raises(
    session: RoastSessionManager,
) -> None:
    with calling_as(TABLET) as outer:
        assert outer is TABLET
        with calling_as(PHONE):
            assert current_caller() is PHONE
        assert current_caller() is TABLET
    with pytest.raises(InvalidCommandError), calling_as(TABLET):
        session.set_fan(35)
    assert current_caller() is PYTHON_API


def test_threads_running_at_once_keep_their_own_callers(
    session: RoastSessionManager, store: RoastStore
) -> None:
    """Each request thread is labelled by its own caller, however their commands interleave."""
    laptop = Caller(DASHBOARD_CALLER, Principal(Role.OPERATOR, "laptop"))
    fans = {TABLET: (10, 20), laptop: (30, 40)}
    start = threading.Barrier(len(fans))

    def front_end(caller: Caller) -> None:
        start.wait(timeout=10)
        with calling_as(caller):
            for turn in range(25):
                session.set_fan(fans[caller][turn % 2])

    threads = [threading.Thread(target=front_end, args=(caller,)) for caller in fans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    roast_id = session.roast_id
    assert roast_id is not None
    store.flush()
    kept = [c for c in store.commands(roast_id) if c.command == "set_fan"]
    assert len(kept) == 50
    by_token = {caller.token_name: caller for caller in fans}
    for row in kept:
        assert (row.caller, row.role) == ("dashboard", "operator")
        assert row.token_name in by_token
        assert row.arguments["percent"] in fans[by_token[row.token_name]]
    assert current_caller() is PYTHON_API  # the threads' callers never leaked into this one
