"""`POST /alerts/batch`: up to 1,000 alerts in one request (a JSON array or NDJSON), stored in one
durable commit. Each item is answered as a single ingest would answer it (new, deduplicated,
suppressed) or with its own error; a body that is not a batch is refused whole."""

from __future__ import annotations

import json
import time

import httpx

from tests.harness import Server, alert


def _batch(api: httpx.Client, items: list[object], **headers: str) -> httpx.Response:
    return api.post("/alerts/batch", json=items, headers=headers)


def test_each_item_is_answered_as_a_single_ingest(api: httpx.Client, unique: str) -> None:
    no_title = {k: v for k, v in alert(f"{unique}-2").items() if k != "title"}
    r = _batch(api, [alert(f"{unique}-1"), no_title, alert(f"{unique}-1"), 42])
    assert r.status_code == 200, r.text
    body = r.json()
    first, missing, again, number = body["items"]
    assert first["index"] == 0 and first["deduplicated"] is False and first["status"] == "triage"
    assert missing == {
        "index": 1,
        "error": {
            "error": "validation_error",
            "message": "the alert is invalid",
            "details": {"title": "required"},
        },
    }
    assert again["id"] == first["id"] and again["deduplicated"] is True
    assert number["index"] == 3 and number["error"]["error"] == "validation_error"
    assert (body["created"], body["deduplicated"], body["failed"]) == (1, 1, 2)
    stored = api.get(f"/alerts/{first['id']}").json()
    assert stored["occurrences"] == 2


def test_an_item_breaking_a_rule_fails_alone(api: httpx.Client, unique: str) -> None:
    bad = alert(f"{unique}-bad", severity="urgent", observables=[{"type": "ip", "value": "x"}])
    r = _batch(api, [bad, alert(f"{unique}-good")])
    assert r.status_code == 200
    refused, stored = r.json()["items"]
    assert set(refused["error"]["details"]) == {"severity", "observables[0].value"}
    assert api.get(f"/alerts/{stored['id']}").status_code == 200


def test_ndjson_one_alert_a_line(api: httpx.Client, unique: str) -> None:
    lines = [json.dumps(alert(f"{unique}-{n}")) for n in range(3)] + ["", "{not json"]
    r = api.post(
        "/alerts/batch",
        content="\n".join(lines).encode(),
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["created"], body["failed"]) == (3, 1)
    assert body["items"][3]["error"]["message"] == "the line is not JSON"


def test_suppression_and_the_index_behave_as_for_single_ingests(
    api: httpx.Client, unique: str
) -> None:
    value = f"{unique}.batch.example.com"
    suppressed = {"type": "domain", "value": value, "scope": "global", "reason": "noise"}
    assert api.post("/observables/suppress", json=suppressed).status_code == 201
    quiet = alert(f"{unique}-quiet", observables=[{"type": "domain", "value": value}])
    loud_ip = "198.51.100.77"
    loud = alert(f"{unique}-loud", observables=[{"type": "ip", "value": loud_ip}])
    items = _batch(api, [quiet, loud]).json()["items"]
    assert items[0]["status"] == "dismissed" and items[1]["status"] == "triage"
    deadline = time.monotonic() + 5
    while True:  # indexed within a second of the answer, as single ingests are
        found = api.get("/observables/search", params={"type": "ip", "value": loud_ip}).json()
        if items[1]["id"] in [a["id"] for a in found["alerts"]]:
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_what_is_not_a_batch_is_refused_whole(api: httpx.Client, unique: str) -> None:
    for body, why in (
        ([], "empty"),
        ([alert(f"{unique}-{n}") for n in range(1001)], "too large"),
    ):
        r = _batch(api, body)
        assert r.status_code == 400, why
        assert r.json()["details"].keys() == {"body"}
    for content, kind in ((b'{"source": "edr"}', "application/json"), (b"[{", "application/json"),
                          (b"[]", "text/plain")):  # fmt: skip
        r = api.post("/alerts/batch", content=content, headers={"Content-Type": kind})
        assert r.status_code == 400, (content, kind)
    assert api.get("/alerts", params={"q": f"{unique}"}).json()["items"] == []


def test_an_oversized_batch_is_413(api: httpx.Client) -> None:
    r = api.post(
        "/alerts/batch",
        content=b"[" + b" " * (32 * 1024 * 1024) + b"]",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json()["error"] == "payload_too_large"


def test_a_batch_needs_alerts_write(server: Server, unique: str) -> None:
    with server.client(server.token(scopes="alerts:read", name="reader")) as reader:
        r = _batch(reader, [alert(unique)])
    assert r.status_code == 403
    assert r.json()["details"] == {"required_scope": "alerts:write"}


def test_a_retried_batch_replays_its_answer(api: httpx.Client, unique: str) -> None:
    items = [alert(f"{unique}-a"), alert(f"{unique}-b")]
    first = _batch(api, items, **{"Idempotency-Key": unique})
    again = _batch(api, items, **{"Idempotency-Key": unique})
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert first.json()["created"] == 2
