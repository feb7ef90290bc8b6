"""Report generation time for a case with 200 timeline events: the resolve request (which
renders the HTML and Markdown reports) and a GET of the report, through the real server."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.harness import Server  # noqa: E402

RUNS = 5


def main() -> None:
    srv = Server(Path(tempfile.mkdtemp()) / "data").start()
    resolve_ms, get_ms = [], []
    try:
        with srv.client(srv.token()) as api:
            for run in range(RUNS):
                case_id = api.post("/cases", json={"title": f"r{run}", "severity": "high"}).json()[
                    "id"
                ]
                for i in range(197):  # + created, resolved and this note = 200 events
                    api.post(
                        f"/cases/{case_id}/timeline",
                        json={
                            "at": f"2026-06-02T09:{i // 60:02d}:{i % 60:02d}Z",
                            "summary": f"step {i}",
                        },
                    )
                api.post(f"/cases/{case_id}/comments", json={"body": "**done**"})
                t = time.perf_counter()
                case = api.post(
                    f"/cases/{case_id}/resolve", json={"verdict": "true_positive"}
                ).json()
                resolve_ms.append((time.perf_counter() - t) * 1000)
                assert len(case["timeline"]) == 200, len(case["timeline"])
                t = time.perf_counter()
                api.get(f"/cases/{case_id}/report").raise_for_status()
                get_ms.append((time.perf_counter() - t) * 1000)
    finally:
        srv.stop()
    print("case with 200 timeline events")
    for name, values in (("resolve + render report", resolve_ms), ("GET report (HTML)", get_ms)):
        median, worst = statistics.median(values), max(values)
        print(f"{name:24} median {median:.1f} ms, max {worst:.1f} ms")


if __name__ == "__main__":
    main()
