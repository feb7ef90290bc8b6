"""Apply pending numbered migrations (see `irbox.store.migrations`)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from sqlite_utils import Database as SqliteUtilsDatabase

from irbox import clock
from irbox.store import migrations
from irbox.store.database import connect, enable_wal


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
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        applied = []
        for version, name in available():
            if version in done:
                continue
            module = importlib.import_module(f"{migrations.__name__}.{name}")
            conn.execute("BEGIN IMMEDIATE")
            try:
                module.migrate(SqliteUtilsDatabase(conn))
                conn.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                    (version, name, clock.now_us()),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            applied.append(name)
        conn.execute("PRAGMA optimize")  # fresh planner statistics where they are stale
        return applied
    finally:
        conn.close()
