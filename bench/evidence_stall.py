"""Evidence transfers and the rest of the node: one 200 MiB upload and its download, to the
data dir and to an S3 bucket (a SeaweedFS started here), while a prober in a process of its own
asks /healthz every 10 ms. Prints /healthz latency idle (the baseline, same run) and during
each transfer: a store's work done on the event loop would show as one slow probe as long as
the transfer. Asserts nothing.

    python bench/evidence_stall.py        # BENCH_UPLOAD_MB=200 by default
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.refusals import Prober, percentiles  # noqa: E402
from tests.harness import Server  # noqa: E402
from tests.seaweed import SeaweedS3  # noqa: E402

UPLOAD_MB = int(os.environ.get("BENCH_UPLOAD_MB", "200"))


def measure(store: str, env: dict[str, str]) -> None:
    work = Path(tempfile.mkdtemp())
    payload = work / "memory.img"
    with open(payload, "wb") as out:
        for _ in range(UPLOAD_MB):
            out.write(os.urandom(1024 * 1024))
    server = Server(work / "data", env={**env, "IRBOX_MAX_UPLOAD_MB": str(UPLOAD_MB + 1)})
    server.start()
    try:
        with server.client(server.token()) as api:
            case_id = api.post("/cases", json={"title": "bench", "severity": "low"}).json()["id"]
            prober = Prober(server.url)
            time.sleep(2)
            print(f"{store}: /healthz idle (baseline): {percentiles(prober.finish())}")
            prober = Prober(server.url)
            time.sleep(1.5)  # the prober's process is up and probing
            started = time.monotonic()
            with open(payload, "rb") as sent:
                stored = api.post(
                    f"/cases/{case_id}/attachments", files={"file": ("memory.img", sent)},
                    timeout=600,
                ).json()  # fmt: skip
            took = time.monotonic() - started
            print(f"{store}: upload of {UPLOAD_MB} MiB in {took:.2f} s;"
                  f" /healthz during: {percentiles(prober.finish())}")  # fmt: skip
            prober = Prober(server.url)
            time.sleep(1.5)  # the prober's process is up and probing
            started = time.monotonic()
            url = f"/cases/{case_id}/attachments/{stored['id']}"
            with api.stream("GET", url, timeout=600) as answer:
                size = sum(len(chunk) for chunk in answer.iter_bytes())
            took = time.monotonic() - started
            print(f"{store}: download of {size >> 20} MiB in {took:.2f} s;"
                  f" /healthz during: {percentiles(prober.finish())}")  # fmt: skip
    finally:
        server.kill()
        payload.unlink()


def main() -> None:
    measure("data dir", {})
    s3 = SeaweedS3().start()
    try:
        measure("S3 (SeaweedFS)", s3.config(s3.bucket()))
    finally:
        s3.stop()


if __name__ == "__main__":
    main()
