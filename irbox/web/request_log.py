"""Outermost middleware: a request id on every response (`X-Request-Id`), and one structured log
line per request. Headers and bodies are never logged: they carry tokens and secrets."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from secrets import token_hex

from irbox.logs import LineLog
from irbox.operations.metrics import Metrics
from irbox.web.asgi import ASGIApp, Message, Receive, Scope, Send, header

log = LineLog("irbox.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
# Unique per process start plus a counter: as good as random for tracing, without a syscall.
_PREFIX = f"req_{token_hex(6)}"
_counter = itertools.count(1)


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp, metrics: Callable[[], Metrics] | None = None) -> None:
        self.app = app
        self.metrics = metrics  # the serving process's metrics, once its services exist

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = header(scope, b"x-request-id")
        request_id = (
            incoming if incoming and _SAFE_ID.match(incoming) else f"{_PREFIX}{next(_counter):08x}"
        )
        scope["irbox_request_id"] = request_id
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            if self.metrics is not None:
                route = scope.get("path_template")
                self.metrics().request(scope["method"], route, status, seconds)
            if log.enabled():
                log.info(
                    "request",
                    {
                        "request_id": request_id,
                        "method": scope.get("method"),
                        "route": scope.get("path"),
                        "status": status,
                        "duration_ms": round(seconds * 1000, 2),
                        "key_id": scope.get("irbox_key_id"),
                    },
                )
