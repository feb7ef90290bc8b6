"""Idempotency-Key: replay within 24 h, conflict on another body or while in flight."""

from __future__ import annotations

import httpx

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
