"""Ingest throughput: irbox `POST /alerts` (durable, group-committed) against the ceiling of a bare
Litestar + msgspec app under Granian with the same body model that stores nothing, both driven by
wrk with the same script and concurrency. Realistic alerts with 5 observables, unique ids and 10%
duplicates. Prints requests/s, p50/p99 for both and the ratio, and the CPU each side spends per
request (what bounds requests/s on this machine's cores). Asserts nothing about time.

`--compare DIR` adds a side to every round: irbox from another checkout (e.g. a `git worktree`
of an earlier commit), so a change's cost is measured against what it replaced in the same run,
alternating. `--database postgresql` adds irbox keeping its data in PostgreSQL (a cluster of
Debian's binaries the bench starts on this machine, a new database each round); its CPU per
request counts PostgreSQL's processes too."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import NamedTuple

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.synthetic import UNTHROTTLED  # noqa: E402
from tests.harness import Server, free_port  # noqa: E402
from tests.postgres import PostgresCluster  # noqa: E402

DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))

LUA = r"""
local run = "%(run)s"
local token = "%(token)s"
local counter = 0
local template = '{"source":"edr","external_id":"%%s","severity":"high",' ..
  '"title":"Suspicious PowerShell on WS-042","detected_at":"2026-06-02T09:14:00Z",' ..
  '"asset":{"hostname":"WS-042","ip":"10.1.2.3","owner":"jdoe@example.com"},' ..
  '"observables":[{"type":"ip","value":"203.0.113.%%d"},' ..
  '{"type":"domain","value":"c2-%%d.example.com"},' ..
  '{"type":"hash","value":"da39a3ee5e6b4b0d3255bfef95601890afd8%%04d"},' ..
  '{"type":"user","value":"CORP\\\\jdoe"},{"type":"hostname","value":"WS-042"}],' ..
  '"raw":{"vendor":"edr","rule":"ps-encoded"}}'
request = function()
  counter = counter + 1
  local id
  if counter %% 10 == 0 then
    id = run .. "-dup-" .. (counter %% 50)
  else
    id = run .. "-" .. counter
  end
  local body = string.format(template, id, counter %% 250, counter %% 1000, counter %% 10000)
  return wrk.format("POST", "/api/v1/alerts",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
"""


# A line of wrk's latency distribution ("    99%   16.50ms"): anchored, since the thread stats'
# "+/- Stdev" column (e.g. "89.50%" at the end of a line) would match a bare "50%\s+".
PERCENTILE = r"^\s+%d%%\s+(\S+)$"


def wrk(url: str, token: str, server_pid: int, also: tuple[int, ...] = ()) -> dict[str, float]:
    """One wrk run; besides its figures, the CPU time the server (all its processes and
    threads, and those of `also`: its database) and wrk spent per request, so the figures can be
    set against the machine's cores."""
    script = Path(tempfile.mkdtemp()) / "ingest.lua"
    script.write_text(LUA % {"run": uuid.uuid4().hex[:8], "token": token})
    pids = (server_pid, *also)
    server_cpu = sum(map(cpu_seconds, pids))
    wrk_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    server_cpu = sum(map(cpu_seconds, pids)) - server_cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = after.ru_utime + after.ru_stime - wrk_cpu.ru_utime - wrk_cpu.ru_stime
    if not re.search(PERCENTILE % 50, out, re.M):
        raise RuntimeError(f"wrk printed no latency distribution:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "server_cpu_us": server_cpu / requests * 1e6,
        "wrk_cpu_us": wrk_cpu / requests * 1e6,
        "p50": _ms(re.search(PERCENTILE % 50, out, re.M).group(1)),
        "p99": _ms(re.search(PERCENTILE % 99, out, re.M).group(1)),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (Granian's workers), from /proc; gone ones left out."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        try:
            children = [
                int(child)
                for task in Path(f"/proc/{current}/task").iterdir()
                for child in (task / "children").read_text().split()
            ]
        except (FileNotFoundError, ProcessLookupError):
            continue
        found.append(current)
        pending += children
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and all its descendants, from /proc."""
    total = 0.0
    for current in process_tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_baseline() -> dict[str, float]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "baseline_app.py"), "127.0.0.1", str(port)],
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.post(url + "/api/v1/alerts", json={})
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        return wrk(url, "none", proc.pid)
    finally:
        os.killpg(proc.pid, 15)
        proc.wait()


class Side(NamedTuple):
    name: str
    source: Path | None = None  # another checkout's root; None: this one
    database: PostgresCluster | None = None  # None: SQLite in the data dir


def run_irbox(command: list[str] | None, side: Side) -> tuple[dict[str, float], int]:
    """One round of irbox, from this checkout or from another, on SQLite or PostgreSQL."""
    source = side.source
    data = Path(tempfile.mkdtemp()) / "data"
    env = {
        **UNTHROTTLED,
        **({"PYTHONPATH": str(source)} if source else {}),
        # warning: the ceiling logs nothing either; BENCH_LOG_LEVEL=info adds the line per request
        "IRBOX_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "warning"),
        **({"IRBOX_INDEX_FLUSH_MS": os.environ["FLUSH"]} if "FLUSH" in os.environ else {}),
    }
    # `python -m irbox` looks in its working directory first, so a compared checkout's server
    # starts there (and PYTHONPATH carries it into Granian's worker).
    url = side.database.fresh_database() if side.database else ""
    with contextlib.chdir(source or ROOT):
        srv = Server(data, command=command, env=env, database_url=url).start()
    try:
        also = (side.database.postmaster_pid(),) if side.database else ()
        result = wrk(srv.url, srv.token(), srv.proc.pid, also)
        with srv.client(srv.token()) as c:
            stored = 0
            cursor = None
            while True:
                params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
                page = c.get("/alerts", params=params).json()
                stored += len(page["items"])
                cursor = page["next_cursor"]
                if not cursor:
                    break
        return result, stored
    finally:
        srv.stop()
        shutil.rmtree(data.parent, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", metavar="DIR", type=Path, help="another checkout's root")
    parser.add_argument("--database", choices=["postgresql"], help="add irbox on PostgreSQL")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/ingest.py needs wrk: apt-get install wrk")
    cluster = PostgresCluster().start() if args.database else None
    try:
        measure(args.compare, cluster)
    finally:
        if cluster:
            cluster.stop()


def measure(compare: Path | None, cluster: PostgresCluster | None) -> None:
    sides = [Side("irbox")]
    if compare:
        sides.append(Side("compared", source=compare.resolve()))
    if cluster:
        sides.append(Side("postgresql", database=cluster))
    print(
        f"wrk -t1 -c{CONNECTIONS} -d{DURATION}, 5 observables per alert, 10% duplicates;"
        f" {ROUNDS} rounds, the ceiling and {', '.join(s.name for s in sides)} alternating (this"
        " VM's speed drifts by 20-30% between minutes, so one pair can mislead)"
    )
    if compare:
        print(f"compared: irbox from {compare.resolve()}")
    rounds = []
    for n in range(1, ROUNDS + 1):
        base = run_baseline()
        # The irbox sides take turns at going first: none always runs after another.
        turn = sides[n % len(sides) :] + sides[: n % len(sides)]
        by_side = {side.name: run_irbox(None, side) for side in turn}
        results = [by_side[side.name] for side in sides]
        rounds.append((base, *(result for result, _ in results)))
        for side, (result, stored) in zip(sides, results, strict=True):
            print(
                f"round {n}: {side.name} ratio {result['rps'] / base['rps']:.2f};"
                f" alerts stored (durable): {stored}"
            )
        _table([s.name for s in sides], base, *(result for result, _ in results))
    names = ("ceiling", *(s.name for s in sides))
    median = {
        side: {key: statistics.median(r[i][key] for r in rounds) for key in rounds[0][i]}
        for i, side in enumerate(names)
    }
    ratios = {
        side: [r[i]["rps"] / r[0]["rps"] for r in rounds] for i, side in enumerate(names) if i
    }
    for side in sides:
        median_ratio = statistics.median(ratios[side.name])
        print(f"median of {ROUNDS} rounds: {side.name} ratio {median_ratio:.2f}")
    if compare:
        change = [r[1]["rps"] / r[2]["rps"] for r in rounds]
        print(
            f"irbox against compared, round by round: {', '.join(f'{c:.3f}' for c in change)};"
            f" median {statistics.median(change):.3f}"
        )
    _table([s.name for s in sides], *(median[name] for name in names))
    print(json.dumps({"rounds": rounds, "ratios": ratios, "median": median}))


def _table(sides: list[str], base: dict[str, float], *results: dict[str, float]) -> None:
    names = ["bare Litestar (ceiling)", *(f"{side} POST /alerts" for side in sides)]
    rows = list(zip(names, (base, *results), strict=True))
    print(f"  {'':28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}")
    for name, r in rows:
        print(f"  {name:28}{r['rps']:>10.0f}{r['p50']:>10.2f}{r['p99']:>10.2f}{r['errors']:>10.0f}")
    # What the machine allows: with every core busy on this work and nothing waiting, requests/s
    # cannot exceed cores / (server CPU + load generator CPU) per request.
    cores = os.cpu_count() or 1
    print(f"  CPU per request, us:{'server':>10}{'wrk':>10}   bound on {cores} cores (req/s)")
    for name, r in rows:
        bound = cores * 1e6 / (r["server_cpu_us"] + r["wrk_cpu_us"])
        print(f"    {name:26}{r['server_cpu_us']:>8.0f}{r['wrk_cpu_us']:>10.0f}{bound:>12,.0f}")


if __name__ == "__main__":
    main()
