"""Apply pending numbered migrations (see `irbox.store.sqlite.migrations`)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from sqlite_utils import Database as SqliteUtilsDatabase

from irbox.store.schema_migrations import apply_pending
from irbox.store.sqlite import migrations
from irbox.store.sqlite.connection import connect, enable_wal


def available() -> list[tuple[int, str]]:
    found = []
    for info in pkgutil.iter_modules(migrations.__path__):
        if info.name.startswith("m") and info.name[1:5].isdigit():
            found.append((int(info.name[1:5]), info.name))
    return sorted(found)


def migrate(path: Path | str) -> list[str]:
    """Bring the database at `path` up to the newest schema; return the names applied."""
    conn = connect(path)
    try:
        enable_wal(conn)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
        )

        def run(name: str) -> None:
            module = importlib.import_module(f"{migrations.__name__}.{name}")
            module.migrate(SqliteUtilsDatabase(conn))

        applied = apply_pending(conn, available(), run, "BEGIN IMMEDIATE")
        conn.execute("PRAGMA optimize")  # fresh planner statistics where they are stale
        return applied
    finally:
        conn.close()
