"""Reads beside ingest: ingest throughput and latency (wrk, as bench/ingest.py) while 8 clients
load a case page (60 observables, so 20 index look-ups) and the dashboard over and over, for the
working tree against a baseline git ref (default HEAD~1) in alternating rounds of the same run.
Prints both sides' ingest req/s and p50/p99, and the page loads each side served. Asserts
nothing.

    BENCH_BASELINE_REF=<ref> python bench/reads.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest import wrk  # noqa: E402
from bench.synthetic import UNTHROTTLED  # noqa: E402
from tests.harness import Server, alert  # noqa: E402

BASELINE_REF = os.environ.get("BENCH_BASELINE_REF", "HEAD~1")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
READERS = 8


def _case_with_observables(server: Server, api: httpx.Client) -> str:
    observables = [{"type": "ip", "value": f"198.51.100.{i}"} for i in range(60)]
    for n in range(200):  # sightings for the look-ups to find
        api.post("/alerts", json=alert(f"seed-{n}", observables=observables[n % 60 : n % 60 + 3]))
    case = api.post("/cases", json={"title": "reads", "severity": "high"}).json()
    for item in observables:
        api.post(f"/cases/{case['id']}/observables", json=item)
    return str(case["id"])


def _signed_in(server: Server) -> httpx.Client:
    return server.ui_client("admin@irbox.local", server.first_password)


def one_side(tree: Path) -> dict[str, float]:
    data = Path(tempfile.mkdtemp()) / "data"
    env = {**UNTHROTTLED, "IRBOX_LOG_LEVEL": "warning", "PYTHONPATH": str(tree),
           "PYTHONSAFEPATH": "1"}  # fmt: skip
    server = Server(data, env=env).start()
    try:
        token = server.token()
        with server.client(token) as api:
            case_id = _case_with_observables(server, api)
        # One session for all readers (sign-in is throttled per address).
        session = _signed_in(server)
        cookies = dict(session.cookies)
        session.close()
        stop = threading.Event()
        loads: list[int] = []

        def reader() -> None:
            done = 0
            client = httpx.Client(base_url=server.url, cookies=cookies, timeout=60)
            try:
                while not stop.is_set():
                    for path in (f"/cases/{case_id}", "/dashboard"):
                        if client.get(path).status_code != 200:
                            raise RuntimeError(f"{path} did not answer 200")
                        done += 1
            finally:
                client.close()
                loads.append(done)

        threads = [threading.Thread(target=reader) for _ in range(READERS)]
        for thread in threads:
            thread.start()
        assert server.proc is not None
        result = wrk(server.url, token, server.proc.pid)
        stop.set()
        for thread in threads:
            thread.join()
        result["page_loads"] = float(sum(loads))
        return result
    finally:
        server.kill()
        shutil.rmtree(data.parent, ignore_errors=True)


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("bench/reads.py needs wrk: apt-get install wrk")
    baseline = Path(tempfile.mkdtemp()) / "baseline"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(baseline),
                    BASELINE_REF], check=True)  # fmt: skip
    try:
        rev = subprocess.run(["git", "-C", str(baseline), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        print(
            f"ingest with {READERS} clients loading a case page and the dashboard;"
            f" baseline {BASELINE_REF} ({rev}) against the working tree, {ROUNDS} rounds"
        )
        sides: dict[str, list[dict[str, float]]] = {"baseline": [], "this tree": []}
        for n in range(1, ROUNDS + 1):
            for name, tree in (("baseline", baseline), ("this tree", ROOT)):
                result = one_side(tree)
                sides[name].append(result)
                print(f"round {n} {name:>9}: ingest {result['rps']:8.0f}/s p50"
                      f" {result['p50']:6.2f} ms p99 {result['p99']:7.2f} ms;"
                      f" page loads {result['page_loads']:.0f}")  # fmt: skip
        for name, results in sides.items():
            med = {k: statistics.median(r[k] for r in results) for k in results[0]}
            print(f"median {name:>9}: ingest {med['rps']:8.0f}/s p50 {med['p50']:6.2f} ms"
                  f" p99 {med['p99']:7.2f} ms; page loads {med['page_loads']:.0f}")  # fmt: skip
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(baseline)])


if __name__ == "__main__":
    main()
