"""Evidence in the data dir: `attachments/<sha256[:2]>/<sha256>`, moved into place from the
upload's temp file on the same filesystem and fsynced with its directory."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any


class LocalBlobs:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, digest: str) -> Path:
        return self.root / digest[:2] / digest

    def put(self, digest: str, source: Path) -> None:
        target = self.path_of(digest)
        if target.exists():  # the same bytes stored before: keep one copy
            source.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        _fsync_dir(target.parent)

    def info(self, digest: str, **kwargs: Any) -> dict[str, Any]:
        found = self.path_of(digest).stat()
        return {
            "name": digest, "size": found.st_size, "mtime": found.st_mtime, "type": "file",
            "created": found.st_ctime, "gid": found.st_gid, "uid": found.st_uid,
            "ino": found.st_ino, "islink": False, "mode": stat.S_IMODE(found.st_mode),
            "nlink": found.st_nlink,
        }  # fmt: skip

    def open(self, digest: str, mode: str = "rb", buffering: int = -1) -> IO[bytes]:
        return open(self.path_of(digest), "rb", buffering)

    def exists(self, digest: str) -> bool:
        return self.path_of(digest).exists()

    def delete(self, digest: str, unheld: Callable[[], bool]) -> bool:
        # One process uploads into this data dir, and holds back deletion of what it is placing
        # (under its store lock): no upload elsewhere can record these bytes meanwhile.
        try:
            self.path_of(digest).unlink()
        except FileNotFoundError:
            return False
        return True

    def digests(self) -> Iterator[str]:
        for path in self.root.glob("??/*"):
            yield path.name

    def check(self) -> None:
        pass


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
