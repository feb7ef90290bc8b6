"""Evidence in an S3-compatible bucket (`blob_url`), against a real SeaweedFS: what is uploaded
through one node downloads from another; the same bytes are one object, removed with the last
attachment holding them once past the grace period (never within it: another node's upload may
be about to record it); export, `irbox check` and a refused secret work with the bucket."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from minio.error import S3Error

from irbox.store.blobs.s3 import S3Blobs
from irbox.store.postgres.writer import WRITE_LOCK_KEY
from tests.harness import Server, nodes
from tests.postgres import PostgresCluster
from tests.seaweed import ACCESS_KEY, SECRET_KEY, SeaweedS3


@pytest.fixture(scope="module")
def s3() -> Iterator[SeaweedS3]:
    server = SeaweedS3().start()
    yield server
    server.stop()


def _started_on(server: Server, s3: SeaweedS3, **env: str) -> str:
    """Start the server with its evidence under a new prefix of the bucket; its blob_url."""
    blob_url = s3.bucket()
    server.env.update({**s3.config(blob_url), **env})
    server.start()
    return blob_url


def _case(api: httpx.Client, title: str) -> str:
    made = api.post("/cases", json={"title": title, "severity": "low"})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def _upload(api: httpx.Client, case_id: str, payload: bytes, name: str = "mem.dmp") -> dict:
    sent = api.post(f"/cases/{case_id}/attachments", files={"file": (name, payload)})
    assert sent.status_code == 201, sent.text
    return sent.json()


def _key(blob_url: str, sha256: str) -> tuple[str, str]:
    """The bucket and the object key of these bytes under `blob_url`."""
    bucket, prefix = blob_url.split("/", 3)[3].split("/", 1)
    return bucket, f"{prefix}/attachments/{sha256[:2]}/{sha256}"


def _objects(s3: SeaweedS3, blob_url: str) -> set[str]:
    bucket, prefix = blob_url.split("/", 3)[3].split("/", 1)
    listed = s3.client().list_objects(bucket, prefix=f"{prefix}/attachments/", recursive=True)
    return {item.object_name.rsplit("/", 1)[1] for item in listed}


def _in_data_dir(server: Server) -> set[str]:
    return {p.name for p in (server.data_dir / "attachments").glob("??/*")}


def test_evidence_uploaded_on_one_node_downloads_from_the_other(
    tmp_path: Path, postgres: PostgresCluster, s3: SeaweedS3
) -> None:
    url, blob_url = postgres.fresh_database(), s3.bucket()
    a, b = nodes(tmp_path, url, env=s3.config(blob_url))
    a.start()
    b.start()
    try:
        token = a.token()
        payload = os.urandom(6 * 1024 * 1024 + 5)  # more than one multipart part
        with a.client(token) as on_a, b.client(token) as on_b:
            case_id = _case(on_a, "shared evidence")
            stored = _upload(on_a, case_id, payload)
            got = on_b.get(f"/cases/{case_id}/attachments/{stored['id']}")
            assert got.status_code == 200 and got.content == payload
            assert got.headers["content-disposition"].startswith("attachment")
            assert got.headers["x-content-type-options"] == "nosniff"
        assert _objects(s3, blob_url) == {hashlib.sha256(payload).hexdigest()}
        assert _in_data_dir(a) == _in_data_dir(b) == set()  # nothing on either node's disk
    finally:
        a.kill()
        b.kill()


def test_the_same_bytes_are_one_object_gone_with_the_last_attachment(
    fresh_server: Server, s3: SeaweedS3
) -> None:
    blob_url = _started_on(fresh_server, s3, IRBOX_BLOB_GRACE_S="0")
    with fresh_server.client(fresh_server.token()) as api:
        first, second = _case(api, "one"), _case(api, "two")
        a = _upload(api, first, b"the same bytes")
        b = _upload(api, second, b"the same bytes")
        assert _objects(s3, blob_url) == {a["sha256"]}
        assert api.delete(f"/cases/{first}/attachments/{a['id']}").status_code == 200
        assert _objects(s3, blob_url) == {a["sha256"]}  # the second case still holds it
        assert api.get(f"/cases/{second}/attachments/{b['id']}").content == b"the same bytes"
        assert api.delete(f"/cases/{second}/attachments/{b['id']}").status_code == 200
        assert _objects(s3, blob_url) == set()


def test_an_object_no_attachment_holds_stays_through_the_grace_period(
    fresh_server: Server, s3: SeaweedS3
) -> None:
    blob_url = _started_on(fresh_server, s3)  # the default grace: an hour
    with fresh_server.client(fresh_server.token()) as api:
        case_id = _case(api, "grace")
        stored = _upload(api, case_id, b"maybe another node's upload")
        assert api.delete(f"/cases/{case_id}/attachments/{stored['id']}").status_code == 200
    assert _objects(s3, blob_url) == {stored["sha256"]}


def test_an_object_the_grace_period_kept_goes_with_the_sweep(
    fresh_server: Server, s3: SeaweedS3
) -> None:
    blob_url = _started_on(fresh_server, s3, IRBOX_BLOB_GRACE_S="2")
    with fresh_server.client(fresh_server.token()) as api:
        case_id = _case(api, "swept")
        kept = _upload(api, case_id, b"still held")
        stored = _upload(api, case_id, b"removed within the grace period")
        assert api.delete(f"/cases/{case_id}/attachments/{stored['id']}").status_code == 200
    assert _objects(s3, blob_url) == {kept["sha256"], stored["sha256"]}
    fresh_server.stop()
    time.sleep(2)  # past the grace period; the sweep runs soon after start, then hourly
    fresh_server.start()
    deadline = time.monotonic() + 30
    while _objects(s3, blob_url) != {kept["sha256"]} and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _objects(s3, blob_url) == {kept["sha256"]}


def _everything(s3: SeaweedS3, blob_url: str) -> set[str]:
    """Every object under the blob_url's prefix, by its key below it."""
    bucket, prefix = blob_url.split("/", 3)[3].split("/", 1)
    listed = s3.client().list_objects(bucket, prefix=f"{prefix}/", recursive=True)
    return {item.object_name.split("/", 1)[1] for item in listed}


def test_a_removal_puts_back_bytes_an_upload_recorded_meanwhile(
    tmp_path: Path, s3: SeaweedS3
) -> None:
    """S3 deletes unconditionally, so a removal takes the bytes out of sight first, then asks
    the database again whether an attachment holds them (another node's upload may have put
    them and recorded them since the removal looked) and puts them back if one does."""
    blob_url = s3.bucket()
    blobs = S3Blobs(blob_url, ACCESS_KEY, SECRET_KEY, None, grace_s=0)
    payload = b"recorded by another node meanwhile"
    digest = hashlib.sha256(payload).hexdigest()
    (tmp_path / "upload").write_bytes(payload)
    blobs.put(digest, tmp_path / "upload")
    seen_when_asked: list[set[str]] = []

    def recorded_meanwhile() -> bool:
        seen_when_asked.append(_objects(s3, blob_url))
        return False

    assert blobs.delete(digest, unheld=recorded_meanwhile) is False
    assert seen_when_asked == [set()]  # asked once the bytes were out of sight
    with blobs.open(digest) as stored:
        assert stored.read() == payload
    assert blobs.delete(digest, unheld=lambda: True) is True
    assert _everything(s3, blob_url) == set()  # nothing left aside either


def test_an_upload_puts_its_bytes_again_if_a_removal_took_them_before_its_record(
    tmp_path: Path, postgres: PostgresCluster, s3: SeaweedS3
) -> None:
    """The other order: a removal elsewhere found no attachment holding these bytes and
    deleted them after this upload put them, before it recorded them. Once recorded, the
    upload finds its object gone and puts it again."""
    url, blob_url = postgres.fresh_database(), s3.bucket()
    (node,) = nodes(tmp_path, url, count=1, env=s3.config(blob_url))
    node.start()
    try:
        token = node.token()
        payload = os.urandom(100_000)
        digest = hashlib.sha256(payload).hexdigest()
        with (
            node.client(token) as api,
            node.client(token) as uploader,
            ThreadPoolExecutor(1) as pool,
            psycopg.connect(url, autocommit=True) as writers,
        ):
            case_id = _case(api, "raced")
            writers.execute("SELECT pg_advisory_lock(%s)", (WRITE_LOCK_KEY,))  # records wait
            upload = pool.submit(_upload, uploader, case_id, payload)
            deadline = time.monotonic() + 30
            while digest not in _objects(s3, blob_url):  # put, not recorded yet
                assert time.monotonic() < deadline and not upload.done()
                time.sleep(0.05)
            s3.client().remove_object(*_key(blob_url, digest))  # as the removal elsewhere did
            writers.execute("SELECT pg_advisory_unlock(%s)", (WRITE_LOCK_KEY,))
            stored = upload.result(timeout=30)
            assert api.get(f"/cases/{case_id}/attachments/{stored['id']}").content == payload
    finally:
        node.stop()


@contextmanager
def _stalled(s3: SeaweedS3) -> Iterator[None]:
    """The bucket takes connections and answers nothing (its process stopped), then resumes."""
    assert s3.proc is not None
    os.kill(s3.proc.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(s3.proc.pid, signal.SIGCONT)


def test_a_stalled_bucket_holds_up_no_other_request(fresh_server: Server, s3: SeaweedS3) -> None:
    """Placing files in the bucket (an upload, an imported case's) and removing one wait on the
    bucket off the event loop: while it answers nothing, health probes and pages are served (a
    memory image of gigabytes takes the bucket a while)."""
    _started_on(fresh_server, s3, IRBOX_BLOB_GRACE_S="0")
    token = fresh_server.token()
    with (
        fresh_server.client(token) as api,
        fresh_server.client(token) as uploader,
        fresh_server.client(token) as remover,
        fresh_server.client(token) as importer,
        ThreadPoolExecutor(3) as pool,
    ):
        case_id = _case(api, "a stalled bucket")
        stored = _upload(api, case_id, b"removed while the bucket stalls")
        exported = _case(api, "exported")
        _upload(api, exported, b"evidence of the exported case")
        archive = api.get(f"/cases/{exported}/export").content
        payload = os.urandom(1024 * 1024)
        with _stalled(s3):
            upload = pool.submit(_upload, uploader, case_id, payload)
            removal = pool.submit(remover.delete, f"/cases/{case_id}/attachments/{stored['id']}")
            zipped = {"Content-Type": "application/zip"}
            imported = pool.submit(importer.post, "/cases/import", content=archive, headers=zipped)
            time.sleep(1.5)  # all three have reached the bucket
            assert not upload.done() and not removal.done() and not imported.done()
            assert api.get("/healthz", timeout=3).status_code == 200
            assert api.get(f"/cases/{case_id}", timeout=3).status_code == 200
        assert upload.result(timeout=60)["size"] == len(payload)
        assert removal.result(timeout=60).status_code == 200
        assert imported.result(timeout=60).status_code == 201
        kept = api.get(f"/cases/{case_id}/attachments/{upload.result()['id']}")
        assert kept.content == payload


def test_export_and_check_read_the_bucket(fresh_server: Server, s3: SeaweedS3) -> None:
    blob_url = _started_on(fresh_server, s3)
    payload = os.urandom(100_000)
    with fresh_server.client(fresh_server.token()) as api:
        case_id = _case(api, "exported")
        stored = _upload(api, case_id, payload)
        archive = api.get(f"/cases/{case_id}/export")
        assert archive.status_code == 200, archive.text
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zf:
        assert zf.read(f"evidence/{stored['sha256']}") == payload
    fresh_server.stop()
    checked = fresh_server.cli("check")
    assert "evidence: 1 stored file matches its SHA-256" in checked.stdout
    s3.client().remove_object(*_key(blob_url, stored["sha256"]))
    missing = fresh_server.cli("check", check=False)
    assert missing.returncode == 1 and f"evidence file missing: {stored['sha256']}" in (
        missing.stdout + missing.stderr
    )


def test_a_refused_secret_or_a_missing_bucket_stops_start_up_in_one_line(
    fresh_server: Server, s3: SeaweedS3, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong-secret"
    wrong.write_text("not the secret")
    fresh_server.env.update({**s3.config(s3.bucket()), "IRBOX_BLOB_SECRET_KEY_FILE": str(wrong)})
    refused = fresh_server.cli("serve", "--listen", "127.0.0.1:1", check=False)
    assert refused.returncode != 0 and "evidence store" in refused.stderr
    assert "Traceback" not in refused.stderr
    fresh_server.env.update(s3.config(f"http://{s3.endpoint}/no-such-bucket"))
    missing = fresh_server.cli("serve", "--listen", "127.0.0.1:1", check=False)
    assert "there is no bucket 'no-such-bucket'" in missing.stderr
    with pytest.raises(S3Error):  # (the bucket really is not there)
        s3.client().stat_object("no-such-bucket", "x")
