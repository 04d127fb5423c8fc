"""The ``roastctl`` command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from roastctl import __version__
from roastctl.access.network import describe_access, http_access, stdio_access
from roastctl.access.roles import Role
from roastctl.cli.analyze import add_analyze_command, run_analyze
from roastctl.cli.artisan_setup import (
    ARTISAN_SETUP_COMMAND,
    add_artisan_setup_command,
    run_artisan_setup,
)
from roastctl.cli.forecast_fit import (
    FORECAST_FIT_COMMAND,
    add_forecast_fit_command,
    run_forecast_fit,
)
from roastctl.cli.roasts import ROAST_COMMANDS, add_roast_commands, run_roast_command
from roastctl.cli.tokens import TOKEN_COMMAND, add_token_commands, run_token_command
from roastctl.cli.twin import TWIN_COMMANDS, add_twin_commands, run_twin_command
from roastctl.clock import PacedClock, ScaledClock, SystemClock
from roastctl.config import SERVE_DEAD_MAN_S, ServerConfig, load_config
from roastctl.devices.simulator import SimulatedRoaster
from roastctl.errors import ConfigError, RoasterError
from roastctl.models import RoastEventType, RoastStatus
from roastctl.roast.phases import format_mmss
from roastctl.session.manager import RoastSessionManager
from roastctl.session.shutdown import safe_on_exit
from roastctl.store.database import RoastStore

SUMMARY_EVENTS = (
    RoastEventType.CHARGE,
    RoastEventType.TURNING_POINT,
    RoastEventType.DRY_END,
    RoastEventType.FIRST_CRACK_START,
    RoastEventType.DROP,
)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 100_000:
        raise argparse.ArgumentTypeError(f"{text} is outside 0 < speed <= 100000")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser (all subcommands)."""
    parser = argparse.ArgumentParser(
        prog="roastctl", description="Watch and drive a coffee roaster safely."
    )
    parser.add_argument("--version", action="version", version=f"roastctl {__version__}")
    parser.add_argument(
        "--config", type=Path, help="roastctl.toml to read (default: $ROASTCTL_CONFIG, if set)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail to stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    simulate = commands.add_parser(
        "simulate",
        help="run a complete scripted roast on the simulator",
        description="Preheat, charge, roast, first crack, drop at the target DTR and cool, on "
        "the simulated roaster, through the session manager.",
    )
    simulate.add_argument(
        "--speed", type=_positive_float, default=60.0, help="simulated seconds per real second"
    )
    simulate.add_argument("--seed", type=int, help="random seed (default: from config)")
    simulate.add_argument("--json", action="store_true", help="print a JSON summary at the end")
    serve = commands.add_parser(
        "serve",
        help="serve the MCP tools over stdio (default) or streamable HTTP",
        description="Start the roast session and serve MCP: stdio for Claude Desktop and other "
        "local hosts, or streamable HTTP at /mcp. Logs go to stderr. The session stops (heater "
        "off) when the server exits.",
    )
    serve.add_argument(
        "--http",
        action="store_true",
        help="serve streamable HTTP instead: MCP at /mcp and the live dashboard at /",
    )
    serve.add_argument(
        "--artisan",
        action="store_true",
        help="with --http: also serve Artisan's WebSocket roaster endpoint at /artisan "
        "([artisan] enabled in the config does the same; docs/artisan.md)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="HTTP address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="HTTP port (default 8765)")
    serve.add_argument(
        "--role",
        choices=[role.value for role in Role],
        default=Role.OPERATOR.value,
        help="stdio only: the role of the local client (default operator; observer may only "
        "read). Over HTTP each request's token decides.",
    )
    serve.add_argument(
        "--speed",
        type=_positive_float,
        default=1.0,
        help="simulator or replay: roaster seconds per real second (default 1)",
    )
    emulate = commands.add_parser(
        "emulate-hottop",
        add_help=False,
        help="run a virtual Hottop on a pseudo-terminal (see 'roastctl emulate-hottop --help')",
    )
    emulate.add_argument("emulator_args", nargs=argparse.REMAINDER)
    commands.add_parser(
        "ports",
        help="list serial ports that may be a Hottop",
        description="List serial ports; known Hottop USB-serial adapters (FTDI, CP210x) first.",
    )
    demo = commands.add_parser(
        "demo",
        help="watch a rule-based agent roast on the simulator through the MCP tools",
        description="Starts 'roastctl serve' on the simulator, connects the official MCP client "
        "over stdio and runs a whole roast with a rule-based agent that uses only MCP tools.",
    )
    demo.add_argument(
        "--speed", type=_positive_float, default=60.0, help="simulated seconds per real second"
    )
    demo.add_argument(
        "--follow",
        metavar="REF",
        help="instead of steering, have the server follow a reference: a roast file's path, or "
        "'builtin' for the designed curve shipped with the demo; the agent sets it and a 20 %% "
        "DTR drop target, then only reads the status every 20 s",
    )
    add_roast_commands(commands)
    add_token_commands(commands)
    add_analyze_command(commands)
    add_twin_commands(commands)
    add_forecast_fit_command(commands)
    add_artisan_setup_command(commands)
    return parser


def _format_progress(
    elapsed: str | None,
    sensors: tuple[float, float, int, int] | None,
    ror: float | None,
    phase: str,
    dtr: float | None,
) -> str:
    """One progress line; ``sensors`` is (BT, ET, heat %, fan %) or ``None`` before a reading."""
    bean, env, heat, fan = sensors if sensors else (None, None, 0, 0)
    bean_text = f"{bean:6.1f}" if bean is not None else "   ---"
    env_text = f"{env:6.1f}" if env is not None else "   ---"
    ror_text = f"{ror:6.1f}" if ror is not None else "   ---"
    dtr_text = f"  DTR {dtr:4.1f}%" if dtr is not None else ""
    return (
        f"{elapsed or '--:--'}  BT {bean_text}  ET {env_text}  RoR {ror_text} C/min  "
        f"heat {heat:3d}%  fan {fan:3d}%  {phase}{dtr_text}"
    )


def _progress_line(status: RoastStatus) -> str:
    sensors = status.sensors
    metrics = status.metrics
    return _format_progress(
        format_mmss(metrics.roast_elapsed_s),
        (sensors.bean_temp_c, sensors.env_temp_c, sensors.heat_percent, sensors.fan_percent)
        if sensors
        else None,
        metrics.rate_of_rise_c_per_min,
        metrics.phase.value,
        metrics.development_time_percent,
    )


class _Progress:
    """Prints a live progress line: rewritten in place on a terminal, every 30 s otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self._last_line_s = -1e9

    def __call__(self, status: RoastStatus) -> None:
        line = _progress_line(status)
        if self.live:
            self.stream.write("\r" + line.ljust(100))
            self.stream.flush()
            return
        now = status.sensors.monotonic_s if status.sensors else 0.0
        if now - self._last_line_s >= 30.0:
            self._last_line_s = now
            self.stream.write(line + "\n")

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")


def summarize(status: RoastStatus) -> dict[str, Any]:
    """Return the JSON summary of a finished roast."""
    metrics = status.metrics
    by_type = {event.type: event for event in status.events}
    events: dict[str, Any] = {}
    for kind in SUMMARY_EVENTS:
        event = by_type.get(kind)
        events[kind.value] = (
            None
            if event is None
            else {
                "time_s": round(event.elapsed_s, 1),
                "time": format_mmss(event.elapsed_s),
                "bean_temp_c": event.bean_temp_c,
                "source": event.source.value,
            }
        )
    return {
        "events": events,
        "phases": {
            "drying_s": metrics.drying_time_s,
            "maillard_s": metrics.maillard_time_s,
            "development_s": metrics.development_time_s,
            "drying_percent": metrics.drying_percent,
            "maillard_percent": metrics.maillard_percent,
            "development_percent": metrics.development_time_percent,
        },
        "dtr_percent": metrics.development_time_percent,
        "total_duration_s": metrics.total_duration_s,
        "auc_c_min": metrics.auc_c_min,
        "samples": status.connection.samples,
        "poll_errors": status.connection.poll_errors,
    }


def _print_table(summary: dict[str, Any], stream: TextIO) -> None:
    stream.write("\nevent        time    BT (C)\n")
    for name, event in summary["events"].items():
        if event is None:
            stream.write(f"{name:<10}   --:--      ---\n")
        else:
            stream.write(f"{name:<10}   {event['time']}   {event['bean_temp_c']:6.1f}\n")
    phases = summary["phases"]
    stream.write(
        f"\ndrying {phases['drying_percent']}%  maillard {phases['maillard_percent']}%  "
        f"development {phases['development_percent']}%  DTR {summary['dtr_percent']}%  "
        f"samples {summary['samples']}\n"
    )


def run_simulate(config: ServerConfig, speed: float, seed: int | None, as_json: bool) -> int:
    """Run ``roastctl simulate``; return the exit code."""
    # The scripted recipe is simulate's alone: the other commands do not load it.
    from roastctl.agents.recipe import run_scripted_roast

    if seed is not None:
        config = config.model_copy(
            update={"simulator": config.simulator.model_copy(update={"seed": seed})}
        )
    # Stepped by the script and paced to real time: every sample is taken whatever the load.
    clock = PacedClock(speed)
    roaster = SimulatedRoaster(config.simulator, clock)
    store = RoastStore(config.store.path)
    manager = RoastSessionManager(
        roaster, config, clock=clock, background_polling=False, store=store
    )
    progress = _Progress(sys.stderr)
    manager.start_session()
    try:
        with safe_on_exit(manager, "roastctl simulate"):
            final = run_scripted_roast(manager, roaster, on_progress=progress)
            roast_id = manager.roast_id
    finally:
        progress.close()
        store.close()
    summary = summarize(final)
    summary["roast_id"] = roast_id
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        _print_table(summary, sys.stdout)
        sys.stdout.write(f"kept as roast {roast_id}: roastctl show {roast_id}\n")
    return 0


def _session_for(
    config: ServerConfig, speed: float
) -> tuple[RoastSessionManager, SimulatedRoaster | None]:
    """Build the manager for the configured driver; the simulator is returned for its tools."""
    driver = config.hardware.driver
    clock = SystemClock() if speed == 1.0 else ScaledClock(speed)
    if driver == "hottop":
        if speed != 1.0:
            raise ConfigError(f"--speed {speed} is for the simulator; a real Hottop runs at 1")
        from roastctl.hottop.driver import HottopRoaster

        hottop = HottopRoaster(
            config.hardware.port, baud=config.hardware.baud, timeout_s=config.hardware.timeout_s
        )
        return RoastSessionManager(hottop, config, store=RoastStore(config.store.path)), None
    if driver == "replay":
        return _replay_session(config, clock), None
    roaster = SimulatedRoaster(config.simulator, clock)
    manager = RoastSessionManager(roaster, config, clock=clock, store=RoastStore(config.store.path))
    return manager, roaster


def _replay_session(config: ServerConfig, clock: SystemClock | ScaledClock) -> RoastSessionManager:
    """Return a session on a recorded roast played back as the roaster (``driver = "replay"``)."""
    from roastctl.devices.replay import ReplayRoaster

    path = config.hardware.replay_file
    if path is None:
        raise ConfigError(
            "hardware.driver = 'replay' needs hardware.replay_file: the roast log to play "
            "(an .alog, for example); set ROASTCTL_HARDWARE__REPLAY_FILE or edit roastctl.toml"
        )
    try:
        roaster = ReplayRoaster(path, clock)
    except ValueError as exc:  # a RoastFileError from the loader, or a log it cannot play
        raise ConfigError(f"hardware.replay_file {str(path)!r} cannot be played: {exc}") from exc
    return RoastSessionManager(roaster, config, clock=clock, store=RoastStore(config.store.path))


def run_ports(stream: TextIO) -> int:
    """Run ``roastctl ports``: list serial ports, likely Hottop adapters first."""
    from roastctl.hottop.driver import list_ports

    candidates = list_ports()
    if not candidates:
        stream.write("no serial ports found; is the Hottop's USB cable plugged in?\n")
        return 1
    for candidate in candidates:
        mark = "*" if candidate.known_adapter else " "
        usb_id = candidate.usb_id or "-"
        stream.write(f"{mark} {candidate.device:<28} {usb_id:<10} {candidate.description}\n")
    stream.write("(* = a USB-serial adapter model used by Hottops)\n")
    return 0


def _ws_max_size(artisan: bool) -> int | None:
    """Return the largest WebSocket message uvicorn buffers: Artisan's limit, with room."""
    if not artisan:
        return None
    from roastctl.artisan.protocol import MAX_MESSAGE_BYTES

    return 2 * MAX_MESSAGE_BYTES  # the endpoint closes with 1009 above MAX_MESSAGE_BYTES


def run_serve(
    config: ServerConfig,
    *,
    http: bool,
    host: str,
    port: int,
    speed: float,
    role: Role = Role.OPERATOR,
    artisan: bool = False,
) -> int:
    """Run ``roastctl serve``; return the exit code.

    ``artisan`` (or ``[artisan] enabled``) adds Artisan's WebSocket endpoint to the HTTP server.
    """
    from roastctl.mcp.server import build_http_app, run_stdio  # the MCP SDK loads only here

    if http and role is not Role.OPERATOR:
        raise ConfigError(
            f"--role {role.value} applies to stdio only: over HTTP each request's token decides "
            "its role. Create an observer token (roastctl token create --role observer) instead."
        )
    artisan = artisan or config.artisan.enabled
    if artisan and not http:
        raise ConfigError(
            "--artisan (or [artisan] enabled) needs --http: Artisan connects over WebSocket to "
            "the HTTP server. Run 'roastctl serve --http --artisan'."
        )
    # Decided before the roaster is touched: a refused address starts nothing.
    access = http_access(config, host, port) if http else stdio_access(role)
    manager, roaster = _session_for(config, speed)
    manager.use_dead_man_default(SERVE_DEAD_MAN_S)
    try:
        if not http:
            with safe_on_exit(manager, "roastctl serve"):
                run_stdio(manager, simulator=roaster, access=access)
            return 0
        from roastctl.web import dashboard_routes
        from roastctl.web.http_serve import http_server

        routes = dashboard_routes(manager)
        if artisan:
            from roastctl.artisan.endpoint import artisan_routes

            routes = [*artisan_routes(manager, access), *routes]
        app = build_http_app(manager, simulator=roaster, host=host, routes=routes, access=access)
        server = http_server(app, host, port, ws_max_size=_ws_max_size(artisan))
        sys.stderr.write(f"roastctl: serving MCP at http://{host}:{port}/mcp\n")
        sys.stderr.write(f"roastctl: dashboard at http://{host}:{port}/\n")
        if artisan:
            sys.stderr.write(
                f"roastctl: Artisan's WebSocket roaster at ws://{host}:{port}/artisan "
                "(with tokens: /artisan/<token>)\n"
            )
        sys.stderr.write(f"roastctl: {describe_access(access)}\n")
        # The signal handler cuts the heat at once and asks the server to stop; the server closes
        # its open streams rather than waiting for the clients (see roastctl.web.http_serve).
        with safe_on_exit(manager, "roastctl serve", stop_loop=server.request_exit):
            server.run()
        return 0
    finally:
        if manager.store is not None:
            manager.store.close()


def _demo_progress(stream: TextIO) -> Callable[[dict[str, Any]], None]:
    live = stream.isatty()
    last = [-1e9]

    def show(status: dict[str, Any]) -> None:
        roaster = status.get("roaster")
        line = _format_progress(
            status.get("roast_elapsed_display"),
            (
                roaster["bean_temp_c"],
                roaster["env_temp_c"],
                roaster["heat_percent"],
                roaster["fan_percent"],
            )
            if roaster
            else None,
            status.get("rate_of_rise_c_per_min"),
            str(status.get("phase")),
            status.get("development_time_percent"),
        )
        if live:
            stream.write("\r" + line.ljust(100))
            stream.flush()
        elif status.get("samples", 0) - last[0] >= 60:
            last[0] = status.get("samples", 0)
            stream.write(line + "\n")

    return show


def run_demo_command(speed: float) -> int:
    """Run ``roastctl demo``; return the exit code."""
    import anyio

    from roastctl.agents.demo import run_demo

    final, agent = anyio.run(run_demo, speed, _demo_progress(sys.stderr))
    sys.stderr.write("\n")
    out = sys.stdout
    out.write("\nevent        time    BT (C)   source\n")
    for event in final.get("events", []):
        bean = event["bean_temp_c"] or 0.0
        out.write(
            f"{event['type']:<10}   {_mmss(event['elapsed_s'])}   {bean:6.1f}   {event['source']}\n"
        )
    out.write(
        f"\ndevelopment {final.get('development_time_s')} s  "
        f"DTR {final.get('development_time_percent')}%  samples {final.get('samples')}  "
        f"MCP tool calls {agent.calls}\n"
    )
    out.write("\nagent decisions:\n" + "".join(f"  {line}\n" for line in agent.policy.log))
    return 0


def run_follow_demo_command(speed: float, ref: str) -> int:
    """Run ``roastctl demo --follow REF``; return the exit code."""
    import anyio

    from roastctl.agents.follow_demo import run_follow_demo

    result, agent = anyio.run(run_follow_demo, speed, ref, _demo_progress(sys.stderr))
    sys.stderr.write("\n")
    out = sys.stdout
    final = result.final
    out.write(
        f"\nfollowed {result.reference.name} (its DROP at {_mmss(result.reference.drop_s)})\n"
    )
    out.write(
        "\nagent readings (every 20 s):\n" + "".join(f"  {line}\n" for line in agent.follow.log)
    )
    out.write("\nevent        time    BT (C)   source\n")
    for event in final.get("events", []):
        bean = event["bean_temp_c"] or 0.0
        out.write(
            f"{event['type']:<10}   {_mmss(event['elapsed_s'])}   {bean:6.1f}   {event['source']}\n"
        )
    rmse = "n/a" if result.rmse_c is None else f"{result.rmse_c:.2f} C"
    dtr = result.dtr_percent
    out.write(
        f"\nBT RMSE against the reference, {result.rmse_from} to DROP: {rmse} "
        f"({result.rmse_samples} samples)\n"
        f"DTR reached {'n/a' if dtr is None else f'{dtr:.1f}'} %  "
        f"samples {final.get('samples')}  MCP tool calls {agent.calls}\n"
    )
    calls = ", ".join(f"{tool} {n}" for tool, n in sorted(agent.calls_by_tool.items()))
    out.write(f"calls by tool: {calls}\n")
    return 0


def _mmss(seconds: float) -> str:
    return format_mmss(seconds) or "--:--"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``roastctl`` console script."""
    parser = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["emulate-hottop"]:
        from roastctl.hottop.emulator import main as emulate_main

        return emulate_main(arguments[1:])  # the emulator has its own options and --help
    args = parser.parse_args(arguments)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        config = load_config(args.config)
        if args.command == "simulate":
            return run_simulate(config, args.speed, args.seed, args.json)
        if args.command == "serve":
            return run_serve(
                config,
                http=args.http,
                host=args.host,
                port=args.port,
                speed=args.speed,
                role=Role(args.role),
                artisan=args.artisan,
            )
        if args.command == "demo":
            if args.follow is not None:
                return run_follow_demo_command(args.speed, args.follow)
            return run_demo_command(args.speed)
        if args.command == "ports":
            return run_ports(sys.stdout)
        if args.command == "analyze":
            return run_analyze(args, sys.stdout)
        if args.command == FORECAST_FIT_COMMAND:
            return run_forecast_fit(args, sys.stdout)
        if args.command in TWIN_COMMANDS:
            return run_twin_command(args, sys.stdout)
        if args.command == ARTISAN_SETUP_COMMAND:
            return run_artisan_setup(args, sys.stdout, sys.stderr)
        if args.command == TOKEN_COMMAND:
            return run_token_command(args, config, sys.stdout)
        if args.command in ROAST_COMMANDS:
            return run_roast_command(args, config, sys.stdout)
    except RoasterError as exc:
        sys.stderr.write(f"roastctl: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("roastctl: interrupted\n")
        return 130
    parser.error(f"unknown command {args.command!r}")
    return 2  # pragma: no cover - parser.error exits


if __name__ == "__main__":
    raise SystemExit(main())
