"""Idempotency-Key: replay within 24 h, conflict on another body or while in flight."""

from __future__ import annotations

import asyncio
import json

import httpx
import msgspec
import pytest

from irbox.alerts.models import AlertFilter, AlertIn
from irbox.identity.principal import Actor
from irbox.services import Services
from irbox.store import idempotency as idempotency_table
from irbox.web.asgi import send_bytes
from irbox.web.guard import AUTHORIZED
from irbox.web.idempotency import IdempotencyMiddleware
from tests.harness import alert


def test_same_key_same_body_replays(api: httpx.Client, unique: str) -> None:
    headers = {"Idempotency-Key": f"k-{unique}"}
    first = api.post("/alerts", json=alert(unique), headers=headers)
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    again = api.post("/alerts", json=alert(unique), headers=headers)
    assert again.status_code == 201  # the first answer, not the dedup 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    # without the key, the same alert is a dedup, which proves the replay stored nothing new
    assert api.get(f"/alerts/{first.json()['id']}").json()["occurrences"] == 1


def test_same_key_other_body_conflicts(api: httpx.Client, unique: str) -> None:
    headers = {"Idempotency-Key": f"k-{unique}"}
    assert api.post("/alerts", json=alert(unique), headers=headers).status_code == 201
    r = api.post("/alerts", json=alert(f"{unique}-other"), headers=headers)
    assert r.status_code == 409 and r.json()["error"] == "idempotency_conflict"
    assert api.get("/alerts", params={"q": f"WS-{unique}-other"}).json()["items"] == []


def test_keys_are_per_caller(server, api: httpx.Client, unique: str) -> None:
    headers = {"Idempotency-Key": f"k-{unique}"}
    api.post("/alerts", json=alert(unique), headers=headers)
    with server.client(server.token(name="other")) as other:
        r = other.post("/alerts", json=alert(f"{unique}-b"), headers=headers)
        assert r.status_code == 201 and "idempotent-replayed" not in r.headers


def test_validation_errors_replay_too(api: httpx.Client, unique: str) -> None:
    headers = {"Idempotency-Key": f"k-{unique}"}
    first = api.post("/alerts", json=alert(unique, severity="nope"), headers=headers)
    again = api.post("/alerts", json=alert(unique, severity="nope"), headers=headers)
    assert first.status_code == again.status_code == 400
    assert again.headers["idempotent-replayed"] == "true"


def test_bad_key_is_400(api: httpx.Client, unique: str) -> None:
    r = api.post("/alerts", json=alert(unique), headers={"Idempotency-Key": "x" * 300})
    assert r.status_code == 400 and r.json()["error"] == "validation_error"


def test_same_key_while_first_is_in_flight_conflicts(server, admin_token: str, unique: str) -> None:
    import json
    import threading
    import time

    headers = {"Idempotency-Key": f"k-{unique}", "Content-Type": "application/json"}
    body = json.dumps(alert(unique)).encode()
    results: dict[str, httpx.Response] = {}

    def slow_body():
        yield body[:10]
        time.sleep(1.5)  # the first request is now in flight, its body half sent
        yield body[10:]

    def first() -> None:
        with server.client(admin_token) as c:
            results["first"] = c.post("/alerts", content=slow_body(), headers=headers)

    thread = threading.Thread(target=first)
    thread.start()
    time.sleep(0.5)
    with server.client(admin_token) as c:
        second = c.post("/alerts", content=body, headers=headers)
    thread.join()
    assert second.status_code == 409 and second.json()["error"] == "idempotency_conflict"
    assert results["first"].status_code == 201


def _middleware_around(handler, services: Services) -> IdempotencyMiddleware:
    return IdempotencyMiddleware(handler, lambda: services.idempotency, lambda: 1 << 20)


def _post(app: IdempotencyMiddleware, body: bytes, key: str) -> list[dict]:
    """One POST through `app` in-process; returns what it sent (raises what it raised)."""
    headers = [(b"idempotency-key", key.encode()), (b"authorization", b"Bearer irbox_caller")]
    scope = {"type": "http", "method": "POST", "path": "/api/v1/alerts", "headers": headers}
    scope["client"] = ("127.0.0.1", 5000)
    scope[AUTHORIZED] = True  # as the gate leaves a request whose checks passed
    incoming = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict] = []

    async def receive() -> dict:
        return incoming.pop() if incoming else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def test_applied_but_unanswered_request_is_not_applied_again(services: Services) -> None:
    """The server stops after the request's write commits and before its response is saved
    (here: the handler fails right after ingesting). A retry with the key must not ingest a
    second time: it is told the request was applied."""
    calls: list[int] = []

    async def ingest_then_stop(scope, receive, send) -> None:
        body = (await receive())["body"]
        calls.append(1)
        data = msgspec.json.decode(body, type=AlertIn)
        await services.alerts.ingest(data, Actor(user_id=None, key_id="key_x"))
        raise RuntimeError("the process stops here, before answering")

    app = _middleware_around(ingest_then_stop, services)
    body = json.dumps(alert("lost")).encode()
    with pytest.raises(RuntimeError):
        _post(app, body, "k-lost")
    sent = _post(app, body, "k-lost")
    assert sent[0]["status"] == 409
    error = json.loads(sent[1]["body"])
    assert error["error"] == "idempotency_conflict" and "applied" in error["message"]
    assert calls == [1]
    stored = services.alerts.list(AlertFilter(), None, 10).items
    assert [(a.external_id, a.occurrences) for a in stored] == [("ext-lost", 1)]
    # Another body under the key is still the ordinary conflict.
    other = _post(app, json.dumps(alert("other")).encode(), "k-lost")
    assert (
        other[0]["status"] == 409 and "different request" in json.loads(other[1]["body"])["message"]
    )


def test_request_that_wrote_nothing_runs_again(services: Services) -> None:
    """A handler that fails before any write leaves no record: the retry runs it again."""
    calls: list[int] = []

    async def fail_first(scope, receive, send) -> None:
        await receive()
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("stopped before writing")
        await send_bytes(send, 201, b"{}")

    app = _middleware_around(fail_first, services)
    with pytest.raises(RuntimeError):
        _post(app, b"{}", "k-nothing")
    assert _post(app, b"{}", "k-nothing")[0]["status"] == 201
    assert calls == [1, 1]
    assert _post(app, b"{}", "k-nothing")[0]["status"] == 201 and calls == [1, 1]  # replayed


def test_a_restarted_server_refuses_a_request_applied_before_it_stopped(fresh_server) -> None:
    """Through the real server and a restart: the data dir holds what a stop between the
    request's commit and its saved response leaves (the record `mark_applied` writes in the
    request's transaction, no response). The retry is refused and nothing is ingested again."""
    fresh_server.start()
    token = fresh_server.token()
    headers = {"Idempotency-Key": "k-restart"}
    with fresh_server.client(token) as api:
        first = api.post("/alerts", json=alert("restart"), headers=headers)
        assert first.status_code == 201
    fresh_server.kill()
    with fresh_server.database() as conn:
        owner, request_hash, at = conn.execute(
            "SELECT owner, request_hash, created_at FROM idempotency_keys WHERE key = 'k-restart'"
        ).fetchone()
        idempotency_table.mark_applied(conn, owner, "k-restart", request_hash, at)
    fresh_server.start()
    with fresh_server.client(token) as api:
        retry = api.post("/alerts", json=alert("restart"), headers=headers)
        assert retry.status_code == 409
        assert retry.json()["error"] == "idempotency_conflict"
        assert "applied" in retry.json()["message"]
        # Not run again: without the key the same alert would have counted an occurrence.
        assert api.get(f"/alerts/{first.json()['id']}").json()["occurrences"] == 1
