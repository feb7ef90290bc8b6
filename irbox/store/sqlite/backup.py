"""A consistent copy of a live SQLite file (for `irbox backup`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def snapshot_file(db_path: Path, target: Path) -> None:
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)  # online backup: consistent even while the server writes
    finally:
        dest.close()
        source.close()
