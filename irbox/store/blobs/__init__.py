"""Where evidence files' bytes live, by their SHA-256: the data dir (`local`), or an
S3-compatible bucket every node shares (`s3`, with `blob_url`). Both answer what Litestar's
`File` response asks of a file system (`info`, `open`), so downloads stream from either."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from irbox.config import Config


class BlobStore(Protocol):
    def put(self, digest: str, source: Path) -> None:
        """Store the file's bytes under their digest, durably (the same digest is the same
        bytes, so storing it again is harmless); `source` may be moved or left behind."""

    def info(self, digest: str, **kwargs: Any) -> dict[str, Any]:
        """Size and modification time (Litestar's FileInfo); FileNotFoundError when absent."""

    def open(self, digest: str, mode: str = "rb", buffering: int = -1) -> IO[bytes]: ...

    def exists(self, digest: str) -> bool: ...

    def delete(self, digest: str, unheld: Callable[[], bool]) -> bool:
        """Remove the bytes no attachment holds any more (the caller checked), unless they
        may be an upload in flight elsewhere (stored within the grace period). A store other
        nodes upload to asks `unheld()` again once the bytes are out of sight, and puts them
        back if an attachment holds them by then. True when they went."""

    def digests(self) -> Iterator[str]:
        """Every digest stored (for `irbox check`)."""

    def check(self) -> None:
        """Raise a clear error when the store cannot be used (checked at start)."""


def open_blob_store(config: Config) -> BlobStore:
    if config.blob_url:
        from irbox.store.blobs.s3 import S3Blobs

        secret = Path(config.blob_secret_key_file).read_text().strip()
        return S3Blobs(
            config.blob_url,
            config.blob_access_key_id,
            secret,
            config.blob_region or None,
            config.blob_grace_s,
        )
    from irbox.store.blobs.local import LocalBlobs

    return LocalBlobs(config.data_path / "attachments")
