"""`Idempotency-Key` on POST: a retry with the same key and body within 24 h replays the first
response (with `Idempotent-Replayed: true`); another body, or the same key still in flight, is a
409 `idempotency_conflict`. Keys are scoped to the caller's credentials.

The request body is spooled (memory up to 1 MiB, then a temp file) so that it can be hashed
before the handler runs; the response is stored before it is sent, so a replay never disagrees
with what the first caller saw. A request in flight is known to its node from its first byte,
and as a row (status in flight) once its body is read, so a retry sent to another node serving
the same database is refused as well. While it runs, its node renews that row every quarter of
`idempotency_lease_s` (2 minutes); a node that died with one in flight leaves it for a lease,
then a retry runs. Rate-limit, lock, auth
and server errors are not stored: they are not the outcome of the request, and a retry should
try again. Each write the request makes also records, in its own transaction, that the request
was applied: if the server stops (or the handler fails) after that and before the response is
saved, a retry gets a 409 saying so rather than applying the request twice.

Only requests the gate authorized take part (a replay never answers a caller who would be
refused now: a revoked key gets 401, a locked org 423, before any record is looked at). A route
whose answer carries a secret shown once (a new key's token, a generated password, a webhook's
secret) names those fields in its `opt` (`withheld_on_replay`): they are stored as null, and a
replay says which it withheld (`Idempotent-Withheld: token`), so no secret lies at rest here."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import tempfile
from collections.abc import Callable

from irbox.idempotency.records import IdempotencyStore, StoredResponse
from irbox.web.asgi import ASGIApp, Message, Receive, Scope, Send, header, send_bytes
from irbox.web.errors import error_body
from irbox.web.gate import ROUTE_OPT
from irbox.web.guard import AUTHORIZED

log = logging.getLogger("irbox.web.api")

CHUNK = 64 * 1024
# Where a stored answer notes the fields it withheld; taken out again when replayed.
WITHHELD_KEY = "__irbox_withheld"
NOT_STORED = {401, 403, 409, 423, 429}


class IdempotencyMiddleware:
    def __init__(
        self, app: ASGIApp, store: Callable[[], IdempotencyStore], max_body: Callable[[], int]
    ) -> None:
        self.app = app
        self.store = store
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = header(scope, b"idempotency-key") if scope["type"] == "http" else None
        if key is None or scope.get("method") != "POST" or not scope.get(AUTHORIZED):
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= 255 or not key.isprintable():
            body = error_body(
                "validation_error",
                "invalid Idempotency-Key",
                {"Idempotency-Key": "1 to 255 printable characters"},
            )
            await send_bytes(send, 400, body)
            return
        store = self.store()
        credentials = header(scope, b"authorization") or ""
        slot = (hashlib.sha256(credentials.encode()).hexdigest(), key)
        if slot in store.in_flight:  # on this node: known before the body is read
            body = error_body(
                "idempotency_conflict", "a request with this Idempotency-Key is still in flight"
            )
            await send_bytes(send, 409, body)
            return
        store.in_flight.add(slot)
        spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 - closed below
        try:
            digest = await self._spool(scope, receive, spool)
            if digest is None:
                body = error_body("payload_too_large", "the request body is too large")
                await send_bytes(send, 413, body)
                return
            stored = await store.begin(*slot, digest)
            if stored is None:
                await self._first_time(scope, receive, send, store, slot, digest, spool)
            elif stored.in_flight:
                body = error_body(
                    "idempotency_conflict", "a request with this Idempotency-Key is still in flight"
                )
                await send_bytes(send, 409, body)
            elif stored.request_hash != digest:
                body = error_body(
                    "idempotency_conflict", "this Idempotency-Key was used with a different request"
                )
                await send_bytes(send, 409, body)
            elif stored.lost:
                body = error_body(
                    "idempotency_conflict",
                    "the request with this Idempotency-Key was applied, but its response was"
                    " not recorded (the server stopped or failed before answering); it is not"
                    " applied again",
                )
                await send_bytes(send, 409, body)
            else:
                await _replay(send, stored)
        finally:
            store.in_flight.discard(slot)
            spool.close()

    async def _spool(
        self, scope: Scope, receive: Receive, spool: tempfile.SpooledTemporaryFile[bytes]
    ) -> str | None:
        """Copy the body aside while hashing it with the method, path and query."""
        digest = hashlib.sha256(f"{scope['method']} {scope['path']}?".encode())
        digest.update(scope.get("query_string", b"") + b"\n")
        size, limit = 0, self.max_body()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            digest.update(chunk)
            spool.write(chunk)
            if not message.get("more_body", False):
                break
        spool.seek(0)
        return digest.hexdigest()

    async def _first_time(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        store: IdempotencyStore,
        slot: tuple[str, str],
        digest: str,
        spool: tempfile.SpooledTemporaryFile[bytes],
    ) -> None:
        body_done = False

        async def replay_body() -> Message:
            nonlocal body_done
            if body_done:
                return await receive()
            chunk = spool.read(CHUNK)
            more = len(chunk) == CHUNK
            body_done = not more
            return {"type": "http.request", "body": chunk, "more_body": more}

        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        # Made before `recording_applied`: its renewals are not the request's writes.
        renewing = asyncio.ensure_future(store.keep_in_flight(*slot))
        try:
            with store.recording_applied(*slot, digest):
                await self.app(scope, replay_body, capture)
        except BaseException:
            await _abandon(store, slot)
            raise
        finally:
            renewing.cancel()
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        if start is None or start["status"] >= 500 or start["status"] in NOT_STORED:
            await _abandon(store, slot)  # the retry runs again (unless the request wrote)
        else:
            body = b"".join(
                m.get("body", b"") for m in messages if m["type"] == "http.response.body"
            )
            content_type = next(
                (
                    v.decode("latin-1")
                    for k, v in start.get("headers", ())
                    if k.lower() == b"content-type"
                ),
                "application/json",
            )
            withheld = scope.get(ROUTE_OPT, {}).get("withheld_on_replay", ())
            try:
                stored = StoredResponse(
                    digest, start["status"], content_type, _withhold(body, withheld)
                )
                await store.save(*slot, stored)
            except Exception:
                log.warning("could not store the idempotent response for replay", exc_info=True)
        for message in messages:
            await send(message)


async def _abandon(store: IdempotencyStore, slot: tuple[str, str]) -> None:
    try:
        await store.abandon(*slot)
    except Exception:  # the record lapses after a lease instead
        log.warning("could not clear an idempotent request's in-flight record", exc_info=True)


def _withhold(body: bytes, fields: tuple[str, ...]) -> bytes:
    """The answer with each of `fields` (top-level, in a JSON object) set to null."""
    if not fields:
        return body
    answer = json.loads(body)
    if isinstance(answer, dict):
        for name in fields:
            if answer.get(name) is not None:
                answer[name] = None
                answer.setdefault(WITHHELD_KEY, []).append(name)
    return json.dumps(answer, separators=(",", ":")).encode()


async def _replay(send: Send, stored: StoredResponse) -> None:
    body = stored.body
    headers = [
        (b"content-type", stored.content_type.encode()),
        (b"idempotent-replayed", b"true"),
    ]
    if stored.content_type.startswith("application/json") and WITHHELD_KEY.encode() in body:
        answer = json.loads(body)
        if isinstance(answer, dict) and WITHHELD_KEY in answer:
            headers.append((b"idempotent-withheld", ",".join(answer.pop(WITHHELD_KEY)).encode()))
            body = json.dumps(answer, separators=(",", ":")).encode()
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
