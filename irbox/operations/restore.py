"""`irbox restore`: verify the archive against its manifest first (every size and SHA-256, and
no path outside the data dir), then put it in place. A non-empty target is refused without
`force`. The observable index is rebuilt from SQLite on the first start."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from irbox.operations.backup import FORMAT, MANIFEST


class RestoreError(Exception):
    """The archive is not a complete, intact irbox backup, or the target is not usable."""


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name not in ("", ".")


def verify_and_extract(archive: Path, into: Path) -> dict:
    try:
        tar = tarfile.open(archive, "r")  # noqa: SIM115 - closed by the `with` below
    except OSError as exc:
        raise RestoreError(f"cannot read {archive}: {exc.strerror or exc}") from None
    except tarfile.TarError:  # (its text lists every compression tried, one line each)
        raise RestoreError(f"{archive} is not a backup archive (not a tar file)") from None
    with tar:
        first = tar.next()
        if first is None or first.name != MANIFEST:
            raise RestoreError("the archive does not start with its manifest")
        manifest, expected = _read_manifest(tar, first)
        seen: set[str] = set()
        while (member := tar.next()) is not None:
            if not member.isfile() or not _safe(member.name) or member.name not in expected:
                raise RestoreError(f"unexpected entry in the archive: {member.name!r}")
            target = into / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest, size = hashlib.sha256(), 0
            want = expected[member.name]
            if member.size != want["size"]:  # the tar header says so before a byte is written
                raise RestoreError(f"{member.name} does not match the manifest (damaged archive)")
            with tar.extractfile(member) as src, _private(target) as dst:  # type: ignore[union-attr]
                for chunk in iter(lambda: src.read(1024 * 1024), b""):
                    digest.update(chunk)
                    size += len(chunk)
                    if size > want["size"]:
                        raise RestoreError(
                            f"{member.name} does not match the manifest (damaged archive)"
                        )
                    dst.write(chunk)
            if size != want["size"] or digest.hexdigest() != want["sha256"]:
                raise RestoreError(f"{member.name} does not match the manifest (damaged archive)")
            seen.add(member.name)
        missing = set(expected) - seen
        if missing:
            raise RestoreError(f"the archive lacks {len(missing)} files, e.g. {sorted(missing)[0]}")
    return manifest


def _read_manifest(tar: tarfile.TarFile, first: tarfile.TarInfo) -> tuple[dict, dict[str, dict]]:
    """The manifest and its files by path; any malformation is one RestoreError line. An
    archive without the database is refused here, before the target is touched."""
    try:
        manifest = json.load(tar.extractfile(first))  # type: ignore[arg-type]
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
        if manifest.get("format") != FORMAT:
            raise RestoreError(f"unknown backup format {manifest.get('format')!r}")
        expected = {}
        for entry in manifest["files"]:
            path, size, sha = entry["path"], entry["size"], entry["sha256"]
            if not isinstance(path, str) or not isinstance(size, int) or size < 0:
                raise ValueError(f"bad entry {entry!r}"[:200])
            if not isinstance(sha, str):
                raise ValueError(f"bad sha256 for {path!r}"[:200])
            expected[path] = entry
    except RestoreError:
        raise
    except (ValueError, KeyError, TypeError, tarfile.TarError, UnicodeDecodeError) as exc:
        raise RestoreError(f"the archive's manifest is malformed: {exc}"[:300]) from None
    if "irbox.db" not in expected:
        raise RestoreError("the archive holds no irbox.db: not an irbox backup")
    return manifest, expected


def _private(path: Path) -> BinaryIO:
    """A new file opened for writing, readable by its owner only (0600 whatever the umask)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")


def restore(archive: Path, data_dir: Path, force: bool) -> dict:
    if data_dir.exists() and any(data_dir.iterdir()) and not force:
        raise RestoreError(f"{data_dir} is not empty: pass --force to replace its contents")
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir.parent, prefix=".irbox-restore-") as tmp:
        staging = Path(tmp)
        manifest = verify_and_extract(archive, staging)  # nothing is touched before this passes
        for old in list(data_dir.iterdir()):
            if old.is_dir():
                shutil.rmtree(old)
            else:
                old.unlink()
        if (staging / "config.toml").exists():  # kept for reference, not applied
            os.replace(staging / "config.toml", staging / "config.restored.toml")
        for item in staging.iterdir():
            os.replace(item, data_dir / item.name)
    for sub in ("attachments", "reports"):
        (data_dir / sub).mkdir(mode=0o700, exist_ok=True)
    return manifest
