"""The `counters` table: named numbers that must only go up, whichever node writes (case
numbers, how far the index outbox has been pruned). A row updated in a transaction stays
locked until it ends, so concurrent writers take turns on it."""

from __future__ import annotations

from irbox.store.database import Connection

CASE_NUMBER = "case_number"
INDEX_OUTBOX_PRUNED = "index_outbox_pruned"  # rows with seq up to it may have been deleted


def next_value(conn: Connection, name: str) -> int:
    return conn.execute(
        "UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value", (name,)
    ).fetchone()[0]


def value(conn: Connection, name: str) -> int:
    row = conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
    return row[0] if row else 0


def raise_to(conn: Connection, name: str, new: int) -> None:
    conn.execute("UPDATE counters SET value = ? WHERE name = ? AND value < ?", (new, name, new))
