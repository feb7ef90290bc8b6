"""The hot path of `POST /api/v1/alerts`, in front of Litestar.

Measured on 2 cores (bench/ingest.py, storage switched off): Litestar's route machinery (a copy
of the handler per guard call, the signature model, dependency injection, response objects) made
the event loop spend ~117 us per alert where the bare ceiling app spends ~57, so irbox could not
pass half of the ceiling even before storing anything. This path serves the ordinary ingest
itself with the same parts: the guard's `authorize`, the same `AlertIn` model, the same service
call, the same response body; a refusal by the guard or the service (401, 403, 423, 429, a 400
from validation, a 503) leaves through the same rendering as the route's (`api.errors`). What
needs Litestar is handed on untouched (the body replayed) to the route, which also documents
the operation in OpenAPI: a missing or unusual Content-Length or Content-Type, a body that does
not decode into the model (Litestar names the fields), and any unexpected exception (nothing
has been written then)."""

from __future__ import annotations

import msgspec
from litestar.datastructures import State

from irbox.alerts.models import AlertIn
from irbox.errors import DomainError
from irbox.web.api import API_PREFIX
from irbox.web.api.alerts import WRITE, AlertsController
from irbox.web.asgi import (
    ASGIApp,
    Receive,
    Scope,
    Send,
    header,
    is_json,
    replay_body,
    send_bytes,
)
from irbox.web.errors import send_domain_error
from irbox.web.guard import authorize

_PATH = API_PREFIX + AlertsController.path  # the ingest route's own path
PATHS = frozenset({_PATH, _PATH + "/"})
_decode = msgspec.json.Decoder(AlertIn).decode
_encode = msgspec.json.Encoder().encode


class IngestFastPath:
    def __init__(self, app: ASGIApp, state: State, max_body: int) -> None:
        self.app = app
        self.state = state
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] not in PATHS
            or not is_json(scope)
            or not 0 < _content_length(scope) <= self.max_body
        ):
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        if not complete:  # the client went away mid-body: there is nobody to answer
            return
        try:
            authorize(self.state, WRITE, scope)
            data = _decode(body)
            result = await self.state.services.alerts.ingest(data, scope["irbox_principal"].actor)
        except DomainError as exc:
            await send_domain_error(send, exc)
            return
        except Exception:
            await self.app(scope, replay_body(body, receive), send)
            return
        await send_bytes(send, 200 if result.deduplicated else 201, _encode(result))


def _content_length(scope: Scope) -> int:
    value = header(scope, b"content-length")
    return int(value) if value is not None and value.isdigit() else -1


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"", False
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), True
