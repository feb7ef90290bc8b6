"""kill -9 at a random moment under load: every acknowledged alert is there after the restart,
the index catches up, and pending webhook deliveries resume."""

from __future__ import annotations

import json
import random
import threading
import time

import httpx

from tests.harness import Server, alert
from tests.receiver import Receiver


def test_kill_9_under_load(fresh_server: Server) -> None:
    receiver = Receiver().start()
    receiver.default_status = 503  # deliveries stay pending until after the crash
    fresh_server.env["IRBOX_WEBHOOK_RETRY_BASE_S"] = "1"
    fresh_server.env["IRBOX_RATE_LIMIT_BURST"] = "1000000"
    try:
        fresh_server.start()
        token = fresh_server.token()
        with fresh_server.client(token) as api:
            api.post("/webhooks", json={"url": receiver.url, "events": ["case.created"]})
        acked_alerts: list[str] = []
        acked_cases: list[str] = []
        lock = threading.Lock()
        obs = [{"type": "domain", "value": "crash.example"}]

        def work(worker: int) -> None:
            with fresh_server.client(token) as c:
                for i in range(100_000):
                    try:
                        if i % 10 == 0:
                            r = c.post(
                                "/cases", json={"title": f"c{worker}-{i}", "severity": "low"}
                            )
                            if r.status_code == 201:
                                with lock:
                                    acked_cases.append(r.json()["id"])
                            continue
                        r = c.post("/alerts", json=alert(f"{worker}-{i}", observables=obs))
                    except httpx.HTTPError:
                        return
                    if r.status_code == 201:
                        with lock:
                            acked_alerts.append(r.json()["id"])

        threads = [threading.Thread(target=work, args=(w,)) for w in range(6)]
        for t in threads:
            t.start()
        time.sleep(random.uniform(1.0, 2.5))
        fresh_server.kill()
        for t in threads:
            t.join()
        assert len(acked_alerts) > 50 and acked_cases
        receiver.default_status = 200
        fresh_server.start()
        with fresh_server.client(token) as api:
            for alert_id in acked_alerts:
                assert api.get(f"/alerts/{alert_id}").status_code == 200
            for case_id in acked_cases:
                assert api.get(f"/cases/{case_id}").status_code == 200
            deadline = time.monotonic() + 10
            while True:
                found = api.get(
                    "/observables/search", params={"type": "domain", "value": "crash.example"}
                ).json()
                if found["alert_count"] >= len(acked_alerts) or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            assert found["alert_count"] >= len(acked_alerts)  # the index caught up
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            delivered = {
                json.loads(r.body)["case_id"]
                for r in receiver.requests
                if r.headers.get("X-IR-Event") == "case.created"
            }
            if delivered >= set(acked_cases):
                break
            time.sleep(0.2)
        assert delivered >= set(acked_cases)  # every acknowledged case's event arrived
    finally:
        receiver.stop()
