"""Lingering close: after answering a request whose body it did not read to the end (a refusal
before the body, a 413 in the middle of an upload), the server reads and discards what the
client is still sending, for a bounded time and size, before the connection closes.

Why: HTTP clients such as httpx and requests (what most SIEM and SOAR integrations are written
in) write the whole body before they read the answer. A server that closes with unread bytes
in its socket makes the kernel send a reset, and such a client reports "server disconnected"
instead of the 413 or 401 it was sent; an integration that sees a connection error retries,
forever. nginx does the same (`lingering_close`). Nothing is kept: each chunk is dropped as it
arrives, so memory stays flat however many connections linger.

A request that asked `Expect: 100-continue` is left alone: its body comes only after a 100, and
no 100 is sent once the answer went out."""

from __future__ import annotations

import asyncio
import time

from irbox.web.asgi import ASGIApp, Message, Receive, Scope, Send, header

LINGER_S = 30.0  # at most this long in all (nginx's lingering_time)
LINGER_IDLE_S = 5.0  # nor longer than this without a byte (nginx's lingering_timeout)
LINGER_BYTES = 1 << 30  # nor more than this many bytes


class LingeringClose:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _expects_continue(scope):
            await self.app(scope, receive, send)
            return
        body_done = False

        async def tracked_receive() -> Message:
            nonlocal body_done
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        await self.app(scope, tracked_receive, send)
        if not body_done:  # (a GET's empty body ends at once; the loop below sees that)
            await _discard_rest(receive)


async def _discard_rest(receive: Receive) -> None:
    deadline = time.monotonic() + LINGER_S
    discarded = 0
    while discarded <= LINGER_BYTES:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        try:
            message = await asyncio.wait_for(receive(), min(left, LINGER_IDLE_S))
        except TimeoutError:
            return
        if message["type"] != "http.request":
            return
        discarded += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _expects_continue(scope: Scope) -> bool:
    value = header(scope, b"expect")
    return value is not None and value.strip().lower() == "100-continue"
