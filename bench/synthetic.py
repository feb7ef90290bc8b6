"""Synthetic data written straight into SQLite for the benchmarks (the API path is measured
elsewhere; these only need a realistic database quickly)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from irbox.store import alerts as alerts_table
from tests.harness import SOURCE_COMMAND

# Every benchmark's server: the per-key rate limit must not be what a benchmark measures.
UNTHROTTLED = {"IRBOX_RATE_LIMIT_PER_MINUTE": "100000000", "IRBOX_RATE_LIMIT_BURST": "100000000"}
SEVERITIES = ("info", "low", "medium", "high", "critical")
STATUSES = ("triage", "triage", "triage", "dismissed", "escalated")


def init_data_dir(data: Path) -> None:
    subprocess.run([*SOURCE_COMMAND, "init", "--data-dir", str(data)], check=True,
                   capture_output=True)  # fmt: skip


def fill_alerts(
    db_path: Path,
    count: int,
    observables_of: Callable[[int], list[tuple[str, str]]],
    case_of: Callable[[int], str | None] = lambda i: None,
) -> float:
    """Insert `count` alerts; returns the seconds it took."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA synchronous=OFF")
    started = time.perf_counter()
    now = int(time.time() * 1_000_000)
    batch = []
    for i in range(1, count + 1):
        observables = json.dumps([{"type": t, "value": v} for t, v in observables_of(i)])
        at = now - (count - i) * 1000
        case_id = case_of(i)
        status = "escalated" if case_id else STATUSES[(i // 3) % len(STATUSES)]
        alert_id, source, severity = f"alert_bench{i:020d}", f"src{i % 7}", SEVERITIES[i % 5]
        row = (alert_id, source, f"ext-{i}", severity, f"Alert number {i}", "[]", observables)
        batch.append((*row, at, status, 1, at, at, case_id))
        if len(batch) == 20_000:
            _insert(conn, batch)
            batch.clear()
    _insert(conn, batch)
    conn.close()
    return time.perf_counter() - started


def _insert(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """The rows and their text-search entries, as an ingest stores them."""
    first = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM alerts").fetchone()[0]
    conn.executemany(
        "INSERT INTO alerts (id, source, external_id, severity, title, tags, observables,"
        " detected_at, status, occurrences, first_seen_at, last_seen_at, case_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    alerts_table.index_text(conn, first, first + len(rows) - 1)
    conn.commit()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]
