"""Evidence in an S3-compatible bucket (`blob_url`), shared by every node: object
`<prefix>attachments/<sha256[:2]>/<sha256>`. Uploads stream from the upload's temp file with
each request's payload hash signed (SigV4), so the server refuses bytes that changed on the way,
and the stored size is checked after. Content addressing makes a second put of the same digest
harmless, so no conditional create is needed; it also refreshes the object's time, which is
what removal looks at: an object no attachment holds is deleted only once older than
`blob_grace_s`, since an upload on another node may have just put it and not yet recorded it.

S3 has no delete-if-unchanged, so a removal and another node's upload of the same bytes are
ordered through the database instead. The removal copies the object aside
(`<prefix>removing/<sha256>`), deletes it, then asks the database again whether an attachment
holds these bytes: if one does (recorded meanwhile), it copies them back. The upload, once its
record is committed, checks its object is there and puts it again if not. Whichever order the
two take, an attachment recorded ends up with its bytes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import urllib3
from minio import Minio
from minio.commonconfig import ComposeSource
from minio.error import S3Error

from irbox.errors import StorageUnavailable

MISSING = ("NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound")


class S3Blobs:
    def __init__(
        self, url: str, access_key: str, secret_key: str, region: str | None, grace_s: int
    ) -> None:
        parsed = urlsplit(url)
        bucket, _, prefix = parsed.path.strip("/").partition("/")
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self.grace_s = grace_s
        self.client = Minio(
            parsed.netloc,
            access_key=access_key,
            secret_key=secret_key,
            secure=parsed.scheme == "https",
            region=region,
            http_client=urllib3.PoolManager(
                timeout=urllib3.Timeout(connect=5, read=60),
                retries=urllib3.Retry(total=3, backoff_factor=0.2),
                maxsize=16,
            ),
        )

    def key(self, digest: str) -> str:
        return f"{self.prefix}attachments/{digest[:2]}/{digest}"

    def put(self, digest: str, source: Path) -> None:
        size = source.stat().st_size
        try:
            self.client.fput_object(self.bucket, self.key(digest), str(source))
            stored = self.client.stat_object(self.bucket, self.key(digest)).size
        except (S3Error, urllib3.exceptions.HTTPError) as exc:
            raise StorageUnavailable(f"the evidence store refused the file: {exc}") from exc
        if stored != size:
            raise StorageUnavailable(f"the evidence store kept {stored} of {size} bytes")

    def info(self, digest: str, **kwargs: Any) -> dict[str, Any]:
        with _answering(digest):
            found = self.client.stat_object(self.bucket, self.key(digest))
        mtime = found.last_modified.timestamp() if found.last_modified else 0.0
        return {
            "name": digest, "size": found.size or 0, "mtime": mtime, "type": "file",
            "created": mtime, "gid": 0, "uid": 0, "ino": 0, "islink": False, "mode": 0o600,
            "nlink": 1,
        }  # fmt: skip

    def open(self, digest: str, mode: str = "rb", buffering: int = -1) -> IO[bytes]:
        with _answering(digest):
            response = self.client.get_object(self.bucket, self.key(digest))
        return _Body(response)  # type: ignore[return-value]

    def exists(self, digest: str) -> bool:
        try:
            self.info(digest)
        except FileNotFoundError:
            return False
        return True

    def delete(self, digest: str, unheld: Callable[[], bool]) -> bool:
        try:
            modified = self.info(digest)["mtime"]
        except FileNotFoundError:
            return False
        if time.time() - modified < self.grace_s:
            return False  # may be another node's upload in flight: the hourly sweep retries
        key, aside = self.key(digest), f"{self.prefix}removing/{digest}"
        self.client.compose_object(self.bucket, aside, [ComposeSource(self.bucket, key)])
        self.client.remove_object(self.bucket, key)
        gone = False
        try:
            gone = unheld()  # asked once the bytes are out of sight: see the module's text
        finally:
            if not gone:
                self.client.compose_object(self.bucket, key, [ComposeSource(self.bucket, aside)])
            self.client.remove_object(self.bucket, aside)
        return gone

    def digests(self) -> Iterator[str]:
        listed = self.client.list_objects(
            self.bucket, prefix=f"{self.prefix}attachments/", recursive=True
        )
        for item in listed:
            yield (item.object_name or "").rsplit("/", 1)[-1]

    def check(self) -> None:
        try:
            exists = self.client.bucket_exists(self.bucket)
        except (S3Error, urllib3.exceptions.HTTPError) as exc:
            raise StorageUnavailable(f"blob_url: the evidence store answers: {exc}") from exc
        if not exists:
            raise StorageUnavailable(f"blob_url: there is no bucket {self.bucket!r}")


@contextmanager
def _answering(digest: str) -> Iterator[None]:
    """The store's answers as irbox's: an object that is not there is FileNotFoundError (a 404
    for the caller), a store that fails or cannot be reached StorageUnavailable (a 503)."""
    try:
        yield
    except S3Error as exc:
        if exc.code in MISSING:
            raise FileNotFoundError(digest) from None
        raise StorageUnavailable(f"the evidence store: {exc}") from exc
    except urllib3.exceptions.HTTPError as exc:
        raise StorageUnavailable(f"the evidence store: {exc}") from exc


class _Body:
    """An object's body as a file to read; closing it hands the connection back."""

    def __init__(self, response: Any) -> None:
        self._response = response

    def read(self, size: int = -1) -> bytes:
        return self._response.read(None if size < 0 else size)

    def close(self) -> None:
        self._response.close()
        self._response.release_conn()

    def __enter__(self) -> _Body:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
