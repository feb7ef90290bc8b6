"""Service-level targets per severity: minutes to triage an alert, hours to resolve a case.
Alerts and cases answer with their due time and whether they are late; a case past its due time
is marked late once (`case.sla_breached`, a timeline entry, its assignee notified and mailed);
the queue, the case page, the cases list and the dashboard show it; only admins set targets."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

from irbox import clock
from tests.harness import Server, alert
from tests.mailbox import Mailbox
from tests.receiver import Receiver

ANA = "ana@example.org"


def _targets(**per_severity: dict[str, float | None]) -> dict[str, dict[str, float | None]]:
    empty = {"triage_m": None, "resolve_h": None}
    return {s: {**empty, **per_severity.get(s, {})} for s in
            ("info", "low", "medium", "high", "critical")}  # fmt: skip


def test_targets_are_set_by_admins_and_checked(server: Server, api: httpx.Client) -> None:
    assert api.get("/settings/sla").json() == _targets()
    analyst_email = "sla-analyst@example.org"
    api.post("/users", json={"email": analyst_email, "role": "analyst"})
    with server.client(server.token(analyst_email)) as analyst:
        assert analyst.get("/settings/sla").status_code == 200
        refused = analyst.put("/settings/sla", json=_targets(high={"triage_m": 30}))
        assert refused.status_code == 403
    bad = api.put("/settings/sla", json={"high": {"triage_m": 0, "resolve_h": -1}})
    assert bad.status_code == 400
    assert set(bad.json()["details"]) == {"high.triage_m", "high.resolve_h"}
    try:
        wanted = _targets(high={"triage_m": 30, "resolve_h": 8})
        assert api.put("/settings/sla", json={"high": wanted["high"]}).json() == wanted
        made = api.post("/alerts", json=alert("sla-1", severity="high")).json()
        got = api.get(f"/alerts/{made['id']}").json()
        received = clock.parse_rfc3339(got["first_seen_at"])
        assert clock.parse_rfc3339(got["sla"]["due_at"]) == received + 30 * 60_000_000
        assert got["sla"]["breached"] is False
        low = api.post("/alerts", json=alert("sla-2", severity="low")).json()
        assert api.get(f"/alerts/{low['id']}").json()["sla"] is None  # no target for low
        case = api.post("/cases", json={"title": "Due", "severity": "high"}).json()
        opened = clock.parse_rfc3339(case["created_at"])
        assert clock.parse_rfc3339(case["sla"]["due_at"]) == opened + 8 * 3_600_000_000
        listed = {c["id"]: c["sla"] for c in api.get("/cases").json()["items"]}
        assert listed[case["id"]]["breached"] is False
    finally:
        api.put("/settings/sla", json=_targets())


def test_a_late_case_is_announced_once(fresh_server: Server, tmp_path: Path) -> None:
    relay = Mailbox(tmp_path).start()
    receiver = Receiver().start()
    fresh_server.env.update({"IRBOX_SMTP_HOST": "127.0.0.1", "IRBOX_SMTP_PORT": str(relay.port),
                             "IRBOX_SMTP_FROM": "irbox@example.org",
                             "IRBOX_SMTP_STARTTLS": "false"})  # fmt: skip
    server = fresh_server.start()
    try:
        api = server.client(server.token())
        ana = api.post("/users", json={"email": ANA, "role": "analyst", "name": "Ana"}).json()
        api.post("/webhooks", json={"url": receiver.url, "events": ["case.sla_breached"]})
        # 1.8 s to resolve a critical case, 1.2 s to triage a critical alert
        api.put("/settings/sla", json=_targets(critical={"triage_m": 0.02, "resolve_h": 0.0005}))
        case = api.post(
            "/cases", json={"title": "Ransomware", "severity": "critical",
                            "assignee": ana["user"]["id"]},
        ).json()  # fmt: skip
        waiting = api.post("/alerts", json=alert("late-1", severity="critical")).json()
        got = receiver.wait_for(1, timeout=20)
        event = json.loads(got[0].body)
        assert (event["event"], event["case_id"]) == ("case.sla_breached", case["id"])
        told = relay.wait_for(1, To=ANA, Subject="SLA breached")[0]
        assert f"case #{case['number']}: Ransomware" in told["Subject"]
        now = api.get(f"/cases/{case['id']}").json()
        assert now["sla"]["breached"] is True
        assert [e["type"] for e in now["timeline"]].count("sla_breached") == 1
        assert api.get(f"/alerts/{waiting['id']}").json()["sla"]["breached"] is True
        time.sleep(6)  # a check or more later: still once
        assert len(receiver.requests) == 1

        ui = server.ui_client("admin@irbox.local", server.first_password)
        assert (
            'id="case-sla"><span class="badge late">late</span>'
            in ui.get(f"/cases/{case['id']}").text
        )
        assert "SLA late" in ui.get("/cases").text and "SLA late" in ui.get("/alerts").text
        standing = ui.get("/dashboard").text.split('id="sla-standing">', 1)[1].split("</p>")[0]
        assert "<strong>1</strong> alert in triage" in standing
        assert "<strong>1</strong> open case past theirs" in standing
        resolved = api.post(f"/cases/{case['id']}/resolve",
                            json={"verdict": "true_positive", "root_cause": "x",
                                  "narrative": "y"})  # fmt: skip
        assert resolved.json()["sla"]["breached"] is True  # resolved late stays late
    finally:
        receiver.stop()
        relay.stop()


def test_targets_from_settings(fresh_server: Server) -> None:
    server = fresh_server.start()
    ui = server.ui_client("admin@irbox.local", server.first_password)
    page = ui.get("/settings").text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"csrf_token": csrf, "critical.triage_m": "15", "critical.resolve_h": "4",
            "high.resolve_h": "24"}  # fmt: skip
    assert ui.post("/settings/sla", data=form).is_redirect
    with server.client(server.token()) as api:
        assert api.get("/settings/sla").json() == _targets(
            critical={"triage_m": 15, "resolve_h": 4}, high={"resolve_h": 24}
        )
    assert 'value="15"' in ui.get("/settings").text
    refused = ui.post("/settings/sla", data={"csrf_token": csrf, "low.triage_m": "soon"})
    assert "SLA targets are numbers" in refused.text
    assert "No SLA targets set" not in ui.get("/dashboard").text
