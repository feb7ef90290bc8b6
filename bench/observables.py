"""Observable search at scale: builds an index of 10 M observables over 1 M alerts (synthetic,
realistic type mix, skewed popularity), then measures 1,000 random lookups (hits and misses)
straight against DuckDB (the floor) and through the HTTP API, in the same run; prints p50/p99 of
both and their ratio, the index build rate and the DuckDB file size. Asserts nothing.

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
from irbox.index import search as index_search  # noqa: E402
from irbox.index.database import IndexDatabase  # noqa: E402
from tests.harness import SOURCE_COMMAND, Server  # noqa: E402

ALERTS = int(os.environ.get("BENCH_ALERTS", "1000000"))
PER_ALERT = int(os.environ.get("BENCH_OBSERVABLES_PER_ALERT", "10"))
LOOKUPS = int(os.environ.get("BENCH_LOOKUPS", "1000"))
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
    api_ms = []
    try:
        with srv.client(srv.token()) as api:
            for kind, value in queries[:20]:  # warm-up
                api.get("/observables/search", params={"type": kind, "value": value})
            for kind, value in queries:
                t = time.perf_counter()
                r = api.get("/observables/search", params={"type": kind, "value": value})
                api_ms.append((time.perf_counter() - t) * 1000)
                r.raise_for_status()
    finally:
        srv.stop()
    print(f"{LOOKUPS} lookups (80% hits), ms:   p50      p99")
    print(f"  DuckDB directly (floor)   {percentile(floor, 50):7.2f}  {percentile(floor, 99):7.2f}")
    print(
        f"  HTTP API                  {percentile(api_ms, 50):7.2f}  {percentile(api_ms, 99):7.2f}"
    )
    print(f"  ratio API/floor           {percentile(api_ms, 50) / percentile(floor, 50):7.2f}"
          f"  {percentile(api_ms, 99) / percentile(floor, 99):7.2f}")  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
