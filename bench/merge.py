"""Merging two cases of 500 alerts each (every alert with an observable of its own and one its
case shares, plus comments and tasks): `POST /cases/{id}/merge`, timed, in rounds on fresh
pairs, against the baseline measured in the same run: escalating the same number of alerts
onto an open case in one `POST /alerts/bulk` call (as many alerts change case). Prints
seconds per call and the ratio. Asserts nothing about time."""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.synthetic import UNTHROTTLED  # noqa: E402
from tests.harness import Server, alert  # noqa: E402

PER_CASE = int(os.environ.get("BENCH_MERGE_ALERTS", "500"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def ingest(api: httpx.Client, label: str) -> list[str]:
    run = uuid.uuid4().hex[:8]
    shared = {"type": "domain", "value": f"{run}.{label}.example"}
    items = [
        alert(f"{run}-{n}", source=label, observables=[
            shared, {"type": "ip", "value": f"10.{n // 250}.{n % 250}.{len(label)}"},
            {"type": "hash", "value": uuid.uuid4().hex},
        ])
        for n in range(PER_CASE)
    ]  # fmt: skip
    answer = api.post("/alerts/batch", content=json.dumps(items),
                      headers={"Content-Type": "application/json"})  # fmt: skip
    return [item["id"] for item in answer.json()["items"]]


def case_of(api: httpx.Client, label: str) -> str:
    """A case holding PER_CASE new alerts, with a few comments and tasks."""
    ids = ingest(api, label)
    made = api.post("/alerts/bulk", json={"action": "escalate", "ids": ids, "case_id": None})
    case_id = made.json()["case_id"]
    for n in range(5):
        api.post(f"/cases/{case_id}/comments", json={"body": f"note {n}"})
        api.post(f"/cases/{case_id}/tasks", json={"title": f"task {n}"})
    return case_id


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp) / "data", env=UNTHROTTLED).start()
        try:
            with server.client(server.token(name="bench")) as api:
                api.timeout = 600
                merges, baselines = [], []
                for n in range(ROUNDS):
                    source, target = case_of(api, f"src{n}"), case_of(api, f"dst{n}")
                    started = time.perf_counter()
                    answer = api.post(f"/cases/{source}/merge", json={"into": target})
                    merges.append(time.perf_counter() - started)
                    assert answer.status_code == 200, answer.text
                    assert len(answer.json()["alerts"]) == 2 * PER_CASE

                    waiting = ingest(api, f"base{n}")
                    started = time.perf_counter()
                    bulk = api.post("/alerts/bulk", json={"action": "escalate", "ids": waiting,
                                                          "case_id": target})  # fmt: skip
                    baselines.append(time.perf_counter() - started)
                    assert bulk.json()["succeeded"] == PER_CASE
            merge, base = statistics.median(merges), statistics.median(baselines)
            rounds = ", ".join(f"{s:.3f}" for s in merges)
            print(f"merge of two cases of {PER_CASE} alerts (the answer is the merged case):"
                  f" {merge:.3f} s median (rounds {rounds})")  # fmt: skip
            print(f"baseline: {PER_CASE} alerts escalated onto an open case in one bulk call:"
                  f" {base:.3f} s median")  # fmt: skip
            print(f"ratio merge/baseline: {merge / base:.2f}")
        finally:
            server.kill()


if __name__ == "__main__":
    main()
