"""Memory and start-up: the built binary's start-to-healthy time (several runs), the worker's RSS
when idle, and its RSS sampled during sustained ingest (wrk). Asserts nothing.

    BENCH_LOAD_SECONDS=300 python bench/resources.py      # the 5-minute run of issue 7
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest import LUA  # noqa: E402
from bench.synthetic import UNTHROTTLED  # noqa: E402
from tests.harness import Server  # noqa: E402

BINARY = ROOT / "dist" / "irbox"
LOAD_S = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))


def file_mb(path: Path) -> float:
    try:
        return path.stat().st_size / 2**20
    except FileNotFoundError:
        return 0.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_pid(server: Server) -> int:
    """The Granian worker: the deepest descendant (the one-file binary adds a bootloader)."""
    assert server.proc is not None
    pid = server.proc.pid
    while children := Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        pid = int(children[0])
    return pid


def main() -> None:
    if not BINARY.exists():
        sys.exit("build the binary first: make binary")
    starts = []
    for _ in range(int(os.environ.get("BENCH_STARTS", "5"))):
        srv = Server(Path(tempfile.mkdtemp()) / "data", command=[str(BINARY)])
        t = time.monotonic()
        srv.start()
        starts.append(time.monotonic() - t)
        srv.stop()
    median, worst = statistics.median(starts), max(starts)
    print(f"binary start-to-healthy: median {median:.2f} s, max {worst:.2f} s")

    env = {
        **UNTHROTTLED,
        **{k: v for k, v in os.environ.items() if k.startswith("IRBOX_")},
    }
    srv = Server(Path(tempfile.mkdtemp()) / "data", command=[str(BINARY)], env=env).start()
    try:
        pid = worker_pid(srv)
        time.sleep(2)
        print(f"idle RSS: {rss_mb(pid):.1f} MB")
        script = Path(tempfile.mkdtemp()) / "ingest.lua"
        script.write_text(LUA % {"run": "rss", "token": srv.token()})
        load = subprocess.Popen(
            ["wrk", "-t1", "-c32", f"-d{LOAD_S}s", "-s", str(script), srv.url],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        samples, wal = [], []
        while load.poll() is None:
            time.sleep(min(10, max(1, LOAD_S // 10)))
            samples.append(rss_mb(pid))
            wal.append(file_mb(srv.data_dir / "irbox.db-wal"))
        out = load.communicate()[0]
        rps = next((line for line in out.splitlines() if "Requests/sec" in line), "").strip()
        print(f"RSS during {LOAD_S} s of ingest ({rps}): " + ", ".join(f"{s:.0f}" for s in samples))
        print("SQLite WAL at the same moments (MB): " + ", ".join(f"{s:.0f}" for s in wal))
        time.sleep(3)
        print(f"RSS after the load: {rss_mb(pid):.1f} MB")
        files = sorted(p for p in srv.data_dir.iterdir() if p.is_file())
        print(
            "data dir after the load (MB): "
            + ", ".join(f"{p.name} {file_mb(p):.0f}" for p in files)
        )
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
