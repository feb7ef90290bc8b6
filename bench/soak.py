"""Soak (not in CI): mixed ingest, search, case work and webhook deliveries against one server
for SOAK_SECONDS (default 600); prints error counts, the worker's RSS and the SQLite WAL's size
over time, and the data dir's files at the end.

    python bench/soak.py            # SOAK_SECONDS=60 for a short run
"""

from __future__ import annotations

import collections
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.resources import file_mb, rss_mb, worker_pid  # noqa: E402
from bench.synthetic import UNTHROTTLED  # noqa: E402
from tests.harness import Server, alert  # noqa: E402
from tests.receiver import Receiver  # noqa: E402

SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))


def main() -> None:
    receiver = Receiver().start()
    env = {**UNTHROTTLED, "IRBOX_WEBHOOK_RETRY_BASE_S": "1"}
    srv = Server(Path(tempfile.mkdtemp()) / "data", env=env).start()
    token = srv.token()
    counts: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()
    stop = threading.Event()
    with srv.client(token) as api:
        api.post("/webhooks", json={"url": receiver.url, "events": ["*"]})

    def note(kind: str, status: int) -> None:
        with lock:
            counts[f"{kind} {'ok' if status < 400 else status}"] += 1

    def ingest(worker: int) -> None:
        with srv.client(token) as c:
            n = 0
            while not stop.is_set():
                obs = [{"type": "ip", "value": f"10.9.{worker}.{n % 250}"}]
                note(
                    "ingest",
                    c.post("/alerts", json=alert(f"s{worker}-{n}", observables=obs)).status_code,
                )
                n += 1

    def search() -> None:
        with srv.client(token) as c:
            while not stop.is_set():
                params = {
                    "type": "ip",
                    "value": f"10.9.{random.randrange(4)}.{random.randrange(250)}",
                }
                note("search", c.get("/observables/search", params=params).status_code)

    def case_work() -> None:
        with srv.client(token) as c:
            while not stop.is_set():
                items = c.get("/alerts", params={"status": "triage", "limit": 5}).json()["items"]
                for item in items[:2]:
                    r = c.post(f"/alerts/{item['id']}/escalate", json={})
                    note("escalate", r.status_code)
                    if r.status_code == 201:
                        case_id = r.json()["case_id"]
                        note(
                            "comment",
                            c.post(f"/cases/{case_id}/comments", json={"body": "soak"}).status_code,
                        )
                        note(
                            "resolve",
                            c.post(
                                f"/cases/{case_id}/resolve", json={"verdict": "benign"}
                            ).status_code,
                        )
                time.sleep(0.2)

    threads = [threading.Thread(target=ingest, args=(w,)) for w in range(4)]
    threads += [threading.Thread(target=search), threading.Thread(target=case_work)]
    for t in threads:
        t.start()
    pid = worker_pid(srv)
    started = time.monotonic()
    try:
        while time.monotonic() - started < SECONDS:
            time.sleep(min(30, SECONDS / 10))
            with lock:
                summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
            wal = file_mb(srv.data_dir / "irbox.db-wal")
            print(
                f"t={time.monotonic() - started:5.0f}s RSS {rss_mb(pid):6.1f} MB,"
                f" WAL {wal:4.0f} MB | {summary}",
                flush=True,
            )
    finally:
        stop.set()
        for t in threads:
            t.join()
        time.sleep(3)
        print(f"webhook deliveries received: {len(receiver.requests)}")
        files = sorted(p for p in srv.data_dir.iterdir() if p.is_file())
        print("data dir (MB): " + ", ".join(f"{p.name} {file_mb(p):.0f}" for p in files))
        srv.stop()
        receiver.stop()


if __name__ == "__main__":
    main()
