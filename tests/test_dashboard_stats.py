"""GET /stats: top observables, volume per day, time to triage and to resolve."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tests.harness import Server, alert


def test_stats_over_a_window(fresh_server: Server) -> None:
    fresh_server.start()
    with fresh_server.client(fresh_server.token()) as api:
        hot = [{"type": "domain", "value": "hot.example"}]
        now = datetime.now(UTC)
        # counted by the day the source detected them: one two days before it arrives here
        when = [now, now, now - timedelta(days=2), now - timedelta(days=30)]
        ids = [
            api.post("/alerts", json=alert(i, observables=hot, severity=sev, source=src,
                                           detected_at=at.strftime("%Y-%m-%dT%H:%M:%SZ"))
                     ).json()["id"]
            for i, ((sev, src), at) in enumerate(zip(
                [("high", "edr"), ("high", "edr"), ("low", "ids"), ("low", "ids")], when,
                strict=True))
        ]  # fmt: skip
        api.post(f"/alerts/{ids[0]}/dismiss", json={"reason_code": "benign"})
        case_id = api.post(f"/alerts/{ids[1]}/escalate", json={}).json()["case_id"]
        api.post(f"/cases/{case_id}/resolve", json={"verdict": "true_positive"})
        deadline = time.monotonic() + 10
        while True:
            stats = api.get("/stats", params={"window": "7d"}).json()
            if stats["time_to_resolve"]["count"] or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    assert stats["top_observables"], stats
    assert stats["window"] == "7d" and stats["since"].endswith("Z")
    assert stats["top_observables"][0] == {"type": "domain", "value": "hot.example", "alerts": 4}
    today, before = (d.strftime("%Y-%m-%d") for d in (now, now - timedelta(days=2)))
    assert {(v["day"], v["source"], v["severity"], v["alerts"]) for v in stats["alert_volume"]} == {
        (today, "edr", "high", 2),
        (before, "ids", "low", 1),
    }  # the one detected 30 days ago is outside the 7 days
    assert stats["time_to_triage"]["count"] == 2
    assert 0 <= stats["time_to_triage"]["p50_s"] < 60
    assert stats["time_to_resolve"]["count"] == 1


def test_bad_window(server: Server, api) -> None:
    for window in ("30", "0d", "5w", "400d"):
        r = api.get("/stats", params={"window": window})
        assert r.status_code == 400 and "window" in r.json()["details"], window


def test_suppressed_observables_leave_the_top_list(fresh_server: Server) -> None:
    fresh_server.start()
    with fresh_server.client(fresh_server.token()) as api:
        noise = {"type": "domain", "value": "noise.example"}
        signal = {"type": "domain", "value": "signal.example"}
        for n in range(3):
            api.post("/alerts", json=alert(f"n{n}", observables=[noise, signal]))
        deadline = time.monotonic() + 10
        while not api.get("/stats", params={"window": "7d"}).json()["top_observables"]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        api.post("/observables/suppress", json={**noise, "reason": "known noise"})
        top = api.get("/stats", params={"window": "7d"}).json()["top_observables"]
    assert [o["value"] for o in top] == ["signal.example"]


def test_the_dashboard_page_draws_every_day_and_the_cases(fresh_server: Server) -> None:
    fresh_server.start()
    with fresh_server.client(fresh_server.token()) as api:
        detected = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        api.post("/alerts", json=alert("d1", detected_at=detected))
        api.post("/cases", json={"title": "Open one", "severity": "low"})
    ui = fresh_server.ui_client("admin@irbox.local", fresh_server.first_password)
    page = ui.get("/dashboard", params={"window": "7d"}).text
    volume = page.split("Alert volume per detection day", 1)[1].split("</svg>", 1)[0]
    today = datetime.now(UTC).date()
    for back in range(8):  # a place for every day of the window, quiet ones too
        assert (today - timedelta(days=back)).strftime("%m-%d") in volume
    by_status = page.split('id="cases-by-status"', 1)[1].split("</div>", 1)[0]
    assert "open: 1" in by_status and "resolved: 0" in by_status
    assert "nobody: 1" in page.split('id="cases-by-assignee"', 1)[1].split("</div>", 1)[0]
