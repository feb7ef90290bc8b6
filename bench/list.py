"""Listing at scale: 1 M alerts; `GET /alerts` first page and a page 10,000 pages deep, with and
without filters, text searches (a word in every alert, one in 11, an observable's value), the
most-severe-first order; `GET /cases/{id}` for a case with 500 alerts. p50/p99 through the
HTTP API.

    BENCH_ALERTS=1000000 python bench/list.py
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic import UNTHROTTLED, fill_alerts, init_data_dir, percentile  # noqa: E402
from irbox.paging import encode_cursor  # noqa: E402
from tests.harness import Server  # noqa: E402

ALERTS = int(os.environ.get("BENCH_ALERTS", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "200"))
CASE_ALERTS = 500


def timed(api, path: str, params: dict) -> list[float]:
    api.get(path, params=params).raise_for_status()  # warm
    samples = []
    for _ in range(RUNS):
        t = time.perf_counter()
        r = api.get(path, params=params)
        samples.append((time.perf_counter() - t) * 1000)
        r.raise_for_status()
    return samples


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="irbox-bench-list-"))
    data = work / "data"
    init_data_dir(data)
    srv = Server(data, env=UNTHROTTLED)
    srv.start()
    with srv.client(srv.token()) as api:
        case = api.post("/cases", json={"title": "big case", "severity": "high"}).json()
    srv.stop()
    seconds = fill_alerts(
        data / "irbox.db",
        ALERTS,
        lambda i: [("ip", f"10.0.{i % 256}.{i % 200}")],
        lambda i: case["id"] if i % (ALERTS // CASE_ALERTS) == 0 else None,
    )
    print(f"{ALERTS} alerts written in {seconds:.1f} s; timing {RUNS} requests each")
    srv.start(timeout=600)
    deep = encode_cursor(ALERTS - 10_000 * 50)  # where page 10,000 of 50 starts
    rows = []
    try:
        with srv.client(srv.token()) as api:
            for label, path, params in (
                ("first page", "/alerts", {}),
                ("page 10,000", "/alerts", {"cursor": deep}),
                ("first page, filtered", "/alerts", {"status": "triage", "severity": "high"}),
                ("page 10,000, filtered", "/alerts",
                 {"status": "triage", "severity": "high", "cursor": deep}),
                ("first page, source filter", "/alerts", {"source": "src3"}),
                ("text search, in every alert", "/alerts", {"status": "triage", "q": "alert"}),
                ("text search, 11 alerts", "/alerts", {"status": "", "q": "number 12345"}),
                ("text search, an observable", "/alerts", {"status": "", "q": "10.0.7.7"}),
                ("most severe first, first page", "/alerts", {"sort": "severity"}),
                ("most severe first, in triage", "/alerts",
                 {"status": "triage", "sort": "severity"}),
                (f"case with {CASE_ALERTS} alerts", f"/cases/{case['id']}", {}),
            ):  # fmt: skip
                samples = timed(api, path, params)
                rows.append((label, percentile(samples, 50), percentile(samples, 99)))
    finally:
        srv.stop()
    print(f"{'':34}{'p50 ms':>9}{'p99 ms':>9}")
    for label, p50, p99 in rows:
        print(f"{label:34}{p50:9.2f}{p99:9.2f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
