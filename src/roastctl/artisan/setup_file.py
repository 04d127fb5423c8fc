"""The machine setup file (``.aset``) that configures Artisan for roastctl in one load.

``artisan_settings`` writes Artisan's settings format (Qt INI) with the WebSocket device pointed
at ``roastctl serve --http --artisan``: the address, the channels, the push and event names, the
heater and fan sliders, buttons for drum, drop, cooling and emergency stop. Every name comes from
:mod:`roastctl.artisan.protocol`, so the file cannot ask for a command the endpoint does not know.

What Artisan 4.0.3 needs from such a file (docs/artisan.md): ``[General] Mode`` or it refuses the
whole file; one ``[ExtraComm]`` entry per extra device or no sample is recorded; sliders with
exactly four entries per list; slider and extra-button commands filled in with ``str.format``
(literal braces doubled), evaluated as Python, cut at 300 characters, without ``#;$_``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from roastctl.artisan import protocol
from roastctl.artisan.qt_ini import Scalar, Settings, Value, write_ini
from roastctl.errors import RoasterError
from roastctl.models import RoastEventType

#: Artisan samples once a second: the rate roastctl's analytics expect too.
SAMPLING_INTERVAL_MS = 1000
#: Artisan cuts a command longer than this.
MAX_COMMAND_CHARS = 300
#: Characters Artisan's command parser gives a meaning of its own (comment, separator, variables).
FORBIDDEN_COMMAND_CHARS = frozenset("#;$_")
#: Artisan's WebSocket channel count: ``channel_nodes`` and ``channel_modes`` have this many.
ARTISAN_CHANNELS = 10
#: Artisan keeps this many values in each per-channel extra-device list (visibility, fill).
_EXTRA_CHANNEL_SLOTS = 10
#: Slider positions are Artisan's event types: 0 Air (the fan), 3 Burner (the heater).
FAN_SLIDER, HEAT_SLIDER = 0, 3
SLIDER_COUNT = 4
#: Artisan's action codes: a slider's WebSocket command, a default button's, an extra button's.
SLIDER_WEBSOCKET_ACTION = 18
DEFAULT_BUTTON_WEBSOCKET_ACTION = 21
EXTRA_BUTTON_WEBSOCKET_ACTION = 22
#: Default buttons in Artisan's order: CHARGE, DRY, FCs, FCe, SCs, SCe, DROP, COOL END.
DEFAULT_BUTTONS = 8
DROP_BUTTON, COOL_END_BUTTON = 6, 7
#: Artisan's extra-event-button type "--": the button only runs its action, marking no event.
_UNTYPED_EVENT = 4
#: Where the value goes in a slider's command; Artisan fills it with ``str.format``.
_VALUE = "<value>"

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")
#: A token as ``roastctl token create`` prints it: URL-safe, so it goes in the path unescaped.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,256}$")


class ArtisanSetupError(RoasterError):
    """The setup file cannot be written for these settings; nothing was written."""

    code = "artisan_setup"


@dataclass(frozen=True, slots=True)
class ExtraButton:
    """One extra event button: its label, tooltip and the command it sends with its params."""

    label: str
    description: str
    command: str
    params: Mapping[str, bool] = field(default_factory=dict)


#: The extra event buttons, left to right.
EXTRA_BUTTONS: tuple[ExtraButton, ...] = (
    ExtraButton("Drum on", "Start the drum", "drum", {"on": True}),
    ExtraButton("Drum off", "Stop the drum (and the heater)", "drum", {"on": False}),
    ExtraButton("Drop", "Drop the beans: door open, cooling on (DROP)", "drop"),
    ExtraButton("Cool on", "Start the cooling-tray stirrer", "cooling", {"on": True}),
    ExtraButton("Cool off", "Stop cooling, close the door (COOL)", "cooling", {"on": False}),
    ExtraButton("E-STOP", "Emergency stop: heater off and the drop sequence", "emergencyStop"),
)


def check_port(port: int) -> int:
    """Return ``port`` if it is a TCP port number, else raise :class:`ArtisanSetupError`."""
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ArtisanSetupError(
            f"port {port!r} is not a TCP port: use 1-65535, the port 'roastctl serve --http "
            "--port P' listens on (default 8765)"
        )
    return port


def check_host(host: str) -> str:
    """Return ``host`` as it goes in Artisan's URL (IPv6 in brackets), or raise."""
    text = host.strip()
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        if _HOSTNAME.match(text):
            return text
        raise ArtisanSetupError(
            f"host {host!r} is neither an IP address nor a host name (letters, digits, '-' "
            "and '.', at most 253 characters): give the address Artisan reaches roastctl at, "
            "e.g. 127.0.0.1 on the same computer"
        ) from None
    if address.is_unspecified:
        raise ArtisanSetupError(
            f"host {host!r} is the wildcard a server listens on, not an address Artisan can "
            "connect to: give this computer's address on the network, or 127.0.0.1 when Artisan "
            "runs on the same computer"
        )
    return f"[{address}]" if address.version == 6 else str(address)


def check_token(token: str) -> str:
    """Return ``token`` if it can go in a URL path as it is, or raise (never naming the token)."""
    if not _TOKEN.match(token):
        raise ArtisanSetupError(
            f"the token ({len(token)} characters) is not one 'roastctl token create' prints: "
            "expected 8-256 letters, digits, '-' or '_'; check the token file holds only the token"
        )
    return token


def websocket_path(path: str = protocol.DEFAULT_PATH, token: str | None = None) -> str:
    """Return the path Artisan connects to, without the leading ``/``: ``artisan[/TOKEN]``."""
    clean = path.strip("/")
    if not clean or not re.fullmatch(r"[A-Za-z0-9._~/-]+", clean):
        raise ArtisanSetupError(
            f"WebSocket path {path!r} must be letters, digits and '._~/-' (the endpoint's is "
            f"{protocol.DEFAULT_PATH!r})"
        )
    return clean if token is None else f"{clean}/{check_token(token)}"


def command_text(command: str, params: Mapping[str, object], *, formatted: bool) -> str:
    """Return Artisan's ``send(...)`` action for ``command``.

    The argument is a Python literal (Artisan evaluates it: ``True``, not ``true``). With
    ``formatted`` the text goes through ``str.format`` in Artisan first: its braces are doubled,
    and a parameter given as :data:`_VALUE` becomes the ``{}`` the value is put in.
    """
    spec = protocol.COMMANDS.get(command)
    if spec is None or set(params) != set(spec.param_names):
        raise ValueError(f"command {command!r} with {sorted(params)} is not in protocol.COMMANDS")
    parts = [f'"command": "{command}"']
    if params:
        inner = ", ".join(f'"{name}": {_literal(value)}' for name, value in params.items())
        parts.append(f'"params": {{{inner}}}')
    text = f"send({{{', '.join(parts)}}})"
    if formatted:
        text = text.replace("{", "{{").replace("}", "}}").replace(_VALUE, "{}")
    if len(text) > MAX_COMMAND_CHARS or FORBIDDEN_COMMAND_CHARS & set(text):
        raise ValueError(f"command text {text!r} is too long or holds one of '#;$_'")
    return text


def _literal(value: object) -> str:
    if value == _VALUE:
        return _VALUE
    if isinstance(value, bool | int | float):
        return repr(value)
    raise ValueError(f"parameter value {value!r} has no literal form here")


def extra_device_ids() -> tuple[int, ...]:
    """Return the extra devices for the channels after BT and ET: two each, two at least."""
    needed = -(-(len(protocol.CHANNELS) - 2) // 2)
    # Two at least: Qt reads a one-element list back as a string (docs/artisan.md).
    count = max(2, needed)
    if count > len(protocol.EXTRA_DEVICE_IDS):
        raise ValueError(f"{len(protocol.CHANNELS)} channels do not fit Artisan's 10")
    return protocol.EXTRA_DEVICE_IDS[:count]


def _padded(values: list[Scalar], size: int, fill: Scalar) -> list[Scalar]:
    return values + [fill] * (size - len(values))


def build_settings(host: str, port: int, path: str, token: str | None = None) -> Settings:
    """Return the setup file's sections and keys (see :func:`artisan_settings`)."""
    url_host = check_host(host)
    check_port(port)
    devices = extra_device_ids()
    slots = 2 * len(devices)
    extra_channels = list(protocol.CHANNELS[2:])
    labels: list[Scalar] = [channel.label for channel in extra_channels]
    labels = _padded(labels, slots, "")
    for label in labels:
        if "{" in str(label) or "}" in str(label):  # Artisan formats extra-device names
            raise ValueError(f"channel label {label!r} must not hold braces")
    nodes: list[Scalar] = [channel.node for channel in protocol.CHANNELS]
    modes: list[Scalar] = [channel.mode for channel in protocol.CHANNELS]
    by_event = {key: protocol.EVENT_NAMES[event] for key, event in _EVENT_NODES.items()}
    per_device = len(devices)

    def repeat(value: Scalar) -> list[Scalar]:
        return [value] * per_device

    def per_slot(value: Scalar) -> list[Scalar]:
        return [value] * _EXTRA_CHANNEL_SLOTS

    sliders: dict[str, Value] = {
        "ModeTempSliders": "C",
        "slidervisibilities": _slider_list(1, 0),
        "slideractions": _slider_list(SLIDER_WEBSOCKET_ACTION, 0),
        "slidercommands": _slider_list(
            command_text("setHeat", {"value": _VALUE}, formatted=True),
            "",
            fan=command_text("setFan", {"value": _VALUE}, formatted=True),
        ),
        "slidermin": [0] * SLIDER_COUNT,
        "slidermax": [100] * SLIDER_COUNT,
        "sliderfactors": [1] * SLIDER_COUNT,
        "slideroffsets": [0] * SLIDER_COUNT,
        # The fan moves in 10 % steps (the Hottop's levels); the endpoint rounds the heat.
        "eventslidercoarse": _slider_list(0, 0, fan=1),
        "eventslidertemp": [0] * SLIDER_COUNT,
        "eventsliderBernoulli": [0] * SLIDER_COUNT,
        "eventsliderunits": _slider_list("%", ""),
    }
    buttons = EXTRA_BUTTONS
    default_actions: list[Scalar] = [0] * DEFAULT_BUTTONS
    default_strings: list[Scalar] = [""] * DEFAULT_BUTTONS
    default_actions[DROP_BUTTON] = DEFAULT_BUTTON_WEBSOCKET_ACTION
    default_strings[DROP_BUTTON] = command_text("drop", {}, formatted=False)
    default_actions[COOL_END_BUTTON] = DEFAULT_BUTTON_WEBSOCKET_ACTION
    default_strings[COOL_END_BUTTON] = command_text("cooling", {"on": False}, formatted=False)
    return {
        "General": {
            "Mode": "C",
            "Delay": SAMPLING_INTERVAL_MS,
            "roastertype_setup": "roastctl",
        },
        "Device": {"id": protocol.DEVICE_ID},
        "ExtraDev": {
            "extradevices": list(devices),
            "extraname1": labels[0::2],
            "extraname2": labels[1::2],
            "extramathexpression1": repeat(""),
            "extramathexpression2": repeat(""),
            "extradevicecolor1": _colors(per_device, 0),
            "extradevicecolor2": _colors(per_device, 1),
            "extraLCDvisibility1": per_slot(True),
            "extraLCDvisibility2": per_slot(True),
            "extraCurveVisibility1": per_slot(True),
            "extraCurveVisibility2": per_slot(True),
            "extraDelta1": per_slot(False),
            "extraDelta2": per_slot(False),
            "extraFill1": per_slot(0),
            "extraFill2": per_slot(0),
        },
        # Artisan opens no serial port for the WebSocket devices, but checks that every extra
        # device has its entry here: without them no sample is recorded at all.
        "ExtraComm": {
            "extracomport": repeat("COM1"),
            "extrabaudrate": repeat(9600),
            "extrabytesize": repeat(8),
            "extraparity": repeat("N"),
            "extrastopbits": repeat(1),
            "extratimeout": repeat(1),
        },
        "WebSocket": {
            "host": url_host,
            "port": port,
            "path": websocket_path(path, token),
            "machineID": 0,
            "compression": True,
            "connect_timeout": 4,
            "reconnect_interval": 2,
            "request_timeout": 0.5,
            "id_node": "id",
            "machine_node": "roasterID",
            "command_node": "command",
            "data_node": "data",
            "pushMessage_node": protocol.PUSH_KEY,
            "request_data_command": protocol.REQUEST_COMMAND,
            "charge_message": protocol.PUSH_CHARGE,
            "drop_message": protocol.PUSH_DROP,
            "addEvent_message": protocol.PUSH_EVENT,
            "event_node": "event",
            **by_event,
            # Recording stays the user's: press ON before CHARGE (docs/artisan.md).
            "STARTonCHARGE": False,
            "OFFonDROP": False,
            "channel_nodes": _padded(nodes, ARTISAN_CHANNELS, ""),
            "channel_modes": _padded(modes, ARTISAN_CHANNELS, protocol.MODE_NONE),
            "channel_requests": [""] * ARTISAN_CHANNELS,
        },
        "Sliders": sliders,
        "ExtraEventButtons": {
            "buttonlistmaxlen": len(buttons),
            "extraeventsactions": [EXTRA_BUTTON_WEBSOCKET_ACTION] * len(buttons),
            "extraeventsactionstrings": [
                command_text(button.command, button.params, formatted=True) for button in buttons
            ],
            "extraeventstypes": [_UNTYPED_EVENT] * len(buttons),
            "extraeventsvalues": [0] * len(buttons),
            "extraeventsvisibility": [1] * len(buttons),
            "extraeventslabels": [button.label for button in buttons],
            "extraeventsdescriptions": [button.description for button in buttons],
            "extraeventbuttoncolor": [_button_color(button) for button in buttons],
            "extraeventbuttontextcolor": ["white"] * len(buttons),
        },
        "DefaultButtons": {
            "buttonactions": default_actions,
            "buttonactionstrings": default_strings,
            "buttonvisibility": [True, True, True, True, True, False, True, True],
        },
        # CHARGE and DROP come from roastctl's pushes, not from Artisan's own detection.
        "events": {"autoCharge": False, "autoDrop": False},
    }


#: The ``[WebSocket]`` key of each event's name, as Artisan calls the events.
_EVENT_NODES = {
    "DRY_node": RoastEventType.DRY_END,
    "FCs_node": RoastEventType.FIRST_CRACK_START,
    "FCe_node": RoastEventType.FIRST_CRACK_END,
    "SCs_node": RoastEventType.SECOND_CRACK_START,
    "SCe_node": RoastEventType.SECOND_CRACK_END,
}


def _slider_list(heat: Scalar, other: Scalar, *, fan: Scalar | None = None) -> list[Scalar]:
    values: list[Scalar] = [other] * SLIDER_COUNT
    values[HEAT_SLIDER] = heat
    values[FAN_SLIDER] = heat if fan is None else fan
    return values


_CURVE_COLORS = ("#c0392b", "#2e86c1", "#7d3c98", "#b9770e", "#17a589", "#566573", "#a04000")


def _colors(count: int, offset: int) -> list[Scalar]:
    return [_CURVE_COLORS[(2 * index + offset) % len(_CURVE_COLORS)] for index in range(count)]


def _button_color(button: ExtraButton) -> str:
    if button.command == "emergencyStop":
        return "#b00020"
    return "#566573" if button.command == "drum" else "#2e86c1"


def artisan_settings(
    host: str, port: int, path: str = protocol.DEFAULT_PATH, token: str | None = None
) -> str:
    """Return the text of an Artisan settings file (``.aset``) for roastctl at this address.

    Artisan connects to ``ws://HOST:PORT/PATH`` (``PATH/TOKEN`` with a token). Raises
    :class:`ArtisanSetupError` for a host, port, path or token that cannot be written; an error
    never repeats the token.
    """
    return write_ini(build_settings(host, port, path, token))


__all__ = [
    "DEFAULT_BUTTON_WEBSOCKET_ACTION",
    "EXTRA_BUTTONS",
    "EXTRA_BUTTON_WEBSOCKET_ACTION",
    "FAN_SLIDER",
    "FORBIDDEN_COMMAND_CHARS",
    "HEAT_SLIDER",
    "MAX_COMMAND_CHARS",
    "SAMPLING_INTERVAL_MS",
    "SLIDER_WEBSOCKET_ACTION",
    "ArtisanSetupError",
    "ExtraButton",
    "artisan_settings",
    "build_settings",
    "check_host",
    "check_port",
    "check_token",
    "command_text",
    "extra_device_ids",
    "websocket_path",
]
