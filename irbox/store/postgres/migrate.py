"""Apply pending numbered migrations (see `irbox.store.postgres.migrations`)."""

from __future__ import annotations

from importlib import resources

from irbox.store.postgres import migrations
from irbox.store.postgres.connection import connect
from irbox.store.schema_migrations import apply_pending

# One migrating node at a time (two starting together must not both apply m0001).
_LOCK_KEY = 0x1B0C_0001


def available() -> list[tuple[int, str]]:
    found = []
    for entry in resources.files(migrations).iterdir():
        name = entry.name
        if name.startswith("m") and name[1:5].isdigit() and name.endswith(".sql"):
            found.append((int(name[1:5]), name.removesuffix(".sql")))
    return sorted(found)


def has_schema(url: str) -> bool:
    conn = connect(url)
    try:
        return conn.execute("SELECT to_regclass('schema_migrations')").fetchone()[0] is not None
    finally:
        conn.close()


def migrate(url: str) -> list[str]:
    """Bring the database at `url` up to the newest schema; return the names applied."""
    conn = connect(url)
    try:
        conn.execute("SELECT pg_advisory_lock(?)", (_LOCK_KEY,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        )

        def run(name: str) -> None:
            conn.execute(resources.files(migrations).joinpath(f"{name}.sql").read_text())

        return apply_pending(conn, available(), run)
    finally:
        conn.close()
