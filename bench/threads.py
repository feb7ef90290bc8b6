"""Where the server's CPU goes during ingest: one wrk run (bench/ingest.py's alerts and
concurrency) against irbox from source, then per OS thread the CPU time per request (user and
system), context switches per request, the SQLite WAL's size through the run, and how busy the
machine's cores were. A profiling aid, not a benchmark to compare: it prints no ratio. Threads
started by irbox are named by `bench/named_threads.py`; the others keep the executable's name:
the busiest `python` is the worker's main thread (the event loop), the next one Granian's thread
handing requests to it, `tokio-rt-worker` Granian's I/O.

    BENCH_DURATION=15s python bench/threads.py

Measured this way (2026-11-28, 1f0dc37): the whole server ~118 us of CPU per alert at ~10 k
alerts/s, of which the event loop ~43, the SQLite writer ~29, Granian's threads ~22, the indexer
~10 and the merger ~12; the cores ~67% busy."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.ingest import CONNECTIONS, DURATION, LUA, PERCENTILE, process_tree  # noqa: E402
from bench.synthetic import UNTHROTTLED  # noqa: E402
from tests.harness import Server  # noqa: E402

Sample = dict[tuple[int, str], tuple[int, int, int, int]]  # (tid, name): user, sys, vcs, ivcs


def threads_of(pid: int) -> Sample:
    """Every thread of the process and its descendants (Granian's worker) from /proc."""
    out: Sample = {}
    for current in process_tree(pid):
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
                status = (task / "status").read_text()
                switches = [
                    int(re.search(rf"^{kind}_ctxt_switches:\s+(\d+)", status, re.M).group(1))
                    for kind in ("voluntary", "nonvoluntary")
                ]
                name = (task / "comm").read_text().strip()
                out[(int(task.name), name)] = (int(fields[11]), int(fields[12]), *switches)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return out


def busy_jiffies() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values), values[3] + values[4]  # all, idle + iowait


def main() -> None:
    data = Path(tempfile.mkdtemp()) / "data"
    command = [sys.executable, str(ROOT / "bench" / "named_threads.py")]
    srv = Server(data, command=command, env={**UNTHROTTLED, "IRBOX_LOG_LEVEL": "warning"}).start()
    wal_mb: list[float] = []
    done = threading.Event()

    def sample_wal() -> None:
        while not done.wait(1.0):
            wal = data / "irbox.db-wal"
            wal_mb.append(wal.stat().st_size / 2**20 if wal.exists() else 0.0)

    try:
        script = Path(tempfile.mkdtemp()) / "ingest.lua"
        script.write_text(LUA % {"run": uuid.uuid4().hex[:8], "token": srv.token()})
        threading.Thread(target=sample_wal, daemon=True).start()
        before, cores_before = threads_of(srv.proc.pid), busy_jiffies()
        out = subprocess.run(
            ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", "-s", str(script),
             srv.url],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        after, cores_after = threads_of(srv.proc.pid), busy_jiffies()
        done.set()
    finally:
        srv.stop()
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = re.search(r"Requests/sec:\s+(\S+)", out).group(1)
    p50, p99 = (re.search(PERCENTILE % p, out, re.M).group(1) for p in (50, 99))
    print(f"wrk -c{CONNECTIONS} -d{DURATION}: {rps} alerts/s, p50 {p50}, p99 {p99}")
    tick = os.sysconf("SC_CLK_TCK")
    per_request = 1e6 / tick / requests
    print(f"{'thread':18}{'cpu us/req':>11}{'of it sys':>10}{'vcs/req':>9}{'ivcs/req':>9}")
    total = 0.0
    rows = []
    for key, (user, system, vcs, ivcs) in after.items():
        u0, s0, v0, i0 = before.get(key, (0, 0, 0, 0))
        cpu = (user - u0 + system - s0) * per_request
        total += cpu
        if cpu >= 0.1:
            rows.append((cpu, key[1], (system - s0) * per_request, vcs - v0, ivcs - i0))
    for cpu, name, system, vcs, ivcs in sorted(rows, reverse=True):
        print(f"{name:18}{cpu:11.1f}{system:10.1f}{vcs / requests:9.2f}{ivcs / requests:9.2f}")
    print(f"{'whole server':18}{total:11.1f}")
    (all0, idle0), (all1, idle1) = cores_before, cores_after
    busy = (1 - (idle1 - idle0) / (all1 - all0)) * (os.cpu_count() or 1)
    print(f"cores busy (whole machine, wrk included): {busy:.2f} of {os.cpu_count()}")
    print("SQLite WAL each second (MB): " + " ".join(f"{mb:.0f}" for mb in wal_mb))


if __name__ == "__main__":
    main()
