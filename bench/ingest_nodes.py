"""Ingest through two irbox nodes on one PostgreSQL database against one node, in the same run:
wrk drives `POST /alerts` (the script of bench/ingest.py) at one node with all the
connections, then at two nodes with half each, both at once; rounds alternate which goes first.
Prints requests/s, p50/p99 and non-2xx for each, their ratio, and how long an alert ingested on
one node takes to be found by an observable search on the other (the index each node keeps).
Asserts nothing about time. On a machine with few cores the nodes, PostgreSQL and wrk share
them: the figure says what a second node costs or gives here, not on a larger host."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import bench.ingest as ingest  # noqa: E402
from bench.synthetic import UNTHROTTLED  # noqa: E402
from tests.harness import Server, nodes  # noqa: E402
from tests.postgres import PostgresCluster  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
LOOKUPS = 50
ENV = {**UNTHROTTLED, "IRBOX_LOG_LEVEL": "warning"}


def start_nodes(cluster: PostgresCluster, count: int) -> list[Server]:
    started = nodes(Path(tempfile.mkdtemp()), cluster.fresh_database(), count, dict(ENV))
    for node in started:
        node.start()
    return started


def stop(nodes: list[Server]) -> None:
    for node in nodes:
        node.stop()
    shutil.rmtree(nodes[0].data_dir.parent, ignore_errors=True)


def drive(nodes: list[Server]) -> dict[str, float]:
    """wrk at every node at once, the connections shared out; the sums and the worst p99."""
    connections = ingest.CONNECTIONS
    ingest.CONNECTIONS = max(1, connections // len(nodes))
    tokens = [node.token() for node in nodes]  # one at a time: token() swaps sys.stdout
    try:
        with ThreadPoolExecutor(len(nodes)) as pool:
            runs = list(
                pool.map(
                    lambda node, token: ingest.wrk(node.url, token, node.proc.pid), nodes, tokens
                )
            )
    finally:
        ingest.CONNECTIONS = connections
    return {
        "rps": sum(r["rps"] for r in runs),
        "p50": max(r["p50"] for r in runs),
        "p99": max(r["p99"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
    }


def found_elsewhere(nodes: list[Server]) -> list[float]:
    """Milliseconds from an alert's 201 on one node to its observable being found on the
    other, for LOOKUPS alerts one after another."""
    first, second = nodes
    delays = []
    with first.client(first.token()) as on_first, second.client(second.token()) as on_second:
        for n in range(LOOKUPS):
            value = f"seen-{n}-{time.monotonic_ns()}.example"
            body = {
                "source": "edr", "external_id": value, "severity": "low", "title": "look-up",
                "detected_at": "2026-06-02T09:14:00Z",
                "observables": [{"type": "domain", "value": value}],
            }  # fmt: skip
            assert on_first.post("/alerts", json=body).status_code == 201
            acked = time.monotonic()
            params = {"type": "domain", "value": value}
            while on_second.get("/observables/search", params=params).json()["alert_count"] < 1:
                if time.monotonic() - acked > 30:
                    raise RuntimeError(f"{value} not found on the other node within 30 s")
                time.sleep(0.005)
            delays.append((time.monotonic() - acked) * 1000)
    return delays


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("bench/ingest_nodes.py needs wrk: apt-get install wrk")
    cluster = PostgresCluster().start()
    print(
        f"wrk -t1 -d{ingest.DURATION}, {ingest.CONNECTIONS} connections in all, 5 observables"
        f" per alert, 10% duplicates; {ROUNDS} rounds, one node and two nodes alternating;"
        f" {os.cpu_count()} cores shared by the nodes, PostgreSQL and wrk"
    )
    try:
        results: dict[int, list[dict[str, float]]] = {1: [], 2: []}
        delays: list[float] = []
        for n in range(ROUNDS):
            for count in (1, 2) if n % 2 == 0 else (2, 1):
                nodes = start_nodes(cluster, count)
                try:
                    result = drive(nodes)
                    if count == 2:
                        delays += found_elsewhere(nodes)
                finally:
                    stop(nodes)
                results[count].append(result)
                print(
                    f"round {n + 1}: {count} node{'s' if count > 1 else ''}"
                    f" {result['rps']:,.0f} req/s, p50 {result['p50']:.1f} ms,"
                    f" p99 {result['p99']:.1f} ms, non-2xx {result['errors']:.0f}"
                )
    finally:
        cluster.stop()
    one, two = (statistics.median(r["rps"] for r in results[c]) for c in (1, 2))
    print(f"median: one node {one:,.0f} req/s, two nodes {two:,.0f} req/s, ratio {two / one:.2f}")
    delays.sort()
    print(
        f"found on the other node after (ms, {len(delays)} alerts): p50"
        f" {statistics.median(delays):.0f}, p99 {delays[int(len(delays) * 0.99) - 1]:.0f},"
        f" max {delays[-1]:.0f}"
    )


if __name__ == "__main__":
    main()
