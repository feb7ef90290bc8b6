"""Files at rest are private: under a loose umask (022) the data dir is 0700 and every file irbox
writes is 0600: the SQLite database and its WAL files, the index and its WAL, evidence,
reports, the license, backup archives and what a restore puts in place."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import Server, alert


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _loose(root: Path) -> list[str]:
    """Every path under `root` (itself included) readable by anyone but its owner."""
    found = [root, *root.rglob("*")]
    return [f"{p} {oct(_mode(p))}" for p in found if _mode(p) & 0o077]


@pytest.mark.sqlite_only
def test_a_data_dir_is_private_whatever_the_umask(
    loose_umask: None, fresh_server: Server, tmp_path: Path
) -> None:
    server = fresh_server.start()
    with server.client(server.token()) as api:
        assert api.post("/alerts", json=alert("private")).status_code == 201
        case_id = api.post("/cases", json={"title": "p", "severity": "low"}).json()["id"]
        files = {"file": ("memory.dmp", b"secret bytes")}
        assert api.post(f"/cases/{case_id}/attachments", files=files).status_code == 201
        resolved = api.post(
            f"/cases/{case_id}/resolve", json={"verdict": "false_positive", "narrative": "fine"}
        )
        assert resolved.status_code == 200, resolved.text
        assert api.get(f"/cases/{case_id}/report", params={"format": "md"}).status_code == 200
    data = server.data_dir
    for name in ("irbox.db", "irbox.db-wal", "irbox.db-shm", "index.duckdb"):
        assert (data / name).exists(), name
    assert _mode(data) == 0o700
    assert _loose(data) == []

    archive = tmp_path / "backup.tar"
    server.cli("backup", "--out", str(archive))
    assert _mode(archive) == 0o600
    server.kill()

    restored = Server(tmp_path / "restored")
    restored.cli("restore", str(archive))
    assert _loose(restored.data_dir) == []


@pytest.mark.sqlite_only
def test_an_older_data_dir_is_tightened_at_start(loose_umask: None, fresh_server: Server) -> None:
    fresh_server.cli("init")
    data = fresh_server.data_dir
    data.chmod(0o755)
    (data / "irbox.db").chmod(0o644)
    fresh_server.start()
    assert _mode(data) == 0o700 and _mode(data / "irbox.db") == 0o600
