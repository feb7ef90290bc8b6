"""Observable search at scale: builds an index of 10 M observables over 1 M alerts (synthetic,
realistic type mix, skewed popularity), then measures 1,000 random lookups (hits and misses)
straight against DuckDB (the floor) and through the HTTP API, in the same run; prints p50/p99 of
both and their ratio, the index build rate and the DuckDB file size. Twice: on the index as
`irbox reindex` leaves it (one sorted level) and as live indexing leaves it (a tail and several
levels, `irbox/index/levels.py`). Asserts nothing.

    BENCH_ALERTS=1000000 BENCH_OBSERVABLES_PER_ALERT=10 python bench/observables.py
"""

from __future__ import annotations

import bisect
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic import UNTHROTTLED, fill_alerts, init_data_dir, percentile  # noqa: E402
from irbox.index import levels  # noqa: E402
from irbox.index import search as index_search  # noqa: E402
from irbox.index.batch import Batch  # noqa: E402
from irbox.index.database import IndexDatabase  # noqa: E402
from irbox.index.rebuild import alert_events  # noqa: E402
from irbox.store.sqlite.connection import connect  # noqa: E402
from tests.harness import SOURCE_COMMAND, Server  # noqa: E402

ALERTS = int(os.environ.get("BENCH_ALERTS", "1000000"))
PER_ALERT = int(os.environ.get("BENCH_OBSERVABLES_PER_ALERT", "10"))
LOOKUPS = int(os.environ.get("BENCH_LOOKUPS", "1000"))
LIVE_CHUNK = 2_000  # alerts per indexer batch: about what 0.25 s of heavy ingest brings
POOL = max(1000, ALERTS * PER_ALERT // 5)  # distinct values: each seen 5 times on average
TYPES = [("ip", 30), ("domain", 25), ("hash", 20), ("url", 10), ("user", 5), ("hostname", 5),
         ("email", 5)]  # fmt: skip


def value_of(kind: str, n: int) -> str:
    if kind == "ip":
        return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
    if kind == "domain":
        return f"host{n}.example.com"
    if kind == "hash":
        return f"{n:064x}"
    if kind == "url":
        return f"https://site{n}.example.net/path/{n % 97}"
    if kind == "user":
        return f"corp\\user{n}"
    if kind == "hostname":
        return f"ws-{n}"
    return f"user{n}@example.org"


def build_pool(rng: random.Random) -> tuple[list[tuple[str, str]], list[float]]:
    kinds = rng.choices([t for t, _ in TYPES], weights=[w for _, w in TYPES], k=POOL)
    pool = [(kind, value_of(kind, n)) for n, kind in enumerate(kinds)]
    cumulative = list(accumulate(1.0 / (rank + 1) ** 0.9 for rank in range(POOL)))  # Zipf-like
    return pool, cumulative


def _sample(rng: random.Random, cumulative: list[float], k: int) -> list[int]:
    total = cumulative[-1]
    return [bisect.bisect_left(cumulative, rng.random() * total) for _ in range(k)]


def lookups(rng: random.Random, pool) -> list[tuple[str, str]]:
    hits = [pool[rng.randrange(POOL)] for _ in range(int(LOOKUPS * 0.8))]
    misses = [("domain", f"never{n}.example.org") for n in range(LOOKUPS - len(hits))]
    queries = hits + misses
    rng.shuffle(queries)
    return queries


def main() -> None:
    rng = random.Random(42)
    work = Path(tempfile.mkdtemp(prefix="irbox-bench-"))
    data = work / "data"
    init_data_dir(data)
    print(f"{ALERTS} alerts x {PER_ALERT} observables, {POOL} distinct values (Zipf-like)")
    pool, cumulative = build_pool(rng)
    seconds = fill_alerts(
        data / "irbox.db",
        ALERTS,
        lambda i: list({pool[j] for j in _sample(rng, cumulative, PER_ALERT)}),
    )
    print(f"SQLite filled in {seconds:.1f} s")
    out = subprocess.run([*SOURCE_COMMAND, "reindex", "--data-dir", str(data)],
                         check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip
    print(out)
    reindex_s = float(out.rsplit(" in ", 1)[1].split()[0])
    sightings = int(out.split("(")[1].split()[0])
    size_mb = (data / "index.duckdb").stat().st_size / 1e6
    print(f"index build: {sightings / reindex_s:,.0f} observables/s; DuckDB file {size_mb:.0f} MB")

    queries = lookups(rng, pool)
    report("rebuilt (one sorted level)", *measure(data, queries))
    index_file = data / "index.duckdb"
    shutil.move(index_file, work / "rebuilt.duckdb")
    seconds = index_live(data, index_file, work / "rebuilt.duckdb")
    print(f"live indexing (batches of {LIVE_CHUNK} alerts, merges included):"
          f" {sightings / seconds:,.0f} observables/s")  # fmt: skip
    layout = IndexDatabase(index_file)
    tables = layout.query("SELECT table_name, estimated_size FROM duckdb_tables() ORDER BY 1")
    layout.close()
    print("  layout: " + ", ".join(f"{name} {rows:,}" for name, rows in tables if "_" in name))
    report("as live indexing leaves it", *measure(data, queries))
    shutil.rmtree(work, ignore_errors=True)


def index_live(data: Path, index_file: Path, rebuilt: Path) -> float:
    """Index the alerts as the server's indexer does, one batch after another, merging levels."""
    position = IndexDatabase(rebuilt)
    through, version = position.applied_seq(), position.meta("schema_version")
    position.close()
    index = IndexDatabase(index_file)
    conn = connect(data / "irbox.db", readonly=True)
    started = time.monotonic()
    for _, events in alert_events(conn, LIVE_CHUNK):
        Batch(events).write(index, through)
        levels.settle(index.cursor())
    seconds = time.monotonic() - started
    index.set_meta("schema_version", version)
    conn.close()
    index.close()
    return seconds


def measure(data: Path, queries: list[tuple[str, str]]) -> tuple[list[float], ...]:
    """Milliseconds per lookup: the API's index queries straight on DuckDB, then over HTTP twice
    (just after start, and again with DuckDB's cache warm)."""
    index = IndexDatabase(data / "index.duckdb")
    floor = []
    for kind, value in queries:
        t = time.perf_counter()
        with index.snapshot():  # the same queries the API runs (lists only when seen)
            seen = index_search.sighted(index, kind, value)
            if seen.alert_count:
                index_search.entities(index, kind, value, "alert", None, 50)
            if seen.case_count:
                index_search.entities(index, kind, value, "case", None, 50)
        floor.append((time.perf_counter() - t) * 1000)
    index.close()

    srv = Server(data, env=UNTHROTTLED).start(timeout=600)
    api_ms: list[float] = []
    warm_ms: list[float] = []
    try:
        with srv.client(srv.token()) as api:
            for kind, value in queries[:20]:  # warm-up
                api.get("/observables/search", params={"type": kind, "value": value})
            for ms in api_ms, warm_ms:  # the first pass after start reads cold blocks
                for kind, value in queries:
                    t = time.perf_counter()
                    r = api.get("/observables/search", params={"type": kind, "value": value})
                    ms.append((time.perf_counter() - t) * 1000)
                    r.raise_for_status()
    finally:
        srv.stop()
    return floor, api_ms, warm_ms


def report(layout: str, floor: list[float], api_ms: list[float], warm_ms: list[float]) -> None:
    print(f"{LOOKUPS} lookups (80% hits), index {layout}, ms:   p50      p99")
    print(f"  DuckDB directly (floor)   {percentile(floor, 50):7.2f}  {percentile(floor, 99):7.2f}")
    print(
        f"  HTTP API                  {percentile(api_ms, 50):7.2f}  {percentile(api_ms, 99):7.2f}"
    )
    print(f"  ratio API/floor           {percentile(api_ms, 50) / percentile(floor, 50):7.2f}"
          f"  {percentile(api_ms, 99) / percentile(floor, 99):7.2f}")  # fmt: skip
    warm = f"{percentile(warm_ms, 50):7.2f}  {percentile(warm_ms, 99):7.2f}"
    print(f"  HTTP API again (warm)     {warm}")


if __name__ == "__main__":
    main()
