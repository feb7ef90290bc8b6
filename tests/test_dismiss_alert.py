"""POST /alerts/{id}/dismiss and /reopen: the triage state machine."""

from __future__ import annotations

import httpx

from tests.harness import alert


def test_dismiss_then_reopen(api: httpx.Client, unique: str) -> None:
    alert_id = api.post("/alerts", json=alert(unique)).json()["id"]
    r = api.post(
        f"/alerts/{alert_id}/dismiss", json={"reason_code": "known-good", "comment": "lab"}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "dismissed"
    me = api.get("/me").json()
    assert body["dismissal"]["reason_code"] == "known-good"
    assert body["dismissal"]["comment"] == "lab"
    assert body["dismissal"]["by"] == me["id"]
    assert body["dismissal"]["at"].endswith("Z")
    assert api.get(f"/alerts/{alert_id}").json()["status"] == "dismissed"

    r = api.post(f"/alerts/{alert_id}/reopen")
    assert r.status_code == 200
    assert r.json()["status"] == "triage" and r.json()["dismissal"] is None


def test_dismiss_again_same_reason_is_noop_other_reason_conflicts(
    api: httpx.Client, unique: str
) -> None:
    alert_id = api.post("/alerts", json=alert(unique)).json()["id"]
    first = api.post(f"/alerts/{alert_id}/dismiss", json={"reason_code": "benign"}).json()
    again = api.post(f"/alerts/{alert_id}/dismiss", json={"reason_code": "benign"})
    assert again.status_code == 200 and again.json()["dismissal"] == first["dismissal"]
    other = api.post(f"/alerts/{alert_id}/dismiss", json={"reason_code": "test"})
    assert other.status_code == 409 and other.json()["error"] == "invalid_state"


def test_reopen_in_triage_is_a_noop(api: httpx.Client, unique: str) -> None:
    alert_id = api.post("/alerts", json=alert(unique)).json()["id"]
    r = api.post(f"/alerts/{alert_id}/reopen")
    assert r.status_code == 200 and r.json()["status"] == "triage"


def test_bad_reason_and_unknown_alert(api: httpx.Client, unique: str) -> None:
    alert_id = api.post("/alerts", json=alert(unique)).json()["id"]
    r = api.post(f"/alerts/{alert_id}/dismiss", json={"reason_code": "meh"})
    assert r.status_code == 400 and "reason_code" in r.json()["details"]
    assert api.get(f"/alerts/{alert_id}").json()["status"] == "triage"
    missing = "alert_01J00000000000000000000000"
    assert api.post(f"/alerts/{missing}/dismiss", json={"reason_code": "benign"}).status_code == 404
    assert api.post(f"/alerts/{missing}/reopen").status_code == 404


def test_dismiss_and_reopen_are_audited(api: httpx.Client, unique: str) -> None:
    alert_id = api.post("/alerts", json=alert(unique)).json()["id"]
    api.post(f"/alerts/{alert_id}/dismiss", json={"reason_code": "benign"})
    api.post(f"/alerts/{alert_id}/reopen")
    entries = api.get("/audit", params={"limit": 500}).json()["items"]
    mine = [e for e in entries if e["entity_id"] == alert_id]
    assert [e["action"] for e in mine] == ["alert.reopen", "alert.dismiss", "alert.create"]
    assert all(e["actor"] and e["key_id"] and e["ip"] == "127.0.0.1" for e in mine)
