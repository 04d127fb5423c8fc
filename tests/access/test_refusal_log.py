"""Refusals in the command log are bounded and budgeted per caller, whatever the arguments."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roastctl.access.caller import AGENT_CALLER, Caller, calling_as
from roastctl.access.principal import Principal
from roastctl.access.refusal_log import (
    ARGUMENTS_JSON_MAX,
    REFUSAL_BURST,
    REFUSAL_REFILL_S,
    TEXT_MAX,
    summarise_arguments,
)
from roastctl.access.roles import Role
from roastctl.clock import ManualClock
from roastctl.session.manager import RoastSessionManager
from roastctl.store.database import CommandRecord, RoastStore
from support import simulated_session

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=40) | st.dictionaries(st.text(), inner, max_size=40),
    max_leaves=60,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(), JSON, max_size=40))
def test_any_arguments_summarise_within_the_cap(arguments: dict[str, Any]) -> None:
    summary = summarise_arguments(arguments)
    assert len(json.dumps(summary)) <= ARGUMENTS_JSON_MAX


def test_small_arguments_are_kept_as_they_are() -> None:
    arguments = {"percent": 50, "on": True, "when": None, "tags": ["a", "b"]}
    assert summarise_arguments(arguments) == arguments


def test_what_is_cut_says_how_big_it_was() -> None:
    summary = summarise_arguments(
        {
            "note": "x" * 1_000_000,
            "many": list(range(1000)),
            "deep": [[[[[[1]]]]]],
            "huge": 10**5000,
        }
    )
    assert summary["note"] == "x" * TEXT_MAX + "… (1000000 characters)"
    assert "980 more items" in str(summary["many"])
    assert "nested more than" in json.dumps(summary["deep"])
    assert summary["huge"] == "<an integer of 16610 bits>"
    assert summary["_original_bytes"] is None  # the huge integer cannot even be measured
    assert len(json.dumps(summary)) <= ARGUMENTS_JSON_MAX


def test_many_medium_values_are_cut_as_a_whole() -> None:
    summary = summarise_arguments({f"k{n}": "y" * 150 for n in range(20)})
    assert set(summary) == {"_summary", "_original_bytes"}
    assert len(json.dumps(summary)) <= ARGUMENTS_JSON_MAX


@pytest.fixture
def manager(tmp_path: Path, clock: ManualClock) -> Iterator[RoastSessionManager]:
    store = RoastStore(tmp_path / "roasts.sqlite3")
    session, _, _ = simulated_session(store, clock)
    session.start_session()
    session.poll_once()
    yield session
    session.stop_session()
    store.close()


def _refused(manager: RoastSessionManager) -> list[CommandRecord]:
    store = manager.store
    roast_id = manager.roast_id
    assert store is not None
    assert roast_id is not None
    store.flush()
    return [c for c in store.commands(roast_id) if c.refused]


def _refuse(manager: RoastSessionManager, who: Principal, count: int) -> None:
    with calling_as(Caller(AGENT_CALLER, who)):
        for _ in range(count):
            manager.record_refusal("set_heat", {"percent": 50, "pad": "z" * 5000}, "refused")


def test_each_caller_has_a_burst_then_a_trickle_and_the_rest_is_counted(
    manager: RoastSessionManager, clock: ManualClock
) -> None:
    phone = Principal(Role.OBSERVER, "phone")
    _refuse(manager, phone, REFUSAL_BURST + 15)
    assert len(_refused(manager)) == REFUSAL_BURST
    clock.advance(REFUSAL_REFILL_S)
    _refuse(manager, phone, 1)
    kept = _refused(manager)
    assert len(kept) == REFUSAL_BURST + 1
    assert "[15 earlier refusals from this caller were not kept" in kept[-1].result
    assert kept[-1].arguments["pad"] == "z" * TEXT_MAX + "… (5000 characters)"
    # Another caller's budget is its own.
    _refuse(manager, Principal(Role.OBSERVER, "tablet"), 1)
    assert [c.token_name for c in _refused(manager)][-1] == "tablet"


def test_commands_carried_out_are_kept_whole(manager: RoastSessionManager) -> None:
    manager.start_roaster()
    manager.set_heat(50)
    store = manager.store
    assert store is not None
    roast_id = manager.roast_id
    assert roast_id is not None
    store.flush()
    kept = [c for c in store.commands(roast_id) if not c.refused]
    assert [c.arguments for c in kept if c.command == "set_heat"] == [{"percent": 50}]
