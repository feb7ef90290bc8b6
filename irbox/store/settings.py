"""The `settings` table: small named values the product keeps (e.g. license state)."""

from __future__ import annotations

from irbox.store.database import Connection


def get(conn: Connection, name: str) -> str | None:
    row = conn.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
    return row[0] if row else None


def put(conn: Connection, name: str, value: str | None) -> None:
    if value is None:
        conn.execute("DELETE FROM settings WHERE name = ?", (name,))
    else:
        conn.execute(
            "INSERT INTO settings (name, value) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )
