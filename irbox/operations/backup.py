"""`irbox backup`: one tar archive with a manifest of sizes and SHA-256s, taken while the server
runs. SQLite is copied with its online backup API (a consistent snapshot, not a file copy),
before the attachments, so every attachment the snapshot refers to is in the archive (files are
stored before the rows that name them, and never deleted). The DuckDB index is derived data and
is rebuilt after a restore."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import tempfile
import time
from pathlib import Path

from irbox import __version__
from irbox.config import Config
from irbox.store.sqlite.backup import snapshot_file

MANIFEST = "manifest.json"
FORMAT = "irbox-backup/1"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def create_backup(config: Config, out: Path, config_file: Path | None = None) -> dict:
    data = config.data_path
    if not config.db_path.exists():
        raise FileNotFoundError(f"no irbox database in {data}")
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        snapshot = Path(tmp) / "irbox.db"
        snapshot_file(config.db_path, snapshot)
        files: list[tuple[str, Path]] = [("irbox.db", snapshot)]
        for sub in ("attachments", "reports"):
            root = data / sub
            if root.is_dir():
                for path in sorted(root.rglob("*")):
                    if path.is_file() and "tmp" not in path.relative_to(root).parts[:1]:
                        files.append((f"{sub}/{path.relative_to(root).as_posix()}", path))
        for name, path in (
            ("license.json", config.license_path),
            ("attack.json", data / "attack.json"),
            ("secret.key", data / "secret.key"),  # opens the sealed webhook secrets
        ):
            if path.is_file():
                files.append((name, path))
        if config_file is not None and config_file.is_file():
            files.append(("config.toml", config_file))
        entries = [
            {"path": name, "size": p.stat().st_size, "sha256": sha256_of(p)} for name, p in files
        ]
        manifest = {
            "format": FORMAT,
            "irbox_version": __version__,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "files": entries,
        }
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            raw = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(raw), int(time.time())
            tar.addfile(info, io.BytesIO(raw))
            for name, path in files:
                tar.add(path, arcname=name, recursive=False)
        partial.replace(out)
    return manifest
