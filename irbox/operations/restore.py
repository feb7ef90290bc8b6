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
        manifest = json.load(tar.extractfile(first))  # type: ignore[arg-type]
        if manifest.get("format") != FORMAT:
            raise RestoreError(f"unknown backup format {manifest.get('format')!r}")
        expected = {f["path"]: f for f in manifest["files"]}
        seen: set[str] = set()
        while (member := tar.next()) is not None:
            if not member.isfile() or not _safe(member.name) or member.name not in expected:
                raise RestoreError(f"unexpected entry in the archive: {member.name!r}")
            target = into / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest, size = hashlib.sha256(), 0
            with tar.extractfile(member) as src, open(target, "wb") as dst:  # type: ignore[union-attr]
                for chunk in iter(lambda: src.read(1024 * 1024), b""):
                    digest.update(chunk)
                    size += len(chunk)
                    dst.write(chunk)
            want = expected[member.name]
            if size != want["size"] or digest.hexdigest() != want["sha256"]:
                raise RestoreError(f"{member.name} does not match the manifest (damaged archive)")
            seen.add(member.name)
        missing = set(expected) - seen
        if missing:
            raise RestoreError(f"the archive lacks {len(missing)} files, e.g. {sorted(missing)[0]}")
    return manifest


def restore(archive: Path, data_dir: Path, force: bool) -> dict:
    if data_dir.exists() and any(data_dir.iterdir()) and not force:
        raise RestoreError(f"{data_dir} is not empty: pass --force to replace its contents")
    data_dir.mkdir(parents=True, exist_ok=True)
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
        (data_dir / sub).mkdir(exist_ok=True)
    return manifest
