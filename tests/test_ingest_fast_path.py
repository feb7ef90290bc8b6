"""The ingest fast path in front of Litestar: it answers an ordinary alert and the guard's and
the service's refusals itself, and hands what needs Litestar on to the route with the body
intact. Real services over a real data
dir; the stand-in for the Litestar app only records what reaches it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.datastructures import State

from irbox.alerts.models import AlertFilter
from irbox.services import Services
from irbox.web.asgi import Message, send_bytes
from irbox.web.guard import RATE_TAKEN
from irbox.web.ingest_path import IngestFastPath
from irbox.web.ratelimit import RateLimiter
from tests.harness import Server, alert

MAX_BODY = 64 * 1024


class Route:
    """Stands where the Litestar app stands: keeps each request's scope and whole body."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], bytes]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.received.append((scope, body))
        await send_bytes(send, 418, b"{}")


@pytest.fixture
def served(
    fresh_server: Server,
) -> Iterator[tuple[IngestFastPath, Route, dict[str, str], Services]]:
    fresh_server.cli("init")  # a data dir with its first admin; no server needed
    tokens = {
        "writer": fresh_server.token(),
        "reader": fresh_server.token(scopes="alerts:read", name="reader"),
    }
    services = Services(fresh_server.config())
    state = State({"services": services, "rate_limiter": RateLimiter(6000, 1000)})
    route = Route()
    try:
        yield IngestFastPath(route, state, MAX_BODY), route, tokens, services
    finally:
        services.close()


def call(
    app: IngestFastPath,
    body: bytes,
    token: str | None,
    content_type: str | None = "application/json",
    length: bool = True,
    chunk: int = 1 << 30,
) -> tuple[int, bytes]:
    headers = [(b"authorization", f"Bearer {token}".encode())] if token else []
    if content_type:
        headers.append((b"content-type", content_type.encode()))
    if length:
        headers.append((b"content-length", str(len(body)).encode()))
    scope = {"type": "http", "method": "POST", "path": "/api/v1/alerts", "headers": headers}
    scope["client"] = ("127.0.0.1", 5000)
    parts = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
    incoming = [
        {"type": "http.request", "body": p, "more_body": i < len(parts) - 1}
        for i, p in enumerate(parts)
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], sent[1]["body"]


def test_an_ordinary_alert_is_stored_and_answered_without_the_route(served) -> None:
    app, route, tokens, services = served
    body = json.dumps(alert("fast")).encode()
    status, answer = call(app, body, tokens["writer"], chunk=100)  # a body in several parts
    created = json.loads(answer)
    assert status == 201 and created["deduplicated"] is False
    assert services.alerts.get(created["id"]).external_id == "ext-fast"
    status, answer = call(
        app, body, tokens["writer"], content_type="application/json; charset=utf-8"
    )
    assert (status, json.loads(answer)) == (200, {**created, "deduplicated": True})
    assert route.received == []


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("no token", 401, "unauthorized"),
        ("unknown token", 401, "unauthorized"),
        ("token without alerts:write", 403, "forbidden"),
        ("an invalid alert", 400, "validation_error"),
    ],
)
def test_refusals_leave_in_the_api_error_shape_without_the_route(
    served, case: str, status: int, code: str
) -> None:
    app, route, tokens, services = served
    body = json.dumps(alert("refused")).encode()
    token: str | None = tokens["writer"]
    if case == "no token":
        token = None
    elif case == "unknown token":
        token = "irb_" + "x" * 40
    elif case == "token without alerts:write":
        token = tokens["reader"]
    elif case == "an invalid alert":
        body = json.dumps({**alert("refused"), "severity": "apocalyptic"}).encode()
    answered, answer = call(app, body, token)
    refusal = json.loads(answer)
    assert (answered, refusal["error"]) == (status, code)
    assert set(refusal) == {"error", "message", "details"}
    if case == "an invalid alert":
        assert set(refusal["details"]) == {"severity"}
    assert route.received == []
    assert services.alerts.list(AlertFilter(), None, 10).items == []  # nothing was written


@pytest.mark.parametrize(
    "case",
    [
        "not JSON",
        "a field of the wrong type",
        "text/plain",
        "no Content-Type",
        "no Content-Length",
        "over the body limit",
    ],
)
def test_what_needs_litestar_reaches_the_route_with_its_body(served, case: str) -> None:
    app, route, tokens, services = served
    body = json.dumps(alert("other")).encode()
    kwargs: dict[str, Any] = {}
    if case == "not JSON":
        body = b"{not json"
    elif case == "a field of the wrong type":
        body = json.dumps({**alert("other"), "observables": "1.2.3.4"}).encode()
    elif case == "text/plain":
        kwargs["content_type"] = "text/plain"
    elif case == "no Content-Type":
        kwargs["content_type"] = None
    elif case == "no Content-Length":
        kwargs["length"] = False
    elif case == "over the body limit":
        body = json.dumps({**alert("other"), "description": "x" * MAX_BODY}).encode()
    status, _ = call(app, body, tokens["writer"], **kwargs)
    assert status == 418
    assert [b for _, b in route.received] == [body]
    assert services.alerts.list(AlertFilter(), None, 10).items == []  # nothing was written


def test_a_request_handed_on_after_its_rate_token_is_not_charged_again(served) -> None:
    app, route, tokens, _ = served
    call(app, b"{not json", tokens["writer"])
    ((handed_on, _),) = route.received
    assert handed_on.get(RATE_TAKEN) is True and handed_on["irbox_key_id"]
