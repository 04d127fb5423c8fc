"""End what was let in without a token once a token is required: the live stream, mainly.

A request admitted while a server had no tokens was checked once, when it arrived. A page's event
stream lives on for hours, so a token created meanwhile would not reach it: the stream would keep
showing the roast to whoever opened it. :func:`disconnect_when` gives such a request a ``receive``
that also reports the client as gone once ``condition()`` holds (looked at every second); the
streaming response then stops. The browser reconnects by itself and meets the token check.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]

#: Real seconds between two looks at the condition.
CHECK_INTERVAL_S = 1.0


def disconnect_when(
    receive: Receive, condition: Callable[[], bool], interval_s: float = CHECK_INTERVAL_S
) -> Receive:
    """Return ``receive``, except that it answers ``http.disconnect`` once ``condition()``."""

    async def watched() -> Message:
        if condition():
            return {"type": "http.disconnect"}
        result: Message = {"type": "http.disconnect"}
        async with anyio.create_task_group() as group:

            async def wait_for_client() -> None:
                nonlocal result
                result = await receive()
                group.cancel_scope.cancel()

            async def watch() -> None:
                while not condition():
                    await anyio.sleep(interval_s)
                group.cancel_scope.cancel()

            group.start_soon(wait_for_client)
            group.start_soon(watch)
        return result

    return watched


__all__ = ["CHECK_INTERVAL_S", "disconnect_when"]
