"""A case handed to another irbox: `GET /cases/{id}/export` (or `irbox case export`) gives one
zip (the case as JSON, its evidence, its report, a manifest of SHA-256s); `POST /cases/import`
(or `irbox case import FILE`) recreates it there with a number of its own and a timeline entry
naming its origin, and refuses an archive whose files do not match the manifest, writing
nothing."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import user_token
from tests.harness import Server, alert

RESOLVE = {"verdict": "true_positive", "root_cause": "A phish", "narrative": "Contained."}


@pytest.fixture
def archive(server: Server, api: httpx.Client, unique: str) -> tuple[dict, bytes]:
    """A resolved case with an alert, marked observables, two evidence files (one twice), a
    done task, a comment, a technique; exported."""
    made = api.post("/alerts", json=alert(f"{unique}-x", title="Invoice.zip opened"))
    case_id = api.post(f"/alerts/{made.json()['id']}/escalate", json={"case_id": None}).json()[
        "case_id"
    ]
    api.patch(f"/cases/{case_id}", json={"attack": ["T1566"], "tlp": "amber+strict"})
    api.post(
        f"/cases/{case_id}/observables",
        json={"type": "domain", "value": f"{unique}.evil.example", "tlp": "red"},
    )
    for name, content in [
        ("mail.eml", b"From: evil"),
        ("copy.eml", b"From: evil"),
        ("memory.bin", bytes(range(256)) * 64),
    ]:
        api.post(f"/cases/{case_id}/attachments", files={"file": (name, content)})
    task = api.post(f"/cases/{case_id}/tasks", json={"title": "Pull the mail", "required": True})
    api.patch(f"/cases/{case_id}/tasks/{task.json()['id']}", json={"status": "done"})
    api.post(f"/cases/{case_id}/comments", json={"body": "Found **three** more"})
    api.post(f"/cases/{case_id}/resolve", json=RESOLVE)
    exported = api.get(f"/cases/{case_id}/export")
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "application/zip"
    case = api.get(f"/cases/{case_id}").json()
    assert f'filename="case-{case["number"]}.zip"' in exported.headers["content-disposition"]
    return case, exported.content


def test_the_archive_holds_the_case_its_files_and_their_hashes(archive: tuple[dict, bytes]) -> None:
    case, content = archive
    zf = zipfile.ZipFile(io.BytesIO(content))
    manifest = json.loads(zf.read("manifest.json"))
    assert (manifest["format"], manifest["case_id"], manifest["number"]) == (
        "irbox-case-archive",
        case["id"],
        case["number"],
    )
    names = set(zf.namelist()) - {"manifest.json"}
    assert set(manifest["files"]) == names
    assert {"case.json", "people.json", "report.html", "report.md"} <= names
    assert len([n for n in names if n.startswith("evidence/")]) == 2  # one copy of the same bytes
    for name in names:
        assert hashlib.sha256(zf.read(name)).hexdigest() == manifest["files"][name]
    assert json.loads(zf.read("case.json"))["title"] == "Invoice.zip opened"
    assert "TLP:AMBER+STRICT" in zf.read("report.html").decode()
    assert "Admin <admin@irbox.local>" in json.loads(zf.read("people.json")).values()


def test_import_on_another_irbox(fresh_server: Server, archive: tuple[dict, bytes]) -> None:
    case, content = archive
    fresh_server.start()
    with fresh_server.client(fresh_server.token()) as other:
        other.post("/cases", json={"title": "Already here", "severity": "low"})
        made = other.post(
            "/cases/import", content=content, headers={"Content-Type": "application/zip"}
        )
        assert made.status_code == 201, made.text
        got = made.json()
        assert got["number"] == 2 and got["id"] != case["id"] and got["status"] == "open"
        assert (got["title"], got["severity"], got["tlp"]) == (
            "Invoice.zip opened",
            case["severity"],
            "amber+strict",
        )
        assert [t["id"] for t in got["attack"]] == ["T1566"]
        marked = {o["value"]: o["tlp"] for o in got["observables"]}
        assert marked == {o["value"]: o["tlp"] for o in case["observables"]}
        assert [(t["title"], t["status"], t["required"]) for t in got["tasks"]] == [
            ("Pull the mail", "done", True)
        ]
        comment = got["comments"][0]
        assert comment["author"] is None and "Found **three** more" in comment["body"]
        assert comment["body"].startswith("_Admin <admin@irbox.local> wrote on ")
        assert sorted(e["filename"] for e in got["evidence"]) == [
            "copy.eml",
            "mail.eml",
            "memory.bin",
        ]
        memory = next(e for e in got["evidence"] if e["filename"] == "memory.bin")
        download = other.get(f"/cases/{got['id']}/attachments/{memory['id']}")
        assert download.content == bytes(range(256)) * 64
        imported = got["timeline"][-1]
        assert imported["type"] == "imported"
        assert imported["summary"].startswith(f"imported from case #{case['number']} at http")
        left = imported["data"]["left_behind"]
        assert [a["title"] for a in left["alerts"]] == ["Invoice.zip opened"]
        assert left["resolution"]["verdict"] == "true_positive"
        origin = [e for e in got["timeline"] if e["type"] == "origin_event"]
        assert len(origin) == len(case["timeline"])
        assert origin[0]["at"] == case["timeline"][0]["at"]


def _rewritten(content: bytes, change: dict[str, bytes | None]) -> bytes:
    """The archive with members replaced (None: removed) or added, the manifest kept."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in source.namelist():
            if name not in change:
                zf.writestr(name, source.read(name))
        for name, data in change.items():
            if data is not None:
                zf.writestr(name, data)
    return out.getvalue()


def test_a_damaged_archive_is_refused_and_nothing_written(
    fresh_server: Server, archive: tuple[dict, bytes]
) -> None:
    _, content = archive
    evidence = next(
        n for n in zipfile.ZipFile(io.BytesIO(content)).namelist() if n.startswith("evidence/")
    )
    fresh_server.start()
    with fresh_server.client(fresh_server.token()) as other:
        for body, named in [
            (_rewritten(content, {evidence: b"tampered"}), f"files.{evidence}"),
            (_rewritten(content, {"extra.txt": b"x"}), "files.extra.txt"),
            (_rewritten(content, {"report.md": None}), "files.report.md"),
            (b"not a zip at all", "archive"),
            (b"", "body"),
        ]:
            refused = other.post(
                "/cases/import", content=body, headers={"Content-Type": "application/zip"}
            )
            assert refused.status_code == 400, refused.text
            assert named in refused.json()["details"], refused.json()
        assert other.get("/cases").json()["items"] == []
        stored = fresh_server.data_dir / "attachments"
        assert not [p for p in stored.rglob("*") if p.is_file()]  # no evidence file kept


def test_import_from_the_command_line(
    fresh_server: Server, archive: tuple[dict, bytes], tmp_path: Path
) -> None:
    _, content = archive
    path = tmp_path / "handover.zip"
    path.write_bytes(content)
    fresh_server.cli("init")
    said = fresh_server.cli("case", "import", str(path)).stdout
    assert said.startswith("imported case #1 case_") and "Invoice.zip opened" in said
    # and out again, at the machine: the same case file, its hashes checked on import
    again = tmp_path / "again.zip"
    fresh_server.cli("case", "export", said.split()[3].rstrip(":"), "--out", str(again))
    assert "Invoice.zip opened" in fresh_server.cli("case", "import", str(again)).stdout
    assert again.stat().st_mode & 0o077 == 0
    path.write_bytes(_rewritten(content, {"case.json": b"{}"}))
    refused = fresh_server.cli("case", "import", str(path), check=False)
    assert refused.returncode == 1 and "files.case.json" in refused.stderr


def test_reading_exports_writing_imports(server: Server, api: httpx.Client) -> None:
    case = api.post("/cases", json={"title": "Viewed", "severity": "low"}).json()
    with server.client(user_token(server, api, "viewer")) as viewer:
        exported = viewer.get(f"/cases/{case['id']}/export")
        assert exported.status_code == 200
        refused = viewer.post("/cases/import", content=exported.content)
        assert refused.status_code == 403
    assert api.get("/cases/case_missing/export").status_code == 404
