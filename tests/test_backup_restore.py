"""`irbox backup` while serving, `irbox restore` with verification, and `irbox check`."""

from __future__ import annotations

import io
import json
import tarfile
import threading
import time
from pathlib import Path

import duckdb
import httpx
import pytest

from tests.harness import Server, alert, free_port


@pytest.mark.sqlite_only
def test_backup_under_load_restores_everything(fresh_server: Server, tmp_path: Path) -> None:
    fresh_server.start()
    token = fresh_server.token()
    with fresh_server.client(token) as api:
        obs = [{"type": "domain", "value": "restored.example"}]
        first = api.post("/alerts", json=alert("keep", observables=obs)).json()["id"]
        case_id = api.post(f"/alerts/{first}/escalate", json={}).json()["case_id"]
        evidence = b"evidence bytes \x00\x01"
        api.post(f"/cases/{case_id}/attachments", files={"file": ("e.bin", evidence)})
        api.post(f"/cases/{case_id}/resolve", json={"verdict": "true_positive"})
        acknowledged = [first]
        stop = threading.Event()

        def ingest() -> None:
            with fresh_server.client(token) as c:
                n = 0
                while not stop.is_set():
                    r = c.post("/alerts", json=alert(f"load-{n}"))
                    if r.status_code == 201:
                        acknowledged.append(r.json()["id"])
                    n += 1

        loader = threading.Thread(target=ingest)
        loader.start()
        time.sleep(0.3)
        before_backup = list(acknowledged)
        archive = tmp_path / "irbox-backup.tar"
        out = fresh_server.cli("backup", "--out", str(archive)).stdout
        stop.set()
        loader.join()
    assert "backup written" in out
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[0] == "manifest.json" and "irbox.db" in names
    assert any(n.startswith("attachments/") for n in names)
    assert any(n.startswith("reports/") for n in names)

    restored = Server(tmp_path / "restored")
    restored.cli("restore", str(archive))
    restored.start()
    try:
        with restored.client(token) as api:  # keys are in the database: the same token works
            for alert_id in before_backup:
                assert api.get(f"/alerts/{alert_id}").status_code == 200, alert_id
            case = api.get(f"/cases/{case_id}").json()
            assert case["status"] == "resolved"
            att = case["evidence"][0]
            assert api.get(f"/cases/{case_id}/attachments/{att['id']}").content == evidence
            assert api.get(f"/cases/{case_id}/report").status_code == 200
            deadline = time.monotonic() + 5
            while True:  # the index was rebuilt from SQLite at start
                found = api.get(
                    "/observables/search", params={"type": "domain", "value": "restored.example"}
                ).json()
                if found["alert_count"] == 1 or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            assert found["alert_count"] == 1 and found["case_count"] == 1
        check = restored.cli("check", check=False)
        assert check.returncode == 0, check.stdout + check.stderr
    finally:
        restored.kill()


def _archive_with(tmp_path: Path, files: dict[str, bytes], manifest_files=None) -> Path:
    manifest = {
        "format": "irbox-backup/1",
        "created_at": "2026-01-01T00:00:00Z",
        "files": manifest_files
        if manifest_files is not None
        else [{"path": n, "size": len(b), "sha256": __import__("hashlib").sha256(b).hexdigest()}
              for n, b in files.items()],
    }  # fmt: skip
    path = tmp_path / "crafted.tar"
    with tarfile.open(path, "w") as tar:
        for name, body in [("manifest.json", json.dumps(manifest).encode()), *files.items()]:
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


@pytest.mark.sqlite_only
def test_restore_verifies_before_touching_anything(fresh_server: Server, tmp_path: Path) -> None:
    fresh_server.cli("init")
    archive = tmp_path / "good.tar"
    fresh_server.cli("backup", "--out", str(archive))
    target = Server(tmp_path / "target")
    (target.data_dir).mkdir(parents=True)
    (target.data_dir / "keep.txt").write_text("mine")
    refused = target.cli("restore", str(archive), check=False)
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert (target.data_dir / "keep.txt").read_text() == "mine"

    damaged = tmp_path / "damaged.tar"
    raw = bytearray(archive.read_bytes())
    raw[-20000] ^= 0xFF  # flip a byte inside the database copy
    damaged.write_bytes(bytes(raw))
    r = target.cli("restore", str(damaged), "--force", check=False)
    assert r.returncode == 1 and ("manifest" in r.stderr or "archive" in r.stderr)
    assert (target.data_dir / "keep.txt").read_text() == "mine"  # untouched

    not_tar = tmp_path / "notes.txt"
    not_tar.write_text("not an archive")
    for path, says in ((not_tar, "not a tar file"), (tmp_path / "absent.tar", "cannot read")):
        r = target.cli("restore", str(path), "--force", check=False)
        assert r.returncode == 1 and says in r.stderr and len(r.stderr.splitlines()) == 1

    sneaky = _archive_with(tmp_path, {"../escape.txt": b"x", "irbox.db": b"y"})
    r = target.cli("restore", str(sneaky), "--force", check=False)
    assert r.returncode == 1 and "unexpected entry" in r.stderr
    assert not (tmp_path / "escape.txt").exists()
    incomplete = _archive_with(
        tmp_path, {}, manifest_files=[{"path": "irbox.db", "size": 1, "sha256": "0" * 64}]
    )
    r = target.cli("restore", str(incomplete), "--force", check=False)
    assert r.returncode == 1 and "lacks" in r.stderr
    assert target.cli("restore", str(archive), "--force").returncode == 0
    assert not (target.data_dir / "keep.txt").exists() and (target.data_dir / "irbox.db").exists()


def test_check_finds_damage(fresh_server: Server) -> None:
    fresh_server.start()
    with fresh_server.client(fresh_server.token()) as api:
        obs = [{"type": "ip", "value": "192.0.2.10"}]
        alert_id = api.post("/alerts", json=alert("chk", observables=obs)).json()["id"]
        case_id = api.post(f"/alerts/{alert_id}/escalate", json={}).json()["case_id"]
        att = api.post(f"/cases/{case_id}/attachments", files={"file": ("a", b"abc")}).json()
        running = fresh_server.cli("check", check=False)
        assert running.returncode == 0 and "in use by the running server" in running.stdout
    time.sleep(0.5)
    assert fresh_server.stop() == 0
    ok = fresh_server.cli("check", check=False)
    assert ok.returncode == 0 and "consistent" in ok.stdout, ok.stdout
    database = "PostgreSQL answers" if fresh_server.database_url else "SQLite integrity check"
    assert f"database: {database}" in ok.stdout
    assert "evidence: 1 stored file matches its SHA-256" in ok.stdout
    assert "no attachment refers to" not in ok.stdout
    stray = fresh_server.data_dir / "attachments" / "ab" / ("ab" + "0" * 62)
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(b"stored, never recorded")  # the disk filled between file and row
    noted = fresh_server.cli("check", check=False)
    assert noted.returncode == 0  # wasted space, not damage: a note
    assert "evidence: 1 file (22 bytes) no attachment refers to" in noted.stdout
    stored = fresh_server.data_dir / "attachments" / att["sha256"][:2] / att["sha256"]
    stored.write_bytes(b"abd")
    index = duckdb.connect(str(fresh_server.data_dir / "index.duckdb"))
    for table in index.execute("SELECT table_name FROM duckdb_tables()").fetchall():
        if table[0].startswith("sightings_"):  # the view's tail and levels
            index.execute(f"DELETE FROM {table[0]} WHERE type = 'ip'")
    index.close()
    bad = fresh_server.cli("check", check=False)
    assert bad.returncode == 1
    assert "evidence file damaged" in bad.stdout and "index out of step for ip" in bad.stdout
    assert bad.stderr.strip() == "irbox: 2 problem(s) found"


@pytest.mark.sqlite_only
def test_a_running_server_keeps_its_data_dir(fresh_server: Server, tmp_path: Path) -> None:
    """Restore and reindex replace files the server has open: they refuse while it runs, and a
    second server on the same data dir stops at start; once it stops, they work."""
    fresh_server.start()
    archive = tmp_path / "now.tar"
    fresh_server.cli("backup", "--out", str(archive))  # safe beside the server
    before = (fresh_server.data_dir / "irbox.db").stat().st_ino
    for args in (("restore", str(archive), "--force"), ("reindex",)):
        r = fresh_server.cli(*args, check=False)
        assert r.returncode == 1, r
        assert (
            r.stderr.startswith("irbox: ")
            and "stop" in r.stderr
            and len(r.stderr.splitlines()) == 1
        )
    assert (fresh_server.data_dir / "irbox.db").stat().st_ino == before  # not replaced
    second = Server(fresh_server.data_dir)
    second.port = free_port()
    r = second.cli("serve", "--listen", f"127.0.0.1:{second.port}", check=False)
    assert r.returncode == 1 and "in use by a running irbox server" in r.stderr
    assert httpx.get(fresh_server.url + "/healthz").status_code == 200
    assert fresh_server.stop() == 0
    assert fresh_server.cli("restore", str(archive), "--force").returncode == 0
    assert fresh_server.cli("reindex").returncode == 0


@pytest.mark.sqlite_only
def test_restore_refuses_what_is_not_a_whole_backup(fresh_server: Server, tmp_path: Path) -> None:
    """--force replaces a data dir only with a real backup: an archive without irbox.db, with
    a malformed manifest, or with a member larger than its manifest says is one line, exit 1,
    and the target as it was; nothing is written past the size the manifest gives."""
    target = Server(tmp_path / "target")
    target.data_dir.mkdir(parents=True)
    (target.data_dir / "keep.txt").write_text("mine")

    no_db = _archive_with(tmp_path, {"attachments/ab/cd": b"evidence"})
    r = target.cli("restore", str(no_db), "--force", check=False)
    assert r.returncode == 1 and "no irbox.db" in r.stderr and len(r.stderr.splitlines()) == 1

    for manifest_files in ([{"path": "irbox.db"}], "everything", [["irbox.db", 1]], None):
        crafted = tmp_path / "crafted.tar"
        with tarfile.open(crafted, "w") as tar:
            body = json.dumps({"format": "irbox-backup/1", "files": manifest_files}).encode()
            if manifest_files is None:
                body = b"{not json"
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
        r = target.cli("restore", str(crafted), "--force", check=False)
        assert r.returncode == 1 and "malformed" in r.stderr, r.stderr
        assert len(r.stderr.splitlines()) == 1 and "Traceback" not in r.stderr

    big = b"\0" * (8 * 1024 * 1024)
    oversized = _archive_with(
        tmp_path,
        {"irbox.db": big},
        manifest_files=[{"path": "irbox.db", "size": 10, "sha256": "0" * 64}],
    )
    r = target.cli("restore", str(oversized), "--force", check=False)
    assert r.returncode == 1 and "does not match the manifest" in r.stderr
    assert sorted(p.name for p in target.data_dir.iterdir()) == ["keep.txt"]
    assert not list(tmp_path.glob(".irbox-restore-*"))  # the staging folder is gone too
