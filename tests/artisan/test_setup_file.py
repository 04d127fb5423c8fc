"""The Artisan machine setup file: Artisan's settings format, and only commands the endpoint knows.

The file is read back with a small reader that follows Qt's INI rules (a top-level comma makes a
list, quotes protect commas, ``\\"`` and ``\\\\`` escapes), and every rule Artisan 4.0.3 holds a
settings file to (issue 20) is checked against it.
"""

from __future__ import annotations

import ast
from typing import Any

import pytest

from roastctl.artisan import protocol
from roastctl.artisan.qt_ini import value_text, write_ini
from roastctl.artisan.setup_file import (
    DEFAULT_BUTTON_WEBSOCKET_ACTION,
    EXTRA_BUTTON_WEBSOCKET_ACTION,
    FAN_SLIDER,
    HEAT_SLIDER,
    SLIDER_WEBSOCKET_ACTION,
    ArtisanSetupError,
    artisan_settings,
    check_host,
    check_port,
    check_token,
    extra_device_ids,
)
from roastctl.controls import FAN_RANGE, heat_range
from roastctl.models import RoastEventType

TOKEN = "rct_Ab3-x_Y9" + "k" * 30
#: Artisan fills a slider's or extra button's command with the value as a float.
SAMPLE_VALUE = 70.0
FORBIDDEN = set("#;$_")

IniValue = str | list[str]


# --------------------------------------------------------------------------- a Qt INI reader
def parse_value(text: str) -> IniValue:
    """Read one value as QSettings does: a list when a comma stands outside quotes.

    Each item's leading ``@@`` stands for ``@``. Whitespace outside quotes around an item is
    dropped; inside quotes it is kept.
    """
    items: list[str] = []
    current: list[tuple[str, bool]] = []  # (character, inside quotes or escaped)
    in_quotes = False
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current.append((escapes.get(text[index + 1], text[index + 1]), True))
            index += 2
            continue
        if char == '"':
            in_quotes = not in_quotes
        elif char == "," and not in_quotes:
            items.append(_finish(current))
            current = []
        elif char == ";" and not in_quotes:
            break  # Qt: the rest of the line is a comment
        else:
            current.append((char, in_quotes))
        index += 1
    assert not in_quotes, f"unterminated quote in {text!r}"
    values = [_unescape_at(item) for item in [*items, _finish(current)]]
    return values[0] if len(values) == 1 else values


def _unescape_at(text: str) -> str:
    # Qt writes a string starting with @ as @@, so it is not read as @Variant(...) or @Invalid().
    return text[1:] if text.startswith("@@") else text


def _finish(chars: list[tuple[str, bool]]) -> str:
    start, end = 0, len(chars)
    while start < end and chars[start][0].isspace() and not chars[start][1]:
        start += 1
    while end > start and chars[end - 1][0].isspace() and not chars[end - 1][1]:
        end -= 1
    return "".join(char for char, _ in chars[start:end])


def parse_ini(text: str) -> dict[str, dict[str, IniValue]]:
    sections: dict[str, dict[str, IniValue]] = {}
    current: dict[str, IniValue] | None = None
    for line in text.splitlines():
        if not line.strip() or line.startswith(";"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"a key before any section: {line!r}"
        key, sep, value = line.partition("=")
        assert sep, f"not a key=value line: {line!r}"
        assert key not in current, f"{key} twice"
        current[key] = parse_value(value)
    return sections


def as_list(value: IniValue) -> list[str]:
    assert isinstance(value, list), f"{value!r} reads back as one string, not a list"
    return value


@pytest.fixture(scope="module")
def ini() -> dict[str, dict[str, IniValue]]:
    return parse_ini(artisan_settings("127.0.0.1", 8765, protocol.DEFAULT_PATH))


# --------------------------------------------------------------------------- the reader itself
@pytest.mark.parametrize(
    "items",
    [
        ["a", "b"],
        ["with, comma", "x"],
        ['quote " inside', "back\\slash"],
        [" leading space", "trailing space "],
        ["@at", "=eq;semi"],
        ["", ""],
    ],
)
def test_a_list_written_reads_back_the_same(items: list[str]) -> None:
    assert parse_value(value_text(items)) == items


def test_a_one_element_list_is_refused_as_qt_would_read_it_back_as_a_string() -> None:
    with pytest.raises(ValueError, match="reads back as one string"):
        value_text(["112"])
    assert parse_value("112") == "112"  # what Artisan would get


def test_a_string_starting_with_at_is_not_taken_for_a_typed_value() -> None:
    text = write_ini({"S": {"k": "@Variant(x)"}})
    assert "k=@@Variant(x)" in text
    assert parse_ini(text)["S"]["k"] == "@Variant(x)"


# --------------------------------------------------------------------------- the rules
def test_mode_c_makes_artisan_accept_the_file(ini: dict[str, dict[str, IniValue]]) -> None:
    # Help > Load Settings refuses a file without [General] Mode=C or F and applies nothing.
    assert ini["General"]["Mode"] == "C"


def test_sampling_is_one_second(ini: dict[str, dict[str, IniValue]]) -> None:
    assert ini["General"]["Delay"] == "1000"


def test_no_typed_qt_values_are_written() -> None:
    text = artisan_settings("127.0.0.1", 8765, protocol.DEFAULT_PATH)
    assert "@Variant" not in text
    assert "@Invalid" not in text


def test_the_websocket_device_is_selected(ini: dict[str, dict[str, IniValue]]) -> None:
    assert ini["Device"]["id"] == str(protocol.DEVICE_ID) == "111"


def test_the_address_is_the_users(ini: dict[str, dict[str, IniValue]]) -> None:
    socket = ini["WebSocket"]
    assert (socket["host"], socket["port"], socket["path"]) == ("127.0.0.1", "8765", "artisan")
    other = parse_ini(artisan_settings("roaster.local", 9000, protocol.DEFAULT_PATH))["WebSocket"]
    assert (other["host"], other["port"]) == ("roaster.local", "9000")


def test_the_token_goes_in_the_path() -> None:
    socket = parse_ini(artisan_settings("127.0.0.1", 8765, protocol.DEFAULT_PATH, TOKEN))
    assert socket["WebSocket"]["path"] == f"{protocol.DEFAULT_PATH}/{TOKEN}"


def test_an_ipv6_host_is_written_in_brackets_for_artisans_url() -> None:
    socket = parse_ini(artisan_settings("::1", 8765, protocol.DEFAULT_PATH))["WebSocket"]
    assert socket["host"] == "[::1]"


def test_the_request_push_and_event_names_are_the_protocols(
    ini: dict[str, dict[str, IniValue]],
) -> None:
    socket = ini["WebSocket"]
    assert socket["request_data_command"] == protocol.REQUEST_COMMAND
    assert socket["pushMessage_node"] == protocol.PUSH_KEY
    assert socket["charge_message"] == protocol.PUSH_CHARGE
    assert socket["drop_message"] == protocol.PUSH_DROP
    assert socket["addEvent_message"] == protocol.PUSH_EVENT
    assert socket["id_node"] == "id"
    assert socket["data_node"] == "data"
    assert socket["command_node"] == "command"
    assert socket["event_node"] == "event"
    keys = {
        "DRY_node": RoastEventType.DRY_END,
        "FCs_node": RoastEventType.FIRST_CRACK_START,
        "FCe_node": RoastEventType.FIRST_CRACK_END,
        "SCs_node": RoastEventType.SECOND_CRACK_START,
        "SCe_node": RoastEventType.SECOND_CRACK_END,
    }
    assert {key: socket[key] for key in keys} == {
        key: protocol.EVENT_NAMES[event] for key, event in keys.items()
    }
    assert socket["request_timeout"] == "0.5"


def test_channel_nodes_and_modes_follow_the_protocols_channels(
    ini: dict[str, dict[str, IniValue]],
) -> None:
    nodes = as_list(ini["WebSocket"]["channel_nodes"])
    modes = as_list(ini["WebSocket"]["channel_modes"])
    assert len(nodes) == len(modes) == 10
    count = len(protocol.CHANNELS)
    assert nodes[:count] == [channel.node for channel in protocol.CHANNELS]
    assert [int(mode) for mode in modes[:count]] == [c.mode for c in protocol.CHANNELS]
    assert nodes[:2] == ["BT", "ET"]  # channel 1 is BT, 2 is ET in Artisan
    assert set(nodes[count:]) == {""}
    assert as_list(ini["WebSocket"]["channel_requests"]) == [""] * 10


def test_extra_devices_carry_the_channels_after_bt_and_et_in_pairs(
    ini: dict[str, dict[str, IniValue]],
) -> None:
    devices = [int(device) for device in as_list(ini["ExtraDev"]["extradevices"])]
    assert devices == list(extra_device_ids())
    assert devices == list(protocol.EXTRA_DEVICE_IDS[: len(devices)])
    assert 2 * len(devices) >= len(protocol.CHANNELS) - 2
    names = [
        name
        for pair in zip(
            as_list(ini["ExtraDev"]["extraname1"]),
            as_list(ini["ExtraDev"]["extraname2"]),
            strict=True,
        )
        for name in pair
    ]
    labels = [channel.label for channel in protocol.CHANNELS[2:]]
    assert names[: len(labels)] == labels


def test_every_extra_device_has_its_serial_entries(ini: dict[str, dict[str, IniValue]]) -> None:
    # Without them every sample fails ("extra devices lengths don't match").
    count = len(as_list(ini["ExtraDev"]["extradevices"]))
    comm = ini["ExtraComm"]
    for key in (
        "extracomport",
        "extrabaudrate",
        "extrabytesize",
        "extraparity",
        "extrastopbits",
        "extratimeout",
    ):
        assert len(as_list(comm[key])) == count, key
    for key in ("extraname1", "extraname2", "extramathexpression1", "extramathexpression2"):
        assert len(as_list(ini["ExtraDev"][key])) == count, key


def test_every_slider_list_has_four_entries(ini: dict[str, dict[str, IniValue]]) -> None:
    sliders = ini["Sliders"]
    lists = {key: value for key, value in sliders.items() if key != "ModeTempSliders"}
    assert {"slideractions", "slidercommands", "slidervisibilities"} <= set(lists)
    for key, value in lists.items():
        assert len(as_list(value)) == 4, key


def test_every_list_artisan_reads_as_one_survives_qt(ini: dict[str, dict[str, IniValue]]) -> None:
    scalar_keys = {"ModeTempSliders", "buttonlistmaxlen"}
    for section in ("ExtraDev", "ExtraComm", "Sliders", "ExtraEventButtons", "DefaultButtons"):
        for key, value in ini[section].items():
            if key not in scalar_keys:
                assert len(as_list(value)) >= 2, f"[{section}] {key}"


def test_the_sliders_drive_the_heater_and_the_fan(ini: dict[str, dict[str, IniValue]]) -> None:
    sliders = ini["Sliders"]
    actions = [int(action) for action in as_list(sliders["slideractions"])]
    commands = as_list(sliders["slidercommands"])
    assert actions[HEAT_SLIDER] == actions[FAN_SLIDER] == SLIDER_WEBSOCKET_ACTION
    assert sent(commands[HEAT_SLIDER], formatted=True)["command"] == "setHeat"
    assert sent(commands[FAN_SLIDER], formatted=True)["command"] == "setFan"
    assert as_list(sliders["slidervisibilities"])[HEAT_SLIDER] == "1"
    assert [int(v) for v in as_list(sliders["slidermax"])] == [100] * 4
    # A slider without an action has no command, and a command always has its action.
    for action, command in zip(actions, commands, strict=True):
        assert (action == SLIDER_WEBSOCKET_ACTION) == bool(command)


def test_the_buttons_cover_drum_drop_cooling_and_emergency_stop(
    ini: dict[str, dict[str, IniValue]],
) -> None:
    buttons = ini["ExtraEventButtons"]
    actions = {int(action) for action in as_list(buttons["extraeventsactions"])}
    assert actions == {EXTRA_BUTTON_WEBSOCKET_ACTION}
    sent_commands = [
        sent(text, formatted=True) for text in as_list(buttons["extraeventsactionstrings"])
    ]
    found = {(c["command"], tuple(sorted(c.get("params", {}).items()))) for c in sent_commands}
    assert found == {
        ("drum", (("on", True),)),
        ("drum", (("on", False),)),
        ("drop", ()),
        ("cooling", (("on", True),)),
        ("cooling", (("on", False),)),
        ("emergencyStop", ()),
    }
    count = len(sent_commands)
    for key in (
        "extraeventstypes",
        "extraeventsvalues",
        "extraeventsvisibility",
        "extraeventslabels",
        "extraeventsdescriptions",
        "extraeventbuttoncolor",
        "extraeventbuttontextcolor",
    ):
        assert len(as_list(buttons[key])) == count, key
    assert buttons["buttonlistmaxlen"] == str(count)


def test_artisans_drop_and_cool_end_buttons_drive_the_roaster(
    ini: dict[str, dict[str, IniValue]],
) -> None:
    defaults = ini["DefaultButtons"]
    actions = [int(action) for action in as_list(defaults["buttonactions"])]
    strings = as_list(defaults["buttonactionstrings"])
    assert len(actions) == len(strings) == len(as_list(defaults["buttonvisibility"])) == 8
    assert actions[6] == actions[7] == DEFAULT_BUTTON_WEBSOCKET_ACTION  # DROP, COOL END
    assert sent(strings[6], formatted=False) == {"command": "drop"}
    assert sent(strings[7], formatted=False) == {"command": "cooling", "params": {"on": False}}
    for action, text in zip(actions, strings, strict=True):
        assert (action == DEFAULT_BUTTON_WEBSOCKET_ACTION) == bool(text)


def test_charge_and_drop_come_from_roastctl(ini: dict[str, dict[str, IniValue]]) -> None:
    assert ini["events"]["autoCharge"] == "false"
    assert ini["events"]["autoDrop"] == "false"


# --------------------------------------------------------------------------- every command
def all_commands(ini: dict[str, dict[str, IniValue]]) -> list[tuple[str, bool]]:
    """Every command text in the file, with whether Artisan formats it first."""
    found = [(text, True) for text in as_list(ini["Sliders"]["slidercommands"]) if text]
    found += [
        (text, True) for text in as_list(ini["ExtraEventButtons"]["extraeventsactionstrings"])
    ]
    found += [
        (text, False) for text in as_list(ini["DefaultButtons"]["buttonactionstrings"]) if text
    ]
    return found


def sent(text: str, *, formatted: bool) -> dict[str, Any]:
    """What Artisan sends for an action text: format it (sliders, extra buttons), then evaluate
    the ``send(...)`` argument as a Python literal."""
    filled = text.format(SAMPLE_VALUE) if formatted else text
    assert filled.startswith("send("), filled
    assert filled.endswith(")"), filled
    message = ast.literal_eval(filled[len("send(") : -1])
    assert isinstance(message, dict)
    return message


def test_every_command_is_one_the_endpoint_accepts_with_valid_params(
    ini: dict[str, dict[str, IniValue]],
) -> None:
    commands = all_commands(ini)
    assert len(commands) >= 2 + 6 + 2
    for text, formatted in commands:
        message = sent(text, formatted=formatted)
        assert set(message) <= {"command", "params"}, text
        spec = protocol.COMMANDS.get(message["command"])
        assert spec is not None, f"{message['command']!r} is not in protocol.COMMANDS"
        params = message.get("params", {})
        assert set(params) == set(spec.param_names), text
        for param in spec.params:
            value = params[param.name]
            if param.kind == "flag":
                assert isinstance(value, bool), text
            else:
                assert not isinstance(value, bool), text
                assert isinstance(value, int | float), text
                limits = {"heat": heat_range(1), "fan": FAN_RANGE}[param.control or ""]
                assert limits.minimum <= value <= limits.maximum, text


def test_commands_fit_artisans_limits(ini: dict[str, dict[str, IniValue]]) -> None:
    for text, formatted in all_commands(ini):
        filled = text.format(SAMPLE_VALUE) if formatted else text
        for form in (text, filled):
            assert len(form) <= 300, form
            assert not FORBIDDEN & set(form), form
        assert "true" not in filled
        assert "false" not in filled


def test_a_slider_command_carries_the_value_artisan_fills_in(
    ini: dict[str, dict[str, IniValue]],
) -> None:
    heat = as_list(ini["Sliders"]["slidercommands"])[HEAT_SLIDER]
    assert sent(heat, formatted=True)["params"] == {"value": SAMPLE_VALUE}


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("port", [0, -1, 65536, 10**9])
def test_a_port_outside_tcps_range_is_refused(port: int) -> None:
    with pytest.raises(ArtisanSetupError, match=r"1-65535"):
        check_port(port)


@pytest.mark.parametrize(
    "host",
    ["", "bad host", "http://x", "a/b", "-lead.example", "x" * 300, "0.0.0.0", "::"],  # noqa: S104
)
def test_a_host_artisan_cannot_connect_to_is_refused(host: str) -> None:
    with pytest.raises(ArtisanSetupError, match="host"):
        check_host(host)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "roaster.local", "192.168.1.20"])
def test_a_usable_host_is_kept(host: str) -> None:
    assert check_host(host) == host


@pytest.mark.parametrize(
    "token", ["short", "rct_with space in it!!", "rct_slash/../x12345", "rct_ünïcode12345"]
)
def test_a_token_that_cannot_go_in_a_path_is_refused_without_repeating_it(token: str) -> None:
    with pytest.raises(ArtisanSetupError) as caught:
        check_token(token)
    assert token not in str(caught.value)
    assert "roastctl token create" in str(caught.value)


def test_a_bad_address_writes_nothing_and_says_why() -> None:
    with pytest.raises(ArtisanSetupError, match="65536"):
        artisan_settings("127.0.0.1", 65536, protocol.DEFAULT_PATH)
