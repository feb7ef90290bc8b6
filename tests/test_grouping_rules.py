"""Grouping rules: an admin says which new alerts of a source join an open case as they are
stored (same host, or a shared observable of chosen types, within a window of detection times);
the alert is never seen in triage, the case's timeline names the rule and what is shared,
`case.alert_added` fires. Alerts of other sources, outside the window, or whose case is
resolved stay in triage."""

from __future__ import annotations

import json

import httpx

from tests.conftest import user_token
from tests.harness import Server, alert
from tests.receiver import Receiver


def _open_case_with(api: httpx.Client, key: str, **fields: object) -> tuple[str, str]:
    first = api.post("/alerts", json=alert(key, **fields)).json()["id"]
    case_id = api.post(f"/alerts/{first}/escalate", json={}).json()["case_id"]
    return first, case_id


def test_same_host_joins_the_case(api: httpx.Client, unique: str) -> None:
    source = f"edr-{unique}"
    rule = api.post("/grouping-rules", json={"source": source, "by": "hostname", "window_m": 30})
    assert rule.status_code == 201, rule.text
    rule_id = rule.json()["id"]
    host = {"hostname": f"WS-{unique}"}
    _, case_id = _open_case_with(
        api, f"{unique}-1", source=source, asset=host, detected_at="2026-06-02T09:00:00Z"
    )
    joined = api.post(
        "/alerts",
        json=alert(
            f"{unique}-2",
            source=source,
            title="Second",
            asset={"hostname": f"ws-{unique}"},
            detected_at="2026-06-02T09:20:00Z",
        ),
    )
    assert joined.status_code == 201 and joined.json()["status"] == "escalated", joined.text
    assert api.get(f"/alerts/{joined.json()['id']}").json()["case_id"] == case_id
    late = api.post(
        "/alerts",
        json=alert(f"{unique}-3", source=source, asset=host, detected_at="2026-06-02T10:00:00Z"),
    )
    assert late.json()["status"] == "triage"  # 60 minutes after: outside the window
    other = api.post(
        "/alerts",
        json=alert(
            f"{unique}-4", source=f"fw-{unique}", asset=host, detected_at="2026-06-02T09:05:00Z"
        ),
    )
    assert other.json()["status"] == "triage"  # another source: no rule
    case = api.get(f"/cases/{case_id}").json()
    entry = next(e for e in case["timeline"] if e["summary"].startswith("alert added: Second"))
    assert entry["summary"] == (
        f"alert added: Second (grouping rule {rule_id}: same host ws-{unique})"
    )
    assert entry["actor"] is None


def test_shared_observable_of_chosen_types(api: httpx.Client, unique: str) -> None:
    source = f"mail-{unique}"
    api.post(
        "/grouping-rules",
        json={
            "source": source,
            "by": "observable",
            "observable_types": ["domain"],
            "window_m": 120,
        },
    )
    domain = {"type": "domain", "value": f"phish-{unique}.example"}
    _, case_id = _open_case_with(api, f"{unique}-a", source=source, observables=[domain])
    by_domain = api.post("/alerts", json=alert(f"{unique}-b", source=source, observables=[domain]))
    assert by_domain.json()["status"] == "escalated"
    by_ip = api.post("/alerts", json=alert(f"{unique}-c", source=source))  # shares the IP only
    assert by_ip.json()["status"] == "triage"
    batch = api.post(
        "/alerts/batch", json=[alert(f"{unique}-d", source=source, observables=[domain])]
    )
    assert batch.json()["items"][0]["status"] == "escalated"
    api.post(f"/cases/{case_id}/resolve", json={"verdict": "true_positive"})
    after = api.post("/alerts", json=alert(f"{unique}-e", source=source, observables=[domain]))
    assert after.json()["status"] == "triage"  # its case is resolved


def test_case_alert_added_fires(server: Server, api: httpx.Client, unique: str) -> None:
    source = f"hook-{unique}"
    api.post("/grouping-rules", json={"source": source, "by": "hostname"})
    _, case_id = _open_case_with(api, f"{unique}-h1", source=source, asset={"hostname": "H"})
    receiver = Receiver().start()
    try:
        api.post("/webhooks", json={"url": receiver.url, "events": ["case.alert_added"]})
        api.post("/alerts", json=alert(f"{unique}-h2", source=source, asset={"hostname": "h"}))
        sent = [json.loads(r.body) for r in receiver.wait_for_deliveries(1)]
        assert any(s["case_id"] == case_id for s in sent)
    finally:
        receiver.stop()


def test_rules_are_checked_and_admins_write_them(
    server: Server, api: httpx.Client, unique: str
) -> None:
    for bad, key in [
        ({"source": "", "by": "hostname"}, "source"),
        ({"source": "x", "by": "user"}, "by"),
        ({"source": "x", "by": "hostname", "observable_types": ["ip"]}, "observable_types"),
        ({"source": "x", "by": "observable", "observable_types": ["colour"]}, "observable_types"),
        ({"source": "x", "by": "hostname", "window_m": 0}, "window_m"),
    ]:
        refused = api.post("/grouping-rules", json=bad)
        assert refused.status_code == 400 and key in refused.json()["details"], refused.text
    rule = api.post("/grouping-rules", json={"source": f"s-{unique}", "by": "hostname"}).json()
    paused = api.patch(f"/grouping-rules/{rule['id']}", json={"active": False, "window_m": 5})
    assert paused.json()["active"] is False and paused.json()["window_m"] == 5
    with server.client(user_token(server, api, "analyst")) as analyst:
        assert analyst.get(f"/grouping-rules/{rule['id']}").status_code == 200
        assert (
            analyst.post("/grouping-rules", json={"source": "x", "by": "hostname"}).status_code
            == 403
        )
    assert api.delete(f"/grouping-rules/{rule['id']}").status_code == 200
    assert api.get(f"/grouping-rules/{rule['id']}").status_code == 404


def test_an_admin_adds_one_in_settings(fresh_server: Server) -> None:
    fresh_server.start()
    ui = fresh_server.ui_client("admin@irbox.local", fresh_server.first_password)
    page = ui.get("/settings").text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    made = ui.post(
        "/settings/grouping-rules",
        data={
            "csrf_token": csrf,
            "source": "crowdstrike",
            "by": "observable",
            "observable_types": "domain, url",
            "window_m": "90",
        },
    )
    assert made.is_redirect, made.text
    listed = ui.get("/settings").text
    assert "crowdstrike: shared domain, url within 90 min" in listed
    with fresh_server.client(fresh_server.token()) as api:
        rule = api.get("/grouping-rules").json()["items"][0]
    assert (rule["observable_types"], rule["window_m"]) == (["domain", "url"], 90)
    refused = ui.post(
        "/settings/grouping-rules",
        data={"csrf_token": csrf, "source": "x", "by": "hostname", "window_m": "0"},
    )
    assert refused.status_code == 400 and "1 to 10080 minutes" in refused.text
