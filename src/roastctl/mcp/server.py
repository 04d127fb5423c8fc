"""The MCP server: roastctl's tools, resources and prompt over stdio or streamable HTTP.

A thin adapter over :class:`~roastctl.session.manager.RoastSessionManager` (the tools live in
:mod:`roastctl.mcp.tools`); no roast logic lives here. Logging goes to stderr only: over stdio,
stdout carries the protocol.

Resources:

* ``roaster://status``: the full live snapshot (JSON).
* ``roaster://health``: server version, driver, roaster, link health and a config summary.
* ``roaster://roast/current/curve``: the current roast's curve, thinned to at most 500 points.

Change notifications: :func:`run_status_sampler` watches the sample count and, when it grows,
publishes ``ResourceUpdated`` for the status and the curve to 2026-era clients (through the
:class:`~mcp.server.subscriptions.InMemorySubscriptionBus` of ``subscriptions/listen``) and to
2025-era clients that called ``resources/subscribe``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import anyio
import anyio.to_thread
from anyio.abc import TaskGroup
from mcp.server import MCPServer
from mcp.server.auth.settings import AuthSettings
from mcp.server.context import ServerRequestContext
from mcp.server.session import ServerSession
from mcp.server.subscriptions import InMemorySubscriptionBus, ResourceUpdated
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, EmptyResult, SubscribeRequestParams, UnsubscribeRequestParams
from pydantic import AnyHttpUrl
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount

from roastctl import __version__
from roastctl.access.roles import READ_SCOPE
from roastctl.access.server_access import McpAccess
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.mcp.gate import TokenFileVerifier, role_gate
from roastctl.mcp.heartbeat import agent_heartbeat
from roastctl.mcp.registry import ToolRegistry
from roastctl.mcp.roast_tools import register_roast_tools
from roastctl.mcp.tools import register_tools
from roastctl.mcp.views import curve_view, read_curve
from roastctl.session.manager import RoastSessionManager

logger = logging.getLogger(__name__)

SERVER_NAME = "roastctl"
STATUS_URI = "roaster://status"
HEALTH_URI = "roaster://health"
CURVE_URI = "roaster://roast/current/curve"
#: Resources whose change is announced after every new sample.
LIVE_URIS = (STATUS_URI, CURVE_URI)
#: The curve resource is thinned to this many points (the tool can ask for more).
CURVE_RESOURCE_MAX_POINTS = 500
#: Real seconds between two looks at the sample count.
SAMPLER_INTERVAL_S = 0.5

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

INSTRUCTIONS = """\
roastctl drives a coffee roaster (a Hottop KN-8828B-2K+ or its simulator) and tracks the roast.

Start with get_roast_status (poll it every 5-15 s while roasting; it never changes anything). \
Its forecast says where BT, first crack and the drop are going if heat and fan stay as they are \
(with 80 % intervals; null numbers until the estimate has settled). Before a heat or fan change, \
what_if shows what it would do (read-only: it sends nothing).
start_session connects and begins a roast; start_roaster turns the drum, which must turn before \
any heat. set_heat/set_fan take whole percent in the steps their descriptions give. CHARGE, \
DRY_END and DROP are detected from the curve; report first crack with report_first_crack \
(UTC ISO-8601, e.g. 2026-11-24T10:15:30Z), second crack with mark_event SC_START / SC_END. Set \
the drop with set_drop_target (a DTR, a BT or seconds after first crack): the server drops the \
beans by itself on the sample that reaches it, so you need not time drop_beans; then cool and \
stop_cooling (it marks COOL). To roast to a curve, follow_reference (a kept roast, a roast file or \
waypoints) has the server set the heat on every sample; then supervise with get_roast_status (its \
following block) instead of steering the heat. get_roast_curve returns the samples.

Safety: the server refuses unsafe or out-of-range commands and says why; read the message and \
correct the call. It drops the beans by itself at BT 220 C or ET 260 C, and cuts the heat when the \
roaster's data goes stale or when no call arrives from you for the dead-man time while heating \
(safety.dead_man_seconds_left in get_roast_status): keep calling at least that often. Each \
of these latches a fault (safety.faults) that refuses heat until clear_fault, which waits for \
the cause to pass. On anything odd (runaway temperatures, stale readings, unexplained errors) call \
emergency_stop: it bypasses every other call. The roast_coffee prompt describes a whole roast \
step by step.
"""


# --------------------------------------------------------------------- subscriptions
class LegacySubscribers:
    """``resources/subscribe`` bookkeeping for 2025-era clients (the 2026 wire uses listen).

    The SDK hands each request its own :class:`ServerSession`, whose notifications go out on the
    connection, so one session per connection is kept, and forgotten through the connection's
    exit stack when the client goes away (a closed in-memory connection swallows sends silently,
    so failed sends alone would never clean up).
    """

    def __init__(self, known_uris: Sequence[str]) -> None:
        self.known_uris = frozenset(known_uris)
        self._sessions: dict[str, dict[int, ServerSession]] = {}
        self._watched: set[int] = set()

    def _check(self, uri: str) -> None:
        if uri not in self.known_uris:
            raise MCPError(
                INVALID_PARAMS,
                f"no resource {uri!r} to subscribe to; known: {', '.join(sorted(self.known_uris))}",
            )

    def _key(self, session: ServerSession) -> int:
        """Identify the connection behind ``session`` and arrange to forget it when it closes."""
        # The connection is not public on the session in mcp 2.3; fall back to the session.
        connection = getattr(session, "_connection", None)
        key = id(connection if connection is not None else session)
        stack = getattr(connection, "exit_stack", None)
        if key not in self._watched and isinstance(stack, AsyncExitStack):
            self._watched.add(key)
            stack.callback(self._forget, key)
        return key

    def _forget(self, key: int) -> None:
        self._watched.discard(key)
        for sessions in self._sessions.values():
            sessions.pop(key, None)

    async def subscribe(
        self, ctx: ServerRequestContext[Any, Any], params: SubscribeRequestParams
    ) -> EmptyResult:
        """Handle ``resources/subscribe``: remember the client's connection for the URI."""
        uri = str(params.uri)
        self._check(uri)
        self._sessions.setdefault(uri, {})[self._key(ctx.session)] = ctx.session
        return EmptyResult()

    async def unsubscribe(
        self, ctx: ServerRequestContext[Any, Any], params: UnsubscribeRequestParams
    ) -> EmptyResult:
        """Handle ``resources/unsubscribe``."""
        self._sessions.get(str(params.uri), {}).pop(self._key(ctx.session), None)
        return EmptyResult()

    def count(self, uri: str) -> int:
        """Return how many connections are subscribed to ``uri``."""
        return len(self._sessions.get(uri, {}))

    async def notify(self, uri: str) -> None:
        """Send ``notifications/resources/updated`` to every subscriber; drop failing ones."""
        sessions = self._sessions.get(uri, {})
        for key, session in list(sessions.items()):
            try:
                await session.send_resource_updated(uri)
            except Exception as exc:  # a broken connection must not stop the others
                logger.info("dropping a resources/subscribe subscriber of %s: %r", uri, exc)
                sessions.pop(key, None)


@dataclass
class ServerBundle:
    """The MCP server and what its publishers need: the manager, the bus, legacy subscribers."""

    mcp: MCPServer
    manager: RoastSessionManager
    bus: InMemorySubscriptionBus
    legacy: LegacySubscribers
    simulator: SimulatedRoaster | None = None
    _last_seen: tuple[int, int] | None = field(default=None, repr=False)


async def publish_status(bundle: ServerBundle) -> None:
    """Announce that the status and the curve changed, to clients of both protocol eras."""
    for uri in LIVE_URIS:
        await bundle.bus.publish(ResourceUpdated(uri=uri))
        await bundle.legacy.notify(uri)


async def publish_if_new_sample(bundle: ServerBundle) -> bool:
    """Publish when a sample arrived since the last look (or a new roast began); say if it did."""
    status = await anyio.to_thread.run_sync(bundle.manager.get_status)
    seen = (status.roast_number, status.connection.samples)
    if seen == bundle._last_seen:
        return False
    bundle._last_seen = seen
    await publish_status(bundle)
    return True


async def run_status_sampler(bundle: ServerBundle, interval_s: float = SAMPLER_INTERVAL_S) -> None:
    """Look at the sample count every ``interval_s`` real seconds and publish on growth; forever.

    Run it in the task group of whatever serves the MCP server (:func:`run_stdio` and
    :func:`build_http_app` do). A failure is logged and the loop goes on.
    """
    while True:
        try:
            await publish_if_new_sample(bundle)
        except Exception:  # the sampler must outlive any one bad look
            logger.exception("status sampler failed; continuing")
        await anyio.sleep(interval_s)


# --------------------------------------------------------------------- server
def _health(bundle: ServerBundle) -> dict[str, Any]:
    manager = bundle.manager
    status = manager.get_status(forecast=False)
    config = manager.config
    connection = status.connection
    interval = config.tracker.sampling_interval_s
    age = connection.last_sample_age_s
    return {
        "server": {"name": SERVER_NAME, "version": __version__},
        "driver": config.hardware.driver,
        "roaster": None
        if connection.roaster_info is None
        else connection.roaster_info.model_dump(mode="json"),
        "session_active": status.session_active,
        "roast_number": status.roast_number,
        "connected": connection.connected,
        "last_sample_utc": None
        if connection.last_sample_utc is None
        else connection.last_sample_utc.isoformat(),
        "last_sample_age_s": age,
        "stale": not connection.data_fresh if status.session_active else None,
        "safety": status.safety.model_dump(mode="json", exclude={"events"}),
        "samples": connection.samples,
        "poll_errors": connection.poll_errors,
        "last_error": connection.last_error,
        "subscribers": {uri: bundle.legacy.count(uri) for uri in LIVE_URIS},
        "config": {
            "heat": manager.heat_range.allowed,
            "fan": manager.fan_range.allowed,
            "sampling_interval_s": interval,
            "ror_span_s": config.tracker.ror_span_s,
            "ror_method": config.tracker.ror_method,
            "dry_end_temp_c": config.tracker.dry_end_temp_c,
            "auto_drop": config.tracker.auto_drop,
            "development_target_percent": [
                config.tracker.development_target_min_percent,
                config.tracker.development_target_max_percent,
            ],
            "timezone": config.timezone,
            "port": config.hardware.port,
        },
    }


def roast_coffee(target_dtr_percent: float = 20.0, batch_g: float = 220.0) -> str:
    """How to run a whole roast with these tools."""
    dev_share = target_dtr_percent / (100.0 - target_dtr_percent)
    return f"""\
Roast one batch of {batch_g:g} g to a development time ratio (DTR) of {target_dtr_percent:g} %.

1. Check. Call start_session (safe if already active), then get_roast_status: connected must be \
true, last_sample_age_s small (a few seconds at most) and poll_errors not rising. Read the \
allowed heat and fan values in the set_heat/set_fan descriptions.
2. Preheat. start_roaster first (the heater is refused while the drum is stopped), set_fan to 0-20 \
%, set_heat to 100. Poll get_roast_status every 10-15 s until ET is about 190 deg C.
3. Set your intent, then supervise. The server carries it out on every sample; your polls are \
seconds apart, so do not steer the heat yourself.
   a. The curve: follow_reference(roast_id=<a good kept roast from list_roasts>) to roast like \
it, or follow_reference(waypoints=[{{"at_s": 0, "bt_c": null}}, {{"at_s": 300, "bt_c": 150}}, \
{{"at_s": 540, "bt_c": 196}}, {{"at_s": 660, "bt_c": 207}}], events={{"FC_START": 540, "DROP": \
660}}) for a designed curve. Set before the charge it waits (following.state \
waiting_for_charge) and takes the heater at CHARGE; the fan replays the reference's until you \
set_fan. Without a reference, steer the heat yourself as in step 5.
   b. The drop: set_drop_target(dtr_percent={target_dtr_percent:g}): the server drops the \
beans by itself on the sample that reaches the DTR (it waits for first crack), within a fraction \
of a second; do not time drop_beans yourself. get_roast_status shows drop_target (its state, \
drop_in_s, and after the drop the DTR reached).
4. Charge. On the simulator call charge_beans(mass_g={batch_g:g}); on a real roaster the operator \
pours the beans. CHARGE is detected from the BT fall within about 20 s (mark_event CHARGE if it is \
not). BT dips to the turning point (TP) after 1-1.5 min, then climbs.
5. Supervise. Read get_roast_status every 10-30 s. While following, read following: state, \
target_bt_c, deviation_c (BT minus the reference), ahead_s and next_event; do not micro-manage \
the heat: a set_heat pauses following (state paused) until resume_following, so only step in when \
something is wrong, and stop_following hands the heater back to you for good. If following \
stopped (following.reason says why: a refusal, a fault, the drop), take over the heat or fix the \
cause and call follow_reference again. Without a reference: watch the BT rate of rise (RoR, \
deg C/min): it should peak early (15-25) and then fall steadily; lower the heat in steps as BT \
rises (for example 100 -> 90 at about 4 min, 70 at about 6 min) and raise the fan to 20-30 % for \
chaff and smoke; a RoR that rises again late (flick) or drops to near 0 (crash) needs a gentle \
heat correction, never a big jump. The status's forecast gives BT ahead and the seconds to first \
crack; what_if shows what a heat change would do before you make it.
6. First crack. Around BT 195-205 deg C the beans crack. On the simulator poll \
first_crack_heard; when heard, call report_first_crack(timestamp=<first_crack_utc>). On a real \
roaster report the UTC time you heard it (e.g. 2026-11-24T10:15:30Z). The DTR target counts from \
this report.
7. Development. development_time_percent is the DTR. The drop target drops at \
{target_dtr_percent:g} %, when the time since first crack equals {dev_share:.2f} x the time from \
CHARGE to first crack (drop_target.drop_in_s counts down to it). Following ends at the \
reference's DROP (state finished, the heat holds); the drop target still drops. Call drop_beans \
yourself only to end the roast earlier, or clear_drop_target to take the drop back.
8. Cool. The drop runs heater off, door open, stirrer on, fan 100 %. Let the beans cool for \
about 4 minutes until BT is below 50 deg C, then stop_cooling. Report the events and DTR.

Never:
- heat with the drum stopped (it is refused, and a still drum scorches);
- leave the heat on when you stop watching: set_heat 0 or drop_beans before you go quiet, and \
stop_session only after the beans are out;
- send a big heat jump to rescue a stalled roast, or keep roasting with BT above 230 deg C \
(drop at once);
- act on stale data (large last_sample_age_s) or guess values the server refused; read the \
refusal and fix the call.
On anything odd (temperatures running away, smoke, frozen or stale readings, readings that \
disagree with your commands, errors you cannot explain) call emergency_stop immediately: it \
switches the heater off and drops the beans, ahead of any other call.
The server guards you too: it drops the beans at BT 220 deg C, cuts the heat on stale data or when \
you go quiet while heating (call at least every safety.dead_man_seconds_left), and reports each \
fault in safety.faults with what clears it; call clear_fault once it has.
"""


def create_bundle(
    manager: RoastSessionManager,
    *,
    simulator: SimulatedRoaster | None = None,
    log_level: LogLevel = "WARNING",
    access: McpAccess | None = None,
) -> ServerBundle:
    """Build the MCP server for ``manager`` and everything needed to publish changes.

    ``access`` says who may do what (default: the local user, operator, no tokens).
    """
    access = access or McpAccess()
    bus = InMemorySubscriptionBus()
    legacy = LegacySubscribers((STATUS_URI, HEALTH_URI, CURVE_URI))
    verifier = None
    auth = None
    if access.tokens is not None:
        verifier = TokenFileVerifier(access.tokens, access.resource_url)
        auth = AuthSettings(
            issuer_url=AnyHttpUrl(access.resource_url.removesuffix("/mcp")),
            resource_server_url=AnyHttpUrl(access.resource_url),
            required_scopes=[READ_SCOPE],
            validate_token_resource=True,
        )
    mcp: MCPServer = MCPServer(
        SERVER_NAME,
        version=__version__,
        instructions=INSTRUCTIONS,
        subscriptions=bus,
        log_level=log_level,
        token_verifier=verifier,
        auth=auth,
    )
    bundle = ServerBundle(mcp=mcp, manager=manager, bus=bus, legacy=legacy, simulator=simulator)

    registry = ToolRegistry(mcp)
    register_tools(registry, manager, simulator)
    register_roast_tools(registry, manager)
    # Outermost first: the role gate decides before anything counts or runs.
    # The gate names the caller (``agent``, with its role and token) for everything after it.
    mcp.middleware.append(role_gate(access.launch, manager.record_refusal))
    mcp.middleware.append(agent_heartbeat(manager))
    mcp.middleware.append(registry.reject_unknown_arguments)

    @mcp.resource(
        STATUS_URI,
        name="roast_status",
        title="Live roast status",
        description="The full live snapshot: session, sensors, events, metrics, connection, "
        "and the forecast with its BT curve ahead.",
        mime_type="application/json",
    )
    def status_resource() -> dict[str, Any]:
        return manager.get_status().model_dump(mode="json")

    @mcp.resource(
        HEALTH_URI,
        name="server_health",
        title="Server and roaster health",
        description="Server version, driver, roaster, link health (sample age, errors) and the "
        "configured ranges.",
        mime_type="application/json",
    )
    def health_resource() -> dict[str, Any]:
        return _health(bundle)

    @mcp.resource(
        CURVE_URI,
        name="current_roast_curve",
        title="Current roast curve",
        description=f"The current roast's samples (time since CHARGE, BT, ET, RoR, heat, fan), "
        f"thinned to at most {CURVE_RESOURCE_MAX_POINTS} points.",
        mime_type="application/json",
    )
    def curve_resource() -> dict[str, Any]:
        points = read_curve(manager, max_points=CURVE_RESOURCE_MAX_POINTS)
        return curve_view(manager, points).model_dump(mode="json")

    mcp.prompt(
        name="roast_coffee",
        title="Roast a batch of coffee",
        description="Step-by-step: preheat, charge, watch RoR, first crack, develop to a DTR "
        "target, drop, cool; and what never to do.",
    )(roast_coffee)

    lowlevel = mcp._lowlevel_server
    lowlevel.add_request_handler("resources/subscribe", SubscribeRequestParams, legacy.subscribe)
    lowlevel.add_request_handler(
        "resources/unsubscribe", UnsubscribeRequestParams, legacy.unsubscribe
    )
    return bundle


def create_server(
    manager: RoastSessionManager,
    *,
    simulator: SimulatedRoaster | None = None,
    log_level: LogLevel = "WARNING",
    access: McpAccess | None = None,
) -> MCPServer:
    """Return the MCP server for ``manager`` (see :func:`create_bundle` for publishing)."""
    return create_bundle(manager, simulator=simulator, log_level=log_level, access=access).mcp


# --------------------------------------------------------------------- transports
@asynccontextmanager
async def _serving(
    bundle: ServerBundle, *, start_session: bool, sampler_interval_s: float
) -> AsyncIterator[TaskGroup]:
    """Start the session and the sampler; on the way out stop the session (heater off)."""
    manager = bundle.manager
    if start_session:
        await anyio.to_thread.run_sync(manager.start_session)
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(run_status_sampler, bundle, sampler_interval_s)
            yield group
            group.cancel_scope.cancel()
    finally:
        with anyio.CancelScope(shield=True):
            # Nobody is watching any more: the heater must not stay on.
            await anyio.to_thread.run_sync(manager.stop_session)


def run_stdio(
    manager: RoastSessionManager,
    *,
    simulator: SimulatedRoaster | None = None,
    start_session: bool = True,
    sampler_interval_s: float = SAMPLER_INTERVAL_S,
    log_level: LogLevel = "WARNING",
    access: McpAccess | None = None,
) -> None:
    """Serve over stdio until the client disconnects; the session is stopped (heater off) after.

    Blocks. Configure logging (to stderr) before calling it.
    """
    bundle = create_bundle(manager, simulator=simulator, log_level=log_level, access=access)

    async def main() -> None:
        async with _serving(
            bundle, start_session=start_session, sampler_interval_s=sampler_interval_s
        ):
            await bundle.mcp.run_stdio_async()

    anyio.run(main)


def build_http_app(
    manager: RoastSessionManager,
    *,
    simulator: SimulatedRoaster | None = None,
    host: str = "127.0.0.1",
    routes: Sequence[BaseRoute] = (),
    start_session: bool = True,
    sampler_interval_s: float = SAMPLER_INTERVAL_S,
    log_level: LogLevel = "WARNING",
    access: McpAccess | None = None,
) -> Starlette:
    """Return a Starlette app serving MCP (streamable HTTP) at ``/mcp``.

    ``routes`` (a dashboard, say) are matched before the MCP mount. The app's lifespan starts the
    session, the MCP session manager and the status sampler, and stops the session (heater off)
    at shutdown. ``host`` is the address the app is served on; for 127.0.0.1/localhost the SDK's
    DNS-rebinding protection admits only local Host headers, read in any case and with or without
    a port, as the dashboard reads them (:mod:`roastctl.web.http_headers`). MCP sessions idle
    for ``[http] mcp_session_idle_s`` are closed, and at most ``mcp_max_sessions`` are open.
    """
    # Only the HTTP transport needs the dashboard's gate and the Host checks: stdio skips them.
    from roastctl.web.access_gate import DashboardGate
    from roastctl.web.http_headers import CanonicalHost, local_transport_security

    bundle = create_bundle(manager, simulator=simulator, log_level=log_level, access=access)
    sessions = manager.config.http
    mcp_app = bundle.mcp.streamable_http_app(
        streamable_http_path="/mcp",
        host=host,
        transport_security=local_transport_security(host),
        # Each session holds memory: one nobody uses is closed, and there are at most so many.
        session_idle_timeout=sessions.mcp_session_idle_s,
        max_sessions=sessions.mcp_max_sessions,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with (
            bundle.mcp.session_manager.run(),
            _serving(bundle, start_session=start_session, sampler_interval_s=sampler_interval_s),
        ):
            yield

    # A mounted app's own lifespan never runs: this one enters the session manager instead.
    # The gate identifies every request outside the MCP endpoint (which the SDK guards) and
    # enforces its role: the dashboard's pages, stream and controls.
    return Starlette(
        routes=[*routes, Mount("/", app=CanonicalHost(mcp_app))],
        lifespan=lifespan,
        middleware=[
            Middleware(DashboardGate, access=access or McpAccess(), refusals=manager.record_refusal)
        ],
    )


__all__ = [
    "CURVE_URI",
    "HEALTH_URI",
    "STATUS_URI",
    "LegacySubscribers",
    "ServerBundle",
    "build_http_app",
    "create_bundle",
    "create_server",
    "publish_if_new_sample",
    "publish_status",
    "roast_coffee",
    "run_status_sampler",
    "run_stdio",
]
