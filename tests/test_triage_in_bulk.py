"""`POST /alerts/bulk`: dismiss, escalate or tag many alerts at once, named by id or by the alert
list's filter. Each alert takes the action on its own: one that cannot (already escalated, no
such alert) is listed in `failed` with its error, the others go ahead."""

from __future__ import annotations

import httpx

from tests.harness import Server, alert


def _ingest(api: httpx.Client, unique: str, count: int, **fields: object) -> list[str]:
    items = [alert(f"{unique}-{n}", **fields) for n in range(count)]
    answer = api.post("/alerts/batch", json=items)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def test_dismiss_by_ids_lists_what_could_not_be(api: httpx.Client, unique: str) -> None:
    ids = _ingest(api, unique, 3)
    assert api.post(f"/alerts/{ids[0]}/escalate", json={"case_id": None}).status_code == 201
    r = api.post("/alerts/bulk", json={"action": "dismiss", "ids": [*ids, "alert_nope"],
                                       "reason_code": "benign", "comment": "lab"})  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["matched"], body["succeeded"]) == (4, 2)
    assert {f["id"]: f["error"]["error"] for f in body["failed"]} == {
        ids[0]: "invalid_state",
        "alert_nope": "not_found",
    }
    dismissed = api.get(f"/alerts/{ids[1]}").json()
    assert dismissed["status"] == "dismissed"
    assert dismissed["dismissal"]["reason_code"] == "benign"


def test_escalate_by_filter_into_one_new_case(api: httpx.Client, unique: str) -> None:
    ids = _ingest(api, unique, 4, source=f"bulk-{unique[:20]}")
    r = api.post("/alerts/bulk", json={"action": "escalate", "case_id": None,
                                       "filter": {"source": f"bulk-{unique[:20]}"}})  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["matched"], body["succeeded"], body["failed"]) == (4, 4, [])
    case = api.get(f"/cases/{body['case_id']}").json()
    assert sorted(a["id"] for a in case["alerts"]) == sorted(ids)


def test_escalate_onto_an_open_case(api: httpx.Client, unique: str) -> None:
    ids = _ingest(api, unique, 2)
    case = api.post("/cases", json={"title": "Campaign", "severity": "high"}).json()
    r = api.post("/alerts/bulk", json={"action": "escalate", "ids": ids, "case_id": case["id"]})
    assert r.json()["succeeded"] == 2 and r.json()["case_id"] == case["id"]
    assert len(api.get(f"/cases/{case['id']}").json()["alerts"]) == 2


def test_tag_adds_tags_once(api: httpx.Client, unique: str) -> None:
    ids = _ingest(api, unique, 2, tags=["edr"])
    for _ in range(2):
        r = api.post("/alerts/bulk", json={"action": "tag", "ids": ids, "tags": ["c2", "edr"]})
        assert r.json()["succeeded"] == 2
    assert api.get(f"/alerts/{ids[0]}").json()["tags"] == ["edr", "c2"]


def test_bad_requests_are_refused_whole(api: httpx.Client, unique: str) -> None:
    ids = _ingest(api, unique, 1)
    for body in (
        {"action": "explode", "ids": ids},
        {"action": "dismiss", "ids": ids},  # no reason
        {"action": "tag", "ids": ids, "filter": {}, "tags": ["x"]},  # both ways of naming
        {"action": "tag", "ids": [], "tags": ["x"]},
        {"action": "dismiss", "ids": ["a"] * 10_001, "reason_code": "benign"},
        {"action": "dismiss", "filter": {"severity": "urgent"}, "reason_code": "benign"},
    ):
        r = api.post("/alerts/bulk", json=body)
        assert r.status_code == 400, (body, r.text)
    assert api.get(f"/alerts/{ids[0]}").json()["status"] == "triage"


def test_escalating_in_bulk_needs_cases_write(server: Server, unique: str) -> None:
    token = server.token(scopes="alerts:read,alerts:write", name="triage-only")
    with server.client(token) as triage:
        ids = _ingest(triage, unique, 1)
        r = triage.post("/alerts/bulk", json={"action": "escalate", "ids": ids})
        assert r.status_code == 403
        assert r.json()["details"] == {"required_scope": "cases:write"}
        dismiss = {"action": "dismiss", "ids": ids, "reason_code": "test"}
        assert triage.post("/alerts/bulk", json=dismiss).json()["succeeded"] == 1


def test_a_retried_bulk_call_replays_its_answer(api: httpx.Client, unique: str) -> None:
    ids = _ingest(api, unique, 2)
    body = {"action": "tag", "ids": ids, "tags": ["retried"]}
    first = api.post("/alerts/bulk", json=body, headers={"Idempotency-Key": unique})
    again = api.post("/alerts/bulk", json=body, headers={"Idempotency-Key": unique})
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json() and first.json()["succeeded"] == 2
    changed = {**body, "tags": ["other"]}
    conflict = api.post("/alerts/bulk", json=changed, headers={"Idempotency-Key": unique})
    assert conflict.status_code == 409 and conflict.json()["error"] == "idempotency_conflict"
