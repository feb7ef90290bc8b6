"""Merging a case into another: its alerts, observables, evidence, comments and tasks move to
the target; the source becomes `merged`, pointing there, and takes no more changes; both
timelines and the audit log say what moved; `case.merged` is sent; the observable search
names the target; the source's page opens the target."""

from __future__ import annotations

import json
import time

import httpx

from tests.harness import Server, alert
from tests.receiver import Receiver

RESOLVE = {"verdict": "true_positive", "root_cause": "mail", "narrative": "done"}


def _escalated(api: httpx.Client, key: str, case_id: str | None, **fields: object) -> str:
    made = api.post("/alerts", json=alert(key, **fields)).json()
    answer = api.post(f"/alerts/{made['id']}/escalate", json={"case_id": case_id})
    assert answer.status_code in (200, 201), answer.text
    return answer.json()["case_id"]


def test_merge_moves_the_work_and_closes_the_source(
    server: Server, api: httpx.Client, unique: str
) -> None:
    shared = {"type": "domain", "value": f"shared-{unique}.example"}
    own = {"type": "domain", "value": f"own-{unique}.example"}
    source = _escalated(api, f"{unique}-a1", None, observables=[shared, own])
    _escalated(api, f"{unique}-a2", source, observables=[shared])
    target = _escalated(api, f"{unique}-b1", None, observables=[shared])
    evidence = api.post(f"/cases/{source}/attachments", files={"file": ("mail.eml", b"From: x")})
    comment = api.post(f"/cases/{source}/comments", json={"body": "Seen on WS-1"}).json()
    task = api.post(f"/cases/{source}/tasks", json={"title": "Pull the mail"}).json()
    before = api.get(f"/cases/{source}").json()

    merged = api.post(f"/cases/{source}/merge", json={"into": target})
    assert merged.status_code == 200, merged.text
    into = merged.json()
    assert into["id"] == target
    assert {a["id"] for a in into["alerts"]} >= {a["id"] for a in before["alerts"]}
    assert len(into["alerts"]) == 3
    assert sorted(o["value"] for o in into["observables"]) == [own["value"], shared["value"]]
    assert [e["id"] for e in into["evidence"]] == [evidence.json()["id"]]
    assert [c["id"] for c in into["comments"]] == [comment["id"]]
    assert [t["id"] for t in into["tasks"]] == [task["id"]]
    entry = next(e for e in into["timeline"] if e["type"] == "merged_from")
    assert entry["summary"] == (
        f"case #{before['number']} merged in: 2 alerts, 1 observable, 1 evidence file,"
        " 1 comment, 1 task"
    )
    assert entry["data"]["case_id"] == source
    assert entry["data"]["alerts"] == [a["id"] for a in before["alerts"]]
    assert entry["data"]["comments"] == [comment["id"]]
    download = api.get(f"/cases/{target}/attachments/{evidence.json()['id']}")
    assert download.status_code == 200 and download.content == b"From: x"

    left = api.get(f"/cases/{source}").json()
    assert (left["status"], left["merged_into"], left["alerts"], left["tasks"]) == (
        "merged",
        target,
        [],
        [],
    )
    assert left["timeline"][-1]["summary"] == f"merged into case #{into['number']}"
    assert left["sla"] is None
    closed = api.patch(f"/cases/{source}", json={"severity": "low"})
    assert closed.status_code == 409 and closed.json()["details"] == {"merged_into": target}
    assert api.post(f"/cases/{source}/comments", json={"body": "late"}).status_code == 409
    assert api.post(f"/cases/{source}/merge", json={"into": target}).status_code == 409
    assert source in [
        c["id"] for c in api.get("/cases", params={"status": "merged"}).json()["items"]
    ]

    audit = api.get("/audit", params={"limit": 50}).json()["items"]
    logged = next(
        e for e in audit if e["action"] == "case.merged_from" and e["entity_id"] == target
    )
    assert logged["data"]["tasks"] == [task["id"]]

    deadline = time.monotonic() + 10
    while True:  # the index follows: the observable is the target's now, not the source's
        seen = api.get("/observables/search", params=own).json()
        cases = [c["id"] for c in seen["cases"]]
        if cases == [target]:
            break
        assert time.monotonic() < deadline, cases
        time.sleep(0.1)

    ui = server.ui_client("admin@irbox.local", server.first_password)
    page = ui.get(f"/cases/{source}")
    assert page.status_code == 303
    assert page.headers["location"] == f"/cases/{target}?merged={before['number']}"
    shown = ui.get(page.headers["location"]).text
    assert f"Case #{before['number']} was merged into this one." in shown


def test_what_cannot_merge(api: httpx.Client) -> None:
    one = api.post("/cases", json={"title": "One", "severity": "low"}).json()["id"]
    done = api.post("/cases", json={"title": "Done", "severity": "low"}).json()["id"]
    api.post(f"/cases/{done}/resolve", json=RESOLVE)
    itself = api.post(f"/cases/{one}/merge", json={"into": one})
    assert itself.status_code == 400 and "into" in itself.json()["details"]
    assert api.post(f"/cases/{one}/merge", json={"into": "case_missing"}).status_code == 404
    assert api.post(f"/cases/{one}/merge", json={"into": done}).status_code == 409
    assert api.post(f"/cases/{done}/merge", json={"into": one}).status_code == 409
    assert api.post("/cases/case_missing/merge", json={"into": one}).status_code == 404


def test_case_merged_is_sent_with_where_it_went(server: Server, api: httpx.Client) -> None:
    receiver = Receiver().start()
    try:
        api.post("/webhooks", json={"url": receiver.url, "events": ["case.merged"]})
        red = api.post("/cases", json={"title": "Secret", "severity": "low", "tlp": "red"}).json()
        into = api.post("/cases", json={"title": "Kept", "severity": "low"}).json()
        assert api.post(f"/cases/{red['id']}/merge", json={"into": into["id"]}).status_code == 200
        sent = json.loads(receiver.wait_for_deliveries(1)[0].body)
        assert set(sent) == {"id", "event", "case_id", "at", "by", "merged_into"}
        assert (sent["event"], sent["case_id"], sent["merged_into"]) == (
            "case.merged",
            red["id"],
            into["id"],
        )
    finally:
        receiver.stop()


def test_merge_adds_the_sources_tags_techniques_fields_and_links(
    api: httpx.Client, unique: str
) -> None:
    """What describes the source joins the target's own: tags and techniques added (the
    target's first), custom fields the target leaves empty filled (its own values kept), and
    the source's links become the target's, the linked case's timeline saying so."""
    team, shift = ("team_" + unique.replace("-", "_"), "shift_" + unique.replace("-", "_"))
    for key in team, shift:
        made = api.post("/custom-fields", json={"key": key, "label": key, "type": "string"})
        assert made.status_code == 201, made.text

    def case(title: str, **fields: object) -> str:
        made = api.post("/cases", json={"title": title, "severity": "low", **fields})
        assert made.status_code == 201, made.text
        return made.json()["id"]

    source = case("source", tags=["phishing", "vip"], attack=["T1566", "T1059.001"],
                  custom_fields={team: "red", shift: "night"})  # fmt: skip
    target = case("target", tags=["vip"], attack=["T1566"], custom_fields={team: "blue"})
    related, parent = case("related"), case("parent")
    for other, kind in ((related, "related"), (parent, "parent"), (target, "related")):
        linked = api.post(f"/cases/{source}/links", json={"case_id": other, "kind": kind})
        assert linked.status_code in (200, 201, 204), linked.text
    before = api.get(f"/cases/{source}").json()

    into = api.post(f"/cases/{source}/merge", json={"into": target}).json()
    assert into["tags"] == ["vip", "phishing"]
    assert [t["id"] for t in into["attack"]] == ["T1566", "T1059.001"]
    assert into["custom_fields"] == {team: "blue", shift: "night"}
    links = {link["case_id"]: link["kind"] for link in into["links"]}
    assert links == {related: "related", parent: "parent"}
    entry = next(e for e in into["timeline"] if e["type"] == "merged_from")
    assert entry["summary"] == (
        f"case #{before['number']} merged in: 1 tag, 1 ATT&CK technique, 1 custom field, 2 links"
    )
    assert sorted(entry["data"]["links"]) == sorted([related, parent])
    seen_from_parent = api.get(f"/cases/{parent}").json()
    assert [(link["case_id"], link["kind"]) for link in seen_from_parent["links"]] == [
        (target, "child")
    ]
    assert seen_from_parent["timeline"][-1]["summary"] == (
        f"linked: case #{into['number']} is its child (case #{before['number']} merged into it)"
    )
    assert api.get(f"/cases/{source}").json()["links"] == []


def test_the_target_takes_the_higher_severity_and_the_stricter_markings(
    api: httpx.Client,
) -> None:
    """The merged case holds the source's alerts and findings: it is at least as severe as
    the source, and handled and shared no more loosely than the source was marked (TLP, PAP).
    What the target holds stricter, it keeps."""

    def case(title: str, **fields: str) -> str:
        made = api.post("/cases", json={"title": title, **fields})
        assert made.status_code == 201, made.text
        return made.json()["id"]

    source = case("red source", severity="critical", tlp="red", pap="green")
    target = case("amber target", severity="medium", tlp="amber", pap="amber")
    number = api.get(f"/cases/{source}").json()["number"]

    into = api.post(f"/cases/{source}/merge", json={"into": target}).json()
    assert (into["severity"], into["tlp"], into["pap"]) == ("critical", "red", "amber")
    entry = next(e for e in into["timeline"] if e["type"] == "merged_from")
    assert entry["summary"] == (
        f"case #{number} merged in: severity raised to critical, TLP raised to red"
    )
    assert entry["data"]["raised"] == {"severity": "critical", "tlp": "red"}
