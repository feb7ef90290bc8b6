"""Evidence files: streamed to a temp file while hashing (never held whole in memory), the size
limit enforced as bytes arrive, then placed in content-addressed storage by their SHA-256 (the
data dir's `attachments/`, or a bucket with `blob_url`: store.blobs). The client's filename is
metadata only: it never becomes a path. One stored file serves every attachment with its bytes;
it is deleted with the last of them, or when the upload that placed it fails to record it, and
never while an upload is placing it (on this node; for other nodes' uploads, the bucket's grace
period and `store/blobs/s3.py`).
What a deletion left behind (a bucket's grace period, a failure) goes with the hourly sweep."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import tempfile
import threading
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from irbox import clock, ids
from irbox.cases import changes
from irbox.cases.models import Evidence
from irbox.errors import NotFound, PayloadTooLarge
from irbox.identity.principal import Actor
from irbox.store import attachments as attachments_table
from irbox.store.blobs import BlobStore
from irbox.store.database import Connection, Database, Row
from irbox.store.writer import Writer

log = logging.getLogger("irbox.evidence")
_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9][\w.+-]{0,63}/[A-Za-z0-9][\w.+-]{0,127}$")
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def clean_filename(name: str | None) -> str:
    base = re.split(r"[\\/]", name or "")[-1]
    base = _UNSAFE_CHARS.sub("", base).strip().lstrip(".")
    return base[:255] or "attachment"


def clean_content_type(value: str | None) -> str:
    value = (value or "").split(";")[0].strip().lower()
    return value if _CONTENT_TYPE.match(value) else "application/octet-stream"


class Upload:
    """One upload in progress: bytes go to a temp file on the same filesystem as the store."""

    def __init__(self, tmp_dir: Path, limit: int) -> None:
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        self.path = Path(name)
        self.file = os.fdopen(fd, "wb")
        self.limit = limit
        self.size = 0
        self.sha256 = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise PayloadTooLarge(
                f"the file is larger than the upload limit of {self.limit // (1024 * 1024)} MiB",
                {"max_bytes": self.limit},
            )
        self.sha256.update(chunk)
        self.file.write(chunk)

    def abort(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)


class EvidenceService:
    def __init__(
        self, db: Database, writer: Writer, blobs: BlobStore, tmp_dir: Path, max_bytes: int
    ) -> None:
        self.db = db
        self.writer = writer
        self.blobs = blobs
        self.tmp_dir = tmp_dir  # uploads in progress, on this node's disk
        self.max_bytes = max_bytes
        # Files uploads are placing, until their record commits or fails: a removal that finds
        # no record of a file (yet) must leave it to them.
        self._placing: Counter[str] = Counter()
        self._store_lock = threading.Lock()

    def discard_abandoned_uploads(self) -> int:
        """At server start (the one process that uploads holds the data dir): remove what
        uploads cut off by a crash left in `attachments/tmp`. Returns how many files."""
        tmp = self.tmp_dir
        abandoned = list(tmp.glob("upload-*")) if tmp.is_dir() else []
        for path in abandoned:
            path.unlink(missing_ok=True)
        return len(abandoned)

    def begin(self, case_id: str) -> Upload:
        """Check the case takes evidence before any byte is read, then start the upload."""
        self.db.read(changes.open_case, case_id)
        return Upload(self.tmp_dir, self.max_bytes)

    async def finish(
        self,
        upload: Upload,
        case_id: str,
        filename: str | None,
        content_type: str | None,
        description: str,
        actor: Actor,
    ) -> Evidence:
        digest = upload.sha256.hexdigest()
        now = clock.now_us()
        evidence = Evidence(
            id=ids.new_id("att"),
            filename=clean_filename(filename),
            size=upload.size,
            sha256=digest,
            content_type=clean_content_type(content_type),
            description=description[:10_000],
            uploaded_by=actor.user_id,
            uploaded_at=clock.to_rfc3339(now) or "",
        )
        async with self.placed([upload]):
            await self.writer.run(lambda conn: _record(conn, evidence, case_id, actor, now))
        return evidence

    def new_upload(self, limit: int) -> Upload:
        """A temp file in the store's filesystem for bytes to be placed (an imported case's)."""
        return Upload(self.tmp_dir, limit)

    @asynccontextmanager
    async def placed(self, uploads: Sequence[Upload]) -> AsyncIterator[list[str]]:
        """Move the uploads' files into the store (durably) and keep them from removal while
        the block records them; if the block raises, a file no record holds goes again. The
        store's work (an fsync, a bucket's upload of gigabytes) runs on a thread: on the event
        loop it held up every request, health probes too, for as long as it took."""
        digests = await asyncio.to_thread(self._place, uploads)
        recorded = False
        try:
            yield digests
            recorded = True
        finally:
            await asyncio.to_thread(self._release, uploads, digests, recorded)

    def _place(self, uploads: Sequence[Upload]) -> list[str]:
        digests = []
        for upload in uploads:
            upload.file.flush()
            os.fsync(upload.file.fileno())
            upload.file.close()
            digests.append(upload.sha256.hexdigest())
        with self._store_lock:
            for digest in digests:
                self._placing[digest] += 1
        try:
            for upload, digest in zip(uploads, digests, strict=True):
                self.blobs.put(digest, upload.path)
        except BaseException:
            self._release(uploads, digests, recorded=False)
            raise
        return digests

    def _release(self, uploads: Sequence[Upload], digests: list[str], recorded: bool) -> None:
        try:
            if recorded:
                for upload, digest in zip(uploads, digests, strict=True):
                    self._still_stored(digest, upload.path)
        finally:
            with self._store_lock:
                for upload, digest in zip(uploads, digests, strict=True):
                    upload.path.unlink(missing_ok=True)  # one not placed yet, or put again
                    self._placing[digest] -= 1
                    if not recorded:  # nothing may hold the bytes it stored
                        self._delete_if_unheld(digest)
                    elif not self._placing[digest]:
                        del self._placing[digest]

    def _still_stored(self, digest: str, source: Path) -> None:
        """Once its record is committed, an upload's bytes must be in the store: another
        node's removal that found no attachment holding them may have taken them after the
        put (`store/blobs/s3.py`). Put them again from the upload's file if so."""
        if not self.blobs.exists(digest):
            log.warning("evidence file %s went as its upload was recorded: put again", digest)
            self.blobs.put(digest, source)

    def _delete_if_unheld(self, digest: str) -> bool:
        """Delete a stored file no attachment holds and no upload is placing (the caller holds
        `_store_lock`, so no upload starts placing it meanwhile). True when it went."""
        if self._placing[digest] > 0:
            return False
        del self._placing[digest]

        def unheld() -> bool:
            return self.db.read(attachments_table.count_with_hash, digest) == 0

        try:
            if unheld():
                return self.blobs.delete(digest, unheld)
        except Exception:  # the file stays, unreferenced, until the sweep (`irbox check` lists it)
            log.exception("could not delete the unreferenced evidence file %s", digest)
        return False

    def sweep_unreferenced(self) -> int:
        """Delete the stored files no attachment holds: those a removal left within the
        bucket's grace period or failed to delete. Each is checked again as `_delete_if_unheld`
        checks a removal's, so an upload recording the same bytes meanwhile keeps them.
        Returns how many went."""
        referenced = {digest for digest, _ in self.db.read(attachments_table.all_hashes)}
        gone = 0
        for digest in self.blobs.digests():
            if digest not in referenced:
                gone += self._delete_unless_placing(digest)
        return gone

    def locate(self, case_id: str, attachment_id: str) -> Evidence:
        """The attachment whose bytes are in `blobs` under its sha256 (checked)."""
        row = self.db.read(attachments_table.get, case_id, attachment_id)
        if row is None:
            raise NotFound(f"no attachment {attachment_id} in case {case_id}")
        if not self.blobs.exists(row["sha256"]):
            raise NotFound(f"the file of attachment {attachment_id} is missing from the store")
        return evidence_from_row(row)

    async def remove(self, case_id: str, attachment_id: str, actor: Actor) -> Evidence:
        """Take a file off an open case (uploaded by mistake, or not to be kept): its record
        goes, and its bytes with it unless another attachment holds the same ones."""
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            changes.open_case(conn, case_id)
            row = attachments_table.get(conn, case_id, attachment_id)
            if row is None:
                raise NotFound(f"no attachment {attachment_id} in case {case_id}")
            attachments_table.delete(conn, attachment_id)
            data = {"attachment_id": attachment_id, "sha256": row["sha256"], "size": row["size"]}
            summary = f"evidence removed: {row['filename']}"
            changes.record(conn, case_id, "attachment_removed", actor, now, summary, data)
            changes.announce(conn, case_id, "case.updated", actor, now)
            return row

        row = await self.writer.run(write)
        await asyncio.to_thread(self._delete_unless_placing, row["sha256"])  # off the loop
        return evidence_from_row(row)

    def _delete_unless_placing(self, digest: str) -> bool:
        with self._store_lock:
            return self._delete_if_unheld(digest)


def _record(conn: Connection, evidence: Evidence, case_id: str, actor: Actor, now: int) -> Evidence:
    """The upload's write: its attachment row, timeline event, audit entry and webhook."""
    changes.open_case(conn, case_id)
    attachments_table.insert(
        conn,
        {
            "id": evidence.id,
            "case_id": case_id,
            "filename": evidence.filename,
            "size": evidence.size,
            "sha256": evidence.sha256,
            "content_type": evidence.content_type,
            "description": evidence.description,
            "uploaded_by": actor.user_id,
            "uploaded_at": now,
        },
    )
    data = {"attachment_id": evidence.id, "sha256": evidence.sha256, "size": evidence.size}
    summary = f"evidence added: {evidence.filename}"
    changes.record(conn, case_id, "attachment", actor, now, summary, data)
    changes.announce(conn, case_id, "case.updated", actor, now)
    return evidence


def evidence_from_row(row: Row) -> Evidence:
    return Evidence(
        row["id"],
        row["filename"],
        row["size"],
        row["sha256"],
        row["content_type"],
        row["description"] or "",
        row["uploaded_by"],
        clock.to_rfc3339(row["uploaded_at"]) or "",
    )
