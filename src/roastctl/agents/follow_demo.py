"""``roastctl demo --follow REF``: an agent that sets its intent and then only watches.

The agent talks to ``roastctl serve`` over MCP like :mod:`roastctl.agents.demo`, but it does not
steer: it preheats and charges as that demo does (with the reference's batch when it recorded
one), hands the server a reference to follow
(``follow_reference``: a roast file, or the designed curve shipped here for ``builtin``) and a
drop target (``set_drop_target`` at 20 % DTR), and then only reads ``get_roast_status`` every 20
roast-seconds, as an LLM would, noting how far BT is from the reference. On the simulator it
also asks ``first_crack_heard`` at those reads and reports first crack (back-dated, so the slow
cadence costs nothing): a DTR target needs first crack. The server carries the roast to the
drop. At the end the agent measures the BT RMSE against the reference from DRY END (or TP) to
DROP over the roast's samples, and the DTR reached.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from mcp.client import Client

from roastctl.agents.demo import (
    DemoError,
    ProgressCallback,
    RoastAgent,
    server_parameters,
)
from roastctl.control.reference import (
    DesignedCurve,
    Reference,
    Waypoint,
    designed_reference,
    reference_from_file,
)
from roastctl.models import RoastEventType

#: What ``--follow builtin`` follows: a Hottop-style 220 g roast drawn for the simulator's default
#: model (first crack near 180 deg C), the rate of rise easing from about 23 to 6 deg C/min.
BUILTIN_CURVE = DesignedCurve(
    points=(
        Waypoint(0.0, None),
        Waypoint(60.0, 88.0),
        Waypoint(150.0, 122.0),
        Waypoint(270.0, 150.0),
        Waypoint(390.0, 168.0),
        Waypoint(495.0, 180.0),
        Waypoint(615.0, 192.0),
    ),
    name="builtin demo curve",
    events={
        RoastEventType.DRY_END: 270.0,
        RoastEventType.FIRST_CRACK_START: 495.0,
        RoastEventType.DROP: 615.0,
    },
)
#: The word that picks :data:`BUILTIN_CURVE`.
BUILTIN = "builtin"


@dataclass(slots=True)
class FollowPolicy:
    """The watching agent's settings (times are roast seconds)."""

    charge_at_env_c: float = 180.0
    batch_g: float = 220.0
    target_dtr_percent: float = 20.0
    read_every_s: float = 20.0
    cooling_s: float = 240.0
    give_up_after_s: float = 1500.0
    log: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FollowResult:
    """How the followed roast came out."""

    final: dict[str, Any]
    reference: Reference
    rmse_c: float | None
    rmse_from: str
    rmse_samples: int
    dtr_percent: float | None
    readings: tuple[dict[str, Any], ...]


def load_reference(ref: str) -> Reference:
    """Return the reference ``ref`` names: ``builtin`` or a roast file's path."""
    if ref == BUILTIN:
        return designed_reference(BUILTIN_CURVE)
    return reference_from_file(Path(ref))


def follow_arguments(ref: str) -> dict[str, Any]:
    """Return the ``follow_reference`` arguments for ``ref``: a file path, or the waypoints."""
    if ref != BUILTIN:
        return {"path": str(Path(ref).expanduser().resolve())}
    curve = BUILTIN_CURVE
    return {
        "waypoints": [
            {"at_s": p.at_s, "bt_c": p.bt_c} for p in curve.points if isinstance(p, Waypoint)
        ],
        "events": {kind.value: at_s for kind, at_s in curve.events.items()},
    }


def bt_rmse(
    reference: Reference, points: Sequence[tuple[float, float]], start_s: float, end_s: float
) -> tuple[float | None, int]:
    """Return BT's RMSE (deg C) against the reference from ``start_s`` to ``end_s``, and its n.

    ``points`` are ``(seconds since CHARGE, BT)``, as ``get_roast_curve`` gives them.
    """
    errors = [bt - reference.bt_at(t) for t, bt in points if start_s <= t <= end_s]
    if not errors:
        return None, 0
    return math.sqrt(sum(e * e for e in errors) / len(errors)), len(errors)


class FollowAgent(RoastAgent):
    """Sets a reference and a drop target, then only reads the status every 20 roast-seconds."""

    def __init__(
        self, client: Client, speed: float, ref: str, policy: FollowPolicy | None = None
    ) -> None:
        """Follow ``ref`` (``builtin`` or a roast file) on the server ``client`` talks to."""
        super().__init__(client, speed)
        self.ref = ref
        self.follow = policy or FollowPolicy()
        self.reference = load_reference(ref)  # refused here, before any roaster is touched
        # Charged at ET 180 C as the steering demo does, whatever the reference's ET at CHARGE:
        # a preheat from cold to a recorded roast's charge ET leaves the drum colder (or hotter)
        # than that roaster was, and on the shared Hottop logs tried it tracked worse.
        self.charge_at_env_c = self.follow.charge_at_env_c
        #: Calls by tool name: the run shows the agent set its intent once and then only read.
        self.calls_by_tool: dict[str, int] = {}

    async def call(self, tool: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        """Call a tool (counted by name); a refusal becomes a :class:`DemoError`."""
        self.calls_by_tool[tool] = self.calls_by_tool.get(tool, 0) + 1
        return await super().call(tool, arguments)

    def note(self, text: str) -> None:
        """Remember a decision or reading."""
        self.follow.log.append(text)

    async def follow_run(self, on_progress: ProgressCallback | None = None) -> FollowResult:
        """Preheat, set the reference and the drop target, charge, watch to the drop, cool."""
        policy = self.follow
        await self.preheat(self.charge_at_env_c, on_progress)
        # Set after the preheat's own set_heat: a manual heat while following would pause it.
        await self.call("follow_reference", follow_arguments(self.ref))
        await self.call("set_drop_target", {"dtr_percent": policy.target_dtr_percent})
        self.note(
            f"following {self.reference.name} (DROP at {self.reference.drop_s:.0f} s); drop "
            f"target DTR {policy.target_dtr_percent:g} %"
        )
        batch = self.reference.batch_g or policy.batch_g
        await self.call("charge_beans", {"mass_g": batch})
        self.note(f"charged {batch:.0f} g at ET {self.charge_at_env_c:.0f} C")
        readings: list[dict[str, Any]] = []
        fc_reported = False
        while True:
            await self.pause(policy.read_every_s)
            current = await self.status(on_progress)
            elapsed = current.get("roast_elapsed_s")
            if current.get("drop_s") is not None:
                break
            if elapsed is None:
                continue  # CHARGE not detected yet
            following = current.get("following") or {}
            readings.append({"elapsed_s": elapsed, **following})
            self.note(_reading_line(elapsed, current, following))
            if not fc_reported:
                fc_reported = await self.report_first_crack_if_heard(elapsed)
            if elapsed > policy.give_up_after_s:
                raise DemoError("no drop after 25 min; stopping")
        final = await self._finish(on_progress)
        return self._result(final, readings)

    async def _finish(self, on_progress: ProgressCallback | None) -> dict[str, Any]:
        policy = self.follow
        cooled = 0.0
        while cooled < policy.cooling_s:
            await self.pause(policy.read_every_s)
            cooled += policy.read_every_s
            await self.status(on_progress)
        final = await self.call("get_roast_status")
        curve = await self.call("get_roast_curve", {"since_s": 0.0})
        final["curve_points"] = curve.get("points", [])
        await self.call("stop_cooling")
        self.note("cooled; cooling stopped, door closed")
        return final

    def _result(self, final: dict[str, Any], readings: list[dict[str, Any]]) -> FollowResult:
        drop_s = final.get("drop_s")
        dry_s = final.get("dry_end_s")
        start_s, start_name = (
            (dry_s, "DRY END") if dry_s is not None else (final.get("turning_point_s"), "TP")
        )
        points = [(float(p["time_s"]), float(p["bean_temp_c"])) for p in final.pop("curve_points")]
        rmse, count = (None, 0)
        if start_s is not None and drop_s is not None:
            rmse, count = bt_rmse(self.reference, points, float(start_s), float(drop_s))
        return FollowResult(
            final=final,
            reference=self.reference,
            rmse_c=rmse,
            rmse_from=start_name,
            rmse_samples=count,
            dtr_percent=final.get("development_time_percent"),
            readings=tuple(readings),
        )


def _signed(value: object, unit: str) -> str:
    return "  n/a" if not isinstance(value, int | float) else f"{value:+5.1f} {unit}"


def _reading_line(elapsed: float, status: dict[str, Any], following: dict[str, Any]) -> str:
    roaster = status.get("roaster") or {}
    target = following.get("target_bt_c")
    target_text = "  n/a" if target is None else f"{target:5.1f}"
    return (
        f"{elapsed:5.0f} s: BT {roaster.get('bean_temp_c', 0.0):5.1f}  target {target_text}  "
        f"dBT {_signed(following.get('deviation_c'), 'C')}  "
        f"dRoR {_signed(following.get('ror_deviation_c_per_min'), 'C/min')}  "
        f"heat {roaster.get('heat_percent', 0):3d} %  {following.get('state', 'not following')}"
    )


async def run_follow_demo(
    speed: float, ref: str, on_progress: ProgressCallback | None = None
) -> tuple[FollowResult, FollowAgent]:
    """Start the server, run the watching agent on ``ref``, return the result with the agent."""
    async with Client(server_parameters(speed)) as client:
        agent = FollowAgent(client, speed, ref)
        try:
            result = await agent.follow_run(on_progress)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await client.call_tool("emergency_stop", {})
            raise
        return result, agent


__all__ = [
    "BUILTIN",
    "BUILTIN_CURVE",
    "FollowAgent",
    "FollowPolicy",
    "FollowResult",
    "bt_rmse",
    "follow_arguments",
    "load_reference",
    "run_follow_demo",
]
