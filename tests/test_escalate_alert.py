"""POST /alerts/{id}/escalate: into a new case, onto an open one, and the rules around it."""

from __future__ import annotations

import httpx

from tests.conftest import user_token
from tests.harness import alert

MISSING_CASE = "case_01J00000000000000000000000"


def _ingest(api: httpx.Client, n: str, **kw: object) -> str:
    return api.post("/alerts", json=alert(n, **kw)).json()["id"]


def test_escalate_to_a_new_case(api: httpx.Client, unique: str) -> None:
    obs = [{"type": "ip", "value": "198.51.100.7"}, {"type": "domain", "value": "bad.example"}]
    alert_id = _ingest(api, unique, severity="critical", observables=obs, tags=["edr"])
    r = api.post(f"/alerts/{alert_id}/escalate", json={"case_id": None})
    assert r.status_code == 201
    result = r.json()
    assert result["created"] is True and result["case_id"].startswith("case_")
    got = api.get(f"/alerts/{alert_id}").json()
    assert got["status"] == "escalated" and got["case_id"] == result["case_id"]
    case = api.get(f"/cases/{result['case_id']}").json()
    assert case["title"] == f"Suspicious PowerShell on WS-{unique}"
    assert case["severity"] == "critical" and case["status"] == "open" and case["tags"] == ["edr"]
    assert case["number"] >= 1
    assert [a["id"] for a in case["alerts"]] == [alert_id]
    assert [(o["type"], o["value"], o["alerts"]) for o in case["observables"]] == [
        ("ip", "198.51.100.7", [alert_id]),
        ("domain", "bad.example", [alert_id]),
    ]
    assert [e["type"] for e in case["timeline"]] == [
        "created",
        "alert_added",
        "observable_added",
        "observable_added",
    ]


def test_escalate_onto_an_open_case_merges_observables(api: httpx.Client, unique: str) -> None:
    first = _ingest(api, f"{unique}-1", observables=[{"type": "ip", "value": "192.0.2.1"}])
    case_id = api.post(f"/alerts/{first}/escalate", json={}).json()["case_id"]
    second = _ingest(
        api,
        f"{unique}-2",
        observables=[{"type": "ip", "value": "192.0.2.1"}, {"type": "hash", "value": "a" * 64}],
    )
    r = api.post(f"/alerts/{second}/escalate", json={"case_id": case_id})
    assert r.status_code == 200 and r.json() == {"case_id": case_id, "created": False}
    case = api.get(f"/cases/{case_id}").json()
    assert [a["id"] for a in case["alerts"]] == [first, second]
    observables = {(o["type"], o["value"]): o["alerts"] for o in case["observables"]}
    assert observables == {("ip", "192.0.2.1"): [first, second], ("hash", "a" * 64): [second]}


def test_escalate_rules(api: httpx.Client, unique: str) -> None:
    alert_id = _ingest(api, unique)
    r = api.post(f"/alerts/{alert_id}/escalate", json={"case_id": MISSING_CASE})
    assert r.status_code == 404 and api.get(f"/alerts/{alert_id}").json()["status"] == "triage"
    blank = api.post(f"/alerts/{alert_id}/escalate", json={"case_id": " "})
    assert blank.status_code == 400 and "case_id" in blank.json()["details"]
    case_id = api.post(f"/alerts/{alert_id}/escalate", json={}).json()["case_id"]
    again = api.post(f"/alerts/{alert_id}/escalate", json={})
    assert again.status_code == 409 and again.json()["error"] == "invalid_state"
    dismissed = _ingest(api, f"{unique}-d")
    api.post(f"/alerts/{dismissed}/dismiss", json={"reason_code": "benign"})
    assert api.post(f"/alerts/{dismissed}/escalate", json={}).status_code == 409
    # an escalated alert can be neither dismissed nor reopened
    assert (
        api.post(f"/alerts/{alert_id}/dismiss", json={"reason_code": "benign"}).status_code == 409
    )
    assert api.post(f"/alerts/{alert_id}/reopen").status_code == 409
    # a resolved case takes no more alerts
    api.post(f"/cases/{case_id}/resolve", json={"verdict": "benign"})
    late = _ingest(api, f"{unique}-late")
    r = api.post(f"/alerts/{late}/escalate", json={"case_id": case_id})
    assert r.status_code == 409 and api.get(f"/alerts/{late}").json()["status"] == "triage"
    assert api.post("/alerts/alert_01J00000000000000000000000/escalate", json={}).status_code == 404


def test_the_assignee_hears_of_alerts_added_to_their_case(server, api: httpx.Client) -> None:
    with server.client(user_token(server, api, "analyst")) as analyst:
        me = analyst.get("/me").json()["id"]
        case = api.post("/cases", json={"title": "worked", "severity": "high", "assignee": me})
        case_id = case.json()["id"]
        added = api.post("/alerts", json=alert("grows-1", title="Beacon to c2 from WS-7")).json()
        api.post(f"/alerts/{added['id']}/escalate", json={"case_id": case_id})
        own = analyst.post("/alerts", json=alert("grows-2")).json()  # added by the assignee
        analyst.post(f"/alerts/{own['id']}/escalate", json={"case_id": case_id})
        inbox = analyst.get("/me/notifications").json()["items"]
    number = case.json()["number"]
    assert [(n["kind"], n["summary"]) for n in inbox] == [
        ("alert_added", f"alert added to case #{number}: Beacon to c2 from WS-7"),
        ("assigned", f"assigned case #{number}: worked"),
    ]
