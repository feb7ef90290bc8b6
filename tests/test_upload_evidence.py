"""Evidence: streamed multipart upload, content-addressed storage, exact round trip, limits."""

from __future__ import annotations

import hashlib
import os
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.harness import Server


def _case(api: httpx.Client, unique: str) -> str:
    return api.post("/cases", json={"title": f"ev {unique}", "severity": "low"}).json()["id"]


def _stored_files(data_dir: Path) -> set[str]:
    root = data_dir / "attachments"
    return {p.name for p in root.rglob("*") if p.is_file()}


def test_upload_and_download_round_trip(server: Server, api: httpx.Client, unique: str) -> None:
    case_id = _case(api, unique)
    payload = os.urandom(3 * 1024 * 1024 + 17) + b"\x00\xff end"
    r = api.post(
        f"/cases/{case_id}/attachments",
        files={"file": ("../../etc/passwd memory.dmp", payload, "application/x-dump")},
        data={"description": "RAM image of WS-042"},
    )
    assert r.status_code == 201, r.text
    ev = r.json()
    assert ev["id"].startswith("att_") and ev["size"] == len(payload)
    assert ev["sha256"] == hashlib.sha256(payload).hexdigest()
    assert ev["filename"] == "passwd memory.dmp"  # metadata only; no path survives
    assert ev["content_type"] == "application/x-dump"
    assert ev["description"] == "RAM image of WS-042"
    stored = server.data_dir / "attachments" / ev["sha256"][:2] / ev["sha256"]
    assert stored.read_bytes() == payload
    assert api.get(f"/cases/{case_id}").json()["evidence"] == [ev]

    d = api.get(f"/cases/{case_id}/attachments/{ev['id']}")
    assert d.status_code == 200 and d.content == payload
    assert d.headers["content-disposition"].startswith("attachment")
    assert "passwd%20memory.dmp" in d.headers["content-disposition"]  # RFC 5987 form
    assert d.headers["x-content-type-options"] == "nosniff"
    assert (
        api.get(f"/cases/{case_id}/attachments/att_01J00000000000000000000000").status_code == 404
    )


def test_same_bytes_are_stored_once(server: Server, api: httpx.Client, unique: str) -> None:
    case_id = _case(api, unique)
    payload = f"identical {unique}".encode()
    a = api.post(f"/cases/{case_id}/attachments", files={"file": ("a.txt", payload)}).json()
    b = api.post(f"/cases/{case_id}/attachments", files={"file": ("b.txt", payload)}).json()
    assert a["sha256"] == b["sha256"] and a["id"] != b["id"]
    assert api.get(f"/cases/{case_id}/attachments/{b['id']}").content == payload
    assert sum(1 for n in _stored_files(server.data_dir) if n == a["sha256"]) == 1


def test_upload_errors(api: httpx.Client, unique: str) -> None:
    case_id = _case(api, unique)
    r = api.post(f"/cases/{case_id}/attachments", data={"description": "no file"})
    assert r.status_code == 400
    r = api.post(f"/cases/{case_id}/attachments", json={"file": "not multipart"})
    assert r.status_code == 400
    missing = "case_01J00000000000000000000000"
    r = api.post(f"/cases/{missing}/attachments", files={"file": ("x", b"x")})
    assert r.status_code == 404
    truncated = b'--xx\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc'
    r = api.post(
        f"/cases/{case_id}/attachments",
        content=truncated,
        headers={"Content-Type": "multipart/form-data; boundary=xx"},
    )
    assert r.status_code == 400 and r.json()["error"] == "validation_error"
    assert api.get(f"/cases/{case_id}").json()["evidence"] == []


@pytest.fixture
def small_limit(fresh_server: Server) -> Server:
    fresh_server.env["IRBOX_MAX_UPLOAD_MB"] = "1"
    return fresh_server.start()


def test_over_the_limit_is_413_and_keeps_nothing(small_limit: Server) -> None:
    with small_limit.client(small_limit.token()) as api:
        case_id = api.post("/cases", json={"title": "big", "severity": "low"}).json()["id"]
        exactly = os.urandom(1024 * 1024)
        ok = api.post(f"/cases/{case_id}/attachments", files={"file": ("ok.bin", exactly)})
        assert ok.status_code == 201
        before = _stored_files(small_limit.data_dir)
        r = api.post(
            f"/cases/{case_id}/attachments",
            files={"file": ("big.bin", os.urandom(1024 * 1024 + 1))},
        )
        assert r.status_code == 413 and r.json()["error"] == "payload_too_large"
        assert _stored_files(small_limit.data_dir) == before  # no temp file, no content
        assert len(api.get(f"/cases/{case_id}").json()["evidence"]) == 1


def test_memory_stays_flat_during_a_50_mb_upload(fresh_server: Server) -> None:
    """The worker's peak RSS (VmHWM) grows far less than the upload's size."""
    fresh_server.start()
    worker = _worker_pid(fresh_server)
    with fresh_server.client(fresh_server.token()) as api:
        case_id = api.post("/cases", json={"title": "mem", "severity": "low"}).json()["id"]
        api.post(f"/cases/{case_id}/attachments", files={"file": ("warm", b"x" * 1000)})
        before = _peak_rss_kb(worker)
        size = 50 * 1024 * 1024

        boundary = "irboxtestboundary"

        def body():  # a streamed multipart body: the test never holds 50 MB either
            yield (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file";'
                f' filename="big.raw"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            chunk = os.urandom(1024 * 1024)
            for _ in range(size // len(chunk)):
                yield chunk
            yield f"\r\n--{boundary}--\r\n".encode()

        r = api.post(
            f"/cases/{case_id}/attachments",
            content=body(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        assert r.status_code == 201, r.text
        assert r.json()["size"] == size
        grown_mb = (_peak_rss_kb(worker) - before) / 1024
        print(
            f"peak RSS before {before / 1024:.1f} MB, growth during 50 MB upload {grown_mb:.1f} MB"
        )
        assert grown_mb < 25, f"peak RSS grew {grown_mb:.1f} MB during a 50 MB upload"


def _worker_pid(server: Server) -> int:
    assert server.proc is not None
    children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text().split()
    return int(children[0])


def _peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_filenames_and_types_are_cleaned() -> None:
    from irbox.cases.evidence import clean_content_type, clean_filename

    assert clean_filename("..\\..\\windows\\sys\x00tem32\x07.dll") == "system32.dll"
    assert clean_filename("/etc/../..") == "attachment"
    assert clean_filename("") == "attachment" and clean_filename(None) == "attachment"
    assert clean_filename(".hidden") == "hidden"
    assert len(clean_filename("a" * 1000)) == 255
    assert clean_content_type("Text/Plain; charset=utf-8") == "text/plain"
    assert clean_content_type("<script>") == "application/octet-stream"
    assert clean_content_type(None) == "application/octet-stream"


def test_an_upload_cut_off_by_a_crash_leaves_nothing_behind(fresh_server: Server) -> None:
    """kill -9 mid-upload leaves a partial temp file; the next start removes it."""
    fresh_server.start()
    token = fresh_server.token()
    with fresh_server.client(token) as api:
        case_id = api.post("/cases", json={"title": "crash", "severity": "low"}).json()["id"]
    tmp = fresh_server.data_dir / "attachments" / "tmp"
    boundary = "irboxtestboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.raw"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    request = (
        f"POST /api/v1/cases/{case_id}/attachments HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: {len(head) + 10 * 2**20}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", fresh_server.port)) as sock:
        sock.sendall(request + head + b"x" * 2**20)  # a tenth of the file, then the crash
        deadline = time.monotonic() + 10
        while not (tmp.is_dir() and any(p.stat().st_size for p in tmp.iterdir())):
            assert time.monotonic() < deadline, "the upload never reached the disk"
            time.sleep(0.05)
        fresh_server.kill()
    assert len(list(tmp.iterdir())) == 1  # the partial file, left by the crash
    fresh_server.start()
    assert list(tmp.iterdir()) == []


def test_one_upload_rule_for_the_api_and_the_case_page(server: Server, api: httpx.Client) -> None:
    """Two files in one form: the API refused it, the page once joined them into one evidence
    file under the first name (an integrity failure). Both refuse it now, keeping nothing."""
    case_id = api.post("/cases", json={"title": "two files", "severity": "low"}).json()["id"]
    two = [("file", ("a.txt", b"first file")), ("file", ("b.txt", b"second file"))]
    r = api.post(f"/cases/{case_id}/attachments", files=two)
    assert r.status_code == 400 and r.json()["details"] == {"file": "more than one"}
    other = [("file", ("a.txt", b"x")), ("other", ("b.txt", b"y"))]
    assert api.post(f"/cases/{case_id}/attachments", files=other).status_code == 400

    page = server.ui_client("admin@irbox.local", server.first_password)
    csrf = page.get(f"/cases/{case_id}").text.split('name="csrf_token" value="', 1)[1][:200]
    csrf = csrf.split('"', 1)[0]
    answer = page.post(f"/cases/{case_id}/evidence?csrf={csrf}", files=two)
    assert answer.status_code == 400 and "more than one" in answer.text
    assert api.get(f"/cases/{case_id}").json()["evidence"] == []
    one = page.post(f"/cases/{case_id}/evidence?csrf={csrf}", files=two[:1])
    assert one.is_redirect
    stored = api.get(f"/cases/{case_id}").json()["evidence"]
    assert [(a["filename"], a["size"]) for a in stored] == [("a.txt", len(b"first file"))]
