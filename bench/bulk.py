"""Bulk triage: one `POST /alerts/bulk` call acting on 10,000 alerts (dismiss by filter, tag by
ids, escalate by ids into one new case), each timed, against the baseline measured in the same
run: the same dismissal made alert by alert (`POST /alerts/{id}/dismiss`, 16 clients at once).
Prints seconds per call and alerts/s for both. Asserts nothing about time."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.synthetic import UNTHROTTLED  # noqa: E402
from tests.harness import Server, alert  # noqa: E402

COUNT = int(os.environ.get("BENCH_ALERTS", "10000"))
CLIENTS = 16


def ingest(api: httpx.Client, source: str) -> list[str]:
    ids: list[str] = []
    run = uuid.uuid4().hex[:8]
    for first in range(0, COUNT, 1000):
        items = [alert(f"{run}-{n}", source=source) for n in range(first, first + 1000)]
        answer = api.post("/alerts/batch", content=json.dumps(items),
                          headers={"Content-Type": "application/json"})  # fmt: skip
        ids += [item["id"] for item in answer.json()["items"]]
    return ids


def timed(api: httpx.Client, body: dict[str, object]) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    answer = api.post("/alerts/bulk", json=body, timeout=600)
    elapsed = time.perf_counter() - started
    assert answer.status_code == 200, answer.text
    return elapsed, answer.json()


def one_by_one(server: Server, token: str, ids: list[str]) -> float:
    headers = {"Authorization": f"Bearer {token}"}
    clients = [
        httpx.Client(base_url=server.url + "/api/v1", headers=headers) for _ in range(CLIENTS)
    ]

    def dismiss(n: int) -> int:
        body = {"reason_code": "benign"}
        return clients[n % CLIENTS].post(f"/alerts/{ids[n]}/dismiss", json=body).status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = list(pool.map(dismiss, range(len(ids))))
    elapsed = time.perf_counter() - started
    for c in clients:
        c.close()
    assert statuses.count(200) == len(ids), set(statuses)
    return elapsed


def report(label: str, seconds: float, result: dict[str, object] | None = None) -> None:
    extra = ""
    if result is not None:
        extra = f" (succeeded {result['succeeded']}, failed {len(result['failed'])})"  # type: ignore[arg-type]
    print(f"{label:<52} {seconds:7.2f} s  {COUNT / seconds:9,.0f} alerts/s{extra}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp) / "data", env=UNTHROTTLED).start()
        try:
            token = server.token(name="bench")
            with server.client(token) as api:
                api.timeout = 600
                baseline_ids = ingest(api, "baseline")
                report(f"baseline: {COUNT:,} single dismissals, {CLIENTS} clients",
                       one_by_one(server, token, baseline_ids))  # fmt: skip
                ingest(api, "bulkdismiss")
                seconds, result = timed(api, {"action": "dismiss", "reason_code": "benign",
                                              "filter": {"source": "bulkdismiss"}})  # fmt: skip
                report("bulk dismiss by filter, one call", seconds, result)
                ids = ingest(api, "bulktag")
                seconds, result = timed(api, {"action": "tag", "ids": ids, "tags": ["c2"]})
                report("bulk tag by ids, one call", seconds, result)
                seconds, result = timed(api, {"action": "escalate", "ids": ids, "case_id": None})
                report("bulk escalate by ids into one new case, one call", seconds, result)
        finally:
            server.kill()


if __name__ == "__main__":
    main()
