"""Artisan's WebSocket device protocol as roastctl speaks it: the one definition of the wire.

Artisan (``src/artisanlib/wsport.py``) connects as a client to ``ws://HOST:PORT/PATH``, asks for
data every sampling interval with ``{"command": "getData", "id": N, "roasterID": ...}`` and
waits 0.5 s for ``{"id": N, "data": {...}}``. The roaster pushes messages without an ``id``
(CHARGE, DROP, the other events); Artisan's sliders and buttons send commands it awaits no reply
to. Both the endpoint (:mod:`roastctl.artisan.endpoint`) and the machine setup file a user loads
into Artisan are built from the names here, so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from roastctl.models import RoastEventType

#: The WebSocket path on ``roastctl serve --http``: ``ws://HOST:PORT/artisan``. With tokens the
#: token goes in the path (``/artisan/<token>``) or the query (``?token=<token>``): Artisan can
#: set no headers.
DEFAULT_PATH = "artisan"
#: The query parameter that may carry the token.
TOKEN_QUERY = "token"  # noqa: S105 - a parameter name, not a secret
#: The command Artisan sends every sample to ask for the channel values (its default).
REQUEST_COMMAND = "getData"
#: The ``roasterID`` the messages built here carry. The endpoint accepts any: Artisan sends its
#: ``machineID`` there, which the setup file leaves at Artisan's own default, 0.
ROASTER_ID = "roastctl"

#: Artisan's ``channel_modes``: what a value is, for its unit conversion.
MODE_NONE = 0  # no conversion: heat and fan %, rates
MODE_CELSIUS = 1
MODE_FAHRENHEIT = 2

#: The WebSocket device, and the extra devices carrying channel pairs 3/4, 5/6, 7/8, 9/10.
DEVICE_ID = 111
EXTRA_DEVICE_IDS = (112, 113, 118, 119)


@dataclass(frozen=True, slots=True)
class Channel:
    """One value in a data reply: its node name, Artisan's mode for it and a label to show."""

    node: str
    mode: int
    label: str


#: The channels in Artisan's order: BT and ET on device 111, the rest in pairs on the extra
#: devices 112, 113 and 118. ``targetBT`` is left out of a reply when nothing is followed, ``RoR``
#: before there is a rate; a reply never carries ``null`` (Artisan would drop the whole sample).
CHANNELS: tuple[Channel, ...] = (
    Channel("BT", MODE_CELSIUS, "BT"),
    Channel("ET", MODE_CELSIUS, "ET"),
    Channel("heat", MODE_NONE, "Heat %"),
    Channel("fan", MODE_NONE, "Fan %"),
    Channel("RoR", MODE_NONE, "BT RoR C/min"),
    Channel("targetBT", MODE_CELSIUS, "Target BT"),
)
CHANNEL_NODES: tuple[str, ...] = tuple(channel.node for channel in CHANNELS)

#: Pushes (messages without ``id``): CHARGE, DROP and the events between them.
PUSH_KEY = "pushMessage"
PUSH_CHARGE = "startRoasting"
PUSH_DROP = "endRoasting"
PUSH_EVENT = "addEvent"
#: The push a refused command gets when it carried no ``id`` to answer.
PUSH_REFUSED = "refused"
#: The ``addEvent`` push's event names, per roastctl event (Artisan's defaults).
EVENT_NAMES: dict[RoastEventType, str] = {
    RoastEventType.DRY_END: "colorChangeEvent",
    RoastEventType.FIRST_CRACK_START: "firstCrackBeginningEvent",
    RoastEventType.FIRST_CRACK_END: "firstCrackEndEvent",
    RoastEventType.SECOND_CRACK_START: "secondCrackBeginningEvent",
    RoastEventType.SECOND_CRACK_END: "secondCrackEndEvent",
}
#: Every event the endpoint pushes, in the order a roast has them.
PUSHED_EVENTS: tuple[RoastEventType, ...] = (
    RoastEventType.CHARGE,
    *EVENT_NAMES,
    RoastEventType.DROP,
)

ParamKind = Literal["percent", "flag"]


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a command: ``percent`` (a number, sliders send floats) or ``flag``."""

    name: str
    kind: ParamKind
    #: For a percent: the control range that validates it (``heat`` or ``fan``).
    control: str | None = None


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """A command Artisan's sliders and buttons send: its name, parameters and what it does."""

    name: str
    params: tuple[Param, ...]
    description: str

    @property
    def param_names(self) -> tuple[str, ...]:
        """The parameter names, in order."""
        return tuple(param.name for param in self.params)


#: The commands the endpoint carries out. A message is ``{"command": NAME, "params": {...},
#: "id": N?, "roasterID": ...}``; ``params`` may be left out when the command takes none.
COMMANDS: dict[str, CommandSpec] = {
    spec.name: spec
    for spec in (
        CommandSpec(
            "setHeat", (Param("value", "percent", "heat"),), "set the heater power, 0-100 %"
        ),
        CommandSpec("setFan", (Param("value", "percent", "fan"),), "set the main fan, 0-100 %"),
        CommandSpec("drum", (Param("on", "flag"),), "start (on) or stop (off) the drum"),
        CommandSpec("drop", (), "drop the beans: open the door, start cooling (DROP)"),
        CommandSpec("cooling", (Param("on", "flag"),), "start or stop the cooling-tray stirrer"),
        CommandSpec("emergencyStop", (), "heater off, then the drop sequence, at once"),
    )
}

#: Largest message accepted (bytes); a larger one closes the connection with 1009.
MAX_MESSAGE_BYTES = 64 * 1024
#: WebSocket close codes the endpoint uses.
CLOSE_POLICY = 1008  # a flood of messages, a refused token
CLOSE_TOO_BIG = 1009


def data_reply(request_id: object, data: dict[str, float]) -> dict[str, Any]:
    """Return the answer to a data request: ``{"id": N, "data": {...}}``."""
    return {"id": request_id, "data": data}


def error_reply(request_id: object, reason: str) -> dict[str, Any]:
    """Return the answer to a message with an ``id`` that was refused: ``{"id": N, "error"}``."""
    return {"id": request_id, "error": reason}


def push(name: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return a push message (never with an ``id``: Artisan would take it for a reply)."""
    message: dict[str, Any] = {PUSH_KEY: name}
    if data is not None:
        message["data"] = data
    return message


def event_push(event: RoastEventType) -> dict[str, Any] | None:
    """Return the push that marks ``event`` in Artisan (``None``: Artisan has none for it)."""
    if event is RoastEventType.CHARGE:
        return push(PUSH_CHARGE)
    if event is RoastEventType.DROP:
        return push(PUSH_DROP)
    name = EVENT_NAMES.get(event)
    return None if name is None else push(PUSH_EVENT, {"event": name})


def refused_push(command: str, reason: str) -> dict[str, Any]:
    """Return the push a refused command without an ``id`` gets."""
    return push(PUSH_REFUSED, {"command": command, "reason": reason})


def command_message(name: str, **params: object) -> dict[str, Any]:
    """Return the message that sends command ``name`` with ``params`` (as Artisan would)."""
    if name not in COMMANDS:
        raise ValueError(f"unknown Artisan command {name!r}; known: {', '.join(COMMANDS)}")
    return {"command": name, "params": dict(params), "roasterID": ROASTER_ID}


__all__ = [
    "CHANNELS",
    "CHANNEL_NODES",
    "CLOSE_POLICY",
    "CLOSE_TOO_BIG",
    "COMMANDS",
    "DEFAULT_PATH",
    "DEVICE_ID",
    "EVENT_NAMES",
    "EXTRA_DEVICE_IDS",
    "MAX_MESSAGE_BYTES",
    "MODE_CELSIUS",
    "MODE_FAHRENHEIT",
    "MODE_NONE",
    "PUSHED_EVENTS",
    "PUSH_CHARGE",
    "PUSH_DROP",
    "PUSH_EVENT",
    "PUSH_KEY",
    "PUSH_REFUSED",
    "REQUEST_COMMAND",
    "ROASTER_ID",
    "TOKEN_QUERY",
    "Channel",
    "CommandSpec",
    "Param",
    "ParamKind",
    "command_message",
    "data_reply",
    "error_reply",
    "event_push",
    "push",
    "refused_push",
]
