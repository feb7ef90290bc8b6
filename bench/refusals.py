"""Refused uploads at once: 100 clients each send a body irbox refuses before reading it (half
5 MiB without a token, 401; half 3 MiB to a 1 MiB upload limit, 413), while a prober asks
/healthz every 10 ms. Prints the worker's RSS before, at its highest during and after, how many
clients read their refusal, and /healthz latency idle (the baseline, same run) and under the
refusals. Asserts nothing.

    python bench/refusals.py          # BENCH_CLIENTS=100 BENCH_ROUNDS=3 by default
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.resources import rss_mb, worker_pid  # noqa: E402
from tests.harness import Server  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "100"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
UNAUTHENTICATED = b"[" + b" " * (5 * 1024 * 1024)
UPLOAD = b"x" * (3 * 1024 * 1024)


def probe(url: str, stop: Any, out: Any) -> None:
    """In a process of its own: the 100 uploading threads of this one would otherwise hold
    the prober's GIL, and their wait would be counted as the server's."""
    latencies = []
    with httpx.Client() as client:
        while not stop.is_set():
            started = time.perf_counter()
            client.get(url + "/healthz")
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.01)
    out.send(latencies)


class Prober:
    def __init__(self, url: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.stop = context.Event()
        self.receive, send = context.Pipe(duplex=False)
        self.process = context.Process(target=probe, args=(url, self.stop, send))
        self.process.start()

    def finish(self) -> list[float]:
        self.stop.set()
        latencies: list[float] = self.receive.recv()
        self.process.join()
        return latencies


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered):.2f} ms, p99 {p99:.2f} ms, max {ordered[-1]:.2f} ms"


def main() -> None:
    server = Server(Path(tempfile.mkdtemp()) / "data")
    server.env["IRBOX_MAX_UPLOAD_MB"] = "1"
    server.start()
    try:
        token = server.token()
        auth = {"Authorization": f"Bearer {token}"}
        case_id = httpx.post(
            server.url + "/api/v1/cases", json={"title": "bench", "severity": "low"}, headers=auth
        ).json()["id"]
        pid = worker_pid(server)

        def refused(i: int) -> int:
            with httpx.Client(timeout=60) as client:
                if i % 2:
                    files = {"file": ("big.bin", UPLOAD)}
                    url = f"{server.url}/api/v1/cases/{case_id}/attachments"
                    return client.post(url, files=files, headers=auth).status_code
                json_type = {"Content-Type": "application/json"}
                url = server.url + "/api/v1/alerts"
                return client.post(url, content=UNAUTHENTICATED, headers=json_type).status_code

        prober = Prober(server.url)
        time.sleep(3)
        idle = prober.finish()
        print(f"/healthz idle (baseline): {percentiles(idle)}")
        for round_no in range(1, ROUNDS + 1):
            before = rss_mb(pid)
            highest = before
            prober = Prober(server.url)
            time.sleep(0.5)
            started = time.monotonic()
            with ThreadPoolExecutor(CLIENTS) as pool:
                futures = [pool.submit(refused, i) for i in range(CLIENTS)]
                while not all(f.done() for f in futures):
                    highest = max(highest, rss_mb(pid))
                    time.sleep(0.05)
            took = time.monotonic() - started
            loaded = prober.finish()
            codes = [f.result() if not f.exception() else 0 for f in futures]
            read = sum(code in (401, 413) for code in codes)
            ratio = statistics.median(loaded) / statistics.median(idle)
            print(
                f"round {round_no}: {CLIENTS} refused uploads in {took:.1f} s, {read} read their"
                f" refusal; worker RSS {before:.1f} -> max {highest:.1f} -> {rss_mb(pid):.1f} MB;"
                f" /healthz during: {percentiles(loaded)} (p50 x{ratio:.1f} of idle)"
            )
    finally:
        server.kill()


if __name__ == "__main__":
    main()
