"""The page's controls: ``POST /api/control/<name>``, for operators only.

Every command goes through the same :class:`~roastctl.session.manager.RoastSessionManager` method
an MCP tool uses, so validation, the safety supervisor and the command log apply alike; the log
names the caller ``dashboard`` and the role and token name of whoever pressed the button. Only an
operator may press them (:mod:`roastctl.web.access_gate` finds out who a request is; without
tokens, only this machine is). A POST from a page of another origin is refused, so a web site
open in the same browser cannot press the buttons.

Refusals answer with JSON ``{"error": ...}`` naming the value, what is allowed and what to do;
nothing changes on a refusal. The emergency stop never waits for another command: it runs on a
thread pool of its own and the manager's stop does not take the command lock.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from roastctl.access.caller import calling_as
from roastctl.access.roles import may_control, refusal_text
from roastctl.errors import InvalidCommandError, RoasterError
from roastctl.models import RoastStatus
from roastctl.session.manager import RoastSessionManager
from roastctl.web.access_gate import caller_of, principal_of
from roastctl.web.dashboard_status import dashboard_status
from roastctl.web.feed import LiveFeed
from roastctl.web.status_codes import describe, status_for

Handler = Callable[[Request], Awaitable[JSONResponse]]
Action = Callable[[dict[str, Any]], object]


def is_operator(request: Request) -> bool:
    """Whether the client may drive the roaster (its role, as the access gate found it)."""
    return may_control(principal_of(request).role)


def same_origin(request: Request) -> bool:
    """Whether a POST comes from this server's own page (or from no page at all, like curl)."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return origin in (f"http://{host}", f"https://{host}")


def error(status_code: int, message: str) -> JSONResponse:
    """Return a refusal: ``{"error": message}`` with ``status_code``."""
    return JSONResponse({"error": message}, status_code=status_code)


class RequestRefused(InvalidCommandError):
    """A request the page layer refuses before any session command runs (so it logs it)."""


async def _body(request: Request, allowed: tuple[str, ...]) -> dict[str, Any]:
    """Read the JSON object a control takes; refuse anything else, as MCP refuses arguments."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except RecursionError:
        raise RequestRefused(
            "the request body is nested too deeply to read; send a flat JSON object such as "
            '{"percent": 50}'
        ) from None
    except ValueError as exc:
        raise RequestRefused(
            f'the request body is not JSON ({exc}); send an object such as {{"percent": 50}}'
        ) from None
    if not isinstance(body, dict):
        raise RequestRefused(
            f"the request body must be a JSON object, got {type(body).__name__}; "
            'send e.g. {"percent": 50}'
        )
    unknown = [key for key in body if key not in allowed]
    if unknown:
        keys = ", ".join(repr(key[:40]) for key in unknown[:5])
        expected = ", ".join(allowed) if allowed else "none (send {} or no body)"
        raise RequestRefused(
            f"unknown key {keys} in the request body; allowed keys: {expected}. "
            "Nothing was changed."
        )
    return body


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name)
    if not isinstance(value, bool):
        raise RequestRefused(
            f'{name} must be true or false, got {value!r}; send e.g. {{"{name}": true}}'
        )
    return value


class Controls:
    """The control endpoints for one manager."""

    def __init__(self, manager: RoastSessionManager, feed: LiveFeed) -> None:
        """Drive ``manager``; answers carry the readouts from ``feed``."""
        self.manager = manager
        self.feed = feed
        # The emergency stop gets threads of its own: stuck commands cannot hold it up.
        self._stop_limiter = anyio.CapacityLimiter(4)

    def routes(
        self, extra: Mapping[str, tuple[Action, tuple[str, ...]]] | None = None
    ) -> list[Route]:
        """Return the POST routes under ``/api/control/``, with ``extra`` controls beside them.

        ``extra`` maps a control's name to its action and the body keys it takes (the Follow
        panel's, :func:`roastctl.web.follow_controls.follow_actions`).
        """
        # Each control with the body keys it takes (any other key is refused).
        actions: dict[str, tuple[Action, tuple[str, ...]]] = {
            "heat": (self._heat, ("percent",)),
            "fan": (self._fan, ("percent",)),
            "drum": (self._drum, ("on",)),
            "drop": (lambda _body: self.manager.drop_beans(), ()),
            "cooling": (self._cooling, ("on",)),
            "first-crack": (
                lambda _body: self.manager.report_first_crack(self.manager.clock.now()),
                (),
            ),
            "clear-fault": (lambda _body: self.manager.clear_fault(), ()),
            **(extra or {}),
        }
        routes = [
            Route(f"/api/control/{name}", self._endpoint(name, action, keys), methods=["POST"])
            for name, (action, keys) in actions.items()
        ]
        routes.append(Route("/api/control/emergency-stop", self._emergency_stop, methods=["POST"]))
        return routes

    # The session checks the values itself, inside its command log: a refusal is kept there.
    def _heat(self, body: dict[str, Any]) -> None:
        self.manager.set_heat(body.get("percent"))  # type: ignore[arg-type]

    def _fan(self, body: dict[str, Any]) -> None:
        self.manager.set_fan(body.get("percent"))  # type: ignore[arg-type]

    def _drum(self, body: dict[str, Any]) -> None:
        if _flag(body, "on"):
            self.manager.start_roaster()
        else:
            self.manager.stop_roaster()

    def _cooling(self, body: dict[str, Any]) -> None:
        if _flag(body, "on"):
            self.manager.start_cooling()
        else:
            self.manager.stop_cooling()

    def _refusal(self, request: Request) -> JSONResponse | None:
        principal = principal_of(request)
        if not may_control(principal.role):
            action = f"{request.method} {request.url.path}"
            return error(403, refusal_text(action, principal.role))
        if not same_origin(request):
            return error(
                403,
                f"refused a command from another site (Origin {request.headers.get('origin')}); "
                "use the dashboard's own page",
            )
        return None

    async def _after(
        self, *, read: bool = True, limiter: anyio.CapacityLimiter | None = None
    ) -> dict[str, Any]:
        """Return the readouts after a command: with a fresh reading, as the MCP tools answer."""

        def look() -> RoastStatus:
            if read:
                self.manager.poll_once()  # the command's effect, not the reading before it
            return self.feed.refresh(force=True)

        status = await anyio.to_thread.run_sync(look, limiter=limiter)
        return dashboard_status(self.manager, status)

    def _endpoint(self, name: str, action: Action, keys: tuple[str, ...]) -> Handler:
        async def endpoint(request: Request) -> JSONResponse:
            refused = self._refusal(request)
            if refused is not None:
                return refused
            caller = caller_of(request)
            body: dict[str, Any] = {}
            try:
                body = await _body(request, keys)

                def run() -> object:
                    # Set on the worker thread: the command log reads it there.
                    with calling_as(caller):
                        return action(body)

                await anyio.to_thread.run_sync(run)
            except RequestRefused as exc:
                with calling_as(caller):
                    self.manager.record_refusal(f"dashboard {name}", body, str(exc))
                return error(400, str(exc))
            except RoasterError as exc:
                return error(status_for(exc), describe(exc))
            return JSONResponse({"ok": True, "status": await self._after()})

        return endpoint

    async def _emergency_stop(self, request: Request) -> JSONResponse:
        refused = self._refusal(request)
        if refused is not None:
            return refused

        caller = caller_of(request)

        def run() -> list[str]:
            with calling_as(caller):
                return self.manager.emergency_stop()

        failures = await anyio.to_thread.run_sync(run, limiter=self._stop_limiter)
        # A device that did not confirm is not read again for the answer (it may hang).
        status = await self._after(read=not failures, limiter=self._stop_limiter)
        return JSONResponse({"ok": True, "failures": failures, "status": status})


__all__ = ["Action", "Controls", "RequestRefused", "is_operator", "same_origin"]
