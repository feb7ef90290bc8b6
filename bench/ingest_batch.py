"""Batch ingest throughput: irbox `POST /alerts/batch` (1,000 alerts a request, one durable commit
each) against the storage ceiling measured in the same run: a raw sqlite3 bulk insert of the same
rows into the same schema (the alerts with their indexes, an audit row and an index-outbox row
each) in 1,000-row durable transactions, with irbox's own connection settings (WAL,
synchronous=FULL). Realistic alerts with 5 observables, 10% duplicates of earlier ones. Prints
alerts/s for both, the ratio, and each side's rounds. Asserts nothing about time.

`--database postgresql` adds irbox keeping its data in PostgreSQL (a cluster of Debian's
binaries the bench starts on this machine), measured in the same rounds against the same
ceiling."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.synthetic import UNTHROTTLED, init_data_dir  # noqa: E402
from irbox.store.alerts import INGEST_COLUMNS  # noqa: E402
from irbox.store.sqlite.connection import connect, enable_wal  # noqa: E402
from tests.harness import Server  # noqa: E402
from tests.postgres import PostgresCluster  # noqa: E402

BATCH = 1000
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
CEILING_ROWS = int(os.environ.get("BENCH_CEILING_ROWS", "100000"))


def alert(run: str, n: int) -> dict[str, object]:
    """The n-th alert of a run; every tenth repeats an earlier one (a duplicate)."""
    ext = n - 5 if n % 10 == 9 and n > 5 else n
    return {
        "source": "edr",
        "external_id": f"{run}-{ext}",
        "severity": "high",
        "title": "Suspicious PowerShell on WS-042",
        "detected_at": "2026-06-02T09:14:00Z",
        "asset": {"hostname": "WS-042", "ip": "10.1.2.3", "owner": "jdoe@example.com"},
        "observables": [
            {"type": "ip", "value": f"203.0.113.{n % 250}"},
            {"type": "domain", "value": f"host{n % 977}.example.com"},
            {"type": "hash", "value": f"{n:040x}"},
            {"type": "user", "value": "jdoe"},
            {"type": "hostname", "value": "ws-042"},
        ],
    }


def ceiling_round(rows: int) -> float:
    """Durable alerts/s of raw 1,000-row inserts (alert + audit + outbox rows each)."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        init_data_dir(data)
        conn = connect(data / "irbox.db")
        enable_wal(conn)
        conn.isolation_level = None
        run = uuid.uuid4().hex[:8]
        now = int(time.time() * 1_000_000)
        placeholders = ", ".join("?" * (len(INGEST_COLUMNS) + 2))
        insert_alert = (
            f"INSERT INTO alerts ({', '.join(INGEST_COLUMNS)}, triaged_at, occurrences)"
            f" VALUES ({placeholders})"
            " ON CONFLICT (source, external_id) DO UPDATE SET occurrences = occurrences + 1"
        )
        insert_audit = (
            "INSERT INTO audit_log (at, actor, key_id, ip, action, entity_id, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        insert_outbox = "INSERT INTO index_outbox (kind, payload, created_at) VALUES (?, ?, ?)"
        batches = []  # made before the clock starts: the ceiling is SQLite's, not Python's
        for first in range(0, rows, BATCH):
            alerts, audits, events = [], [], []
            for n in range(first, first + BATCH):
                body = alert(run, n)
                alert_id = f"alert_{run}{n:018d}"
                observables = json.dumps(body["observables"])
                alerts.append((alert_id, "edr", body["external_id"], "high", body["title"], None,
                               "[]", json.dumps(body["asset"]), observables, None, now, "triage",
                               now, now, "user_bench", None, None, None, None, 1))  # fmt: skip
                audits.append((now, "user_bench", "key_bench", "127.0.0.1", "alert.create",
                               alert_id, None))  # fmt: skip
                events.append(("alert_seen", json.dumps([alert_id, n, "edr", "high", now, True,
                                                         body["observables"]]), now))  # fmt: skip
            batches.append((alerts, audits, events))
        started = time.perf_counter()
        for alerts, audits, events in batches:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(insert_alert, alerts)
            conn.executemany(insert_audit, audits)
            conn.executemany(insert_outbox, events)
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - started
        conn.close()
        return rows / elapsed


def irbox_round(server: Server, token: str, seconds: float) -> tuple[float, int]:
    """Acknowledged alerts/s of `CLIENTS` clients posting 1,000-alert batches for `seconds`."""
    run = uuid.uuid4().hex[:8]
    bodies = [
        json.dumps([alert(f"{run}-{c}", n) for n in range(b * BATCH, (b + 1) * BATCH)]).encode()
        for c in range(CLIENTS)
        for b in range(int(seconds * 10))  # more than any client gets through
    ]
    acknowledged = [0] * CLIENTS
    failures = [0] * CLIENTS
    deadline = time.perf_counter() + seconds

    def client(c: int) -> None:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=120) as http:
            for body in bodies[c::CLIENTS]:
                if time.perf_counter() >= deadline:
                    return
                answer = http.post("/api/v1/alerts/batch", content=body)
                if answer.status_code != 200:
                    failures[c] += 1
                    continue
                result = answer.json()
                acknowledged[c] += result["created"] + result["deduplicated"]
                failures[c] += result["failed"]

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(acknowledged) / (time.perf_counter() - started), sum(failures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["postgresql"], help="add irbox on PostgreSQL")
    args = parser.parse_args()
    cluster = PostgresCluster().start() if args.database else None
    with tempfile.TemporaryDirectory() as tmp:
        servers = {"sqlite": Server(Path(tmp) / "data", env=UNTHROTTLED, database_url="")}
        if cluster:
            servers["postgresql"] = Server(
                Path(tmp) / "pg-data", env=UNTHROTTLED, database_url=cluster.fresh_database()
            )
        try:
            tokens = {name: srv.start().token(name="bench") for name, srv in servers.items()}
            ceilings: list[float] = []
            rates: dict[str, list[float]] = {name: [] for name in servers}
            failed = 0
            for r in range(ROUNDS):
                ceilings.append(ceiling_round(CEILING_ROWS))
                line = f"round {r + 1}: ceiling {ceilings[-1]:,.0f} rows/s"
                for name, srv in servers.items():
                    rate, failures = irbox_round(srv, tokens[name], SECONDS)
                    rates[name].append(rate)
                    failed += failures
                    line += (
                        f", irbox on {name} {rate:,.0f} alerts/s (ratio {rate / ceilings[-1]:.2f})"
                    )
                print(line)
        finally:
            for srv in servers.values():
                srv.kill()
            if cluster:
                cluster.stop()
    ceiling = statistics.median(ceilings)
    print(f"raw sqlite3, 1,000-row durable transactions (ceiling): median {ceiling:,.0f} rows/s")
    for name, measured in rates.items():
        irbox = statistics.median(measured)
        print(f"irbox on {name} POST /alerts/batch, {CLIENTS} clients x 1,000 alerts: median"
              f" {irbox:,.0f} durable alerts/s; ratio {irbox / ceiling:.2f}")  # fmt: skip
    print(f"failed items or requests: {failed}")


if __name__ == "__main__":
    main()
