"""The `index_outbox` table: changes waiting to reach the DuckDB index."""

from __future__ import annotations

import sqlite3

from irbox.store.database import append


def add(conn: sqlite3.Connection, kind: str, payload: str, at: int) -> None:
    append(conn, "index_outbox", ("kind", "payload", "created_at"), (kind, payload, at))


def after(conn: sqlite3.Connection, seq: int, limit: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT seq, kind, payload FROM index_outbox WHERE seq > ? ORDER BY seq LIMIT ?",
        (seq, limit),
    ).fetchall()


def oldest_after(conn: sqlite3.Connection, seq: int) -> int | None:
    """When the oldest row not yet applied was written (None: the index is up to date)."""
    row = conn.execute(
        "SELECT created_at FROM index_outbox WHERE seq > ? ORDER BY seq LIMIT 1", (seq,)
    ).fetchone()
    return row[0] if row else None


def last_seq(conn: sqlite3.Connection) -> int:
    """The highest seq ever handed out (rows up to it may have been deleted once applied)."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'index_outbox'").fetchone()
    return row[0] if row else 0


def first_pending_seq(conn: sqlite3.Connection) -> int:
    """The seq of the oldest row still in the outbox (or the next one to be handed out)."""
    row = conn.execute("SELECT min(seq) FROM index_outbox").fetchone()
    return row[0] if row[0] is not None else last_seq(conn) + 1


def delete_through(conn: sqlite3.Connection, seq: int) -> int:
    return conn.execute("DELETE FROM index_outbox WHERE seq <= ?", (seq,)).rowcount


def count_after(conn: sqlite3.Connection, seq: int) -> int:
    return conn.execute("SELECT count(*) FROM index_outbox WHERE seq > ?", (seq,)).fetchone()[0]
