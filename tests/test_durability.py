"""An acknowledged write survives kill -9 of the server."""

from __future__ import annotations

import threading

import httpx

from tests.harness import Server, alert


def test_kill_9_right_after_acknowledged_ingests_loses_nothing(fresh_server: Server) -> None:
    fresh_server.start()
    token = fresh_server.token()
    acknowledged: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()

    def ingest(worker: int) -> None:
        with fresh_server.client(token) as c:
            for i in range(10_000):
                try:
                    r = c.post("/alerts", json=alert(f"{worker}-{i}"))
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code == 201:
                    with lock:
                        acknowledged.append(r.json()["id"])
                        if len(acknowledged) >= 300:
                            enough.set()

    threads = [threading.Thread(target=ingest, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    assert enough.wait(60)
    fresh_server.kill()  # SIGKILL while requests are in flight
    for t in threads:
        t.join()
    with lock:
        acked = list(acknowledged)
    fresh_server.start()
    with fresh_server.client(token) as c:
        for alert_id in acked:
            assert c.get(f"/alerts/{alert_id}").status_code == 200, alert_id
