"""A cap on every dashboard request body, enforced before the body is read.

The process serving the pages also runs the safety supervisor, so no client, logged in or not,
may make it buffer a large body. Every dashboard body (a login form, a control's JSON) fits in a
few hundred bytes; anything over :data:`MAX_BODY_BYTES` is refused with 413: at once when
``Content-Length`` declares it, or as soon as the running count of a chunked body passes the cap.
Within the cap, the body is read here and handed to the route as if it came off the wire.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.responses import JSONResponse

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: The largest body any dashboard route accepts, in bytes.
MAX_BODY_BYTES = 4096


def declared_length(scope: Scope) -> int | None:
    """Return the request's ``Content-Length``, or ``None`` when absent or not a number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            # Digits only, and few of them: int() of a huge header would itself be the attack.
            if text.isascii() and text.isdigit() and len(text) <= 18:
                return int(text)
            return None
    return None


def too_large(size: str, limit: int = MAX_BODY_BYTES) -> JSONResponse:
    """Return the 413 answer for a body of ``size`` (text such as ``"5000 bytes"``)."""
    return JSONResponse(
        {
            "error": f"the request body is {size}; the dashboard accepts at most {limit} bytes. "
            'Nothing was read or changed. Send a small JSON object such as {"percent": 50} '
            "(or the login form's token)."
        },
        status_code=413,
        # Closing is how the rest of the body is left unread.
        headers={"Connection": "close"},
    )


async def bounded_receive(
    scope: Scope, receive: Receive, send: Send, limit: int = MAX_BODY_BYTES
) -> Receive | None:
    """Read the body (at most ``limit`` bytes) and return a ``receive`` that replays it.

    Returns ``None`` when the request was answered here instead: 413 for a body over the cap,
    or nothing at all when the client went away while sending.
    """
    declared = declared_length(scope)
    if declared is not None and declared > limit:
        await too_large(f"{declared} bytes", limit)(scope, receive, send)
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        body = message.get("body", b"")
        size += len(body)
        if size > limit:
            await too_large(f"more than {limit} bytes", limit)(scope, receive, send)
            return None
        chunks.append(body)
        if not message.get("more_body", False):
            break
    return _replay(b"".join(chunks), receive)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Return a ``receive`` that gives ``body`` once, then passes on (to see a disconnect)."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


__all__ = ["MAX_BODY_BYTES", "bounded_receive", "declared_length", "too_large"]
