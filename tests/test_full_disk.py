"""A full disk: ingest answers 503 `unavailable`, nothing acknowledged is lost, and irbox
recovers by itself when space returns. Needs a size-limited filesystem (a tmpfs mount, as root)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.harness import Server, alert


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    return result.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    if os.geteuid() != 0 or not _mount_tmpfs(mount, "12m"):
        pytest.skip("needs root and tmpfs mounts to make a size-limited filesystem")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.sqlite_only
def test_full_disk_is_503_loses_nothing_and_recovers(small_disk: Path) -> None:
    srv = Server(small_disk / "data", env={"IRBOX_RATE_LIMIT_BURST": "1000000"})
    srv.start()
    try:
        token = srv.token()
        acknowledged: list[str] = []
        full = None
        padding = "x" * 60_000
        with srv.client(token) as api:
            api.post("/cases", json={"title": "evidence goes here", "severity": "low"})
            for n in range(2000):
                r = api.post("/alerts", json=alert(n, description=padding))
                if r.status_code == 201:
                    acknowledged.append(r.json()["id"])
                    continue
                full = r
                break
            assert full is not None, "the disk never filled"
            assert full.status_code == 503, full.text
            assert full.json()["error"] == "unavailable"
            assert len(acknowledged) > 10
            health = httpx.get(srv.url + "/healthz")
            assert health.status_code == 503 and health.json()["db"] == "down"
            for alert_id in acknowledged:  # reads still work, and everything acked is there
                assert api.get(f"/alerts/{alert_id}").status_code == 200
            # evidence on a full disk: the same 503, and the partial file is gone
            case_id = api.get("/cases").json()["items"][0]["id"]
            upload = {"file": ("dump.bin", os.urandom(4 * 2**20), "application/octet-stream")}
            r = api.post(f"/cases/{case_id}/attachments", files=upload)
            assert r.status_code == 503 and r.json()["error"] == "unavailable", r.text
            assert list((small_disk / "data" / "attachments" / "tmp").iterdir()) == []
            subprocess.run(["mount", "-o", "remount,size=256m", str(small_disk)], check=True)
            deadline = time.monotonic() + 10
            while True:  # recovers by itself: the next write succeeds
                r = api.post("/alerts", json=alert("after", description="small"))
                if r.status_code == 201 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert r.status_code == 201, r.text
            assert httpx.get(srv.url + "/healthz").json()["db"] == "ok"
            r = api.post(f"/cases/{case_id}/attachments", files=upload)
            assert r.status_code == 201, r.text
        srv.kill()
        srv.start()
        with srv.client(token) as api:
            for alert_id in acknowledged:
                assert api.get(f"/alerts/{alert_id}").status_code == 200
    finally:
        srv.kill()
