"""GET /stats: top observables, volume per day, time to triage and to resolve."""

from __future__ import annotations

import time

from tests.harness import Server, alert


def test_stats_over_a_window(fresh_server: Server) -> None:
    fresh_server.start()
    with fresh_server.client(fresh_server.token()) as api:
        hot = [{"type": "domain", "value": "hot.example"}]
        ids = [
            api.post("/alerts", json=alert(i, observables=hot, severity=sev, source=src)).json()[
                "id"
            ]
            for i, (sev, src) in enumerate([("high", "edr"), ("high", "edr"), ("low", "ids")])
        ]
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
    assert stats["top_observables"][0] == {"type": "domain", "value": "hot.example", "alerts": 3}
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert {(v["day"], v["source"], v["severity"], v["alerts"]) for v in stats["alert_volume"]} == {
        (today, "edr", "high", 2),
        (today, "ids", "low", 1),
    }
    assert stats["time_to_triage"]["count"] == 2
    assert 0 <= stats["time_to_triage"]["p50_s"] < 60
    assert stats["time_to_resolve"]["count"] == 1


def test_bad_window(server: Server, api) -> None:
    for window in ("30", "0d", "5w", "400d"):
        r = api.get("/stats", params={"window": window})
        assert r.status_code == 400 and "window" in r.json()["details"], window
