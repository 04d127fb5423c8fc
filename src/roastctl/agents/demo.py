"""``roastctl demo``: a rule-based agent runs a whole roast through the MCP tools only.

The server runs as a real subprocess (``roastctl serve`` on the simulator) and the agent talks to
it with the official MCP client over stdio, exactly as Claude Desktop or another agent would:
preheat, charge, lower the heat as the rate of rise climbs, report the first crack it hears,
drop at the target development time ratio, cool. If anything goes wrong it calls
``emergency_stop`` before giving up.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters

from roastctl.errors import RoasterError

ProgressCallback = Callable[[dict[str, Any]], None]
#: Roast seconds the demo preheats at most before it gives up (a real Hottop needs about 10 min).
PREHEAT_LIMIT_S = 1800.0


class DemoError(RoasterError):
    """The demo agent could not finish its roast."""

    code = "demo_failed"


@dataclass(slots=True)
class AgentPolicy:
    """The rule-based agent's settings (times are seconds since CHARGE)."""

    charge_at_env_c: float = 180.0
    batch_g: float = 220.0
    target_dtr_percent: float = 20.0
    max_ror_c_per_min: float = 22.0
    min_heat_percent: int = 50
    heat_change_every_s: float = 30.0
    # The scripted recipe's heat steps (roastctl.agents.recipe.Recipe): the heat comes down as the
    # beans brown so the fitted Hottop model reaches first crack at 8-9 minutes.
    schedule: tuple[tuple[float, int, int], ...] = ((180, 100, 20), (240, 80, 20), (330, 60, 30))
    cooling_s: float = 240.0
    check_every_s: float = 2.0
    log: list[str] = field(default_factory=list)


class RoastAgent:
    """Drives one roast with MCP tool calls; every decision is logged."""

    def __init__(self, client: Client, speed: float, policy: AgentPolicy | None = None) -> None:
        self.client = client
        self.speed = speed
        self.policy = policy or AgentPolicy()
        self.calls = 0

    async def call(self, tool: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        """Call a tool; a refusal becomes a :class:`DemoError` carrying the server's words."""
        self.calls += 1
        result = await self.client.call_tool(tool, arguments or {})
        if result.is_error:
            text = " ".join(getattr(block, "text", "") for block in result.content)
            raise DemoError(f"{tool} refused: {text}")
        return dict(result.structured_content or {})

    async def pause(self, roast_seconds: float) -> None:
        """Wait ``roast_seconds`` of simulated time."""
        await anyio.sleep(roast_seconds / self.speed)

    def note(self, text: str) -> None:
        """Remember a decision."""
        self.policy.log.append(text)

    async def status(self, on_progress: ProgressCallback | None = None) -> dict[str, Any]:
        """Read the status (shown to ``on_progress``); a latched safety fault ends the demo."""
        current = await self.call("get_roast_status")
        if on_progress is not None:
            on_progress(current)
        safety = current.get("safety") or {}
        if safety.get("faults"):
            reasons = "; ".join(f"{f['fault']}: {f['message']}" for f in safety["faults"])
            raise DemoError(f"the server's safety supervisor stopped the roast ({reasons})")
        return current

    async def preheat(self, charge_at_env_c: float, on_progress: ProgressCallback | None) -> None:
        """Start the session and the drum, heat 100 %, fan 0 %, until ET reaches the charge ET."""
        await self.call("start_session")
        await self.call("start_roaster")
        await self.call("set_fan", {"percent": 0})
        await self.call("set_heat", {"percent": 100})
        self.note("preheat: drum on, heat 100 %, fan 0 %")
        preheated = 0.0
        while ((await self.status(on_progress)).get("roaster") or {}).get(
            "env_temp_c", 0.0
        ) < charge_at_env_c:
            if preheated > PREHEAT_LIMIT_S:
                raise DemoError(f"ET did not reach {charge_at_env_c:g} C in preheat")
            await self.pause(5.0)
            preheated += 5.0

    async def report_first_crack_if_heard(self, elapsed: float) -> bool:
        """Ask the simulator whether first crack was heard; report it back-dated if so."""
        heard = await self.call("first_crack_heard")
        if not heard.get("heard"):
            return False
        when = str(heard["first_crack_utc"]).replace("+00:00", "Z")
        await self.call("report_first_crack", {"timestamp": when})
        self.note(f"{elapsed:5.0f} s: first crack heard, reported at {when}")
        return True

    async def run(self, on_progress: ProgressCallback | None = None) -> dict[str, Any]:
        """Run preheat to the end of cooling; return the final status."""
        policy = self.policy

        async def status() -> dict[str, Any]:
            return await self.status(on_progress)

        await self.preheat(policy.charge_at_env_c, on_progress)
        await self.call("charge_beans", {"mass_g": policy.batch_g})
        self.note(f"charged {policy.batch_g:.0f} g at ET {policy.charge_at_env_c:.0f} C")
        heat, fan, last_change = 100, 0, -1e9
        fc_reported = False
        while True:
            await self.pause(policy.check_every_s)
            current = await status()
            elapsed = current.get("roast_elapsed_s")
            if elapsed is None:
                continue  # CHARGE not detected yet
            planned = [step for step in policy.schedule if step[0] <= elapsed]
            scheduled_heat, want_fan = (planned[-1][1], planned[-1][2]) if planned else (100, 0)
            want_heat = min(scheduled_heat, heat)  # after CHARGE the heat only ever goes down
            ror = current.get("rate_of_rise_c_per_min")
            turned = current.get("turning_point_s") is not None
            if (
                turned
                and ror is not None
                and ror > policy.max_ror_c_per_min
                and heat - 10 >= policy.min_heat_percent
                and elapsed - last_change >= policy.heat_change_every_s
            ):
                want_heat = min(want_heat, heat - 10)
                self.note(
                    f"{elapsed:5.0f} s: RoR {ror:.1f} > {policy.max_ror_c_per_min}: heat down"
                )
            if want_fan != fan:
                await self.call("set_fan", {"percent": want_fan})
                fan = want_fan
            if want_heat != heat:
                await self.call("set_heat", {"percent": want_heat})
                heat, last_change = want_heat, elapsed
            if not fc_reported:
                fc_reported = await self.report_first_crack_if_heard(elapsed)
            dtr = current.get("development_time_percent")
            if fc_reported and dtr is not None and dtr >= policy.target_dtr_percent:
                await self.call("drop_beans")
                self.note(f"{elapsed:5.0f} s: DTR {dtr:.1f} % reached: drop")
                break
            if elapsed > 1500:
                raise DemoError("no first crack or development after 25 min; stopping")
        cooled = 0.0
        while cooled < policy.cooling_s:
            await self.pause(policy.check_every_s * 2)
            cooled += policy.check_every_s * 2
            await status()
        final = await self.call("get_roast_status")
        await self.call("stop_cooling")
        self.note("cooled; cooling stopped, door closed")
        return final


def server_parameters(speed: float) -> StdioServerParameters:
    """How to start ``roastctl serve`` on the simulator as a child process."""
    env = {k: v for k, v in os.environ.items() if k.startswith("ROASTCTL_")}
    env["ROASTCTL_HARDWARE__DRIVER"] = "simulator"
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "roastctl", "serve", "--speed", repr(speed)],
        env=env,
    )


async def run_demo(
    speed: float, on_progress: ProgressCallback | None = None
) -> tuple[dict[str, Any], RoastAgent]:
    """Start the server, run the agent, and return the final status with the agent."""
    async with Client(server_parameters(speed)) as client:
        agent = RoastAgent(client, speed)
        try:
            final = await agent.run(on_progress)
        except BaseException:
            # The server keeps the roaster safe, but an agent that gives up says so first.
            with anyio.CancelScope(shield=True):
                await client.call_tool("emergency_stop", {})
            raise
        return final, agent
