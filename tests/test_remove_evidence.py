"""Removing evidence from a case (uploaded by mistake, or not to be kept): its record goes, and
its bytes with the last attachment that holds them; a failed upload leaves no file behind."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from irbox.cases.models import CaseCreate
from irbox.identity.principal import SYSTEM
from irbox.services import Services
from tests.harness import Server


def _case(api: httpx.Client, title: str) -> str:
    return api.post("/cases", json={"title": title, "severity": "low"}).json()["id"]


def _upload(api: httpx.Client, case_id: str, name: str, payload: bytes) -> dict:
    r = api.post(f"/cases/{case_id}/attachments", files={"file": (name, payload, "text/plain")})
    assert r.status_code == 201, r.text
    return r.json()


def _stored(data_dir: Path, sha256: str) -> bool:
    return (data_dir / "attachments" / sha256[:2] / sha256).exists()


def test_remove_evidence(server: Server, api: httpx.Client, unique: str) -> None:
    case_id = _case(api, f"ev {unique}")
    ev = _upload(api, case_id, "payroll.xlsx", f"salaries {unique}".encode())
    assert _stored(server.data_dir, ev["sha256"])

    r = api.delete(f"/cases/{case_id}/attachments/{ev['id']}")
    assert r.status_code == 200 and r.json() == ev

    case = api.get(f"/cases/{case_id}").json()
    assert case["evidence"] == []
    event = case["timeline"][-1]
    assert (event["type"], event["summary"]) == (
        "attachment_removed",
        "evidence removed: payroll.xlsx",
    )
    assert event["data"]["attachment_id"] == ev["id"]
    assert api.get(f"/cases/{case_id}/attachments/{ev['id']}").status_code == 404
    assert not _stored(server.data_dir, ev["sha256"])  # the bytes are gone too
    again = api.delete(f"/cases/{case_id}/attachments/{ev['id']}")
    assert again.status_code == 404 and again.json()["error"] == "not_found"


def test_bytes_shared_by_two_cases_go_with_the_last(
    server: Server, api: httpx.Client, unique: str
) -> None:
    payload = f"the same log {unique}".encode()
    first, second = _case(api, f"a {unique}"), _case(api, f"b {unique}")
    one, two = _upload(api, first, "a.log", payload), _upload(api, second, "b.log", payload)
    assert one["sha256"] == two["sha256"]
    assert api.delete(f"/cases/{first}/attachments/{one['id']}").status_code == 200
    assert _stored(server.data_dir, two["sha256"])
    download = api.get(f"/cases/{second}/attachments/{two['id']}")
    assert download.status_code == 200 and download.content == payload
    assert api.delete(f"/cases/{second}/attachments/{two['id']}").status_code == 200
    assert not _stored(server.data_dir, two["sha256"])


def test_what_cannot_be_removed(api: httpx.Client, unique: str) -> None:
    case_id, other = _case(api, f"c {unique}"), _case(api, f"d {unique}")
    ev = _upload(api, other, "x.txt", f"x {unique}".encode())
    assert api.delete(f"/cases/{case_id}/attachments/{ev['id']}").status_code == 404
    assert (
        api.delete(f"/cases/{other}/attachments/att_01J00000000000000000000000").status_code == 404
    )
    api.post(f"/cases/{other}/resolve", json={"verdict": "benign"})
    resolved = api.delete(f"/cases/{other}/attachments/{ev['id']}")
    assert resolved.status_code == 409 and resolved.json()["error"] == "invalid_state"
    assert len(api.get(f"/cases/{other}").json()["evidence"]) == 1


def test_an_upload_whose_record_fails_leaves_no_file(
    server: Server, api: httpx.Client, unique: str
) -> None:
    """The case is resolved while the file streams in: the upload is refused (409) when its
    record is written, and the bytes it stored are removed with it."""
    case_id = _case(api, f"e {unique}")
    chunk = os.urandom(64 * 1024)
    chunks = 20
    digest = hashlib.sha256(chunk * chunks).hexdigest()
    boundary = "x-boundary-" + unique
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    streaming = threading.Event()

    def body() -> Iterator[bytes]:
        yield head
        for n in range(chunks):
            if n == 2:
                streaming.set()
                time.sleep(1.0)  # the case gets resolved meanwhile
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    def resolve() -> None:
        streaming.wait(10)
        api.post(f"/cases/{case_id}/resolve", json={"verdict": "benign"})

    resolver = threading.Thread(target=resolve)
    resolver.start()
    with server.client(server.token()) as uploader:
        r = uploader.post(
            f"/cases/{case_id}/attachments",
            content=body(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
    resolver.join()
    assert r.status_code == 409, r.text
    assert not _stored(server.data_dir, digest)


def test_a_file_an_upload_is_placing_is_never_deleted(services: Services) -> None:
    """Removing the last attachment of some bytes while an upload of the same bytes has placed
    its file but not yet recorded it: the file stays for that upload, and goes only if the
    upload's record then fails."""
    evidence = services.evidence
    case = asyncio.run(services.cases.create(CaseCreate(title="t", severity="low"), SYSTEM))
    upload = evidence.begin(case.id)
    upload.write(b"shared bytes")
    stored = asyncio.run(evidence.finish(upload, case.id, "a.txt", None, "", SYSTEM))
    path = evidence.blobs.path_of(stored.sha256)  # the data dir's store (no blob_url)
    with evidence._store_lock:  # an upload of the same bytes is between placing and recording
        evidence._placing[stored.sha256] += 1
    asyncio.run(evidence.remove(case.id, stored.id, SYSTEM))
    assert path.exists()
    with evidence._store_lock:  # ...and its record failed
        evidence._placing[stored.sha256] -= 1
        evidence._delete_if_unheld(stored.sha256)
    assert not path.exists()


def test_the_sweep_deletes_stored_files_no_attachment_holds(services: Services) -> None:
    """A stored file a removal left behind (its deletion failed, or a bucket's grace period
    put it off) goes with the hourly sweep; one an attachment holds, or an upload is placing,
    stays."""
    evidence = services.evidence
    case = asyncio.run(services.cases.create(CaseCreate(title="t", severity="low"), SYSTEM))
    upload = evidence.begin(case.id)
    upload.write(b"held by an attachment")
    held = asyncio.run(evidence.finish(upload, case.id, "a.txt", None, "", SYSTEM)).sha256
    left, placing = (hashlib.sha256(b).hexdigest() for b in (b"left behind", b"being placed"))
    for digest in left, placing:
        evidence.blobs.path_of(digest).parent.mkdir(parents=True, exist_ok=True)
        evidence.blobs.path_of(digest).write_bytes(b"bytes")
    with evidence._store_lock:
        evidence._placing[placing] += 1
    assert evidence.sweep_unreferenced() == 1
    assert not evidence.blobs.exists(left)
    assert evidence.blobs.exists(held) and evidence.blobs.exists(placing)
    with evidence._store_lock:  # the upload placing it failed without deleting it
        evidence._placing[placing] -= 1
    assert evidence.sweep_unreferenced() == 1
    assert not evidence.blobs.exists(placing) and evidence.blobs.exists(held)
