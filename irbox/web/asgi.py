"""ASGI plumbing shared by the middlewares: small helpers over scope, receive and send."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any, cast

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return cast(bytes, value).decode("latin-1")
    return None


def is_json(scope: Scope) -> bool:
    """Whether the request says its body is JSON (`application/json`, any parameters)."""
    kind = header(scope, b"content-type")
    return kind is not None and kind.split(";", 1)[0].strip().lower() == "application/json"


def client_ip(scope: Mapping[str, Any]) -> str | None:
    client = scope.get("client")
    return client[0] if client else None


async def send_bytes(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    all_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send(
        {"type": "http.response.start", "status": status, "headers": all_headers + (headers or [])}
    )
    await send({"type": "http.response.body", "body": body})


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A `receive` that yields a body already read, then whatever the client sends next."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def replaying() -> Message:
        return pending.pop() if pending else await receive()

    return replaying
