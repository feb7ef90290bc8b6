"""The timeline: every change appends an event in order; analysts add their own entries."""

from __future__ import annotations

import re

import httpx

from tests.harness import alert


def test_timeline_orders_every_kind_of_event(api: httpx.Client, unique: str) -> None:
    alert_id = api.post("/alerts", json=alert(unique)).json()["id"]
    case_id = api.post(f"/alerts/{alert_id}/escalate", json={}).json()["case_id"]
    api.post(f"/cases/{case_id}/observables", json={"type": "domain", "value": "x.example"})
    api.post(f"/cases/{case_id}/comments", json={"body": "looking"})
    api.patch(f"/cases/{case_id}", json={"status": "in_progress"})
    api.post(
        f"/cases/{case_id}/attachments",
        files={"file": ("log.txt", b"evidence", "text/plain")},
    )
    api.post(f"/cases/{case_id}/resolve", json={"verdict": "true_positive"})
    api.post(f"/cases/{case_id}/reopen")
    timeline = api.get(f"/cases/{case_id}").json()["timeline"]
    assert [e["type"] for e in timeline] == [
        "created",
        "alert_added",
        "observable_added",
        "observable_added",
        "comment",
        "status_changed",
        "attachment",
        "resolved",
        "reopened",
    ]
    me = api.get("/me").json()["id"]
    assert all(e["actor"] == me and e["at"].endswith("Z") and e["summary"] for e in timeline)
    assert [e["at"] for e in timeline] == sorted(e["at"] for e in timeline)


def test_analyst_entries_take_their_place_in_time(api: httpx.Client, unique: str) -> None:
    case_id = api.post("/cases", json={"title": f"t {unique}", "severity": "low"}).json()["id"]
    r = api.post(
        f"/cases/{case_id}/timeline",
        json={"at": "2026-01-01T10:00:00+02:00", "summary": "phish delivered to jdoe"},
    )
    assert r.status_code == 201
    assert r.json()["at"] == "2026-01-01T08:00:00Z" and r.json()["type"] == "note"
    timeline = api.get(f"/cases/{case_id}").json()["timeline"]
    assert timeline[0] == r.json()  # back-dated: sorts first; answered as the case file shows it
    assert timeline[0]["summary"] == "phish delivered to jdoe"
    written = r.json()["data"]["added_at"]  # when it was written, as the API writes times
    assert written.endswith("Z") and written > r.json()["at"]
    assert timeline[1]["type"] == "created"
    bad = api.post(f"/cases/{case_id}/timeline", json={"at": "soon", "summary": ""})
    assert bad.status_code == 400 and set(bad.json()["details"]) == {"at", "summary"}


def test_add_observable(api: httpx.Client, unique: str) -> None:
    case_id = api.post("/cases", json={"title": f"o {unique}", "severity": "low"}).json()["id"]
    r = api.post(f"/cases/{case_id}/observables", json={"type": "ip", "value": "2001:DB8::5"})
    observable_id = r.json()["id"]
    assert r.status_code == 201 and r.json() == {
        "id": observable_id,
        "type": "ip",
        "value": "2001:db8::5",
        "added": True,
    }
    assert re.fullmatch(r"obs_[0-9A-HJKMNP-TV-Z]{26}", observable_id)
    again = api.post(f"/cases/{case_id}/observables", json={"type": "ip", "value": "2001:db8::5"})
    assert again.status_code == 200 and again.json()["added"] is False
    assert again.json()["id"] == observable_id  # the case's one row for it
    other = api.post(f"/cases/{case_id}/observables", json={"type": "domain", "value": "a.test"})
    assert other.json()["id"] != observable_id
    bad = api.post(f"/cases/{case_id}/observables", json={"type": "ip", "value": "x"})
    assert bad.status_code == 400 and "value" in bad.json()["details"]
    case = api.get(f"/cases/{case_id}").json()
    assert [o["id"] for o in case["observables"]] == [observable_id, other.json()["id"]]
    added = [e for e in case["timeline"] if e["type"] == "observable_added"]
    assert added[0]["data"]["observable_id"] == observable_id
    assert added[0]["summary"] == "observable added: ip 2001:db8::5"
