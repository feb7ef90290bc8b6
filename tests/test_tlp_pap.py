"""Sharing markings: cases and case observables carry TLP 2.0 and PAP (amber unless marked);
the page shows them, every report carries the marking at the top, and a webhook about a
TLP:RED case carries ids, event, time and actor only."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.harness import Server
from tests.receiver import Receiver

RESOLVE = {"verdict": "true_positive", "root_cause": "mail", "narrative": "done"}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


def test_cases_and_their_observables_carry_a_marking(api: httpx.Client) -> None:
    plain = api.post("/cases", json={"title": "Plain", "severity": "low"}).json()
    assert (plain["tlp"], plain["pap"]) == ("amber", "amber")
    red = api.post(
        "/cases", json={"title": "Board member", "severity": "high", "tlp": "red", "pap": "red"}
    ).json()
    assert (red["tlp"], red["pap"]) == ("red", "red")
    bad = api.post("/cases", json={"title": "x", "severity": "low", "tlp": "purple", "pap": "x"})
    assert bad.status_code == 400 and set(bad.json()["details"]) == {"tlp", "pap"}
    changed = api.patch(f"/cases/{plain['id']}", json={"tlp": "amber+strict"})
    assert changed.json()["tlp"] == "amber+strict"
    assert "tlp: amber → amber+strict" in [e["summary"] for e in changed.json()["timeline"]]
    assert api.patch(f"/cases/{plain['id']}", json={"pap": "black"}).status_code == 400
    added = api.post(
        f"/cases/{plain['id']}/observables",
        json={"type": "domain", "value": "vip.example", "tlp": "red"},
    )
    assert added.status_code == 201, added.text
    seen = api.get(f"/cases/{plain['id']}").json()["observables"]
    assert [(o["value"], o["tlp"], o["pap"]) for o in seen] == [("vip.example", "red", "amber")]
    refused = api.post(
        f"/cases/{plain['id']}/observables",
        json={"type": "domain", "value": "x.example", "pap": "purple"},
    )
    assert refused.status_code == 400 and "pap" in refused.json()["details"]
    listed = {c["id"]: c["tlp"] for c in api.get("/cases").json()["items"]}
    assert listed[red["id"]] == "red"


def test_reports_carry_the_marking_at_the_top(api: httpx.Client) -> None:
    case = api.post("/cases", json={"title": "Marked", "severity": "low", "tlp": "green"}).json()
    api.post(f"/cases/{case['id']}/resolve", json=RESOLVE)
    page = api.get(f"/cases/{case['id']}/report").text
    assert page.index('id="marking"') < page.index("<h1>")
    assert "TLP:GREEN · PAP:AMBER" in page
    markdown = api.get(f"/cases/{case['id']}/report", params={"format": "md"}).text
    assert markdown.startswith("**TLP:GREEN** · PAP:AMBER")


def test_a_red_cases_webhooks_carry_ids_event_time_and_actor_only(
    server: Server, api: httpx.Client, receiver: Receiver
) -> None:
    made = api.post("/webhooks", json={"url": receiver.url, "events": ["case.resolved"]})
    chat = api.post(
        "/webhooks", json={"url": receiver.url, "events": ["case.resolved"], "format": "slack"}
    )
    assert made.status_code == chat.status_code == 201
    red = api.post("/cases", json={"title": "Secret thing", "severity": "low", "tlp": "red"})
    amber = api.post("/cases", json={"title": "Ordinary", "severity": "low"})
    for case in (red.json(), amber.json()):
        api.post(f"/cases/{case['id']}/resolve", json=RESOLVE)
    bodies = [json.loads(r.body) for r in receiver.wait_for_deliveries(4)]
    events = {b["case_id"]: b for b in bodies if "event" in b}
    assert set(events[red.json()["id"]]) == {"id", "event", "case_id", "at", "by"}
    assert events[amber.json()["id"]]["verdict"] == "true_positive"
    texts = [b["text"] for b in bodies if "text" in b]
    number = red.json()["number"]
    assert f"Case #{number} resolved, by Admin" in " ".join(texts)
    assert not any("Secret thing" in t for t in texts)
    assert any("Ordinary" in t for t in texts)


def test_the_page_shows_the_marking(server: Server, api: httpx.Client) -> None:
    case = api.post("/cases", json={"title": "Shown", "severity": "low", "tlp": "red"}).json()
    ui = server.ui_client("admin@irbox.local", server.first_password)
    page = ui.get(f"/cases/{case['id']}").text
    assert 'id="case-tlp">TLP:RED</span>' in page and 'id="case-pap">PAP:AMBER</span>' in page
    assert "TLP:RED</span>" in ui.get("/cases").text
