"""UI page speed with 100 k alerts in the database: each page's latency over HTTP from a
signed-in session (localhost, so an upper bound of the server-side time). Target < 100 ms.

    BENCH_ALERTS=100000 python bench/pages.py
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic import UNTHROTTLED, fill_alerts, init_data_dir, percentile  # noqa: E402
from irbox.paging import encode_cursor  # noqa: E402
from tests.harness import Server  # noqa: E402

ALERTS = int(os.environ.get("BENCH_ALERTS", "100000"))
RUNS = int(os.environ.get("BENCH_RUNS", "100"))
CASE_ALERTS = 500
PASSWORD = "bench-password-1"


def timed(client: httpx.Client, path: str) -> list[float]:
    client.get(path).raise_for_status()  # warm
    samples = []
    for _ in range(RUNS):
        t = time.perf_counter()
        answer = client.get(path)
        samples.append((time.perf_counter() - t) * 1000)
        answer.raise_for_status()
    return samples


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="irbox-bench-pages-"))
    data = work / "data"
    init_data_dir(data)
    srv = Server(data, env=UNTHROTTLED)
    srv.start()
    with srv.client(srv.token()) as api:
        api.post("/users", json={"email": "bench@x.example", "role": "admin",
                                 "password": PASSWORD}).raise_for_status()  # fmt: skip
        # 60 observables, most of them also on the filled alerts: the case page looks up where
        # else its first 20 were seen
        observables = [{"type": "ip", "value": f"10.0.{i}.{i}"} for i in range(30)] + [
            {"type": "domain", "value": f"host{i}.example"} for i in range(30)
        ]
        case = api.post(
            "/cases", json={"title": "big case", "severity": "high", "observables": observables}
        ).json()
        for i in range(20):
            api.post(f"/cases/{case['id']}/comments", json={"body": f"note **{i}**"})
    srv.stop()
    seconds = fill_alerts(
        data / "irbox.db",
        ALERTS,
        lambda i: [("ip", f"10.0.{i % 256}.{i % 200}"), ("domain", f"host{i % 5000}.example")],
        lambda i: case["id"] if i % (ALERTS // CASE_ALERTS) == 0 else None,
    )
    (data / "index.duckdb").unlink(missing_ok=True)  # rebuilt from SQLite at start
    print(f"{ALERTS} alerts written in {seconds:.1f} s; {RUNS} requests per page")
    srv.start(timeout=600)
    alert_id = f"alert_bench{ALERTS // 2:020d}"
    deep = encode_cursor(ALERTS // 2)
    pages = [
        ("alert queue", "/alerts"),
        ("queue, filtered", "/alerts?status=triage&severity=high"),
        ("queue, title search", "/alerts?status=&q=number%2012345"),
        ("queue rows, halfway down", f"/alerts/rows?status=&cursor={deep}"),
        ("queue poll for new alerts", f"/alerts/rows?status=triage&newer={ALERTS}"),
        ("alert detail", f"/alerts/{alert_id}"),
        ("case list", "/cases"),
        (f"case with {CASE_ALERTS} alerts, 60 observables", f"/cases/{case['id']}"),
        ("observable (hot)", "/observables?type=ip&value=10.0.1.1"),
        ("dashboard", "/dashboard"),
        ("settings", "/settings"),
        ("audit log", "/settings/audit"),
        ("notifications", "/notifications"),
    ]
    rows = []
    try:
        client = srv.ui_client("bench@x.example", PASSWORD)  # already open: close it below
        try:
            for label, path in pages:
                samples = timed(client, path)
                rows.append((label, percentile(samples, 50), percentile(samples, 99)))
        finally:
            client.close()
    finally:
        srv.stop()
    print(f"{'page':34}{'p50 ms':>9}{'p99 ms':>9}")
    for label, p50, p99 in rows:
        print(f"{label:34}{p50:9.2f}{p99:9.2f}{'   over 100 ms' if p99 >= 100 else ''}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
