"""The wire protocol's one definition, the command reader, the channel values and admission."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from roastctl.access.principal import LOCAL_OPERATOR, Principal
from roastctl.access.roles import Role
from roastctl.access.server_access import McpAccess
from roastctl.access.tokens import TokenFile
from roastctl.artisan.admission import admit
from roastctl.artisan.channels import channel_data
from roastctl.artisan.commands import (
    MessageRefused,
    carry_out,
    command_params,
    command_spec,
    parse_message,
    to_step,
)
from roastctl.artisan.protocol import (
    CHANNEL_NODES,
    CHANNELS,
    COMMANDS,
    EVENT_NAMES,
    MODE_CELSIUS,
    MODE_NONE,
    PUSHED_EVENTS,
    command_message,
    event_push,
)
from roastctl.clock import ManualClock
from roastctl.models import RoastEventType
from roastctl.session.manager import RoastSessionManager
from support import run_until


def test_the_channels_start_with_bt_and_et_in_celsius_and_carry_heat_fan_ror_target() -> None:
    assert CHANNEL_NODES[:2] == ("BT", "ET")
    modes = {channel.node: channel.mode for channel in CHANNELS}
    assert modes == {
        "BT": MODE_CELSIUS,
        "ET": MODE_CELSIUS,
        "heat": MODE_NONE,
        "fan": MODE_NONE,
        "RoR": MODE_NONE,
        "targetBT": MODE_CELSIUS,
    }


def test_every_pushed_event_has_a_message_and_no_push_carries_an_id() -> None:
    assert set(EVENT_NAMES) | {RoastEventType.CHARGE, RoastEventType.DROP} == set(PUSHED_EVENTS)
    for event in PUSHED_EVENTS:
        message = event_push(event)
        assert message is not None
        assert "id" not in message
    assert event_push(RoastEventType.TURNING_POINT) is None
    assert event_push(RoastEventType.COOL) is None


def test_every_command_the_protocol_names_is_carried_out(
    started: RoastSessionManager, clock: ManualClock
) -> None:
    """COMMANDS and the code that runs them cannot drift apart (the setup file uses COMMANDS)."""
    values = {"percent": 0.0, "flag": True}
    clock.advance(1.0)
    started.poll_once()
    for name in ("drum", "setHeat", "setFan", "cooling", "drop", "emergencyStop"):
        spec = COMMANDS[name]
        params = {param.name: values[param.kind] for param in spec.params}
        message = json.loads(json.dumps(command_message(name, **params)))
        carry_out(started, command_spec(message["command"]), command_params(spec, params))
    assert set(COMMANDS) == {"drum", "setHeat", "setFan", "cooling", "drop", "emergencyStop"}


@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [(70.0, 10, 70), (74.9, 10, 70), (75.0, 10, 80), (38.0, 10, 40), (33.3, 5, 35), (0.4, 1, 0)],
)
def test_a_slider_value_is_rounded_to_the_step(value: float, step: int, expected: int) -> None:
    assert to_step(value, step) == expected


@pytest.mark.parametrize("value", [True, "70", None, float("nan"), float("inf")])
def test_what_is_not_a_finite_number_reaches_the_sessions_check_unchanged(value: object) -> None:
    assert to_step(value, 10) is value


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{nope", "not JSON"),
        ("[1]", "JSON object"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_a_malformed_message_is_refused_by_name(text: str, words: str) -> None:
    with pytest.raises(MessageRefused, match=words):
        parse_message(text)


def test_parameters_are_checked_before_anything_runs() -> None:
    with pytest.raises(MessageRefused, match="unknown command 'burner'"):
        command_spec("burner")
    with pytest.raises(MessageRefused, match="missing"):
        command_params(COMMANDS["setHeat"], {})
    with pytest.raises(MessageRefused, match="unknown parameter 'burner'"):
        command_params(COMMANDS["setHeat"], {"value": 1, "burner": 2})
    with pytest.raises(MessageRefused, match="true or false"):
        command_params(COMMANDS["drum"], {"on": 1})
    with pytest.raises(MessageRefused, match="JSON object"):
        command_params(COMMANDS["drum"], [True])
    assert command_params(COMMANDS["drop"], None) == {}


def test_channel_data_leaves_out_what_is_not_known(
    started: RoastSessionManager, clock: ManualClock
) -> None:
    first = channel_data(started.get_status(forecast=False))
    assert "RoR" not in first
    assert "targetBT" not in first
    assert None not in first.values()
    status = run_until(
        started, clock, lambda s: s.metrics.rate_of_rise_c_per_min is not None, limit_s=60
    )
    data = channel_data(status)
    assert set(data) == {"BT", "ET", "heat", "fan", "RoR"}
    assert isinstance(data["heat"], int)


def test_admission_without_tokens_is_this_machine_from_artisan_only() -> None:
    access = McpAccess()
    local = {"token": None, "host_header": "127.0.0.1:8765", "origin": None}
    assert admit(access, client_host="127.0.0.1", **local).principal == LOCAL_OPERATOR  # type: ignore[arg-type]
    assert admit(access, client_host="::ffff:127.0.0.1", **local).principal == LOCAL_OPERATOR  # type: ignore[arg-type]
    other = admit(access, client_host="192.168.1.20", **local)  # type: ignore[arg-type]
    assert other.principal is None
    assert "only this machine" in other.reason
    rebound = admit(
        access, token=None, client_host="127.0.0.1", host_header="evil.example:8765", origin=None
    )
    assert rebound.principal is None
    page = admit(
        access,
        token=None,
        client_host="127.0.0.1",
        host_header="localhost:8765",
        origin="https://evil.example",
    )
    assert page.principal is None
    own_page = admit(
        access,
        token=None,
        client_host="127.0.0.1",
        host_header="localhost:8765",
        origin="http://localhost:8765",
    )
    assert own_page.principal == LOCAL_OPERATOR


def test_admission_with_tokens_follows_the_token_and_never_shows_it(tmp_path: Path) -> None:
    tokens = TokenFile(tmp_path / "tokens.json")
    secret, _ = tokens.create(Role.OBSERVER, "wall")
    access = McpAccess(launch=Principal(Role.OBSERVER), tokens=tokens)
    where = {"client_host": "10.0.0.5", "host_header": "roaster:8765", "origin": None}
    admitted = admit(access, token=secret, **where)  # type: ignore[arg-type]
    assert admitted.principal == Principal(Role.OBSERVER, "wall")
    assert secret not in repr(admitted)
    assert admitted.still_admitted(access)
    tokens.revoke("wall")
    assert not admitted.still_admitted(access)
    assert admit(access, token=secret, **where).principal is None  # type: ignore[arg-type]
    assert admit(access, token=None, **where).principal is None  # type: ignore[arg-type]


def test_a_connection_let_in_without_a_token_must_go_once_the_first_token_exists(
    tmp_path: Path,
) -> None:
    watched = TokenFile(tmp_path / "tokens.json")
    access = McpAccess(watched_tokens=watched)
    admitted = admit(
        access, token=None, client_host="127.0.0.1", host_header="127.0.0.1", origin=None
    )
    assert admitted.principal == LOCAL_OPERATOR
    assert admitted.still_admitted(access)
    watched.create(Role.OPERATOR, "first")
    assert not admitted.still_admitted(access)
